"""Helpers for the notebooks' assert cells and for validating learners' input.

``assert_close`` compares like Karpathy's gradient check: it says which tensor differs,
where, and by how much, instead of a bare ``AssertionError``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .i18n import t

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
        raise TypeError(t("checks.numbers", name=name, kind=type(value).__name__)) from err


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
        raise AssertionError(t("checks.shapes_differ", name=name, got=a.shape, expected=e.shape))
    diff = np.abs(a - e)
    # NaN counts as equal only to NaN at the same index; inf only to the same inf.
    both_nan = np.isnan(a) & np.isnan(e)
    same_inf = np.isinf(a) & (a == e)
    diff = np.where(both_nan | same_inf, 0.0, diff)
    bad = ~(diff <= atol + rtol * np.abs(np.where(np.isfinite(e), e, 0.0))) & ~(both_nan | same_inf)
    finite_diff = np.where(np.isnan(diff), np.inf, diff)
    max_diff = float(finite_diff.max()) if diff.size else 0.0
    if bad.any():
        where = np.unravel_index(int(np.argmax(np.where(bad, finite_diff, -1.0))), diff.shape)
        raise AssertionError(t("checks.values_differ", name=name, bad=int(bad.sum()), size=a.size, max_diff=max_diff,
                                 index=tuple(int(i) for i in where), got=repr(a[where]), expected=repr(e[where]),
                                 atol=atol, rtol=rtol))
    if verbose:
        print(f"ok    {name:<32} max |diff| {max_diff:.2g}")
    return max_diff


def assert_decreased(name: str, values: Sequence[float], by: float = 0.0) -> None:
    """Assert the last value is below the first by more than ``by`` (relative, 0.1 = 10 %)."""
    vals = [float(v) for v in values]
    if len(vals) < 2:
        raise ValueError(t("checks.two_values", name=name, count=len(vals)))
    if not all(np.isfinite(vals)):
        raise AssertionError(t("checks.not_finite", name=name, last=vals[-1]))
    first, last = vals[0], vals[-1]
    if not last < first - abs(first) * by:
        raise AssertionError(t("checks.no_decrease", name=name, by=by, first=first, last=last))
    print(f"ok    {name:<32} {first:.4g} -> {last:.4g}")


def check_shape(value: object, shape: Sequence[int | None], name: str) -> None:
    """Raise a learner-friendly error unless ``value.shape`` matches ``shape`` (None = any size)."""
    actual = getattr(value, "shape", None)
    if actual is None:
        raise TypeError(t("checks.needs_shape", name=name, shape=tuple(shape), kind=type(value).__name__))
    actual = tuple(actual)
    if len(actual) != len(shape) or any(s is not None and s != a for s, a in zip(shape, actual)):
        pretty = "(" + ", ".join(t("checks.any") if s is None else str(s) for s in shape) + ")"
        raise ValueError(t("checks.wrong_shape", name=name, shape=pretty, got=actual))


def check_range(value: float, low: float, high: float, name: str) -> float:
    """Raise unless ``low <= value <= high``; return the value as float."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(t("checks.range_type", name=name, low=low, high=high, kind=type(value).__name__))
    if not (low <= value <= high):
        raise ValueError(t("checks.range", name=name, low=low, high=high, value=value))
    return float(value)


def check_token_ids(ids: object, vocab_size: int, name: str = "ids") -> list[int]:
    """``ids`` as a list of Python ints, each in ``0..vocab_size-1``; else an error that says what to fix.

    Accepts a list/tuple/range of integers or a 1-D integer tensor/array. Refuses text (``"01"``
    is two characters, not two ids), fractional numbers (``1.7``), and 2-D batches (decode one row
    at a time: ``decode(ids[0])``).
    """
    if isinstance(ids, (str, bytes)):
        raise TypeError(f"{name} must be a list of token ids (integers), got the text {ids[:40]!r}; "
                        "to turn text into ids use encode().")
    shape = getattr(ids, "shape", None)
    if shape is not None:
        if len(shape) == 0:
            ids = [ids]
        elif len(shape) != 1:
            raise ValueError(f"{name} must be one sequence (1-D), got shape {tuple(shape)}; decode one row at a "
                             f"time, e.g. decode({name}[0]).")
        else:
            dtype = str(getattr(ids, "dtype", ""))
            if "float" in dtype or "complex" in dtype or "bool" in dtype:
                raise TypeError(f"{name} must hold integer token ids, got dtype {dtype}; use .long() or .argmax(-1).")
            ids = ids.tolist()  # type: ignore[attr-defined]
    try:
        items = list(ids)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"{name} must be a list of token ids (integers), got {type(ids).__name__}.") from None
    out = []
    for position, value in enumerate(items):
        if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name}[{position}] must be an integer token id, got {value!r} "
                            f"({type(value).__name__}); token ids are whole numbers from 0 to {vocab_size - 1}.")
        value = int(value)
        if not 0 <= value < vocab_size:
            raise ValueError(f"{name}[{position}] = {value} is outside the vocabulary (0..{vocab_size - 1}).")
        out.append(value)
    return out
