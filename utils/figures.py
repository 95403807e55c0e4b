"""The bottom layer for pictures: a fixed-size Figure and its PNG bytes.

Static plots (``plots``, ``diagrams``) and live views (``widgets``) all draw on a Figure made
here, without pyplot, so a figure is displayed exactly once and never leaks between cells.
"""

from __future__ import annotations

import contextlib
import io
import math
from collections.abc import Iterator

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

INTRODUCED_IN = "00"


def new_figure(width_px: int = 420, height_px: int = 360, dpi: int = 90) -> Figure:
    """A Figure of a fixed pixel size, with an Agg canvas (one that keeps the text it drew, see
    :class:`TextCachingCanvas`) and no pyplot state."""
    if width_px < 50 or height_px < 50:
        raise ValueError(f"figure size must be at least 50x50 pixels, got {width_px}x{height_px}.")
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)
    (TextCachingCanvas if TEXT_CACHE_WORKS else FigureCanvasAgg)(fig)
    return fig


# -- text drawn once, kept --------------------------------------------------------------------
# A live view redraws the same strings at the same places again and again (a node's name, "grad ?",
# a value that did not change), and most of a redraw's time went into matplotlib laying each string
# out and rendering each glyph with FreeType anew. The renderer below keeps both: the layout of a
# string in a font, and the bitmap of a glyph at a sub-pixel offset (FreeType renders a glyph moved
# by whole pixels to the same bitmap, moved). The pixels are the same as matplotlib's own
# (tests/test_figures.py compares them). It copies matplotlib 3.11's text drawing, so it is used on
# 3.11 only; other versions draw text as usual.
TEXT_CACHE_WORKS = (tuple(int(v) for v in matplotlib.__version__.split(".")[:2]) == (3, 11)
                    and hasattr(RendererAgg, "_draw_text_glyphs_and_boxes"))
_LAYOUTS: dict[tuple, tuple] = {}
_GLYPHS: dict[tuple, tuple[np.ndarray, int, int]] = {}
_CACHE_LIMIT = 20_000  # entries in each (a glyph is about 100 bytes): emptied when full


class TextCachingRenderer(RendererAgg):
    """matplotlib's Agg renderer, keeping string layouts and glyph bitmaps between drawings."""

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        font = self._prepare_font(prop)
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        flags = get_hinting_flag()
        size = prop.get_size_in_points()
        key = (s, id(font), size, self.dpi, flags, None if features is None else tuple(features), language)
        glyphs = _LAYOUTS.get(key)
        if glyphs is None:
            items = font._layout(s, flags=flags, features=features, language=language)
            glyphs = tuple((item.ft_object, size, item.glyph_index, 0, 1, item.x, item.y) for item in items)
            if len(_LAYOUTS) >= _CACHE_LIMIT:
                _LAYOUTS.clear()
            _LAYOUTS[key] = glyphs + ((font,),)  # the font kept alive, so its id names it
        else:
            glyphs = glyphs[:-1]
        self._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, [])

    def _draw_text_glyphs_and_boxes(self, gc, x, y, angle, glyphs, boxes):
        # matplotlib 3.11's RendererAgg._draw_text_glyphs_and_boxes, with each glyph's bitmap kept
        if boxes:  # mathtext's rules: as matplotlib does
            return super()._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, boxes)
        from matplotlib.ft2font import RenderMode

        cos = math.cos(math.radians(angle))
        sin = math.sin(math.radians(angle))
        load_flags = get_hinting_flag()
        antialiased = gc.get_antialiased()
        height = self.height
        for font, size, glyph_index, slant, extend, dx, dy in glyphs:  # dy is upwards
            matrix = tuple((0x10000 * np.array([[cos, -sin], [sin, cos]])
                            @ [[extend, extend * slant], [0, 1]]).round().astype(int).ravel().tolist())
            ox, oy = round(0x40 * (x + dx * cos - dy * sin)), round(0x40 * (height - y + dx * sin + dy * cos))
            key = (font.fname, id(font), size, self.dpi, glyph_index, matrix, ox & 0x3F, oy & 0x3F, load_flags, antialiased)
            kept = _GLYPHS.get(key)
            if kept is None:
                font.set_size(size, self.dpi)
                font._set_transform(np.array(matrix).reshape(2, 2), [ox, oy])
                bitmap = font._render_glyph(glyph_index, load_flags,
                                            RenderMode.NORMAL if antialiased else RenderMode.MONO)
                buffer = np.array(bitmap.buffer)  # a copy: FreeType's own buffer is reused
                if not antialiased:
                    buffer *= 0xff
                # the bitmap's place relative to the whole pixel the glyph's origin falls in
                kept = (buffer, bitmap.left - (ox >> 6), bitmap.top - (oy >> 6))
                if len(_GLYPHS) >= _CACHE_LIMIT:
                    _GLYPHS.clear()
                _GLYPHS[key] = kept
            buffer, left, top = kept
            # draw_text_image's y is downwards & the bitmap bottom side
            self._renderer.draw_text_image(buffer, left + (ox >> 6), int(height) - (top + (oy >> 6)) + buffer.shape[0], 0, gc)


class TextCachingCanvas(FigureCanvasAgg):
    """An Agg canvas whose renderer keeps text layouts and glyph bitmaps (:class:`TextCachingRenderer`)."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = TextCachingRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer


def figure_to_png(fig: Figure) -> bytes:
    """Render a Figure to PNG bytes at its own size and dpi.

    Live views call this on every slider move, so it skips ``savefig``'s extra work (about a
    quarter of the time): it draws on the figure's own Agg canvas and encodes those pixels, the
    same pixels ``fig.savefig(format="png")`` gives. A figure on another canvas goes through savefig.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"figure_to_png takes a matplotlib Figure, got {type(fig).__name__}.")
    if not isinstance(fig.canvas, FigureCanvasAgg):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=fig.dpi)
        return buffer.getvalue()
    with _all_drawn(fig):
        fig.canvas.draw()
    return canvas_png(fig)


def canvas_png(fig: Figure) -> bytes:
    """PNG bytes of what the figure's Agg canvas holds now (no drawing: call after ``canvas.draw()``)."""
    buffer = io.BytesIO()
    # zlib level 3, not 6: half the time for files within a few per cent of the size (a live view
    # encodes one per slider move; the pixels are the same, PNG is lossless)
    Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).save(buffer, format="png", compress_level=3)
    return buffer.getvalue()


def _contents(fig: Figure) -> list[Artist]:
    """What the axes of ``fig`` show (lines, images, texts, legends, spines, titles), in the order a
    full drawing draws them; not the frame of reference: the axes backgrounds and x/y axes (ticks,
    tick labels, axis labels, grid), which are the slow part of a drawing and rarely change when a
    slider moves. Nor the figure's own texts (a suptitle): savefig leaves out an "animated" one, so
    a view whose figure title changes at every update is drawn in full (or puts it in an axes).
    Where grid lines lie over some of an axes' contents, that axes' x/y axes count as contents
    too (drawn every time, in their place), so the picture stays right."""
    contents = []
    for ax in sorted(fig.axes, key=lambda a: a.get_zorder()):  # sorted() keeps ties in order
        if not ax.get_visible():
            continue
        # as Axes.draw does: no frame (spines) on an axes drawn with axis("off") or frame_on=False
        hidden = () if ax.axison and ax.get_frame_on() else tuple(ax.spines.values())
        shown = [child for child in ax.get_children()
                 if child is not ax.patch and not isinstance(child, Axis) and child not in hidden
                 and not getattr(child, "_kept_in_frame", False)]
        if ax.axison:
            axes = [axis for axis in (ax.xaxis, ax.yaxis) if axis.get_visible()]
            if any(child.get_zorder() <= axis.get_zorder() for axis in axes if _grid_shown(axis) for child in shown):
                shown += axes
        contents += sorted(shown, key=lambda a: a.get_zorder())
    return contents


def _grid_shown(axis: Axis) -> bool:
    return any(line.get_visible() for line in axis.get_gridlines())


@contextlib.contextmanager
def _all_drawn(fig: Figure) -> Iterator[None]:
    """Within: a canvas.draw() draws everything, the contents a Repainter marked "animated" too."""
    marked = [artist for artist in _contents(fig) if artist.get_animated()]
    for artist in marked:
        artist.set_animated(False)
    try:
        yield
    finally:
        for artist in marked:
            artist.set_animated(True)


def figure_title(fig: Figure, y: float = 0.98, **text_kwargs) -> Text:
    """An empty title over the whole figure, as ``fig.suptitle`` places it (centred, top at ``y`` in
    figure coordinates), for a live view to ``set_text`` at each update. It belongs to the first
    axes, not to the figure: a figure-level text that changes makes every update a full drawing
    (see :class:`Repainter`). Layout tools (tight_layout) leave it out, as they do a suptitle."""
    if not fig.axes:
        raise ValueError("figure_title needs a figure with axes: add them first.")
    title = fig.axes[0].text(0.5, y, "", transform=fig.transFigure, ha="center", va="top", **text_kwargs)
    title.set_in_layout(False)
    return title


def set_limits(ax, xlim: tuple[float, float] | None = None, ylim: tuple[float, float] | None = None) -> None:
    """Set an axes' x and/or y limits, only where they differ from the current ones: new limits mean
    new ticks, and a live view whose ticks changed is drawn in full (see :class:`Repainter`)."""
    for wanted, current, setter in ((xlim, ax.get_xlim(), ax.set_xlim), (ylim, ax.get_ylim(), ax.set_ylim)):
        if wanted is not None and tuple(float(v) for v in wanted) != tuple(float(v) for v in current):
            setter(*wanted)


def keep_in_frame(*artists: Artist) -> None:
    """Draw these artists with the frame of reference, not at every repaint (see :class:`Repainter`):
    for texts that never change while a view runs (a panel's fixed title). Changing one later is
    still right: it makes the next picture a full drawing. Only for artists that no content artist
    (redrawn over the frame) overlaps; the test suite's repaint check tells if one does."""
    for artist in artists:
        artist._kept_in_frame = True


# Set by the test suite (tests/conftest.py): every repaint is compared with a full drawing and
# any difference is recorded here, so a view whose repaint would show a wrong picture fails a test.
CHECK_REPAINTS = False
REPAINT_MISMATCHES: list[str] = []


class Repainter:
    """Renders one figure to PNG again and again, redrawing only what can change (blitting).

    The first time, and whenever the frame of reference changed (axis limits, ticks, axis labels,
    the size), the whole figure is drawn and a copy of its pixels without the
    axes' contents is kept. Afterwards a picture is that copy plus the contents drawn over it,
    in their z-order. matplotlib tells which case it is: the contents are marked "animated", and
    a change to an animated artist does not make the figure stale; any other change does.
    The picture is pixel for pixel the one a full drawing gives (where grid lines lie over the
    contents, the x/y axes are redrawn with them), except where long inward ticks sit over a
    content artist; the test suite compares every view's repaints with full drawings.
    """

    def __init__(self, fig: Figure):
        if not isinstance(fig, Figure) or not isinstance(fig.canvas, FigureCanvasAgg):
            raise TypeError("Repainter takes a Figure with an Agg canvas (utils.figures.new_figure makes one).")
        self.fig = fig
        self._marked: set[Artist] = set()  # the artists this painter marked "animated"
        self._background = None
        self._size: tuple[int, int] | None = None
        self.full_draws = 0  # how many times the whole figure was drawn (the rest were repaints)

    def png(self) -> bytes:
        contents = _contents(self.fig)
        for artist in contents:
            artist.set_animated(True)  # new artists too; the first change to them made the figure stale
        dropped = self._marked.difference(contents)  # e.g. the x/y axes once their grid is off
        for artist in dropped:
            artist.set_animated(False)  # back in the frame of reference, which is drawn again now
        self._marked = set(contents)
        canvas = self.fig.canvas
        size = canvas.get_width_height()
        repaint = self._background is not None and not self.fig.stale and size == self._size and not dropped
        if repaint:
            canvas.restore_region(self._background)
        else:
            canvas.draw()  # everything but the contents
            self._background, self._size = canvas.copy_from_bbox(self.fig.bbox), size
            self.full_draws += 1
        renderer = canvas.get_renderer()  # once, not per artist as fig.draw_artist does
        for artist in contents:
            if artist.get_visible():  # a hidden one draws nothing (a view may keep hundreds, e.g. cell values)
                artist.draw(renderer)
        # Drawing a legend places its inner boxes, which flags the axes (and so the figure) as
        # changed; what they show is drawn now, so the figure is up to date.
        self.fig.stale = False
        png = canvas_png(self.fig)
        if CHECK_REPAINTS and repaint:
            self._compare_with_full_drawing(png)
        return png

    def _compare_with_full_drawing(self, png: bytes) -> None:
        with _all_drawn(self.fig):
            self.fig.canvas.draw()
        full = canvas_png(self.fig)
        self._background = None  # the canvas now holds a full drawing: start again next time
        if full != png:
            REPAINT_MISMATCHES.append(f"{self.fig.axes[0].get_title() if self.fig.axes else 'a figure'!r}: "
                                      "a repaint differs from a full drawing")
