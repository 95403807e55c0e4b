"""Notebook 08: type a prompt, see the model's next-token probabilities; sample with them.

Grey bars: the model's own probabilities (temperature 1). Coloured bars: what sampling actually
uses after temperature, top-k and top-p (:func:`utils.models.next_token_probs`). "generate"
samples a continuation with exactly these settings (:func:`utils.models.generate`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.figure import Figure

from ..i18n import t
from ..models import generate, next_token_probs
from .base import LiveView, clean_text, fixed_layout, new_figure, token_label

INTRODUCED_IN = "08"

N_BARS = 15          # tokens shown, the likeliest first
MAX_PROMPT = 200     # characters of prompt fed to the model (the rest is cut from the front)
MAX_NEW = 300        # longest continuation the button generates


def prompt_logits(model, tokenizer, prompt: str) -> torch.Tensor:
    """Logits (vocab,) for the token after ``prompt`` (unknown characters are skipped)."""
    ids = tokenizer.encode(tokenizer.known(prompt))[-min(MAX_PROMPT, model.config.block_size):]
    if not ids:
        raise ValueError(t("next_token.need_prompt"))
    with torch.no_grad():
        logits, _ = model(torch.tensor([ids]))
    return logits[0, -1].float()


def _draw_static(fig: Figure) -> dict:
    ax = fig.add_axes((0.1, 0.2, 0.86, 0.7))
    x = np.arange(N_BARS)
    raw = ax.bar(x, np.zeros(N_BARS), width=0.8, color="#d0d0d0", label=t("next_token.legend_model"))
    used = ax.bar(x, np.zeros(N_BARS), width=0.45, color="#3b75af", label=t("next_token.legend_used"))
    ax.set_ylim(0, 1)
    ax.set_ylabel(t("next_token.probability"))
    ax.set_xticks(x, [""] * N_BARS, fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    title = ax.set_title("", fontsize=10)
    return {"ax": ax, "raw": raw, "used": used, "title": title}


def _update(artists: dict, labels: list[str], raw: np.ndarray, used: np.ndarray, title: str) -> None:
    for bar, p in zip(artists["raw"], raw):
        bar.set_height(p)
    for bar, p in zip(artists["used"], used):
        bar.set_height(p)
    if artists.get("tick_labels") != labels:  # new tick labels make the next picture a full drawing
        artists["ax"].set_xticks(range(N_BARS), labels, fontsize=10)
        artists["tick_labels"] = list(labels)
    artists["title"].set_text(title)


def _bars(logits: torch.Tensor, tokenizer, temperature: float, top_k: int | None, top_p: float | None):
    raw = torch.softmax(logits, dim=-1)
    used = next_token_probs(logits[None], temperature, top_k, top_p)[0]
    order = torch.argsort(raw, descending=True)[:N_BARS]
    labels = [token_label(tokenizer.decode([int(i)])) for i in order]
    return labels, raw[order].numpy(), used[order].numpy(), used


def show_next_token_probs(model, tokenizer, prompt: str, temperature: float = 1.0, top_k: int | None = None,
                          top_p: float | None = None) -> Figure:
    """Static fallback: bars of the likeliest next tokens for ``prompt``."""
    labels, raw, used, _ = _bars(prompt_logits(model, tokenizer, prompt), tokenizer, temperature, top_k, top_p)
    fig = new_figure(600, 320)
    _update(_draw_static(fig), labels, raw, used, t("next_token.static_title", prompt=token_label(prompt[-20:])))
    return fig


@dataclass
class NextTokenState:
    """Every setting of the view (top_k 0 = off, top_p 1.0 = off)."""

    prompt: str = "ROMEO:\nWhat light through yonder window "
    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    new_tokens: int = 200
    seed: int = 0


class NextTokenView(LiveView):
    """Prompt box, temperature / top-k / top-p sliders, next-token bars, a "generate" button.

    In tests: set ``view.prompt.value``, ``view.temperature.value``, ``view.top_k.value``; read
    ``view.probs`` (vocab,), ``view.png()``; ``view.generate_button.click()`` fills ``view.output``.
    """

    def __init__(self, model, tokenizer, prompt: str = NextTokenState.prompt, temperature: float = 1.0,
                 top_k: int = 0, top_p: float = 1.0, new_tokens: int = 200, seed: int = 0):
        self.model, self.tokenizer = model, tokenizer
        self.state = NextTokenState(prompt, temperature, top_k, top_p, new_tokens, seed)
        self.logits = prompt_logits(model, tokenizer, prompt)
        self.error = ""
        figure = new_figure(600, 320)
        self._artists = _draw_static(figure)
        self.prompt = widgets.Textarea(value=prompt, description=t("next_token.prompt"), continuous_update=True,
                                       layout=fixed_layout(420, 60), style={"description_width": "48px"})
        self.prompt.observe(self.guarded(self._on_prompt), names="value")
        slider = {"continuous_update": True, "layout": fixed_layout(260), "style": {"description_width": "80px"}}
        self.temperature = self.link(widgets.FloatSlider(value=temperature, min=0.0, max=2.0, step=0.05,
                                                         description=t("next_token.temperature"), **slider), "temperature")
        self.top_k = self.link(widgets.IntSlider(value=top_k, min=0, max=tokenizer.vocab_size,
                                                 description=t("next_token.top_k"), **slider), "top_k")
        self.top_p = self.link(widgets.FloatSlider(value=top_p, min=0.05, max=1.0, step=0.05,
                                                   description=t("next_token.top_p"), **slider), "top_p")
        self.generate_button = widgets.Button(description=t("next_token.generate", n=new_tokens),
                                              button_style="primary", layout=fixed_layout(220))
        self.generate_button.on_click(self.guarded(lambda _: self.generate()))
        self.output = widgets.HTML(layout=fixed_layout(600, 220))
        super().__init__(figure, controls=[self.prompt, widgets.VBox([self.temperature, self.top_k, self.top_p])],
                         side=[self.generate_button])
        self.widget.children = (*self.widget.children, self.output)

    def _settings(self) -> tuple[float, int | None, float | None]:
        s = self.state
        return s.temperature, (s.top_k or None), (s.top_p if s.top_p < 1 else None)

    def _on_prompt(self, change: dict) -> None:
        self.state.prompt = change["new"]
        try:
            self.logits = prompt_logits(self.model, self.tokenizer, change["new"])
            self.error = ""
        except ValueError as err:
            self.error = clean_text(str(err))
        self.refresh()

    def draw(self) -> None:
        temperature, top_k, top_p = self._settings()
        labels, raw, used, self.probs = _bars(self.logits, self.tokenizer, temperature, top_k, top_p)
        kept = int((self.probs > 0).sum())
        mode = t("next_token.greedy") if temperature == 0 else f"T={temperature:.2f}"
        _update(self._artists, labels, raw, used,
                t("next_token.title", prompt=token_label(clean_text(self.state.prompt[-20:])), mode=mode, kept=kept,
                  vocab=self.tokenizer.vocab_size) + (f" · {self.error}" if self.error else ""))

    def generate(self) -> str:
        """Sample a continuation of the prompt with the current settings; show and return it."""
        temperature, top_k, top_p = self._settings()
        ids = self.tokenizer.encode(self.tokenizer.known(self.state.prompt))
        if not ids:  # nothing to continue: say so instead of inventing a first character
            self.output.value = f"<p>{html.escape(t('next_token.need_prompt'))}</p>"
            return ""
        gen = torch.Generator().manual_seed(self.state.seed)
        out = generate(self.model, torch.tensor([ids]), min(self.state.new_tokens, MAX_NEW), temperature,
                       top_k, top_p, generator=gen)
        text = self.tokenizer.decode(out[0, len(ids):].tolist())
        self.state.seed += 1  # the next click draws a different sample
        self.output.value = (
            "<pre style='white-space:pre-wrap;font-size:12px;line-height:1.25;margin:0'>"
            f"<span style='color:#888'>{html.escape(clean_text(self.state.prompt[-200:]))}</span>{html.escape(text)}</pre>"
        )
        return text
