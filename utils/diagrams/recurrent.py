"""Notebook 05's diagram: a recurrent cell, and the same cell unrolled in time."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..figures import new_figure
from ..i18n import t
from .style import ARROW, ORANGE, PURPLE, SKY, TITLE, VERMILLION

INTRODUCED_IN = "05"


def _arrow(ax, start, end, color="black", lw=1.6):
    ax.add_patch(FancyArrowPatch(start, end, **dict(ARROW, color=color, lw=lw)))


def _box(ax, xy, w, h, text, color, fontsize=11, text_color="black"):
    ax.add_patch(FancyBboxPatch((xy[0] - w / 2, xy[1] - h / 2), w, h, boxstyle="round,pad=0.05",
                                color=color, zorder=2))
    ax.text(*xy, text, ha="center", va="center", fontsize=fontsize, color=text_color, zorder=3)


def rnn_unrolled(steps: int = 4) -> Figure:
    """Left: a recurrent cell with its loop. Right: the same cell unrolled over ``steps`` time
    steps, one copy per input, the hidden state h passed along (notebook 05)."""
    if not isinstance(steps, int) or not 2 <= steps <= 6:
        raise ValueError(f"steps must be an integer from 2 to 6, got {steps!r}.")
    fig = new_figure(920, 330)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 3.2]})
    for ax in (left, right):
        ax.set_ylim(-0.4, 6)
        ax.set_aspect("equal")
        ax.axis("off")
    cell, x_col, y_col = VERMILLION, SKY, ORANGE

    left.set_xlim(0, 4.4)
    left.set_title(t("diagram.recurrent.cell_title"), fontsize=TITLE, weight="bold")
    _box(left, (2, 3), 1.4, 1.1, t("diagram.recurrent.rnn_cell"), cell, text_color="white")
    _box(left, (2, 0.8), 0.9, 0.7, "$x_t$", x_col)
    _box(left, (2, 5.2), 0.9, 0.7, "$y_t$", y_col)
    _arrow(left, (2, 1.15), (2, 2.4))
    _arrow(left, (2, 3.6), (2, 4.85))
    # The loop: h_t goes back in as h_{t-1} at the next step.
    left.add_patch(FancyArrowPatch((2.75, 3.35), (2.75, 2.65), connectionstyle="arc3,rad=-3",
                                   arrowstyle="-|>", mutation_scale=14, lw=1.6, color="black"))
    left.text(3.95, 3.0, "$h$", fontsize=13, va="center")

    right.set_xlim(0, 3 + 2.6 * steps)
    right.set_title(t("diagram.recurrent.unrolled_title"), fontsize=TITLE, weight="bold")
    labels = ["T", "o", " ", "b", "e", ","]
    prev = (0.6, 3)
    right.text(0.35, 3.45, "$h_0 = 0$", fontsize=10)
    for k in range(steps):
        cx = 2.2 + 2.6 * k
        _box(right, (cx, 3), 1.3, 1.1, t("diagram.recurrent.cell") + "\n$W_{xh}, W_{hh}$", cell, fontsize=9, text_color="white")
        _box(right, (cx, 1.0), 1.1, 0.7, f"$x_{k + 1}$ '{labels[k]}'", x_col, fontsize=9)
        _box(right, (cx, 5.2), 0.9, 0.7, f"$y_{k + 1}$", y_col, fontsize=10)
        _arrow(right, (cx, 1.35), (cx, 2.4))
        _arrow(right, (cx, 3.6), (cx, 4.85))
        _arrow(right, (prev[0] + (0.05 if k == 0 else 0.7), 3), (cx - 0.72, 3), color=PURPLE, lw=2.2)
        if k:
            right.text((prev[0] + cx) / 2, 3.25, f"$h_{k}$", fontsize=11, color=PURPLE, ha="center")
        prev = (cx, 3)
    _arrow(right, (prev[0] + 0.7, 3), (prev[0] + 1.6, 3), color=PURPLE, lw=2.2)
    right.text(prev[0] + 1.2, 3.25, f"$h_{steps}$", fontsize=11, color=PURPLE, ha="center")
    right.text(0.1, 0.0, "$h_t = \\tanh(W_{xh} x_t + W_{hh} h_{t-1} + b)$", fontsize=11)
    fig.tight_layout()
    return fig
