"""Static matplotlib figures shared by the notebooks.

Every function returns a ``Figure`` (built without pyplot, so it is displayed exactly once when
it is the last expression of a cell) and validates its input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from .figures import new_figure
from .i18n import t

INTRODUCED_IN = "01"

# Okabe–Ito colours (safe for colour-blind readers), and for each series a second cue beside its
# colour: a hatch for bars, a line style and a marker for curves.
SERIES_COLOURS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00"]
SERIES_HATCHES = ["", "//", "..", "xx", "\\\\", "--"]
SERIES_LINES = ["-", "--", "-.", ":", (0, (6, 2, 1, 2, 1, 2)), (0, (1, 3))]
SERIES_MARKERS = ["o", "s", "^", "D", "v", "P"]


def plot_curves(
    curves: Mapping[str, Sequence[float]],
    xlabel: str | None = None,
    ylabel: str | None = None,
    title: str = "",
    logy: bool = False,
    width_px: int = 540,
    height_px: int = 320,
    references: Mapping[str, float] | None = None,
    x: Sequence[float] | None = None,
    marks: Mapping[str, float] | None = None,
) -> Figure:
    """Line plot of named curves, e.g. ``{"train": train_losses, "validation": val_losses}``.

    ``references``: named levels drawn as dashed lines labelled at their right end, e.g.
    ``{"ln V: uniform guessing": 4.17, "bigram model": 2.48}``, so a loss reads against what it beats.
    A legend is drawn only when there are two curves or more (one curve is named by the title); each
    curve has its own colour and line style (and marker, when it has few points), so the curves are
    told apart without colour too.
    ``x``: the x value of every point (default 0, 1, 2...), e.g. the training step of each evaluation.
    ``marks``: named x positions drawn as labelled vertical lines, e.g. ``{"early stop": 450}``.
    """
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("curves must be a non-empty dict of name -> list of numbers.")
    references = dict(references or {})
    for name, level in references.items():
        if not isinstance(level, (int, float)) or not np.isfinite(level):
            raise ValueError(f"reference {name!r} must be a finite number, got {level!r}.")
    fig = new_figure(width_px, height_px)
    ax = fig.add_subplot()
    for k, (name, values) in enumerate(curves.items()):
        values = np.asarray(values, dtype=float)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"curve {name!r} must be a non-empty 1-D list of numbers, got shape {values.shape}.")
        xs = np.arange(len(values)) if x is None else np.asarray(x, dtype=float)
        if xs.shape != values.shape:
            raise ValueError(f"x has {xs.size} values but curve {name!r} has {values.size}: give one x per point.")
        style = k % len(SERIES_COLOURS)
        ax.plot(xs, values, label=name, color=SERIES_COLOURS[style], ls=SERIES_LINES[style],
                marker=SERIES_MARKERS[style] if len(values) <= 30 else None, ms=4)
    for name, level in references.items():
        ax.axhline(level, color="#555", lw=1, ls="--")
        ax.annotate(name, (1, level), xycoords=("axes fraction", "data"), xytext=(-4, 3),
                    textcoords="offset points", ha="right", va="bottom", fontsize=8, color="#333")
    for name, position in (marks or {}).items():
        ax.axvline(position, color="#333", lw=1, ls=":")
        ax.annotate(name, (position, 1), xycoords=("data", "axes fraction"), xytext=(3, -3),
                    textcoords="offset points", ha="left", va="top", fontsize=8, color="#333")
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=t("plots.step") if xlabel is None else xlabel, ylabel=t("plots.loss") if ylabel is None else ylabel,
           title=title)
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
    ylabel: str = "f(z)",
) -> Figure:
    """Plot functions of one variable side by side on one axis (e.g. step vs sigmoid); each has its
    own line style as well as its own colour."""
    if not functions:
        raise ValueError("functions must be a non-empty dict of name -> function.")
    lo, hi = x_range
    if not lo < hi:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range}.")
    x = np.linspace(lo, hi, 601)
    fig = new_figure(width_px, height_px)
    ax = fig.add_subplot()
    for k, (name, fn) in enumerate(functions.items()):
        ax.plot(x, np.asarray(fn(x), dtype=float), ("-", "--", ":", "-.")[k % 4], label=name, lw=2)
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set(xlabel="z", ylabel=ylabel, title=title)
    ax.legend()
    fig.tight_layout()
    return fig


MASKED_GREY = "#c8c8c8"  # cells a mask hides (the future, in causal attention): grey, not a colour of the scale


def plot_heatmap(
    values: Sequence[Sequence[float]] | np.ndarray,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    vmin: float = 0.0,
    vmax: float | None = None,
    width_px: int = 300,
    height_px: int = 280,
) -> Figure:
    """A small matrix as coloured cells with its values printed: attention weights (rows: queries,
    columns: keys), or a layers × heads table. NaN cells are masked and drawn grey (pass the causal
    mask's future as NaN). Colours: viridis from ``vmin`` to ``vmax`` (default: the largest value)."""
    matrix = np.asarray(values, dtype=float)
    if matrix.ndim != 2 or matrix.size == 0 or max(matrix.shape) > 20:
        raise ValueError(f"values must be a 2-D matrix of at most 20×20 (its numbers are printed), got shape "
                         f"{matrix.shape}.")
    rows, cols = matrix.shape
    for labels, n, name in ((row_labels, rows, "row_labels"), (col_labels, cols, "col_labels")):
        if labels is not None and len(labels) != n:
            raise ValueError(f"{name} needs one label per {'row' if name == 'row_labels' else 'column'} ({n}), "
                             f"got {len(labels)}.")
    if np.isnan(matrix).all():
        raise ValueError("every cell is masked (NaN): nothing to draw.")
    top = float(np.nanmax(matrix)) if vmax is None else vmax
    from matplotlib import colormaps

    fig = new_figure(width_px, height_px)
    ax = fig.add_subplot()
    image = ax.imshow(np.ma.masked_invalid(matrix), cmap=colormaps["viridis"].with_extremes(bad=MASKED_GREY),
                      vmin=vmin, vmax=top, interpolation="nearest")
    for i in range(rows):
        for j in range(cols):
            if not np.isnan(matrix[i, j]):
                light = (matrix[i, j] - vmin) / ((top - vmin) or 1) > 0.6   # dark text on the light end of viridis
                ax.text(j, i, f"{matrix[i, j]:.2f}", ha="center", va="center", fontsize=8,
                        color="black" if light else "white")
    ax.set_xticks(range(cols), col_labels if col_labels is not None else range(cols))
    ax.set_yticks(range(rows), row_labels if row_labels is not None else range(rows))
    ax.tick_params(length=0)
    ax.grid(False)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.title.set_fontsize(10)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, shrink=min(1.0, rows / cols))  # as tall as the cells
    fig.tight_layout()
    return fig




def plot_grouped_bars(
    groups: Mapping[str, Mapping[str, float]],
    ylabel: str,
    title: str = "",
    value_format: str = "{:g}",
    width_px: int = 540,
    height_px: int = 300,
) -> Figure:
    """Grouped bars from ``{group: {series: value}}``, e.g. ``{"English": {"gpt2": 17, "cl100k": 16}}``:
    one cluster per group, one bar per series (same colour and hatch in every group), each bar
    labelled with ``value_format.format(value)``. The axis starts at 0, so lengths compare."""
    if not isinstance(groups, Mapping) or not groups:
        raise ValueError("groups must be a non-empty dict of group -> {series: value}.")
    series = list(dict.fromkeys(name for row in groups.values() for name in row))
    if len(series) > len(SERIES_COLOURS):
        raise ValueError(f"at most {len(SERIES_COLOURS)} series per group, got {len(series)}.")
    for group, row in groups.items():
        missing = [name for name in series if name not in row]
        bad = [name for name, value in row.items() if not isinstance(value, (int, float)) or not value >= 0]
        if missing or bad:
            raise ValueError(f"group {group!r}: every series needs a value ≥ 0; missing {missing}, not valid {bad}.")
    fig = new_figure(width_px, height_px)
    ax = fig.add_subplot()
    width = 0.8 / len(series)
    for k, name in enumerate(series):
        xs = np.arange(len(groups)) + (k - (len(series) - 1) / 2) * width
        values = [groups[group][name] for group in groups]
        bars = ax.bar(xs, values, width, label=name, color=SERIES_COLOURS[k], hatch=SERIES_HATCHES[k],
                      edgecolor="white")
        ax.bar_label(bars, [value_format.format(v) for v in values], fontsize=7, padding=2)
    ax.set_xticks(range(len(groups)), list(groups))
    ax.set_ylim(0, 1.3 * max(max(row.values()) for row in groups.values()) or 1)   # room for the legend on top
    ax.grid(axis="x", visible=False)
    ax.set(ylabel=ylabel, title=title)
    ax.title.set_fontsize(10)
    if len(series) > 1:
        ax.legend(fontsize=8, ncol=len(series), loc="upper center")
    fig.tight_layout()
    return fig
