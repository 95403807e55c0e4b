"""Notebook 02's gradient-descent view: a learning-rate slider and a steps slider; on the left the
apartments and the fitted line after that many steps, on the right the path of ``(w, b)`` over
the contour of the loss (MSE as a function of slope and intercept)."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..checks import check_range
from ..i18n import t
from ..regression import apartment_prices, gradient_descent_path, least_squares, mse
from .base import LiveView, fixed_layout, new_figure

INTRODUCED_IN = "02"

SLOPE_RANGE = (-1.0, 6.0)
INTERCEPT_RANGE = (-2.0, 4.0)
MAX_STEPS = 200


@dataclass
class DescentState:
    """Everything the view shows, in one object a test can set and compare."""

    learning_rate: float = 0.1
    steps: int = 20
    w0: float = 0.0
    b0: float = 0.0


def _draw_static(fig: Figure, x: np.ndarray, y: np.ndarray) -> dict:
    data_ax, loss_ax = fig.subplots(1, 2)
    data_ax.scatter(x * 100, y * 100, s=12, alpha=0.6, color="tab:blue", label=t("regression.apartments"))
    xs = np.array([0.0, 1.6])
    (line,) = data_ax.plot(xs * 100, xs * 0, color="tab:red", lw=2, label=t("regression.model"))
    data_ax.set(xlim=(0, 160), ylim=(-50, 700), xlabel=t("regression.area_axis"), ylabel=t("regression.price_axis"))
    data_title = data_ax.set_title("", fontsize=9)

    ws = np.linspace(*SLOPE_RANGE, 121)
    bs = np.linspace(*INTERCEPT_RANGE, 121)
    grid_w, grid_b = np.meshgrid(ws, bs)
    loss = mse(grid_w, grid_b, x, y)
    loss_ax.contour(grid_w, grid_b, np.log10(loss), levels=12, cmap="viridis", linewidths=0.8)
    w_best, b_best = least_squares(x, y)
    loss_ax.plot([w_best], [b_best], marker="*", color="black", ms=12, ls="none", label=t("regression.least_squares"))
    (path,) = loss_ax.plot([], [], color="tab:red", marker="o", ms=3, lw=1.2, label=t("regression.gradient_descent"))
    (start,) = loss_ax.plot([], [], marker="s", color="tab:red", ms=6, ls="none")
    # the code's units: area in 100 m², price in 100 k€
    loss_ax.set(xlim=SLOPE_RANGE, ylim=INTERCEPT_RANGE, xlabel=t("regression.slope_axis"), ylabel=t("regression.intercept_axis"))
    loss_ax.legend(loc="lower left", fontsize=8)
    loss_title = loss_ax.set_title("", fontsize=9)
    loss_ax.grid(False)
    fig.tight_layout()
    return {"line": line, "xs": xs, "path": path, "start": start, "data_title": data_title,
            "loss_title": loss_title}


def _update_artists(artists: dict, state: DescentState, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    path = gradient_descent_path(x, y, state.learning_rate, state.steps, state.w0, state.b0)
    w, b = path[-1]
    # A diverging run leaves the picture quickly; clip so matplotlib draws it leaving the frame.
    shown = np.clip(np.nan_to_num(path, nan=1e6, posinf=1e6, neginf=-1e6), -1e6, 1e6)
    artists["path"].set_data(shown[:, 0], shown[:, 1])
    artists["start"].set_data(shown[:1, 0], shown[:1, 1])
    xs = artists["xs"]
    ws, bs = shown[-1]
    artists["line"].set_data(xs * 100, (ws * xs + bs) * 100)
    loss = float(mse(w, b, x, y)) if np.isfinite([w, b]).all() else float("inf")
    artists["data_title"].set_text(
        t("regression.line_title", steps=state.steps, per_m2=ws * 1000, sign="+" if bs >= 0 else "−", base=abs(bs) * 100)
        if abs(ws) < 1e5 else t("regression.diverged_title", steps=state.steps))
    loss_text = f"{loss:.4f}" if loss < 1e6 else t("regression.huge_loss")
    artists["loss_title"].set_text(t("regression.loss_title", learning_rate=state.learning_rate, loss=loss_text))
    return path


def show_descent(learning_rate: float = 0.1, steps: int = 20, x: np.ndarray | None = None,
                 y: np.ndarray | None = None) -> Figure:
    """Static fallback: the line after ``steps`` of gradient descent and its path on the loss surface."""
    if x is None or y is None:
        x, y = apartment_prices()
    fig = new_figure(820, 340)
    state = DescentState(learning_rate=learning_rate, steps=steps)
    _update_artists(_draw_static(fig, x, y), state, x, y)
    return fig


class GradientDescentView(LiveView):
    """Learning-rate and steps sliders; the fitted line and the path over the MSE contour follow.

    ``GradientDescentView(x, y)`` and display it. In tests: set ``view.learning_rate.value`` /
    ``view.steps.value`` and read ``view.path`` (``(steps + 1, 2)``), ``view.loss``, ``view.png()``.
    """

    def __init__(self, x: np.ndarray | None = None, y: np.ndarray | None = None, learning_rate: float = 0.1,
                 steps: int = 20):
        if x is None or y is None:
            x, y = apartment_prices()
        self.x, self.y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        check_range(learning_rate, 0.001, 2.0, "learning_rate")
        check_range(steps, 0, MAX_STEPS, "steps")
        self.state = DescentState(learning_rate=learning_rate, steps=int(steps))
        figure = new_figure(820, 340)
        self._artists = _draw_static(figure, self.x, self.y)
        self.learning_rate = self.link(
            widgets.FloatLogSlider(value=learning_rate, base=10, min=-3, max=0.3, step=0.05,
                                   description=t("regression.learning_rate"), readout_format=".3f",
                                   layout=fixed_layout(380), style={"description_width": "120px"}),
            "learning_rate")
        self.steps = self.link(
            widgets.IntSlider(value=int(steps), min=0, max=MAX_STEPS, description=t("regression.steps"),
                              layout=fixed_layout(380), style={"description_width": "50px"}),
            "steps")
        super().__init__(figure, controls=[self.learning_rate, self.steps])

    def draw(self) -> None:
        self.path = _update_artists(self._artists, self.state, self.x, self.y)
        w, b = self.path[-1]
        self.loss = float(mse(w, b, self.x, self.y)) if np.isfinite([w, b]).all() else float("inf")
