"""Notebook 06's tools for looking at word vectors: cosine similarity, nearest neighbours,
analogies and a 2-D projection (PCA). The embeddings themselves are trained in the notebook.

``vectors``: array ``(words, dims)``; ``words``: the list naming its rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

INTRODUCED_IN = "06"


def _check(vectors: np.ndarray, words: Sequence[str]) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array (words, dims), got shape {vectors.shape}.")
    if len(words) != vectors.shape[0]:
        raise ValueError(f"{len(words)} words but {vectors.shape[0]} vectors; they must match row for row.")
    return vectors


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Each row divided by its length, so dot products are cosines. ``(n, d) -> (n, d)``."""
    vectors = np.asarray(vectors, dtype=np.float64)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of the angle between two vectors: 1 same direction, 0 unrelated, −1 opposite."""
    return float(normalize(a) @ normalize(b))


def _index(words: Sequence[str], word: str) -> int:
    try:
        return list(words).index(word)
    except ValueError:
        raise KeyError(f"{word!r} is not in the vocabulary ({len(words)} words); "
                       "try a more common word, in lower case.") from None


def nearest_neighbours(vectors: np.ndarray, words: Sequence[str], word: str, k: int = 8) -> list[tuple[str, float]]:
    """The ``k`` words whose vectors have the highest cosine with ``word``'s (itself excluded)."""
    vectors = _check(vectors, words)
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}.")
    unit = normalize(vectors)
    i = _index(words, word)
    sims = unit @ unit[i]
    sims[i] = -np.inf
    order = np.argsort(-sims)[:k]
    return [(words[j], float(sims[j])) for j in order]


def analogy(vectors: np.ndarray, words: Sequence[str], a: str, b: str, c: str, k: int = 5) -> list[tuple[str, float]]:
    """"``a`` is to ``b`` as ``c`` is to ?": the words closest to b − a + c (a, b, c excluded)."""
    vectors = _check(vectors, words)
    unit = normalize(vectors)
    ia, ib, ic = (_index(words, w) for w in (a, b, c))
    target = normalize(unit[ib] - unit[ia] + unit[ic])
    sims = unit @ target
    sims[[ia, ib, ic]] = -np.inf
    order = np.argsort(-sims)[:k]
    return [(words[j], float(sims[j])) for j in order]


def pca_2d(vectors: np.ndarray) -> np.ndarray:
    """Project ``(n, d)`` vectors onto their two main directions of variation: ``(n, 2)``.

    Deterministic: each axis's sign is fixed so that its largest coordinate is positive.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or vectors.shape[0] < 2 or vectors.shape[1] < 2:
        raise ValueError(f"need at least 2 vectors of at least 2 dims, got shape {vectors.shape}.")
    centred = vectors - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    coords = centred @ vt[:2].T
    signs = np.sign(coords[np.abs(coords).argmax(axis=0), [0, 1]])
    return coords * np.where(signs == 0, 1, signs)
