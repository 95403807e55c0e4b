"""Notebook 02's regression pieces, kept here so its widget and later notebooks reuse them.

Notebook 02 writes each of these from scratch first and checks them against this module.

Units used throughout: area ``x`` in hundreds of m² (0.85 means 85 m²), price ``y`` in hundreds
of thousands of euros (2.9 means 290 000 €), so that both are numbers near 1.
"""

from __future__ import annotations

import numpy as np

from .checks import check_range

INTRODUCED_IN = "02"

# The "true" rule the synthetic apartments follow (notebook 02 states it):
# price [k€] = 50 + 3.0 · area [m²] + noise with σ = 30 k€,
# i.e. in the units above  y = 0.5 + 3.0 · x + N(0, 0.3²).
TRUE_SLOPE = 3.0
TRUE_INTERCEPT = 0.5
NOISE_STD = 0.3
AREA_RANGE = (0.2, 1.5)  # 20 m² to 150 m²


def apartment_prices(n: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic apartments: areas ``x: (n,)`` (hundreds of m²) and prices ``y: (n,)`` (100 k€).

    ``y = 0.5 + 3.0·x + noise``, noise normal with standard deviation 0.3 (30 000 €).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n (number of apartments) must be an integer of at least 2, got {n!r}.")
    rng = np.random.default_rng(seed)
    x = rng.uniform(*AREA_RANGE, size=n)
    y = TRUE_INTERCEPT + TRUE_SLOPE * x + rng.normal(0.0, NOISE_STD, size=n)
    return x, y


def _check_xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 1 or y.shape != x.shape or x.size < 2:
        raise ValueError(f"x and y must be 1-D arrays of the same length (at least 2), got shapes {x.shape} and {y.shape}.")
    return x, y


def mse(w: float | np.ndarray, b: float | np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mean squared error of the line ``w·x + b``. ``w`` and ``b`` may be arrays of the same shape
    (a grid of lines, e.g. for a contour plot); the result has that shape."""
    x, y = _check_xy(x, y)
    w = np.asarray(w, dtype=float)
    b = np.asarray(b, dtype=float)
    # Expand (a - y)² = w²·E[x²] + 2wb·E[x] + b² - 2w·E[xy] - 2b·E[y] + E[y²]: a whole grid in one go.
    ex, ey, exx, exy, eyy = x.mean(), y.mean(), (x * x).mean(), (x * y).mean(), (y * y).mean()
    return w * w * exx + 2 * w * b * ex + b * b - 2 * w * exy - 2 * b * ey + eyy


def mse_gradient(w: float, b: float, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """``(dL/dw, dL/db)`` of the MSE: ``2·mean((w·x + b − y)·x)`` and ``2·mean(w·x + b − y)``."""
    x, y = _check_xy(x, y)
    error = w * x + b - y
    return float(2 * np.mean(error * x)), float(2 * np.mean(error))


def gradient_descent_path(
    x: np.ndarray, y: np.ndarray, learning_rate: float, steps: int, w0: float = 0.0, b0: float = 0.0
) -> np.ndarray:
    """Plain gradient descent on the MSE of a line. Returns ``(steps + 1, 2)``: ``(w, b)`` after each step.

    A learning rate that is too big makes the values blow up; they are returned as they are
    (possibly ``inf``), so a plot can show the divergence.
    """
    check_range(learning_rate, 0.0, 100.0, "learning_rate")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}.")
    x, y = _check_xy(x, y)
    # The gradient only needs four averages (expand mse_gradient), so each step costs O(1):
    # dL/dw = 2(w·E[x²] + b·E[x] − E[xy]),  dL/db = 2(w·E[x] + b − E[y]). The widget needs that speed.
    ex, ey, exx, exy = x.mean(), y.mean(), (x * x).mean(), (x * y).mean()
    path = np.empty((steps + 1, 2))
    w, b = float(w0), float(b0)
    path[0] = w, b
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(1, steps + 1):
            dw, db = 2 * (w * exx + b * ex - exy), 2 * (w * ex + b - ey)
            w, b = w - learning_rate * dw, b - learning_rate * db
            path[i] = w, b
    return path


def least_squares(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The closed-form best line ``(w, b)``: ``w = cov(x, y) / var(x)``, ``b = mean(y) − w·mean(x)``."""
    x, y = _check_xy(x, y)
    w = float(np.mean((x - x.mean()) * (y - y.mean())) / np.var(x))
    return w, float(y.mean() - w * x.mean())
