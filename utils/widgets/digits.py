"""Notebook 04's digit views.

- :class:`HiddenUnitsTrainer`: the input weights of hidden units as 8×8 images (RdBu_r, centred
  at 0), updating each time "train N steps" runs N more training steps.
- :class:`DigitProbabilities`: pick a validation digit with a slider, add noise, see the
  network's class probabilities as bars.
- :class:`LatentExplorer`: two latent sliders → the digit an autoencoder's decoder draws there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib import patheffects
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure

from ..checks import check_range, check_shape
from ..diagrams.style import CATEGORY_10
from ..figures import figure_title, keep_in_frame
from ..i18n import t
from ..train import train_steps
from .base import LiveView, fixed_layout, new_figure, problem_html

INTRODUCED_IN = "04"

# --- hidden-unit weights -------------------------------------------------------------------------


def first_linear(model: torch.nn.Module) -> torch.nn.Linear:
    """The first ``nn.Linear`` of a model (the layer whose weights look at the pixels)."""
    for module in model.modules():
        if isinstance(module, torch.nn.Linear):
            if module.in_features != 64:
                raise ValueError(f"the first linear layer must take 64 pixels (8×8), it takes {module.in_features}.")
            return module
    raise ValueError("the model has no nn.Linear layer whose weights could be shown as images.")


def _weight_grid(fig: Figure, units: int) -> tuple[list, int]:
    cols = math.ceil(math.sqrt(units))
    rows = math.ceil(units / cols)
    images = []
    for k in range(rows * cols):
        ax = fig.add_subplot(rows, cols, k + 1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        for spine in ax.spines.values():  # a thin frame on all four sides (not the plot's two axis lines)
            spine.set(visible=True, color="#999", linewidth=0.5)
        if k < units:
            # "nearest": what matplotlib's "auto" picks for an 8×8 image shown ~10× larger (same pixels),
            # without deciding it again at each of the 16 images of every redraw
            images.append(ax.imshow(np.zeros((8, 8)), cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest",
                                    interpolation_stage="rgba"))
            ax.set_title(t("digits.unit", unit=k), fontsize=7, pad=2)
        else:
            ax.axis("off")
    return images, cols


def _set_weights(images: list, weight: np.ndarray) -> float:
    """Put each row of ``weight: (units, 64)`` in its image, each on its own colour scale centred at
    0 (one shared scale would let the strongest unit wash the others out to faint noise).
    Returns the largest |weight| shown."""
    for image, row in zip(images, weight):
        limit = float(np.abs(row).max()) or 1.0
        image.set_data(row.reshape(8, 8))
        image.set_clim(-limit, limit)
    return float(np.abs(weight).max())


def show_hidden_weights(weight: torch.Tensor | np.ndarray, units: int = 16, title: str = "",
                        strongest: bool = False) -> Figure:
    """Static fallback: ``units`` rows of ``weight: (hidden, 64)`` as 8×8 images, each on its own
    colour scale: the first ones, or with ``strongest`` the units with the largest weights (L2 norm)."""
    weight = weight.detach().cpu().numpy() if isinstance(weight, torch.Tensor) else np.asarray(weight)
    check_shape(weight, (None, 64), "weight")
    units = int(check_range(units, 1, min(64, weight.shape[0]), "units"))
    chosen = np.argsort(-np.linalg.norm(weight, axis=1))[:units] if strongest else np.arange(units)
    fig = new_figure(480, 430)
    images, _ = _weight_grid(fig, units)
    _set_weights(images, weight[chosen])
    for image, unit in zip(images, chosen):
        image.axes.set_title(t("digits.unit", unit=unit), fontsize=7, pad=2)
    fig.suptitle(title or t("digits.weights_title", units=units),
                 fontsize=9)
    fig.tight_layout(rect=(0, 0, 0.84, 1))
    # One colour bar for all: each unit is on its own scale, so it reads in units of that unit's
    # largest |weight| (−max … 0 … +max), not in absolute weights.
    bar = fig.colorbar(ScalarMappable(Normalize(-1, 1), cmap="RdBu_r"), cax=fig.add_axes((0.86, 0.2, 0.025, 0.6)),
                       ticks=[-1, 0, 1])
    bar.ax.set_yticklabels(["−max", "0", "+max"], fontsize=7)
    bar.set_label(t("digits.per_unit_scale"), fontsize=7, labelpad=2)
    return fig


@dataclass
class TrainerState:
    steps_per_click: int = 50
    steps_done: int = 0
    last_loss: float = float("nan")
    val_accuracy: float = float("nan")


class HiddenUnitsTrainer(LiveView):
    """A "train N steps" button; the first ``units`` hidden units' input weights redraw as it learns.

    ``model``'s first ``nn.Linear`` must take the 64 pixels. Training uses Adam on random
    mini-batches of ``(images, labels)`` with cross-entropy; validation accuracy is shown beside.
    """

    def __init__(self, model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor,
                 val_images: torch.Tensor, val_labels: torch.Tensor, units: int = 16,
                 steps_per_click: int = 50, learning_rate: float = 1e-3, seed: int = 0):
        self.model = model
        self.layer = first_linear(model)
        check_shape(images, (None, 64), "images")
        check_shape(val_images, (None, 64), "val_images")
        self.units = int(check_range(units, 1, min(64, self.layer.out_features), "units"))
        check_range(steps_per_click, 1, 2000, "steps_per_click")
        self.data = (images, labels, val_images, val_labels)
        self.optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
        self.generator = torch.Generator().manual_seed(seed)
        self.state = TrainerState(steps_per_click=int(steps_per_click))
        figure = new_figure(430, 430)
        self._images, _ = _weight_grid(figure, self.units)
        keep_in_frame(*(image.axes.title for image in self._images))  # "unit k" never changes here
        self._title = figure_title(figure, fontsize=9)
        figure.tight_layout(rect=(0, 0, 1, 0.93))  # room for the two-line title
        self.steps_slider = self.link(
            widgets.IntSlider(value=int(steps_per_click), min=10, max=500, step=10, description="N",
                              layout=fixed_layout(260), style={"description_width": "20px"}),
            "steps_per_click")
        self.train_button = widgets.Button(description=t("digits.train_button"), button_style="primary",
                                           layout=fixed_layout(140))
        self.train_button.on_click(self.guarded(lambda _: self.train()))
        self.info = widgets.HTML(layout=fixed_layout(200, 120))
        self._evaluate()
        super().__init__(figure, controls=[self.steps_slider, self.train_button], side=[self.info])

    def _evaluate(self) -> None:
        _, _, val_images, val_labels = self.data
        with torch.no_grad():
            predicted = self.model(val_images).argmax(dim=1)
        self.state.val_accuracy = float((predicted == val_labels).float().mean())

    def train(self) -> None:
        """Run ``state.steps_per_click`` more training steps and redraw."""
        images, labels = self.data[:2]
        losses = train_steps(self.model, self.optimizer, images, labels, F.cross_entropy,
                             self.state.steps_per_click, batch_size=64, generator=self.generator)
        self.state.steps_done += len(losses)
        self.state.last_loss = losses[-1]
        self._evaluate()
        self.refresh()

    def weights(self) -> np.ndarray:
        """The shown weights, ``(units, 64)``."""
        return self.layer.weight.detach()[: self.units].cpu().numpy().copy()

    def draw(self) -> None:
        limit = _set_weights(self._images, self.weights())
        s = self.state
        self._title.set_text(t("digits.trained_title", steps=s.steps_done, limit=limit))
        self.info.value = t("digits.info", steps=s.steps_done, loss=s.last_loss, accuracy=s.val_accuracy)


# --- class probabilities -------------------------------------------------------------------------


def noisy_digit(image: torch.Tensor, noise: float, seed: int) -> torch.Tensor:
    """``image: (64,)`` plus ``noise`` × a fixed random pattern (seeded), clipped to 0..1."""
    check_range(noise, 0.0, 2.0, "noise")
    pattern = torch.randn(64, generator=torch.Generator().manual_seed(int(seed)))
    return (image + noise * pattern).clamp(0.0, 1.0)


def _probability_axes(fig: Figure) -> dict:
    image_ax, bar_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    image = image_ax.imshow(np.zeros((8, 8)), cmap="gray_r", vmin=0, vmax=1)
    image_ax.set_xticks([])
    image_ax.set_yticks([])
    image_ax.grid(False)
    image_ax.set_frame_on(False)  # a picture, not a plot: no axis lines around it
    image_title = image_ax.set_title("", fontsize=9)
    bars = bar_ax.bar(range(10), np.zeros(10), color="tab:blue", edgecolor="white")
    bar_ax.set(ylim=(0, 1), xticks=range(10), xlabel=t("digits.class"), ylabel=t("digits.probability"))
    bar_title = bar_ax.set_title("", fontsize=9)
    fig.tight_layout()
    return {"image": image, "image_title": image_title, "bars": bars, "bar_title": bar_title}


def _update_probabilities(artists: dict, model: torch.nn.Module, image: torch.Tensor, label: int) -> np.ndarray:
    with torch.no_grad():
        probabilities = torch.softmax(model(image.unsqueeze(0)), dim=1)[0].numpy()
    artists["image"].set_data(image.numpy().reshape(8, 8))
    artists["image_title"].set_text(t("digits.true_label", label=label))
    best = int(probabilities.argmax())
    for k, bar in enumerate(artists["bars"]):
        bar.set_height(probabilities[k])
        bar.set_facecolor("tab:green" if k == best == label else ("tab:red" if k == best else "tab:blue"))
        bar.set_hatch("///" if k == best != label else "")  # a second cue beside the colour
    verdict = t("digits.right") if best == label else t("digits.wrong", label=label)
    artists["bar_title"].set_text(t("digits.network_says", best=best, p=probabilities[best], verdict=verdict))
    return probabilities


def show_probabilities(model: torch.nn.Module, image: torch.Tensor, label: int) -> Figure:
    """Static fallback: one digit ``image: (64,)`` and the model's 10 class probabilities."""
    check_shape(image, (64,), "image")
    fig = new_figure(520, 250)
    _update_probabilities(_probability_axes(fig), model, image.float(), int(label))
    return fig


@dataclass
class ProbabilityState:
    index: int = 0
    noise: float = 0.0


class DigitProbabilities(LiveView):
    """Slider picks a digit, another adds noise; bars show the model's class probabilities."""

    def __init__(self, model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor, index: int = 0):
        check_shape(images, (None, 64), "images")
        if len(labels) != len(images):
            raise ValueError(f"need one label per image, got {len(images)} images and {len(labels)} labels.")
        check_range(index, 0, len(images) - 1, "index")
        self.model, self.images, self.labels = model, images, labels
        self.state = ProbabilityState(index=int(index))
        figure = new_figure(520, 250)
        self._artists = _probability_axes(figure)
        self.index = self.link(widgets.IntSlider(value=int(index), min=0, max=len(images) - 1, description=t("digits.index"),
                                                 layout=fixed_layout(300), style={"description_width": "55px"}),
                               "index")
        self.noise = self.link(widgets.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.05, description=t("digits.noise"),
                                                   layout=fixed_layout(260), style={"description_width": "45px"}),
                               "noise")
        super().__init__(figure, controls=[self.index, self.noise])

    def current_image(self) -> torch.Tensor:
        return noisy_digit(self.images[self.state.index], self.state.noise, seed=self.state.index)

    def draw(self) -> None:
        label = int(self.labels[self.state.index])
        self.probabilities = _update_probabilities(self._artists, self.model, self.current_image(), label)


# --- latent space ------------------------------------------------------------------------------


def _latent_axes(fig: Figure, codes: np.ndarray, labels: np.ndarray) -> dict:
    map_ax, image_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
    points = map_ax.scatter(codes[:, 0], codes[:, 1], c=labels, cmap=ListedColormap(CATEGORY_10),
                            vmin=-0.5, vmax=9.5, s=6, alpha=0.7)
    fig.colorbar(points, ax=map_ax, ticks=range(10), fraction=0.046, pad=0.02).set_label(t("digits.digit"), fontsize=8)
    # Ten colours (a colour-blind-safe set) are still more than a reader can tell apart: each cluster
    # also carries its digit, written at the cluster's median.
    for digit in np.unique(labels):
        x, y = np.median(codes[labels == digit], axis=0)
        map_ax.text(x, y, str(int(digit)), fontsize=10, fontweight="bold", ha="center", va="center", zorder=4,
                    path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")])
    # Under the digits' names: a cross started in the middle of a cluster must not hide its name.
    (cursor,) = map_ax.plot([0], [0], marker="X", color="black", ms=12, mec="white", ls="none", zorder=3)
    map_ax.set(xlabel=t("digits.latent", axis="$z_1$"), ylabel=t("digits.latent", axis="$z_2$"),
               title=t("digits.latent_title"))
    map_ax.title.set_fontsize(9)
    image = image_ax.imshow(np.zeros((8, 8)), cmap="gray_r", vmin=0, vmax=1)
    image_ax.set_xticks([])
    image_ax.set_yticks([])
    image_ax.grid(False)
    image_ax.set_frame_on(False)
    image_title = image_ax.set_title("", fontsize=9)
    fig.tight_layout()
    return {"cursor": cursor, "image": image, "image_title": image_title}


def _decode(decoder: torch.nn.Module, z1: float, z2: float) -> np.ndarray:
    with torch.no_grad():
        out = decoder(torch.tensor([[z1, z2]], dtype=torch.float32))
    if out.numel() != 64:
        raise ValueError(f"the decoder must turn a latent (1, 2) into 64 pixels, it gave shape {tuple(out.shape)}.")
    return out.reshape(8, 8).numpy()


def show_generated(decoder: torch.nn.Module, codes: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray,
                   z: tuple[float, float]) -> Figure:
    """Static fallback: the latent map of ``codes: (n, 2)`` and the digit decoded at ``z``."""
    codes = np.asarray(codes.detach() if isinstance(codes, torch.Tensor) else codes, dtype=float)
    check_shape(codes, (None, 2), "codes")
    fig = new_figure(560, 260)
    artists = _latent_axes(fig, codes, np.asarray(labels))
    artists["cursor"].set_data([z[0]], [z[1]])
    artists["image"].set_data(_decode(decoder, float(z[0]), float(z[1])))
    artists["image_title"].set_text(t("digits.decoded_at", z1=z[0], z2=z[1]))
    return fig


@dataclass
class LatentState:
    z1: float = 0.0
    z2: float = 0.0


class LatentExplorer(LiveView):
    """Sliders for a 2-D latent point; the decoder draws the digit there, the map shows where it is.

    Slider ranges span the encoded training digits (``codes: (n, 2)``), so every point is one
    the decoder has learned something about. The cross starts at ``start`` (z1, z2) if given, else
    at the median of all codes.
    """

    def __init__(self, decoder: torch.nn.Module, codes: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray,
                 start: tuple[float, float] | None = None):
        codes = np.asarray(codes.detach() if isinstance(codes, torch.Tensor) else codes, dtype=float)
        check_shape(codes, (None, 2), "codes")
        labels = np.asarray(labels.detach() if isinstance(labels, torch.Tensor) else labels)
        if len(labels) != len(codes):
            raise ValueError(f"codes and labels must have one row per digit, got {len(codes)} and {len(labels)}.")
        finite = np.isfinite(codes).all(axis=1)
        if not finite.any():
            raise ValueError("every code is NaN or infinite: the autoencoder's training diverged. Train it again "
                             "with a smaller learning rate, then encode the digits again.")
        codes, labels = codes[finite], labels[finite]
        self.decoder = decoder
        low, high = np.percentile(codes, 1, axis=0), np.percentile(codes, 99, axis=0)
        centre = np.median(codes, axis=0)
        collapsed = high - low < 1e-6
        # All codes at one point (a collapsed encoder): give the sliders a range of ±1 to explore anyway.
        low, high = np.where(collapsed, centre - 1, low), np.where(collapsed, centre + 1, high)
        if start is not None:  # e.g. the middle of one digit's cluster; kept inside the sliders' range
            start = np.asarray(start, dtype=float).reshape(-1)
            if start.shape != (2,) or not np.isfinite(start).all():
                raise ValueError(f"start must be two finite numbers (z1, z2), got {start.tolist()}.")
            centre = np.clip(start, low, high)
        self.state = LatentState(z1=float(centre[0]), z2=float(centre[1]))
        figure = new_figure(560, 260)
        self._artists = _latent_axes(figure, codes, np.asarray(labels))
        sliders = []
        for k, name in enumerate(("z1", "z2")):
            step = float((high[k] - low[k]) / 100)
            sliders.append(self.link(widgets.FloatSlider(
                value=float(centre[k]), min=float(low[k]), max=float(high[k]), step=step, description=name,
                readout_format=".2f", layout=fixed_layout(280), style={"description_width": "24px"}), name))
        self.z1, self.z2 = sliders
        super().__init__(figure, controls=sliders)
        notes = []
        if not finite.all():
            notes.append(t("digits.not_finite", n=int((~finite).sum())))
        if collapsed.any():
            notes.append(t("digits.collapsed"))
        if notes:
            self.problem.value = problem_html("; ".join(notes) + ".", hint=False)

    def draw(self) -> None:
        s = self.state
        self.generated = _decode(self.decoder, s.z1, s.z2)
        self._artists["cursor"].set_data([s.z1], [s.z2])
        self._artists["image"].set_data(self.generated)
        self._artists["image_title"].set_text(t("digits.decoded_at", z1=s.z1, z2=s.z2))
