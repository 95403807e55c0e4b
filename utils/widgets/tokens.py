"""Notebook 06's views: text → coloured tokens with their ids (HTML, no JavaScript), and a 2-D map
of word embeddings with a word box that highlights a word and its nearest neighbours."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..data import tiktoken_encoding
from ..embeddings import nearest_neighbours, pca_2d
from ..i18n import t
from .base import HtmlView, LiveView, clean_text, fixed_layout, new_figure

INTRODUCED_IN = "06"

MAX_TOKENS = 300  # tokens drawn; longer text is cut, so the view cannot hang
REAL_TOKENIZERS = {"GPT-2 (r50k)": "gpt2", "GPT-4 (cl100k_base)": "cl100k_base", "GPT-4o (o200k_base)": "o200k_base"}
PALETTE = ["#fde2e4", "#d8f3dc", "#dbe7fb", "#fff1c1", "#e9dcf7", "#d3f2f2"]


def _pieces(tokenizer: Any, ids: list[int]) -> list[str]:
    """What each token stands for as text (a token that is part of a UTF-8 character shows as �)."""
    if hasattr(tokenizer, "decode_single_token_bytes"):  # tiktoken
        return [tokenizer.decode_single_token_bytes(i).decode("utf-8", errors="replace") for i in ids]
    return [tokenizer.decode([i]) for i in ids]


def tokens_html(tokenizer: Any, text: str, max_tokens: int = MAX_TOKENS) -> tuple[str, int]:
    """HTML of ``text`` cut into coloured tokens, each with its id below; returns (html, token count).

    ``tokenizer``: anything with ``encode(str) -> list[int]`` and ``decode(list[int]) -> str``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}.")
    if hasattr(tokenizer, "decode_single_token_bytes"):  # tiktoken: "<|endoftext|>" typed by a user is plain text
        ids = list(tokenizer.encode(text, disallowed_special=()))
    else:
        ids = list(tokenizer.encode(text))
    shown = ids[:max_tokens]
    spans = []
    for k, (i, piece) in enumerate(zip(shown, _pieces(tokenizer, shown))):
        visible = html.escape(clean_text(piece)).replace(" ", "&nbsp;").replace("\n", "↵")
        spans.append(
            f"<span style='display:inline-block;background:{PALETTE[k % len(PALETTE)]};margin:1px;"
            f"padding:1px 2px;border-radius:3px;text-align:center;font-family:monospace'>"
            f"{visible or '&nbsp;'}<br><small style='color:#555'>{i}</small></span>"
        )
    more = "<br><i>" + t("tokens.more", more=len(ids) - len(shown)) + "</i>" if len(ids) > len(shown) else ""
    head = t("tokens.head", tokens=len(ids), chars=len(text), per_token=len(text) / max(len(ids), 1)) + "<br>"
    return head + "".join(spans) + more, len(ids)


@dataclass
class TokenState:
    text: str = "To be, or not to be: that is the question."
    tokenizer: str = "GPT-4 (cl100k_base)"


class TokenView(HtmlView):
    """Type text, pick a tokenizer: see the tokens as coloured boxes with their ids.

    ``extra`` adds tokenizers of your own, e.g. ``{"our BPE": bpe}``. In tests: set
    ``view.text.value`` / ``view.tokenizer.value`` and read ``view.count`` and ``view.html.value``.
    """

    def __init__(self, text: str = TokenState.text, tokenizer: str = TokenState.tokenizer,
                 extra: Mapping[str, Any] | None = None):
        self.tokenizers: dict[str, Any] = {name: tiktoken_encoding(key) for name, key in REAL_TOKENIZERS.items()}
        for name, tok in (extra or {}).items():
            if not (hasattr(tok, "encode") and hasattr(tok, "decode")):
                raise TypeError(f"extra tokenizer {name!r} needs encode() and decode() methods.")
            self.tokenizers[name] = tok
        if tokenizer not in self.tokenizers:
            raise ValueError(f"unknown tokenizer {tokenizer!r}; choose one of {list(self.tokenizers)}.")
        self.state = TokenState(text=text, tokenizer=tokenizer)
        self.text = self.link(widgets.Textarea(value=text, description=t("tokens.text"), layout=fixed_layout(500, 70)), "text")
        self.tokenizer = self.link(widgets.Dropdown(options=list(self.tokenizers), value=tokenizer,
                                                    description=t("tokens.tokenizer"), layout=fixed_layout(330)), "tokenizer")
        super().__init__([widgets.HBox([self.text, self.tokenizer])], min_height_px=160)

    def draw(self) -> None:
        self.html.value, self.count = tokens_html(self.tokenizers[self.state.tokenizer], self.state.text)

    def describe(self) -> str:
        return f"<TokenView: {self.count} tokens>"


# --- embedding map ------------------------------------------------------------------------------
MAX_POINTS = 400


def _draw_map(ax, coords: np.ndarray):
    ax.scatter(coords[:, 0], coords[:, 1], s=6, color="#bbbbbb", zorder=1)
    neighbours = ax.scatter([], [], s=40, color="#f4a261", zorder=3, edgecolors="black", linewidths=0.5)
    word = ax.scatter([], [], s=90, color="#d62828", zorder=4, edgecolors="black", linewidths=0.5)
    labels = [ax.text(0, 0, "", fontsize=9, zorder=5) for _ in range(16)]
    ax.set(xticks=[], yticks=[], xlabel=t("tokens.pca", n=1), ylabel=t("tokens.pca", n=2))
    ax.grid(False)
    title = ax.set_title(t("tokens.map_title", word="placeholder", k=8), fontsize=10)
    return {"neighbours": neighbours, "word": word, "labels": labels, "title": title}


def _highlight(artists: dict, coords: np.ndarray, words: Sequence[str], vectors: np.ndarray, word: str,
               k: int) -> list[tuple[str, float]]:
    index = {w: i for i, w in enumerate(words)}
    for label in artists["labels"]:
        label.set_text("")
    if word not in index:
        artists["word"].set_offsets(np.zeros((0, 2)))
        artists["neighbours"].set_offsets(np.zeros((0, 2)))
        artists["title"].set_text(t("tokens.not_in_vocabulary", word=repr(word)) if word else t("tokens.type_a_word"))
        return []
    found = nearest_neighbours(vectors, words, word, k)
    near_idx = [index[w] for w, _ in found]
    artists["word"].set_offsets(coords[[index[word]]])
    artists["neighbours"].set_offsets(coords[near_idx])
    for label, i in zip(artists["labels"], [index[word], *near_idx]):
        label.set_position(coords[i])
        label.set_text("  " + words[i])
        label.set_color("#d62828" if i == index[word] else "black")
    artists["title"].set_text(t("tokens.map_title", word=word, k=k))
    return found


def show_embedding_map(vectors: np.ndarray, words: Sequence[str], word: str, k: int = 8) -> Figure:
    """Static fallback: all words projected to 2-D (PCA), ``word`` and its neighbours highlighted."""
    vectors = np.asarray(vectors, dtype=np.float64)[:MAX_POINTS]
    words = list(words)[:MAX_POINTS]
    coords = pca_2d(vectors)
    fig = new_figure(620, 460)
    artists = _draw_map(fig.add_subplot(), coords)
    _highlight(artists, coords, words, vectors, word, k)
    fig.tight_layout()
    return fig


@dataclass
class EmbeddingMapState:
    word: str = "king"
    k: int = 8


class EmbeddingMap(LiveView):
    """A 2-D map (PCA) of the first ``max_points`` word vectors; type a word to see it and its nearest
    neighbours. Neighbours are found in the full space, so they may look apart on the flat map."""

    def __init__(self, vectors: np.ndarray, words: Sequence[str], word: str = "king", k: int = 8,
                 max_points: int = 300):
        vectors = np.asarray(vectors, dtype=np.float64)
        if vectors.ndim != 2 or vectors.shape[0] != len(words):
            raise ValueError(f"vectors must be (words, dims) with one row per word; got {vectors.shape} "
                             f"for {len(words)} words.")
        if not isinstance(max_points, int) or not 10 <= max_points <= MAX_POINTS:
            raise ValueError(f"max_points must be an integer from 10 to {MAX_POINTS}, got {max_points!r}.")
        if not isinstance(k, int) or not 1 <= k <= 15:
            raise ValueError(f"k must be an integer from 1 to 15, got {k!r}.")
        self.vectors, self.words = vectors[:max_points], list(words)[:max_points]
        self.coords = pca_2d(self.vectors)
        self.state = EmbeddingMapState(word=word, k=k)
        figure = new_figure(620, 460)
        self._artists = _draw_map(figure.add_subplot(), self.coords)
        figure.tight_layout()
        self.word = self.link(widgets.Text(value=word, description=t("tokens.word"), layout=fixed_layout(220),
                                           continuous_update=False), "word")
        self.k = self.link(widgets.IntSlider(value=k, min=1, max=15, description=t("tokens.neighbours"),
                                             layout=fixed_layout(300), style={"description_width": "70px"}), "k")
        self.table = widgets.HTML(layout=fixed_layout(200, 420))
        super().__init__(figure, controls=[self.word, self.k], side=[self.table])

    def draw(self) -> None:
        word = self.state.word.strip().lower()
        self.neighbours = _highlight(self._artists, self.coords, self.words, self.vectors, word, self.state.k)
        rows = "".join(f"<tr><td>{html.escape(w)}</td><td>{c:+.2f}</td></tr>" for w, c in self.neighbours)
        self.table.value = ("<b>" + t("tokens.nearest") + "</b><table style='font-family:monospace'>" + rows
                            + "</table>" if rows else
                            "<i>" + t("tokens.not_on_map", word=html.escape(word), words=len(self.words)) + "</i>")

