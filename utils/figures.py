"""The bottom layer for pictures: a fixed-size Figure and its PNG bytes.

Static plots (``plots``, ``diagrams``) and live views (``widgets``) all draw on a Figure made
here, without pyplot, so a figure is displayed exactly once and never leaks between cells.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

INTRODUCED_IN = "00"


def new_figure(width_px: int = 420, height_px: int = 360, dpi: int = 90) -> Figure:
    """A Figure of a fixed pixel size, with an Agg canvas and no pyplot state."""
    if width_px < 50 or height_px < 50:
        raise ValueError(f"figure size must be at least 50x50 pixels, got {width_px}x{height_px}.")
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def figure_to_png(fig: Figure) -> bytes:
    """Render a Figure to PNG bytes at its own size and dpi."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi)
    return buffer.getvalue()
