"""Headless tests of notebook 03's computational-graph view (run on ipywidgets 8 and 7.7.1)."""

import math
import os

import ipywidgets
import numpy as np
import pytest
import torch

from utils.widgets import BackpropView, show_backprop, show_graph
from utils.widgets.backprop import (
    Node,
    add,
    backward,
    graph_layout,
    leaf,
    mul,
    neuron_graph,
    square_loss_graph,
    topological_order,
)
from utils.widgets.base import NOTEBOOK_WIDTH_PX, figure_to_png

pytestmark = pytest.mark.widgets
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def torch_neuron_grads(s) -> dict:
    """dL/d(every input) of L = (tanh(w1·x1 + w2·x2 + b) − y)² by torch autograd, float64."""
    leaves = {k: torch.tensor(getattr(s, k), dtype=torch.float64, requires_grad=True)
              for k in ("x1", "x2", "w1", "w2", "b", "y")}
    loss = (torch.tanh(leaves["w1"] * leaves["x1"] + leaves["w2"] * leaves["x2"] + leaves["b"]) - leaves["y"]) ** 2
    loss.backward()
    return {k: v.grad.item() for k, v in leaves.items()} | {"L": loss.item()}


def test_running_on_the_expected_ipywidgets():
    expected = os.environ.get("EXPECT_IPYWIDGETS")
    if expected:
        assert ipywidgets.__version__ == expected


def test_graph_backward_equals_torch_and_accumulates_over_two_paths():
    root = neuron_graph(0.3, -1.1, 0.7, 0.4, -0.2, 0.5)
    backward(root)
    names = {n.label: n for n in topological_order(root)}
    s = type("S", (), dict(x1=0.3, x2=-1.1, w1=0.7, w2=0.4, b=-0.2, y=0.5))
    expected = torch_neuron_grads(s)
    for name in ("x1", "x2", "w1", "w2", "b", "y"):
        assert math.isclose(names[name].grad, expected[name], abs_tol=1e-12), name
    # a value used twice: f = a·b + a, df/da = b + 1
    a, b = leaf(3.0, "a"), leaf(-2.0, "b")
    f = add(mul(a, b), a)
    backward(f)
    assert a.grad == -1.0 and b.grad == 3.0


def test_step_through_fills_gradients_in_reverse_topological_order():
    root = square_loss_graph(1.5, 2.0, 0.5, 2.0)
    order = list(reversed(topological_order(root)))
    for steps in range(len(order) + 1):
        backward(root, steps)
        assert [n.grad is not None for n in order] == [True] * steps + [False] * (len(order) - steps)
    assert [n.grad for n in order if not n._children] == [-3.0, 3.0, 4.5, 6.0]  # y, b, x, w


def test_layout_puts_inputs_left_of_their_users():
    root = square_loss_graph(1.0, 1.0, 1.0, 1.0)
    positions = graph_layout(root)
    for node in topological_order(root):
        for child in node._children:
            assert positions[id(child)][0] < positions[id(node)][0]
    assert positions[id(root)][0] == max(p[0] for p in positions.values())


def test_sliders_change_forward_values_and_clear_gradients():
    view = BackpropView()
    view.backward_button.click()
    before, renders = view.png(), view.render_count
    assert all(g is not None for g in view.gradients().values())
    view.sliders["w1"].value = -2.0
    assert view.state.w1 == -2.0 and view.render_count == renders + 1
    assert view.png() != before
    assert all(g is None for g in view.gradients().values())  # old gradients belong to old values
    expected = torch_neuron_grads(view.state)
    assert math.isclose(view.loss, expected["L"], rel_tol=1e-12)
    labels = {n.label: n for n in view._artists.nodes}
    assert math.isclose(labels["w1·x1"].data, -2.0 * view.state.x1)
    text = {t.get_text().split("\n")[0]: t.get_text() for t in view._artists.texts}
    assert "grad ?" in text["w1"] and f"{-2.0:+.2f}" in text["w1"]


def test_backward_shows_torch_gradients_in_the_boxes():
    view = BackpropView(w1=1.3, x2=0.7, y=0.9)
    view.backward_button.click()
    expected = torch_neuron_grads(view.state)
    shown = view.gradients()
    for name in ("x1", "x2", "w1", "w2", "b", "y"):
        assert math.isclose(shown[name], expected[name], abs_tol=1e-12), name
    text = {t.get_text().split("\n")[0]: t.get_text() for t in view._artists.texts}
    assert f"grad {expected['w1']:+.2f}" in text["w1"]
    # edges: the widest arrow carries the largest gradient flow, and grey dashed ones are gone
    widths = [patch.get_linewidth() for *_, patch in view._artists.edges]
    assert max(widths) > min(widths) and "all 13 gradients" in view._title.get_text()


def test_next_node_fills_one_gradient_per_click_and_explains_it():
    view = BackpropView()
    total = len(view._artists.nodes)
    for clicks in range(1, total + 1):
        view.next_button.click()
        assert sum(g is not None for g in view.gradients().values()) == clicks
    assert "dL/dx1" in view.status.value or "dL/dw1" in view.status.value or "dL/d" in view.status.value
    view.next_button.click()  # past the end: start again from L
    assert sum(g is not None for g in view.gradients().values()) == 1


def test_take_step_lowers_the_loss_and_moves_sliders():
    view = BackpropView(learning_rate=0.3)
    start = view.loss
    w1_before = view.state.w1
    for _ in range(5):
        view.step_button.click()
    losses = view.state.losses
    assert len(losses) == 6 and losses[0] == pytest.approx(start)
    assert losses[-1] < 0.5 * losses[0] and all(b <= a + 1e-12 for a, b in zip(losses, losses[1:]))
    assert view.sliders["w1"].value == view.state.w1 != w1_before
    assert len(view._loss_line.get_xdata()) == 6
    view.reset_button.click()
    assert view.state.losses == [] and view.state.w1 == 0.8


def test_learning_rate_slider_sets_the_step_size():
    slow, fast = BackpropView(), BackpropView()
    slow.learning_rate.value, fast.learning_rate.value = 0.05, 0.5
    slow.step_button.click()
    fast.step_button.click()
    moved = [abs(v.state.w1 - 0.8) for v in (slow, fast)]
    assert moved[1] > 5 * moved[0] > 0


def test_no_exception_escapes_a_callback():
    view = BackpropView()

    def broken():
        raise RuntimeError("drawing failed")

    view.draw = broken
    view.backward_button.click()  # must not raise
    # shown in the view: its own status line, or the base's problem line under the picture
    assert "drawing failed" in view.status.value + view.problem.value


def test_fits_the_notebook_and_explains_bad_arguments(view_width):
    assert view_width(BackpropView().widget) <= NOTEBOOK_WIDTH_PX
    with pytest.raises(ValueError, match="between -3.0 and 3.0"):
        BackpropView(w1=5)
    with pytest.raises(ValueError, match="unknown value"):
        BackpropView(w3=1)
    with pytest.raises(TypeError, match="_children"):
        show_graph(1.0)


def test_static_fallbacks_draw_figures():
    fig = show_backprop()
    assert figure_to_png(fig).startswith(PNG_MAGIC)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("w1\n") and "grad" in t for t in texts)
    root = Node(2.0, label="c")
    assert figure_to_png(show_graph(root, show_grad=False)).startswith(PNG_MAGIC)
    assert np.isfinite(show_backprop(w1=2.0).axes[0].get_xlim()).all()


def test_steps_change_the_loss_axes_limits_only_when_it_needs_room():
    # new limits mean a full drawing (utils.figures.Repainter): not at every step
    view = BackpropView(learning_rate=0.05)
    limits = []
    for _ in range(25):
        view.step_button.click()
        low, high = view._loss_ax.get_xlim()
        assert low < 0 and len(view.state.losses) - 1 < high  # every point shown
        limits.append((view._loss_ax.get_xlim(), view._loss_ax.get_ylim()))
    assert len(set(limits)) <= 4  # room for 5 points, then 10, 20, 40
