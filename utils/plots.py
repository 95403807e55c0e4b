"""Static matplotlib figures shared by the notebooks.

Every function returns a ``Figure`` (built without pyplot, so it is displayed exactly once when
it is the last expression of a cell) and validates its input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from .figures import new_figure

INTRODUCED_IN = "01"


def plot_curves(
    curves: Mapping[str, Sequence[float]],
    xlabel: str = "step",
    ylabel: str = "loss",
    title: str = "",
    logy: bool = False,
    width_px: int = 540,
    height_px: int = 320,
    references: Mapping[str, float] | None = None,
) -> Figure:
    """Line plot of named curves, e.g. ``{"train": train_losses, "validation": val_losses}``.

    ``references``: named levels drawn as dashed lines labelled at their right end, e.g.
    ``{"ln V: uniform guessing": 4.17, "bigram model": 2.48}``, so a loss reads against what it beats.
    A legend is drawn only when there are two curves or more (one curve is named by the title).
    """
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("curves must be a non-empty dict of name -> list of numbers.")
    references = dict(references or {})
    for name, level in references.items():
        if not isinstance(level, (int, float)) or not np.isfinite(level):
            raise ValueError(f"reference {name!r} must be a finite number, got {level!r}.")
    fig = new_figure(width_px, height_px)
    ax = fig.add_subplot()
    for name, values in curves.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"curve {name!r} must be a non-empty 1-D list of numbers, got shape {values.shape}.")
        ax.plot(np.arange(len(values)), values, label=name, marker="o" if len(values) <= 30 else None, ms=4)
    for name, level in references.items():
        ax.axhline(level, color="#555", lw=1, ls="--")
        ax.annotate(name, (1, level), xycoords=("axes fraction", "data"), xytext=(-4, 3),
                    textcoords="offset points", ha="right", va="bottom", fontsize=8, color="#333")
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if len(curves) > 1:
        ax.legend()
    fig.tight_layout()
    return fig


def plot_functions(
    functions: Mapping[str, Callable[[np.ndarray], np.ndarray]],
    x_range: tuple[float, float] = (-6.0, 6.0),
    title: str = "",
    width_px: int = 540,
    height_px: int = 300,
) -> Figure:
    """Plot functions of one variable side by side on one axis (e.g. step vs sigmoid)."""
    if not functions:
        raise ValueError("functions must be a non-empty dict of name -> function.")
    lo, hi = x_range
    if not lo < hi:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range}.")
    x = np.linspace(lo, hi, 601)
    fig = new_figure(width_px, height_px)
    ax = fig.add_subplot()
    for name, fn in functions.items():
        ax.plot(x, np.asarray(fn(x), dtype=float), label=name, lw=2)
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set(xlabel="z", title=title)
    ax.legend()
    fig.tight_layout()
    return fig
