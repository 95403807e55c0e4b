"""Notebook 11: RLHF runs at several KL coefficients β, side by side.

A slider picks β. The figure shows, per policy-optimisation step, the learned reward and the KL
divergence to the reference model of every run (the chosen run in colour, the others grey); the
text panel shows samples of the reference model ("before") and of the chosen run's policy
("after"), each with its learned reward (RM) and the labeller's true score.

A run is a plain dict (what the notebook's training loop returns, and what can be saved as JSON)::

    {"beta": 0.1, "reward": [...], "kl": [...],            # one value per step
     "true": [...],                                         # optional: the labeller's score per step
     "before": [(text, rm, true), ...], "after": [(text, rm, true), ...]}
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..i18n import t
from .base import LiveView, fixed_layout, new_figure

INTRODUCED_IN = "11"

MAX_SAMPLES = 6      # samples shown per side
MAX_CHARS = 80       # characters shown per sample
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


def _draw_static(fig: Figure, runs: list[dict]) -> dict:
    ax_r = fig.add_axes((0.14, 0.58, 0.74, 0.34))
    ax_k = fig.add_axes((0.14, 0.11, 0.74, 0.34))
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
    if ax_t is not None:
        (chosen_t,) = ax_t.plot([], [], color="#7570b3", lw=1.5, ls="--", label=t("rlhf.legend_true"))
        ax_t.set_ylabel(t("rlhf.axis_true"), color="#7570b3", fontsize=9)
        ax_t.grid(False)
        ax_r.legend(handles=[chosen_r, chosen_t], fontsize=7, loc="upper left")
    ax_r.set_ylabel(t("rlhf.axis_reward"))
    ax_k.set_ylabel(t("rlhf.axis_kl"))
    ax_k.set_xlabel(t("rlhf.axis_step"))
    for ax in (ax_r, ax_k):
        ax.grid(alpha=0.3)
    title = ax_r.set_title("", fontsize=10)
    return {"reward": chosen_r, "kl": chosen_k, "true": chosen_t, "ax_true": ax_t, "others_r": others_r,
            "others_k": others_k, "title": title, "ax_k": ax_k}


def _samples_html(run: dict) -> str:
    def table(title: str, rows: list) -> str:
        lines = [f"<b>{html.escape(title)}</b>",
                 "<table style='font-family:monospace;font-size:12px;border-collapse:collapse'>",
                 "<tr><th style='text-align:right'>RM</th>"  # the reward model's score: RM in every language
                 f"<th style='text-align:right'>{html.escape(t('rlhf.column_true'))}</th>"
                 f"<th style='text-align:left;padding-left:8px'>{html.escape(t('rlhf.column_completion'))}</th></tr>"]
        for text, rm, true in rows[:MAX_SAMPLES]:
            shown = html.escape(text[:MAX_CHARS].replace("\n", " ↵ "))
            lines.append(f"<tr><td style='text-align:right'>{rm:+.2f}</td><td style='text-align:right'>"
                         f"{true:+.0f}</td><td style='padding-left:8px;white-space:pre'>{shown}</td></tr>")
        lines.append("</table>")
        return "".join(lines)

    return table(t("rlhf.before"), run["before"]) + "<br>" + table(t("rlhf.after", beta=run["beta"]), run["after"])


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


def show_rlhf_runs(runs: list[dict], beta: float | None = None) -> Figure:
    """Static fallback: reward and KL curves of every run, ``beta``'s run (default: the first) in colour."""
    runs = check_runs(runs)
    fig = new_figure(520, 380)
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
        fig = new_figure(520, 380)
        self._artists = _draw_static(fig, self.runs)
        self.beta = widgets.SelectionSlider(options=betas, value=self.state.beta, description=t("rlhf.slider"),
                                            continuous_update=True, layout=fixed_layout(360))
        # Under the picture, not beside it: side by side the view was 1178 px wide and cut off.
        self.samples = widgets.HTML(layout=widgets.Layout(width="760px", height="380px", overflow="auto"))
        self.link(self.beta, "beta")
        super().__init__(fig, [self.beta], below=[self.samples])

    def run(self) -> dict:
        """The run the slider points at."""
        return next(run for run in self.runs if run["beta"] == self.state.beta)

    def draw(self) -> None:
        run = self.run()
        _update(self._artists, run)
        self.samples.value = _samples_html(run)
