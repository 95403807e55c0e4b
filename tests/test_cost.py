"""The price table and token counts of notebook 12 (utils.cost)."""

import pytest

from utils.cost import PRICES, count_tokens, request_cost
from utils.data import tiktoken_encoding


def test_count_tokens_uses_the_real_tokenizer():
    text = "Сегодня хорошая погода, и я хочу погулять в парке."
    assert count_tokens(text, "o200k_base") == len(tiktoken_encoding("o200k_base").encode(text))
    assert count_tokens("Hello world", "cl100k_base") == 2
    assert count_tokens("<|endoftext|>", "gpt2") > 1  # special-token text is counted as plain text
    with pytest.raises(TypeError, match="string"):
        count_tokens(42, "gpt2")


def test_request_cost_is_tokens_times_price():
    price = PRICES["gpt-4o"]
    assert request_cost("gpt-4o", 1_000_000, 0) == pytest.approx(price.input_per_million)
    assert request_cost("gpt-4o", 2000, 500) == pytest.approx((2000 * 2.50 + 500 * 10.00) / 1e6)
    assert all(p.output_per_million >= p.input_per_million for p in PRICES.values())
    assert {p.tokenizer for p in PRICES.values()} <= {"cl100k_base", "o200k_base"}
    with pytest.raises(ValueError, match="unknown model"):
        request_cost("gpt-5", 1)
    with pytest.raises(ValueError, match=">= 0"):
        request_cost("gpt-4o", -1)
