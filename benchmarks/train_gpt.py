"""Benchmark: the course's training recipe vs nanoGPT's CPU "baby GPT", in one run.

Both train a character-level GPT (utils.models.GPT) on the tiny Shakespeare split and are
evaluated on the *whole* validation split in non-overlapping windows. The machine's speed drifts,
so only the ratio of wall times measured in the same run counts.

Goal (issue 6): the course recipe reaches val loss <= 1.88 in at most half the reference's time.

    python benchmarks/train_gpt.py              # both recipes
    python benchmarks/train_gpt.py --only course
"""

from __future__ import annotations

import argparse
import time

import torch

from utils.config import seed_everything, set_threads
from utils.data import CharTokenizer, shakespeare, shakespeare_split
from utils.models import GPT, GPTConfig
from utils.train import Recipe, encode_corpus, evaluate, train

# nanoGPT's documented CPU "baby GPT" (README, "I only have a macbook"): 4 layers, 4 heads,
# 128 channels, context 64, batch 12, 2000 iterations, lr 1e-3 -> 1e-4 cosine, 100 warmup steps.
REFERENCE = (
    GPTConfig(block_size=64, n_layer=4, n_head=4, n_embd=128, bias=False, dropout=0.0),
    Recipe(steps=2000, batch_size=12, lr=1e-3, min_lr=1e-4, warmup_steps=100, schedule="cosine",
           betas=(0.9, 0.99), weight_decay=0.1, grad_clip=1.0),
)
# The course's recipe: a smaller, shallower model at a higher learning rate, constant then a linear
# decay to zero (a "warmup-stable-decay" schedule), fewer steps.
COURSE = (
    GPTConfig(block_size=64, n_layer=3, n_head=4, n_embd=128, bias=False, dropout=0.0),
    Recipe(steps=700, batch_size=16, lr=4e-3, min_lr=0.0, warmup_steps=30, schedule="constant_then_decay",
           decay_fraction=0.4, betas=(0.9, 0.99), weight_decay=0.1, grad_clip=1.0),
)
GOAL_LOSS, GOAL_RATIO = 1.88, 0.5


def run(name: str, config: GPTConfig, recipe: Recipe, train_data, val_data, vocab_size: int) -> tuple[float, float]:
    seed_everything(0)
    config.vocab_size = vocab_size
    model = GPT(config)
    start = time.perf_counter()
    train(model, train_data, recipe, seed=0, progress=False)
    seconds = time.perf_counter() - start
    val = evaluate(model, val_data)
    print(f"{name:<10} {model.num_parameters():>9,} params  {recipe.steps:>5} steps  "
          f"val loss {val:.4f}  train {seconds:6.1f} s", flush=True)
    return val, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["reference", "course"])
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: one per core)")
    args = parser.parse_args()
    threads = set_threads(args.threads)
    tokenizer = CharTokenizer(shakespeare("full"))
    train_data = encode_corpus(shakespeare_split("tiny", "train"), tokenizer)
    val_data = encode_corpus(shakespeare_split("tiny", "val"), tokenizer)
    print(f"torch {torch.__version__}, {threads} threads; train {len(train_data):,} / val {len(val_data):,} "
          f"characters, vocabulary {tokenizer.vocab_size}")
    results = {}
    for name, (config, recipe) in (("reference", REFERENCE), ("course", COURSE)):
        if args.only in (None, name):
            results[name] = run(name, config, recipe, train_data, val_data, tokenizer.vocab_size)
    if len(results) == 2:
        (ref_loss, ref_s), (loss, s) = results["reference"], results["course"]
        ratio = s / ref_s
        ok = loss <= GOAL_LOSS and ratio <= GOAL_RATIO
        print(f"time ratio course/reference = {ratio:.2f} (goal <= {GOAL_RATIO}); course val loss {loss:.4f} "
              f"(goal <= {GOAL_LOSS}); reference {ref_loss:.4f}  ->  {'GOAL MET' if ok else 'goal missed'}")


if __name__ == "__main__":
    main()
