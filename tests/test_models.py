"""utils.models (notebooks 07-08), utils.train and utils.checkpoints on tiny configurations."""

import re

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
from utils.train import (
    Recipe,
    encode_corpus,
    evaluate,
    get_batch,
    learning_rate,
    load_training_state,
    make_optimizer,
    save_training_state,
    train,
    train_steps,
)

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


def test_the_cache_buffer_grows_without_losing_what_it_holds():
    """KVCache writes into a buffer that doubles when full: what it returns is always exactly the
    concatenation of everything appended, across growths, for prompts and single tokens."""
    cache, keys, values = KVCache(1), [], []
    gen = torch.Generator().manual_seed(0)
    for new in (5, 1, 1, 12, 1, 30, 1, 1):
        k, v = torch.randn(2, 3, new, 4, generator=gen), torch.randn(2, 3, new, 4, generator=gen)
        keys.append(k), values.append(v)
        got_k, got_v = cache.append(0, k, v)
        assert torch.equal(got_k, torch.cat(keys, 2)) and torch.equal(got_v, torch.cat(values, 2))
    assert cache.length == 52


def test_cached_one_token_steps_give_the_full_logits_past_several_buffer_growths():
    model = tiny_model(block_size=80)
    idx = torch.randint(11, (2, 80), generator=torch.Generator().manual_seed(2))
    cache = KVCache(model.config.n_layer)
    pieces = [model(idx[:, :3], cache=cache)[0]]  # buffers of 16, then 32, 64, 128 positions
    pieces += [model(idx[:, t : t + 1], cache=cache)[0] for t in range(3, 80)]
    assert torch.allclose(torch.cat(pieces, 1), model(idx)[0], atol=1e-5)


@pytest.mark.parametrize("overrides, gelu", [({}, "none"), ({"bias": True}, "tanh")])
def test_generation_steps_give_the_models_logits_bit_for_bit(overrides, gelu):
    """generate() steps a plain GPT without module calls (models._one_token_stepper): every step's
    logits must be exactly what model(token, cache=...) gives, biases included, across the cache's
    buffer growths, so a greedy or seeded text never depends on which path ran."""
    from utils.models import _one_token_stepper

    model = tiny_model(block_size=40, **overrides)
    for block in model.blocks:
        block.mlp[1] = torch.nn.GELU(approximate=gelu)
    noise = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for p in model.parameters():  # norms start at 1 and biases at 0: give each its own values
            p.add_(torch.randn(p.shape, generator=noise) * 0.1)
    step = _one_token_stepper(model)
    assert step is not None
    idx = torch.randint(11, (2, 40), generator=torch.Generator().manual_seed(4))
    ours, theirs = KVCache(model.config.n_layer), KVCache(model.config.n_layer)
    with torch.no_grad():
        model(idx[:, :3], cache=ours), model(idx[:, :3], cache=theirs)
        for t in range(3, 40):
            assert torch.equal(step(idx[:, t : t + 1], ours), model(idx[:, t : t + 1], cache=theirs)[0][:, -1]), t
    assert ours.length == theirs.length == 40


def test_generation_goes_through_forward_when_hooks_or_other_modules_must_run():
    from utils.lora import add_lora
    from utils.models import _one_token_stepper

    assert _one_token_stepper(tiny_model().train()) is None  # dropout may act in training
    hooked = tiny_model()
    calls = []
    hooked.blocks[1].mlp.register_forward_hook(lambda *_: calls.append(1))
    assert _one_token_stepper(hooked) is None
    generate(hooked, torch.zeros(1, 2, dtype=torch.long), 5, temperature=0)
    assert len(calls) == 5, "the hook runs at every generated token"
    adapted = tiny_model()
    add_lora(adapted, rank=2, alpha=4.0)
    assert _one_token_stepper(adapted) is None
    with torch.no_grad():  # the adapters change the answer: the text must be forward's
        for name, p in adapted.named_parameters():
            if name.endswith(".B"):  # B starts at zero (the adapter then changes nothing)
                p.fill_(0.3)
    prompt = torch.randint(11, (1, 3), generator=torch.Generator().manual_seed(5))
    assert torch.equal(generate(adapted, prompt, 10, temperature=0),
                       generate(adapted, prompt, 10, temperature=0, use_cache=False))


def test_generated_ids_can_go_into_training_and_the_mode_comes_back_even_after_an_error():
    """generate() runs under inference_mode; what it returns must still be an ordinary tensor
    (notebook 11 trains on sampled ids), and a failure inside must not leave the model in eval mode."""
    model = tiny_model().train()
    ids = generate(model, torch.zeros(1, 2, dtype=torch.long), 6, temperature=0)
    assert model.training and not ids.is_inference()
    logits, loss = model(ids[:, :-1], ids[:, 1:])
    loss.backward()  # the embedding's backward keeps the ids: an inference tensor would refuse
    assert model.token_embedding.weight.grad is not None
    with pytest.raises(ValueError, match="top_k"):
        generate(model, ids, 3, temperature=1.0, top_k=0)
    assert model.training


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
class _Recorder(torch.nn.Module):
    """A linear layer that remembers the size of each batch and whether it was in training mode."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)
        self.seen = []

    def forward(self, x):
        self.seen.append((len(x), self.training))
        return self.linear(x)


def _regression(n=10, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=g)
    return x, x @ torch.tensor([[2.0], [-1.0]]) + 0.5


def test_train_steps_is_plain_sgd_on_seeded_minibatches():
    x, y = _regression(10)
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 1)
    reference = torch.nn.Linear(2, 1)
    reference.load_state_dict(model.state_dict())
    torch.manual_seed(123)  # the global RNG must not matter: the generator picks the batches
    losses = train_steps(model, torch.optim.SGD(model.parameters(), lr=0.1), x, y, F.mse_loss, 5, batch_size=4,
                         generator=torch.Generator().manual_seed(7))
    # The same loop written out by hand: batch indices 0..9 drawn by the seeded generator.
    g, opt, expected = torch.Generator().manual_seed(7), torch.optim.SGD(reference.parameters(), lr=0.1), []
    for _ in range(5):
        batch = torch.randint(0, 10, (4,), generator=g)
        loss = F.mse_loss(reference(x[batch]), y[batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
        expected.append(loss.item())
    assert losses == expected and all(type(v) is float for v in losses)
    assert torch.equal(model.weight, reference.weight) and torch.equal(model.bias, reference.bias)
    assert losses[-1] < losses[0]


def test_train_steps_batch_sizes_modes_and_zero_steps():
    x, y = _regression(100)
    model = _Recorder()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    train_steps(model, opt, x, y, F.mse_loss, 2)
    assert model.seen == [(64, True), (64, True)] and not model.training  # default 64, eval mode after
    model.seen.clear()
    train_steps(model, opt, x[:10], y[:10], F.mse_loss, 1)  # never more than the data
    train_steps(model, opt, x[:1], y[:1], F.mse_loss, 1, batch_size=1)  # one example, batch of one
    assert model.seen == [(10, True), (1, True)]
    before = model.linear.weight.clone()
    assert train_steps(model, opt, x, y, F.mse_loss, 0) == [] and torch.equal(model.linear.weight, before)


def test_train_steps_refusals_say_what_to_fix():
    x, y = _regression(10)
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for steps, message in ((-1, r"got -1\.$"), (2.5, r"got 2\.5\.$"), (3.0, r"got 3\.0; write steps=3\.$"),
                           (True, r"got True\.$")):
        with pytest.raises(ValueError, match=r"^steps must be a non-negative integer, " + message):
            train_steps(model, opt, x, y, F.mse_loss, steps)
    with pytest.raises(TypeError, match=r"^inputs must be a torch\.Tensor, got list; convert it with "
                                        r"torch\.tensor\(inputs\)\.$"):
        train_steps(model, opt, x.tolist(), y, F.mse_loss, 1)
    with pytest.raises(TypeError, match=r"^targets must be a torch\.Tensor, got ndarray; convert it with "
                                        r"torch\.tensor\(targets\)\.$"):
        train_steps(model, opt, x, y.numpy(), F.mse_loss, 1)
    with pytest.raises(ValueError, match=r"^inputs and targets must be non-empty with the same first size, "
                                         r"got \(10, 2\) and \(9, 1\)\.$"):
        train_steps(model, opt, x, y[:9], F.mse_loss, 1)
    with pytest.raises(ValueError, match=r"got \(0, 2\) and \(0, 1\)\.$"):
        train_steps(model, opt, x[:0], y[:0], F.mse_loss, 1)
    for batch_size in (0, 2.0):
        with pytest.raises(ValueError, match=rf"^batch_size must be a positive integer, got {batch_size!r}\.$"):
            train_steps(model, opt, x, y, F.mse_loss, 1, batch_size=batch_size)


STATE_RECIPE = Recipe(steps=6, batch_size=4, lr=3e-3, warmup_steps=2)
STATE_DATA = torch.arange(200) % 11


def test_a_saved_training_state_resumes_exactly_like_an_uninterrupted_run(tmp_path):
    whole = tiny_model(seed=1)
    expected = train(whole, STATE_DATA, STATE_RECIPE, seed=3, progress=False)
    first = tiny_model(seed=1)
    part = train(first, STATE_DATA, STATE_RECIPE, seed=3, progress=False, stop_after=4, save_to=tmp_path / "run.pt")
    assert part == expected[:4]
    # The same file read directly: the step reached and the losses, as plain numbers.
    model, generator = tiny_model(seed=9), torch.Generator().manual_seed(99)
    optimizer = make_optimizer(model, STATE_RECIPE)
    step, losses = load_training_state(tmp_path / "run.pt", model, optimizer, generator)
    assert step == 4 and losses == part and all(type(v) is float for v in losses)
    for name, value in first.state_dict().items():
        assert torch.equal(model.state_dict()[name], value), name
    assert optimizer.state_dict()["state"][0]["step"].item() == 4  # AdamW's moments came back too
    resumed = train(tiny_model(seed=5), STATE_DATA, STATE_RECIPE, seed=42, progress=False,
                    resume_from=tmp_path / "run.pt")
    assert resumed == expected  # same batches (the generator's state) and same updates


def test_save_training_state_writes_what_load_reads(tmp_path):
    model = tiny_model()
    optimizer = make_optimizer(model, STATE_RECIPE)
    generator = torch.Generator().manual_seed(5)
    generator_state = generator.get_state()
    path = save_training_state(str(tmp_path / "state.pt"), model, optimizer, 3.0, generator, (2.5, 2.25))
    assert path == tmp_path / "state.pt" and path.is_file()
    torch.rand(3, generator=generator)  # move the generator on; loading must put it back
    assert load_training_state(path, tiny_model(seed=4), make_optimizer(tiny_model(), STATE_RECIPE),
                               generator) == (3, [2.5, 2.25])
    assert torch.equal(generator.get_state(), generator_state)


class _Payload:
    """Unpickling this would run code: a training-state file must only hold tensors and numbers."""

    def __reduce__(self):
        return (print, ("unpickled!",))


def test_load_training_state_refuses_a_missing_damaged_or_foreign_file(tmp_path, monkeypatch):
    model = tiny_model()
    optimizer = make_optimizer(model, STATE_RECIPE)
    generator = torch.Generator().manual_seed(0)

    def load(path, into=None):
        into = into or tiny_model()
        return load_training_state(path, into, make_optimizer(into, STATE_RECIPE), generator)

    missing = tmp_path / "nowhere.pt"
    with pytest.raises(FileNotFoundError, match=rf"^No training checkpoint at {re.escape(str(missing))}\. Run the "
                                                rf"training cell with save_to='{re.escape(str(missing))}' first"):
        load(missing)
    path = save_training_state(tmp_path / "run.pt", model, optimizer, 1, generator, [1.0])
    fixed = rf"^The training checkpoint {re.escape(str(path))} is corrupt or was written for another model \("
    again = rf"\)\. Delete it and run the training cell with save_to='{re.escape(str(path))}' again\.$"
    with pytest.raises(RuntimeError, match=fixed + r"RuntimeError: Error\(s\) in loading state_dict"):
        load(path, into=tiny_model(n_embd=8))  # another model's shapes
    blob = torch.load(path, weights_only=True)
    blob["model"]["ln_f.weight"][0] = float("inf")
    torch.save(blob, path)
    with pytest.raises(RuntimeError, match=fixed + r"ValueError: NaN or infinite weights in \['ln_f\.weight'\]"
                                         + again):
        load(path)
    for value in blob["model"].values():
        value.fill_(float("nan"))
    torch.save(blob, path)
    with pytest.raises(RuntimeError, match=r"NaN or infinite weights in \['[^']+', '[^']+', '[^']+'\]\)"):
        load(path)  # names at most three of them
    blob = torch.load(tmp_path / "run.pt", weights_only=True)
    torch.save({**blob, "note": _Payload()}, path)
    with pytest.raises(RuntimeError, match=fixed + r"UnpicklingError"):
        load(path)  # loads tensors only (weights_only): never runs code from the file
    with monkeypatch.context() as patch:  # also where torch's default is weights_only=False (torch < 2.6)
        patch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
        with pytest.raises(RuntimeError, match=fixed + r"UnpicklingError"):
            load(path)
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(RuntimeError, match=fixed):
        load(path)


def test_recipe_to_dict_lists_every_setting():
    recipe = Recipe(steps=7, lr=2e-3)
    d = recipe.to_dict()
    assert d["steps"] == 7 and d["lr"] == 2e-3 and d["schedule"] == "cosine" and d["betas"] == (0.9, 0.99)
    assert Recipe(**d) == recipe


def test_train_is_the_hand_written_loop_with_the_recipes_schedule():
    recipe = Recipe(steps=3, batch_size=4, lr=0.05, min_lr=0.005, warmup_steps=2, grad_clip=0.5)
    losses = train(tiny_model(seed=1), STATE_DATA, recipe, progress=False)  # seed 0 by default
    model, generator, expected = tiny_model(seed=1), torch.Generator().manual_seed(0), []
    optimizer = make_optimizer(model, recipe)
    model.train()
    for step in range(3):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, recipe)  # 0.025, 0.05, then the cosine decay
        x, y = get_batch(STATE_DATA, 16, 4, generator)
        _, loss = model(x, y)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
        expected.append(loss.item())
    assert losses == expected


def test_train_reports_progress_every_n_steps(capsys):
    calls = []
    recipe = Recipe(steps=5, batch_size=2, warmup_steps=0)
    losses = train(tiny_model(), STATE_DATA, recipe, every=2, callback=lambda *a: calls.append(a))
    mean = lambda v: sum(v) / len(v)  # noqa: E731
    assert calls == [(2, mean(losses[0:2])), (4, mean(losses[2:4])), (5, mean(losses[3:5]))]  # and at the end
    err = capsys.readouterr().err
    assert re.search(r"(?<![A-Za-z])training: ", err) and re.search(r"loss=\d\.\d{3}", err)  # a bar by default
    train(tiny_model(), STATE_DATA, recipe, progress=False)
    assert capsys.readouterr().err == ""
    calls.clear()
    train(tiny_model(), STATE_DATA, Recipe(steps=2, batch_size=1), progress=False, every=1,
          callback=lambda *a: calls.append(a), stop_after=1)
    assert [step for step, _ in calls] == [1]


def test_train_calls_back_every_50_steps_by_default():
    calls = []
    model = GPT(GPTConfig(vocab_size=11, block_size=2, n_layer=1, n_head=1, n_embd=4))  # the smallest: 51 quick steps
    train(model, STATE_DATA, Recipe(steps=51, batch_size=1, warmup_steps=0), progress=False,
          callback=lambda *a: calls.append(a))
    assert [step for step, _ in calls] == [50, 51]  # every 50 steps, and at the end


def test_train_autocast_lowers_the_precision_only_when_asked():
    recipe = Recipe(steps=1, batch_size=4)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # plain float32 training: no autocast warning
        full = train(tiny_model(), STATE_DATA, recipe, progress=False)
    bf16 = train(tiny_model(), STATE_DATA, recipe, progress=False, autocast_dtype=torch.bfloat16)
    fp16 = train(tiny_model(), STATE_DATA, recipe, progress=False, autocast_dtype=torch.float16)
    assert full != bf16 and bf16 != fp16 and fp16 != full
    assert bf16 == pytest.approx(full, rel=0.02) and fp16 == pytest.approx(full, rel=0.01)


def test_train_refusals_say_what_to_fix(tmp_path):
    model = tiny_model()
    recipe = Recipe(steps=4, batch_size=2)
    with pytest.raises(TypeError, match=r"^recipe must be a Recipe\(\.\.\.\), got dict\.$"):
        train(model, STATE_DATA, {"steps": 4})
    for stop_after in (0, 5, True, 2.0):
        with pytest.raises(ValueError, match=rf"^stop_after must be an integer between 1 and recipe\.steps=4, "
                                             rf"got {stop_after!r}\.$"):
            train(model, STATE_DATA, recipe, stop_after=stop_after)
    for every in (0, True, 2.0):
        with pytest.raises(ValueError, match=rf"^every must be a positive integer \(call the callback every N "
                                             rf"steps\), got {every!r}\.$"):
            train(model, STATE_DATA, recipe, every=every)
    blocker = tmp_path / "a file"
    blocker.write_text("")
    with pytest.raises(PermissionError, match=r"^Cannot write the training state in .*a file"):
        train(model, STATE_DATA, recipe, save_to=blocker / "run.pt")  # refused before any step
    assert len(train(model, STATE_DATA, recipe, stop_after=4, progress=False, every=1)) == 4  # the whole run


def test_make_optimizer_decays_matrices_only_with_the_recipes_settings():
    model = tiny_model()
    recipe = Recipe(lr=0.02, min_lr=0.0, betas=(0.8, 0.9), weight_decay=0.3)
    decay, no_decay = make_optimizer(model, recipe).param_groups
    assert decay["weight_decay"] == 0.3 and no_decay["weight_decay"] == 0.0
    assert all(p.dim() >= 2 for p in decay["params"]) and all(p.dim() < 2 for p in no_decay["params"])
    assert len(decay["params"]) + len(no_decay["params"]) == len(list(model.parameters()))
    for group in (decay, no_decay):
        assert group["lr"] == 0.02 and group["betas"] == (0.8, 0.9)


def test_learning_rate_schedules_at_their_boundaries():
    cosine = Recipe(steps=100, lr=1.0, min_lr=0.1, warmup_steps=10)
    assert learning_rate(10, cosine) == 1.0  # warmup ends at the full rate, not above it
    assert learning_rate(55, cosine) == pytest.approx(0.55)  # half-way down the cosine: the mean of lr and min_lr
    assert learning_rate(100, cosine) == pytest.approx(0.1) and learning_rate(150, cosine) == pytest.approx(0.1)
    short = Recipe(steps=11, lr=1.0, min_lr=0.1, warmup_steps=10)  # one step of decay
    assert learning_rate(10, short) == 1.0 and learning_rate(11, short) == pytest.approx(0.1)
    wsd = Recipe(steps=10, lr=1.0, min_lr=0.0, warmup_steps=0, schedule="constant_then_decay", decay_fraction=0.1)
    assert learning_rate(9, wsd) == 1.0 and learning_rate(10, wsd) == pytest.approx(0.0)


@pytest.mark.parametrize("settings, message", [
    (dict(schedule="linear"), r"schedule must be 'cosine' or 'constant_then_decay', got 'linear'\."),
    (dict(steps=0), r"Recipe\.steps must be an integer >= 1, got 0\."),
    (dict(steps=True), r"Recipe\.steps must be an integer >= 1, got True\."),
    (dict(steps=2.0), r"Recipe\.steps must be an integer >= 1, got 2\.0; write steps=2\."),
    (dict(batch_size=2.5), r"Recipe\.batch_size must be an integer >= 1, got 2\.5\."),
    (dict(warmup_steps=-1), r"Recipe\.warmup_steps must be an integer >= 0, got -1\."),
    (dict(weight_decay=-0.1), r"Recipe\.weight_decay must be a finite number >= 0, got -0\.1\."),
    (dict(weight_decay=True), r"Recipe\.weight_decay must be a finite number >= 0, got True\."),
    (dict(lr="0.001"), r"Recipe\.lr must be a finite number >= 0, got '0\.001'\."),
    (dict(grad_clip=float("nan")), r"Recipe\.grad_clip must be a finite number >= 0, got nan \(0 turns clipping off\)\."),
    (dict(lr=0), r"Recipe\.lr must be positive, got 0 \(nothing would change\)\."),
    (dict(lr=0.001, min_lr=0.01), r"Recipe\.min_lr=0\.01 is above lr=0\.001: the decay would raise the learning "
                                   r"rate\. Use a min_lr below lr \(e\.g\. lr / 10\)\."),
    (dict(decay_fraction=1.5), r"Recipe\.decay_fraction is the share of the steps spent decaying, between 0 and 1, "
                               r"got 1\.5\."),
    (dict(betas=(0.9,)), r"Recipe\.betas must be two numbers in \[0, 1\), e\.g\. \(0\.9, 0\.99\), got \(0\.9,\)\."),
    (dict(betas=(0.9, 1.0)), r"Recipe\.betas must be two numbers in \[0, 1\), e\.g\. \(0\.9, 0\.99\), got \(0\.9, 1\.0\)\."),
])
def test_recipe_refuses_bad_settings_saying_what_to_fix(settings, message):
    with pytest.raises(ValueError, match="^" + message + "$"):
        Recipe(**settings)


def test_recipe_accepts_its_boundary_values():
    Recipe(steps=1, batch_size=1, warmup_steps=0, lr=1e-3, min_lr=1e-3, decay_fraction=1, betas=(0, 0.99),
           weight_decay=0, grad_clip=0)


def test_encode_corpus_and_get_batch_refusals_and_smallest_stream():
    tokenizer = CharTokenizer("abc")
    with pytest.raises(TypeError, match=r"^encode_corpus needs a string, got list\.$"):
        encode_corpus(["abc"], tokenizer)
    with pytest.raises(ValueError, match=r"^encode_corpus needs non-empty text\.$"):
        encode_corpus("", tokenizer)
    with pytest.raises(TypeError, match=r"^data must be a 1-D torch\.Tensor of token ids, got list; make one with "
                                        r"encode_corpus\(text, tokenizer\)\.$"):
        get_batch([1, 2, 3], 2, 1)
    for name, args in (("block_size", (0, 1)), ("block_size", (True, 1)), ("batch_size", (4, 0)),
                       ("batch_size", (4, 2.0))):
        with pytest.raises(ValueError, match=rf"^{name} must be a positive integer, got {args[name == 'batch_size']!r}\.$"):
            get_batch(STATE_DATA, *args)
    with pytest.raises(ValueError, match=r"^data must be a 1-D token stream longer than block_size\+1=9, got shape "
                                         r"\(2, 50\)\.$"):
        get_batch(STATE_DATA[:100].view(2, 50), 8, 1)
    with pytest.raises(ValueError, match=r"got shape \(8,\)\.$"):
        get_batch(STATE_DATA[:8], 8, 1)
    x, y = get_batch(torch.arange(3), 1, 5)  # block_size 1 (a bigram model) works
    assert x.shape == y.shape == (5, 1) and torch.equal(y, x + 1)
    x, y = get_batch(torch.arange(10), 8, 3)  # the shortest stream the check lets through
    assert torch.equal(y, x + 1) and x[:, 0].tolist() == [0, 0, 0]
    try:  # one token shorter: a clear ValueError, or a valid batch, never a crash inside torch
        x, y = get_batch(torch.arange(9), 8, 2)
        assert torch.equal(y, x + 1)
    except ValueError:
        pass


def test_get_batch_draws_its_windows_from_the_generator_only():
    torch.manual_seed(1)
    first = get_batch(STATE_DATA, 8, 6, torch.Generator().manual_seed(3))
    torch.manual_seed(2)
    second = get_batch(STATE_DATA, 8, 6, torch.Generator().manual_seed(3))
    assert torch.equal(first[0], second[0]) and torch.equal(first[1], second[1])


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
