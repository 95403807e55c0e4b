"""The mini scaling-law experiment of notebook 09: train GPTs of several sizes on the same data.

- :data:`SCALING_SIZES`: (n_layer, n_head, n_embd) of the sizes, from ~10³ to ~10⁶ parameters.
- :func:`non_embedding_parameters`: N as Kaplan et al. (2020) count it (embeddings left out).
- :func:`run_scaling_experiment`: train each size with the same recipe and data order, and return
  parameters, tokens, compute (≈ 6·N·D) and validation loss per size.
- :func:`power_law`: the fitted curve ``loss = coefficient · N^(-exponent)`` (the fit itself is
  written out in notebook 09).
- :func:`load_scaling_results`: the full-size results shipped in ``data/scaling_results.json``,
  written by ``tools/scaling_experiment.py`` (``FULL_RECIPE``, seed 0).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch

from . import config
from .models import GPT, GPTConfig
from .train import Recipe, evaluate, train

INTRODUCED_IN = "09"

# Widths double (roughly) from size to size, depth grows slowly: ~3 orders of magnitude of N.
SCALING_SIZES: list[tuple[int, int, int]] = [
    (1, 2, 8), (1, 2, 16), (2, 4, 32), (2, 4, 48), (3, 4, 64), (4, 4, 96), (4, 4, 128),
]

# The recipe of the shipped full-size results (600 steps × 16 windows × 64 characters ≈ 0.6 M tokens).
FULL_RECIPE = Recipe(steps=600, batch_size=16, lr=3e-3, min_lr=3e-4, warmup_steps=30)
REBUILD_COMMAND = ".venv/bin/python tools/scaling_experiment.py"


def results_path() -> Path:
    """Where the shipped full-size results live: data/scaling_results.json."""
    return config.data_dir() / "scaling_results.json"


def load_scaling_results(path: Path | None = None) -> list[dict]:
    """The full-size experiment's results (one dict per size, as :func:`run_scaling_experiment`).

    Raises ``FileNotFoundError``/``ValueError`` naming the command that rebuilds the file.
    """
    path = Path(path) if path is not None else results_path()
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing. Rebuild it (about 6 minutes) with: {REBUILD_COMMAND}")
    try:
        results = json.loads(path.read_text(encoding="utf-8"))["results"]
        needed = {"non_embedding", "tokens", "val_loss", "loss_curve", "curve_every"}
        if not results or any(needed - set(r) for r in results):
            raise KeyError(f"entries need {sorted(needed)}")
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(f"{path} is corrupt or from another version ({err}). Rebuild it with: "
                         f"{REBUILD_COMMAND}") from err
    return results


def non_embedding_parameters(model: GPT) -> int:
    """Parameters outside the token and position embeddings (Kaplan et al., 2020 call this N)."""
    embeddings = model.token_embedding.weight.numel() + model.position_embedding.weight.numel()
    return model.num_parameters() - embeddings


def run_scaling_experiment(sizes: list[tuple[int, int, int]], train_data: torch.Tensor,
                           val_data: torch.Tensor, recipe: Recipe, block_size: int = 64,
                           vocab_size: int = 76, seed: int = 0, progress: bool = True,
                           curve_every: int | None = None) -> list[dict]:
    """Train one GPT per ``(n_layer, n_head, n_embd)`` in ``sizes`` on ``train_data`` (n_tokens,).

    Every model sees the same batches in the same order (same ``seed``) for ``recipe.steps`` steps,
    so D (tokens seen) is the same for all and only N changes. Returns one dict per size with
    ``parameters``, ``non_embedding``, ``tokens``, ``compute`` (6·N·D FLOPs), ``val_loss`` (whole
    ``val_data``), ``seconds``, and ``loss_curve``: the mean training loss of every ``curve_every``
    steps (default: 20 points per run), for loss-against-compute curves.
    """
    from tqdm.auto import tqdm

    if len(sizes) < 2:
        raise ValueError("A scaling experiment needs at least two model sizes.")
    curve_every = curve_every or max(1, recipe.steps // 20)
    results = []
    for n_layer, n_head, n_embd in tqdm(sizes, desc="model sizes", disable=not progress):
        torch.manual_seed(seed)
        model = GPT(GPTConfig(vocab_size=vocab_size, block_size=block_size, n_layer=n_layer,
                              n_head=n_head, n_embd=n_embd))
        start = time.perf_counter()
        curve: list[float] = []
        losses = train(model, train_data, recipe, seed=seed, progress=False, every=curve_every,
                       callback=lambda step, loss, curve=curve: curve.append(loss))
        n = non_embedding_parameters(model)
        tokens = recipe.steps * recipe.batch_size * block_size
        results.append({"n_layer": n_layer, "n_head": n_head, "n_embd": n_embd,
                        "parameters": model.num_parameters(), "non_embedding": n, "tokens": tokens,
                        "compute": 6.0 * n * tokens, "final_train_loss": float(np.mean(losses[-20:])),
                        "val_loss": evaluate(model, val_data), "seconds": time.perf_counter() - start,
                        "loss_curve": curve, "curve_every": curve_every})
    return results


def power_law(n: np.ndarray | float, coefficient: float, exponent: float) -> np.ndarray:
    """``coefficient · n^(-exponent)``: the straight line on log–log axes fitted in notebook 09."""
    n = np.asarray(n, dtype=float)
    if np.any(n <= 0):
        raise ValueError("A power law needs positive sizes n.")
    return coefficient * n ** (-exponent)
