"""Digits data, the training loop helper, and notebook 04's digit views (headless)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.digits import load_digits_split
from utils.train import train_steps
from utils.widgets import DigitProbabilities, HiddenUnitsTrainer, LatentExplorer
from utils.widgets.base import figure_to_png
from utils.widgets.digits import (
    noisy_digit,
    show_generated,
    show_hidden_weights,
    show_probabilities,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def digits():
    return load_digits_split(val_fraction=0.3, seed=0)


def tiny_mlp(hidden=8):
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))


def test_split_shapes_ranges_and_errors(digits):
    train_x, train_y, val_x, val_y = digits
    assert train_x.shape[1] == 64 and len(train_x) + len(val_x) == 1797 and len(val_x) == 539
    assert 0.0 <= float(train_x.min()) and float(train_x.max()) <= 1.0
    assert set(train_y.tolist()) == set(range(10))
    assert torch.equal(load_digits_split(seed=0)[3], val_y)  # seeded
    with pytest.raises(ValueError, match="val_fraction"):
        load_digits_split(val_fraction=1.5)


def test_train_steps_lowers_the_loss(digits):
    train_x, train_y, _, _ = digits
    model = tiny_mlp()
    before = F.cross_entropy(model(train_x), train_y).item()
    losses = train_steps(model, torch.optim.Adam(model.parameters(), lr=1e-2), train_x, train_y,
                         F.cross_entropy, steps=100, batch_size=32, generator=torch.Generator().manual_seed(0))
    assert len(losses) == 100 and F.cross_entropy(model(train_x), train_y).item() < before / 2
    with pytest.raises(ValueError, match="same first size"):
        train_steps(model, torch.optim.SGD(model.parameters(), lr=0.1), train_x, train_y[:5], F.cross_entropy, 1)
    with pytest.raises(ValueError, match="steps must be"):
        train_steps(model, torch.optim.SGD(model.parameters(), lr=0.1), train_x, train_y, F.cross_entropy, -1)


pytestmark = pytest.mark.widgets


def test_train_button_changes_weights_and_images(digits):
    model = tiny_mlp()
    view = HiddenUnitsTrainer(model, *digits, units=4, steps_per_click=20)
    before_png, before_w = view.png(), view.weights()
    first_image = view._images[0].get_array().copy()
    view.steps_slider.value = 30
    assert view.state.steps_per_click == 30
    view.train_button.click()
    assert view.state.steps_done == 30 and np.isfinite(view.state.last_loss)
    assert not np.allclose(before_w, view.weights())
    assert not np.allclose(first_image, view._images[0].get_array())
    lo, hi = view._images[0].get_clim()
    assert lo == -hi  # centred at 0
    assert view.png() != before_png and "steps trained:</b> 30" in view.info.value
    with pytest.raises(ValueError, match="64 pixels"):
        HiddenUnitsTrainer(torch.nn.Sequential(torch.nn.Linear(10, 4)), *digits)


def test_probability_bars_follow_the_digit_and_noise(digits):
    _, _, val_x, val_y = digits
    model = tiny_mlp()
    view = DigitProbabilities(model, val_x, val_y, index=0)
    heights = [bar.get_height() for bar in view._artists["bars"]]
    assert np.isclose(sum(heights), 1.0, atol=1e-5)
    before = view.png()
    view.index.value = 7
    assert f"true label: {int(val_y[7])}" == view._artists["image_title"].get_text()
    view.noise.value = 0.5
    assert not torch.equal(view.current_image(), val_x[7])
    assert view.png() != before
    assert np.isclose(view.probabilities.sum(), 1.0, atol=1e-5)
    assert torch.equal(noisy_digit(val_x[0], 0.3, 1), noisy_digit(val_x[0], 0.3, 1))  # reproducible


def test_latent_sliders_generate_different_digits():
    torch.manual_seed(0)
    decoder = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 64), torch.nn.Sigmoid())
    codes = torch.randn(100, 2)
    view = LatentExplorer(decoder, codes, np.arange(100) % 10)
    first = view.generated.copy()
    before = view.png()
    view.z1.value = view.z1.max
    view.z2.value = view.z2.min
    assert not np.allclose(first, view.generated) and view.generated.shape == (8, 8)
    assert np.allclose(view._artists["cursor"].get_xdata(), [view.z1.max])
    assert view.png() != before
    with pytest.raises(ValueError, match=r"shape \(any, 2\)"):
        LatentExplorer(decoder, torch.randn(10, 3), np.zeros(10))


def test_static_fallbacks(digits):
    _, _, val_x, val_y = digits
    model = tiny_mlp()
    for fig in (show_hidden_weights(model[0].weight, units=8), show_probabilities(model, val_x[0], int(val_y[0]))):
        assert figure_to_png(fig).startswith(PNG_MAGIC)
    decoder = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.Sigmoid())
    assert figure_to_png(show_generated(decoder, torch.zeros(5, 2), np.zeros(5), (0.0, 0.0))).startswith(PNG_MAGIC)
    with pytest.raises(ValueError, match=r"shape \(any, 64\)"):
        show_hidden_weights(torch.zeros(4, 10))
