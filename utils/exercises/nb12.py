"""Checks for notebook 12 (using real LLMs). None of them needs the model files."""

from __future__ import annotations

from functools import cache

from utils.cost import PRICES, count_tokens, request_cost
from utils.data import get_play
from utils.exercises import exercise
from utils.exercises.base import Derived, close, hint, number, numbers, right
from utils.i18n import t
from utils.llama import LlamaConfig

INTRODUCED_IN = "12"

SMOL = LlamaConfig()   # SmolLM2-135M's sizes


def cache_bytes(kv_heads: int = SMOL.n_kv_heads, tensors: int = 2, bytes_per_number: int = 4) -> int:
    return tensors * SMOL.n_layers * kv_heads * SMOL.head_dim * bytes_per_number


@exercise("12.1", wrong=[cache_bytes(tensors=1), cache_bytes(kv_heads=SMOL.n_heads), cache_bytes(bytes_per_number=2)])
def kv_cache_per_token(answer):
    value = number(answer, t("exercises.nb12.what_bytes"))
    if value == cache_bytes():
        raise right(t("exercises.nb12.kv_right", layers=SMOL.n_layers, kv_heads=SMOL.n_kv_heads, head_dim=SMOL.head_dim,
                      bytes=cache_bytes(), megabytes=cache_bytes() * 2048 / 1e6))
    if value == cache_bytes(tensors=1):
        raise hint(t("exercises.nb12.kv_keys_and_values"))
    if value == cache_bytes(kv_heads=SMOL.n_heads):
        raise hint(t("exercises.nb12.kv_query_heads"))
    if value == cache_bytes(bytes_per_number=2):
        raise hint(t("exercises.nb12.kv_float32"))
    raise hint(t("exercises.nb12.kv_formula"))


@cache
def hamlet_tokens(tokenizer: str = "o200k_base") -> int:
    return count_tokens(get_play("hamlet").text, tokenizer)


@exercise("12.2", wrong=[Derived(lambda: request_cost("gpt-4o-mini", hamlet_tokens()) * 1e6),
                         Derived(lambda: request_cost("gpt-4o-mini", 0, hamlet_tokens())),
                         Derived(lambda: request_cost("gpt-4o-mini", hamlet_tokens("cl100k_base")))])
def price_of_hamlet(answer):
    value = number(answer, t("exercises.nb12.what_price"))
    tokens = hamlet_tokens()
    right_cost = request_cost("gpt-4o-mini", tokens)
    if close(value, right_cost, rel=1e-3):
        raise right(t("exercises.nb12.price_right", tokens=tokens, price=PRICES["gpt-4o-mini"].input_per_million,
                      cost=right_cost))
    if close(value, right_cost * 1e6, rel=1e-3):
        raise hint(t("exercises.nb12.price_per_million"))
    if close(value, request_cost("gpt-4o-mini", 0, tokens), rel=1e-3):
        raise hint(t("exercises.nb12.price_input"))
    if close(value, request_cost("gpt-4o-mini", hamlet_tokens("cl100k_base")), rel=1e-3):
        raise hint(t("exercises.nb12.price_tokenizer"))
    raise hint(t("exercises.nb12.price_formula"))


@exercise("12.3", wrong=[[1.0, 2.0, 3.0], [0.5, 0.5, 0.5], [1.0, 1.0 + 1e-2, 3.0]])
def rope_relative(answer):
    scores = numbers(answer, 3, t("exercises.nb12.what_scores"))
    if close(scores[0], scores[1], rel=1e-4, abs_=1e-5) and not close(scores[0], scores[2], rel=1e-3):
        raise right(t("exercises.nb12.rope_right"))
    if close(scores[0], scores[2], rel=1e-3):
        raise hint(t("exercises.nb12.rope_all_equal"))
    raise hint(t("exercises.nb12.rope_formula"))
