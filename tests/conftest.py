import os

import matplotlib
import pytest

matplotlib.use("Agg")
# The notebooks' figure style (utils/notebook_setup.py) draws a grid on every axes: test the live
# views with it, so the repaint check below sees the pictures a class sees.
matplotlib.rcParams.update({"axes.grid": True, "grid.alpha": 0.3})

from utils.config import FAST_ENV_VAR  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "widgets: live-view tests, run on ipywidgets 8 and again on 7.7.1")


@pytest.fixture(autouse=True)
def _repaints_match_full_drawings(monkeypatch):
    """Every live view's repaint (only the axes' contents redrawn, utils.figures.Repainter) is
    compared with a full drawing; a test that made a view show a different picture fails here."""
    from utils import figures

    monkeypatch.setattr(figures, "CHECK_REPAINTS", True)
    figures.REPAINT_MISMATCHES.clear()
    yield
    assert not figures.REPAINT_MISMATCHES, figures.REPAINT_MISMATCHES


@pytest.fixture(autouse=True)
def _fast_mode(monkeypatch):
    """Unit tests always see fast mode unless a test says otherwise."""
    monkeypatch.setenv(FAST_ENV_VAR, os.environ.get(FAST_ENV_VAR, "1"))


def _horizontal_margin(layout) -> int:
    parts = [int(p.removesuffix("px")) for p in (layout.margin or "").split()]
    if not parts:
        return 0
    # CSS shorthand: one value for all sides; two or three: (vertical, horizontal, ...); four: top right bottom left
    return parts[1] + parts[3] if len(parts) == 4 else 2 * parts[len(parts) > 1]


def _view_width(widget) -> int:
    """A view's width in pixels from its fixed layouts: an HBox's children side by side, a VBox's
    stacked, each other widget with ipywidgets' 2 px margin on either side. Within 2 px of what
    tools/browser_test.py measures in JupyterLab, and never less."""
    import ipywidgets as widgets

    margin = _horizontal_margin(widget.layout)
    if isinstance(widget, widgets.HBox):
        return margin + sum(_view_width(child) for child in widget.children)
    if isinstance(widget, widgets.VBox):
        return margin + max((_view_width(child) for child in widget.children), default=0)
    width = widget.layout.width or ""
    assert width.endswith("px"), f"{type(widget).__name__} has no fixed width (use fixed_layout)"
    return margin + int(width.removesuffix("px")) + 4


@pytest.fixture
def view_width():
    """``view_width(view.widget)``: compare with ``utils.widgets.base.NOTEBOOK_WIDTH_PX``."""
    return _view_width
