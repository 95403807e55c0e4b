"""The one visual language of the course's diagrams: colours, font sizes, arrows, boxes.

Every diagram draws on :func:`canvas`, an axes whose units are the figure's pixels at notebook
width, so a box 120 wide is 120 px on the page and nothing is stretched. Colours are the
Okabe–Ito palette (distinguishable with the common colour-vision deficiencies); where colour
carries meaning, a label or the arrow's line style says it too.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from ..figures import new_figure

INTRODUCED_IN = "01"

# --- palette: Okabe & Ito, "Color Universal Design" (2008) ----------------------------------
BLUE, SKY, GREEN, ORANGE = "#0072B2", "#56B4E9", "#009E73", "#E69F00"
VERMILLION, PURPLE, YELLOW, GREY, INK = "#D55E00", "#CC79A7", "#F0E442", "#8C8C8C", "#1A1A1A"

# Ten categories (the digits 0–9): Paul Tol's "muted" scheme, chosen to stay distinguishable with
# colour-vision deficiencies (https://personal.sron.nl/~pault/), its pale grey for "no data" replaced
# by a mid grey that shows on white. Ten colours are still many: figures also write each category.
CATEGORY_10 = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933",
               "#DDCC77", "#CC6677", "#882255", "#AA4499", "#777777")

# What each colour means, the same in every diagram.
ROLE = {
    "input": SKY,        # data coming in: tokens, pixels, x
    "learned": ORANGE,   # trained weights, trainable parts
    "operation": BLUE,   # a computation: attention, sum, softmax
    "output": GREEN,     # what comes out: logits, answers, y
    "frozen": GREY,      # weights that do not change
    "highlight": VERMILLION,  # the thing to look at; gradients flowing back
    "memory": PURPLE,    # stored state: hidden state, KV cache
}

# --- type scale (points; at notebook width 1 pt ≈ 1.25 px) ---------------------------------
TITLE, BODY, SMALL = 13, 11, 9.5

# --- geometry -----------------------------------------------------------------------------
WIDTH_PX = 850       # a notebook's text column; also the README's
SAVE_DPI = 180       # PNGs are saved at twice the screen's 90 dpi: sharp on HiDPI screens
ARROW = {"arrowstyle": "-|>", "mutation_scale": 15, "lw": 1.6, "shrinkA": 0, "shrinkB": 0}


def tint(color: str, amount: float = 0.25) -> tuple[float, float, float]:
    """``color`` mixed with white: ``amount`` 1 is the colour itself, 0 is white (box fills)."""
    if not 0 <= amount <= 1:
        raise ValueError(f"tint amount must be between 0 and 1, got {amount}.")
    return tuple(1 - amount * (1 - c) for c in to_rgb(color))


def canvas(height_px: int, width_px: int = WIDTH_PX, title: str = "") -> tuple[Figure, Axes]:
    """A figure ``width_px`` × ``height_px`` and one axes spanning it, in pixel units, no frame.
    y grows upwards (matplotlib's convention): (0, 0) is the bottom-left corner."""
    fig = new_figure(width_px, height_px)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width_px)
    ax.set_ylim(0, height_px)
    ax.axis("off")
    if title:
        ax.text(width_px / 2, height_px - 16, title, ha="center", va="center", fontsize=TITLE, weight="bold",
                color=INK)
    return fig, ax


def box(ax: Axes, center: tuple[float, float], size: tuple[float, float], text: str = "", color: str = BLUE,
        fontsize: float = BODY, fill: float = 0.22, lw: float = 1.4, text_color: str = INK, **text_kw) -> None:
    """A rounded box with a light fill and a border in ``color``, ``text`` centred inside."""
    (x, y), (w, h) = center, size
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=6",
                                facecolor=tint(color, fill), edgecolor=color, lw=lw, zorder=2))
    if text:
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=text_color, zorder=3, **text_kw)


def node(ax: Axes, center: tuple[float, float], radius: float, text: str = "", color: str = BLUE,
         fontsize: float = BODY, fill: float = 0.22) -> None:
    """A circle (a neuron, an operation) with ``text`` inside."""
    ax.add_patch(Circle(center, radius, facecolor=tint(color, fill), edgecolor=color, lw=1.4, zorder=2))
    if text:
        ax.text(*center, text, ha="center", va="center", fontsize=fontsize, color=INK, zorder=3)


def arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], color: str = INK,
          dashed: bool = False, curve: float = 0.0, lw: float | None = None) -> None:
    """The course's one arrow: a filled head; ``dashed`` for a second cue where colour means
    something (gradients, what is skipped); ``curve`` bends it (matplotlib's arc3 radius)."""
    style = dict(ARROW, color=color, linestyle="--" if dashed else "-",
                 connectionstyle=f"arc3,rad={curve}", zorder=1)
    if lw is not None:
        style["lw"] = lw
    ax.add_patch(FancyArrowPatch(start, end, **style))


def text(ax: Axes, xy: tuple[float, float], words: str, size: float = BODY, color: str = INK, **kw) -> None:
    """Text at ``xy`` (centred unless ``ha``/``va`` say otherwise)."""
    kw.setdefault("ha", "center")
    kw.setdefault("va", "center")
    ax.text(*xy, words, fontsize=size, color=color, **kw)
