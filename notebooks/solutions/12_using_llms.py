"""Reference solutions for notebook 12 (using real LLMs). Try the exercises first.

Each function returns the answer its exercise's check expects; parameters are named after the
notebook's own objects. `make solutions NB=12` shows the notebook with these filled in.
"""

import torch

from utils.cost import count_tokens, request_cost
from utils.data import get_play
from utils.llama import LlamaConfig


def solve_12_1():
    cfg = LlamaConfig()   # SmolLM2-135M: what smol.model.config holds
    return 2 * cfg.n_layers * cfg.n_kv_heads * cfg.head_dim * 4   # K and V, float32


def solve_12_2():
    return request_cost("gpt-4o-mini", count_tokens(get_play("hamlet").text, "o200k_base"))


def solve_12_3(rope):
    generator = torch.Generator().manual_seed(0)
    q, k = torch.randn(2, 64, generator=generator)
    scores = []
    for m, n in ((5, 3), (12, 10), (7, 3)):
        queries = rope(q.expand(1, 16, 64))[0, m]   # q placed at every position, rotated, read at m
        keys = rope(k.expand(1, 16, 64))[0, n]
        scores.append(float(queries @ keys))
    return scores
