"""Checks for notebook 07 (attention)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from utils.exercises import exercise
from utils.exercises.base import call, hint, numbers, right
from utils.i18n import t

INTRODUCED_IN = "07"


@exercise("07.1", wrong=[(16384, 4096), (12288, 12288), (4096, 4096)])
def attention_parameters(answer):
    eight, two = numbers(answer, 2, t("exercises.nb07.what_parameters"))
    d = 64
    if eight == two == 4 * d * d:
        raise right(t("exercises.nb07.parameters_right"))
    if eight != two:
        raise hint(t("exercises.nb07.more_heads"))
    if eight == 3 * d * d:
        raise hint(t("exercises.nb07.forgot_proj"))
    raise hint(t("exercises.nb07.count_weights"))


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
        raise hint(t("exercises.nb07.output_shape", shape=tuple(v.shape),
                     got=tuple(getattr(out, "shape", ())) or type(out).__name__))
    if torch.allclose(out, reference(q, k, v), atol=1e-5):
        raise right(t("exercises.nb07.mask_right"))
    if torch.allclose(out, F.scaled_dot_product_attention(q, k, v), atol=1e-5):
        raise hint(t("exercises.nb07.no_mask"))
    if torch.allclose(out[:, 0], v[:, 0], atol=1e-5) is False and torch.allclose(out[:, -1], v[:, -1], atol=1e-5):
        raise hint(t("exercises.nb07.wrong_triangle"))
    raise hint(t("exercises.nb07.unscaled"))


@exercise("07.3", wrong=[[1.0, 1.0, 1.0, 1.0], [4.0, 16.0, 64.0, 256.0], [2.0, 4.0, 8.0]])
def dot_product_spread(answer):
    spread = numbers(answer, 4, t("exercises.nb07.what_spread"))
    dims = (4, 16, 64, 256)
    if all(0.85 < s / d**0.5 < 1.15 for s, d in zip(spread, dims)):
        raise right(t("exercises.nb07.spread_right"))
    if all(0.85 < s < 1.15 for s in spread):
        raise hint(t("exercises.nb07.scaled_already"))
    if all(0.7 < s / d < 1.3 for s, d in zip(spread, dims)):
        raise hint(t("exercises.nb07.variance"))
    raise hint(t("exercises.nb07.how_to_measure"))
