"""Train notebook 10's comparison run and ship its result: ``make finetune-runs``.

Notebook 10 compares four classifiers (comedy or tragedy?). The from-scratch one (a random GPT
trained 300 steps on the same data) teaches its lesson by its result: without pretraining, the
model stays below the majority class. Training it live took a third of the notebook's time, so
this script trains it once, with the same code and recipe (utils.finetune.train_from_scratch,
SCRATCH_RECIPE), and writes data/finetune_runs.json:

- ``runs["from scratch"]``: its test accuracy, its loss at every step, the recipe, the seconds;
- fingerprints of the training and test passages and the SHA-256 of the pretrained checkpoint
  whose tokenizer and shape it used, so the notebook (utils.finetune.load_scratch_run) refuses a
  stale file with the rebuild command.

The notebook loads it unless ``RUN_LIVE = True``; tests/test_finetune.py recomputes the first
steps and compares the losses. One thread, as the notebook runs (about 3 minutes on 2 cores).
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from utils import files  # noqa: E402
from utils.checkpoints import load_shakespeare_gpt  # noqa: E402
from utils.config import set_threads  # noqa: E402
from utils.finetune import (  # noqa: E402
    RUNS_FILE,
    RUNS_REBUILD,
    SCRATCH_RECIPE,
    encode_passages,
    genre_passages,
    passages_fingerprint,
    predict,
    train_from_scratch,
)
from utils.shipped import shipped_file  # noqa: E402


def main() -> None:
    set_threads(1)
    base, tokenizer = load_shakespeare_gpt()
    start = time.perf_counter()
    model, losses = train_from_scratch(tokenizer, base.config)
    seconds = time.perf_counter() - start
    length = SCRATCH_RECIPE["length"]
    test_texts, test_labels, _ = genre_passages("test", max_chars=length)
    test_ids, test_lengths = encode_passages(test_texts, tokenizer, length)
    accuracy = (predict(model, test_ids, test_lengths) == torch.tensor(test_labels)).float().mean().item()
    train_texts, train_labels, _ = genre_passages("train", max_chars=length)
    card = {
        "what": "notebook 10, section 3: the from-scratch classifier, trained once (tools/finetune_runs.py)",
        "command": RUNS_REBUILD,
        "runs": {"from scratch": {"accuracy": accuracy, "losses": losses, "recipe": SCRATCH_RECIPE,
                                  "seconds": round(seconds, 1)}},
        "data": {"train": passages_fingerprint(train_texts, train_labels),
                 "test": passages_fingerprint(test_texts, test_labels)},
        "pretrained_sha256": json.loads(shipped_file("shakespeare_gpt.json").read_text())["sha256"],
        "torch": torch.__version__, "threads": 1, "machine": platform.machine(),
    }
    path = shipped_file(RUNS_FILE)
    files.atomic_write_text(path, json.dumps(card, indent=1) + "\n")
    print(f"from scratch: test accuracy {accuracy:.1%}, {seconds:.0f} s of training -> {path}")


if __name__ == "__main__":
    main()
