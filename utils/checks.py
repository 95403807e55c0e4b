"""Helpers for the notebooks' assert cells and for validating learners' input.

``assert_close`` compares like Karpathy's gradient check: it says which tensor differs,
where, and by how much, instead of a bare ``AssertionError``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

INTRODUCED_IN = "00"


def _as_array(value: object, name: str) -> np.ndarray:
    try:
        import torch

        if isinstance(value, torch.Tensor):
            return value.detach().cpu().double().numpy()
    except ImportError:  # pragma: no cover - torch is a dependency
        pass
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be numbers (a tensor, array or list), got {type(value).__name__}.") from err


def assert_close(
    name: str,
    actual: object,
    expected: object,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    verbose: bool = True,
) -> float:
    """Assert that ``actual`` equals ``expected`` within tolerance; return the max abs difference.

    Prints one line like ``ok    attention output   max |diff| 2.4e-08`` when ``verbose``.
    """
    a = _as_array(actual, "actual")
    e = _as_array(expected, "expected")
    if a.shape != e.shape:
        raise AssertionError(f"{name}: shapes differ, got {a.shape} but expected {e.shape}.")
    diff = np.abs(a - e)
    max_diff = float(diff.max()) if diff.size else 0.0
    bad = diff > atol + rtol * np.abs(e)
    if np.isnan(a).any() != np.isnan(e).any() or bad.any():
        where = np.unravel_index(int(np.argmax(np.where(np.isnan(diff), np.inf, diff))), diff.shape) if diff.size else ()
        raise AssertionError(
            f"{name}: {int(bad.sum())} of {a.size} values differ; largest |diff| {max_diff:.3g} at index "
            f"{tuple(int(i) for i in where)} (got {a[where]!r}, expected {e[where]!r}; atol={atol}, rtol={rtol})."
        )
    if verbose:
        print(f"ok    {name:<32} max |diff| {max_diff:.2g}")
    return max_diff


def assert_decreased(name: str, values: Sequence[float], by: float = 0.0) -> None:
    """Assert the last value is below the first by more than ``by`` (relative, 0.1 = 10 %)."""
    vals = [float(v) for v in values]
    if len(vals) < 2:
        raise ValueError(f"{name}: need at least two values to see a decrease, got {len(vals)}.")
    if not all(np.isfinite(vals)):
        raise AssertionError(f"{name}: became NaN or infinite ({vals[-1]}); try a smaller learning rate.")
    first, last = vals[0], vals[-1]
    if not last < first - abs(first) * by:
        raise AssertionError(f"{name}: expected a decrease of more than {by:.0%}, went {first:.4g} -> {last:.4g}.")
    print(f"ok    {name:<32} {first:.4g} -> {last:.4g}")


def check_shape(value: object, shape: Sequence[int | None], name: str) -> None:
    """Raise a learner-friendly error unless ``value.shape`` matches ``shape`` (None = any size)."""
    actual = getattr(value, "shape", None)
    if actual is None:
        raise TypeError(f"{name} must be an array or tensor with shape {tuple(shape)}, got {type(value).__name__}.")
    actual = tuple(actual)
    if len(actual) != len(shape) or any(s is not None and s != a for s, a in zip(shape, actual)):
        pretty = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must have shape {pretty}, got {actual}.")


def check_range(value: float, low: float, high: float, name: str) -> float:
    """Raise unless ``low <= value <= high``; return the value as float."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number between {low} and {high}, got {type(value).__name__}.")
    if not (low <= value <= high):
        raise ValueError(f"{name} must be between {low} and {high}, got {value}.")
    return float(value)
