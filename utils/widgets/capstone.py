"""Notebook 14's views: pick a text and see its statistics; slide the number of BPE merges and see
the vocabulary against the sequence length on this text; sample from your model and see whether
the sample copies its training text."""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import torch

from ..corpus import (
    CHOICES,
    Corpus,
    bpe_with_merges,
    load_corpus,
    longest_copy,
    passage_around,
    tokens_per_character,
)
from ..i18n import language, t
from ..models import generate
from .base import HtmlView, clean_text, fixed_layout
from .tokens import tokens_html

INTRODUCED_IN = "14"

STAT_KEYS = {"characters": "capstone.stat_characters", "distinct characters": "capstone.stat_distinct_characters",
             "lines": "capstone.stat_lines", "words": "capstone.stat_words"}   # Corpus.stats() → label keys
MEASURE_CHARACTERS = 20_000   # the merges view measures tokens per character on this much held-out text
SAMPLE_CHARACTERS = 400       # characters drawn as coloured tokens
MAX_NEW_TOKENS = 400          # the sampler's longest sample: it cannot hang


def choice_labels() -> dict[str, str]:
    """The picker's choices, labelled in the language in use."""
    return {key: t(f"capstone.choice_{key}") for key in CHOICES}


def _pre(text: str) -> str:
    return html.escape(clean_text(text))


def corpus_html(corpus: Corpus) -> str:
    """A small table of a corpus's statistics, its notes, and its first lines."""
    stats = corpus.stats()
    source = t("capstone.source_pasted") if corpus.source == "text" else corpus.source   # text_corpus's source
    common = " ".join(f"<code>{_pre(repr(c)[1:-1])}</code>&nbsp;{n:,}" for c, n in stats["most common"][:8])
    rows = "".join(f"<tr><td style='padding-right:12px'>{t(STAT_KEYS[k]) if k in STAT_KEYS else k}</td><td><b>{v:,}</b></td></tr>"
                   for k, v in stats.items() if k != "most common")
    notes = "".join(f"<li>{_pre(n)}</li>" for n in corpus.notes)
    return (f"<b>{_pre(corpus.name)}</b> <small style='color:#666'>({_pre(source[-80:])})</small>"
            f"<table style='font-size:12px'>{rows}<tr><td>{t('capstone.most_common')}</td><td>{common}</td></tr></table>"
            + (f"<ul style='font-size:12px;color:#8a5a00'>{notes}</ul>" if notes else "")
            + f"<pre style='font-size:11px;max-height:110px;overflow:hidden;margin:4px 0'>{_pre(corpus.text[:500])}</pre>")


@dataclass
class CorpusPickerState:
    choice: str = "shakespeare"
    path: str = ""
    text: str = ""
    replace_bad_bytes: bool = False


class CorpusPicker(HtmlView):
    """Choose a text (Shakespeare, Python's standard library, a file, pasted text) and see its statistics.

    ``picker.corpus`` is the last text that loaded; a bad choice (missing file, not UTF-8, too short)
    is reported on the problem line and keeps the previous corpus. In tests: set ``picker.choice.value``,
    ``picker.path.value``, ``picker.pasted.value``, ``picker.replace.value``; read ``picker.html.value``.
    """

    def __init__(self, choice: str = "shakespeare", path: str = "", text: str = "", replace_bad_bytes: bool = False):
        if choice not in CHOICES:
            raise ValueError(f"choice must be one of {CHOICES}, got {choice!r}.")
        self.state = CorpusPickerState(choice, str(path), text, replace_bad_bytes)
        self._cache: dict[tuple, tuple[Corpus, str]] = {}
        self.corpus: Corpus | None = None
        self.choice = self.link(widgets.Dropdown(options=[(label, key) for key, label in choice_labels().items()],
                                                 value=choice, description=t("capstone.text"), layout=fixed_layout(330)), "choice")
        self.path = self.link(widgets.Text(value=str(path), description=t("capstone.file_path"), continuous_update=False,
                                           placeholder=t("capstone.path_placeholder"), layout=fixed_layout(400)), "path")
        self.pasted = self.link(widgets.Textarea(value=text, description=t("capstone.or_paste"), continuous_update=False,
                                                 layout=fixed_layout(740, 60)), "text")
        self.replace = self.link(widgets.Checkbox(value=replace_bad_bytes, description=t("capstone.replace_bytes"),
                                                  indent=False, layout=fixed_layout(330)), "replace_bad_bytes")
        super().__init__([widgets.HBox([self.choice, self.path]), self.pasted, self.replace], min_height_px=260)

    def draw(self) -> None:
        s = self.state
        key = (s.choice, s.path if s.choice == "file" else "", s.text if s.choice == "text" else "", s.replace_bad_bytes,
               language())   # the statistics' labels and the corpus's notes are in the language in use
        if key not in self._cache:  # loading and counting 2 M characters takes a moment: once per text
            corpus = load_corpus(s.choice, path=s.path or None, text=s.text,
                                 errors="replace" if s.replace_bad_bytes else "strict")
            self._cache[key] = (corpus, corpus_html(corpus))
        self.corpus, self.html.value = self._cache[key]

    def describe(self) -> str:
        return f"<CorpusPicker: {self.corpus.name if self.corpus else 'nothing loaded'}>"


@dataclass
class MergesState:
    merges: int = 500


class MergesView(HtmlView):
    """A slider over the number of BPE merges: vocabulary size, tokens per character measured on
    held-out text, and a sample cut into coloured tokens.

    ``full``: a BytePairTokenizer trained with the most merges (smaller ones are its prefixes).
    In tests: set ``view.merges.value``; read ``view.vocab_size``, ``view.tokens_per_character``, ``view.html.value``.
    """

    def __init__(self, full, held_out_text: str, merges: int = MergesState.merges):
        if not isinstance(held_out_text, str) or not held_out_text:
            raise ValueError("MergesView needs some held-out text to measure on.")
        most = len(full.merges)
        self.full, self.text = full, held_out_text[:MEASURE_CHARACTERS]
        self.state = MergesState(min(max(0, merges), most))
        self._cache: dict[int, tuple] = {}
        self.merges = self.link(widgets.IntSlider(value=self.state.merges, min=0, max=most, step=10,
                                                  description=t("capstone.merges"), continuous_update=False,
                                                  layout=fixed_layout(520), style={"description_width": "60px"}), "merges")
        super().__init__([self.merges], min_height_px=240)

    def draw(self) -> None:
        m = self.state.merges
        if m not in self._cache:
            tokenizer = bpe_with_merges(self.full, m)
            self._cache[m] = (tokenizer, tokens_per_character(tokenizer, self.text))
        tokenizer, self.tokens_per_character = self._cache[m]
        self.vocab_size = tokenizer.vocab_size
        coloured, _ = tokens_html(tokenizer, self.text[:SAMPLE_CHARACTERS])
        line = t("capstone.merges_line", merges=m, vocab_size=self.vocab_size, per_character=self.tokens_per_character,
                 characters=len(self.text), context=64 / self.tokens_per_character)
        self.html.value = f"<p style='font-size:13px'>{line}</p>" + coloured

    def describe(self) -> str:
        return f"<MergesView: {self.state.merges} merges, vocabulary {self.vocab_size}>"


@dataclass
class SamplerState:
    prompt: str = "\n"
    temperature: float = 0.8
    top_k: int = 0
    new_tokens: int = 200
    seed: int = 0


class SamplerView(HtmlView):
    """Sample from your model (temperature, top-k), and mark the longest piece of the sample that
    appears word for word in the training text, with the passage it comes from.

    In tests: set ``view.temperature.value`` etc. or click ``view.sample_button``; read
    ``view.sample``, ``view.copied`` (length, piece) and ``view.html.value``.
    """

    def __init__(self, model, tokenizer, train_text: str, prompt: str = SamplerState.prompt,
                 temperature: float = SamplerState.temperature, top_k: int = 0, new_tokens: int = 200, seed: int = 0):
        if not isinstance(train_text, str) or not train_text:
            raise ValueError("SamplerView needs the training text (to find copied passages).")
        self.model, self.tokenizer, self.train_text = model, tokenizer, train_text
        self.state = SamplerState(prompt, temperature, top_k, min(new_tokens, MAX_NEW_TOKENS), seed)
        style = {"continuous_update": False, "layout": fixed_layout(250), "style": {"description_width": "90px"}}
        self.prompt = self.link(widgets.Text(value=prompt, description=t("capstone.prompt"), continuous_update=False,
                                             layout=fixed_layout(480)), "prompt")
        self.temperature = self.link(widgets.FloatSlider(value=temperature, min=0.0, max=2.0, step=0.05,
                                                         description=t("capstone.temperature"), **style), "temperature")
        self.top_k = self.link(widgets.IntSlider(value=top_k, min=0, max=min(tokenizer.vocab_size, 200),
                                                 description=t("capstone.top_k"), **style), "top_k")
        self.new_tokens = self.link(widgets.IntSlider(value=self.state.new_tokens, min=10, max=MAX_NEW_TOKENS, step=10,
                                                      description=t("capstone.tokens"), **style), "new_tokens")
        self.sample_button = widgets.Button(description=t("capstone.another_sample"), button_style="primary", layout=fixed_layout(200))
        self.sample_button.on_click(self.guarded(self._next_sample))
        super().__init__([widgets.HBox([self.prompt, self.sample_button]),
                          widgets.HBox([self.temperature, self.top_k, self.new_tokens])], min_height_px=260)

    def _next_sample(self, _button=None) -> None:
        self.state.seed += 1
        self.refresh()

    def _prompt_ids(self) -> list[int]:
        prompt = self.state.prompt
        if hasattr(self.tokenizer, "known"):  # characters: drop those the model never saw
            prompt = self.tokenizer.known(prompt)
        ids = self.tokenizer.encode(prompt)
        if not ids:
            raise ValueError(t("capstone.empty_prompt"))
        return ids

    def draw(self) -> None:
        s = self.state
        ids = self._prompt_ids()
        generator = torch.Generator().manual_seed(s.seed)
        out = generate(self.model, torch.tensor([ids]), s.new_tokens, s.temperature, s.top_k or None,
                       generator=generator)
        self.sample = self.tokenizer.decode(out[0, len(ids):].tolist())
        self.copied = longest_copy(self.sample, self.train_text)
        length, piece = self.copied
        at = self.sample.find(piece) if length else -1
        body = (_pre(self.sample) if at < 0 else _pre(self.sample[:at]) + "<mark>" + _pre(piece) + "</mark>"
                + _pre(self.sample[at + length :]))
        source = passage_around(piece, self.train_text)
        self.html.value = (
            "<pre style='white-space:pre-wrap;font-size:12px;line-height:1.25;margin:0'>"
            f"<span style='color:#888'>{_pre(s.prompt[-120:])}</span>{body}</pre>"
            f"<p style='font-size:12px'>{t('capstone.longest_copy', length=length)}"
            + (f"{t('capstone.comes_from')}</p><pre style='white-space:pre-wrap;font-size:11px;color:#555;margin:0'>…{_pre(source)}…</pre>"
               if source else "</p>"))

    def describe(self) -> str:
        return f"<SamplerView: {len(self.sample)} characters, longest copy {self.copied[0]}>"
