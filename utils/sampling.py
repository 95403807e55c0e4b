"""Turning next-token logits into a choice: the one sampler every model and view in the course uses.

Everything works on last-position logits of shape (batch, vocab), so the character LSTM
(notebook 05), our GPT (notebook 08), the Llama code (notebook 12) and the widgets that draw the
distribution all agree on the rules:

- ``temperature`` divides the logits before the softmax (0 = greedy: all mass on the arg-max);
- ``top_k`` keeps the k likeliest tokens (None = all);
- ``top_p`` keeps the smallest set of likeliest tokens whose probability adds up to at least p
  (None or 1 = all).

:func:`next_token_probs` returns the distribution that :func:`sample_next` really samples from,
so a bar chart of it is honest.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

INTRODUCED_IN = "05"


def check_sampling(temperature: float, top_k: int | None = None, top_p: float | None = None) -> None:
    """Raise a ValueError that says what to fix for a bad temperature, top_k or top_p."""
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or math.isnan(temperature) \
            or temperature < 0 or math.isinf(temperature):
        raise ValueError(f"temperature must be a finite number >= 0 (0 = greedy), got {temperature!r}.")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
        raise ValueError(f"top_k must be a positive integer (or None to keep every token), got {top_k!r}.")
    if top_p is not None and (isinstance(top_p, bool) or not isinstance(top_p, (int, float))
                              or not 0 < top_p <= 1):
        raise ValueError(f"top_p must be in (0, 1] (or None to keep every token), got {top_p!r}.")


def next_token_probs(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
                   top_p: float | None = None) -> torch.Tensor:
    """Last-position logits (batch, vocab) -> the probabilities the sampler draws from (batch, vocab)."""
    if not isinstance(logits, torch.Tensor) or logits.dim() != 2:
        got = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise ValueError(f"logits must be (batch, vocab), got {got}; use logits[:, -1] or logits[None].")
    check_sampling(temperature, top_k, top_p)
    logits = logits.float()
    if temperature == 0:
        return F.one_hot(logits.argmax(dim=-1), logits.size(-1)).float()
    logits = logits / temperature
    if top_k is not None and top_k < logits.size(-1):
        kth = torch.topk(logits, top_k, dim=-1).values[:, -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    probs = torch.softmax(logits, dim=-1)
    if top_p is not None and top_p < 1:
        sorted_probs, order = probs.sort(dim=-1, descending=True)
        before = sorted_probs.cumsum(dim=-1) - sorted_probs  # mass of the tokens ranked above
        sorted_probs = sorted_probs.masked_fill(before >= top_p, 0.0)
        probs = torch.zeros_like(probs).scatter(-1, order, sorted_probs)
        probs = probs / probs.sum(dim=-1, keepdim=True)
    return probs


def sample_next(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
                top_p: float | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
    """One token per row from last-position logits (batch, vocab) -> ids (batch, 1).

    Greedy at temperature 0 (no random number drawn); else one draw from :func:`next_token_probs`.
    """
    if temperature == 0 and isinstance(logits, torch.Tensor) and logits.dim() == 2:
        check_sampling(temperature, top_k, top_p)
        return logits.argmax(dim=-1, keepdim=True)  # what next_token_probs puts all the mass on
    probs = next_token_probs(logits, temperature, top_k, top_p)
    if generator is not None and probs.device != generator.device:
        probs = probs.to(generator.device)  # a CPU generator gives the same draw on any device
    return torch.multinomial(probs, 1, generator=generator).to(logits.device)
