"""Train notebook 10's full-length runs and ship their results: ``make finetune-runs``.

Notebook 10 compares four classifiers (comedy or tragedy?). The from-scratch one (a random GPT
trained 300 steps on the same data) teaches its lesson by its result: without pretraining, the
model stays below the majority class. Training it live took a third of the notebook's time, so
this script trains it once, with the same code and recipe (utils.finetune.train_from_scratch,
SCRATCH_RECIPE), and writes data/finetune_runs.json:

- ``runs["from scratch"]``: its test accuracy, its loss at every step, the recipe, the seconds;
- fingerprints of the training and test passages and the SHA-256 of the pretrained checkpoint
  whose tokenizer and shape it used, so the notebook (utils.finetune.load_scratch_run) refuses a
  stale file with the rebuild command.

The other runs of the notebook (section 3's full fine-tuning, section 4's rank-8 LoRA, both from
the frozen model's head, and section 5's instruction tuning, utils.finetune.CLASSIFIER_RECIPE and
utils.instruct.SFT_RECIPE) took most of its class time too. The notebook runs their first steps
live (and checks that its losses are these runs' first losses), then loads the full-length result:

- ``runs[name]["losses"]`` (and the held-out ``val_losses`` of the instruction run) in the card;
- their weights in data/finetune_models.pt (fp16, about 3.4 MB, its SHA-256 in the card): the
  frozen head, the fully fine-tuned classifier, the LoRA adapters and head, the instruction-tuned GPT
  (utils.finetune.load_finetune_models checks both files).

The notebook loads them unless ``RUN_LIVE = True``; tests/test_finetune.py recomputes the first
steps and compares the losses. One thread per run, as the notebook runs, three processes
(about 5 minutes on 2 idle cores).
"""

from __future__ import annotations

import json
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from utils import files  # noqa: E402
from utils.checkpoints import load_shakespeare_gpt  # noqa: E402
from utils.config import set_threads  # noqa: E402
from utils.finetune import (  # noqa: E402
    CLASSIFIER_RECIPE,
    MODELS_FILE,
    RUNS_FILE,
    RUNS_REBUILD,
    SCRATCH_RECIPE,
    encode_passages,
    examples_fingerprint,
    frozen_head_classifier,
    genre_passages,
    half_state,
    passages_fingerprint,
    predict,
    train_from_scratch,
    train_full,
    train_lora,
)
from utils.instruct import SFT_RECIPE, instruction_examples, train_instructions  # noqa: E402
from utils.shipped import shipped_file  # noqa: E402


def _from_scratch() -> dict:
    set_threads(1)
    base, tokenizer = load_shakespeare_gpt()
    start = time.perf_counter()
    model, losses = train_from_scratch(tokenizer, base.config)
    seconds = time.perf_counter() - start
    test_ids, test_lengths, test_y = _test_set(tokenizer)
    accuracy = (predict(model, test_ids, test_lengths) == test_y).float().mean().item()
    return {"accuracy": accuracy, "losses": losses, "recipe": SCRATCH_RECIPE, "seconds": round(seconds, 1)}


def _test_set(tokenizer):
    texts, labels, _ = genre_passages("test", max_chars=CLASSIFIER_RECIPE["length"])
    return (*encode_passages(texts, tokenizer, CLASSIFIER_RECIPE["length"]), torch.tensor(labels))


def _classifiers() -> tuple[dict, dict]:
    """The frozen head, then full fine-tuning and LoRA from it: (runs, fp16 states)."""
    set_threads(1)
    base, tokenizer = load_shakespeare_gpt()
    texts, labels, _ = genre_passages("train", max_chars=CLASSIFIER_RECIPE["length"])
    ids, lengths = encode_passages(texts, tokenizer, CLASSIFIER_RECIPE["length"])
    labels = torch.tensor(labels)
    test_ids, test_lengths, test_y = _test_set(tokenizer)
    frozen = frozen_head_classifier(base, ids, lengths, labels)
    # the head in float32 (258 numbers): tests/test_finetune.py starts the other runs' first steps from it
    states = {"frozen head": {k: v.detach().clone() for k, v in frozen.head.state_dict().items()}}
    runs = {}
    for name, train in (("full fine-tuning", train_full), ("LoRA (rank 8)", train_lora)):
        start = time.perf_counter()
        model, losses = train(frozen, ids, lengths, labels)
        seconds = time.perf_counter() - start
        states[name] = half_state(model, trainable_only=name.startswith("LoRA"))
        accuracy = (predict(model, test_ids, test_lengths) == test_y).float().mean().item()
        runs[name] = {"accuracy": accuracy, "losses": losses, "recipe": CLASSIFIER_RECIPE, "seconds": round(seconds, 1)}
    return runs, states


def _instructions() -> tuple[dict, dict]:
    set_threads(1)
    base, tokenizer = load_shakespeare_gpt()
    start = time.perf_counter()
    tuned, losses, val_losses = train_instructions(base, tokenizer)
    run = {"losses": losses, "val_losses": val_losses, "recipe": SFT_RECIPE,
           "seconds": round(time.perf_counter() - start, 1)}
    return {"instruction-tuned": run}, {"instruction-tuned": half_state(tuned)}


def main() -> None:
    # Three independent parts in three processes (each on one thread, as the notebook runs, so each
    # gives the same numbers as a single process would): the wall time of the longest part.
    with ProcessPoolExecutor(max_workers=3) as pool:
        scratch = pool.submit(_from_scratch)
        classifiers = pool.submit(_classifiers)
        instructions = pool.submit(_instructions)
        runs = {"from scratch": scratch.result()}
        states = {}
        for part in (classifiers, instructions):
            part_runs, part_states = part.result()
            runs.update(part_runs)
            states.update(part_states)
    for name, run in runs.items():
        print(f"{name}: " + (f"test accuracy {run['accuracy']:.1%}" if "accuracy" in run else
                             f"held-out answer loss {run['val_losses'][0]:.3f} -> {run['val_losses'][-1]:.3f}")
              + f", {run['seconds']:.0f} s of training")
    models_path = shipped_file(MODELS_FILE)
    files.torch_save(states, models_path)
    texts, labels, _ = genre_passages("train", max_chars=CLASSIFIER_RECIPE["length"])
    test_texts, test_labels, _ = genre_passages("test", max_chars=CLASSIFIER_RECIPE["length"])
    card = {
        "what": "notebook 10: the from-scratch classifier and the full-length runs of sections 3-5, "
                "trained once (tools/finetune_runs.py); their weights in data/finetune_models.pt",
        "command": RUNS_REBUILD,
        "runs": runs,
        "data": {"train": passages_fingerprint(texts, labels),
                 "test": passages_fingerprint(test_texts, test_labels),
                 "instructions": examples_fingerprint(instruction_examples("train"))},
        "models_sha256": files.sha256_file(models_path),
        "models_bytes": models_path.stat().st_size,
        "pretrained_sha256": json.loads(shipped_file("shakespeare_gpt.json").read_text())["sha256"],
        "torch": torch.__version__, "threads": 1, "machine": platform.machine(),
    }
    path = shipped_file(RUNS_FILE)
    files.atomic_write_text(path, json.dumps(card, indent=1) + "\n")
    print(f"-> {path}, {models_path} ({models_path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
