"""Notebook 02's regression helpers and its gradient-descent view (headless)."""

import numpy as np
import pytest
import torch

from utils.regression import (
    TRUE_INTERCEPT,
    TRUE_SLOPE,
    apartment_prices,
    gradient_descent_path,
    least_squares,
    mse,
    mse_gradient,
)
from utils.widgets import GradientDescentView
from utils.widgets.base import figure_to_png
from utils.widgets.regression import show_descent

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_apartments_follow_the_stated_rule():
    x, y = apartment_prices(n=2000, seed=3)
    assert x.shape == y.shape == (2000,)
    w, b = least_squares(x, y)
    assert abs(w - TRUE_SLOPE) < 0.1 and abs(b - TRUE_INTERCEPT) < 0.1
    assert np.allclose(apartment_prices(50, 1)[1], apartment_prices(50, 1)[1])  # seeded
    with pytest.raises(ValueError, match="at least 2"):
        apartment_prices(n=1)


def test_mse_and_gradient_match_torch():
    x, y = apartment_prices(n=30)
    w = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-0.2, dtype=torch.float64, requires_grad=True)
    loss = ((w * torch.tensor(x) + b - torch.tensor(y)) ** 2).mean()
    loss.backward()
    assert np.isclose(mse(1.5, -0.2, x, y), loss.item())
    assert np.allclose(mse_gradient(1.5, -0.2, x, y), [w.grad.item(), b.grad.item()])
    grid = mse(np.array([[1.5, 2.0]]), np.array([[-0.2, 0.0]]), x, y)
    assert grid.shape == (1, 2) and np.isclose(grid[0, 0], loss.item())
    with pytest.raises(ValueError, match="same length"):
        mse(1.0, 0.0, x, y[:-1])


def test_descent_reaches_least_squares_and_diverges_when_too_fast():
    x, y = apartment_prices()
    path = gradient_descent_path(x, y, 0.3, 2000)
    assert path.shape == (2001, 2) and tuple(path[0]) == (0.0, 0.0)
    assert np.allclose(path[-1], least_squares(x, y), atol=1e-6)
    fast = gradient_descent_path(x, y, 0.7, 100)
    assert not np.isfinite(fast[-1]).all() or np.abs(fast[-1]).max() > 1e6
    with pytest.raises(ValueError, match="non-negative integer"):
        gradient_descent_path(x, y, 0.1, -1)
    with pytest.raises(ValueError, match="learning_rate must be between"):
        gradient_descent_path(x, y, -0.1, 10)


@pytest.mark.widgets
def test_descent_view_sliders_move_path_and_line():
    view = GradientDescentView(learning_rate=0.1, steps=0)
    before, renders = view.png(), view.render_count
    assert before.startswith(PNG_MAGIC) and view.path.shape == (1, 2)
    line_before = np.asarray(view._artists["line"].get_ydata()).copy()
    view.steps.value = 100
    assert view.state.steps == 100 and view.render_count == renders + 1
    assert len(view._artists["path"].get_xdata()) == 101
    assert not np.allclose(line_before, view._artists["line"].get_ydata())
    assert view.png() != before
    loss_slow = view.loss
    view.learning_rate.value = 0.4
    assert view.loss < loss_slow and "learning rate 0.4" in view._artists["loss_title"].get_text()
    assert f"price ≈ {view.path[-1, 0] * 1000:.0f} €/m² · area" in view._artists["data_title"].get_text()
    view.learning_rate.value = 1.0
    assert view.loss == float("inf") or view.loss > 1e6
    assert "diverg" in view._artists["loss_title"].get_text()
    assert view.settings() == {"learning_rate": 1.0, "steps": 100, "w0": 0.0, "b0": 0.0}


@pytest.mark.widgets
def test_descent_view_validates_and_has_static_fallback():
    with pytest.raises(ValueError, match="steps must be between"):
        GradientDescentView(steps=1000)
    fig = show_descent(0.3, 50)
    assert figure_to_png(fig).startswith(PNG_MAGIC)
    assert "MSE 0.0" in fig.axes[1].get_title()
