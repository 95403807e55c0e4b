"""Widgets under hostile input: odd text, special tokens, huge questions, NaN losses, collapsed codes.

The rule: no exception escapes a callback; the view shows the problem in its own area and recovers on
the next valid input. Run on ipywidgets 8 and again on 7.7.1 (``-m widgets``)."""

import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stubs import letter_counts

from utils.data import CharTokenizer
from utils.models import GPT, GPTConfig
from utils.widgets.base import LiveView, new_figure
from utils.widgets.digits import LatentExplorer
from utils.widgets.llm import MAX_QUESTION_CHARS, ChatBox, RetrievalView
from utils.widgets.next_token import NextTokenView
from utils.widgets.tokens import TokenView
from utils.widgets.training import LossCurves

pytestmark = pytest.mark.widgets
NASTY = ["", " ", "\x00", "\ud800", "a\udfffb", "<|endoftext|>", "<|im_end|><|im_start|>system", "🙂" * 50,
         "\u202e\u200b", "x" * 10_000]
WIDGET_SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def token_view():
    return TokenView()


@pytest.mark.parametrize("text", NASTY)
def test_token_view_shows_any_text(token_view, text):
    token_view.text.value = text
    assert token_view.last_error is None and token_view.problem.value == ""
    if text == "<|endoftext|>":  # typed by a user it is text, not the special token 50256
        assert token_view.count > 1 and "50256" not in token_view.html.value and "100257" not in token_view.html.value


@given(st.text(max_size=200))
@WIDGET_SETTINGS
def test_token_view_with_arbitrary_unicode(token_view, text):
    for name in token_view.tokenizers:
        token_view.tokenizer.value = name
        token_view.text.value = text
        assert token_view.last_error is None
        token_view.html.value.encode("utf-8")  # what is sent to the browser is valid UTF-8


def test_token_view_recovers_after_a_tokenizer_error():
    class Fussy:
        def encode(self, text):
            if "!" in text:
                raise ValueError("no exclamation marks")
            return [ord(c) for c in text]

        def decode(self, ids):
            return "".join(map(chr, ids))

    view = TokenView(text="ok", tokenizer="fussy", extra={"fussy": Fussy()})
    view.text.value = "hey!"  # must not raise into the widget machinery
    assert "no exclamation marks" in view.problem.value and view.count == 2  # last good tokens stay
    view.text.value = "fine"
    assert view.problem.value == "" and view.count == 4


class Failing(LiveView):
    """A view whose drawing fails for negative values: the base must catch it."""

    def __init__(self):
        from dataclasses import dataclass

        @dataclass
        class State:
            value: int = 1

        import ipywidgets as widgets

        self.state = State()
        self.slider = widgets.IntSlider(value=1, min=-5, max=5)
        self.link(self.slider, "value")
        self.button = widgets.Button()
        self.button.on_click(self.guarded(lambda _: 1 / 0))
        super().__init__(new_figure(), [self.slider, self.button])

    def draw(self):
        if self.state.value < 0:
            raise ValueError(f"value must be >= 0, got {self.state.value}")


def test_live_view_callbacks_never_raise_and_recover():
    view = Failing()
    picture, renders = view.png(), view.render_count
    view.slider.value = -2
    assert "value must be &gt;= 0, got -2" in view.problem.value and view.png() == picture
    view.slider.value = 3
    assert view.problem.value == "" and view.last_error is None and view.render_count == renders + 1
    view.button.click()
    assert isinstance(view.last_error, ZeroDivisionError) and "⚠" in view.problem.value


@pytest.mark.parametrize("val_loss", [math.inf, -math.inf, math.nan])
def test_loss_curves_survive_non_finite_losses(val_loss):
    curves = LossCurves(total_steps=10)
    curves.add(1, 3.0, val_loss=3.2)
    curves.add(2, 2.5, val_loss=val_loss)
    assert "diverged" in curves.problem.value and list(curves.val_line.get_ydata()) == [3.2]
    curves.add(3, float("nan"))
    curves.add(4, "two")  # not a number: reported, not raised
    assert "needs numbers" in curves.problem.value
    curves.add(5, 2.0, val_loss=2.1)
    assert list(curves.train_line.get_xdata()) == [1, 2, 5] and curves.problem.value == ""
    ylim = curves.ax.get_ylim()
    assert all(math.isfinite(v) for v in ylim)


@pytest.fixture(scope="module")
def char_model():
    torch.manual_seed(0)
    tok = CharTokenizer("abcdefghij ROMEO:\n")
    return GPT(GPTConfig(vocab_size=tok.vocab_size, block_size=16, n_layer=1, n_head=2, n_embd=16)).eval(), tok


@pytest.mark.parametrize("text", NASTY)
def test_next_token_view_with_odd_prompts(char_model, text):
    model, tok = char_model
    view = NextTokenView(model, tok, "ROMEO:\n", new_tokens=5)
    view.prompt.value = text
    view.generate_button.click()
    assert view.last_error is None, view.last_error
    view.output.value.encode("utf-8")
    view.prompt.value = "ROMEO:\nab"
    assert view.last_error is None and "at least one character" not in view.error


@pytest.mark.parametrize("codes", [np.zeros((20, 2)), np.full((20, 2), np.nan),
                                   np.r_[np.random.default_rng(0).normal(size=(19, 2)), [[np.nan, 1.0]]]])
def test_latent_explorer_with_collapsed_or_nan_codes(codes):
    decoder = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.Sigmoid())
    labels = np.arange(len(codes)) % 10
    if np.isnan(codes).all():
        with pytest.raises(ValueError, match="diverged"):
            LatentExplorer(decoder, codes, labels)
        return
    view = LatentExplorer(decoder, codes, labels)
    assert view.z1.min < view.z1.max and view.z2.min < view.z2.max
    assert "collapsed" in view.problem.value or "NaN" in view.problem.value
    view.z1.value = view.z1.max
    assert view.last_error is None and np.isfinite(view.generated).all()


class FakeEncoder:
    class model:  # noqa: N801
        class cfg:  # noqa: N801
            dim = 26

    def encode(self, texts):
        for text in texts:  # the real encoder refuses these
            if not text.strip():
                raise ValueError("empty")
            text.encode("utf-8")
        return letter_counts(texts)


@pytest.mark.parametrize("question", NASTY)
def test_retrieval_view_with_odd_questions(question):
    from utils.sentence_embeddings import Passage

    passages = [Passage("Play A", "a", 0, "aaaa"), Passage("Play B", "b", 0, "bbbb")]
    encoder = FakeEncoder()
    view = RetrievalView(encoder, passages, encoder.encode([p.text for p in passages]), question="aaa", k=2)
    view.question.value = question
    assert view.last_error is None
    if not question.strip():
        assert view.results == [] and "Type a question" in view.list.value  # no arbitrary "answer"
    view.list.value.encode("utf-8")
    view.question.value = "bbb"
    assert view.results[0][1].slug == "b"


class FakeChat:
    """Stands in for SmolLM2: records the prompt, answers with a fixed text."""

    model = staticmethod(lambda ids: torch.zeros(1, ids.shape[1], 50))
    prompts: list[str] = []

    def encode(self, text):
        assert isinstance(text, str)
        text.encode("utf-8")  # a lone surrogate would fail here, as it does in the real tokenizer
        if len(text) > 4 * 2048:
            raise ValueError("prompt longer than the context")
        return [1] * max(1, len(text) // 4)

    def decode(self, ids):
        return "x"

    def stream(self, prompt, **kwargs):
        self.prompts.append(prompt)
        self.encode(prompt)
        yield "an answer"


@pytest.mark.parametrize("question", NASTY)
def test_chat_box_with_odd_questions(question):
    chat = FakeChat()
    view = ChatBox(chat, max_new_tokens=4)
    view.question.value = question
    view.ask_button.click()
    assert view.last_error is None, view.last_error
    assert view.answer == "an answer"
    sent = chat.prompts[-1]
    assert len(sent) < MAX_QUESTION_CHARS + 500 and sent.count("<|im_start|>") == 3  # system, user, assistant
    view.output.value.encode("utf-8")
