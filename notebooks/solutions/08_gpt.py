"""Reference solutions for notebook 08 (GPT). Try the exercises first.

Each function returns the answer its exercise's check expects; parameters are named after the
notebook's own objects. `make solutions NB=08` shows the notebook with these filled in.
"""

import torch

import utils
from utils.models import GPT, GPTConfig


def solve_08_1(parameter_count):
    shares = []
    for V, T, d, L in ((50257, 1024, 768, 12), (50257, 2048, 12288, 96)):
        shares.append((V + T) * d / parameter_count(V, T, d, L, bias=True))
    return tuple(shares)


def solve_08_2():
    def top_k_probs(logits, k):
        kth_largest = torch.topk(logits, k).values[..., -1:]
        return torch.softmax(logits.masked_fill(logits < kth_largest, float("-inf")), dim=-1)
    return top_k_probs


def solve_08_3(evaluate, val_data, vocab_size):
    losses = []
    for seed in (0, 1, 2):
        utils.seed_everything(seed)
        fresh = GPT(GPTConfig(vocab_size=vocab_size, block_size=64, n_layer=2, n_head=4, n_embd=128))
        with torch.no_grad():
            losses.append(evaluate(fresh, val_data[:5_000]))
    return losses
