"""Checks for notebook 12 (using real LLMs). None of them needs the model files."""

from __future__ import annotations

from functools import cache

from utils.cost import PRICES, count_tokens, request_cost
from utils.data import get_play
from utils.exercises import exercise
from utils.exercises.base import Derived, close, hint, number, numbers, right
from utils.llama import LlamaConfig

INTRODUCED_IN = "12"

SMOL = LlamaConfig()   # SmolLM2-135M's sizes


def cache_bytes(kv_heads: int = SMOL.n_kv_heads, tensors: int = 2, bytes_per_number: int = 4) -> int:
    return tensors * SMOL.n_layers * kv_heads * SMOL.head_dim * bytes_per_number


@exercise("12.1", wrong=[cache_bytes(tensors=1), cache_bytes(kv_heads=SMOL.n_heads), cache_bytes(bytes_per_number=2)])
def kv_cache_per_token(answer):
    value = number(answer, "bytes per token")
    if value == cache_bytes():
        raise right(f"2 (K and V) × {SMOL.n_layers} layers × {SMOL.n_kv_heads} KV heads × {SMOL.head_dim} numbers × "
                    f"4 bytes = {cache_bytes():,} bytes per token; a 2,048-token context holds "
                    f"{cache_bytes() * 2048 / 1e6:.0f} MB. Grouped-query attention divides it by 3.")
    if value == cache_bytes(tensors=1):
        raise hint("the cache keeps both the keys and the values.")
    if value == cache_bytes(kv_heads=SMOL.n_heads):
        raise hint("that caches one K/V per query head; with grouped-query attention only the 3 KV heads are cached.")
    if value == cache_bytes(bytes_per_number=2):
        raise hint("our engine keeps the cache in float32: 4 bytes per number.")
    raise hint("per token and per layer the cache keeps K and V, each n_kv_heads × head_dim numbers.")


@cache
def hamlet_tokens(tokenizer: str = "o200k_base") -> int:
    return count_tokens(get_play("hamlet").text, tokenizer)


@exercise("12.2", wrong=[Derived(lambda: request_cost("gpt-4o-mini", hamlet_tokens()) * 1e6),
                         Derived(lambda: request_cost("gpt-4o-mini", 0, hamlet_tokens())),
                         Derived(lambda: request_cost("gpt-4o-mini", hamlet_tokens("cl100k_base")))])
def price_of_hamlet(answer):
    value = number(answer, "a price in US$")
    tokens = hamlet_tokens()
    right_cost = request_cost("gpt-4o-mini", tokens)
    if close(value, right_cost, rel=1e-3):
        raise right(f"{tokens:,} tokens × ${PRICES['gpt-4o-mini'].input_per_million} per million = "
                    f"${right_cost:.4f}: a whole play as input costs less than a cent; long outputs and "
                    "repeated requests are what add up.")
    if close(value, right_cost * 1e6, rel=1e-3):
        raise hint("prices are per million tokens: divide by 10^6.")
    if close(value, request_cost("gpt-4o-mini", 0, tokens), rel=1e-3):
        raise hint("the play is sent as input: use the input price (output tokens cost more).")
    if close(value, request_cost("gpt-4o-mini", hamlet_tokens("cl100k_base")), rel=1e-3):
        raise hint("gpt-4o-mini uses the o200k_base tokenizer, not GPT-4's cl100k_base.")
    raise hint("count_tokens(get_play('hamlet').text, 'o200k_base'), then request_cost('gpt-4o-mini', tokens).")


@exercise("12.3", wrong=[[1.0, 2.0, 3.0], [0.5, 0.5, 0.5], [1.0, 1.0 + 1e-2, 3.0]])
def rope_relative(answer):
    scores = numbers(answer, 3, "the scores for positions (5, 3), (12, 10) and (7, 3)")
    if close(scores[0], scores[1], rel=1e-4, abs_=1e-5) and not close(scores[0], scores[2], rel=1e-3):
        raise right("(5, 3) and (12, 10) give the same score: both are 2 apart. RoPE turns q by m·θ and k by n·θ, "
                    "and the dot product of two turned vectors depends only on the angle between them, (m − n)·θ: "
                    "attention sees relative positions without any position table.")
    if close(scores[0], scores[2], rel=1e-3):
        raise hint("all scores equal: did the rotation depend on the position? Put q at time m and k at time n of a "
                   "sequence before calling rope, and take the rows at m and n.")
    raise hint("the first two pairs are both 2 apart, so their scores should agree: rotate q at its position m "
               "and k at its position n (the same q and k each time), then take the dot product.")
