"""Notebook 06's byte-level BPE tokenizer, the algorithm GPT-2 and GPT-4 use, in plain Python.

Training starts from the 256 byte values and repeatedly merges the most frequent adjacent pair
of tokens into a new token. Like GPT-2, text is first cut into word-like chunks (a merge never
crosses a chunk boundary), and each distinct chunk is counted once with its frequency, which
keeps training fast enough for a notebook.

    tok = BytePairTokenizer.train(text, num_merges=500)
    ids = tok.encode("To be, or not to be")
    tok.decode(ids) == "To be, or not to be"

Taught in notebook 06 (tokens and embeddings).
"""

from __future__ import annotations

import re
from collections import Counter

INTRODUCED_IN = "06"

# Words with their leading space, runs of digits, runs of punctuation (with "_", as in GPT-2),
# whitespace: a simpler cousin of GPT-2's pattern that needs only the standard `re` module. Every
# character falls in one of the groups, so no text is ever dropped.
CHUNK_PATTERN = re.compile(r" ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+")


def chunk_text(text: str) -> list[str]:
    """Split text into the chunks BPE works inside: ``"Hi, you" -> ["Hi", ",", " you"]``."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}.")
    return CHUNK_PATTERN.findall(text)


def pair_counts(chunks: dict[tuple[int, ...], int]) -> Counter:
    """How often each adjacent pair of tokens occurs, weighted by how often each chunk occurs."""
    counts: Counter = Counter()
    for tokens, freq in chunks.items():
        for pair in zip(tokens, tokens[1:]):
            counts[pair] += freq
    return counts


def merge_pair(tokens: tuple[int, ...], pair: tuple[int, int], new_id: int) -> tuple[int, ...]:
    """Replace every occurrence of ``pair`` in ``tokens`` (left to right) by ``new_id``."""
    out, i = [], 0
    while i < len(tokens):
        if i + 1 < len(tokens) and tokens[i] == pair[0] and tokens[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return tuple(out)


class BytePairTokenizer:
    """A trained byte-level BPE: ``merges`` maps a pair of ids to the id that replaces it.

    Ids 0..255 are the raw bytes; id 256 + k is the k-th merge. ``vocab[id]`` is its bytes.
    """

    def __init__(self, merges: dict[tuple[int, int], int]):
        self.merges = dict(merges)
        self.vocab: dict[int, bytes] = {i: bytes([i]) for i in range(256)}
        for (a, b), new_id in sorted(self.merges.items(), key=lambda item: item[1]):
            if a not in self.vocab or b not in self.vocab:
                raise ValueError(f"merge {(a, b)} -> {new_id} uses an id not defined before it.")
            self.vocab[new_id] = self.vocab[a] + self.vocab[b]
        self._pairs = {new_id: pair for pair, new_id in self.merges.items()}
        self._cache: dict[str, list[int]] = {}

    @classmethod
    def train(cls, text: str, num_merges: int, progress: bool = False) -> BytePairTokenizer:
        """Learn ``num_merges`` merges from ``text``; stops early if no pair occurs twice."""
        if not isinstance(num_merges, int) or num_merges < 0:
            raise ValueError(f"num_merges must be a non-negative integer, got {num_merges!r}.")
        if not isinstance(text, str) or not text:
            raise ValueError("BPE needs some training text; got an empty string.")
        chunks: dict[tuple[int, ...], int] = Counter(tuple(c.encode("utf-8")) for c in chunk_text(text))
        merges: dict[tuple[int, int], int] = {}
        steps = range(num_merges)
        if progress:
            from tqdm.auto import tqdm

            steps = tqdm(steps, desc="BPE merges")
        for k in steps:
            counts = pair_counts(chunks)
            if not counts:
                break
            pair, freq = max(counts.items(), key=lambda item: (item[1], -item[0][0], -item[0][1]))
            if freq < 2:
                break
            new_id = 256 + k
            merges[pair] = new_id
            chunks = {merge_pair(t, pair, new_id) if pair[0] in t else t: f for t, f in chunks.items()}
        return cls(merges)

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def _encode_chunk(self, chunk: str) -> list[int]:
        if chunk in self._cache:
            return self._cache[chunk]
        tokens = tuple(chunk.encode("utf-8", "surrogatepass"))  # a lone surrogate: its bytes, shown as �
        while len(tokens) > 1:
            # Apply the earliest-learned merge present, as training did.
            candidates = [self.merges[p] for p in zip(tokens, tokens[1:]) if p in self.merges]
            if not candidates:
                break
            new_id = min(candidates)
            tokens = merge_pair(tokens, self._pairs[new_id], new_id)
        if len(self._cache) < 100_000:
            self._cache[chunk] = list(tokens)
        return list(tokens)

    def encode(self, text: str) -> list[int]:
        """Text → token ids. Any text works (byte level): no unknown characters."""
        if not isinstance(text, str):
            raise TypeError(f"encode() takes a string, got {type(text).__name__}.")
        return [i for chunk in chunk_text(text) for i in self._encode_chunk(chunk)]

    def decode(self, ids: list[int]) -> str:
        """Token ids → text (invalid UTF-8 from a cut-off sequence shows as �)."""
        from .checks import check_token_ids

        data = b"".join(self.vocab[i] for i in check_token_ids(ids, self.vocab_size))
        return data.decode("utf-8", errors="replace")

    def token_str(self, token_id: int) -> str:
        """A readable form of one token, e.g. ``' the'``."""
        return self.vocab[token_id].decode("utf-8", errors="replace")

    def __repr__(self) -> str:
        return f"BytePairTokenizer(vocab_size={self.vocab_size})"
