"""The course's own diagrams, drawn with matplotlib so they need no image files.

``images/make_figures.py`` saves them as PNG for the README; notebooks draw them directly,
which also works in Colab where the repository's images/ folder is not present.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Polygon

from . import i18n
from .figures import new_figure

INTRODUCED_IN = "01"


def _arrow(ax, start, end, color="black", lw=1.6, style="-|>"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=14, color=color, lw=lw))


def neuron_vs_perceptron() -> Figure:
    """Left: a biological neuron (dendrites → cell body → axon → synapses).
    Right: a perceptron (inputs × weights → sum → activation → output)."""
    fig = new_figure(900, 360)
    left, right = fig.subplots(1, 2)
    for ax in (left, right):
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 6)
        ax.set_aspect("equal")
        ax.axis("off")

    # --- biological neuron -------------------------------------------------------------
    left.set_title(i18n.t("diagram.neuron"), fontsize=12)
    rng = np.random.default_rng(3)
    soma = (3.0, 3.0)
    for angle in np.linspace(100, 260, 5):
        a = np.deg2rad(angle)
        end = (soma[0] + 2.0 * np.cos(a), soma[1] + 2.0 * np.sin(a))
        left.plot([soma[0], end[0]], [soma[1], end[1]], color="#7a5195", lw=3)
        for _ in range(2):  # small branches
            b = a + rng.uniform(-0.6, 0.6)
            tip = (end[0] + 0.6 * np.cos(b), end[1] + 0.6 * np.sin(b))
            left.plot([end[0], tip[0]], [end[1], tip[1]], color="#7a5195", lw=1.5)
    left.add_patch(Circle(soma, 0.8, color="#ef5675", zorder=3))
    left.add_patch(Circle(soma, 0.3, color="#ffa600", zorder=4))
    left.plot([3.8, 8.2], [3.0, 3.0], color="#003f5c", lw=4)
    for x in (4.6, 5.6, 6.6, 7.6):  # myelin sheath
        left.add_patch(FancyBboxPatch((x - 0.3, 2.8), 0.6, 0.4, boxstyle="round,pad=0.02", color="#58a4b0", zorder=3))
    for dy in (-0.7, 0, 0.7):
        left.plot([8.2, 9.0], [3.0, 3.0 + dy], color="#003f5c", lw=2)
        left.add_patch(Circle((9.1, 3.0 + dy), 0.15, color="#003f5c"))
    for part, xy in (("dendrites", (0.9, 5.4)), ("cell_body", (4.9, 1.9)), ("axon", (6.2, 4.3)), ("synapses", (8.9, 1.3))):
        left.text(*xy, i18n.t(f"diagram.neuron.{part}"), ha="center", va="center", fontsize=9)

    # --- perceptron ---------------------------------------------------------------------
    right.set_title(i18n.t("diagram.perceptron"), fontsize=12)
    inputs_y = (4.8, 3.0, 1.2)
    summ, act = (5.0, 3.0), (7.4, 3.0)
    for i, y in enumerate(inputs_y, start=1):
        right.add_patch(Circle((1.0, y), 0.45, color="#58a4b0"))
        right.text(1.0, y, f"$x_{i}$", ha="center", va="center", fontsize=12)
        _arrow(right, (1.45, y), (summ[0] - 0.7, summ[1] + (y - 3.0) * 0.25))
        right.text(2.2, y + (3.0 - y) * 0.25 + 0.3, f"$w_{i}$", fontsize=12, color="#7a5195")
    right.add_patch(Circle(summ, 0.7, color="#ef5675"))
    right.text(*summ, "Σ", ha="center", va="center", fontsize=20, color="white")
    right.text(summ[0], 1.7, "$z = \\sum_i w_i x_i + b$", ha="center", fontsize=11)
    right.text(summ[0], 4.3, i18n.t("diagram.perceptron.bias"), ha="center", fontsize=10)
    _arrow(right, (summ[0], 4.1), (summ[0], 3.72))
    _arrow(right, (summ[0] + 0.7, 3.0), (act[0] - 0.75, 3.0))
    right.add_patch(FancyBboxPatch((act[0] - 0.7, 2.3), 1.4, 1.4, boxstyle="round,pad=0.05", color="#ffa600"))
    right.add_patch(Polygon([[act[0] - 0.5, 2.6], [act[0], 2.6], [act[0], 3.4], [act[0] + 0.5, 3.4]],
                            closed=False, fill=False, lw=2))
    right.text(act[0], 1.7, i18n.t("diagram.perceptron.activation"), ha="center", fontsize=10)
    _arrow(right, (act[0] + 0.75, 3.0), (9.6, 3.0))
    right.text(9.6, 3.4, "$y$", ha="center", fontsize=13)
    fig.tight_layout()
    return fig


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
    cell, x_col, y_col = "#ef5675", "#58a4b0", "#ffa600"

    left.set_xlim(0, 4.4)
    left.set_title("A recurrent cell", fontsize=12)
    _box(left, (2, 3), 1.4, 1.1, "RNN\ncell", cell, text_color="white")
    _box(left, (2, 0.8), 0.9, 0.7, "$x_t$", x_col)
    _box(left, (2, 5.2), 0.9, 0.7, "$y_t$", y_col)
    _arrow(left, (2, 1.15), (2, 2.4))
    _arrow(left, (2, 3.6), (2, 4.85))
    # The loop: h_t goes back in as h_{t-1} at the next step.
    left.add_patch(FancyArrowPatch((2.75, 3.35), (2.75, 2.65), connectionstyle="arc3,rad=-3",
                                   arrowstyle="-|>", mutation_scale=14, lw=1.6))
    left.text(3.95, 3.0, "$h$", fontsize=13, va="center")

    right.set_xlim(0, 3 + 2.6 * steps)
    right.set_title("Unrolled in time: the same weights at every step", fontsize=12)
    labels = ["T", "o", " ", "b", "e", ","]
    prev = (0.6, 3)
    right.text(0.35, 3.45, "$h_0 = 0$", fontsize=10)
    for t in range(steps):
        cx = 2.2 + 2.6 * t
        _box(right, (cx, 3), 1.3, 1.1, "cell\n$W_{xh}, W_{hh}$", cell, fontsize=9, text_color="white")
        _box(right, (cx, 1.0), 1.1, 0.7, f"$x_{t + 1}$ '{labels[t]}'", x_col, fontsize=9)
        _box(right, (cx, 5.2), 0.9, 0.7, f"$y_{t + 1}$", y_col, fontsize=10)
        _arrow(right, (cx, 1.35), (cx, 2.4))
        _arrow(right, (cx, 3.6), (cx, 4.85))
        _arrow(right, (prev[0] + (0.05 if t == 0 else 0.7), 3), (cx - 0.72, 3), color="#7a5195", lw=2.2)
        if t:
            right.text((prev[0] + cx) / 2, 3.25, f"$h_{t}$", fontsize=11, color="#7a5195", ha="center")
        prev = (cx, 3)
    _arrow(right, (prev[0] + 0.7, 3), (prev[0] + 1.6, 3), color="#7a5195", lw=2.2)
    right.text(prev[0] + 1.2, 3.25, f"$h_{steps}$", fontsize=11, color="#7a5195", ha="center")
    right.text(0.1, 0.0, "$h_t = \\tanh(W_{xh} x_t + W_{hh} h_{t-1} + b)$", fontsize=11)
    fig.tight_layout()
    return fig
