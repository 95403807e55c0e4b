"""Median milliseconds from a slider change to the new picture, for notebook 01's playground.

Runs on the installed ipywidgets (8.x) and again, in a subprocess, on Colab's 7.7.1 (the overlay
that `make setup` installs in .venv/ipywidgets7), and compares both with the 100 ms goal.

    .venv/bin/python benchmarks/widget_latency.py
"""

from __future__ import annotations

import os
import statistics

from ipywidgets_versions import measure_on_both
from timing import busy_core_if_asked, times_ms

GOAL_MS = 100.0


def measure(repeats: int = 60) -> dict:
    import ipywidgets
    import matplotlib

    matplotlib.use("Agg")
    from utils.config import set_threads
    from utils.widgets import PerceptronPlayground

    set_threads()
    view = PerceptronPlayground(gate="AND")
    values = [round(-2 + 4 * i / repeats, 2) for i in range(repeats)]

    def move(value):
        renders, previous = view.render_count, view.state.w1
        view.w1.value = value  # observer -> draw -> PNG -> Image.value
        assert view.render_count == renders + 1 or value == previous

    slider_ms = times_ms(move, values, repeats, warmup=5)  # warm-up: first draws build font caches
    step_ms = times_ms(lambda _: view.step_button.click(), [0], repeats // 3)
    return {"ipywidgets": ipywidgets.__version__, "slider_median_ms": statistics.median(slider_ms),
            "slider_p90_ms": sorted(slider_ms)[int(0.9 * len(slider_ms))],
            "step_median_ms": statistics.median(step_ms), "png_bytes": len(view.image.value)}


def main() -> None:
    results = measure_on_both(measure, __file__)
    print(f"notebook 01 playground, {os.cpu_count()} cores; goal: median ≤ {GOAL_MS:.0f} ms per update")
    print(f"{'ipywidgets':>10} | {'slider median':>13} | {'slider p90':>10} | {'step button':>11} | verdict")
    for r in results:
        verdict = "meets goal" if r["slider_median_ms"] <= GOAL_MS else "SLOWER than goal"
        print(f"{r['ipywidgets']:>10} | {r['slider_median_ms']:>10.1f} ms | {r['slider_p90_ms']:>7.1f} ms | "
              f"{r['step_median_ms']:>8.1f} ms | {verdict} ({GOAL_MS / r['slider_median_ms']:.1f}x headroom)")


if __name__ == "__main__":
    with busy_core_if_asked():  # --busy: one core kept busy by another process
        main()
