"""Notebook 14's corpus: the four text choices, bad inputs with messages that say what to do,
bits per character against hand-computed values, the baselines and the copy detector."""

import math
import random

import pytest
import torch

from utils.bpe import BytePairTokenizer
from utils.corpus import (
    MIN_CHARACTERS,
    CopyIndex,
    Corpus,
    bits_per_character,
    bpe_with_merges,
    file_corpus,
    held_out_bits_per_character,
    load_corpus,
    longest_copy,
    passage_around,
    python_corpus,
    python_files,
    steps_for_time_budget,
    text_corpus,
    tokens_per_character,
    total_nats,
    unigram_loss,
)
from utils.data import CharTokenizer
from utils.models import GPT, GPTConfig
from utils.train import Recipe

LONG_TEXT = "The quick brown fox jumps over the lazy dog. " * 200   # 9,000 characters


# --- choosing a text -----------------------------------------------------------------------------
def test_python_corpus_is_capped_and_deterministic():
    first, second = python_corpus(20_000), python_corpus(20_000)
    assert len(first.text) == 20_000 and first.text == second.text
    assert first.text.startswith("# file: ") and "def " in first.text
    names = [p.name for p in python_files()][:50]
    assert len(names) == 50 and not any("test_" in n for n in names)


def test_file_corpus_reads_utf8_and_a_huge_file_only_its_prefix(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("é" + LONG_TEXT, encoding="utf-8")
    assert file_corpus(path).text == "é" + LONG_TEXT
    cut = file_corpus(path, max_characters=6_000)
    assert len(cut.text) == 6_000 and "first 6,000" in cut.notes[0]


def test_missing_file_and_folder_say_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="No file at"):
        file_corpus(tmp_path / "nope.txt")
    with pytest.raises(IsADirectoryError, match="folder"):
        file_corpus(tmp_path)
    with pytest.raises(ValueError, match="needs path"):
        load_corpus("file")


def test_binary_and_non_utf8_files_offer_errors_replace(tmp_path):
    binary = tmp_path / "picture.bin"
    binary.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(ValueError, match="binary.*errors='replace'"):
        file_corpus(binary)
    latin = tmp_path / "latin1.txt"
    latin.write_bytes(("caf\xe9 " + LONG_TEXT).encode("latin-1"))
    with pytest.raises(ValueError, match=r"not UTF-8 text \(byte 0xe9 at offset 3\).*errors='replace'"):
        file_corpus(latin)
    replaced = file_corpus(latin, errors="replace")
    assert replaced.text.startswith("caf\ufffd ") and "1 bytes that are not UTF-8" in replaced.notes[0]
    with pytest.raises(ValueError, match="'strict'.*'replace'"):
        file_corpus(latin, errors="ignore")


def test_too_short_states_the_minimum(tmp_path):
    with pytest.raises(ValueError, match=f"at least {MIN_CHARACTERS:,}"):
        text_corpus("to be or not to be")
    short = tmp_path / "short.txt"
    short.write_text("hello", encoding="utf-8")
    with pytest.raises(ValueError, match=f"5 characters.*at least {MIN_CHARACTERS:,}"):
        file_corpus(short)
    with pytest.raises(ValueError, match="choice must be one of"):
        load_corpus("poems")
    with pytest.raises(ValueError, match="max_characters"):
        text_corpus(LONG_TEXT, max_characters=10)


def test_split_holds_out_the_last_tenth_and_stats_count():
    corpus = Corpus("fox", LONG_TEXT, "test")
    train_text, held_out = corpus.split()
    assert train_text + held_out == LONG_TEXT and len(held_out) == 900
    stats = corpus.stats()
    assert stats["characters"] == 9_000 and stats["words"] == 1_800 and stats["most common"][0] == (" ", 1_800)
    with pytest.raises(ValueError, match="between 0 and 1"):
        corpus.split(1.5)


# --- bits per character --------------------------------------------------------------------------
def test_bits_per_character_hand_checked():
    # 4 tokens of ln 4 nats each (2 bits) spread over 8 characters: 1 bit per character
    assert bits_per_character(4 * math.log(4), 8) == pytest.approx(1.0)
    # one character, one nat: 1 / ln 2 = 1.4427 bits
    assert bits_per_character(1.0, 1) == pytest.approx(1.4426950408889634)
    with pytest.raises(ValueError, match="positive integer"):
        bits_per_character(1.0, 0)
    with pytest.raises(ValueError, match="finite"):
        bits_per_character(float("nan"), 3)


def _uniform_model(vocab_size: int, block_size: int = 4) -> GPT:
    model = GPT(GPTConfig(vocab_size=vocab_size, block_size=block_size, n_layer=1, n_head=1, n_embd=8))
    with torch.no_grad():
        model.lm_head.weight.zero_()   # logits 0: every token equally likely, ln(V) nats each
    return model


def test_held_out_bpc_of_a_uniform_model_is_log2_vocab_per_token():
    text = "abcabcabcab"                           # 11 characters, 10 predicted
    tokenizer = CharTokenizer("abc")
    model = _uniform_model(3)
    ids = torch.tensor(tokenizer.encode(text))
    # windows of 4 and a short last one: every token but the first predicted exactly once
    assert total_nats(model, ids) == pytest.approx(10 * math.log(3), rel=1e-6)
    assert held_out_bits_per_character(model, tokenizer, text) == pytest.approx(math.log2(3), rel=1e-6)


def test_held_out_bpc_with_bpe_divides_by_characters_not_tokens():
    text = "aaaa" * 30                                       # BPE makes "aaaa"-sized tokens
    bpe = BytePairTokenizer.train(text, 2)
    ids = bpe.encode(text)
    assert len(ids) == 30
    model = _uniform_model(bpe.vocab_size)
    # 29 tokens predicted at log2(258) bits each, over the 116 characters after the first token
    expected = 29 * math.log2(bpe.vocab_size) / 116
    assert held_out_bits_per_character(model, bpe, text) == pytest.approx(expected, rel=1e-6)
    assert held_out_bits_per_character(model, bpe, text) != pytest.approx(math.log2(bpe.vocab_size), rel=0.1)


# --- tokenizers, baselines, judges ---------------------------------------------------------------
def test_bpe_with_merges_is_the_prefix_of_training():
    text = LONG_TEXT[:2000]
    full = BytePairTokenizer.train(text, 40)
    assert bpe_with_merges(full, 10).merges == BytePairTokenizer.train(text, 10).merges
    assert bpe_with_merges(full, 0).vocab_size == 256
    assert tokens_per_character(full, text) < tokens_per_character(bpe_with_merges(full, 10), text) < 1.0
    with pytest.raises(ValueError, match="non-negative"):
        bpe_with_merges(full, -1)


def test_unigram_loss_hand_checked():
    train_ids, val_ids = torch.tensor([0, 0, 0, 1]), torch.tensor([0, 1])
    # add-one counts: token 0 -> 4/6, token 1 -> 2/6
    expected = -(math.log(4 / 6) + math.log(2 / 6)) / 2
    assert unigram_loss(train_ids, val_ids, 2) == pytest.approx(expected)
    with pytest.raises(ValueError, match="1-D"):
        unigram_loss(torch.zeros(2, 2, dtype=torch.long), val_ids, 2)


def test_longest_copy_finds_the_longest_shared_piece():
    train_text = "to be or not to be, that is the question"
    assert longest_copy("xx not to be, yy", train_text) == (len(" not to be, "), " not to be, ")
    assert longest_copy("jjj", train_text) == (0, "")
    assert longest_copy("zzz that is", train_text) == (8, " that is")
    assert passage_around("that", train_text, context=3) == "e, that is"
    assert passage_around("nowhere", train_text) == ""


def _plain_longest_copy(sample, train_text):
    """The plain search the index must agree with: for each start, extend while the piece is in the text."""
    best, best_start = 0, 0
    for start in range(len(sample)):
        while start + best < len(sample) and sample[start : start + best + 1] in train_text:
            best, best_start = best + 1, start
    return best, sample[best_start : best_start + best]


@pytest.mark.parametrize("alphabet", ["ab", "a b\n", "héllo wörld€", "".join(map(chr, range(32, 127))),
                                      "".join(map(chr, range(0x4E00, 0x4E00 + 3000)))])   # 12 bits: k = 5
def test_longest_copy_index_agrees_with_the_plain_search(alphabet):
    rng = random.Random(len(alphabet))
    for _ in range(60):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        index = CopyIndex(text)
        for _ in range(4):
            noise = lambda n: "".join(rng.choice(alphabet + "Q") for _ in range(rng.randint(0, n)))  # noqa: E731
            at = rng.randrange(len(text) + 1)
            sample = noise(20) + text[at : at + rng.randint(1, 60)] + noise(20) if rng.random() < 0.6 else noise(80)
            assert index.longest_copy(sample) == _plain_longest_copy(sample, text), (text, sample)
    assert CopyIndex("abc").longest_copy("") == (0, "")


def test_steps_for_time_budget_scales_with_the_budget():
    model = GPT(GPTConfig(vocab_size=5, block_size=8, n_layer=1, n_head=1, n_embd=8))
    data = torch.randint(0, 5, (200,))
    recipe = Recipe(steps=10, batch_size=4, warmup_steps=1)
    before = [p.clone() for p in model.parameters()]
    few, many = (steps_for_time_budget(model, data, recipe, s) for s in (0.05, 50.0))
    assert 1 <= few < many
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters())), "the trial must not train the model"
    with pytest.raises(ValueError, match="positive"):
        steps_for_time_budget(model, data, recipe, 0)
