"""Checks for notebook 08 (GPT)."""

from __future__ import annotations

import math

import torch

from utils.exercises import exercise
from utils.exercises.base import call, close, hint, numbers, right
from utils.i18n import t

INTRODUCED_IN = "08"


def embedding_share(V: int, T: int, d: int, L: int, position: bool = True) -> float:
    total = L * (12 * d * d + 13 * d) + (V + T) * d + 2 * d   # parameter_count(..., bias=True)
    return ((V + T) if position else V) * d / total


GPT2, GPT3 = (50257, 1024, 768, 12), (50257, 2048, 12288, 96)


@exercise("08.1", wrong=[(100 * embedding_share(*GPT2), 100 * embedding_share(*GPT3)),
                         (embedding_share(*GPT3), embedding_share(*GPT2)),
                         (embedding_share(*GPT2, position=False), embedding_share(*GPT3, position=False))])
def embedding_share_check(answer):
    small, large = numbers(answer, 2, t("exercises.nb08.what_shares"))
    right_small, right_large = embedding_share(*GPT2), embedding_share(*GPT3)
    if close(small, right_small, rel=1e-3) and close(large, right_large, rel=1e-3):
        raise right(t("exercises.nb08.share_right", small=right_small, large=right_large))
    if close(small, 100 * right_small, rel=1e-3):
        raise hint(t("exercises.nb08.percentages"))
    if close(small, right_large, rel=1e-3):
        raise hint(t("exercises.nb08.swapped"))
    if close(small, embedding_share(*GPT2, position=False), rel=1e-3):
        raise hint(t("exercises.nb08.position_too"))
    raise hint(t("exercises.nb08.share_how"))


def reference_top_k(logits: torch.Tensor, k: int) -> torch.Tensor:
    kept = logits.masked_fill(logits < torch.topk(logits, k).values[..., -1:], float("-inf"))
    return torch.softmax(kept, dim=-1)


def unnormalised(logits, k):
    p = torch.softmax(logits, -1)
    return p.masked_fill(logits < torch.topk(logits, k).values[..., -1:], 0.0)


def off_by_one(logits, k):
    return reference_top_k(logits, k + 1)


def smallest(logits, k):
    return reference_top_k(-logits, k)


@exercise("08.2", wrong=[unnormalised, off_by_one, smallest])
def top_k(answer):
    logits = torch.randn(4, 30, generator=torch.Generator().manual_seed(0))
    for k in (1, 3, 10):
        probs = call(answer, logits.clone(), k)
        if not isinstance(probs, torch.Tensor) or probs.shape != logits.shape:
            raise hint(t("exercises.nb08.probs_shape", shape=tuple(logits.shape)))
        if not torch.allclose(probs.sum(-1), torch.ones(4), atol=1e-5):
            raise hint(t("exercises.nb08.renormalise"))
        kept = (probs > 0).sum(-1)
        if (kept != k).any():
            raise hint(t("exercises.nb08.kept", k=k, kept=kept.tolist()))
        if not torch.allclose(probs, reference_top_k(logits, k), atol=1e-5):
            raise hint(t("exercises.nb08.not_largest"))
    raise right(t("exercises.nb08.top_k_right"))


@exercise("08.3", wrong=[[3.0, 3.1, 2.9], [6.25, 6.26, 6.24], [4.2, 4.2, 4.2]], context=("vocab_size",))
def loss_at_initialisation(answer, vocab_size):
    losses = numbers(answer, 3, t("exercises.nb08.what_losses"))
    uniform = math.log(vocab_size)
    if all(close(x, uniform / math.log(2), rel=0.05) for x in losses):
        raise hint(t("exercises.nb08.bits"))
    if len(set(losses)) == 1:
        raise hint(t("exercises.nb08.same_seed"))
    if not all(abs(x - uniform) < 0.4 for x in losses):
        raise hint(t("exercises.nb08.far_from_uniform", losses=losses))
    raise right(t("exercises.nb08.loss_right", vocab_size=vocab_size, uniform=uniform))
