"""utils.bpe: the byte-level BPE of notebook 06."""

import pytest

from utils import data
from utils.bpe import BytePairTokenizer, chunk_text, merge_pair, pair_counts


def test_chunks_keep_leading_spaces_and_cover_the_text():
    text = "ROMEO:\nBut, soft!  what 123 light"
    chunks = chunk_text(text)
    assert "".join(chunks) == text
    assert " soft" in chunks and "ROMEO" in chunks and " 123" in chunks
    with pytest.raises(TypeError):
        chunk_text(b"bytes")


def test_pair_counts_and_merge():
    counts = pair_counts({(1, 2, 1, 2): 3, (2, 1): 1})
    assert counts[(1, 2)] == 6 and counts[(2, 1)] == 4
    assert merge_pair((1, 2, 1, 2, 2), (1, 2), 9) == (9, 9, 2)
    assert merge_pair((1, 1, 1), (1, 1), 9) == (9, 1)  # left to right, no overlaps


def test_training_on_a_toy_text():
    tok = BytePairTokenizer.train("aaab aaab aaab", num_merges=3)
    assert tok.merges[(97, 97)] == 256  # "aa" is the most frequent pair
    assert tok.vocab[256] == b"aa" and tok.vocab_size == 256 + len(tok.merges)
    assert tok.encode(" aaab") == tok.encode(" aaab")  # cached path is the same


def test_round_trip_on_corpus_and_other_scripts():
    text = data.shakespeare("tiny")[:20_000]
    tok = BytePairTokenizer.train(text, num_merges=60)
    assert len(tok.merges) == 60
    for sample in (text[5000:9000], "Мой кот каждое утро", "সে কলা খেয়েছে", "emoji 🤖🧠 ok", ""):
        assert tok.decode(tok.encode(sample)) == sample
    assert len(tok.encode(text)) < 0.8 * len(text.encode("utf-8"))


def test_bad_input():
    with pytest.raises(ValueError, match="empty"):
        BytePairTokenizer.train("", 10)
    with pytest.raises(ValueError, match="num_merges"):
        BytePairTokenizer.train("abc", -1)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        BytePairTokenizer({}).decode([300])
    with pytest.raises(ValueError, match="uses an id not defined"):
        BytePairTokenizer({(300, 1): 256})
