"""The timer every benchmark shares: milliseconds per update, and their median; and ``--busy``, which
runs a widget benchmark while another process keeps one core busy (``busy_core_if_asked``)."""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence


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


@contextlib.contextmanager
def busy_core_if_asked(argv: Sequence[str] | None = None) -> Iterator[bool]:
    """With ``--busy`` on the command line: keep one CPU core busy in another process (a Python loop
    that spins) while the benchmark runs, as a browser or a video call does on a learner's laptop.
    Yields whether it did. The medians printed then say how the thread default copes with a loaded machine."""
    if "--busy" not in (sys.argv if argv is None else argv):
        yield False
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    print(f"busy mode: process {spinner.pid} keeps one core busy; torch threads: the course default "
          f"(utils.config.DEFAULT_THREADS); load before: {os.getloadavg()[0]:.1f}")
    try:
        yield True
    finally:
        spinner.kill()
        spinner.wait()
