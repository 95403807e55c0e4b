"""Median milliseconds per update of notebook 03's computational-graph view: a slider move
(new forward values) and a "backward" click (every gradient filled), plus one "take a step" click.
Notebook 01's perceptron playground is measured in the same run as the baseline, since the
machine's speed drifts. Runs on the installed ipywidgets (8.x) and again on Colab's 7.7.1.

    .venv/bin/python benchmarks/backprop_widget.py
"""

from __future__ import annotations

import os

from ipywidgets_versions import measure_on_both
from timing import busy_core_if_asked, median_ms

GOAL_MS = 100.0


def measure() -> dict:
    import ipywidgets
    import matplotlib

    matplotlib.use("Agg")
    from utils.config import set_threads
    from utils.widgets import BackpropView, PerceptronPlayground

    set_threads()
    perceptron = PerceptronPlayground()
    view = BackpropView()

    def perceptron_move(v):
        perceptron.w1.value = v

    def slide(v):
        view.sliders["w1"].value = v

    def backward(_):
        view.state.filled = 0  # so every click fills all gradients again and redraws
        view.backward_button.click()

    def step(_):
        view.step_button.click()

    return {
        "ipywidgets": ipywidgets.__version__,
        "baseline: perceptron slider (notebook 01)": median_ms(perceptron_move, [0.5, -0.5, 1.0, -1.0]),
        "backprop graph: w1 slider": median_ms(slide, [0.5, -0.5, 1.0, -1.0, 2.0]),
        "backprop graph: backward click": median_ms(backward, [0]),
        "backprop graph: take a step": median_ms(step, [0], repeats=15),
    }


def main() -> None:
    results = measure_on_both(measure, __file__)
    print(f"notebook 03 graph view, {os.cpu_count()} cores; goal: median ≤ {GOAL_MS:.0f} ms per update")
    names = [k for k in results[0] if k != "ipywidgets"]
    print(f"{'view: control':<44} | " + " | ".join(f"ipywidgets {r['ipywidgets']:>6}" for r in results))
    for name in names:
        cells = " | ".join(f"{r[name]:>7.1f} ms ({r[name] / r['baseline: perceptron slider (notebook 01)']:.2f}×)"
                           for r in results)
        verdict = "meets goal" if all(r[name] <= GOAL_MS for r in results) else "SLOWER than goal"
        print(f"{name:<44} | {cells} | {verdict}")


if __name__ == "__main__":
    with busy_core_if_asked():  # --busy: one core kept busy by another process
        main()
