"""Notebook 03's view of backpropagation: a computational graph whose nodes show their value and
gradient.

Two parts, usable apart:

- :func:`draw_graph` / :func:`show_graph` draw any small graph of scalar nodes (our own
  :class:`Node` below, or the ``Value`` engine the notebook writes: anything with a value
  ``data``, a ``grad``, its inputs in ``_children`` and an ``_op`` name) as boxes and arrows, with
  edges coloured and thickened by the size of the gradient that flows along them;
- :class:`BackpropView`: the graph of one neuron ``L = (tanh(w1·x1 + w2·x2 + b) − y)²`` with
  sliders for the inputs and weights, a "backward" button, a step-through mode that fills the
  gradients node by node in reverse topological order, and "take a step" (gradient descent) with
  a learning-rate slider and a loss curve.

The :class:`Node` here is a deliberately tiny record (value, inputs, local derivatives) so the
view can draw every intermediate gradient; the notebook builds the full engine itself.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..checks import check_range
from ..figures import keep_in_frame, set_limits
from ..i18n import t
from .base import LiveView, fixed_layout, new_figure

INTRODUCED_IN = "03"

# Edge colour = size of the gradient flowing along it: cividis is readable with every common
# colour-vision deficiency; line width repeats the same information as a second cue.
EDGE_CMAP = colormaps["cividis_r"]
NO_GRAD = "#b8b8b8"
LEAF, INNER, OUTPUT = "#dbe9f6", "#f4f4f4", "#fde5c8"
SLIDER_RANGE = (-3.0, 3.0)
BOX_W, BOX_H = 0.78, 0.62  # node boxes, in layout units (one column, one row)


class Node:
    """One scalar in a computational graph: its value, its inputs, and d(self)/d(input) for each.

    ``grad`` is dL/d(self), filled by :func:`backward` (``None`` until then, so a view can show
    "not computed yet" apart from a gradient of zero).
    """

    def __init__(self, data: float, children: Sequence[Node] = (), op: str = "", label: str = "",
                 local: Sequence[float] = ()):
        self.data = float(data)
        self._children = tuple(children)
        self._op = op
        self.label = label
        self.local = tuple(float(d) for d in local)  # d(self)/d(child) for each child, in order
        self.grad: float | None = None

    def __repr__(self) -> str:
        return f"Node({self.label or self._op}={self.data:.4g}, grad={self.grad})"


def leaf(value: float, label: str) -> Node:
    return Node(value, label=label)


def add(a: Node, b: Node, label: str = "") -> Node:
    return Node(a.data + b.data, (a, b), "+", label, (1.0, 1.0))


def sub(a: Node, b: Node, label: str = "") -> Node:
    return Node(a.data - b.data, (a, b), "−", label, (1.0, -1.0))


def mul(a: Node, b: Node, label: str = "") -> Node:
    return Node(a.data * b.data, (a, b), "×", label, (b.data, a.data))


def square(a: Node, label: str = "") -> Node:
    return Node(a.data**2, (a,), "²", label, (2 * a.data,))


def tanh(a: Node, label: str = "") -> Node:
    out = math.tanh(a.data)
    return Node(out, (a,), "tanh", label, (1 - out * out,))


def topological_order(root) -> list:
    """Every node feeding ``root``, each after all of its inputs (``root`` last)."""
    order, seen = [], set()

    def visit(node) -> None:
        if id(node) not in seen:
            seen.add(id(node))
            for child in node._children:
                visit(child)
            order.append(node)

    visit(root)
    return order


def backward(root: Node, steps: int | None = None) -> list[Node]:
    """Fill ``grad`` = dL/d(node) for the first ``steps`` nodes in reverse topological order
    (all when ``None``); returns the nodes filled. A node's gradient is complete when all the
    nodes that use it have passed theirs on, which reverse topological order guarantees."""
    order = list(reversed(topological_order(root)))
    for node in order:
        node.grad = None
    pending = {id(n): 0.0 for n in order}
    pending[id(root)] = 1.0
    filled = order if steps is None else order[: max(steps, 0)]
    for node in filled:
        node.grad = pending[id(node)]
        for child, local in zip(node._children, node.local):
            pending[id(child)] += local * node.grad  # += : a node used twice gets both shares
    return filled


def neuron_graph(x1: float, x2: float, w1: float, w2: float, b: float, y: float) -> Node:
    """``L = (tanh(w1·x1 + w2·x2 + b) − y)²`` as a graph of :class:`Node`; returns L."""
    nodes = {name: leaf(v, name) for name, v in (("x1", x1), ("w1", w1), ("x2", x2), ("w2", w2), ("b", b), ("y", y))}
    z = add(add(mul(nodes["w1"], nodes["x1"], "w1·x1"), mul(nodes["w2"], nodes["x2"], "w2·x2"), t("backprop.sum")), nodes["b"], "z")
    a = tanh(z, "a")
    return square(sub(a, nodes["y"], "a − y"), "L")


def square_loss_graph(w: float, x: float, b: float, y: float) -> Node:
    """``L = (w·x + b − y)²``, the notebook's first graph; returns L."""
    nodes = {name: leaf(v, name) for name, v in (("w", w), ("x", x), ("b", b), ("y", y))}
    u = mul(nodes["w"], nodes["x"], "u = w·x")
    z = add(u, nodes["b"], "z = u + b")
    d = sub(z, nodes["y"], "d = z − y")
    return square(d, "L = d²")


# -- drawing ----------------------------------------------------------------------------------
def _value(node) -> float:
    return float(getattr(node, "data", getattr(node, "value", 0.0)))


def _name(node) -> str:
    label = getattr(node, "label", "") or ""
    op = getattr(node, "_op", "") or ""
    return label or (op if op else f"{_value(node):.3g}")


def graph_layout(root) -> dict[int, tuple[float, float]]:
    """Positions ``{id(node): (column, row)}``: inputs on the left, ``root`` on the right.

    An inner node sits one column right of its latest input; an input (a node without inputs)
    one column left of its first user; rows follow the order inputs are met, and an inner node
    sits at the mean row of its inputs.
    """
    order = topological_order(root)
    column: dict[int, float] = {}
    for node in order:
        if node._children:
            column[id(node)] = 1 + max(column.get(id(c), 0) for c in node._children)
    users: dict[int, list] = {}
    for node in order:
        for child in node._children:
            users.setdefault(id(child), []).append(node)
    for node in order:
        if not node._children:
            column[id(node)] = min((column[id(u)] for u in users.get(id(node), [])), default=1) - 1
    row: dict[int, float] = {}
    next_row = 0
    for node in order:  # depth-first order: inputs of the same operation end up next to each other
        if not node._children:
            row[id(node)] = next_row
            next_row += 1
    for node in order:
        if node._children:
            row[id(node)] = float(np.mean([row[id(c)] for c in node._children]))
    return {key: (column[key], row[key]) for key in column}


@dataclass
class GraphArtists:
    """What :func:`draw_graph` drew, so a live view can update it in place."""

    nodes: list
    boxes: list
    texts: list
    edges: list  # (child, parent, index of the child in parent._children, patch)
    ax: object = None
    norm: Normalize = field(default_factory=lambda: Normalize(0, 1))


def draw_graph(ax, root, show_grad: bool = True) -> GraphArtists:
    """Draw the graph ending at ``root`` on ``ax``: a box per node with its name, value and
    (when ``show_grad``) gradient, an arrow per input. Returns the artists for :func:`update_graph`."""
    positions = graph_layout(root)
    order = topological_order(root)
    columns = max(p[0] for p in positions.values()) + 1
    rows = max(p[1] for p in positions.values()) + 1
    ax.set(xlim=(-0.5, columns - 0.5), ylim=(rows - 0.5, -0.6))
    ax.axis("off")
    edges = []
    for parent in order:
        for index, child in enumerate(parent._children):
            (x0, y0), (x1, y1) = positions[id(child)], positions[id(parent)]
            # from the right edge of the input's box to the left edge of the user's box
            patch = FancyArrowPatch((x0 + BOX_W / 2, y0), (x1 - BOX_W / 2, y1), arrowstyle="-|>", mutation_scale=12,
                                    lw=1.2, color=NO_GRAD, shrinkA=0, shrinkB=1, zorder=1)
            ax.add_patch(patch)
            edges.append((child, parent, index, patch))
    boxes, texts = [], []
    for node in order:
        x, y = positions[id(node)]
        colour = OUTPUT if node is root else (INNER if node._children else LEAF)
        op = getattr(node, "_op", "")
        # A fixed box behind a plain text: cheaper to redraw than a text with its own bbox.
        box = FancyBboxPatch((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H, boxstyle="round,pad=0,rounding_size=0.06",
                             fc=colour, ec="#333", lw=1, zorder=2)
        ax.add_patch(box)
        text = ax.text(x, y, "", ha="center", va="center", fontsize=8, family="monospace", zorder=3)
        if op and op != _name(node):  # fixed: drawn with the frame, not at every repaint (no edge passes there)
            keep_in_frame(ax.text(x - BOX_W / 2, y - BOX_H / 2 - 0.01, op, ha="left", va="bottom", fontsize=8,
                                  color="#555", zorder=3))
        boxes.append(box)
        texts.append(text)
    if show_grad:
        keep_in_frame(ax.text(0.01, 0.0, t("backprop.arrows"), transform=ax.transAxes, fontsize=7.5, color="#555",
                              va="bottom"))
    artists = GraphArtists(order, boxes, texts, edges, ax)
    update_graph(artists, show_grad=show_grad)
    return artists


def edge_gradient(child, parent, index: int) -> float | None:
    """The share of dL/d(child) that arrives along this edge: d(parent)/d(child) · dL/d(parent)
    (``None`` while the parent's gradient is unknown)."""
    grad = getattr(parent, "grad", None)
    if grad is None:
        return None
    local = getattr(parent, "local", None)
    if local is not None and index < len(local):
        return float(local[index]) * float(grad)
    # An engine that keeps no local derivatives: colour by the input's own gradient (the same
    # number when the input has one user).
    child_grad = getattr(child, "grad", None)
    return None if child_grad is None else float(child_grad)


def update_graph(artists: GraphArtists, show_grad: bool = True) -> None:
    """Rewrite every box's text and recolour every edge from the nodes' current values and grads."""
    for node, text in zip(artists.nodes, artists.texts):
        lines = [_name(node), f"{_value(node):+.2f}"]
        if show_grad:
            grad = getattr(node, "grad", None)
            lines.append(t("backprop.grad_unknown") if grad is None else t("backprop.grad", grad=float(grad)))
        text.set_text("\n".join(lines))
    flows = [edge_gradient(c, p, i) if show_grad else None for c, p, i, _ in artists.edges]
    largest = max((abs(f) for f in flows if f is not None), default=0.0)
    artists.norm = Normalize(0, max(largest, 1e-12))
    for (_, _, _, patch), flow in zip(artists.edges, flows):
        if flow is None:
            patch.set_color(NO_GRAD)
            patch.set_linewidth(1.0)
            patch.set_linestyle((0, (3, 2)) if show_grad else "-")
        else:
            share = abs(flow) / max(largest, 1e-12)
            patch.set_color(EDGE_CMAP(0.15 + 0.85 * share))
            patch.set_linewidth(1.0 + 4.0 * share)
            patch.set_linestyle("-")


def show_graph(root, show_grad: bool = True, title: str = "", width_px: int = 760,
               height_px: int | None = None) -> Figure:
    """Static figure of the graph ending at ``root`` (a :class:`Node` or any engine value with
    ``data``, ``grad``, ``_children`` and ``_op``): name, value and gradient in each box."""
    if not hasattr(root, "_children"):
        raise TypeError(f"show_graph needs a graph node with `_children`, got {type(root).__name__}.")
    positions = graph_layout(root)
    rows = max(p[1] for p in positions.values()) + 1
    fig = new_figure(width_px, height_px or int(90 + 80 * rows))
    ax = fig.add_axes((0.01, 0.02, 0.98, 0.88 if title else 0.96))
    draw_graph(ax, root, show_grad=show_grad)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


# -- the live view ----------------------------------------------------------------------------
@dataclass
class BackpropState:
    """Everything the view shows, in one object a test can set and compare."""

    x1: float = 1.0
    x2: float = -0.5
    w1: float = 0.8
    w2: float = -1.2
    b: float = 0.3
    y: float = -0.5
    learning_rate: float = 0.3
    filled: int = 0  # how many nodes have their gradient (0 = none yet; all after "backward")
    losses: list = field(default_factory=list)


def _safe(view: BackpropView, action: Callable[[], None]) -> Callable:
    """A callback that never lets an exception escape into the widget machinery: it shows it."""

    def callback(*_args) -> None:
        try:
            action()
        except Exception as err:  # noqa: BLE001 - a view must keep working; the message says why
            view.status.value = f"<span style='color:#b00'>⚠ {html.escape(type(err).__name__)}: {html.escape(str(err))}</span>"

    return callback


class BackpropView(LiveView):
    """The graph of one neuron with a squared loss; sliders, backward, step-through and a descent step.

    In tests: set ``view.sliders["w1"].value``, click ``view.backward_button`` /
    ``view.next_button`` / ``view.step_button``; read ``view.root`` (the graph), ``view.gradients()``,
    ``view.state`` and ``view.png()``.
    """

    PARAMETERS = ("w1", "w2", "b")
    INPUTS = ("x1", "x2", "y")

    def __init__(self, learning_rate: float = 0.3, **values: float):
        self.state = BackpropState(learning_rate=learning_rate)
        for name, value in values.items():
            if name not in self.PARAMETERS + self.INPUTS:
                raise ValueError(f"unknown value {name!r}: choose from {', '.join(self.INPUTS + self.PARAMETERS)}.")
            check_range(value, *SLIDER_RANGE, name)
            setattr(self.state, name, float(value))
        check_range(learning_rate, 0.01, 1.0, "learning_rate")
        self.root = self._build()
        figure = new_figure(820, 400)
        self._graph_ax = figure.add_axes((0.0, 0.0, 0.79, 0.92))
        self._artists = draw_graph(self._graph_ax, self.root)
        # in the graph's axes (placed in figure coordinates): a figure-level text would make every
        # update a full drawing (utils.figures.Repainter)
        self._title = self._graph_ax.text(0.40, 0.955, "", ha="center", va="center", fontsize=10,
                                          transform=figure.transFigure)
        self._loss_ax = figure.add_axes((0.855, 0.14, 0.13, 0.62))
        (self._loss_line,) = self._loss_ax.plot([], [], "o-", color="#0072b2", ms=3)
        self._loss_ax.set(title=t("backprop.loss_title"), xlabel=t("backprop.step"), ylabel="L")
        self._loss_ax.title.set_fontsize(9)
        self._loss_ax.tick_params(labelsize=8)
        self._loss_ax.xaxis.label.set_fontsize(8)
        self._loss_ax.yaxis.label.set_fontsize(8)
        self._loss_ax.grid(alpha=0.3)
        self._loss_hint = self._loss_ax.text(0.5, 0.5, t("backprop.press_step"), transform=self._loss_ax.transAxes,
                                             ha="center", va="center", fontsize=8, color="#777")

        slider = dict(min=SLIDER_RANGE[0], max=SLIDER_RANGE[1], step=0.01, readout_format=".2f",
                      continuous_update=True, layout=fixed_layout(250), style={"description_width": "28px"})
        self.sliders = {}
        for name in self.INPUTS + self.PARAMETERS:
            control = widgets.FloatSlider(value=getattr(self.state, name), description=name, **slider)
            control.observe(_safe(self, lambda name=name, control=control: self._on_slider(name, control.value)),
                            names="value")
            self.sliders[name] = control
        self.learning_rate = widgets.FloatSlider(value=learning_rate, min=0.01, max=1.0, step=0.01, description="lr",
                                                 readout_format=".2f", layout=fixed_layout(250),
                                                 style={"description_width": "28px"})
        self.learning_rate.observe(_safe(self, lambda: setattr(self.state, "learning_rate", self.learning_rate.value)),
                                   names="value")
        button = dict(layout=fixed_layout(122))
        self.backward_button = widgets.Button(description=t("backprop.backward"), button_style="primary", **button)
        self.next_button = widgets.Button(description=t("backprop.next_node"), **button)
        self.step_button = widgets.Button(description=t("backprop.take_step"), button_style="success", **button)
        self.reset_button = widgets.Button(description=t("backprop.reset"), **button)
        self.backward_button.on_click(_safe(self, self.backward))
        self.next_button.on_click(_safe(self, self.next_node))
        self.step_button.on_click(_safe(self, self.take_step))
        self.reset_button.on_click(_safe(self, self.reset))
        self.status = widgets.HTML(layout=fixed_layout(820, 44))
        super().__init__(
            figure,
            controls=[widgets.VBox([self.sliders[n] for n in self.INPUTS]),
                      widgets.VBox([self.sliders[n] for n in self.PARAMETERS]),
                      widgets.VBox([self.learning_rate,
                                    widgets.HBox([self.backward_button, self.next_button]),
                                    widgets.HBox([self.step_button, self.reset_button])])],
            below=[self.status],
        )

    # -- the computation --------------------------------------------------------------------
    def _build(self) -> Node:
        s = self.state
        return neuron_graph(s.x1, s.x2, s.w1, s.w2, s.b, s.y)

    def _rebuild_keep_grads(self) -> None:
        """New forward values in the same artists: copy them into the nodes already drawn."""
        fresh = topological_order(self._build())
        for old, new in zip(self._artists.nodes, fresh):
            old.data, old.local = new.data, new.local
        backward(self.root, self.state.filled)

    @property
    def loss(self) -> float:
        return self.root.data

    def gradients(self) -> dict[str, float | None]:
        """dL/d(node) for every named node shown (``None`` where not computed yet)."""
        return {n.label: n.grad for n in self._artists.nodes}

    # -- actions ---------------------------------------------------------------------------
    def _on_slider(self, name: str, value: float) -> None:
        setattr(self.state, name, float(value))
        self.state.filled = 0  # old gradients belong to the old values
        self._rebuild_keep_grads()
        self.refresh()

    def backward(self) -> None:
        """Fill every gradient at once."""
        self.state.filled = len(self._artists.nodes)
        backward(self.root)
        self.refresh()

    def next_node(self) -> None:
        """Step-through: fill the gradient of one more node, in reverse topological order."""
        total = len(self._artists.nodes)
        self.state.filled = 1 if self.state.filled >= total else self.state.filled + 1
        backward(self.root, self.state.filled)
        self.refresh()

    def take_step(self) -> None:
        """One gradient-descent step on w1, w2, b: w ← w − lr · dL/dw; then backward again."""
        backward(self.root)
        grads = self.gradients()
        if not self.state.losses:
            self.state.losses.append(self.loss)
        lo, hi = SLIDER_RANGE
        with self.hold():
            for name in self.PARAMETERS:
                new = getattr(self.state, name) - self.state.learning_rate * grads[name]
                self.sliders[name].value = float(np.clip(round(new, 4), lo, hi))
            self.state.filled = len(self._artists.nodes)
            self._rebuild_keep_grads()
            self.state.losses.append(self.loss)
            self.refresh()

    def reset(self) -> None:
        defaults = BackpropState(learning_rate=self.state.learning_rate)
        with self.hold():
            for name in self.INPUTS + self.PARAMETERS:
                self.sliders[name].value = getattr(defaults, name)
            self.state.losses = []
            self.state.filled = 0
            self._rebuild_keep_grads()
            self.refresh()

    # -- drawing ---------------------------------------------------------------------------
    def draw(self) -> None:
        update_graph(self._artists)
        total = len(self._artists.nodes)
        filled = self.state.filled
        if filled == 0:
            title = t("backprop.title.forward", loss=self.loss)
        elif filled < total:
            title = t("backprop.title.backward", filled=filled, total=total)
        else:
            title = t("backprop.title.done", total=total, loss=self.loss)
        self._title.set_text(title)
        losses = self.state.losses
        self._loss_line.set_data(np.arange(len(losses)), losses)
        self._loss_hint.set_visible(not losses)
        # no steps yet: the loss axes only shows its hint, so its scale need not follow every slider move.
        # Room for 5 steps, then 10, 20, 40...: new limits mean a full drawing (utils.figures.Repainter),
        # so they change at a few steps, not at every one
        room = 5
        while room < len(losses):
            room *= 2
        set_limits(self._loss_ax, xlim=(-0.5, room - 0.5),
                   ylim=(0, max(max(losses) * 1.1, 1e-3)) if losses else None)
        self.status.value = self._explain(filled)

    def _explain(self, filled: int) -> str:
        """One line of chain-rule arithmetic for the node filled last."""
        order = list(reversed(self._artists.nodes))
        if filled == 0:
            return t("backprop.explain.start")
        node = order[filled - 1]
        if node is self.root:
            return t("backprop.explain.root")
        terms = []
        for user in order[:filled]:
            for index, child in enumerate(user._children):
                if child is node:
                    terms.append(t("backprop.explain.term", local=user.local[index], grad=user.grad,
                                   user=html.escape(user.label)))
        return t("backprop.explain.node", node=html.escape(node.label), terms=" + ".join(terms), grad=node.grad)


def show_backprop(x1: float = 1.0, x2: float = -0.5, w1: float = 0.8, w2: float = -1.2, b: float = 0.3,
                  y: float = -0.5) -> Figure:
    """Static fallback: the neuron's graph with every value and gradient filled in."""
    for name, value in (("x1", x1), ("x2", x2), ("w1", w1), ("w2", w2), ("b", b), ("y", y)):
        check_range(value, -1e6, 1e6, name)
    root = neuron_graph(x1, x2, w1, w2, b, y)
    backward(root)
    return show_graph(root, title=t("backprop.static_title", loss=root.data),
                      width_px=820, height_px=380)
