"""Reference solutions for notebook 14 (the capstone). Try the exercises first.

Each function returns the answer its exercise's check expects; parameters are named after the
notebook's own objects. `make solutions NB=14` shows the notebook with these filled in.
"""

import math
from collections import Counter

import torch

from utils.corpus import bits_per_character
from utils.models import GPT, GPTConfig


def solve_14_1():
    total_nats = 6 * -math.log(1 / 8)       # six tokens, each with probability 1/8
    return bits_per_character(total_nats, 15)


def solve_14_2(race):
    model = GPT(GPTConfig(vocab_size=256 + 1500, block_size=64, n_layer=2, n_head=4, n_embd=64))
    n_bpe = model.num_parameters() - model.position_embedding.weight.numel()   # as compute_per_token counts
    return round(race["characters"]["steps"] * race["characters"]["n"] / n_bpe)


def solve_14_3():
    def unigram_bits(train_text, held_out_text):
        counts = Counter(train_text)
        alphabet = set(train_text) | set(held_out_text)
        total = len(train_text) + len(alphabet)          # add one to every character's count
        return sum(-math.log2((counts[c] + 1) / total) for c in held_out_text) / len(held_out_text)
    return unigram_bits


def solve_14_4():
    torch.manual_seed(0)
    model = torch.nn.Linear(8, 1)
    x, y = torch.randn(16, 8), torch.randn(16, 1)

    def gradient(rows):
        loss = torch.nn.functional.mse_loss(model(x[rows]), y[rows])
        return torch.cat([g.flatten() for g in torch.autograd.grad(loss, list(model.parameters()))])

    whole = gradient(slice(0, 16))
    gaps = []
    for cut in (8, 10):
        averaged = (gradient(slice(0, cut)) + gradient(slice(cut, 16))) / 2
        gaps.append((averaged - whole).abs().max().item())
    return tuple(gaps)
