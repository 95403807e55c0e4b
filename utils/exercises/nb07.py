"""Checks for notebook 07 (attention)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from utils.exercises import exercise
from utils.exercises.base import call, hint, numbers, right

INTRODUCED_IN = "07"


@exercise("07.1", wrong=[(16384, 4096), (12288, 12288), (4096, 4096)])
def attention_parameters(answer):
    eight, two = numbers(answer, 2, "(parameters with 8 heads, parameters with 2 heads)")
    d = 64
    if eight == two == 4 * d * d:
        raise right("W_Q, W_K, W_V and W_O are four d × d matrices whatever the number of heads: heads split "
                    "the channels between them, they do not add parameters.")
    if eight != two:
        raise hint("do more heads mean more weights? Look at how MultiHeadSelfAttention splits qkv's output "
                   "into heads (view), then count with sum(p.numel() for p in mha.parameters()).")
    if eight == 3 * d * d:
        raise hint("you counted W_Q, W_K and W_V; the output projection W_O (proj) has weights too.")
    raise hint("qkv is Linear(d, 3d) and proj is Linear(d, d), both without bias: count their weights.")


def reference(q, k, v):
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)


def _masked(q, k, v, future, scale=True):
    scores = q @ k.transpose(-2, -1) / (k.shape[-1] ** 0.5 if scale else 1.0)
    return torch.softmax(scores - 1000 * future, -1) @ v


def no_mask(q, k, v):
    return _masked(q, k, v, torch.zeros(q.shape[-2], q.shape[-2]))


def past_mask(q, k, v):
    T = q.shape[-2]
    return _masked(q, k, v, torch.tril(torch.ones(T, T), diagonal=-1))


def unscaled(q, k, v):
    T = q.shape[-2]
    return _masked(q, k, v, torch.triu(torch.ones(T, T), diagonal=1), scale=False)


@exercise("07.2", wrong=[no_mask, past_mask, unscaled])
def minus_a_thousand(answer):
    generator = torch.Generator().manual_seed(0)
    q, k, v = torch.randn(3, 2, 6, 8, generator=generator).unbind(0)
    out = call(answer, q, k, v)
    if not isinstance(out, torch.Tensor) or out.shape != v.shape:
        raise hint(f"return the attention output, a tensor shaped like v {tuple(v.shape)}, got "
                   f"{tuple(getattr(out, 'shape', ())) or type(out).__name__}.")
    if torch.allclose(out, reference(q, k, v), atol=1e-5):
        raise right("exp(s − 1000) underflows to exactly 0 in float32, so here the result equals the −∞ mask. "
                    "With float16 or very large scores a finite 'minus a lot' can leak, which is why −∞ is used.")
    if torch.allclose(out, F.scaled_dot_product_attention(q, k, v), atol=1e-5):
        raise hint("nothing is masked: subtract 1000 from the scores where the key comes after the query.")
    if torch.allclose(out[:, 0], v[:, 0], atol=1e-5) is False and torch.allclose(out[:, -1], v[:, -1], atol=1e-5):
        raise hint("wrong triangle: the last query may see every key; the first only itself (torch.triu, diagonal=1).")
    raise hint("compare your scores with attention(): did you divide by √d before the softmax?")


@exercise("07.3", wrong=[[1.0, 1.0, 1.0, 1.0], [4.0, 16.0, 64.0, 256.0], [2.0, 4.0, 8.0]])
def dot_product_spread(answer):
    spread = numbers(answer, 4, "the standard deviation of q·k for d = 4, 16, 64, 256")
    dims = (4, 16, 64, 256)
    if all(0.85 < s / d**0.5 < 1.15 for s, d in zip(spread, dims)):
        raise right("the std of q·k grows like √d (a sum of d products, each with variance 1). Unscaled, big "
                    "heads would push softmax into a one-hot corner where gradients vanish; dividing by √d "
                    "keeps the scores' spread at 1 for every d.")
    if all(0.85 < s < 1.15 for s in spread):
        raise hint("those are about 1 for every d: measure the raw dot products, before dividing by √d.")
    if all(0.7 < s / d < 1.3 for s, d in zip(spread, dims)):
        raise hint("those grow like d: that is the variance. Give the standard deviation (.std()).")
    raise hint("for each d draw many q and k from torch.randn(n, d) and take (q * k).sum(-1).std().")
