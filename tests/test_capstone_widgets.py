"""Headless tests of notebook 14's views: set ``.value`` on a control, check what was drawn.

Run by the test command twice: on ipywidgets 8 and on Colab's 7.7.1 (``-m widgets``).
"""

import html

import pytest
import torch

from utils.bpe import BytePairTokenizer
from utils.data import CharTokenizer
from utils.models import GPT, GPTConfig
from utils.widgets import CorpusPicker, MergesView, SamplerView
from utils.widgets.base import NOTEBOOK_WIDTH_PX

pytestmark = pytest.mark.widgets
TEXT = "To be, or not to be, that is the question: whether 'tis nobler in the mind to suffer. " * 80


def test_corpus_picker_shows_stats_and_switches_text(tmp_path, view_width):
    picker = CorpusPicker(choice="text", text=TEXT)
    assert picker.corpus.text == TEXT and f"{len(TEXT):,}" in picker.html.value
    assert view_width(picker.widget) <= NOTEBOOK_WIDTH_PX
    mine = tmp_path / "mine.txt"
    mine.write_text("Hello, capstone! " * 400, encoding="utf-8")
    picker.path.value = str(mine)
    picker.choice.value = "file"
    assert picker.corpus.name == "mine.txt" and "6,800" in picker.html.value and "Hello, capstone!" in picker.html.value
    picker.choice.value = "python"
    assert picker.corpus.text.startswith("# file: ") and "Python" in picker.html.value


def test_corpus_picker_bad_file_keeps_the_last_corpus_and_says_why(tmp_path):
    picker = CorpusPicker(choice="text", text=TEXT)
    shown = picker.html.value
    picker.path.value = str(tmp_path / "missing.txt")
    picker.choice.value = "file"                     # a callback: must not raise
    assert "No file at" in picker.problem.value and picker.corpus.text == TEXT and picker.html.value == shown
    latin = tmp_path / "latin.txt"
    latin.write_bytes(("caf\xe9 " * 2000).encode("latin-1"))
    picker.path.value = str(latin)
    assert "not UTF-8" in picker.problem.value and "errors='replace'" in html.unescape(picker.problem.value)
    picker.replace.value = True                      # the offered fix works, and clears the message
    assert picker.problem.value == "" and picker.corpus.name == "latin.txt" and "replaced by" in picker.html.value
    picker.choice.value = "text"
    picker.pasted.value = "too short"
    assert "at least" in picker.problem.value and picker.corpus.text == TEXT   # the pasted text before


def test_corpus_picker_rejects_an_unknown_choice():
    with pytest.raises(ValueError, match="choice must be one of"):
        CorpusPicker(choice="poems")


@pytest.fixture(scope="module")
def full_bpe():
    return BytePairTokenizer.train(TEXT, 60)


def test_merges_slider_trades_vocabulary_for_length(full_bpe, view_width):
    view = MergesView(full_bpe, TEXT, merges=0)
    assert view.vocab_size == 256 and view.tokens_per_character == pytest.approx(1.0)
    assert view_width(view.widget) <= NOTEBOOK_WIDTH_PX
    before = view.html.value
    most = len(full_bpe.merges)
    assert view.merges.max == most and most > 30
    view.merges.value = most
    assert view.vocab_size == 256 + most and view.tokens_per_character < 0.5
    assert view.html.value != before and f"{256 + most:,}" in view.html.value and view.html.value.count("<span") > 20
    view.merges.value = 30
    assert view.tokens_per_character < 1.0 and view.vocab_size == 286
    with pytest.raises(ValueError, match="held-out text"):
        MergesView(full_bpe, "")


@pytest.fixture(scope="module")
def char_model():
    tokenizer = CharTokenizer(TEXT)
    torch.manual_seed(0)
    return GPT(GPTConfig(vocab_size=tokenizer.vocab_size, block_size=32, n_layer=1, n_head=2, n_embd=16)), tokenizer


def test_sampler_samples_and_marks_what_it_copied(char_model, view_width):
    model, tokenizer = char_model
    view = SamplerView(model, tokenizer, TEXT, prompt="To be", new_tokens=60)
    assert len(view.sample) == 60 and view_width(view.widget) <= NOTEBOOK_WIDTH_PX
    first = view.sample
    length, piece = view.copied
    assert length >= 1 and piece in TEXT and "<mark>" in view.html.value
    view.sample_button.click()
    assert view.sample != first and view.state.seed == 1
    view.temperature.value = 0.0                     # greedy: the same sample whatever the seed
    greedy = view.sample
    view.sample_button.click()
    assert view.sample == greedy
    view.new_tokens.value = 20
    assert len(view.sample) == 20


def test_sampler_copy_detector_finds_a_sample_that_is_in_the_training_text(char_model):
    model, tokenizer = char_model
    greedy = SamplerView(model, tokenizer, TEXT, prompt="To be", temperature=0.0, new_tokens=30).sample
    copier = SamplerView(model, tokenizer, "#" * 50 + greedy + "#" * 50, prompt="To be", temperature=0.0, new_tokens=30)
    assert copier.copied == (30, greedy) and greedy in copier.html.value
    other = SamplerView(model, tokenizer, "#" * 50 + greedy[:10] + "#" * 50, prompt="To be", temperature=0.0, new_tokens=30)
    assert other.copied[0] == 10 or (other.copied[0] < 30 and greedy[:10] in greedy)


def test_sampler_bad_prompt_is_reported_not_raised(char_model):
    model, tokenizer = char_model
    view = SamplerView(model, tokenizer, TEXT, prompt="To be", new_tokens=20)
    view.prompt.value = "ЖЖЖ"                        # no character the model knows
    assert "at least one character" in view.problem.value
    view.prompt.value = "be"
    assert view.problem.value == ""


def test_sampler_works_with_bpe(full_bpe):
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=full_bpe.vocab_size, block_size=16, n_layer=1, n_head=2, n_embd=16))
    view = SamplerView(model, full_bpe, TEXT, prompt="ЖЖЖ to be", new_tokens=20)   # bytes: any prompt works
    assert view.problem.value == "" and view.sample and view.copied[0] >= 0


def _data_words(text: str) -> set[str]:
    """The words of a corpus's own text: data the picker shows, not its interface."""
    from test_views_speak import ENGLISH_WORD

    return set(ENGLISH_WORD.findall(text))


def test_corpus_picker_speaks_russian(tmp_path):
    from test_views_speak import english_left

    from utils import i18n

    picker = CorpusPicker(choice="text", text=TEXT)          # built in English: the check has something to find
    kept = _data_words(TEXT)
    assert {"characters", "most common"} <= {w for text in english_left(picker, kept) for w in
                                              ("characters", "most common") if w in text}
    with i18n.speaking("ru"):
        picker.refresh()                                     # the statistics follow the language in use
        assert "символов" in picker.html.value and ">characters<" not in picker.html.value
        picker = CorpusPicker(choice="text", text=TEXT)
        kept |= {"Python"}                                   # a name Russian keeps in Latin letters
        assert english_left(picker, kept) == [] and "вставленный текст" in picker.html.value
        latin = tmp_path / "latin.txt"
        latin.write_bytes(("caf\xe9 " * 2000).encode("latin-1"))
        picker.path.value = str(latin)
        picker.replace.value = True
        picker.choice.value = "file"                         # a note: the bytes that were replaced
        assert picker.corpus.name == "latin.txt" and "заменено байтов" in picker.html.value
        assert english_left(picker, kept | _data_words(picker.corpus.text + str(latin))) == []   # the path is data too
        picker.choice.value = "python"                       # the corpus's name and note, in Russian
        assert "стандартная библиотека Python" in picker.html.value
        assert english_left(picker, kept | _data_words(picker.corpus.text[:500] + picker.corpus.source)) == []


def test_sampler_bad_prompt_is_reported_in_russian(char_model):
    from utils import i18n

    model, tokenizer = char_model
    with i18n.speaking("ru"):
        view = SamplerView(model, tokenizer, TEXT, prompt="To be", new_tokens=20)
        assert "Самый длинный кусок" in view.html.value and view.sample_button.description == "ещё образец"
        view.prompt.value = "ЖЖЖ"
        assert "хотя бы с одним символом" in view.problem.value
