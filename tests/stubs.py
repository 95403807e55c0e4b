"""Small stand-ins shared by several test files (import them: ``from stubs import letter_counts``)."""

from __future__ import annotations

import torch


def letter_counts(texts: list[str]) -> torch.Tensor:
    """A toy sentence encoder for retrieval tests: each text -> its unit-length a..z letter counts,
    so "aaa" is closest to a passage of a's and the expected ranking is obvious by eye."""
    out = torch.zeros(len(texts), 26)
    for row, text in enumerate(texts):
        for ch in text.lower():
            if "a" <= ch <= "z":
                out[row, ord(ch) - 97] += 1
    return torch.nn.functional.normalize(out + 1e-6, dim=-1)
