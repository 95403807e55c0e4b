"""scikit-learn's bundled 8×8 handwritten digits (no download), as notebook 04 uses them."""

from __future__ import annotations

import numpy as np
import torch

INTRODUCED_IN = "04"


def load_digits_split(val_fraction: float = 0.3, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The 1797 digits split at random into training and validation sets.

    Returns ``train_images: (n_train, 64)``, ``train_labels: (n_train,)``, ``val_images``,
    ``val_labels``. Pixels are scaled from 0..16 to 0..1; labels are 0..9 (int64).
    """
    if not 0.0 < float(val_fraction) < 1.0:
        raise ValueError(f"val_fraction must be between 0 and 1 (e.g. 0.3), got {val_fraction!r}.")
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = torch.tensor(digits.data / 16.0, dtype=torch.float32)
    labels = torch.tensor(digits.target, dtype=torch.int64)
    order = torch.tensor(np.random.default_rng(seed).permutation(len(labels)))
    n_val = int(round(len(labels) * float(val_fraction)))
    val, train = order[:n_val], order[n_val:]
    return images[train], labels[train], images[val], labels[val]
