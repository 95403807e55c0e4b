"""Benchmark: tokens per second generating 500 characters with and without the KV cache.

Uses the shipped checkpoint (data/shakespeare_gpt.pt; `make checkpoint` rebuilds it). Both runs are
greedy from the same prompt in the same process, so their ratio is the cache's speed-up.

    python benchmarks/generate.py
"""

from __future__ import annotations

import argparse
import time

import torch

from utils.checkpoints import load_shakespeare_gpt
from utils.config import set_threads
from utils.models import generate

NEW_TOKENS = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: one per core)")
    threads = set_threads(parser.parse_args().threads)
    model, tokenizer = load_shakespeare_gpt()
    prompt = torch.tensor([tokenizer.encode("ROMEO:\n")])
    print(f"torch {torch.__version__}, {threads} threads, {model.num_parameters():,} parameters, "
          f"context {model.config.block_size}, {NEW_TOKENS} new tokens")
    results = {}
    for use_cache in (False, True, False, True):  # twice each: the first pass warms up
        start = time.perf_counter()
        out = generate(model, prompt, NEW_TOKENS, temperature=0, use_cache=use_cache)
        results[use_cache] = NEW_TOKENS / (time.perf_counter() - start)
        results[f"text{use_cache}"] = tokenizer.decode(out[0].tolist())
    same = results["textTrue"][: model.config.block_size] == results["textFalse"][: model.config.block_size]
    print(f"without cache {results[False]:8.0f} tokens/s")
    print(f"with cache    {results[True]:8.0f} tokens/s   speed-up {results[True] / results[False]:.1f}x "
          f"(greedy texts agree over the first context window: {same})")


if __name__ == "__main__":
    main()
