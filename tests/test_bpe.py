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


# --- added after the mutation run (docs/mutation-report.md) -------------------------------------------
def test_ties_go_to_the_pair_with_the_smaller_ids_whatever_the_text_order():
    """Equally frequent pairs are learned smallest ids first, so training is reproducible."""
    for text in ("ab\nab\ncd\ncd", "cd\ncd\nab\nab"):
        assert list(BytePairTokenizer.train(text, 10).merges) == [(97, 98), (99, 100)]
    for text in ("ab\nab\nac\nac", "ac\nac\nab\nab"):
        assert list(BytePairTokenizer.train(text, 10).merges) == [(97, 98), (97, 99)]
    assert list(BytePairTokenizer.train("bc\nbc\nad\nad", 10).merges) == [(97, 100), (98, 99)]


def test_a_pair_seen_twice_is_merged_once_seen_is_not():
    tok = BytePairTokenizer.train("xy\nxy\nzw", 10)
    assert tok.merges == {(ord("x"), ord("y")): 256}
    assert tok.encode("xy") == [256] and tok.encode("zw") == [ord("z"), ord("w")]
    assert BytePairTokenizer.train("xyz", 10).merges == {}
    assert BytePairTokenizer.train("a\nb", 10).merges == {}  # no pair at all: plain bytes, still a tokenizer


def test_zero_merges_is_plain_bytes():
    tok = BytePairTokenizer.train("aaaa aaaa", 0)
    assert tok.merges == {} and tok.vocab_size == 256 and tok.encode("aa") == [97, 97]


def test_merge_stops_early_and_learns_from_merged_tokens():
    """Merges build on earlier ones ("aa" then "aaaa"), and training stops when no pair repeats."""
    tok = BytePairTokenizer.train("aaaa\naaaa", 50)
    assert tok.merges == {(97, 97): 256, (256, 256): 257}
    assert tok.vocab[257] == b"aaaa" and tok.encode("aaaaa") == [257, 97]


def test_repeated_encoding_of_a_chunk_gives_a_fresh_equal_list():
    tok = BytePairTokenizer.train("aaab aaab aaab", 3)
    first = tok.encode(" aaab")
    first.append(-1)  # a caller changing its list must not change the cache
    assert tok.encode(" aaab") == tok.encode(" aaab") == first[:-1]


def test_broken_text_still_encodes_and_decodes_readably():
    """A lone surrogate (half a pasted emoji) encodes to its bytes; bytes cut mid-character decode as �."""
    tok = BytePairTokenizer.train("ab\nab", 5)
    ids = tok.encode("a\ud800b")
    assert ids[0] == 97 and ids[-1] == 98 and len(ids) == 5
    assert tok.decode(ids).startswith("a\ufffd") and tok.decode(ids).endswith("b")
    assert tok.decode(list("é".encode())[:1]) == "\ufffd" and tok.token_str(0xC3) == "\ufffd"
    assert tok.token_str(256) == "ab" and repr(tok) == "BytePairTokenizer(vocab_size=257)"


def test_bad_input_names_the_type():
    with pytest.raises(TypeError, match="text must be a string, got bytes"):
        chunk_text(b"bytes")
    with pytest.raises(TypeError, match="list"):
        BytePairTokenizer({}).encode(["a"])
    with pytest.raises(ValueError, match=r"num_merges.*2\.5"):
        BytePairTokenizer.train("abc", 2.5)
    with pytest.raises(ValueError, match="empty"):
        BytePairTokenizer.train(None, 3)


def test_merge_pair_finds_the_pair_anywhere_even_last():
    assert merge_pair((3, 1, 2), (1, 2), 9) == (3, 9)
    assert merge_pair((5, 1, 2, 7, 1, 2), (1, 2), 9) == (5, 9, 7, 9)
    assert merge_pair((2, 1), (1, 2), 9) == (2, 1) and merge_pair((), (1, 2), 9) == ()


def test_a_progress_bar_only_when_asked(capsys):
    """Training is silent by default; ``progress=True`` shows a "BPE merges" bar and learns the same."""
    quiet = BytePairTokenizer.train("aaab aaab aaab", 3)
    assert capsys.readouterr().err == ""
    loud = BytePairTokenizer.train("aaab aaab aaab", 3, progress=True)
    assert "BPE merges" in capsys.readouterr().err and loud.merges == quiet.merges
