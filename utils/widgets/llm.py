"""Notebook 12's live views: a chat box over the real small model, retrieval with scores, and a
token-cost calculator. Each has a static ``show_*`` fallback that returns a Figure."""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..checks import check_range
from ..figures import figure_title
from ..i18n import t
from ..sampling import next_token_probs
from .base import LiveView, clean_text, fixed_layout, new_figure, token_label

INTRODUCED_IN = "12"

TOP_N = 8           # bars in the next-token chart
MAX_NEW_TOKENS = 200  # cap on generated tokens in the chat view
MAX_COST_CHARS = 4000  # cap on the text the cost view tokenizes
MAX_QUESTION_CHARS = 2000  # of a chat question sent to the model (~500 tokens: fits its 2048-token context)
BAR_COLOUR, PICK_COLOUR = "#4c72b0", "#dd8452"


def _passage_label(passage) -> str:
    """The play and how the passage begins: what a reader recognises (an index number says nothing)."""
    title = passage.play if len(passage.play) <= 17 else passage.play[:16] + "…"
    start = " ".join(passage.text.split())[:18]
    return f"{title}\n“{start}…”"


def _bars(ax, n: int):
    bars = ax.barh(np.arange(n), np.zeros(n), color=BAR_COLOUR)
    ax.invert_yaxis()
    ax.set_yticks(np.arange(n))
    return bars


def _set_bars(ax, bars, values, labels, xlim=None):
    for bar, value in zip(bars, list(values) + [0.0] * (len(bars) - len(values))):
        bar.set_width(float(value))
    ax.set_yticklabels(list(labels) + [""] * (len(bars) - len(labels)), fontsize=7, family="monospace")
    ax.set_ylim(max(len(values), 1) - 0.5, -0.5)   # only the rows in use: no empty slots under the bars
    if xlim is not None:
        ax.set_xlim(*xlim)


def _quoted(question: str, max_chars: int = 44) -> str:
    """The question as a figure shows it: on one line, in quotes, cut to ``max_chars``."""
    question = " ".join(clean_text(question).split())
    return t("llm.quoted", question=question if len(question) <= max_chars else question[:max_chars - 1] + "…")


def _mark_likeliest(ax, bars) -> None:
    """The top bar in the pick colour and hatched (a cue beside colour), with a legend that says what it means."""
    for i, bar in enumerate(bars):
        bar.set_facecolor(PICK_COLOUR if i == 0 else BAR_COLOUR)
        bar.set_hatch("//" if i == 0 else "")
        bar.set_edgecolor("white")   # also the hatch's colour (set_color would paint it like the face)
    ax.legend(handles=[Patch(facecolor=PICK_COLOUR, hatch="//", edgecolor="white", label=t("llm.likeliest"))],
              fontsize=7, loc="lower right", frameon=False)


# -- chat ----------------------------------------------------------------------------------------
@dataclass
class ChatState:
    """The chat box's settings, in one object a test can set and compare."""

    question: str = "What is the capital of France?"
    temperature: float = 0.0
    max_new_tokens: int = 48
    top_k: int = 50
    seed: int = 0


def chat_next_token_probs(chat_model, prompt: str, temperature: float, top_k: int | None = ChatState.top_k,
                          n: int = TOP_N):
    """The n likeliest next tokens after ``prompt`` and the probabilities the chat's sampler draws
    them with (temperature, then top-k: :func:`utils.sampling.next_token_probs`)."""
    ids = torch.tensor([chat_model.encode(prompt)])
    with torch.inference_mode():
        logits = chat_model.model(ids)[0, -1]
    return _probs_from_logits(logits, temperature, top_k, n, chat_model)


def _probs_from_logits(logits, temperature, top_k, n, chat_model):
    probs = next_token_probs(logits[None], temperature, top_k)[0]
    top = torch.topk(probs, n)
    labels = [token_label(chat_model.decode([int(i)]), 14) for i in top.indices]
    return top.values.numpy(), labels


def show_next_token_probs(chat_model, question: str, temperature: float = 0.7,
                          top_k: int | None = ChatState.top_k) -> Figure:
    """Static fallback: the first answer token's top probabilities for a question."""
    from ..gguf_model import chat_prompt

    values, labels = chat_next_token_probs(chat_model, chat_prompt([{"role": "user", "content": question}]),
                                           temperature, top_k)
    fig = new_figure(360, 300)
    ax = fig.add_subplot()
    bars = _bars(ax, TOP_N)
    _set_bars(ax, bars, values, labels, (0, 1))
    _mark_likeliest(ax, bars)
    ax.set_xlabel(t("llm.probability"))
    fig.text(0.5, 0.985, _quoted(question) + "\n" + t("llm.first_token_static", temperature=temperature),
             ha="center", va="top", fontsize=9)
    fig.subplots_adjust(left=0.3, right=0.95, top=0.86, bottom=0.14)
    return fig


class ChatBox(LiveView):
    """Type a question, pick temperature and length, press "ask": the answer streams in. The chart
    shows the first answer token's top probabilities at the chosen temperature.

    In tests: set ``view.question.value`` etc., call ``view.ask_button.click()``, read
    ``view.answer`` and ``view.output.value``.
    """

    def __init__(self, chat_model, question: str = ChatState.question, temperature: float = 0.0,
                 max_new_tokens: int = 48):
        check_range(temperature, 0.0, 2.0, "temperature")
        check_range(max_new_tokens, 1, MAX_NEW_TOKENS, "max_new_tokens")
        self.chat_model = chat_model
        self.state = ChatState(question=question, temperature=temperature, max_new_tokens=max_new_tokens)
        self.answer = ""
        self._logits = None
        self._logits_for = None
        figure = new_figure(360, 300)
        self._ax = figure.add_subplot()
        self._bars = _bars(self._ax, TOP_N)
        self._ax.set(xlabel=t("llm.probability"), xlim=(0, 1))
        _mark_likeliest(self._ax, self._bars)
        # Two lines over the whole picture: the question the bars answer, then what they show.
        self._title = figure_title(figure, y=0.985, fontsize=9)
        figure.subplots_adjust(left=0.3, right=0.95, top=0.86, bottom=0.14)

        self.question = self.link(widgets.Textarea(value=question, continuous_update=False,
                                                   layout=fixed_layout(420, 60)), "question")
        self.temperature = self.link(widgets.FloatSlider(
            value=temperature, min=0.0, max=2.0, step=0.05, description=t("llm.temperature"),
            continuous_update=True, layout=fixed_layout(300), style={"description_width": "80px"}), "temperature")
        self.max_new_tokens = self.link(widgets.IntSlider(
            value=max_new_tokens, min=1, max=MAX_NEW_TOKENS, description=t("llm.max_tokens"),
            layout=fixed_layout(300), style={"description_width": "80px"}), "max_new_tokens")
        self.ask_button = widgets.Button(description=t("llm.ask"), button_style="primary", layout=fixed_layout(100))
        self.ask_button.on_click(self.guarded(lambda _: self.ask()))
        self.output = widgets.HTML(layout=fixed_layout(420, 230))
        super().__init__(figure, controls=[widgets.VBox([self.question, widgets.HBox([self.ask_button])]),
                                           widgets.VBox([self.temperature, self.max_new_tokens])],
                         side=[self.output])

    def _prompt(self) -> str:
        from ..gguf_model import chat_prompt

        # A question longer than MAX_QUESTION_CHARS would not fit the model's context: keep its end.
        question = clean_text(self.state.question.strip())[-MAX_QUESTION_CHARS:] or "Hello"
        return chat_prompt([{"role": "user", "content": question}])

    def draw(self) -> None:
        prompt = self._prompt()
        if self._logits_for != prompt:  # one forward pass per question; the slider only reshapes
            with torch.inference_mode():
                self._logits = self.chat_model.model(torch.tensor([self.chat_model.encode(prompt)]))[0, -1]
            self._logits_for = prompt
        values, labels = _probs_from_logits(self._logits, self.state.temperature, self.state.top_k, TOP_N, self.chat_model)
        _set_bars(self._ax, self._bars, values, labels)
        self._title.set_text(_quoted(self.state.question.strip() or "Hello") + "\n"
                             + t("llm.first_token", temperature=self.state.temperature)
                             + (t("llm.greedy") if self.state.temperature == 0 else f", top-k {self.state.top_k}"))
        self._show(self.answer, done=True)

    def _show(self, answer: str, done: bool) -> None:
        cursor = "" if done else "▌"
        note = (t("llm.question_cut", chars=MAX_QUESTION_CHARS)
                if len(self.state.question.strip()) > MAX_QUESTION_CHARS else "")
        self.output.value = (
            "<div style='font-family:sans-serif;font-size:13px;height:220px;overflow:auto'>"
            f"<b>{t('llm.you')}</b> {html.escape(clean_text(self.state.question)[:2000])}{note}<br><b>SmolLM2:</b> "
            f"<span style='white-space:pre-wrap'>{html.escape(answer)}{cursor}</span></div>"
        )

    def ask(self) -> str:
        """Generate the answer, updating the text box after every token (streaming)."""
        s = self.state
        answer = ""
        for piece in self.chat_model.stream(self._prompt(), max_new_tokens=s.max_new_tokens,
                                            temperature=s.temperature, top_k=s.top_k, seed=s.seed):
            answer += piece
            self._show(answer, done=False)
        self.answer = answer.strip()
        self._show(self.answer, done=True)
        return self.answer


# -- retrieval -------------------------------------------------------------------------------------
@dataclass
class RetrievalState:
    question: str = "Which witches meet in thunder and rain?"
    k: int = 5


def show_retrieval(scores, passages, title: str = "") -> Figure:
    """Static fallback: bars of cosine similarity for retrieved passages (labelled by play)."""
    fig = new_figure(380, 260)
    ax = fig.add_subplot()
    bars = _bars(ax, len(passages))
    _set_bars(ax, bars, scores, [_passage_label(p) for p in passages], (0, 1))
    ax.set(xlabel=t("llm.cosine"), title=title[:50])
    fig.subplots_adjust(left=0.42, right=0.95, top=0.88, bottom=0.17)
    return fig


class RetrievalView(LiveView):
    """Type a question: the k passages closest to it, with their cosine similarity scores."""

    MAX_K = 8

    def __init__(self, encoder, passages, passage_vectors, question: str = RetrievalState.question, k: int = 5):
        check_range(k, 1, self.MAX_K, "k")
        if len(passages) != passage_vectors.shape[0]:
            raise ValueError(f"{len(passages)} passages but {passage_vectors.shape[0]} vectors: embed the same list.")
        self.encoder, self.passages, self.vectors = encoder, passages, passage_vectors
        self.state = RetrievalState(question=question, k=k)
        self.results: list[tuple[float, object]] = []
        figure = new_figure(380, 260)
        self._ax = figure.add_subplot()
        self._bars = _bars(self._ax, self.MAX_K)
        self._ax.set(xlabel=t("llm.cosine"), xlim=(0, 1))
        figure.subplots_adjust(left=0.42, right=0.95, top=0.92, bottom=0.17)
        self.question = self.link(widgets.Text(value=question, continuous_update=False, description=t("llm.question"),
                                               layout=fixed_layout(460), style={"description_width": "60px"}), "question")
        self.k = self.link(widgets.IntSlider(value=k, min=1, max=self.MAX_K, description="k",
                                             layout=fixed_layout(220), style={"description_width": "20px"}), "k")
        self.list = widgets.HTML(layout=fixed_layout(440, 260))
        super().__init__(figure, controls=[self.question, self.k], side=[self.list])

    def draw(self) -> None:
        from ..sentence_embeddings import retrieve

        question = clean_text(self.state.question.strip())
        if not question:
            self.results = []
            _set_bars(self._ax, self._bars, [], [])
            self.figure.suptitle(t("llm.type_question"), fontsize=8)
            self.list.value = t("llm.type_question_hint")
            return
        scores, index = retrieve(self.encoder.encode([question])[0], self.vectors, self.state.k)
        self.results = [(float(s), self.passages[int(i)]) for s, i in zip(scores, index)]
        _set_bars(self._ax, self._bars, [s for s, _ in self.results],
                  [_passage_label(p) for _, p in self.results])
        shown = question if len(question) <= 48 else question[:47] + "…"
        self._ax.set_title("")
        self.figure.suptitle(t("llm.closest_to", question=shown), fontsize=8)   # the query the bars answer
        rows = "".join(
            f"<div style='margin-bottom:6px'><b>{s:.3f}</b> · <i>{html.escape(p.play)}</i> #{p.index}<br>"
            f"<span style='white-space:pre-wrap;font-size:11px'>{html.escape(p.text[:220])}…</span></div>"
            for s, p in self.results
        )
        self.list.value = f"<div style='height:250px;overflow:auto;font-family:sans-serif;font-size:12px'>{rows}</div>"


# -- cost --------------------------------------------------------------------------------------------
TOKENIZERS = ("gpt2", "cl100k_base", "o200k_base")


@dataclass
class CostState:
    text: str = "To be, or not to be, that is the question."
    model: str = "gpt-4o"
    output_tokens: int = 500
    requests: int = 1000


def token_counts(text: str) -> dict[str, int]:
    """Tokens of ``text`` for each real tokenizer (GPT-2, GPT-4, GPT-4o)."""
    from ..cost import count_tokens

    return {name: count_tokens(text, name) for name in TOKENIZERS}


def show_token_costs(texts: dict[str, str], tokenizer: str = "o200k_base") -> Figure:
    """Static fallback: tokens per character of the same text in several languages."""
    from ..cost import count_tokens

    fig = new_figure(420, 260)
    ax = fig.add_subplot()
    names = list(texts)
    ratios = [count_tokens(t, tokenizer) / max(1, len(t)) for t in texts.values()]
    ax.bar(names, ratios, color=BAR_COLOUR)
    ax.set(ylabel=t("llm.tokens_per_character"), title=t("llm.same_sentence", tokenizer=tokenizer))
    fig.tight_layout()
    return fig


class CostCalculator(LiveView):
    """Paste a text, pick a model: its tokens in three real tokenizers and the cost of sending it
    ``requests`` times with ``output_tokens`` of answer each (price table in ``utils.cost``)."""

    def __init__(self, text: str = CostState.text, model: str = "gpt-4o"):
        from ..cost import PRICES

        if model not in PRICES:
            raise ValueError(f"unknown model {model!r}; choose one of {sorted(PRICES)}.")
        self.state = CostState(text=text, model=model)
        figure = new_figure(340, 240)
        self._ax = figure.add_subplot()
        self._bars = self._ax.bar(range(len(TOKENIZERS)), np.zeros(len(TOKENIZERS)), color=BAR_COLOUR)
        self._ax.set_xticks(range(len(TOKENIZERS)), ["GPT-2", "GPT-4\ncl100k", "GPT-4o\no200k"])
        self._ax.set_ylabel(t("llm.tokens"))
        self._labels = [self._ax.text(i, 0, "", ha="center", va="bottom", fontsize=9) for i in range(len(TOKENIZERS))]
        figure.subplots_adjust(left=0.18, right=0.97, top=0.84, bottom=0.2)   # room for a two-line title
        self.counts: dict[str, int] = {}
        self.cost = 0.0
        self.text = self.link(widgets.Textarea(value=text, continuous_update=False, layout=fixed_layout(420, 80)), "text")
        self.model = self.link(widgets.Dropdown(options=list(PRICES), value=model, description=t("llm.model"),
                                                layout=fixed_layout(220), style={"description_width": "45px"}), "model")
        self.output_tokens = self.link(widgets.IntSlider(value=500, min=0, max=4000, step=50, description=t("llm.answer_tokens"),
                                                         layout=fixed_layout(320), style={"description_width": "95px"}),
                                       "output_tokens")
        self.requests = self.link(widgets.IntText(value=1000, description=t("llm.requests"), layout=fixed_layout(200),
                                                  style={"description_width": "60px"}), "requests")
        self.table = widgets.HTML(layout=fixed_layout(360, 200))
        super().__init__(figure, controls=[self.text, widgets.VBox([self.model, self.output_tokens, self.requests])],
                         side=[self.table])

    def draw(self) -> None:
        from ..cost import PRICES, request_cost

        text = self.state.text[:MAX_COST_CHARS]
        self.counts = token_counts(text)
        values = [self.counts[n] for n in TOKENIZERS]
        for bar, label, value in zip(self._bars, self._labels, values):
            bar.set_height(value)
            label.set_position((bar.get_x() + bar.get_width() / 2, value))
            label.set_text(str(value))
        self._ax.set_ylim(0, max(values + [1]) * 1.2)
        price = PRICES[self.state.model]
        tokens = self.counts[price.tokenizer]
        requests = max(0, int(self.state.requests))
        self.cost = request_cost(self.state.model, tokens, self.state.output_tokens) * requests
        for bar, name in zip(self._bars, TOKENIZERS):   # the model's own tokenizer: darker and hatched
            used = name == price.tokenizer
            bar.set_facecolor("#1f3b73" if used else BAR_COLOUR)
            bar.set_hatch("//" if used else "")
        self._ax.set_title(t("llm.cost_title", chars=len(text), model=price.model, cost=self.cost, requests=requests),
                           fontsize=8)
        self.table.value = (
            f"<div style='font-family:sans-serif;font-size:13px'><b>{html.escape(price.model)}</b> "
            + t("llm.cost_tokenizer", tokenizer=price.tokenizer) + "<br>"
            + t("llm.cost_input", tokens=tokens, price=price.input_per_million) + "<br>"
            + t("llm.cost_output", tokens=self.state.output_tokens, price=price.output_per_million) + "<br>"
            + t("llm.cost_total", requests=requests, cost=self.cost) + "<br>"
            f"<small>{t('llm.cost_prices', as_of=t('llm.prices_as_of'))}</small></div>"
        )
