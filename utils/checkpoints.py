"""The course's own pretrained checkpoint: a small character-level GPT trained on Shakespeare.

Built by ``make checkpoint`` (``tools/train_checkpoint.py``, notebook 08's recipe, longer), shipped
in ``data/shakespeare_gpt.pt`` (fp16 weights, a few MB) with ``data/shakespeare_gpt.json`` beside it
(config, seed, steps, validation loss, the command). Notebooks 08–11 load it with
:func:`load_shakespeare_gpt` instead of training for many minutes.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from . import files
from .data import CharTokenizer
from .models import GPT, GPTConfig
from .shipped import shipped_file

INTRODUCED_IN = "07"

CHECKPOINT_NAME = "shakespeare_gpt"
REBUILD_COMMAND = "make checkpoint"


class CheckpointError(RuntimeError):
    """The shipped checkpoint is missing or unreadable; the message says how to rebuild it."""


def checkpoint_paths(directory: Path | None = None) -> tuple[Path, Path]:
    """``(weights .pt, metadata .json)`` in ``directory`` (default: the repository's data/)."""
    if directory is None:
        return shipped_file(f"{CHECKPOINT_NAME}.pt"), shipped_file(f"{CHECKPOINT_NAME}.json")
    directory = Path(directory)
    return directory / f"{CHECKPOINT_NAME}.pt", directory / f"{CHECKPOINT_NAME}.json"


def save_checkpoint(model: GPT, tokenizer: CharTokenizer, metadata: dict, directory: Path | None = None) -> Path:
    """Write fp16 weights, config and vocabulary (.pt) and human-readable metadata (.json)."""
    weights_path, meta_path = checkpoint_paths(directory)
    files.check_writable(weights_path.parent, "the checkpoint")
    state = {k: v.detach().to(torch.float16).cpu() for k, v in model.state_dict().items()
             if k != "lm_head.weight"}  # tied to the token embedding: stored once
    bad = [k for k, v in state.items() if not torch.isfinite(v).all()]
    if bad:
        raise ValueError(f"Refusing to save a checkpoint with NaN or infinite weights (in {bad[:3]}); "
                         "the training diverged: lower the learning rate and train again.")
    files.torch_save({"config": model.config.to_dict(), "chars": "".join(tokenizer.chars), "state_dict": state},
                     weights_path)
    meta = {"config": model.config.to_dict(), "parameters": model.num_parameters(),
            "file_bytes": weights_path.stat().st_size, "sha256": files.sha256_file(weights_path), **metadata}
    files.atomic_write_text(meta_path, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return weights_path


def load_shakespeare_gpt(directory: Path | None = None, device: str = "cpu") -> tuple[GPT, CharTokenizer]:
    """The shipped Shakespeare GPT in eval mode (float32) and its character tokenizer.

    Raises :class:`CheckpointError` naming the rebuild command when the file is missing or corrupt.
    """
    weights_path, meta_path = checkpoint_paths(directory)
    if not weights_path.is_file():
        raise CheckpointError(f"The checkpoint {weights_path} is missing. Rebuild it (about 10 minutes on "
                              f"a laptop CPU) with: {REBUILD_COMMAND}")
    expected = checkpoint_info(directory).get("sha256") if meta_path.is_file() else None
    if expected is not None and files.sha256_file(weights_path) != expected:
        raise CheckpointError(f"The checkpoint {weights_path} is corrupt: it does not match the checksum in {meta_path.name} "
                              f"(a damaged or partly copied file). Rebuild it with: {REBUILD_COMMAND}")
    try:
        blob = torch.load(weights_path, map_location="cpu", weights_only=True)
        model = GPT(GPTConfig(**blob["config"]))
        state = {k: v.float() for k, v in blob["state_dict"].items()}
        bad = [k for k, v in state.items() if not torch.isfinite(v).all()]
        if bad:
            raise ValueError(f"NaN or infinite weights in {bad[:3]}")
        state["lm_head.weight"] = state["token_embedding.weight"]
        model.load_state_dict(state)
        tokenizer = CharTokenizer(blob["chars"])
    except Exception as err:  # noqa: BLE001 - any failure here means the file is not what we wrote
        raise CheckpointError(f"The checkpoint {weights_path} is corrupt or from another version "
                              f"(reading it failed with {type(err).__name__}: {err}). Rebuild it with: {REBUILD_COMMAND}") from err
    if tokenizer.vocab_size != model.config.vocab_size:
        raise CheckpointError(f"The checkpoint {weights_path} is inconsistent (vocabulary of "
                              f"{tokenizer.vocab_size} characters, model expects {model.config.vocab_size}). "
                              f"Rebuild it with: {REBUILD_COMMAND}")
    return model.to(device).eval(), tokenizer


def checkpoint_info(directory: Path | None = None) -> dict:
    """The metadata written beside the checkpoint (config, seed, steps, val loss, command)."""
    _, meta_path = checkpoint_paths(directory)
    if not meta_path.is_file():
        raise CheckpointError(f"{meta_path} is missing. Rebuild the checkpoint with: {REBUILD_COMMAND}")
    try:
        info = json.loads(meta_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise CheckpointError(f"{meta_path} is not valid JSON ({err}). Restore it with `git checkout -- "
                              f"data/{meta_path.name}` or rebuild the checkpoint with: {REBUILD_COMMAND}") from err
    if not isinstance(info, dict):
        raise CheckpointError(f"{meta_path} should hold a JSON object, got {type(info).__name__}. "
                              f"Rebuild the checkpoint with: {REBUILD_COMMAND}")
    return info
