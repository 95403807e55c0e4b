"""The widget base layer every live view in the course is built on.

Pattern (works on ipywidgets 7.7.1 in Colab and 8.x in JupyterLab, no ipympl needed):

1. build one matplotlib ``Figure`` once (not through pyplot, so it is never shown twice);
2. on each control change update its artists in place (``set_data``, ``set_array``...);
3. render it to PNG into a fixed-size ``widgets.Image`` (``utils.figures.Repainter``: after the first
   drawing only the axes' contents are redrawn, over a saved copy of the ticks and labels).

A view keeps every setting in one small ``state`` dataclass, so a test (or a teacher) can set
it and compare. Every view also has a static fallback: ``view.figure`` is an ordinary Figure,
and displaying a view outside a live kernel (GitHub, nbviewer) shows its current PNG.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import html
import time
from collections.abc import Callable, Iterator
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from ..figures import Repainter, figure_to_png, new_figure
from ..i18n import t

__all__ = ["EMPTY_VIEW_MARK", "HtmlView", "LiveView", "View", "clean_text", "figure_to_png", "fixed_layout", "guarded", "new_figure",
           "problem_html", "token_label", "widget_bundle"]
INTRODUCED_IN = "01"
IPYWIDGETS_MAJOR = int(widgets.__version__.split(".")[0])
# The width of a notebook output in JupyterLab in a 1280-pixel-wide window with the file browser
# open (measured by tools/browser_test.py): a wider view is cut off on the right, so keep within it.
NOTEBOOK_WIDTH_PX = 848
# Written in a view's saved text when it is saved with nothing to show (a loss plot before training):
# tests/test_saved_figures.py fails on a committed notebook that holds such a picture.
EMPTY_VIEW_MARK = "nothing drawn yet"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def token_label(token: str, max_chars: int | None = None) -> str:
    """A visible label for a token on an axis or in a table: a space is ␣, a newline ↵, a tab ⇥,
    other invisible characters their escape code, the empty string ∅; cut to ``max_chars``."""
    label = token.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥")
    label = "".join(c if c.isprintable() else repr(c)[1:-1] for c in label)
    return label[:max_chars] or "∅"


def fixed_layout(width_px: int, height_px: int | None = None) -> widgets.Layout:
    """A layout that does not change size, so the page does not jump while a slider moves."""
    kwargs: dict[str, Any] = {"width": f"{width_px}px", "min_width": f"{width_px}px"}
    if height_px is not None:
        kwargs.update(height=f"{height_px}px", min_height=f"{height_px}px")
    return widgets.Layout(**kwargs)


def widget_bundle(widget: widgets.Widget, fallback: dict) -> dict:
    """A display bundle: the live widget for Jupyter and Colab, plus ``fallback`` (a PNG or HTML
    of the current state) for places that cannot run widgets (GitHub, nbviewer, committed files)."""
    bundle = dict(fallback)
    model_id = getattr(widget, "model_id", None) or getattr(widget, "_model_id", None)
    if model_id:
        bundle[WIDGET_MIME] = {"version_major": 2, "version_minor": 0, "model_id": model_id}
    return bundle


def clean_text(text: str) -> str:
    """``text`` with lone surrogates (half of a pasted emoji) replaced by ``?``: they cannot be
    encoded to UTF-8, so a figure title or an HTML box that holds one would fail to render."""
    return text.encode("utf-8", "replace").decode("utf-8")


def problem_html(error: BaseException | str, hint: bool = True) -> str:
    """The one-line message a view shows in its own area when an input cannot be drawn."""
    text = clean_text(error if isinstance(error, str) else f"{error}" or type(error).__name__)
    if len(text) > 300:
        text = text[:300] + "…"
    return (f"<div style='color:#b00020;font-family:sans-serif;font-size:12px'>⚠ {html.escape(text)}"
            + (" <i>(" + t("widgets.change_input") + ")</i>" if hint else "") + "</div>")


def guarded(view: Any, callback: Callable[..., Any]) -> Callable[..., Any]:
    """``callback`` wrapped so that no exception escapes it into the widget machinery (where it would
    print a traceback in the log and leave the view stuck): the error is shown in ``view.problem``
    and kept in ``view.last_error``; the next call that works clears it."""

    @functools.wraps(callback)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        previous = view.last_error
        try:
            result = callback(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - the rule: show it, never raise from a callback
            view.last_error = error
            view.problem.value = problem_html(error)
            return None
        if previous is not None and view.last_error is previous:  # this input worked: clear the old message
            view.last_error = None
            view.problem.value = ""
        return result

    return wrapper


class View:
    """What every view shares: a ``state`` dataclass, controls bound to it, one redraw per change.

    Subclasses set ``self.state``, build their controls, call :meth:`_start` with the finished
    ``widget`` and implement :meth:`draw`. Use the two below: :class:`LiveView` (a picture) or
    :class:`HtmlView` (HTML: coloured tokens, a table of answers).
    """

    widget: widgets.Widget

    def _start(self, parts: list[widgets.Widget], width_px: int) -> None:
        """Stack ``parts`` and, under them, the line where a bad input is reported; draw once."""
        self._held = 0
        self._dirty = False
        self.render_count = 0
        self.last_render_ms = 0.0
        # Empty while all is well: no exception escapes a callback, it is shown here instead.
        self.problem = widgets.HTML(value="", layout=widgets.Layout(width=f"{min(width_px, NOTEBOOK_WIDTH_PX)}px"))
        self.last_error: BaseException | None = None
        self.widget = widgets.VBox([*parts, self.problem])
        self._render()  # the first drawing raises: a bad argument to the constructor is the caller's to fix

    # -- subclasses implement -------------------------------------------------------------
    def draw(self) -> None:  # pragma: no cover - abstract
        """Update the picture or the HTML (and any text widgets) from ``self.state``."""
        raise NotImplementedError

    def _update_slot(self) -> None:
        """Push what :meth:`draw` made to the page (the picture slot renders a PNG)."""

    def _fallback(self) -> dict:  # pragma: no cover - abstract
        """The current view as PNG or HTML, for places that cannot run widgets."""
        raise NotImplementedError

    def is_empty(self) -> bool:
        """True while the view has nothing to show yet (e.g. no training step drawn). A notebook
        that shows such a view before filling it displays ``view.widget``, so no empty picture is saved."""
        return False

    def _saved_text(self) -> str:
        """The text/plain a notebook saves beside the view's picture."""
        empty = f" ({EMPTY_VIEW_MARK})" if self.is_empty() else ""
        return f"<{type(self).__name__}{empty}: run the notebook to use the live widget>"

    # -- machinery ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw from the state and show it, unless updates are being held.

        Called from widget callbacks, so it never raises: a failure is shown in ``self.problem``
        (the last good picture stays) and cleared by the next redraw that works.
        """
        if self._held:
            self._dirty = True
            return
        try:
            self._render()
        except Exception as error:  # noqa: BLE001 - see the docstring
            self.last_error = error
            self.problem.value = problem_html(error)
            return
        if self.last_error is not None:
            self.last_error = None
            self.problem.value = ""

    def guarded(self, callback: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a button or observer callback of this view so that no exception escapes it."""
        return guarded(self, callback)

    def _render(self) -> None:
        start = time.perf_counter()
        self.draw()
        self._update_slot()
        self.last_render_ms = (time.perf_counter() - start) * 1000
        self.render_count += 1

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Batch several changes into one redraw (e.g. a button that moves three sliders)."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held and self._dirty:
                self._dirty = False
                self.refresh()

    def link(self, control: widgets.ValueWidget, field: str) -> widgets.ValueWidget:
        """Keep ``state.<field>`` equal to ``control.value`` and redraw on every change."""
        if not hasattr(self.state, field):
            raise AttributeError(f"{type(self.state).__name__} has no field {field!r}.")

        def on_change(change: dict) -> None:
            setattr(self.state, field, change["new"])
            self.refresh()

        control.observe(on_change, names="value")
        return control

    def settings(self) -> dict:
        """The view's settings as a plain dict (what a test sets and compares)."""
        return dataclasses.asdict(self.state)  # type: ignore[call-overload]

    # -- display ---------------------------------------------------------------------------
    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        return widget_bundle(self.widget, self._fallback())


class LiveView(View):
    """A view whose picture slot is one persistent matplotlib figure, rendered to PNG.

    Subclasses set ``self.state`` and build ``self.figure`` and their artists in ``__init__``,
    call ``super().__init__(...)``, and implement :meth:`draw` (update artists from the state).
    Use :meth:`link` to bind a control to a state field. ``controls`` go in a row above the
    picture, ``side`` widgets right of it, ``below`` widgets under it; the whole view should fit
    in ``NOTEBOOK_WIDTH_PX``.
    """

    def __init__(self, figure: Figure, controls: list[widgets.Widget], side: list[widgets.Widget] | None = None,
                 below: list[widgets.Widget] | None = None):
        self.figure = figure
        self._painter = Repainter(figure)  # redraws only what moves: most of a slider move's time was ticks and labels
        for ax in figure.axes:
            # Grid lines under the data (lines, bars, dots), not over them: then the ticks and the grid
            # stay a saved picture behind the data, and a repaint need not draw them (Repainter).
            ax.set_axisbelow(True)
        width, height = (int(round(v)) for v in figure.get_size_inches() * figure.dpi)
        self.image = widgets.Image(format="png", layout=fixed_layout(width, height))
        side_box = widgets.VBox(side or [], layout=widgets.Layout(margin="0 0 0 12px"))
        self._start([widgets.HBox(controls), widgets.HBox([self.image, side_box]), *(below or [])], width)

    def _update_slot(self) -> None:
        self.image.value = self._painter.png()

    def png(self) -> bytes:
        """The picture currently shown."""
        return bytes(self.image.value)

    def _fallback(self) -> dict:
        return {"text/plain": self._saved_text(),
                "image/png": base64.b64encode(self.png()).decode("ascii")}


class HtmlView(View):
    """A view whose picture slot is HTML (``self.html``): rows of controls above it.

    Subclasses set ``self.state``, build their controls, call ``super().__init__(rows)`` and
    implement :meth:`draw`, which sets ``self.html.value``. ``describe()`` is the plain-text line.
    """

    def __init__(self, rows: list[widgets.Widget], width_px: int = 760, min_height_px: int = 150):
        self.html = widgets.HTML(layout=widgets.Layout(width=f"{width_px}px", min_height=f"{min_height_px}px"))
        self._start([*rows, self.html], width_px)

    def describe(self) -> str:
        return self._saved_text()

    def _fallback(self) -> dict:
        return {"text/plain": self.describe(), "text/html": self.html.value}
