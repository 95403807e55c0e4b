"""utils.train's checkpoints and lower precision, and utils.scaling (notebook 09)."""

import json

import numpy as np
import pytest
import torch

from utils.data import CharTokenizer
from utils.models import GPT, GPTConfig, gpt_parameter_count
from utils.scaling import (
    load_scaling_results,
    non_embedding_parameters,
    power_law,
    results_path,
    run_scaling_experiment,
)
from utils.train import Recipe, encode_corpus, load_training_state, make_optimizer, train

DATA = encode_corpus("abcdefghijk " * 60, CharTokenizer("abcdefghijk "))
CONFIG = GPTConfig(vocab_size=12, block_size=16, n_layer=2, n_head=2, n_embd=16)
RECIPE = Recipe(steps=12, batch_size=4, lr=3e-3, warmup_steps=2)


def fresh_model(seed: int = 0) -> GPT:
    torch.manual_seed(seed)
    return GPT(CONFIG)


def test_resumed_run_equals_uninterrupted_run(tmp_path):
    full = train(fresh_model(), DATA, RECIPE, progress=False)
    first = train(fresh_model(), DATA, RECIPE, progress=False, stop_after=5, save_to=tmp_path / "run.pt")
    resumed_model = fresh_model(seed=7)
    resumed = train(resumed_model, DATA, RECIPE, progress=False, resume_from=tmp_path / "run.pt")
    assert len(first) == 5 and len(resumed) == 12
    np.testing.assert_allclose(resumed, full, atol=1e-6)


def test_training_state_errors_name_the_fix(tmp_path):
    model = fresh_model()
    optimizer = make_optimizer(model, RECIPE)
    with pytest.raises(FileNotFoundError, match="save_to"):
        load_training_state(tmp_path / "none.pt", model, optimizer, torch.Generator())
    (tmp_path / "bad.pt").write_bytes(b"garbage")
    with pytest.raises(RuntimeError, match="corrupt"):
        load_training_state(tmp_path / "bad.pt", model, optimizer, torch.Generator())
    with pytest.raises(ValueError, match="stop_after"):
        train(model, DATA, RECIPE, progress=False, stop_after=99)


def test_bfloat16_autocast_still_learns():
    fp32 = train(fresh_model(), DATA, RECIPE, progress=False)
    bf16 = train(fresh_model(), DATA, RECIPE, progress=False, autocast_dtype=torch.bfloat16)
    assert abs(bf16[-1] - fp32[-1]) < 0.05 and bf16[-1] < bf16[0]


def test_non_embedding_parameters_matches_the_formula():
    model = fresh_model()
    expected = gpt_parameter_count(CONFIG) - (CONFIG.vocab_size + CONFIG.block_size) * CONFIG.n_embd
    assert non_embedding_parameters(model) == expected


def test_scaling_experiment_reports_compute_and_curves():
    results = run_scaling_experiment([(1, 2, 8), (1, 2, 16)], DATA, DATA[:200], RECIPE, block_size=16,
                                     vocab_size=12, progress=False, curve_every=4)
    assert [r["n_embd"] for r in results] == [8, 16]
    for r in results:
        assert r["tokens"] == RECIPE.steps * RECIPE.batch_size * 16
        assert r["compute"] == 6.0 * r["non_embedding"] * r["tokens"]
        assert len(r["loss_curve"]) == 3 and np.isfinite(r["val_loss"])
    with pytest.raises(ValueError, match="two model sizes"):
        run_scaling_experiment([(1, 2, 8)], DATA, DATA, RECIPE, progress=False)


def test_power_law_and_shipped_results(tmp_path):
    assert power_law(100.0, 2.0, 0.5) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="positive"):
        power_law([0.0, 1.0], 1.0, 0.1)
    results = load_scaling_results()
    assert len(results) >= 5 and results[-1]["non_embedding"] / results[0]["non_embedding"] >= 100
    assert json.loads(results_path().read_text())["script"] == "tools/scaling_experiment.py"
    with pytest.raises(FileNotFoundError, match="tools/scaling_experiment.py"):
        load_scaling_results(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text('{"results": [{"val_loss": 1}]}')
    with pytest.raises(ValueError, match="corrupt"):
        load_scaling_results(tmp_path / "bad.json")
