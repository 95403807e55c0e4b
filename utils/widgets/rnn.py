"""Notebook 05's views of the character LSTM: its hidden state along typed text, and sampling
with a temperature slider."""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.figure import Figure

from ..checks import check_range
from ..data import CharTokenizer
from ..i18n import t
from ..rnn import CharLSTM, sample_text
from .base import LiveView, fixed_layout, new_figure

INTRODUCED_IN = "05"

MAX_CHARS = 60   # characters shown in the heatmap (the view must stay small and quick)
MAX_UNITS = 32   # hidden units shown
MAX_SAMPLE = 400  # characters generated per sample


def _known(text: str, tokenizer: CharTokenizer) -> str:
    """Keep only characters the tokenizer knows, at most MAX_CHARS of them."""
    return tokenizer.known(text)[:MAX_CHARS]


def hidden_states(model: CharLSTM, tokenizer: CharTokenizer, text: str, units: int = MAX_UNITS) -> np.ndarray:
    """The LSTM's top-layer hidden state after each character: array ``(units, time)`` in [-1, 1]."""
    text = _known(text, tokenizer)
    if not text:
        return np.zeros((units, 0))
    with torch.no_grad():
        device = next(model.parameters()).device
        _, hidden, _ = model(torch.tensor([tokenizer.encode(text)], device=device), return_hidden=True)
    return hidden[0, :, :units].T.float().cpu().numpy()


def sort_units(states: np.ndarray) -> np.ndarray:
    """Row order for ``states: (units, time)``: the highest average activation along the text first.

    Units that stay positive come first, units that stay negative last, and the units that switch
    with the characters (the ones worth reading) end up together in the middle. Returns unit indices.
    """
    if states.shape[1] == 0:
        return np.arange(states.shape[0])
    return np.argsort(-states.mean(axis=1), kind="stable")


def _draw_heatmap(ax, units: int) -> tuple:
    """Create the heatmap and one label per column once; updates only change their contents."""
    image = ax.imshow(np.zeros((units, MAX_CHARS)), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto",
                      interpolation="nearest")
    ax.set(xlabel=t("rnn.time_axis"), ylabel=t("rnn.unit_axis"), xticks=[],
           title=t("rnn.heatmap_title", units=32, chars=60))  # placeholder: reserves room
    ax.set_yticks([])
    ax.xaxis.labelpad = 14
    ax.yaxis.labelpad = 14
    ax.grid(False)
    # Text artists beside the axes instead of tick labels: the characters below, and left of each
    # row the number of the unit drawn there (rows are sorted, see sort_units). Tick labels are
    # part of the axes' frame, which is redrawn in full when it changes: slow at every keystroke.
    labels = [ax.text(column, units - 0.5 + units * 0.02, "", ha="center", va="top", fontsize=8, family="monospace",
                      clip_on=False) for column in range(MAX_CHARS)]
    row_labels = [ax.text(-0.004, row, "", ha="right", va="center", fontsize=6, clip_on=False,
                          transform=ax.get_yaxis_transform()) for row in range(units)]
    return image, labels, row_labels


def _update_heatmap(ax, artists: tuple, states: np.ndarray, text: str, order: np.ndarray) -> None:
    """Draw ``states: (units, time)``, already in display order; ``order[row]`` is that row's unit."""
    image, labels, row_labels = artists
    for row_label, unit in zip(row_labels, order):
        row_label.set_text(str(unit))
    units = image.get_array().shape[0]
    padded = np.full((units, MAX_CHARS), np.nan)
    padded[: states.shape[0], : states.shape[1]] = states
    image.set_data(np.ma.masked_invalid(padded))
    shown = ["↵" if c == "\n" else ("␣" if c == " " else c) for c in text]
    for column, label in enumerate(labels):
        label.set_text(shown[column] if column < len(shown) else "")
    ax.set_title(t("rnn.heatmap_title", units=units, chars=len(text)), fontsize=10)


def show_hidden_states(model: CharLSTM, tokenizer: CharTokenizer, text: str, units: int = MAX_UNITS) -> Figure:
    """Static fallback: the heatmap (units × time) of the hidden state along ``text``."""
    fig = new_figure(760, 380)
    ax = fig.add_subplot()
    text = _known(text, tokenizer)
    states = hidden_states(model, tokenizer, text, units)
    order = sort_units(states)
    artists = _draw_heatmap(ax, units)
    _update_heatmap(ax, artists, states[order], text, order)
    fig.colorbar(artists[0], ax=ax, label=t("rnn.activation"), fraction=0.04)
    fig.tight_layout()
    return fig


@dataclass
class HiddenStateState:
    text: str = "ROMEO:\nBut, soft! what light through yonder window breaks?"
    units: int = MAX_UNITS


class HiddenStateView(LiveView):
    """Type text; see the LSTM's hidden units (rows) change character by character (columns).

    Red = positive, blue = negative activation. Rows are sorted by the unit's average along the text
    (``sort_units``) and labelled with the unit's number; ``states`` holds the rows as drawn and
    ``unit_order`` the unit of each row. Characters the model does not know are skipped; at most 60
    characters and 32 units are shown.
    """

    def __init__(self, model: CharLSTM, tokenizer: CharTokenizer, text: str | None = None, units: int = MAX_UNITS):
        if not isinstance(model, CharLSTM):
            raise TypeError(f"model must be a utils.rnn.CharLSTM, got {type(model).__name__}.")
        hidden_size = model.config["hidden_size"]
        if not isinstance(units, int) or not 1 <= units <= min(MAX_UNITS, hidden_size):
            raise ValueError(f"units must be an integer from 1 to {min(MAX_UNITS, hidden_size)}, got {units!r}.")
        self.model, self.tokenizer = model, tokenizer
        self.state = HiddenStateState(text=HiddenStateState.text if text is None else text, units=units)
        figure = new_figure(760, 380)
        self._ax = figure.add_subplot()
        self._artists = _draw_heatmap(self._ax, units)
        self._image = self._artists[0]
        figure.colorbar(self._image, ax=self._ax, label=t("rnn.activation"), fraction=0.04)
        figure.tight_layout()
        self.text = self.link(widgets.Textarea(value=self.state.text, description=t("rnn.text"),
                                               layout=fixed_layout(560, 60), continuous_update=False), "text")
        self.note = widgets.HTML(layout=fixed_layout(180, 60))
        super().__init__(figure, controls=[self.text, self.note])

    def draw(self) -> None:
        shown = _known(self.state.text, self.tokenizer)
        states = hidden_states(self.model, self.tokenizer, shown, self.state.units)
        self.unit_order = sort_units(states)   # row r shows the model's unit unit_order[r]
        self.states = states[self.unit_order]  # what the heatmap draws: (units, time), sorted rows
        _update_heatmap(self._ax, self._artists, self.states, shown, self.unit_order)
        dropped = len(self.state.text) - len(shown)
        self.note.value = ("<small>" + t("rnn.shown", shown=len(shown))
                           + (t("rnn.dropped", dropped=dropped) if dropped > 0 else "") + "</small>")


@dataclass
class SamplerState:
    prompt: str = "ROMEO:\n"
    temperature: float = 0.8
    length: int = 200
    seed: int = 0


class TemperatureSampler(LiveView):
    """A temperature slider: the bars show the next-character probabilities after the prompt at
    that temperature; the text box shows a sample drawn with it. "resample" draws a new sample."""

    TOP = 12  # bars shown

    def __init__(self, model: CharLSTM, tokenizer: CharTokenizer, prompt: str = "ROMEO:\n",
                 temperature: float = 0.8, length: int = 200):
        if not isinstance(model, CharLSTM):
            raise TypeError(f"model must be a utils.rnn.CharLSTM, got {type(model).__name__}.")
        check_range(temperature, 0.1, 2.0, "temperature")
        if not isinstance(length, int) or not 1 <= length <= MAX_SAMPLE:
            raise ValueError(f"length must be an integer from 1 to {MAX_SAMPLE}, got {length!r}.")
        if not _known(prompt, tokenizer):
            raise ValueError("prompt must contain characters the model knows, e.g. 'ROMEO:\\n'.")
        self.model, self.tokenizer = model, tokenizer
        self.state = SamplerState(prompt=prompt, temperature=temperature, length=length)
        figure = new_figure(420, 300)
        self._ax = figure.add_subplot()
        self._bars = self._ax.bar(range(self.TOP), np.zeros(self.TOP), color="#58a4b0")
        # A fixed 0–1 axis, so that moving T shows the distribution sharpen or flatten; each bar
        # also prints its value, so small probabilities stay readable.
        self._ax.set(ylim=(0, 1), ylabel=t("rnn.probability"), xticks=[])
        self._values = [self._ax.text(i, 0, "", ha="center", va="bottom", fontsize=7) for i in range(self.TOP)]
        self._labels = [self._ax.text(i, -0.02, "", ha="center", va="top", family="monospace", fontsize=10)
                        for i in range(self.TOP)]
        self._title = self._ax.set_title(t("rnn.next_char_title", temperature=0.0), fontsize=10)
        figure.tight_layout()
        self.temperature = self.link(
            widgets.FloatSlider(value=temperature, min=0.1, max=2.0, step=0.05, description=t("rnn.temperature"),
                                continuous_update=False, layout=fixed_layout(330),
                                style={"description_width": "80px"}), "temperature")
        self.prompt = self.link(widgets.Text(value=prompt, description=t("rnn.prompt"), layout=fixed_layout(250),
                                             continuous_update=False), "prompt")
        self.resample = widgets.Button(description=t("rnn.resample"), layout=fixed_layout(100))
        self.resample.on_click(self.guarded(lambda _: self._next_seed()))
        self.sample = widgets.HTML(layout=fixed_layout(400, 300))
        super().__init__(figure, controls=[self.temperature, self.prompt, self.resample], side=[self.sample])

    def _next_seed(self) -> None:
        self.state.seed += 1
        self.refresh()

    def next_char_probs(self) -> torch.Tensor:
        """softmax(logits / temperature) for the character after the prompt: ``(vocab,)``."""
        prompt = _known(self.state.prompt, self.tokenizer) or "\n"
        with torch.no_grad():
            device = next(self.model.parameters()).device
            logits = self.model(torch.tensor([self.tokenizer.encode(prompt)], device=device))[0, -1].cpu()
        return torch.softmax(logits / self.state.temperature, dim=-1)

    def draw(self) -> None:
        probs = self.next_char_probs()
        top = torch.topk(probs, self.TOP)
        for bar, value_text, p in zip(self._bars, self._values, top.values.tolist()):
            bar.set_height(p)
            value_text.set_position((bar.get_x() + bar.get_width() / 2, p + 0.01))
            value_text.set_text(f"{p:.2f}".removeprefix("0") if p < 0.995 else "1")
        labels = [self.tokenizer.decode([i]) for i in top.indices.tolist()]
        for text, c in zip(self._labels, labels):
            text.set_text({"\n": "↵", " ": "␣"}.get(c, c))
        self._title.set_text(t("rnn.next_char_title", temperature=self.state.temperature))
        prompt = _known(self.state.prompt, self.tokenizer) or "\n"
        self.generated = sample_text(self.model, self.tokenizer, prompt, self.state.length,
                                     self.state.temperature, seed=self.state.seed)
        self.sample.value = (
            "<pre style='white-space:pre-wrap;font-size:12px;line-height:1.25;margin:0'>"
            f"<b>{html.escape(prompt)}</b>{html.escape(self.generated)}</pre>"
        )
