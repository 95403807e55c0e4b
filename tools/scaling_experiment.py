"""Run notebook 09's scaling experiment at full size and write data/scaling_results.json.

    .venv/bin/python tools/scaling_experiment.py      (5-6 minutes on 2 laptop cores)

In full mode notebook 09 reads this file, so a class does not wait for seven trainings; in fast mode
(and with RUN_LIVE = True) it runs the same function, utils.scaling.run_scaling_experiment, live.
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from utils.data import CharTokenizer, shakespeare, shakespeare_split  # noqa: E402
from utils.files import atomic_write_text  # noqa: E402
from utils.scaling import FULL_RECIPE, SCALING_SIZES, results_path, run_scaling_experiment  # noqa: E402

SEED = 0


def main() -> None:
    torch.set_num_threads(1)
    tokenizer = CharTokenizer(shakespeare("full"))
    train_data = torch.tensor(tokenizer.encode(shakespeare_split("tiny", "train")))
    val_data = torch.tensor(tokenizer.encode(shakespeare_split("tiny", "val")))
    results = run_scaling_experiment(SCALING_SIZES, train_data, val_data, FULL_RECIPE, block_size=64,
                                     vocab_size=tokenizer.vocab_size, seed=SEED)
    atomic_write_text(results_path(), json.dumps({
        "script": "tools/scaling_experiment.py", "seed": SEED, "recipe": FULL_RECIPE.to_dict(),
        "block_size": 64, "data": "shakespeare_split('tiny', 'train'); loss on the whole 'val' split",
        "torch": torch.__version__, "machine": platform.machine(), "threads": 1, "results": results,
    }, indent=1) + "\n")
    for r in results:
        print(f"N={r['non_embedding']:>8,}  val loss {r['val_loss']:.3f}  {r['seconds']:.0f} s")


if __name__ == "__main__":
    main()
