"""The timer every benchmark shares: milliseconds per update, and their median."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence


def times_ms(action: Callable[[object], object], values: Sequence, repeats: int = 30, warmup: int = 3) -> list[float]:
    """Milliseconds of each of ``repeats`` calls of ``action(value)``, cycling through ``values``, after
    ``warmup`` untimed calls (the first draws build matplotlib's font caches)."""
    for value in list(values)[:warmup]:
        action(value)
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        action(values[i % len(values)])
        times.append((time.perf_counter() - start) * 1000)
    return times


def median_ms(action: Callable[[object], object], values: Sequence, repeats: int = 30) -> float:
    """Median ms of ``action(value)`` over ``repeats`` calls cycling through ``values`` (see :func:`times_ms`)."""
    return statistics.median(times_ms(action, values, repeats))
