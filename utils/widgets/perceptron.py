"""Notebook 01's playground: sliders move a perceptron's decision line over the four points
of a logic gate; "step" applies one learning update and shows its arithmetic."""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from ..checks import check_range
from ..diagrams.style import GREEN, VERMILLION
from ..i18n import t
from ..perceptron import GATE_TARGETS, gate_data, perceptron_output, perceptron_update
from .base import LiveView, fixed_layout, new_figure

INTRODUCED_IN = "01"

WEIGHT_RANGE = (-3.0, 3.0)
VIEW_RANGE = (-0.5, 1.5)
# Okabe–Ito bluish green and vermillion: told apart with the common colour-vision deficiencies too;
# each point also carries ✓ or ✗.
RIGHT, WRONG = GREEN, VERMILLION


@dataclass
class PerceptronState:
    """Everything the playground shows, in one object a test can set and compare."""

    w1: float = 0.0
    w2: float = 0.0
    b: float = 0.0
    gate: str = "AND"
    learning_rate: float = 0.5
    next_point: int = 0  # which of the four points the next "step" learns from
    steps_taken: int = 0


def decision_line(w1: float, w2: float, b: float, lo: float = VIEW_RANGE[0], hi: float = VIEW_RANGE[1]):
    """Two end points ``(xs, ys)`` of the line ``w1·x1 + w2·x2 + b = 0`` across the view.

    Returns empty arrays when both weights are 0 (then there is no line: one class everywhere).
    """
    if abs(w2) > 1e-12:
        xs = np.array([lo, hi])
        return xs, -(w1 * xs + b) / w2
    if abs(w1) > 1e-12:
        x = -b / w1
        return np.array([x, x]), np.array([lo, hi])
    return np.array([]), np.array([])


def _draw_static(ax, state: PerceptronState, live: bool = True) -> dict:
    """Create the artists once; return them so the live view can update them in place.
    ``live``: also the dashed circle around the point the "step" button learns from next."""
    lo, hi = VIEW_RANGE
    grid = np.linspace(lo, hi, 121)
    gx, gy = np.meshgrid(grid, grid)
    region = ax.imshow(
        np.zeros_like(gx), extent=(lo, hi, lo, hi), origin="lower", vmin=0, vmax=1,
        cmap=ListedColormap(["#e8eef7", "#fbe7c6"]), interpolation="nearest", zorder=0,
    )
    (line,) = ax.plot([], [], color="black", lw=2, zorder=2)
    inputs, _ = gate_data(state.gate)
    points = ax.scatter(inputs[:, 0], inputs[:, 1], s=260, linewidths=3, zorder=3)
    # A pale box under each label keeps it readable where a decision line crosses it.
    labels = [ax.text(x, y - 0.2, "", fontsize=9, ha="center", zorder=4,
                      bbox=dict(boxstyle="round,pad=0.15", fc=(1, 1, 1, 0.65), ec="none")) for x, y in inputs]
    cursor = None
    if live:
        cursor = ax.scatter([0], [0], s=700, facecolors="none", edgecolors="#555", linestyles="--", zorder=2)
        ax.text(0.5, 0.01, t("perceptron.cursor_note"), transform=ax.transAxes,
                ha="center", va="bottom", fontsize=8, color="#555")
    ax.set(xlim=(lo, hi), ylim=(lo, hi), xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.set_xticks([0, 1])
    ax.set_yticks([0, 1])
    ax.grid(False)
    title = ax.set_title(t("perceptron.title", gate=state.gate, errors=0, tick=""), fontsize=10)
    return {"grid": (gx, gy), "region": region, "line": line, "points": points, "labels": labels,
            "cursor": cursor, "title": title}


def _update_artists(artists: dict, state: PerceptronState) -> np.ndarray:
    """Move the line, shade the output-1 side, colour points right/wrong. Returns outputs (4,)."""
    inputs, targets = gate_data(state.gate)
    weights = np.array([state.w1, state.w2])
    gx, gy = artists["grid"]
    artists["region"].set_data((gx * state.w1 + gy * state.w2 + state.b >= 0).astype(float))
    artists["line"].set_data(*decision_line(state.w1, state.w2, state.b))
    outputs = perceptron_output(weights, state.b, inputs)
    right = outputs == targets
    artists["points"].set_facecolors(["#222" if t == 1 else "white" for t in targets])
    artists["points"].set_edgecolors([RIGHT if r else WRONG for r in right])
    for text, _x, target, o in zip(artists["labels"], inputs, targets, outputs):
        mark = "✓" if target == o else "✗"  # a cue beside the colour
        text.set_text(t("perceptron.point_label", mark=mark, target=target, output=o))
        text.set_color(RIGHT if target == o else WRONG)
    if artists["cursor"] is not None:
        artists["cursor"].set_offsets(inputs[state.next_point : state.next_point + 1])
    errors = int((~right).sum())
    artists["title"].set_text(t("perceptron.title", gate=state.gate, errors=errors, tick=" ✓" if errors == 0 else ""))
    return outputs


def show_perceptron(w1: float, w2: float, b: float, gate: str = "AND") -> Figure:
    """Static fallback: the decision line of weights ``(w1, w2)`` and bias ``b`` over a gate's points."""
    for name, value in (("w1", w1), ("w2", w2), ("b", b)):
        check_range(value, -1e6, 1e6, name)
    gate_data(gate)  # validates the name
    fig = new_figure(420, 380)
    ax = fig.add_subplot()
    state = PerceptronState(w1=w1, w2=w2, b=b, gate=gate.upper())
    _update_artists(_draw_static(ax, state, live=False), state)
    fig.tight_layout()
    return fig


# Earlier epochs: lighter and dashed, each dash pattern its own (a cue beside the shade of grey).
EPOCH_STYLES = [":", "--", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 3))]


def _clip_to_view(w1: float, w2: float, b: float) -> list[tuple[float, float]]:
    """Where the line ``w1·x1 + w2·x2 + b = 0`` crosses the border of the view (0 or 2 points)."""
    lo, hi = VIEW_RANGE
    points = []
    for edge in (lo, hi):
        if abs(w2) > 1e-12:  # crossing a vertical edge x1 = edge
            y = -(w1 * edge + b) / w2
            if lo - 1e-9 <= y <= hi + 1e-9:
                points.append((edge, y))
        if abs(w1) > 1e-12:  # crossing a horizontal edge x2 = edge
            x = -(w2 * edge + b) / w1
            if lo - 1e-9 <= x <= hi + 1e-9:
                points.append((x, edge))
    return points or [(lo, lo)]


def show_perceptron_epochs(history, gate: str = "AND") -> Figure:
    """Static figure of learning: the decision line after each epoch over a gate's points.

    ``history``: one ``(w1, w2, b)`` per epoch, in order. Earlier lines are faint and dashed, each
    labelled with its epoch number where it leaves the view; the last line is bold and its output-1
    side shaded. Epochs that end with the same weights as the epoch before (no mistakes) share a label.
    """
    history = [tuple(float(v) for v in weights) for weights in history]
    if not history or any(len(weights) != 3 for weights in history):
        raise ValueError("history must be a non-empty list of (w1, w2, b), one per epoch.")
    for weights in history:
        for name, value in zip(("w1", "w2", "b"), weights):
            check_range(value, -1e6, 1e6, name)
    gate_data(gate)  # validates the name
    # Merge runs of epochs that ended with the same weights: [(first epoch, last epoch, weights)].
    runs: list[list] = []
    for epoch, weights in enumerate(history, start=1):
        if runs and runs[-1][2] == weights:
            runs[-1][1] = epoch
        else:
            runs.append([epoch, epoch, weights])
    fig = new_figure(640, 400)
    ax = fig.add_subplot()
    w1, w2, b = history[-1]
    state = PerceptronState(w1=w1, w2=w2, b=b, gate=gate.upper())
    artists = _draw_static(ax, state, live=False)
    _update_artists(artists, state)
    artists["line"].set_visible(False)  # redrawn below, labelled, with the earlier lines
    lo, hi = VIEW_RANGE
    for k, (first, last, (r1, r2, rb)) in enumerate(runs):
        final = k == len(runs) - 1
        epochs = str(first) if first == last else f"{first}–{last}"
        label = (t("perceptron.after_epoch", epoch=first) if first == last
                 else t("perceptron.after_epochs", first=first, last=last)) + (t("perceptron.final") if final else "")
        xs, ys = decision_line(r1, r2, rb)
        if not len(xs):  # all weights 0: no line to draw, but the legend still says so
            ax.plot([], [], ls="none", label=label + t("perceptron.no_line"))
            continue
        shade = 0.15 + 0.55 * k / max(1, len(runs) - 1)  # light grey early, darker later
        style = dict(color="black", lw=2.6, zorder=2.5) if final else dict(
            color=str(0.75 - shade * 0.75), lw=1.4, ls=EPOCH_STYLES[k % len(EPOCH_STYLES)], zorder=1.5)
        ax.plot(xs, ys, label=label, **style)
        # The epoch number where the line leaves the view at its top (or right) end.
        x_end, y_end = max(_clip_to_view(r1, r2, rb), key=lambda p: (p[1], p[0]))
        x_end, y_end = np.clip([x_end, y_end], lo + 0.07, hi - 0.07)
        ax.text(x_end, y_end, epochs, fontsize=8, ha="center", va="center", zorder=5,
                fontweight="bold" if final else "normal",
                bbox=dict(boxstyle="round,pad=0.2", fc="white", ec=style["color"], lw=0.8))
    ax.set_title(t("perceptron.epochs_title", gate=gate.upper()), fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False, handlelength=3)
    fig.tight_layout()
    return fig


class PerceptronPlayground(LiveView):
    """Sliders for w1, w2, b; a gate to learn; a "step" button that applies one update.

    ``PerceptronPlayground(gate="AND")`` and display it. In tests: set ``view.w1.value`` etc.,
    call ``view.step_button.click()``, and read ``view.state``, ``view.outputs``, ``view.png()``.
    """

    def __init__(self, gate: str = "AND", w1: float = 0.0, w2: float = 0.0, b: float = 0.0,
                 learning_rate: float = 0.5):
        gate_data(gate)
        for name, value in (("w1", w1), ("w2", w2), ("b", b)):
            check_range(value, *WEIGHT_RANGE, name)
        check_range(learning_rate, 0.05, 2.0, "learning_rate")
        self.state = PerceptronState(w1=w1, w2=w2, b=b, gate=gate.upper(), learning_rate=learning_rate)
        self.last_update = None
        figure = new_figure(400, 380)
        self._artists = _draw_static(figure.add_subplot(), self.state)
        figure.tight_layout()

        slider = dict(min=WEIGHT_RANGE[0], max=WEIGHT_RANGE[1], step=0.05, readout_format=".2f",
                      continuous_update=True, layout=fixed_layout(230), style={"description_width": "28px"})
        self.w1 = self.link(widgets.FloatSlider(value=w1, description="w1", **slider), "w1")
        self.w2 = self.link(widgets.FloatSlider(value=w2, description="w2", **slider), "w2")
        self.b = self.link(widgets.FloatSlider(value=b, description="b", **slider), "b")
        self.gate = widgets.Dropdown(options=list(GATE_TARGETS), value=self.state.gate, description=t("perceptron.gate"),
                                     layout=fixed_layout(170), style={"description_width": "56px"})
        self.gate.observe(self.guarded(self._on_gate), names="value")
        self.learning_rate = self.link(
            widgets.FloatSlider(value=learning_rate, min=0.05, max=2.0, step=0.05, description=t("perceptron.learning_rate"),
                                readout_format=".2f", layout=fixed_layout(200),
                                style={"description_width": "28px"}),
            "learning_rate",
        )
        self.step_button = widgets.Button(description=t("perceptron.step_button"), layout=fixed_layout(190),
                                          button_style="primary")
        self.step_button.on_click(self.guarded(lambda _: self.step()))
        self.reset_button = widgets.Button(description=t("perceptron.reset_button"), layout=fixed_layout(110))
        self.reset_button.on_click(self.guarded(lambda _: self.reset()))
        self.table = widgets.HTML(layout=fixed_layout(340, 175))
        self.arithmetic = widgets.HTML(layout=fixed_layout(340, 175))
        super().__init__(
            figure,
            controls=[widgets.VBox([self.w1, self.w2, self.b]),
                      widgets.VBox([self.gate, self.learning_rate,
                                    widgets.HBox([self.step_button, self.reset_button])])],
            side=[self.table, self.arithmetic],
        )

    def _on_gate(self, change: dict) -> None:
        self.state.gate = change["new"]
        self.state.next_point = 0
        self.refresh()

    def is_empty(self) -> bool:
        return self.state.w1 == 0 and self.state.w2 == 0  # no decision line to show

    def draw(self) -> None:
        self.outputs = _update_artists(self._artists, self.state)
        inputs, targets = gate_data(self.state.gate)
        s = self.state
        cell = "<td style='padding:1px 10px'>"
        rows = "".join(
            f"<tr style='color:{RIGHT if o == target else WRONG}'>{cell}{x[0]:g}</td>{cell}{x[1]:g}</td>"
            f"{cell}{s.w1 * x[0] + s.w2 * x[1] + s.b:+.2f}</td>{cell}{o}</td>{cell}{target}</td></tr>"
            for x, o, target in zip(inputs, self.outputs, targets)
        )
        self.table.value = (
            t("perceptron.table_rule") +
            "<table style='font-family:monospace;text-align:right;line-height:1.25;border-collapse:collapse'>"
            f"<tr><th>x1</th><th>x2</th><th>z</th><th>{t('perceptron.column_output')}</th>"
            f"<th>{t('perceptron.column_target')}</th></tr>" + rows + "</table>"
        )
        text = self.last_update.explain() if self.last_update else t("perceptron.press_step")
        self.arithmetic.value = (
            t("perceptron.last_update", step=s.steps_taken) + "<pre style='font-size:12px;line-height:1.3'>"
            f"{html.escape(text)}</pre>"
        )

    @property
    def errors(self) -> int:
        """How many of the four points the current weights get wrong."""
        return int((self.outputs != gate_data(self.state.gate)[1]).sum())

    def step(self) -> None:
        """Apply the learning rule to the circled point, move the sliders, circle the next point."""
        inputs, targets = gate_data(self.state.gate)
        i = self.state.next_point
        update = perceptron_update(np.array([self.state.w1, self.state.w2]), self.state.b, inputs[i],
                                   int(targets[i]), self.state.learning_rate)
        self.last_update = update
        lo, hi = WEIGHT_RANGE
        with self.hold():
            self.state.next_point = (i + 1) % len(inputs)
            self.state.steps_taken += 1
            self.w1.value = float(np.clip(update.weights_after[0], lo, hi))
            self.w2.value = float(np.clip(update.weights_after[1], lo, hi))
            self.b.value = float(np.clip(update.bias_after, lo, hi))
            self.refresh()

    def reset(self) -> None:
        with self.hold():
            self.last_update = None
            self.state.next_point = 0
            self.state.steps_taken = 0
            self.w1.value = self.w2.value = self.b.value = 0.0
            self.refresh()
