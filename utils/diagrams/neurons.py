"""Notebook 01's diagram: a biological neuron beside the perceptron that imitates it."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Polygon

from .. import i18n
from ..figures import new_figure
from .style import ARROW, BLUE, BODY, ORANGE, PURPLE, SKY, SMALL, TITLE, VERMILLION

INTRODUCED_IN = "01"


def _arrow(ax, start, end, color="black", lw=1.6):
    ax.add_patch(FancyArrowPatch(start, end, **dict(ARROW, color=color, lw=lw)))


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
    left.set_title(i18n.t("diagram.neuron"), fontsize=TITLE, weight="bold")
    rng = np.random.default_rng(3)
    soma = (3.0, 3.0)
    for angle in np.linspace(100, 260, 5):
        a = np.deg2rad(angle)
        end = (soma[0] + 2.0 * np.cos(a), soma[1] + 2.0 * np.sin(a))
        left.plot([soma[0], end[0]], [soma[1], end[1]], color=PURPLE, lw=3)
        for _ in range(2):  # small branches
            b = a + rng.uniform(-0.6, 0.6)
            tip = (end[0] + 0.6 * np.cos(b), end[1] + 0.6 * np.sin(b))
            left.plot([end[0], tip[0]], [end[1], tip[1]], color=PURPLE, lw=1.5)
    left.add_patch(Circle(soma, 0.8, color=VERMILLION, zorder=3))
    left.add_patch(Circle(soma, 0.3, color=ORANGE, zorder=4))
    left.plot([3.8, 8.2], [3.0, 3.0], color=BLUE, lw=4)
    for x in (4.6, 5.6, 6.6, 7.6):  # myelin sheath
        left.add_patch(FancyBboxPatch((x - 0.3, 2.8), 0.6, 0.4, boxstyle="round,pad=0.02", color=SKY, zorder=3))
    for dy in (-0.7, 0, 0.7):
        left.plot([8.2, 9.0], [3.0, 3.0 + dy], color=BLUE, lw=2)
        left.add_patch(Circle((9.1, 3.0 + dy), 0.15, color=BLUE))
    for part, xy in (("dendrites", (0.9, 5.4)), ("cell_body", (4.9, 1.9)), ("axon", (6.2, 4.3)), ("synapses", (8.9, 1.3))):
        left.text(*xy, i18n.t(f"diagram.neuron.{part}"), ha="center", va="center", fontsize=SMALL)

    # --- perceptron ---------------------------------------------------------------------
    right.set_title(i18n.t("diagram.perceptron"), fontsize=TITLE, weight="bold")
    inputs_y = (4.8, 3.0, 1.2)
    summ, act = (5.0, 3.0), (7.4, 3.0)
    for i, y in enumerate(inputs_y, start=1):
        right.add_patch(Circle((1.0, y), 0.45, color=SKY))
        right.text(1.0, y, f"$x_{i}$", ha="center", va="center", fontsize=TITLE)
        _arrow(right, (1.45, y), (summ[0] - 0.7, summ[1] + (y - 3.0) * 0.25))
        right.text(2.2, y + (3.0 - y) * 0.25 + 0.3, f"$w_{i}$", fontsize=12, color=PURPLE)
    right.add_patch(Circle(summ, 0.7, color=VERMILLION))
    right.text(*summ, "Σ", ha="center", va="center", fontsize=20, color="white")
    right.text(summ[0], 1.7, "$z = \\sum_i w_i x_i + b$", ha="center", fontsize=BODY)
    right.text(summ[0], 4.3, i18n.t("diagram.perceptron.bias"), ha="center", fontsize=BODY)
    _arrow(right, (summ[0], 4.1), (summ[0], 3.72))
    _arrow(right, (summ[0] + 0.7, 3.0), (act[0] - 0.75, 3.0))
    right.add_patch(FancyBboxPatch((act[0] - 0.7, 2.3), 1.4, 1.4, boxstyle="round,pad=0.05", color=ORANGE))
    right.add_patch(Polygon([[act[0] - 0.5, 2.6], [act[0], 2.6], [act[0], 3.4], [act[0] + 0.5, 3.4]],
                            closed=False, fill=False, lw=2))
    right.text(act[0], 4.05, i18n.t("diagram.perceptron.activation"), ha="center", fontsize=BODY)
    _arrow(right, (act[0] + 0.75, 3.0), (9.6, 3.0))
    right.text(9.6, 3.4, "$y$", ha="center", fontsize=13)
    fig.tight_layout()
    return fig
