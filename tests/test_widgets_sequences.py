"""Headless tests of notebook 05's and 06's views (hidden states, temperature, tokens, embedding map).

Run twice by the test command: on ipywidgets 8 and on Colab's 7.7.1 (``-m widgets``).
"""

import numpy as np
import pytest
import torch

from utils.bpe import BytePairTokenizer
from utils.data import CharTokenizer, tiktoken_encoding
from utils.rnn import CharLSTM
from utils.widgets import EmbeddingMap, HiddenStateView, TemperatureSampler, TokenView
from utils.widgets.base import NOTEBOOK_WIDTH_PX, WIDGET_MIME, figure_to_png
from utils.widgets.rnn import MAX_CHARS, show_hidden_states
from utils.widgets.tokens import show_embedding_map, tokens_html

pytestmark = pytest.mark.widgets
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TEXT = "ROMEO:\nBut, soft! what light through yonder window breaks?\nJULIET:\nAy me!\n"


@pytest.fixture(scope="module")
def lstm():
    torch.manual_seed(0)
    tok = CharTokenizer(TEXT)
    return CharLSTM(tok.vocab_size, embed_dim=8, hidden_size=40), tok


def test_hidden_state_view_follows_typed_text(lstm):
    model, tok = lstm
    view = HiddenStateView(model, tok, text="ROMEO:")
    before, renders = view.png(), view.render_count
    assert before.startswith(PNG_MAGIC) and view.states.shape == (32, 6)
    view.text.value = "JULIET:\nAy me!"
    assert view.render_count == renders + 1 and view.png() != before
    assert view.states.shape == (32, 14)
    with torch.no_grad():
        _, hidden, _ = model(torch.tensor([tok.encode("JULIET:\nAy me!")]), return_hidden=True)
    assert np.allclose(view.states, hidden[0, :, :32].T.numpy()[view.unit_order], atol=1e-6)
    drawn = np.ma.getdata(view._image.get_array())
    assert np.allclose(drawn[:, :14], view.states) and np.isnan(drawn[:, 14:]).all()
    assert [t.get_text() for t in view._artists[1]][:3] == ["J", "U", "L"]


def test_hidden_state_view_caps_and_skips_unknown(lstm):
    model, tok = lstm
    view = HiddenStateView(model, tok, text="Ω" + "a" * 200)
    assert view.states.shape == (32, MAX_CHARS)
    assert "cut or unknown" in view.note.value
    with pytest.raises(ValueError, match="units"):
        HiddenStateView(model, tok, units=64)
    with pytest.raises(TypeError, match="CharLSTM"):
        HiddenStateView(torch.nn.Linear(2, 2), tok)
    assert figure_to_png(show_hidden_states(model, tok, "ROMEO")).startswith(PNG_MAGIC)


def test_temperature_slider_reshapes_bars_and_resamples(lstm, view_width):
    model, tok = lstm
    view = TemperatureSampler(model, tok, prompt="ROMEO:\n", temperature=1.0, length=80)
    assert view_width(view.widget) <= NOTEBOOK_WIDTH_PX  # 880 px was cut off in JupyterLab
    heights = [bar.get_height() for bar in view._bars]
    text = view.generated
    view.temperature.value = 0.2
    sharp = [bar.get_height() for bar in view._bars]
    assert sharp[0] > heights[0] and view.state.temperature == 0.2
    expected = torch.softmax(model(torch.tensor([tok.encode("ROMEO:\n")]))[0, -1] / 0.2, -1).max().item()
    assert sharp[0] == pytest.approx(expected, rel=1e-5)
    assert "T = 0.20" in view._title.get_text()
    view.temperature.value = 1.0
    assert view.generated == text  # same seed and settings, same sample
    view.resample.click()
    assert view.state.seed == 1 and view.generated != text
    assert "ROMEO:" in view.sample.value and len(view.generated) == 80
    view.prompt.value = "JULIET:\n"
    assert "JULIET:" in view.sample.value
    with pytest.raises(ValueError, match="temperature"):
        TemperatureSampler(model, tok, temperature=5.0)
    with pytest.raises(ValueError, match="prompt"):
        TemperatureSampler(model, tok, prompt="Ω")


def test_token_view_colours_tokens_with_ids(view_width):
    view = TokenView("hello world", tokenizer="GPT-4 (cl100k_base)")
    assert view_width(view.widget) <= NOTEBOOK_WIDTH_PX
    assert view.count == 2 and "15339" in view.html.value and "1917" in view.html.value
    renders = view.render_count
    view.text.value = "Мой кот"
    assert view.render_count == renders + 1
    assert view.count == len(tiktoken_encoding("cl100k_base").encode("Мой кот"))
    cl100k = view.count
    view.tokenizer.value = "GPT-2 (r50k)"
    assert view.count > cl100k and view.state.tokenizer == "GPT-2 (r50k)"
    bundle = view._repr_mimebundle_()
    assert "text/html" in bundle and WIDGET_MIME in bundle


def test_token_view_extra_tokenizer_escaping_and_cap():
    bpe = BytePairTokenizer.train("the theatre the thief " * 20, 10)
    view = TokenView("<b>the</b>", tokenizer="ours", extra={"ours": bpe})
    assert "<b>the</b>" not in view.html.value and "&lt;" in view.html.value
    html, count = tokens_html(bpe, "x" * 1000, max_tokens=50)
    assert count == len(bpe.encode("x" * 1000)) and "more tokens not drawn" in html
    with pytest.raises(ValueError, match="unknown tokenizer"):
        TokenView(tokenizer="GPT-5")
    with pytest.raises(TypeError, match="encode"):
        TokenView(extra={"bad": object()})


@pytest.fixture(scope="module")
def word_vectors():
    rng = np.random.default_rng(0)
    words = ["king", "queen", "lord", "lady"] + [f"w{i}" for i in range(60)]
    vectors = rng.normal(size=(len(words), 8))
    vectors[1] = vectors[0] + 0.05 * rng.normal(size=8)  # queen right next to king
    return vectors, words


def test_embedding_map_highlights_word_and_neighbours(word_vectors, view_width):
    vectors, words = word_vectors
    view = EmbeddingMap(vectors, words, word="king", k=3, max_points=50)
    assert view_width(view.widget) <= NOTEBOOK_WIDTH_PX
    assert view.neighbours[0][0] == "queen"
    assert np.allclose(view._artists["word"].get_offsets(), view.coords[[0]])
    assert np.allclose(view._artists["neighbours"].get_offsets()[0], view.coords[1])
    before = view.png()
    view.word.value = "lady"
    assert np.allclose(view._artists["word"].get_offsets(), view.coords[[3]]) and view.png() != before
    assert "lady" in view._artists["title"].get_text()
    view.k.value = 5
    assert len(view.neighbours) == 5 and view._artists["neighbours"].get_offsets().shape == (5, 2)
    view.word.value = "banana"
    assert view.neighbours == [] and "not among" in view.table.value
    assert len(view._artists["word"].get_offsets()) == 0
    with pytest.raises(ValueError, match="one row per word"):
        EmbeddingMap(vectors, words[:3])
    assert figure_to_png(show_embedding_map(vectors, words, "king")).startswith(PNG_MAGIC)
