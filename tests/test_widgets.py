"""Headless tests of the widget layer and notebook 01's playground.

Run by the test command twice: on ipywidgets 8 and on Colab's 7.7.1 (``-m widgets``).
"""

import os

import ipywidgets
import numpy as np
import pytest

from utils.perceptron import gate_data
from utils.widgets import PerceptronPlayground
from utils.widgets.base import WIDGET_MIME, figure_to_png, new_figure
from utils.widgets.perceptron import decision_line, show_perceptron

pytestmark = pytest.mark.widgets
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_running_on_the_expected_ipywidgets():
    # The 7.7.1 run sets EXPECT_IPYWIDGETS, so it cannot silently test version 8 twice.
    expected = os.environ.get("EXPECT_IPYWIDGETS")
    if expected:
        assert ipywidgets.__version__ == expected


def test_new_figure_has_fixed_pixels():
    fig = new_figure(300, 200, dpi=100)
    png = figure_to_png(fig)
    assert png.startswith(PNG_MAGIC)
    assert int.from_bytes(png[16:20], "big") == 300 and int.from_bytes(png[20:24], "big") == 200
    with pytest.raises(ValueError, match="at least 50x50"):
        new_figure(10, 10)


def test_decision_line_geometry():
    xs, ys = decision_line(1.0, 1.0, -1.5)
    assert np.allclose(xs + ys, 1.5)  # every point on it satisfies w·x + b = 0
    xs, ys = decision_line(2.0, 0.0, -1.0)
    assert np.allclose(xs, 0.5)
    assert decision_line(0.0, 0.0, 1.0)[0].size == 0


def test_slider_moves_the_line_and_changes_the_picture():
    view = PerceptronPlayground(gate="AND")
    before, renders = view.png(), view.render_count
    assert before.startswith(PNG_MAGIC) and view.errors == 3  # all outputs 1 at w = 0, b = 0
    view.w1.value, view.w2.value, view.b.value = 1.0, 1.0, -1.5
    assert view.state.w1 == 1.0 and view.state.b == -1.5
    assert view.render_count == renders + 3
    assert view.png() != before
    xs, ys = view._artists["line"].get_data()
    assert np.allclose(np.asarray(xs) + np.asarray(ys), 1.5)
    assert view.errors == 0 and "0 of 4 wrong" in view._artists["title"].get_text()
    assert view.outputs.tolist() == [0, 0, 0, 1]


def test_gate_dropdown_recolours_points():
    view = PerceptronPlayground(gate="AND", w1=1.0, w2=1.0, b=-1.5)
    edges_and = view._artists["points"].get_edgecolors().copy()
    view.gate.value = "XOR"
    assert view.state.gate == "XOR" and view.errors == 3  # outputs 0,0,0,1 vs targets 0,1,1,0
    assert not np.allclose(edges_and, view._artists["points"].get_edgecolors())
    assert "target 1" in view._artists["labels"][1].get_text()


def test_step_button_applies_one_update_and_shows_arithmetic():
    view = PerceptronPlayground(gate="AND", learning_rate=0.5)
    renders = view.render_count
    view.step_button.click()  # point (0, 0), target 0, output 1: bias goes down by 0.5
    assert view.state.b == -0.5 and view.state.w1 == 0.0 and view.b.value == -0.5
    assert view.render_count == renders + 1  # three sliders moved, one redraw
    assert "error = target − output = -1" in view.arithmetic.value
    assert view.state.next_point == 1 and view.state.steps_taken == 1
    assert np.allclose(view._artists["cursor"].get_offsets(), [[0, 1]])


def test_stepping_learns_or_and_reset():
    view = PerceptronPlayground(gate="OR")
    for _ in range(40):
        view.step_button.click()
    assert view.errors == 0
    x, t = gate_data("OR")
    w = np.array([view.state.w1, view.state.w2])
    assert ((x @ w + view.state.b >= 0).astype(int) == t).all()
    view.reset_button.click()
    assert (view.state.w1, view.state.w2, view.state.b, view.state.steps_taken) == (0, 0, 0, 0)


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="between -3.0 and 3.0"):
        PerceptronPlayground(w1=10)
    with pytest.raises(ValueError, match="unknown gate"):
        PerceptronPlayground(gate="MAYBE")


def test_display_bundle_has_widget_and_png_fallback():
    view = PerceptronPlayground()
    bundle = view._repr_mimebundle_()
    assert WIDGET_MIME in bundle and bundle["image/png"]
    assert view.settings()["gate"] == "AND"


def test_static_fallback_draws_a_figure():
    fig = show_perceptron(1, 1, -0.5, "or")
    assert figure_to_png(fig).startswith(PNG_MAGIC)
    assert "OR: 0 of 4 wrong" in fig.axes[0].get_title()
