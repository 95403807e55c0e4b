"""utils.figures.Repainter: a live view's picture after a slider move, drawn fast and still right."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest
from PIL import Image

from utils import figures
from utils.figures import Repainter, figure_to_png, new_figure


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


def full_drawing(fig) -> np.ndarray:
    """What savefig draws: every artist in its place, nothing reused (on a copy, so that drawing
    the reference leaves the figure under test as it was)."""
    buffer = io.BytesIO()
    pickle.loads(pickle.dumps(fig)).savefig(buffer, format="png", dpi=fig.dpi)
    return pixels(buffer.getvalue())


@pytest.fixture(autouse=True)
def _count_full_draws_as_a_view_does(monkeypatch):
    """The suite-wide check (tests/conftest.py) draws in full after each repaint; these tests
    compare with savefig themselves and count the full drawings, so they switch it off."""
    monkeypatch.setattr(figures, "CHECK_REPAINTS", False)


@pytest.fixture
def plot():
    fig = new_figure(300, 240)
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0, 1], color="tab:red")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="x", ylabel="y", title="start")
    ax.legend([line], ["model"], loc="lower right")
    fig.tight_layout()
    return fig, ax, line


def test_figure_to_png_gives_the_pixels_of_savefig(plot):
    fig, _, _ = plot
    assert np.array_equal(pixels(figure_to_png(fig)), full_drawing(fig))
    with pytest.raises(TypeError, match="matplotlib Figure"):
        figure_to_png("not a figure")


def test_moving_a_line_repaints_without_drawing_the_frame_again(plot):
    fig, ax, line = plot
    painter = Repainter(fig)
    painter.png()
    for slope in (0.2, 0.5, 0.9):
        line.set_data([0, 1], [0, slope])
        ax.title.set_text(f"slope {slope}")
        png = painter.png()
        assert np.array_equal(pixels(png), full_drawing(fig))
    assert painter.full_draws == 1  # the ticks and labels were drawn once


def test_a_change_to_the_frame_draws_everything_again(plot):
    fig, ax, line = plot
    painter = Repainter(fig)
    painter.png()
    ax.set_ylim(0, 2)  # new ticks: the saved frame is out of date
    line.set_data([0, 1], [0, 1.5])
    assert np.array_equal(pixels(painter.png()), full_drawing(fig))
    assert painter.full_draws == 2
    ax.set_xlabel("area")  # an axis label is part of the frame too
    assert np.array_equal(pixels(painter.png()), full_drawing(fig))
    assert painter.full_draws == 3


def test_an_artist_added_later_is_drawn_and_then_repainted(plot):
    fig, ax, line = plot
    painter = Repainter(fig)
    painter.png()
    point = ax.plot([0.5], [0.5], "ko")[0]
    assert np.array_equal(pixels(painter.png()), full_drawing(fig))
    point.set_data([0.2], [0.8])
    assert np.array_equal(pixels(painter.png()), full_drawing(fig))
    assert painter.full_draws == 2  # the new point made one full drawing, its move did not


def test_a_hidden_frame_and_a_hidden_axes_stay_hidden():
    fig = new_figure(300, 200)
    picture, hidden = fig.subplots(1, 2)
    image = picture.imshow(np.eye(3), cmap="gray")
    picture.axis("off")  # no spines: a repaint must not draw them either
    hidden.plot([0, 1], [1, 0])
    hidden.set_visible(False)
    painter = Repainter(fig)
    painter.png()
    image.set_data(np.eye(3)[::-1])
    assert np.array_equal(pixels(painter.png()), full_drawing(fig))
    assert painter.full_draws == 1


def test_figure_to_png_of_a_repainted_figure_still_draws_everything(plot):
    fig, _, line = plot
    Repainter(fig).png()  # marks the contents "animated", which a plain canvas.draw() leaves out
    assert line.get_animated()
    assert np.array_equal(pixels(figure_to_png(fig)), full_drawing(fig))


def test_grid_lines_over_a_moving_image_are_drawn_again_with_it():
    # Grid lines belong to the frame; where they lie over contents, the axes are redrawn with them.
    fig = new_figure(200, 200)
    ax = fig.add_subplot()
    image = ax.imshow(np.zeros((4, 4)), vmin=0, vmax=1, zorder=0)
    ax.grid(True, color="red", lw=3)
    painter = Repainter(fig)
    painter.png()
    image.set_data(np.ones((4, 4)))
    assert np.array_equal(pixels(painter.png()), full_drawing(fig))
    ax.grid(False)  # the axes go back to the frame: drawn in full once, right
    image.set_data(np.zeros((4, 4)))
    assert np.array_equal(pixels(painter.png()), full_drawing(fig))
    image.set_data(np.eye(4))
    assert np.array_equal(pixels(painter.png()), full_drawing(fig))
    assert painter.full_draws == 2


def test_the_test_suite_check_catches_a_repaint_that_differs():
    # Long inward ticks belong to the frame; an image that moves under them hides them in a repaint.
    fig = new_figure(200, 200)
    ax = fig.add_subplot()
    image = ax.imshow(np.zeros((4, 4)), vmin=0, vmax=1)
    ax.tick_params(direction="in", length=20, width=4, color="red")
    ax.grid(False)  # with a grid the axes would be redrawn with the image (see the test above)
    painter = Repainter(fig)
    painter.png()
    image.set_data(np.ones((4, 4)))
    figures.CHECK_REPAINTS = True  # as tests/conftest.py sets it for every other test
    painter.png()
    assert figures.REPAINT_MISMATCHES, "the check should have seen the hidden ticks"
    figures.REPAINT_MISMATCHES.clear()


def test_repainter_refuses_a_figure_without_an_agg_canvas():
    from matplotlib.figure import Figure

    with pytest.raises(TypeError, match="Agg canvas"):
        Repainter(Figure())


def test_texts_hidden_and_shown_again_are_repainted_in_place(plot):
    # the repaint skips hidden artists (a view may keep hundreds): one shown again must be drawn
    fig, ax, _ = plot
    texts = [ax.text(0.1 + 0.2 * i, 0.5, f"t{i}", visible=i % 2 == 0) for i in range(5)]
    painter = Repainter(fig)
    painter.png()
    for step in range(4):
        for i, text in enumerate(texts):
            text.set_visible((i + step) % 2 == 1)
            text.set_text(f"t{i}.{step}")
        assert np.array_equal(pixels(painter.png()), full_drawing(fig))
    assert painter.full_draws == 1


def test_an_artist_kept_in_the_frame_is_drawn_with_it_and_a_change_redraws_it(plot):
    fig, ax, line = plot
    label = ax.text(0.05, 0.9, "fixed label")
    figures.keep_in_frame(label)
    painter = Repainter(fig)
    painter.png()
    assert label not in figures._contents(fig) and line in figures._contents(fig)
    line.set_data([0, 1], [0, 0.5])
    assert np.array_equal(pixels(painter.png()), full_drawing(fig)) and painter.full_draws == 1  # a repaint
    label.set_text("changed once")
    assert np.array_equal(pixels(painter.png()), full_drawing(fig)) and painter.full_draws == 2


def test_hidden_weight_images_drawn_nearest_look_as_matplotlibs_default():
    import torch

    from utils.widgets.digits import show_hidden_weights

    fig = show_hidden_weights(torch.randn(16, 64, generator=torch.Generator().manual_seed(0)))
    chosen = pixels(figure_to_png(fig))
    for image in fig.axes[0].figure.findobj(lambda a: hasattr(a, "set_interpolation_stage")):
        image.set_interpolation("auto")
        image.set_interpolation_stage("auto")
    assert np.array_equal(chosen, pixels(figure_to_png(fig)))
