"""Notebook 09's views: live loss curves while a model trains, and a model-size slider on the
fitted scaling law."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullLocator, ScalarFormatter

from ..diagrams.style import BLUE, VERMILLION
from ..figures import set_limits
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
            last = max(s.train_steps + s.val_steps)
            set_limits(self.ax, xlim=(0, max(self.total_steps or last, 1)))
            self._fit_ylim(min(values), max(values), final=self.total_steps is None or last >= self.total_steps)

    def _fit_ylim(self, lo: float, hi: float, final: bool) -> None:
        """Fit the y range to the curves. While training runs, keep it as long as the curves fit in
        it and fill most of it: new limits mean new ticks, and redrawing the axes' frame is most of
        the time of an update; when it must change, leave room below: a loss is expected to fall.
        At the last step (``final``), fit it tightly: that is the picture that stays."""
        pad = 0.05 * (hi - lo) + 0.02
        if final:
            set_limits(self.ax, ylim=(lo - pad, hi + pad))
            return
        low, high = self.ax.get_ylim()
        if low <= lo - pad / 2 and hi + pad / 2 <= high and high - low <= 1.5 * (hi - lo + 2 * pad):
            return
        self.ax.set_ylim(lo - pad - 0.2 * (hi - lo), hi + pad)


@dataclass
class ScalingState:
    """The model size the slider points at, as log10 of the non-embedding parameters."""

    log10_params: float = 5.0


class ScalingView(LiveView):
    """A model-size slider moves a marker along the fitted power law ``loss = a · N^(-α)``.

    ``params``, ``losses``: the measured sizes and validation losses (drawn as dots);
    ``tokens``: D, the tokens each model saw (for compute ≈ 6·N·D);
    ``unit``: what the loss is per, ``"char"`` (notebook 09's character models) or ``"token"``.
    The picture names the chosen size and its predicted loss beside the marker, so the saved
    picture says what the slider shows.
    """

    def __init__(self, params: np.ndarray, losses: np.ndarray, coefficient: float, exponent: float,
                 tokens: int, log10_params: float | None = None, unit: str = "char"):
        params, losses = np.asarray(params, dtype=float), np.asarray(losses, dtype=float)
        if params.shape != losses.shape or params.size < 2:
            raise ValueError(f"params and losses need the same shape and at least two sizes, got "
                             f"{params.shape} and {losses.shape}.")
        if unit not in ("char", "token"):
            raise ValueError(f"unit must be 'char' or 'token' (what the loss is measured per), got {unit!r}.")
        self.coefficient, self.exponent, self.tokens, self.unit = coefficient, exponent, int(tokens), unit
        self.measured = (params.min(), params.max())
        lo, hi = math.floor(math.log10(params.min())) - 1, math.ceil(math.log10(params.max())) + 2
        start = log10_params if log10_params is not None else float(np.log10(params).mean())
        self.state = ScalingState(log10_params=start)
        fig = new_figure(520, 340)
        ax = fig.add_subplot(1, 1, 1)
        grid = np.logspace(lo, hi, 100)
        inside = (grid >= self.measured[0]) & (grid <= self.measured[1])
        ax.loglog(grid[inside], power_law(grid[inside], coefficient, exponent), color=BLUE,
                  lw=2, label=t("training.fit_label", coefficient=coefficient, exponent=exponent))
        ax.loglog(grid, power_law(grid, coefficient, exponent), "--", color=BLUE, lw=1,
                  alpha=0.6, label=t("training.extrapolation_label"))
        ax.loglog(params, losses, "o", color="black", ms=5, label=t("training.measured_label"))
        (self.marker,) = ax.loglog([], [], "*", color=VERMILLION, ms=16, label=t("training.chosen_label"))
        self.marker_label = ax.annotate("", (1, 1), xytext=(10, 6), textcoords="offset points", fontsize=8,
                                        color=VERMILLION, fontweight="bold")
        ends = power_law(grid[[-1, 0]], coefficient, exponent)   # lowest and highest point of the law drawn
        low, high = min(ends.min(), losses.min()), max(ends.max(), losses.max())
        ax.set_ylim(low / 1.04, high * 1.15)   # room above for the marker's label at the left end
        ax.set(xlabel=t("training.params_axis"), ylabel=t("training.val_loss_axis", unit=t(f"training.per_{unit}")),
               title=t("training.scaling_title"))
        ax.title.set_fontsize(10)
        # A handful of labelled losses and one line per decade of N: minor grid lines at every
        # 2..9 × 10^k made a dense mesh that hid the points.
        ax.yaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 5, 10]))
        ax.yaxis.set_major_formatter(ScalarFormatter())
        ax.yaxis.set_minor_locator(NullLocator())
        ax.grid(alpha=0.3, which="major")
        ax.legend(fontsize=8, loc="lower left")
        fig.tight_layout()
        self._ax, self._log10_range = ax, (lo, hi)
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
        self.marker_label.xy = (p["params"], p["loss"])
        # Below-left of the star, where the falling line leaves room; above the line near either end.
        log10_n = self.state.log10_params
        if log10_n > self._log10_range[1] - 1.5:
            offset, ha, va = (-10, 8), "right", "bottom"
        elif log10_n < self._log10_range[0] + 1.5:
            offset, ha, va = (10, 8), "left", "bottom"
        else:
            offset, ha, va = (-8, -10), "right", "top"
        self.marker_label.set_position(offset)
        self.marker_label.set_horizontalalignment(ha)
        self.marker_label.set_verticalalignment(va)
        self.marker_label.set_text(t("training.marker_label", params=_short_count(p["params"]), loss=p["loss"],
                                     unit=t(f"training.per_{self.unit}"))
                                   + (t("training.marker_extrapolated") if p["extrapolated"] else ""))
        warning = t("training.outside_range") if p["extrapolated"] else ""
        self.readout.value = t("training.readout", params=p["params"], loss=p["loss"], tokens=p["tokens"],
                               compute=p["compute"], chinchilla_tokens=p["chinchilla_tokens"], warning=warning)


def _short_count(n: float) -> str:
    """1234 -> "1.2 k", 3.4e7 -> "34 M": a size one reads at a glance (the readout has the exact one)."""
    for scale, suffix in ((1e9, t("training.billion")), (1e6, t("training.million")), (1e3, t("training.thousand"))):
        if n >= scale:
            return f"{n / scale:.2g} {suffix}" if n < 10 * scale else f"{n / scale:.0f} {suffix}"
    return f"{n:.0f}"


def show_scaling(params: np.ndarray, losses: np.ndarray, coefficient: float, exponent: float,
                 tokens: int, log10_params: float | None = None, unit: str = "char") -> Figure:
    """Static fallback of :class:`ScalingView`: its figure for one size."""
    return ScalingView(params, losses, coefficient, exponent, tokens, log10_params, unit).figure
