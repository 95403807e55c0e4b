"""utils.embeddings: cosine, neighbours, analogies and the PCA projection of notebook 06."""

import numpy as np
import pytest

from utils.embeddings import analogy, cosine, nearest_neighbours, normalize, pca_2d

WORDS = ["king", "queen", "man", "woman", "apple"]
VECTORS = np.array([[1.0, 1.0, 0.0], [1.0, -1.0, 0.0], [0.0, 1.0, 0.1], [0.0, -1.0, 0.1], [-0.3, 0.0, 5.0]])


def test_cosine_and_normalize():
    assert cosine(np.array([1.0, 0]), np.array([2.0, 0])) == pytest.approx(1)
    assert cosine(np.array([1.0, 0]), np.array([0, 3.0])) == pytest.approx(0)
    assert np.allclose(np.linalg.norm(normalize(VECTORS), axis=1), 1)


def test_neighbours_against_a_brute_force_loop():
    found = nearest_neighbours(VECTORS, WORDS, "king", k=2)
    sims = {w: cosine(VECTORS[0], v) for w, v in zip(WORDS, VECTORS) if w != "king"}
    expected = sorted(sims.items(), key=lambda item: -item[1])[:2]
    assert [w for w, _ in found] == [w for w, _ in expected]
    assert np.allclose([c for _, c in found], [c for _, c in expected])


def test_analogy_on_a_designed_example():
    assert analogy(VECTORS, WORDS, "man", "king", "woman", k=1)[0][0] == "queen"


def test_pca_2d_finds_the_main_direction():
    rng = np.random.default_rng(0)
    points = np.outer(rng.normal(size=200), [3.0, 4.0, 0.0]) + rng.normal(scale=0.01, size=(200, 3))
    coords = pca_2d(points)
    assert coords.shape == (200, 2)
    assert np.var(coords[:, 0]) > 100 * np.var(coords[:, 1])
    assert np.allclose(pca_2d(points), coords)  # deterministic signs


def test_errors_are_explained():
    with pytest.raises(KeyError, match="not in the vocabulary"):
        nearest_neighbours(VECTORS, WORDS, "banana")
    with pytest.raises(ValueError, match="must match"):
        nearest_neighbours(VECTORS, WORDS[:3], "king")
    with pytest.raises(ValueError, match="2-D"):
        nearest_neighbours(VECTORS[0], WORDS, "king")
    with pytest.raises(ValueError, match="at least 2"):
        pca_2d(np.ones((1, 3)))
