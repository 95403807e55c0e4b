"""Notebook 11: RLHF runs at several KL coefficients β, side by side.

A slider picks β. The figure shows, per policy-optimisation step, the learned reward and the KL
divergence to the reference model of every run (the chosen run in colour, the others grey); beside
them, in the same picture, samples of the reference model ("before") and of the chosen run's policy
("after"), each with its learned reward (RM) and the labeller's true score.

A run is a plain dict (what the notebook's training loop returns, and what can be saved as JSON)::

    {"beta": 0.1, "reward": [...], "kl": [...],            # one value per step
     "true": [...],                                         # optional: the labeller's score per step
     "before": [(text, rm, true), ...], "after": [(text, rm, true), ...]}
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..i18n import t
from .base import LiveView, figure_to_png, fixed_layout, new_figure

INTRODUCED_IN = "11"

MAX_SAMPLES = 8      # samples shown per side
MAX_CHARS = 40       # characters shown per sample (the notebook's completions have 32)
RUN_KEYS = ("beta", "reward", "kl", "before", "after")


def check_runs(runs: list[dict]) -> list[dict]:
    """Validate runs (see the module docstring) and sort them by β."""
    if not runs:
        raise ValueError("Give at least one run: a dict with keys " + ", ".join(RUN_KEYS) + ".")
    for run in runs:
        missing = [k for k in RUN_KEYS if k not in run]
        if missing:
            raise ValueError(f"A run lacks {missing}; each run needs the keys {RUN_KEYS}.")
        if len(run["reward"]) != len(run["kl"]) or not run["reward"]:
            raise ValueError("A run's 'reward' and 'kl' must be non-empty lists of the same length "
                             "(one value per step).")
        if "true" in run and len(run["true"]) != len(run["reward"]):
            raise ValueError("A run's 'true' (the labeller's score per step) must have one value per step, "
                             "like 'reward'.")
    return sorted(runs, key=lambda run: run["beta"])


# The figure's layout, in pixels of a WIDTH × HEIGHT picture: the curves on the left, the samples
# on the right (so that the picture saved on GitHub shows them too, not only a running notebook).
WIDTH, HEIGHT = 800, 460
CURVES_LEFT, CURVES_RIGHT = 78, 372      # the twin axis' label needs room right of the curves
SAMPLES_LEFT = 440


def _frac(x_px: float, y_px: float) -> tuple[float, float]:
    return x_px / WIDTH, y_px / HEIGHT


def _draw_static(fig: Figure, runs: list[dict]) -> dict:
    width = (CURVES_RIGHT - CURVES_LEFT) / WIDTH
    ax_r = fig.add_axes((*_frac(CURVES_LEFT, 262), width, 130 / HEIGHT))
    ax_k = fig.add_axes((*_frac(CURVES_LEFT, 50), width, 150 / HEIGHT))
    # The labeller's true score beside the learned reward, when the runs recorded it: a learned
    # reward that rises while the true score falls is reward hacking, and it should be visible.
    ax_t = ax_r.twinx() if all("true" in run for run in runs) else None
    others_r, others_k = [], []
    for run in runs:
        steps = np.arange(1, len(run["reward"]) + 1)
        others_r.append(ax_r.plot(steps, run["reward"], color="#c8c8c8", lw=1)[0])
        others_k.append(ax_k.plot(steps, run["kl"], color="#c8c8c8", lw=1)[0])
        # Each grey line says which β it is, at its right end.
        ax_k.annotate(f"β={run['beta']:g}", (steps[-1], run["kl"][-1]), xytext=(3, 0), textcoords="offset points",
                      fontsize=7, color="#777", va="center", annotation_clip=False)
    (chosen_r,) = ax_r.plot([], [], color="#d95f02", lw=2, label=t("rlhf.legend_reward"))
    (chosen_k,) = ax_k.plot([], [], color="#1b9e77", lw=2)
    chosen_t = None
    handles = [chosen_r]
    if ax_t is not None:
        (chosen_t,) = ax_t.plot([], [], color="#7570b3", lw=1.5, ls="--", label=t("rlhf.legend_true"))
        ax_t.set_ylabel(t("rlhf.axis_true"), color="#7570b3", fontsize=9)
        ax_t.grid(False)
        handles.append(chosen_t)
    # Above the curves, not on them: inside the axes the legend hid the first steps.
    ax_r.legend(handles=handles, fontsize=7, loc="lower left", bbox_to_anchor=(-0.02, 1.0), frameon=False,
                borderaxespad=0.2, handlelength=2.5)
    ax_r.set_ylabel(t("rlhf.axis_reward"))
    ax_k.set_ylabel(t("rlhf.axis_kl"))
    ax_k.set_xlabel(t("rlhf.axis_step"))
    for ax in (ax_r, ax_k):
        ax.grid(alpha=0.3)
    title = fig.text(0.5, 1 - 8 / HEIGHT, "", ha="center", va="top", fontsize=10)
    # The samples: a bold heading and a monospaced table for the reference and for the chosen policy.
    x = SAMPLES_LEFT / WIDTH
    samples = {}
    for key, top in (("before", 410), ("after", 215)):
        heading = fig.text(x, top / HEIGHT, "", fontsize=9, fontweight="bold", va="top")
        body = fig.text(x, (top - 18) / HEIGHT, "", fontsize=8.5, family="monospace", va="top", linespacing=1.25)
        samples[key] = (heading, body)
    return {"reward": chosen_r, "kl": chosen_k, "true": chosen_t, "ax_true": ax_t, "others_r": others_r,
            "others_k": others_k, "title": title, "ax_k": ax_k, "ax_r": ax_r, "samples": samples}


def sample_table(rows: list) -> str:
    """The first ``MAX_SAMPLES`` samples as fixed-width lines: the reward model's score (RM, in
    standard deviations), the labeller's true score, the completion (a line break shown as ↵)."""
    true_name, text_name = t("rlhf.column_true"), t("rlhf.column_completion")
    true_width = max(5, len(true_name))
    lines = [f"{'RM':>5} {true_name:>{true_width}}  {text_name}"]
    for text, rm, true in rows[:MAX_SAMPLES]:
        shown = text.replace("\n", "↵")
        shown = shown if len(shown) <= MAX_CHARS else shown[:MAX_CHARS - 1] + "…"
        lines.append(f"{rm:+5.2f} {true:+{true_width}.1f}  {shown}")
    return "\n".join(lines)


def _update(artists: dict, run: dict) -> None:
    steps = np.arange(1, len(run["reward"]) + 1)
    artists["reward"].set_data(steps, run["reward"])
    artists["kl"].set_data(steps, run["kl"])
    if artists["true"] is not None:
        artists["true"].set_data(steps, run["true"])
        artists["ax_true"].relim()
        artists["ax_true"].autoscale_view()
    true = t("rlhf.title_true", true_start=run["true"][0], true_end=run["true"][-1]) if "true" in run else ""
    artists["title"].set_text(t("rlhf.title", beta=run["beta"], reward_start=run["reward"][0],
                                reward_end=run["reward"][-1], true=true, kl_start=run["kl"][0], kl_end=run["kl"][-1]))
    for key, heading in (("before", t("rlhf.before")), ("after", t("rlhf.after", beta=run["beta"]))):
        heading_text, body = artists["samples"][key]
        heading_text.set_text(heading)
        body.set_text(sample_table(run[key]))


def show_rlhf_runs(runs: list[dict], beta: float | None = None) -> Figure:
    """Static fallback: reward and KL curves of every run, ``beta``'s run (default: the first) in colour,
    and samples of the reference and of that run's policy with their scores."""
    runs = check_runs(runs)
    fig = new_figure(WIDTH, HEIGHT)
    artists = _draw_static(fig, runs)
    betas = [run["beta"] for run in runs]
    _update(artists, runs[betas.index(beta) if beta in betas else 0])
    return fig


@dataclass
class RLHFState:
    beta: float


class RLHFRunsView(LiveView):
    """A β slider over precomputed runs: reward and KL curves, samples before/after with rewards."""

    def __init__(self, runs: list[dict], beta: float | None = None):
        self.runs = check_runs(runs)
        betas = [run["beta"] for run in self.runs]
        self.state = RLHFState(beta=beta if beta in betas else betas[0])
        fig = new_figure(WIDTH, HEIGHT)
        self._artists = _draw_static(fig, self.runs)
        self.beta = widgets.SelectionSlider(options=betas, value=self.state.beta, description=t("rlhf.slider"),
                                            continuous_update=True, layout=fixed_layout(360))
        # One picture per β, drawn once here: its sixteen lines of samples take most of a drawing
        # (matplotlib renders text glyph by glyph), and the slider has only a few positions, so every
        # move of it then shows a picture at once.
        self._pngs: dict[float, bytes] = {}
        self.link(self.beta, "beta")
        super().__init__(fig, [self.beta])
        for run in self.runs:
            if run["beta"] not in self._pngs:
                _update(self._artists, run)
                self._pngs[run["beta"]] = figure_to_png(self.figure)
        _update(self._artists, self.run())   # the figure shows the chosen run again

    def run(self) -> dict:
        """The run the slider points at."""
        return next(run for run in self.runs if run["beta"] == self.state.beta)

    def draw(self) -> None:
        _update(self._artists, self.run())

    def _update_slot(self) -> None:
        png = self._pngs.get(self.state.beta)
        if png is None:
            png = self._pngs[self.state.beta] = figure_to_png(self.figure)
        self.image.value = png
