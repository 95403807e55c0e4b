"""Notebook 13's views of a diffusion model.

- :class:`DenoisingTimeline`: a slider from t = T down to 0; the noisy images x_t (top row) and the
  clean images the model predicts from them (bottom row). The trajectory is sampled once; the
  slider only picks a step, so moving it is cheap.
- :class:`PromptGrid`: a prompt box, a guidance slider and a "new seed" button → a grid of digits
  generated for the prompt, each titled with what a digit classifier sees in it (✓ when that is the
  digit the prompt asks for).

Both have static fallbacks: :func:`show_timeline` and :func:`show_prompt_grid`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.figure import Figure

from .. import i18n
from ..checks import check_range
from ..diffusion import Denoiser, NoiseSchedule, Trajectory, ddim_sample, ddpm_sample, to_pixels
from ..figures import figure_title
from .base import LiveView, fixed_layout, new_figure

INTRODUCED_IN = "13"
GRID_COLUMNS = 6


def _blank_axes(ax) -> None:
    ax.set_xticks([])
    ax.set_yticks([])


# --- the denoising timeline ------------------------------------------------------------------------


def _timeline_figure(columns: int) -> tuple[Figure, list, list, object]:
    fig = new_figure(560, 250)
    noisy, clean = [], []
    for k in range(columns):
        for row, store in ((0, noisy), (1, clean)):
            ax = fig.add_subplot(2, columns, row * columns + k + 1)
            _blank_axes(ax)
            store.append(ax.imshow(np.zeros((8, 8)), cmap="gray_r", vmin=0, vmax=1))
            if k == 0:
                ax.set_ylabel(i18n.t("diffusion.noisy_row") if row == 0 else i18n.t("diffusion.predicted_row"), fontsize=8)
    title = figure_title(fig, fontsize=10)
    fig.subplots_adjust(left=0.06, right=0.99, top=0.86, bottom=0.03, wspace=0.08, hspace=0.1)
    return fig, noisy, clean, title


def _draw_timeline(noisy: list, clean: list, title, trajectory: Trajectory, index: int, total: int) -> None:
    # x_t itself can leave -1..1 (it is mostly noise): show it clipped, as the pixels it would be.
    images = to_pixels(trajectory.images[index]).numpy()
    predicted = to_pixels(trajectory.predicted[index]).numpy()
    for k, (top, bottom) in enumerate(zip(noisy, clean)):
        top.set_data(images[k].reshape(8, 8))
        bottom.set_data(predicted[k].reshape(8, 8))
    t = trajectory.times[index]
    phase = ("diffusion.phase_noise" if t == total else "diffusion.phase_done" if t == 0 else "diffusion.phase_removing")
    title.set_text(i18n.t("diffusion.timeline_title", t=t, total=total, phase=i18n.t(phase)))


def sample_trajectory(model: Denoiser, schedule: NoiseSchedule, cond: torch.Tensor | None, n: int,
                      guidance: float = 1.0, seed: int = 0, sampler: str = "ddpm", steps: int = 20) -> Trajectory:
    """The trajectory of ``n`` samples (``sampler`` "ddpm": all T steps; "ddim": ``steps`` steps)."""
    if sampler not in ("ddpm", "ddim"):
        raise ValueError(f"sampler must be 'ddpm' or 'ddim', got {sampler!r}.")
    generator = torch.Generator().manual_seed(int(seed))
    if sampler == "ddpm":
        return ddpm_sample(model, schedule, n, cond, guidance, generator, trajectory=True)[1]
    return ddim_sample(model, schedule, n, cond, steps, guidance, 0.0, generator, trajectory=True)[1]


def show_timeline(trajectory: Trajectory, times: tuple[int, ...] | None = None) -> Figure:
    """Static fallback: the first sample's x_t (top) and predicted x̂₀ (bottom) at a few times."""
    total = trajectory.times[0]
    times = times or tuple(sorted({total, *(round(total * f) for f in (0.8, 0.6, 0.4, 0.2)), 0}, reverse=True))
    missing = [t for t in times if t not in trajectory.times]
    if missing:
        raise ValueError(f"times {missing} are not in the trajectory (it has {trajectory.times[:3]}...{trajectory.times[-2:]}).")
    fig = new_figure(90 * len(times) + 60, 230)
    for k, t in enumerate(times):
        index = trajectory.times.index(t)
        for row, stack in ((0, trajectory.images), (1, trajectory.predicted)):
            ax = fig.add_subplot(2, len(times), row * len(times) + k + 1)
            _blank_axes(ax)
            ax.imshow(to_pixels(stack[index][0]).reshape(8, 8).numpy(), cmap="gray_r", vmin=0, vmax=1)
            if row == 0:
                ax.set_title(f"t = {t}", fontsize=9)
            if k == 0:
                ax.set_ylabel("x_t" if row == 0 else i18n.t("diffusion.predicted_row"), fontsize=9)
    fig.suptitle(i18n.t("diffusion.static_timeline_title"), fontsize=10)
    fig.subplots_adjust(left=0.08, right=0.99, top=0.8, bottom=0.03, wspace=0.1, hspace=0.15)
    return fig


@dataclass
class TimelineState:
    t: int


class DenoisingTimeline(LiveView):
    """A slider over the sampling steps (T → 0) of a few samples: x_t above, predicted x̂₀ below.

    ``cond``: (n, cond_dim) conditions for the n ≤ 8 samples, or None for an unconditional model.
    """

    def __init__(self, model: Denoiser, schedule: NoiseSchedule, cond: torch.Tensor | None = None, n: int = 6,
                 guidance: float = 1.0, seed: int = 0):
        check_range(n, 1, 8, "n")
        if cond is not None and len(cond) != n:
            raise ValueError(f"cond must have one row per sample (n = {n}), got {len(cond)}.")
        self.trajectory = sample_trajectory(model, schedule, cond, int(n), guidance, seed)
        self.total = schedule.steps
        self.state = TimelineState(t=self.total)
        figure, self._noisy, self._clean, self._title = _timeline_figure(int(n))
        self.slider = widgets.IntSlider(value=self.total, min=0, max=self.total, step=1, description="t",
                                        layout=fixed_layout(520), style={"description_width": "20px"})
        self.slider.observe(self._on_slide, names="value")
        self.error = widgets.HTML(layout=fixed_layout(520))
        super().__init__(figure, controls=[self.slider], below=[self.error])

    def _on_slide(self, change: dict) -> None:
        try:
            self.state.t = int(change["new"])
            self.error.value = ""
            self.refresh()
        except Exception as err:  # noqa: BLE001 - a widget callback must never raise into the front end
            self.error.value = f"<span style='color:#b00'>{i18n.t('diffusion.could_not_draw', err=err)}</span>"

    def draw(self) -> None:
        # The trajectory holds every step from T to 0, in that order.
        index = self.trajectory.times.index(self.state.t)
        _draw_timeline(self._noisy, self._clean, self._title, self.trajectory, index, self.total)


# --- prompt → grid of digits -----------------------------------------------------------------------


def generate_for_prompt(model: Denoiser, schedule: NoiseSchedule, condition: torch.Tensor, n: int, guidance: float,
                        seed: int, steps: int = 20) -> torch.Tensor:
    """``n`` digits (n, 64) in 0..1 for one condition vector ``(cond_dim,)``, with DDIM in ``steps`` steps."""
    generator = torch.Generator().manual_seed(int(seed))
    cond = condition.reshape(1, -1).expand(n, -1)
    # One thread: on batches this small, more threads only wait for each other (20× slower on a busy machine).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return to_pixels(ddim_sample(model, schedule, n, cond, steps, guidance, 0.0, generator))
    finally:
        torch.set_num_threads(threads)


def _grid_figure(rows: int, columns: int, live: bool = False) -> tuple[Figure, list, list, object]:
    fig = new_figure(96 * columns + 20, 100 * rows + 40)
    images, axes = [], []
    for k in range(rows * columns):
        ax = fig.add_subplot(rows, columns, k + 1)
        _blank_axes(ax)
        images.append(ax.imshow(np.zeros((8, 8)), cmap="gray_r", vmin=0, vmax=1))
        axes.append(ax)
    # a live view's title is an axes text (utils.figures.figure_title): updates then redraw only the pictures
    title = figure_title(fig, fontsize=10) if live else fig.suptitle("", fontsize=10)
    fig.subplots_adjust(left=0.02, right=0.98, top=0.86, bottom=0.02, wspace=0.15, hspace=0.35)
    return fig, images, axes, title


def _draw_grid(images: list, axes: list, pictures: np.ndarray, verdicts: list[int], wanted: int | None) -> int:
    """Put pictures in the grid, title each with the classifier's verdict; return how many match."""
    hits = 0
    for image, ax, picture, verdict in zip(images, axes, pictures, verdicts):
        image.set_data(picture.reshape(8, 8))
        ok = wanted is not None and verdict == wanted
        hits += ok
        mark = "" if wanted is None else (" ✓" if ok else " ✗")
        # Colour-blind-safe pair (blue/orange) plus the ✓/✗ mark as a second cue.
        ax.set_title(i18n.t("diffusion.sees", verdict=verdict, mark=mark), fontsize=8, color="#0072B2" if ok or wanted is None else "#D55E00", pad=2)
    return hits


def show_prompt_grid(pictures: torch.Tensor, verdicts: list[int], wanted: int | None, title: str = "") -> Figure:
    """Static fallback: ``pictures: (n, 64)`` in 0..1 in a grid, titled with the classifier's verdicts."""
    pictures = pictures.detach().cpu().numpy() if isinstance(pictures, torch.Tensor) else np.asarray(pictures)
    if pictures.ndim != 2 or pictures.shape[1] != 64 or len(pictures) != len(verdicts):
        raise ValueError(f"pictures must be (n, 64) with one verdict each, got {pictures.shape} and {len(verdicts)} verdicts.")
    columns = min(GRID_COLUMNS, len(pictures))
    rows = -(-len(pictures) // columns)
    fig, images, axes, suptitle = _grid_figure(rows, columns)
    for ax in axes[len(pictures):]:
        ax.axis("off")
    hits = _draw_grid(images, axes, pictures, list(verdicts), wanted)
    suptitle.set_text(title or (i18n.t("diffusion.agrees", hits=hits, n=len(pictures)) if wanted is not None else ""))
    return fig


@dataclass
class PromptState:
    prompt: str
    guidance: float
    seed: int


class PromptGrid(LiveView):
    """Type a prompt, set the guidance scale, draw a new seed → ``rows × 6`` digits for the prompt.

    ``encode(prompt) -> (cond_dim,)`` turns a prompt into the model's condition (a sentence
    embedding, or a one-hot label in the fallback) and raises ValueError for a prompt it cannot use;
    ``wanted(prompt) -> int | None`` is the digit the prompt asks for (for the ✓/✗ marks);
    ``classifier((n, 64) pixels) -> (n, 10)`` logits gives the verdicts. Conditions are cached per
    prompt, so only a new prompt runs the text encoder.
    """

    def __init__(self, model: Denoiser, schedule: NoiseSchedule, encode: Callable[[str], torch.Tensor],
                 classifier: Callable[[torch.Tensor], torch.Tensor], wanted: Callable[[str], int | None] | None = None,
                 prompt: str = "a handwritten seven", guidance: float = 3.0, seed: int = 0, rows: int = 2,
                 steps: int = 20, max_guidance: float = 8.0):
        check_range(rows, 1, 4, "rows")
        check_range(guidance, 0.0, max_guidance, "guidance")
        check_range(steps, 1, schedule.steps, "steps")
        self.model, self.schedule, self.encode, self.classifier = model, schedule, encode, classifier
        self.wanted = wanted or (lambda _prompt: None)
        self.n, self.steps = int(rows) * GRID_COLUMNS, int(steps)
        self._conditions: dict[str, torch.Tensor] = {}
        self.state = PromptState(prompt=prompt, guidance=float(guidance), seed=int(seed))
        self.pictures = np.zeros((self.n, 64))
        self.verdicts = [0] * self.n
        self.message = ""
        figure, self._images, self._axes, self._title = _grid_figure(int(rows), GRID_COLUMNS, live=True)
        prompt_label, guidance_label = i18n.t("diffusion.prompt"), i18n.t("diffusion.guidance")
        # Room for the label in any language (English: 50 and 60 px, as before).
        self.prompt_box = widgets.Text(value=prompt, description=prompt_label, continuous_update=False,
                                       layout=fixed_layout(300),
                                       style={"description_width": f"{max(50, 7 * len(prompt_label))}px"})
        self.guidance_slider = widgets.FloatSlider(value=float(guidance), min=0.0, max=float(max_guidance), step=0.5,
                                                   description=guidance_label, continuous_update=False,
                                                   layout=fixed_layout(300),
                                                   style={"description_width": f"{max(60, 7 * len(guidance_label))}px"})
        self.seed_button = widgets.Button(description=i18n.t("diffusion.new_seed"), layout=fixed_layout(100))
        self.prompt_box.observe(lambda change: self._update(prompt=change["new"]), names="value")
        self.guidance_slider.observe(lambda change: self._update(guidance=float(change["new"])), names="value")
        self.seed_button.on_click(lambda _button: self._update(seed=self.state.seed + 1))
        self.info = widgets.HTML(layout=fixed_layout(600))
        self._generate()
        super().__init__(figure, controls=[self.prompt_box, self.guidance_slider, self.seed_button], below=[self.info])

    def condition(self, prompt: str) -> torch.Tensor:
        """The model's condition for ``prompt`` (encoded once, then cached)."""
        if prompt not in self._conditions:
            if not prompt.strip():
                raise ValueError(i18n.t("diffusion.empty_prompt"))
            self._conditions[prompt] = torch.as_tensor(self.encode(prompt), dtype=torch.float32).reshape(-1)
        return self._conditions[prompt]

    def _generate(self) -> None:
        s = self.state
        pictures = generate_for_prompt(self.model, self.schedule, self.condition(s.prompt), self.n, s.guidance,
                                       s.seed, self.steps)
        with torch.no_grad():
            verdicts = self.classifier(pictures).argmax(dim=1).tolist()
        self.pictures, self.verdicts = pictures.numpy(), verdicts

    def _update(self, **changes) -> None:
        """Apply a control's change, regenerate, redraw; an unusable prompt keeps the last picture."""
        previous = dict(vars(self.state))
        try:
            for field, value in changes.items():
                setattr(self.state, field, value)
            self._generate()
            self.message = ""
        except Exception as err:  # noqa: BLE001 - a widget callback must never raise into the front end
            for field, value in previous.items():
                setattr(self.state, field, value)
            self.message = str(err)
        self.refresh()

    def draw(self) -> None:
        wanted = None
        try:
            wanted = self.wanted(self.state.prompt)
        except ValueError:
            pass
        hits = _draw_grid(self._images, self._axes, self.pictures, self.verdicts, wanted)
        s = self.state
        self._title.set_text(i18n.t("diffusion.grid_title", prompt=s.prompt[:40], guidance=s.guidance, seed=s.seed))
        summary = (i18n.t("diffusion.summary", wanted=wanted, hits=hits, n=self.n) if wanted is not None
                   else i18n.t("diffusion.summary_no_digit"))
        note = (f"<span style='color:#D55E00'>{i18n.t('diffusion.kept_last', message=self.message)}</span><br>"
                if self.message else "")
        self.info.value = note + summary
