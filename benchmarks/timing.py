"""The timer the widget benchmarks share: median milliseconds per update."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence


def median_ms(action: Callable[[object], object], values: Sequence, repeats: int = 30) -> float:
    """Median ms of ``action(value)`` over ``repeats`` calls cycling through ``values``, after a warm-up
    of three calls (the first draws build matplotlib's font caches)."""
    for value in values[:3]:
        action(value)
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        action(values[i % len(values)])
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
