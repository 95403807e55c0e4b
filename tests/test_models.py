"""utils.models (notebooks 07-08), utils.train and utils.checkpoints on tiny configurations."""

import pytest
import torch
import torch.nn.functional as F

from utils.checkpoints import (
    CheckpointError,
    checkpoint_info,
    load_shakespeare_gpt,
    save_checkpoint,
)
from utils.data import CharTokenizer
from utils.models import (
    GPT,
    GPTConfig,
    KVCache,
    generate,
    gpt_parameter_count,
    next_token_probs,
    sample_next,
)
from utils.train import Recipe, encode_corpus, evaluate, get_batch, learning_rate, train

TINY = dict(vocab_size=11, block_size=16, n_layer=2, n_head=2, n_embd=16)


def tiny_model(seed=0, **overrides):
    torch.manual_seed(seed)
    return GPT(GPTConfig(**{**TINY, **overrides})).eval()


@pytest.mark.parametrize("bias", [False, True])
def test_parameter_formula_matches_the_code(bias):
    config = GPTConfig(**TINY, bias=bias)
    assert GPT(config).num_parameters() == gpt_parameter_count(config)


def test_parameter_formula_gives_gpt2_small_and_gpt3():
    gpt2 = GPTConfig(vocab_size=50257, block_size=1024, n_layer=12, n_head=12, n_embd=768, bias=True)
    assert gpt_parameter_count(gpt2) == 124_439_808  # Radford et al. 2019 / the HF checkpoint
    gpt3 = GPTConfig(vocab_size=50257, block_size=2048, n_layer=96, n_head=96, n_embd=12288, bias=True)
    assert abs(gpt_parameter_count(gpt3) / 175e9 - 1) < 0.01  # Brown et al. 2020, Table 2.1


def test_traced_attention_equals_the_fast_path_and_is_a_distribution():
    model = tiny_model()
    idx = torch.randint(11, (3, 9))
    fast, _ = model(idx)
    traced, _, trace = model(idx, trace=True)
    assert torch.allclose(fast, traced, atol=1e-5)
    assert len(trace) == 2 and trace[0]["weights"].shape == (3, 2, 9, 9)
    weights = trace[1]["weights"]
    assert torch.allclose(weights.sum(-1), torch.ones(3, 2, 9), atol=1e-6)
    future = torch.triu(torch.ones(9, 9, dtype=torch.bool), diagonal=1)
    assert (weights[..., future] == 0).all()
    assert torch.isinf(trace[0]["masked_scores"][..., future]).all()
    assert torch.isfinite(trace[0]["scores"]).all()


def test_changing_the_future_leaves_the_past_alone():
    model = tiny_model()
    idx = torch.randint(11, (1, 10))
    changed = idx.clone()
    changed[0, 6:] = (changed[0, 6:] + 1) % 11
    a, _ = model(idx)
    b, _ = model(changed)
    assert torch.allclose(a[:, :6], b[:, :6], atol=1e-6)
    assert not torch.allclose(a[:, 6:], b[:, 6:])


def test_kv_cache_gives_the_same_logits():
    model = tiny_model()
    idx = torch.randint(11, (2, 12))
    full, _ = model(idx)
    cache = KVCache(model.config.n_layer)
    pieces = [model(idx[:, :5], cache=cache)[0]]
    for t in range(5, 12):
        pieces.append(model(idx[:, t : t + 1], cache=cache)[0])
    assert cache.length == 12
    assert torch.allclose(torch.cat(pieces, 1), full, atol=1e-5)


def test_generate_cached_equals_uncached_and_runs_past_the_context():
    model = tiny_model()
    prompt = torch.randint(11, (1, 4))
    a = generate(model, prompt, 12, temperature=0, use_cache=True)
    b = generate(model, prompt, 12, temperature=0, use_cache=False)
    assert torch.equal(a, b) and a.shape == (1, 16)
    long = generate(model, prompt, 40, temperature=1.0, top_k=3, generator=torch.Generator().manual_seed(0))
    assert long.shape == (1, 44) and long.max() < 11


def test_sampling_filters():
    logits = torch.tensor([[2.0, 1.0, 0.5, -1.0, -3.0]])
    assert next_token_probs(logits, 0).tolist() == [[1.0, 0, 0, 0, 0]]
    assert torch.allclose(next_token_probs(logits), torch.softmax(logits, -1))
    top2 = next_token_probs(logits, 1.0, top_k=2)
    assert (top2[0, 2:] == 0).all() and torch.isclose(top2.sum(), torch.tensor(1.0))
    hot, cold = next_token_probs(logits, 2.0), next_token_probs(logits, 0.5)
    assert cold[0, 0] > hot[0, 0]
    nucleus = next_token_probs(logits, 1.0, top_p=0.7)
    p = torch.softmax(logits, -1)[0]
    assert p[0] < 0.7 <= p[0] + p[1] and (nucleus[0, 2:] == 0).all() and (nucleus[0, :2] > 0).all()
    assert sample_next(logits, 0).item() == 0
    draws = sample_next(logits.repeat(200, 1), 1.0, top_k=2, generator=torch.Generator().manual_seed(0))
    assert set(draws.flatten().tolist()) == {0, 1}


def test_errors_say_what_to_fix():
    model = tiny_model()
    with pytest.raises(ValueError, match="block_size=16"):
        model(torch.zeros(1, 17, dtype=torch.long))
    with pytest.raises(ValueError, match=r"idx\[None\]"):
        model(torch.zeros(5, dtype=torch.long))
    with pytest.raises(ValueError, match="divisible"):
        GPTConfig(n_embd=10, n_head=3)
    with pytest.raises(ValueError, match="temperature"):
        next_token_probs(torch.zeros(1, 3), -1)
    with pytest.raises(ValueError, match="top_k"):
        next_token_probs(torch.zeros(1, 3), 1.0, top_k=0)


def test_batches_schedule_and_whole_split_evaluation():
    data = torch.arange(100) % 11
    x, y = get_batch(data, 8, 4, torch.Generator().manual_seed(0))
    assert x.shape == (4, 8) and torch.equal(y[:, :-1], x[:, 1:])
    recipe = Recipe(steps=100, lr=1.0, min_lr=0.1, warmup_steps=10)
    assert learning_rate(0, recipe) == pytest.approx(0.1) and learning_rate(9, recipe) == pytest.approx(1.0)
    assert learning_rate(99, recipe) == pytest.approx(0.1, abs=1e-3)
    wsd = Recipe(steps=100, lr=1.0, min_lr=0.0, warmup_steps=0, schedule="constant_then_decay", decay_fraction=0.5)
    assert learning_rate(40, wsd) == 1.0 and learning_rate(75, wsd) == pytest.approx(0.5)
    model = tiny_model()
    windows = data[:96].view(6, 16), data[1:97].view(6, 16)
    manual = F.cross_entropy(model(windows[0])[0].reshape(-1, 11), windows[1].reshape(-1)).item()
    assert evaluate(model, data, batch_size=4) == pytest.approx(manual, rel=1e-5)


def test_training_lowers_the_loss():
    tokenizer = CharTokenizer("abcdefghijk")
    data = encode_corpus("abcdefghijk" * 40, tokenizer)
    model = tiny_model()
    before = evaluate(model, data)
    train(model, data, Recipe(steps=60, batch_size=8, lr=3e-3, warmup_steps=5), progress=False)
    assert evaluate(model, data) < before - 1.0


def test_checkpoint_round_trip_and_clear_errors(tmp_path):
    tokenizer = CharTokenizer("abcdefghijk")
    model = tiny_model()
    save_checkpoint(model, tokenizer, {"seed": 0, "val_loss": 2.0}, tmp_path)
    loaded, tok = load_shakespeare_gpt(tmp_path)
    idx = torch.randint(11, (1, 8))
    assert tok.chars == tokenizer.chars
    assert torch.allclose(loaded(idx)[0], model(idx)[0], atol=2e-2)  # fp16 weights
    assert checkpoint_info(tmp_path)["seed"] == 0
    with pytest.raises(CheckpointError, match="missing.*make checkpoint"):
        load_shakespeare_gpt(tmp_path / "nowhere")
    (tmp_path / "shakespeare_gpt.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="corrupt.*make checkpoint"):
        load_shakespeare_gpt(tmp_path)


def test_the_shipped_checkpoint_loads_and_matches_its_card():
    from utils.data import shakespeare

    model, tokenizer = load_shakespeare_gpt()
    info = checkpoint_info()
    assert model.num_parameters() == info["parameters"] and model.config.to_dict() == info["config"]
    assert tokenizer.chars == CharTokenizer(shakespeare("full")).chars  # any line of any play can be fed
    assert info["rebuild"] == "make checkpoint" and info["val_loss"] < 1.75
    assert not model.training


def test_generate_stops_when_every_row_gave_the_stop_token():
    model = GPT(GPTConfig(vocab_size=3, block_size=16, n_layer=1, n_head=1, n_embd=8))
    with torch.no_grad():
        model.lm_head.weight.zero_()  # all logits equal: greedy always picks token 0
    ids = torch.tensor([[1, 2], [2, 1]])
    assert generate(model, ids, 5, temperature=0).tolist() == [[1, 2, 0, 0, 0, 0, 0], [2, 1, 0, 0, 0, 0, 0]]
    assert generate(model, ids, 5, temperature=0, stop_id=0).shape == (2, 3)
    assert generate(model, ids, 5, temperature=0, stop_id=1).shape == (2, 7)


# -- added after the mutation run of 2026-11-26 (issue 25) --

@pytest.mark.parametrize("field, value, shown", [
    ("n_layer", 0, "0"), ("n_layer", -2, "-2"), ("n_head", 2.0, "2.0"), ("n_embd", "128", "'128'"),
    ("block_size", True, "True"), ("vocab_size", None, "None"),
])
def test_a_bad_size_names_the_field_and_the_value(field, value, shown):
    with pytest.raises(ValueError) as error:
        GPTConfig(**{field: value})
    assert f"GPTConfig.{field} must be a positive integer" in str(error.value) and shown in str(error.value)


@pytest.mark.parametrize("value", [1.0, 1.5, -0.1, True, "0.1"])
def test_dropout_must_be_a_probability_below_one(value):
    with pytest.raises(ValueError, match=r"dropout must be in \[0, 1\), got"):
        GPTConfig(dropout=value)
    assert GPTConfig(dropout=0.99).dropout == 0.99 and GPTConfig(dropout=0).dropout == 0


def test_bias_must_be_a_bool_and_the_message_shows_what_came():
    with pytest.raises(ValueError, match=r"GPTConfig.bias must be True or False, got 'yes'"):
        GPTConfig(bias="yes")


def test_gpt_names_what_it_got_instead_of_a_config():
    with pytest.raises(TypeError, match="GPT needs a GPTConfig, got dict"):
        GPT({"n_layer": 2})


def test_every_residual_branch_ends_in_dropout_as_in_gpt2():
    """Dropout on the embeddings, inside attention and after each MLP (GPT-2's places): in training
    mode the MLP's output is dropped, in eval mode nothing is."""
    torch.manual_seed(0)
    block = GPT(GPTConfig(vocab_size=11, block_size=8, n_layer=1, n_head=2, n_embd=8, dropout=0.5)).blocks[0]
    x = torch.randn(2, 8, 8)
    block.train()
    mlp_out = block.mlp(block.ln2(x))
    assert (mlp_out == 0).float().mean() > 0.3  # about half the outputs dropped
    block.eval()
    assert (block.mlp(block.ln2(x)) != 0).all()


def test_loss_is_none_without_targets_and_bad_targets_say_what_they_were():
    model = tiny_model()
    idx = torch.zeros(2, 5, dtype=torch.long)
    assert model(idx)[1] is None
    with pytest.raises(ValueError, match=r"targets must have the same shape as idx \(2, 5\).*got \(2, 4\)"):
        model(idx, idx[:, :4])
    with pytest.raises(ValueError, match=r"got list"):
        model(idx, [[0] * 5] * 2)


@pytest.mark.parametrize("prefix, chunk", [(1, 1), (3, 4)])
def test_a_cache_fed_several_tokens_at_once_still_hides_the_future(prefix, chunk):
    """After one cached token, or several new tokens at once after a cached prefix, each new query
    sees the cached keys and the new ones up to itself only: the same logits as one full pass."""
    model = tiny_model()
    idx = torch.randint(11, (2, prefix + chunk), generator=torch.Generator().manual_seed(1))
    cache = KVCache(model.config.n_layer)
    first = model(idx[:, :prefix], cache=cache)[0]
    rest = model(idx[:, prefix:], cache=cache)[0]
    assert torch.allclose(torch.cat([first, rest], 1), model(idx)[0], atol=1e-5)


def test_attention_dropout_acts_in_training_only_on_both_paths():
    torch.manual_seed(0)
    attn = GPT(GPTConfig(**{**TINY, "dropout": 0.5})).blocks[0].attn
    x = torch.randn(2, 6, 16)

    def twice(past: int) -> tuple[torch.Tensor, torch.Tensor]:
        outs = []
        for _ in range(2):
            cache = KVCache(1)
            if past:
                attn(x[:, :past], cache=cache)
            outs.append(attn(x[:, past:], cache=cache))
        return outs

    for past in (0, 2):  # no cache (is_causal) and a cache with a mask
        attn.train()
        a, b = twice(past)
        assert not torch.allclose(a, b), "in training, dropout makes two passes differ"
        attn.eval()
        a, b = twice(past)
        assert torch.equal(a, b), "in eval mode attention is deterministic"


def test_the_fast_attention_kernel_runs_unless_a_trace_is_asked_for(monkeypatch):
    import utils.models as models

    calls = []
    real = models.F.scaled_dot_product_attention
    monkeypatch.setattr(models.F, "scaled_dot_product_attention", lambda *a, **k: calls.append(1) or real(*a, **k))
    model = tiny_model()
    idx = torch.randint(11, (1, 5))
    model(idx)
    assert len(calls) == model.config.n_layer
    model(idx, trace=True)
    assert len(calls) == model.config.n_layer  # the traced path writes the softmax out instead
    model.hidden_states(idx)  # what a classifier reads (notebook 10): the fast path too
    assert len(calls) == 2 * model.config.n_layer


def test_token_ids_outside_the_vocabulary_are_named():
    model = tiny_model()  # vocabulary 0..10
    assert model(torch.tensor([[0, 10]]))[0].shape == (1, 2, 11)  # the last id is fine
    for bad in (11, -1):
        with pytest.raises(ValueError, match=rf"token id {bad}, outside this model's vocabulary \(0\.\.10\); "
                                             r"encode with the tokenizer the model was built for"):
            model(torch.tensor([[3, bad, 4]]))
    with pytest.raises(TypeError, match=r"got list; e\.g\. torch\.tensor\(\[ids\]\)"):
        model([[1, 2]])


def test_a_cache_past_the_context_says_how_long_the_sequence_got():
    model = tiny_model()  # block_size 16
    cache = KVCache(model.config.n_layer)
    model(torch.zeros(1, 10, dtype=torch.long), cache=cache)
    with pytest.raises(ValueError, match=r"sequence of 17 tokens is longer than the model's context \(block_size=16\)"):
        model(torch.zeros(1, 7, dtype=torch.long), cache=cache)
