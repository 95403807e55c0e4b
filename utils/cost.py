"""What a request to a paid LLM costs: tokens counted with the real tokenizer × a price table
(notebook 12). Tokenizers come from :func:`utils.data.tiktoken_encoding` (offline).

Prices change often. The table below lists what OpenAI's pricing page
(https://openai.com/api/pricing/) showed for these models in the second half of 2024 (standard,
non-batch requests, in US dollars per million tokens). Check the page before relying on them.
"""

from __future__ import annotations

from dataclasses import dataclass

INTRODUCED_IN = "12"

PRICES_AS_OF = "second half of 2024"


@dataclass(frozen=True)
class Price:
    model: str
    tokenizer: str            # name for utils.data.tiktoken_encoding
    input_per_million: float  # US$ per 1,000,000 prompt tokens
    output_per_million: float  # US$ per 1,000,000 generated tokens


PRICES: dict[str, Price] = {
    p.model: p
    for p in (
        Price("gpt-4o", "o200k_base", 2.50, 10.00),
        Price("gpt-4o-mini", "o200k_base", 0.15, 0.60),
        Price("gpt-4-turbo", "cl100k_base", 10.00, 30.00),
        Price("gpt-3.5-turbo", "cl100k_base", 0.50, 1.50),
    )
}


def count_tokens(text: str, tokenizer: str) -> int:
    """How many tokens ``text`` is for a real tokenizer ("gpt2", "cl100k_base", "o200k_base")."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}.")
    from .data import tiktoken_encoding

    return len(tiktoken_encoding(tokenizer).encode(text, disallowed_special=()))


def request_cost(model: str, input_tokens: int, output_tokens: int = 0) -> float:
    """US$ for one request: input_tokens × input price + output_tokens × output price."""
    if model not in PRICES:
        raise ValueError(f"unknown model {model!r}; the price table has {sorted(PRICES)}.")
    if input_tokens < 0 or output_tokens < 0:
        raise ValueError("token counts must be >= 0.")
    price = PRICES[model]
    return (input_tokens * price.input_per_million + output_tokens * price.output_per_million) / 1e6
