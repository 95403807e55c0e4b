"""The pictures saved in the committed notebooks: none blank, none a view saved before it had
anything to show, every static figure sharp on a HiDPI screen.

These read the committed .ipynb files (what learners see on GitHub and in Colab before running).
`make figures-review` puts the same pictures on one page to look at; this checks what a program can.
"""

from __future__ import annotations

import base64
import io
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import figures_review  # noqa: E402

from utils.figures import figure_to_png, new_figure  # noqa: E402
from utils.widgets.base import EMPTY_VIEW_MARK  # noqa: E402

# The English notebooks and their translations (notebooks/ru/...): a translated view saves its own pictures.
NOTEBOOKS = figures_review.notebook_paths([]) + sorted(
    (Path(figures_review.NOTEBOOKS)).glob("*/[0-9][0-9]_*.ipynb"))
# A picture with less than this share of pixels off its background shows (almost) nothing: a title
# alone is under 1 %, while the sparsest real figure of the course is about 3.5 %. (An axes frame with
# ticks and no data is about 2 %: that case is caught by the views' own empty mark, below.)
MIN_INK_SHARE = 0.01
# Static figures are laid out at 90 dpi and saved at ≥ 150 dpi (retina: 180), i.e. at least this
# many PNG pixels per pixel the notebook shows.
MIN_PIXELS_PER_SHOWN_PIXEL = 150 / 90


def ink_share(png: bytes) -> float:
    """The share of pixels that differ visibly from the picture's most common colour (its background)."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int32)
    codes = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]  # one integer per colour
    values, counts = np.unique(codes, return_counts=True)
    background = np.array([(values[counts.argmax()] >> shift) & 255 for shift in (16, 8, 0)])
    return float((np.abs(rgb - background).max(axis=-1) > 24).mean())


def _pictures(path: Path) -> list[figures_review.SavedPicture]:
    return figures_review.saved_pictures(path)


def _where(picture: figures_review.SavedPicture) -> str:
    return f"{picture.notebook} cell {picture.cell_index} ({picture.description[:60]})"


def test_the_ink_measure_tells_a_blank_picture_from_a_plot():
    empty = new_figure(540, 320)
    empty.suptitle("a picture with nothing in it")
    drawn = new_figure(540, 320)
    ax = drawn.add_subplot()
    ax.plot(np.linspace(0, 1, 50), np.exp(-np.linspace(0, 5, 50)), lw=2)
    ax.set(xlabel="step", ylabel="loss (nats)", title="a curve")
    assert ink_share(figure_to_png(empty)) < MIN_INK_SHARE < ink_share(figure_to_png(drawn))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}" if p.parent.name != "notebooks" else p.stem)
def test_no_saved_picture_is_blank(path):
    shares = [(p, ink_share(base64.b64decode(p.png_base64))) for p in _pictures(path)]
    blank = [f"{_where(p)}: {share:.1%} ink" for p, share in shares if share < MIN_INK_SHARE]
    assert not blank, f"nearly blank pictures (draw something, or do not display it): {blank}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}" if p.parent.name != "notebooks" else p.stem)
def test_no_view_is_saved_before_it_has_something_to_show(path):
    empty = [_where(p) for p in _pictures(path) if EMPTY_VIEW_MARK in p.description]
    assert not empty, (f"views saved in their empty state: {empty}. Display `view.widget` while it is empty "
                       "(e.g. LossCurves before training) and show `view.figure` once it is filled, or start "
                       "the view with something to show (e.g. a perceptron with a line).")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}" if p.parent.name != "notebooks" else p.stem)
def test_static_figures_are_saved_sharp(path):
    blurry = []
    for picture in _pictures(path):
        if not picture.description.startswith("<Figure"):
            continue  # a live view's picture: 90 dpi, so that a slider move redraws in time
        png_width = Image.open(io.BytesIO(base64.b64decode(picture.png_base64))).width
        shown_width = picture.display_width or png_width
        if png_width < MIN_PIXELS_PER_SHOWN_PIXEL * shown_width:
            blurry.append(f"{_where(picture)}: {png_width} px shown at {shown_width} px")
    assert not blurry, ("static figures saved at low resolution (utils.setup() saves them as 'retina'; "
                        f"re-execute the notebook): {blurry}")


@pytest.mark.widgets
def test_loss_curves_say_when_they_are_empty():
    from utils.widgets import LossCurves

    curves = LossCurves("test", total_steps=10)
    curves.add(0, 4.0, 4.0)
    assert EMPTY_VIEW_MARK in curves._repr_mimebundle_()["text/plain"]
    curves.add(5, 3.0, 3.1)
    assert EMPTY_VIEW_MARK not in curves._repr_mimebundle_()["text/plain"]


@pytest.mark.widgets
def test_a_perceptron_without_a_line_says_it_is_empty():
    from utils.widgets import PerceptronPlayground

    view = PerceptronPlayground(gate="OR")
    assert EMPTY_VIEW_MARK in view._repr_mimebundle_()["text/plain"]
    view.w1.value = 0.5
    assert EMPTY_VIEW_MARK not in view._repr_mimebundle_()["text/plain"]
