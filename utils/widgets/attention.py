"""Notebooks 07 and 08: type a sentence, pick a layer and a head, see where each token looks.

The heatmap is drawn from the model's own trace (``model(idx, trace=True)``): row = the token
that asks (query), column = the token it looks at (key). Viridis from 0 to 1 with a colour bar;
the masked future (upper triangle) is grey; each allowed cell prints its weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
import torch
from matplotlib import colormaps, transforms
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import TICKDOWN, TICKLEFT
from matplotlib.textpath import TextToPath

from ..i18n import t
from ..plots import MASKED_GREY
from .base import LiveView, fixed_layout, new_figure, token_label

INTRODUCED_IN = "07"

MAX_TOKENS = 24  # more than this and the labels become unreadable (and the view slow): we keep the last ones
PRINT_MAX = 16  # cells print their values up to this many tokens; the side table always lists a row


def attention_for(model, tokenizer, text: str, max_tokens: int = MAX_TOKENS):
    """Run ``model`` on ``text`` with the trace on; return (labels, weights).

    weights: (layers, heads, tokens, tokens) numpy array, rows summing to 1, masked cells 0.
    Only the last ``max_tokens`` tokens are used.
    """
    if not isinstance(text, str) or not text:
        raise ValueError(t("attention.type_something"))
    # Characters the model never saw (e.g. emoji) are skipped rather than failing mid-typing.
    # (A byte-level BPE, notebook 14, has no unknown characters and no known().)
    ids = tokenizer.encode(tokenizer.known(text) if hasattr(tokenizer, "known") else text)[-max_tokens:]
    if not ids:
        raise ValueError(t("attention.nothing_known"))
    labels = [token_label(tokenizer.decode([i])) for i in ids]
    with torch.no_grad():
        _, _, trace = model(torch.tensor([ids]), trace=True)
    weights = torch.stack([t["weights"][0] for t in trace]).float().numpy()
    return labels, weights


def _cmap():
    return colormaps["viridis"].with_extremes(bad=MASKED_GREY)


def _draw_static(fig: Figure, n_max: int) -> dict:
    ax = fig.add_axes((0.12, 0.14, 0.68, 0.76))
    cax = fig.add_axes((0.83, 0.14, 0.03, 0.76))
    empty = np.ma.masked_all((n_max, n_max))
    # The axes always spans 0–1 and the n×n cells fill it: the token labels and their tick marks are
    # texts and markers placed at each update, not the axes' ticks, so typing a character changes no
    # limits or ticks and a keystroke is a repaint, not a full drawing (utils.figures.Repainter).
    image = ax.imshow(empty, cmap=_cmap(), vmin=0.0, vmax=1.0, interpolation="nearest", aspect="auto",
                      extent=(0, 1, 1, 0))
    fig.colorbar(image, cax=cax, label=t("attention.colorbar"))
    ax.set_xlabel(t("attention.xlabel"), fontsize=9)
    ax.set_ylabel(t("attention.ylabel"), fontsize=9)
    ax.grid(False)
    rc = mpl.rcParams
    tick = rc["xtick.major.size"]
    out = (tick + rc["xtick.major.pad"]) / 72  # inches from the axes' edge to a label, as for ticks
    colour = rc["xtick.labelcolor"] if rc["xtick.labelcolor"] != "inherit" else rc["xtick.color"]
    below = transforms.blended_transform_factory(ax.transData, ax.transAxes)
    left = transforms.blended_transform_factory(ax.transAxes, ax.transData)
    xlabels = [ax.text(0, 0, "", transform=below + transforms.ScaledTranslation(0, -out, fig.dpi_scale_trans),
                       ha="center", va="top", fontsize=8, color=colour, clip_on=False) for _ in range(n_max)]
    ylabels = [ax.text(0, 0, "", transform=left + transforms.ScaledTranslation(-out, 0, fig.dpi_scale_trans),
                       ha="right", va="center", fontsize=8, color=colour, clip_on=False) for _ in range(n_max)]
    marks = dict(linestyle="", markersize=tick, markeredgewidth=rc["xtick.major.width"], color=rc["xtick.color"],
                 clip_on=False, scalex=False, scaley=False)
    (xticks,) = ax.plot([], [], marker=TICKDOWN, transform=below, **marks)
    (yticks,) = ax.plot([], [], marker=TICKLEFT, transform=left, **marks)
    ax.set(xlim=(0, 1), ylim=(1, 0), xticks=[], yticks=[])
    # the x label sits below the token labels (8 pt and their descent), as it would below tick labels
    ax.xaxis.set_label_coords(0.5, 0, transform=ax.transAxes + transforms.ScaledTranslation(
        0, -(out + (8 * 1.25 + rc["axes.labelpad"]) / 72), fig.dpi_scale_trans))
    texts = [[ax.text(0, 0, "", ha="center", va="center", fontsize=6) for j in range(n_max)] for i in range(n_max)]
    title = ax.set_title("", fontsize=10)
    return {"ax": ax, "image": image, "texts": texts, "title": title, "xlabels": xlabels, "ylabels": ylabels,
            "xticks": xticks, "yticks": yticks, "out": out}


def _label_room(labels: list[str]) -> float:
    """Points the widest token label takes, rounded up to 4 pt (so the y label moves, and the
    frame is drawn again, only when the labels grow or shrink by that much)."""
    prop = FontProperties(size=8)
    widest = max(TextToPath().get_text_width_height_descent(label, prop, ismath=False)[0] for label in labels)
    return 4.0 * math.ceil(widest / 4.0)


def _update(artists: dict, labels: list[str], weights: np.ndarray, title: str, print_values: bool) -> None:
    """weights: (tokens, tokens) for one head; cells above the diagonal are shown as masked."""
    n = len(labels)
    masked = np.ma.masked_where(np.triu(np.ones((n, n), dtype=bool), k=1), weights)
    ax = artists["ax"]
    artists["image"].set_data(masked)
    centres = (np.arange(n) + 0.5) / n  # cell i spans i/n to (i + 1)/n
    if artists.get("labels") != labels:
        artists["labels"] = list(labels)
        for k, (xlabel, ylabel) in enumerate(zip(artists["xlabels"], artists["ylabels"])):
            shown = k < n
            xlabel.set_visible(shown)
            ylabel.set_visible(shown)
            if shown:
                xlabel.set_text(labels[k])
                ylabel.set_text(labels[k])
                xlabel.set_x(centres[k])
                ylabel.set_y(centres[k])
        artists["xticks"].set_data(centres, np.zeros(n))
        artists["yticks"].set_data(np.zeros(n), centres)
        room = _label_room(labels)
        if artists.get("room") != room:  # the y label beside the widest token label, as beside tick labels
            artists["room"] = room
            fig = ax.figure
            ax.yaxis.set_label_coords(0, 0.5, transform=ax.transAxes + transforms.ScaledTranslation(
                -(artists["out"] + (room + mpl.rcParams["axes.labelpad"]) / 72), 0, fig.dpi_scale_trans))
    print_values = print_values and n <= PRINT_MAX
    for i, row in enumerate(artists["texts"]):
        for j, text in enumerate(row):
            show = print_values and i < n and j <= i
            text.set_visible(show)
            if show:
                value = weights[i, j]
                text.set_position((centres[j], centres[i]))
                text.set_text(weight_label(value))
                text.set_color("black" if value > 0.6 else "white")
    artists["title"].set_text(title)


def weight_label(value: float) -> str:
    """An attention weight (0–1) as printed in its cell: ".25", and "1" for anything that rounds to 1
    (0.996 printed with two decimals is "1.00": cutting the leading digit would leave ".00")."""
    rounded = round(float(value), 2)
    return "1" if rounded >= 1 else f"{rounded:.2f}".removeprefix("0")


def show_attention(model, tokenizer, text: str, layer: int = 0, head: int = 0,
                   max_tokens: int = MAX_TOKENS) -> Figure:
    """Static fallback: the attention heatmap of one layer and head for ``text``."""
    labels, weights = attention_for(model, tokenizer, text, max_tokens)
    _check_layer_head(weights, layer, head)
    fig = new_figure(560, 500)
    artists = _draw_static(fig, len(labels))
    _update(artists, labels, weights[layer, head], t("attention.static_title", layer=layer, head=head), True)
    return fig


def _check_layer_head(weights: np.ndarray, layer: int, head: int) -> None:
    n_layer, n_head = weights.shape[:2]
    if not 0 <= layer < n_layer:
        raise ValueError(f"layer must be between 0 and {n_layer - 1}, got {layer}.")
    if not 0 <= head < n_head:
        raise ValueError(f"head must be between 0 and {n_head - 1}, got {head}.")


def _label_width(label: str, least_px: int) -> str:
    """A control's description width: ``least_px`` (what the English labels need), wider for a longer label
    (about 8 px a letter), so a translated label is not cut off."""
    return f"{max(least_px, 8 * len(label))}px"


@dataclass
class AttentionState:
    """What the view shows: the text, the layer and head, and whether cells print their values."""

    text: str = "ROMEO:\nBut, soft! what light"
    layer: int = 0
    head: int = 0
    print_values: bool = True


class AttentionView(LiveView):
    """Type a sentence, pick layer and head: the attention weights of a trained model.

    ``AttentionView(model, tokenizer, text)``; the model must accept ``trace=True``
    (:class:`utils.models.GPT`). In tests: set ``view.text.value``, ``view.layer.value``,
    ``view.head.value``; read ``view.weights`` (layers, heads, tokens, tokens) and ``view.png()``.
    """

    def __init__(self, model, tokenizer, text: str = AttentionState.text, layer: int = 0, head: int = 0,
                 max_tokens: int = MAX_TOKENS):
        self.model, self.tokenizer, self.max_tokens = model, tokenizer, max_tokens
        n_layer, n_head = model.config.n_layer, model.config.n_head
        self.state = AttentionState(text=text, layer=layer, head=head)
        self.labels, self.weights = attention_for(model, tokenizer, text, max_tokens)
        _check_layer_head(self.weights, layer, head)
        figure = new_figure(560, 500)
        self._artists = _draw_static(figure, max_tokens)
        label = {name: t(f"attention.{name}") for name in ("text", "layer", "head", "print_values")}
        self.text = widgets.Text(value=text, description=label["text"], continuous_update=True, layout=fixed_layout(330),
                                 style={"description_width": _label_width(label["text"], 36)})
        self.text.observe(self.guarded(self._on_text), names="value")

        def small(name: str) -> dict:
            return {"layout": fixed_layout(130), "style": {"description_width": _label_width(label[name], 42)}}

        self.layer = self.link(widgets.Dropdown(options=list(range(n_layer)), value=layer, description=label["layer"],
                                                **small("layer")), "layer")
        self.head = self.link(widgets.Dropdown(options=list(range(n_head)), value=head, description=label["head"],
                                               **small("head")), "head")
        checkbox_px = max(120, 8 * len(label["print_values"]) + 20)  # the box and its label, unclipped
        self.print_values = self.link(widgets.Checkbox(value=True, description=label["print_values"], indent=False,
                                                       layout=fixed_layout(checkbox_px)), "print_values")
        self.info = widgets.HTML(layout=fixed_layout(250, 300))
        super().__init__(figure, controls=[self.text, self.layer, self.head, self.print_values], side=[self.info])

    def _on_text(self, change: dict) -> None:
        self.state.text = change["new"]
        try:
            self.labels, self.weights = attention_for(self.model, self.tokenizer, change["new"], self.max_tokens)
            self.error = ""
        except ValueError as err:  # e.g. an empty box while typing: keep the last picture
            self.error = str(err)
        self.refresh()

    error = ""

    def draw(self) -> None:
        s = self.state
        weights = self.weights[s.layer, s.head]
        _update(self._artists, self.labels, weights, t("attention.title", layer=s.layer, head=s.head,
                                                           n=len(self.labels)), s.print_values)
        last = weights[-1]
        top = np.argsort(last)[::-1][:8]
        rows = "".join(f"<tr><td>{self.labels[j]}</td><td>{j}</td><td>{last[j]:.3f}</td></tr>" for j in top)
        note = f"<p style='color:#b00'>{self.error}</p>" if self.error else ""
        cut = (f"<p>{t('attention.showing_last', n=self.max_tokens)}</p>"
               if len(self.state.text) > self.max_tokens else "")
        self.info.value = (
            f"{note}{cut}<b>{t('attention.looks_most_at', token=self.labels[-1])}</b>"
            "<table style='font-family:monospace'><tr>"
            f"<th>{t('attention.column_key')}</th><th>{t('attention.column_position')}</th>"
            f"<th>{t('attention.column_weight')}</th></tr>"
            f"{rows}</table><p>{t('attention.explain', n=PRINT_MAX)}</p>"
        )
