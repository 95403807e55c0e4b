"""utils.figures.TextCachingCanvas: text drawn from kept layouts and glyph bitmaps gives matplotlib's own pixels."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from utils import figures
from utils.figures import TEXT_CACHE_WORKS, TextCachingCanvas, new_figure

pytestmark = pytest.mark.skipif(not TEXT_CACHE_WORKS, reason="text cache is for matplotlib 3.11 only")


def _text_figure(offset: float = 0.0):
    fig = new_figure(420, 300)
    ax = fig.add_axes((0.08, 0.1, 0.9, 0.85))
    ax.plot([0, 1], [0, 1])
    rng = np.random.default_rng(0)
    for i in range(40):  # sizes, sub-pixel places, angles, weights, families, scripts, an unknown glyph
        ax.text(rng.uniform(0, 1) + offset, rng.uniform(0, 1), ["grad +0.12", "w1·x1\n+0.80", "Привет, мир", "tanh → ✓",
                                                      "L = d²", "日"][i % 6],
                fontsize=[6, 7.5, 9, 11, 14][i % 5], rotation=[0, 0, 30, 90, 0, -15][i % 6] if i % 4 else 0,
                family=["monospace", "sans-serif", "serif"][i % 3], weight="bold" if i % 5 == 0 else "normal",
                antialiased=i % 7 != 0, ha=["left", "center", "right"][i % 3])
    for angle in (0, 45, 90):  # the same glyph at the same place, turned
        ax.text(0.5, 0.5, "WWW", rotation=angle, rotation_mode="anchor", ha="left", va="baseline", fontsize=12)
    ax.set_title("a title $x^2$")  # mathtext goes matplotlib's own way
    ax.set_xlabel("x, a label")
    return fig


def _pixels(fig, canvas_class) -> np.ndarray:
    canvas_class(fig)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


@pytest.mark.filterwarnings("ignore:Glyph")  # a glyph missing from the fonts
def test_text_cache_draws_matplotlibs_own_pixels():
    figures._GLYPHS.clear()
    figures._LAYOUTS.clear()
    for offset in (0.0, 0.0013, 0.0):  # first drawing fills the caches, the others use them
        fig = _text_figure(offset)
        assert isinstance(fig.canvas, TextCachingCanvas)
        cached = _pixels(fig, TextCachingCanvas)
        again = _pixels(fig, TextCachingCanvas)
        plain = _pixels(fig, FigureCanvasAgg)
        assert np.array_equal(cached, plain) and np.array_equal(again, plain)
    assert figures._GLYPHS and figures._LAYOUTS


@pytest.mark.filterwarnings("ignore:Glyph")
def test_text_cache_empties_itself_when_full(monkeypatch):
    monkeypatch.setattr(figures, "_CACHE_LIMIT", 5)
    monkeypatch.setattr(figures, "_GLYPHS", {("a glyph kept before",): None})
    monkeypatch.setattr(figures, "_LAYOUTS", {})
    fig = _text_figure()
    cached = _pixels(fig, TextCachingCanvas)
    assert ("a glyph kept before",) not in figures._GLYPHS and len(figures._GLYPHS) <= 5 and len(figures._LAYOUTS) <= 5
    assert np.array_equal(cached, _pixels(fig, FigureCanvasAgg))
