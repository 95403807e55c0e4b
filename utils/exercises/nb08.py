"""Checks for notebook 08 (GPT)."""

from __future__ import annotations

import math

import torch

from utils.exercises import exercise
from utils.exercises.base import call, close, hint, numbers, right

INTRODUCED_IN = "08"


def embedding_share(V: int, T: int, d: int, L: int, position: bool = True) -> float:
    total = L * (12 * d * d + 13 * d) + (V + T) * d + 2 * d   # parameter_count(..., bias=True)
    return ((V + T) if position else V) * d / total


GPT2, GPT3 = (50257, 1024, 768, 12), (50257, 2048, 12288, 96)


@exercise("08.1", wrong=[(100 * embedding_share(*GPT2), 100 * embedding_share(*GPT3)),
                         (embedding_share(*GPT3), embedding_share(*GPT2)),
                         (embedding_share(*GPT2, position=False), embedding_share(*GPT3, position=False))])
def embedding_share_check(answer):
    small, large = numbers(answer, 2, "(share in GPT-2 small, share in GPT-3), fractions between 0 and 1")
    right_small, right_large = embedding_share(*GPT2), embedding_share(*GPT3)
    if close(small, right_small, rel=1e-3) and close(large, right_large, rel=1e-3):
        raise right(f"{right_small:.0%} of GPT-2 small but {right_large:.1%} of GPT-3: the embeddings grow like "
                    "(V + T)·d, the blocks like 12·L·d², so in big models almost everything is in the blocks.")
    if close(small, 100 * right_small, rel=1e-3):
        raise hint("give fractions (0.25), not percentages (25).")
    if close(small, right_large, rel=1e-3):
        raise hint("the two are swapped: GPT-2 small first.")
    if close(small, embedding_share(*GPT2, position=False), rel=1e-3):
        raise hint("the position embedding (T × d) is an embedding table too.")
    raise hint("with parameter_count(..., bias=True) for the total: (V + T)·d / total for each model.")


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
            raise hint(f"return probabilities shaped like logits {tuple(logits.shape)}.")
        if not torch.allclose(probs.sum(-1), torch.ones(4), atol=1e-5):
            raise hint("each row must sum to 1: renormalise after dropping the other tokens (softmax after masking).")
        kept = (probs > 0).sum(-1)
        if (kept != k).any():
            raise hint(f"with k = {k} your rows keep {kept.tolist()} tokens: keep exactly the k largest logits.")
        if not torch.allclose(probs, reference_top_k(logits, k), atol=1e-5):
            raise hint("you keep k tokens, but not the k most likely ones (torch.topk gives the largest).")
    raise right("only the k largest logits survive, renormalised; with k = 1 one token has probability 1, so "
                "sampling becomes greedy decoding.")


@exercise("08.3", wrong=[[3.0, 3.1, 2.9], [6.25, 6.26, 6.24], [4.2, 4.2, 4.2]], context=("vocab_size",))
def loss_at_initialisation(answer, vocab_size):
    losses = numbers(answer, 3, "the validation loss of three untrained models")
    uniform = math.log(vocab_size)
    if all(close(x, uniform / math.log(2), rel=0.05) for x in losses):
        raise hint("those look like bits; evaluate() returns nats (natural logarithm).")
    if len(set(losses)) == 1:
        raise hint("three different seeds should give (slightly) different losses: seed before building each model.")
    if not all(abs(x - uniform) < 0.4 for x in losses):
        raise hint(f"an untrained model should be near a simple baseline; yours are {losses}. Are the models "
                   "fresh (not trained), and measured with evaluate on val_data?")
    raise right(f"all near ln {vocab_size} = {uniform:.2f}: small random weights give almost uniform predictions, "
                "so a fresh model's loss is the uniform guess. A loss far from it at step 0 signals a bug "
                "(bad initialisation or a mis-wired loss).")
