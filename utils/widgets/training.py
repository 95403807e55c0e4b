"""Notebook 09's views: live loss curves while a model trains, and a model-size slider on the
fitted scaling law."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter, ScalarFormatter

from ..i18n import t
from ..scaling import power_law
from .base import LiveView, fixed_layout, new_figure, problem_html

INTRODUCED_IN = "09"


@dataclass
class LossCurvesState:
    """The points drawn so far: steps with training loss, steps with validation loss."""

    train_steps: list[float] = field(default_factory=list)  # where each point is drawn (see ``add``)
    train_losses: list[float] = field(default_factory=list)
    val_steps: list[int] = field(default_factory=list)
    val_losses: list[float] = field(default_factory=list)


class LossCurves(LiveView):
    """Training and validation loss, redrawn in place while training runs.

    ``curves.add(step, train_loss, val_loss=None)`` from a training callback; display ``curves``
    (or ``curves.widget``) before training starts.
    """

    def __init__(self, title: str | None = None, total_steps: int | None = None):
        self.state = LossCurvesState()
        self.total_steps = total_steps
        fig = new_figure(560, 300)
        self.ax = fig.add_subplot(1, 1, 1)
        (self.train_line,) = self.ax.plot([], [], color="tab:blue", lw=1.5, label=t("training.train_label"))
        (self.val_line,) = self.ax.plot([], [], "o-", color="tab:orange", ms=4, label=t("training.val_label"))
        self.ax.set(xlabel=t("training.step_axis"), ylabel=t("training.loss_axis"),
                    title=t("training.loss_title") if title is None else title)
        self.ax.grid(alpha=0.3)
        self.ax.legend(loc="upper right", fontsize=8)
        fig.tight_layout()
        super().__init__(fig, controls=[])

    def add(self, step: int, train_loss: float, val_loss: float | None = None, train_window: int = 1) -> None:
        """Append a point (and a validation point if given) and redraw.

        ``train_window``: ``train_loss`` is the mean loss of the last ``train_window`` steps. It is
        drawn at the middle of that window, the step it describes: drawn at the window's end, a
        falling curve would lag behind and sit above the validation curve early in training.

        Called from a training callback, so it never raises (that would abort the training run): a
        NaN or infinite loss is not drawn, and the view says in its message line that training diverged.
        """
        try:
            step, train_loss = int(step), float(train_loss)
            val_loss = None if val_loss is None else float(val_loss)
            if isinstance(train_window, bool) or int(train_window) != train_window or train_window < 1:
                raise ValueError
        except (TypeError, ValueError) as error:
            self.last_error = error
            self.problem.value = problem_html(f"LossCurves.add needs numbers (step, train_loss, val_loss) and a "
                                              f"whole train_window ≥ 1, got {step!r}, {train_loss!r}, {val_loss!r}, "
                                              f"{train_window!r}.")
            return
        bad = [name for name, value in (("training", train_loss), ("validation", val_loss))
               if value is not None and not math.isfinite(value)]
        if math.isfinite(train_loss):
            self.state.train_steps.append(step - (train_window - 1) / 2)
            self.state.train_losses.append(train_loss)
        if val_loss is not None and math.isfinite(val_loss):
            self.state.val_steps.append(step)
            self.state.val_losses.append(val_loss)
        self.refresh()
        if bad:
            self.last_error = ValueError(f"{' and '.join(bad)} loss is not finite at step {step}")
            which = t("training.which_and").join(t(f"training.which_{name}") for name in bad)
            self.problem.value = problem_html(t("training.diverged", which=which, step=step), hint=False)

    def is_empty(self) -> bool:
        return len(self.state.train_steps) < 2  # one point is a dot, not yet a curve

    def draw(self) -> None:
        s = self.state
        self.train_line.set_data(s.train_steps, s.train_losses)
        self.val_line.set_data(s.val_steps, s.val_losses)
        values = s.train_losses + s.val_losses
        if values:
            last = self.total_steps or max(s.train_steps)
            self.ax.set_xlim(0, max(last, 1))
            lo, hi = min(values), max(values)
            pad = 0.05 * (hi - lo) + 0.02
            self.ax.set_ylim(lo - pad, hi + pad)


@dataclass
class ScalingState:
    """The model size the slider points at, as log10 of the non-embedding parameters."""

    log10_params: float = 5.0


class ScalingView(LiveView):
    """A model-size slider moves a marker along the fitted power law ``loss = a · N^(-α)``.

    ``params``, ``losses``: the measured sizes and validation losses (drawn as dots);
    ``tokens``: D, the tokens each model saw (for compute ≈ 6·N·D).
    """

    def __init__(self, params: np.ndarray, losses: np.ndarray, coefficient: float, exponent: float,
                 tokens: int, log10_params: float | None = None):
        params, losses = np.asarray(params, dtype=float), np.asarray(losses, dtype=float)
        if params.shape != losses.shape or params.size < 2:
            raise ValueError(f"params and losses need the same shape and at least two sizes, got "
                             f"{params.shape} and {losses.shape}.")
        self.coefficient, self.exponent, self.tokens = coefficient, exponent, int(tokens)
        self.measured = (params.min(), params.max())
        lo, hi = math.floor(math.log10(params.min())) - 1, math.ceil(math.log10(params.max())) + 2
        start = log10_params if log10_params is not None else float(np.log10(params).mean())
        self.state = ScalingState(log10_params=start)
        fig = new_figure(520, 340)
        ax = fig.add_subplot(1, 1, 1)
        grid = np.logspace(lo, hi, 100)
        inside = (grid >= self.measured[0]) & (grid <= self.measured[1])
        ax.loglog(grid[inside], power_law(grid[inside], coefficient, exponent), color="tab:blue",
                  lw=2, label=t("training.fit_label", coefficient=coefficient, exponent=exponent))
        ax.loglog(grid, power_law(grid, coefficient, exponent), "--", color="tab:blue", lw=1,
                  alpha=0.6, label=t("training.extrapolation_label"))
        ax.loglog(params, losses, "o", color="black", ms=5, label=t("training.measured_label"))
        (self.marker,) = ax.loglog([], [], "*", color="tab:red", ms=16, label=t("training.chosen_label"))
        ax.set(xlabel=t("training.params_axis"), ylabel=t("training.val_loss_axis"), title=t("training.scaling_title"))
        ax.yaxis.set_major_formatter(ScalarFormatter())
        ax.yaxis.set_minor_formatter(FormatStrFormatter("%.1f"))
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8, loc="lower left")
        fig.tight_layout()
        self.slider = widgets.FloatSlider(value=start, min=lo, max=hi, step=0.1, description=t("training.slider"),
                                          continuous_update=True, layout=fixed_layout(380))
        self.readout = widgets.HTML(layout=fixed_layout(220, 200))
        self.link(self.slider, "log10_params")
        super().__init__(fig, controls=[self.slider], side=[self.readout])

    def prediction(self) -> dict:
        """What the view shows for the current size: N, predicted loss, D and 6·N·D."""
        n = 10.0 ** self.state.log10_params
        return {"params": n, "loss": float(power_law(n, self.coefficient, self.exponent)),
                "tokens": self.tokens, "compute": 6.0 * n * self.tokens,
                "chinchilla_tokens": 20.0 * n, "extrapolated": not self.measured[0] <= n <= self.measured[1]}

    def draw(self) -> None:
        p = self.prediction()
        self.marker.set_data([p["params"]], [p["loss"]])
        warning = t("training.outside_range") if p["extrapolated"] else ""
        self.readout.value = t("training.readout", params=p["params"], loss=p["loss"], tokens=p["tokens"],
                               compute=p["compute"], chinchilla_tokens=p["chinchilla_tokens"], warning=warning)


def show_scaling(params: np.ndarray, losses: np.ndarray, coefficient: float, exponent: float,
                 tokens: int, log10_params: float | None = None) -> Figure:
    """Static fallback of :class:`ScalingView`: its figure for one size."""
    return ScalingView(params, losses, coefficient, exponent, tokens, log10_params).figure
