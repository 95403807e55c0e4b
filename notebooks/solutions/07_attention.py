"""Reference solutions for notebook 07 (attention). Try the exercises first.

Each function returns the answer its exercise's check expects; parameters are named after the
notebook's own objects. `make solutions NB=07` shows the notebook with these filled in.
"""

import torch


def solve_07_1(MultiHeadSelfAttention):
    return tuple(sum(p.numel() for p in MultiHeadSelfAttention(64, heads).parameters()) for heads in (8, 2))


def solve_07_2():
    def minus_a_thousand(q, k, v):
        T = q.shape[-2]
        scores = q @ k.transpose(-2, -1) / k.shape[-1] ** 0.5
        future = torch.triu(torch.ones(T, T), diagonal=1)   # 1 where the key comes after the query
        return torch.softmax(scores - 1000 * future, dim=-1) @ v
    return minus_a_thousand


def solve_07_3():
    generator = torch.Generator().manual_seed(0)
    spread = []
    for d in (4, 16, 64, 256):
        q, k = torch.randn(2, 20_000, d, generator=generator).unbind(0)
        spread.append((q * k).sum(-1).std().item())
    return spread
