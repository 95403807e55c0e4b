"""Headless tests of notebook 07/08's live views (attention heatmap, next-token bars).

Run twice by the test command: on ipywidgets 8 and on Colab's 7.7.1.
"""

import re

import numpy as np
import pytest
import torch

from utils.data import CharTokenizer
from utils.models import GPT, GPTConfig, next_token_probs
from utils.widgets import AttentionView, NextTokenView, show_attention, show_next_token_probs
from utils.widgets.attention import MASKED_GREY, MAX_TOKENS, token_label
from utils.widgets.base import WIDGET_MIME, figure_to_png

pytestmark = pytest.mark.widgets
TEXT = "ROMEO:\nbut soft, what light"


@pytest.fixture(scope="module")
def model_and_tokenizer():
    tokenizer = CharTokenizer("abcdefghijklmnopqrstuvwxyz ,.!:\nROMEJULIT")
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=tokenizer.vocab_size, block_size=64, n_layer=2, n_head=2, n_embd=32)).eval()
    return model, tokenizer


def test_attention_view_draws_the_models_trace(model_and_tokenizer):
    model, tok = model_and_tokenizer
    view = AttentionView(model, tok, "ROMEO:\nbut")
    _, _, trace = model(torch.tensor([tok.encode("ROMEO:\nbut")]), trace=True)
    image = view._artists["image"].get_array()
    assert np.allclose(image.data[:10, :10], trace[0]["weights"][0, 0].numpy(), atol=1e-6)
    assert image.mask[:10, :10].tolist() == np.triu(np.ones((10, 10), bool), 1).tolist()  # grey future
    assert view._artists["image"].get_cmap().name == "viridis"
    assert view._artists["image"].get_clim() == (0.0, 1.0)
    assert [t.get_text() for t in view._artists["xlabels"]][6] == "↵" == view._artists["ylabels"][6].get_text()
    assert view._artists["texts"][9][0].get_visible() and not view._artists["texts"][0][1].get_visible()


def test_attention_controls_change_the_picture(model_and_tokenizer):
    model, tok = model_and_tokenizer
    view = AttentionView(model, tok, TEXT)
    before, renders = view.png(), view.render_count
    view.head.value = 1
    assert view.state.head == 1 and view.render_count == renders + 1 and view.png() != before
    shown = view._artists["image"].get_array().data[: len(view.labels), : len(view.labels)]
    assert np.allclose(shown, view.weights[0, 1], atol=1e-6)
    view.layer.value = 1
    assert np.allclose(view._artists["image"].get_array().data[: len(view.labels), : len(view.labels)],
                       view.weights[1, 1], atol=1e-6)
    view.text.value = "JULIET:\nO Romeo"
    assert view.labels[:3] == ["J", "U", "L"] and len(view.labels) == 15 and "“o”" in view.info.value
    view.text.value = ""  # an empty box while typing keeps the last picture and says why
    assert "at least one character" in view.error and len(view.labels) == 15


def test_typing_in_the_attention_view_keeps_its_frame(model_and_tokenizer):
    # token labels are texts placed in a fixed 0-1 axes, not ticks: a keystroke changes no limits or
    # ticks, so it is a repaint (utils.figures.Repainter), and each label sits under its own column
    model, tok = model_and_tokenizer
    view = AttentionView(model, tok, "ROMEO:\nbut")
    view.png()
    ax = view._artists["ax"]
    frame = (ax.get_xlim(), ax.get_ylim(), list(ax.get_xticks()), list(ax.get_yticks()))
    for text in ("ROMEO:\nbu", "ROMEO:\nb", "JULIET: O Romeo, Romeo", "ROMEO:\nbut"):
        view.text.value = text
        view.png()
        assert view._painter.fig.stale is False
        assert (ax.get_xlim(), ax.get_ylim(), list(ax.get_xticks()), list(ax.get_yticks())) == frame
        n = len(view.labels)
        shown = [label for label in view._artists["xlabels"] if label.get_visible()]
        assert [label.get_text() for label in shown] == view.labels
        image = view._artists["image"].get_window_extent()
        for k, label in enumerate(shown):  # under column k, beside row k
            box = label.get_window_extent()
            assert image.x0 + image.width * k / n < (box.x0 + box.x1) / 2 < image.x0 + image.width * (k + 1) / n
            assert box.y1 < image.y0
            row = view._artists["ylabels"][k].get_window_extent()
            assert image.y1 - image.height * (k + 1) / n < (row.y0 + row.y1) / 2 < image.y1 - image.height * k / n
            assert row.x1 < image.x0
        assert not any(label.get_visible() for label in view._artists["xlabels"][n:])
    assert ax.yaxis.label.get_window_extent().x1 < min(r.get_window_extent().x0 for r in view._artists["ylabels"][:n])


def test_attention_caps_the_tokens_and_values(model_and_tokenizer):
    model, tok = model_and_tokenizer
    view = AttentionView(model, tok, "a" * 100)
    assert len(view.labels) == MAX_TOKENS and view.weights.shape == (2, 2, MAX_TOKENS, MAX_TOKENS)
    assert not any(t.get_visible() for row in view._artists["texts"] for t in row)  # too many to print
    assert "last 24 tokens" in view.info.value
    with pytest.raises(ValueError, match="head must be between 0 and 1"):
        AttentionView(model, tok, TEXT, head=5)


def test_attention_static_fallback_and_bundle(model_and_tokenizer):
    model, tok = model_and_tokenizer
    fig = show_attention(model, tok, "ROMEO:", layer=1, head=0)
    assert figure_to_png(fig).startswith(b"\x89PNG") and "layer 1, head 0" in fig.axes[0].get_title()
    assert fig.axes[0].images[0].get_cmap().get_bad()[:3] == pytest.approx(
        tuple(int(MASKED_GREY[i : i + 2], 16) / 255 for i in (1, 3, 5)))
    view = AttentionView(model, tok, TEXT)
    assert WIDGET_MIME in view._repr_mimebundle_() and view.settings()["layer"] == 0
    assert token_label(" \n") == "␣↵"


def test_next_token_bars_follow_temperature_and_top_k(model_and_tokenizer):
    model, tok = model_and_tokenizer
    view = NextTokenView(model, tok, "ROMEO:\nbut ")
    logits = model(torch.tensor([tok.encode("ROMEO:\nbut ")]))[0][0, -1]
    assert torch.allclose(view.probs, torch.softmax(logits, -1), atol=1e-6)
    heights = [b.get_height() for b in view._artists["used"]]
    before = view.png()
    view.top_k.value = 3
    assert int((view.probs > 0).sum()) == 3 and view.png() != before
    assert sum(b.get_height() > 0 for b in view._artists["used"]) == 3
    view.top_k.value = 0
    view.temperature.value = 0.3
    assert torch.allclose(view.probs, next_token_probs(logits[None], 0.3)[0], atol=1e-6)
    assert max(b.get_height() for b in view._artists["used"]) > max(heights)  # colder: peakier
    view.temperature.value = 0.0
    assert view.probs.max() == 1.0 and "greedy" in view._artists["title"].get_text()
    view.top_p.value = 0.5
    assert view.state.top_p == 0.5


def test_next_token_prompt_and_generate_button(model_and_tokenizer):
    model, tok = model_and_tokenizer
    view = NextTokenView(model, tok, "ROMEO:\n", new_tokens=30)
    probs = view.probs.clone()
    view.prompt.value = "JULIET:\nO"
    assert not torch.allclose(probs, view.probs)
    view.generate_button.click()
    first = view.output.value
    assert "JULIET" in first and len(first) > 60 and view.state.seed == 1
    view.generate_button.click()
    assert view.output.value != first  # a new seed, a new sample
    view.temperature.value = 0.0
    assert view.generate() == view.generate()  # greedy is deterministic
    fig = show_next_token_probs(model, tok, "ROMEO:\n", temperature=0.5, top_k=5)
    assert figure_to_png(fig).startswith(b"\x89PNG")


def _english_words_of(topic: str) -> set[str]:
    """The interface words of utils/locales/en/<topic>.json: what an untranslated attention label would show."""
    import json
    import re

    from utils import i18n

    strings = json.loads((i18n.LOCALES / "en" / f"{topic}.json").read_text(encoding="utf-8"))
    return {word for text in strings.values() for word in re.findall(r"[A-Za-z]{3,}", re.sub(r"\{[^}]*\}", "", text))}


def test_attention_speaks_russian_in_every_state(model_and_tokenizer):
    from test_views_speak import english_left, shown_text

    from utils import i18n

    model, tok = model_and_tokenizer
    english = _english_words_of("attention")
    with i18n.speaking("ru"):
        view = AttentionView(model, tok, TEXT)
        view.layer.value, view.head.value = 1, 1
        view.print_values.value = False
        view.text.value = "a" * 100  # too long: the "showing the last tokens" line appears
        assert "24" in view.info.value
        view.text.value = ""  # the error line appears
        assert view.error and view.error in view.info.value
        assert english_left(view, kept={"ROMEO", "but", "soft", "what", "light"}) == []
        left = [text for text in shown_text(view) if set(re.findall(r"[A-Za-z]{3,}", text)) & english]
        assert left == [], f"English left in the Russian view: {left}"
        assert view.layer.description == "слой" and "голова 1" in view._artists["title"].get_text()
        fig = show_attention(model, tok, "ROMEO:", layer=1, head=0)
    texts = [t.get_text() for t in fig.findobj(__import__("matplotlib").text.Text) if t.get_text().strip()]
    assert "слой 1, голова 0" in fig.axes[0].get_title()
    assert not [text for text in texts if set(re.findall(r"[A-Za-z]{3,}", text)) & english], texts
    # back in English, a new view speaks English again (the language is read when the view is drawn)
    assert AttentionView(model, tok, TEXT).layer.description == "layer"


def test_an_english_attention_label_would_be_caught(model_and_tokenizer):
    from test_views_speak import shown_text

    from utils import i18n

    model, tok = model_and_tokenizer
    english = _english_words_of("attention")
    with i18n.speaking("ru"):
        view = AttentionView(model, tok, TEXT)
        view.head.description = "head"
        assert [text for text in shown_text(view) if set(re.findall(r"[A-Za-z]{3,}", text)) & english] == ["head"]


def test_next_token_view_speaks_russian_after_its_controls_move(model_and_tokenizer):
    from test_views_speak import english_left

    from utils import i18n

    model, tok = model_and_tokenizer
    with i18n.speaking("ru"):
        view = NextTokenView(model, tok, "ROMEO:\nbut ", new_tokens=30)
        assert view.generate_button.description == "сгенерировать: 30 симв."
        view.temperature.value = 0.0
        view.top_k.value = 3
        assert "жадно" in view._artists["title"].get_text() and "greedy" not in view._artists["title"].get_text()
        view.prompt.value = "%%%"  # no character the model knows: the reason is shown, in Russian
        assert "хотя бы с одним символом" in view.error and view.error in view._artists["title"].get_text()
        view.generate_button.click()
        assert "хотя бы с одним символом" in view.output.value
        assert english_left(view) == []
        fig = show_next_token_probs(model, tok, "ROMEO:\n")
        assert "после" in fig.axes[0].get_title() and fig.axes[0].get_ylabel() == "вероятность"
    # and back in English, the same view's next redraw speaks English again
    view.prompt.value = "ROMEO:\n"
    assert "greedy" in view._artists["title"].get_text() and "жадно" not in view._artists["title"].get_text()
