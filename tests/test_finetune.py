"""utils.finetune, utils.lora, utils.instruct: classification data split by play, the classifier, LoRA,
the instruction set."""

import copy
import math

import pytest
import torch
from torch import nn

from utils.data import TINY_PLAYS, CharTokenizer, get_play
from utils.finetune import TEST_PLAYS, GPTClassifier, encode_passages, genre_passages, genre_plays
from utils.instruct import CONTEXT, TASKS, answer, format_prompt, instruction_examples
from utils.lora import (
    MODEL_SHAPES,
    LoRALinear,
    add_lora,
    count_parameters,
    lora_parameter_count,
    merge_lora,
    training_memory_bytes,
)
from utils.models import GPT, GPTConfig

SMALL = GPTConfig(vocab_size=76, block_size=32, n_layer=2, n_head=2, n_embd=16)


def test_genre_split_is_by_play_and_avoids_pretraining_plays():
    train, test = genre_plays("train"), genre_plays("test")
    train_slugs, test_slugs = {p.slug for p in train}, {p.slug for p in test}
    assert test_slugs == set(TEST_PLAYS) and not train_slugs & test_slugs
    assert not (train_slugs | test_slugs) & set(TINY_PLAYS)
    assert {p.genre for p in train} == {p.genre for p in test} == {"comedy", "tragedy"}
    with pytest.raises(ValueError, match="'train' or 'test'"):
        genre_plays("val")


def test_genre_passages_are_labelled_by_their_play():
    texts, labels, slugs = genre_passages("test", max_chars=50, min_chars=45)
    assert len(texts) == len(labels) == len(slugs) > 1000
    assert all(45 <= len(t) <= 50 for t in texts)
    for text, label, slug in list(zip(texts, labels, slugs))[::500]:
        play = get_play(slug)
        assert ("comedy", "tragedy")[label] == play.genre
        assert any(s.text.startswith(text) for s in play.speeches)
    with pytest.raises(ValueError, match="min_chars"):
        genre_passages("train", max_chars=10, min_chars=20)


def test_encode_passages_pads_after_the_text():
    tok = CharTokenizer("abc ")
    ids, lengths = encode_passages(["ab", "abc a"], tok, 4)
    assert ids.shape == (2, 4) and lengths.tolist() == [2, 4]
    assert tok.decode(ids[0, :2].tolist()) == "ab" and tok.decode(ids[1].tolist()) == "abc "
    with pytest.raises(ValueError, match="empty"):
        encode_passages([], tok, 4)


def test_classifier_ignores_padding_and_checks_lengths():
    torch.manual_seed(0)
    model = GPTClassifier(GPT(SMALL))
    ids = torch.randint(0, 76, (2, 10))
    lengths = torch.tensor([6, 10])
    logits = model(ids, lengths)
    assert logits.shape == (2, 2)
    changed = ids.clone()
    changed[0, 6:] = 0  # only padding of row 0 changes
    assert torch.allclose(model(changed, lengths)[0], logits[0], atol=1e-6)
    with pytest.raises(ValueError, match="lengths"):
        model(ids, torch.tensor([0, 3]))
    with pytest.raises(TypeError, match="GPT"):
        GPTClassifier(nn.Linear(2, 2))


def test_hidden_states_feed_the_language_model_head():
    torch.manual_seed(0)
    model = GPT(SMALL)
    ids = torch.randint(0, 76, (2, 8))
    logits, _ = model(ids)
    assert torch.allclose(model.lm_head(model.hidden_states(ids)), logits)


def test_lora_starts_as_the_base_layer_and_merges_exactly():
    torch.manual_seed(0)
    base = nn.Linear(8, 5)
    lora = LoRALinear(copy.deepcopy(base), rank=2, alpha=4)
    x = torch.randn(3, 8)
    assert torch.equal(lora(x), base(x))
    assert [n for n, p in lora.named_parameters() if p.requires_grad] == ["A", "B"]
    with torch.no_grad():
        lora.B.normal_()
    assert not torch.allclose(lora(x), base(x))
    assert torch.allclose(lora.merged()(x), lora(x), atol=1e-5)
    with pytest.raises(ValueError, match="rank"):
        LoRALinear(base, rank=0, alpha=1)
    with pytest.raises(TypeError, match="nn.Linear, got Conv1d"):
        LoRALinear(nn.Conv1d(1, 1, 1), rank=1, alpha=1)


def test_add_lora_counts_and_merge_restores_plain_linears():
    torch.manual_seed(0)
    model = GPT(SMALL)
    ids = torch.randint(0, 76, (2, 8))
    before, _ = model(ids)
    names = add_lora(model, rank=2, alpha=2)
    assert len(names) == 4 * SMALL.n_layer
    d = SMALL.n_embd
    expected = SMALL.n_layer * 2 * ((d + 3 * d) + (d + d) + (d + 4 * d) + (4 * d + d))
    assert count_parameters(model) == expected
    assert torch.allclose(model(ids)[0], before, atol=1e-6)
    for module in model.modules():
        if isinstance(module, LoRALinear):
            nn.init.normal_(module.B)
    tuned, _ = model(ids)
    assert merge_lora(model) == len(names)
    assert not any(isinstance(m, LoRALinear) for m in model.modules())
    assert torch.allclose(model(ids)[0], tuned, atol=1e-4)
    with pytest.raises(ValueError, match="no nn.Linear"):
        add_lora(GPT(SMALL), rank=1, alpha=1, targets=("nothing",))


def test_lora_arithmetic_matches_hu_et_al():
    gpt3 = MODEL_SHAPES["GPT-3 175B"]
    # Hu et al. (2021), Table 5: 18 M trainable parameters in each setting
    for rank, matrices in ((8, ("q",)), (4, ("q", "v")), (2, ("q", "k", "v", "o"))):
        assert lora_parameter_count(gpt3, rank, matrices) == 18_874_368
    ours = MODEL_SHAPES["our Shakespeare GPT"]
    model = GPT(GPTConfig())
    assert model.num_parameters() == ours.parameters
    add_lora(model, rank=8, alpha=16)
    assert count_parameters(model) == lora_parameter_count(ours, 8)
    with pytest.raises(ValueError, match="no matrices"):
        lora_parameter_count(gpt3, 4, ("gate",))
    assert training_memory_bytes(10, 10) == 160 and training_memory_bytes(10, 0) == 20
    with pytest.raises(ValueError):
        training_memory_bytes(5, 6)


def test_instruction_examples_fit_the_context_and_split_by_speech():
    train, val = instruction_examples("train"), instruction_examples("val")
    assert len(train) > 5 * len(val) > 0
    assert {e.instruction for e in train} == set(TASKS)
    assert all(len(e.prompt) + len(e.response) + 1 <= CONTEXT for e in train + val)
    assert not {e.prompt for e in train} & {e.prompt for e in val}
    shout = next(e for e in train if e.instruction == TASKS[1])
    assert shout.response == shout.response.upper() and shout.prompt.startswith("Task: Shout this line.\nText: ")
    assert format_prompt("Q?", "a\nb  c") == "Task: Q?\nText: a b c\nAnswer: "


def test_answer_stops_at_a_newline_and_respects_the_context():
    torch.manual_seed(0)
    tok = CharTokenizer("\nab")
    model = GPT(GPTConfig(vocab_size=3, block_size=8, n_layer=1, n_head=1, n_embd=8))
    with torch.no_grad():  # make the model always predict "a"
        model.lm_head.weight.zero_()
        model.ln_f.weight.zero_()
    reply = answer(model, tok, "ab", max_chars=100)
    assert "\n" not in reply and len("ab") + len(reply) <= 9


def test_our_model_shape_is_the_shipped_checkpoint():
    """MODEL_SHAPES writes our GPT's sizes out (Colab has no data/ folder to read them from): they must
    be the checkpoint's, as data/shakespeare_gpt.json records them."""
    import json

    from utils import config

    meta = json.loads((config.REPO_ROOT / "data" / "shakespeare_gpt.json").read_text())
    d, ours = meta["config"]["n_embd"], MODEL_SHAPES["our Shakespeare GPT"]
    assert ours.n_layer == meta["config"]["n_layer"] and ours.parameters == meta["parameters"]
    assert ours.matrices == {"attn.qkv": (d, 3 * d), "attn.proj": (d, d), "mlp.0": (d, 4 * d), "mlp.2": (4 * d, d)}


# ---- The shipped from-scratch run (data/finetune_runs.json, `make finetune-runs`) ------------------
def test_shipped_scratch_run_matches_its_first_steps_recomputed_now():
    from utils.checkpoints import load_shakespeare_gpt
    from utils.finetune import load_scratch_run, train_from_scratch

    run = load_scratch_run()
    assert len(run["losses"]) == run["recipe"]["steps"] and 0 < run["accuracy"] < 1
    base, tokenizer = load_shakespeare_gpt()
    _, losses = train_from_scratch(tokenizer, base.config, steps=4)   # a cheap sample: the first 4 steps
    assert losses == pytest.approx(run["losses"][:4], abs=1e-4), (
        "the shipped from-scratch losses differ from today's code; run make finetune-runs")


@pytest.mark.parametrize("spoil, message", [
    (lambda card: card["runs"]["from scratch"]["recipe"].update(lr=3e-4), "recipe"),
    (lambda card: card["data"].update(test="0" * 16), "other test passages"),
    (lambda card: card.update(pretrained_sha256="0" * 64), "another pretrained checkpoint"),
    (lambda card: card["runs"]["from scratch"]["losses"].pop(), "one positive number per step"),
    (lambda card: card["runs"].clear(), "missing or unreadable"),
])
def test_a_stale_or_broken_runs_file_is_refused_with_the_rebuild_command(tmp_path, spoil, message):
    import json

    from utils.finetune import RUNS_REBUILD, load_scratch_run
    from utils.shipped import shipped_file

    card = json.loads(shipped_file("finetune_runs.json").read_text())
    spoil(card)
    path = tmp_path / "finetune_runs.json"
    path.write_text(json.dumps(card))
    with pytest.raises(ValueError, match=message) as error:
        load_scratch_run(path)
    assert RUNS_REBUILD in str(error.value) and "RUN_LIVE" in str(error.value)


# --- LoRA: added after the mutation run (docs/mutation-report.md) -------------------------------------
def test_lora_output_is_base_plus_alpha_over_rank_times_x_a_b():
    """The formula the notebook states, y = x Wᵀ + b + (alpha / rank) · x Aᵀ Bᵀ, written out by hand,
    for a layer with and without a bias; merging gives the same numbers."""
    torch.manual_seed(0)
    for bias in (True, False):
        base = nn.Linear(6, 4, bias=bias)
        lora = LoRALinear(copy.deepcopy(base), rank=3, alpha=2.0)
        with torch.no_grad():
            lora.B.normal_()
        x = torch.randn(5, 6)
        by_hand = x @ base.weight.T + (base.bias if bias else 0) + (2.0 / 3) * (x @ lora.A.T @ lora.B.T)
        assert torch.allclose(lora(x), by_hand, atol=1e-5)
        merged = lora.merged()
        assert type(merged) is nn.Linear and (merged.bias is not None) == bias
        assert torch.allclose(merged(x), by_hand, atol=1e-5)


def test_lora_a_starts_at_the_scale_of_its_inputs():
    """A ~ N(0, 1/in) so that x Aᵀ keeps the size of x (B = 0 makes the start exact anyway)."""
    torch.manual_seed(0)
    lora = LoRALinear(nn.Linear(400, 3), rank=50, alpha=1)
    assert lora.A.shape == (50, 400) and lora.B.shape == (3, 50)
    assert abs(float(lora.A.detach().std()) * math.sqrt(400) - 1) < 0.05
    assert (lora.rank, lora.alpha, lora.scale) == (50, 1, 1 / 50)


@pytest.mark.parametrize("rank, alpha, match", [
    (0, 1, "rank"), (-2, 1, "rank"), (2.0, 1, "rank"), (1, 0, "alpha"), (1, -1.0, "alpha"),
])
def test_lora_rejects_a_bad_rank_or_alpha_and_names_it(rank, alpha, match):
    with pytest.raises(ValueError, match=match) as caught:
        LoRALinear(nn.Linear(4, 4), rank=rank, alpha=alpha)
    assert repr(rank if match == "rank" else alpha) in str(caught.value)


def test_rank_one_is_the_smallest_adapter():
    lora = LoRALinear(nn.Linear(4, 3), rank=1, alpha=1)
    assert count_parameters(lora) == 4 + 3
    assert lora_parameter_count(MODEL_SHAPES["our Shakespeare GPT"], 1) == 4 * (512 + 256 + 640 + 640)
    for bad in (0, -1, 1.5):
        with pytest.raises(ValueError, match="rank"):
            lora_parameter_count(MODEL_SHAPES["our Shakespeare GPT"], bad)


def test_add_lora_on_a_top_level_linear_and_counting_frozen_parameters():
    """Layers directly inside the model (no parent module in the name) are wrapped too; with
    ``trainable_only=False`` every parameter counts once, frozen or not."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))
    total = count_parameters(model, trainable_only=False)
    assert total == count_parameters(model) == 3 * 5 + 5 + 5 * 2 + 2
    assert add_lora(model, rank=1, alpha=1, targets=("0", "2")) == ["0", "2"]
    assert isinstance(model[0], LoRALinear) and isinstance(model[2], LoRALinear)
    assert count_parameters(model) == (3 + 5) + (5 + 2)
    assert count_parameters(model, trainable_only=False) == total + (3 + 5) + (5 + 2)
    assert merge_lora(model) == 2 and isinstance(model[0], nn.Linear) and isinstance(model[2], nn.Linear)
    assert merge_lora(model) == 0


def test_count_parameters_counts_a_tied_weight_once():
    model = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 10, bias=False))
    model[1].weight = model[0].weight
    assert count_parameters(model) == 40


def test_training_memory_bounds():
    assert training_memory_bytes(0, 0) == 0 and training_memory_bytes(7, 3) == 16 * 3 + 2 * 4
    for trainable, total in ((6, 5), (-1, 5)):
        with pytest.raises(ValueError, match=f"trainable \\({trainable}\\).*total \\({total}\\)"):
            training_memory_bytes(total, trainable)


# -- added after the mutation run of 2026-11-26 (issue 25) --
# utils.finetune's survivors (docs/mutation-report.md): boundaries, what the errors name, the
# defaults the notebook relies on, and that train_from_scratch follows every field of its recipe.
def test_encode_passages_lengths_are_integer_counts_and_the_edges():
    """``lengths`` are token counts (long), usable as an index: the last real token of each row."""
    tok = CharTokenizer("abc ")
    ids, lengths = encode_passages(["ab", "abc a", "c"], tok, 4)
    assert lengths.dtype == torch.long and lengths.tolist() == [2, 4, 1]
    last = ids[torch.arange(3), lengths - 1]
    assert tok.decode(last.tolist()) == "b c"
    ids, lengths = encode_passages(["ab", "c"], tok, 1)  # length 1 is the shortest window: one token each
    assert ids.tolist() == [tok.encode("a"), tok.encode("c")]
    assert lengths.tolist() == [1, 1]
    for bad in (0, -3):
        with pytest.raises(ValueError, match=f"length must be positive, got {bad}"):
            encode_passages(["ab"], tok, bad)
    with pytest.raises(ValueError, match="passage 1 is empty"):
        encode_passages(["ab", ""], tok, 4)


def test_genre_passages_edges_and_the_default_cut():
    """``min_chars`` may be 1 and may equal ``max_chars``; by default a passage is cut at 96 characters."""
    texts, _, _ = genre_passages("test", max_chars=1, min_chars=1)
    assert texts and all(len(t) == 1 for t in texts)
    texts, _, _ = genre_passages("test", max_chars=50, min_chars=50)
    assert texts and all(len(t) == 50 for t in texts)
    texts, _, _ = genre_passages("test")
    assert max(len(t) for t in texts) == 96 and min(len(t) for t in texts) == 40
    with pytest.raises(ValueError, match="got 0 and 5"):
        genre_passages("test", max_chars=5, min_chars=0)


def test_classifier_errors_name_what_was_given():
    with pytest.raises(TypeError, match="got Linear"):
        GPTClassifier(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="at least 2 classes, got 1"):
        GPTClassifier(GPT(SMALL), n_classes=1)


class _Recorder(nn.Module):
    """A two-class 'model' with one weight per class that records the rows of each batch."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.tensor([0.5, -0.25]))
        self.batches = []

    def forward(self, ids, lengths):
        self.batches.append(ids[:, 0].tolist())
        return self.w.expand(len(ids), 2) * ids[:, :1].float()


def test_train_classifier_defaults_and_one_adamw_step_by_hand():
    """Batches of 32 drawn by a generator seeded with 0 by default; one AdamW step moves each weight
    by lr · sign(gradient) after the weight decay of 0.01 (Adam's first step, m / √v = ±1)."""
    from utils.finetune import train_classifier

    ids = torch.arange(1, 101)[:, None]
    lengths, labels = torch.ones(100, dtype=torch.long), torch.zeros(100, dtype=torch.long)
    model = _Recorder()
    before = model.w.detach().clone()
    losses = train_classifier(model, ids, lengths, labels, steps=1, lr=0.1)
    expected_rows = (torch.randint(100, (32,), generator=torch.Generator().manual_seed(0)) + 1).tolist()
    assert model.batches == [expected_rows] and len(losses) == 1
    # the label is class 0: its logit goes up, the other's down
    assert torch.allclose(model.w.detach(), before * (1 - 0.1 * 0.01) + torch.tensor([0.1, -0.1]), atol=1e-5)
    frozen = _Recorder()
    train_classifier(frozen, ids, lengths, labels, steps=2, lr=0.0)
    assert torch.equal(frozen.w.detach(), before)


def test_train_from_scratch_follows_every_field_of_its_recipe():
    """A recipe other than the notebook's: its length (above the default 96-character cut), seeds,
    steps, learning rate and batch size are all used; ``steps`` cuts the run short."""
    from utils.finetune import train_classifier, train_from_scratch

    recipe = {"length": 120, "init_seed": 3, "steps": 3, "lr": 1e-2, "batch_size": 6, "batch_seed": 7}
    texts, labels, _ = genre_passages("train", max_chars=120)
    tok = CharTokenizer("".join(texts))
    config = GPTConfig(vocab_size=tok.vocab_size, block_size=120, n_layer=1, n_head=1, n_embd=8)
    ids, lengths = encode_passages(texts, tok, 120)
    torch.manual_seed(3)
    by_hand = GPTClassifier(GPT(config))
    expected = train_classifier(by_hand, ids, lengths, torch.tensor(labels), 3, lr=1e-2, batch_size=6, seed=7)
    model, losses = train_from_scratch(tok, config, recipe)
    assert losses == pytest.approx(expected, abs=1e-6) and len(losses) == 3
    assert torch.equal(model.head.weight, by_hand.head.weight)
    _, short = train_from_scratch(tok, config, recipe, steps=1)
    assert short == pytest.approx(expected[:1], abs=1e-6)


def _runs_card_with(tmp_path, spoil):
    import json

    from utils.shipped import shipped_file

    card = json.loads(shipped_file("finetune_runs.json").read_text())
    spoil(card)
    path = tmp_path / "finetune_runs.json"
    path.write_text(json.dumps(card))
    return path


def _set(key, value):
    return lambda card: card["runs"]["from scratch"].update({key: value})


def _set_loss(value):
    return lambda card: card["runs"]["from scratch"]["losses"].__setitem__(5, value)


@pytest.mark.parametrize("spoil, message", [
    (_set_loss(0.0), "one positive number per step"),      # a cross-entropy is never 0
    (_set_loss(-0.5), "one positive number per step"),
    (_set_loss(10.0), "one positive number per step"),     # far above ln 2 = 0.69 (chance for 2 classes)
    (_set_loss(10.5), "one positive number per step"),
    (_set("accuracy", 1.5), r"its accuracy 1\.5 is not a fraction"),
    (_set("accuracy", -0.1), r"its accuracy -0\.1 is not a fraction"),
    (lambda card: card.pop("data"), "other train passages"),
])
def test_the_runs_file_checks_at_their_boundaries(tmp_path, spoil, message):
    from utils.finetune import load_scratch_run

    with pytest.raises(ValueError, match=message):
        load_scratch_run(_runs_card_with(tmp_path, spoil))


@pytest.mark.parametrize("accuracy", [0.0, 1.0])
def test_an_accuracy_of_zero_or_one_is_a_fraction(tmp_path, accuracy):
    from utils.finetune import load_scratch_run

    assert load_scratch_run(_runs_card_with(tmp_path, _set("accuracy", accuracy)))["accuracy"] == accuracy


# ---- The shipped full-length runs (data/finetune_models.pt, `make finetune-runs`) ----------------------
@pytest.fixture(scope="module")
def shipped_models():
    from utils.checkpoints import load_shakespeare_gpt
    from utils.finetune import load_finetune_models

    base, tokenizer = load_shakespeare_gpt()
    return (*load_finetune_models(), base, tokenizer)


def test_shipped_classifier_runs_match_their_first_steps_recomputed_now(shipped_models):
    """Full fine-tuning and LoRA restart from the shipped frozen head: their first losses must be the
    shipped runs' (the notebook checks its first 30 the same way; the head's own recipe is checked there)."""
    from utils.finetune import CLASSIFIER_RECIPE, train_full, train_lora

    runs, states, base, tokenizer = shipped_models
    texts, labels, _ = genre_passages("train", max_chars=CLASSIFIER_RECIPE["length"])
    ids, lengths = encode_passages(texts, tokenizer, CLASSIFIER_RECIPE["length"])
    frozen = GPTClassifier(copy.deepcopy(base))
    frozen.head.load_state_dict(states["frozen head"])
    for name, train in (("full fine-tuning", train_full), ("LoRA (rank 8)", train_lora)):
        _, losses = train(frozen, ids, lengths, torch.tensor(labels), steps=3)
        assert losses == pytest.approx(runs[name]["losses"][:3], abs=1e-4), (
            f"the shipped {name} losses differ from today's code; run make finetune-runs")


def test_shipped_instruction_run_matches_its_first_steps_recomputed_now(shipped_models):
    from utils.instruct import train_instructions

    runs, _, base, tokenizer = shipped_models
    _, losses, _ = train_instructions(base, tokenizer, steps=3)
    assert losses == pytest.approx(runs["instruction-tuned"]["losses"][:3], abs=1e-4)
    val = runs["instruction-tuned"]["val_losses"]
    assert len(val) == 600 // 100 and val[-1] < val[0] - 0.1   # steps 100 -> 600: it kept learning


def test_shipped_weights_fit_the_notebook_models_exactly(shipped_models):
    from utils.finetune import CLASSIFIER_RECIPE

    _, states, base, _ = shipped_models
    assert set(states) == {"frozen head", "full fine-tuning", "LoRA (rank 8)", "instruction-tuned"}
    GPTClassifier(copy.deepcopy(base)).load_state_dict(states["full fine-tuning"])     # strict: every weight
    copy.deepcopy(base).load_state_dict(states["instruction-tuned"])
    lora = GPTClassifier(copy.deepcopy(base))
    add_lora(lora.backbone, CLASSIFIER_RECIPE["lora_rank"], CLASSIFIER_RECIPE["lora_alpha"])
    lora.head.requires_grad_(True)
    assert set(states["LoRA (rank 8)"]) == {n for n, p in lora.named_parameters() if p.requires_grad}
    tuned = states["instruction-tuned"]
    assert tuned["lm_head.weight"] is tuned["token_embedding.weight"]   # tied, stored once
    assert not torch.equal(tuned["token_embedding.weight"], base.token_embedding.weight)


def _spoil_models(tmp_path, spoil_card=None, spoil_bytes=None):
    import json

    from utils.finetune import MODELS_FILE, RUNS_FILE
    from utils.shipped import shipped_file

    card = json.loads(shipped_file(RUNS_FILE).read_text())
    blob = shipped_file(MODELS_FILE).read_bytes()
    if spoil_card:
        spoil_card(card)
    if spoil_bytes:
        blob = spoil_bytes(blob)
    runs, models = tmp_path / RUNS_FILE, tmp_path / MODELS_FILE
    runs.write_text(json.dumps(card))
    if blob is not None:
        models.write_bytes(blob)
    return runs, models


@pytest.mark.parametrize("spoil_card, spoil_bytes, message", [
    (None, lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]), "does not match the checksum"),
    (None, lambda blob: None, "finetune_models.pt is missing"),
    (lambda card: card["runs"]["LoRA (rank 8)"]["recipe"].update(lora_rank=4), None, "recipe of 'LoRA"),
    (lambda card: card["runs"]["instruction-tuned"]["recipe"].update(lr=1e-3), None, "recipe of 'instruction-tuned'"),
    (lambda card: card["runs"]["full fine-tuning"]["losses"].pop(), None, "losses of 'full fine-tuning'"),
    (lambda card: card["data"].update(instructions="0" * 16), None, "other instruction examples"),
    (lambda card: card["data"].update(train="0" * 16), None, "other train passages"),
    (lambda card: card.update(pretrained_sha256="0" * 64), None, "another pretrained checkpoint"),
    (lambda card: card["runs"].pop("instruction-tuned"), None, "missing or unreadable"),
])
def test_a_stale_or_broken_models_file_is_refused_with_the_rebuild_command(tmp_path, spoil_card, spoil_bytes, message):
    from utils.finetune import RUNS_REBUILD, load_finetune_models

    with pytest.raises(ValueError, match=message) as error:
        load_finetune_models(*_spoil_models(tmp_path, spoil_card, spoil_bytes))
    assert RUNS_REBUILD in str(error.value) and "RUN_LIVE" in str(error.value)
