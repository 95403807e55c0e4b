"""Median milliseconds per update of notebook 11's β slider (RLHFRunsView).

Synthetic runs of the notebook's size (40 steps, 64 samples each). The view draws the picture
of every β when it is built (printed too), so a slider move only shows one. The perceptron playground of
notebook 01 is measured in the same run as the baseline, since the machine's speed drifts.

    .venv/bin/python benchmarks/rlhf_widget_latency.py
"""

from __future__ import annotations

from timing import busy_core_if_asked, median_ms

GOAL_MS = 100.0


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np

    from utils.widgets import PerceptronPlayground, RLHFRunsView

    rng = np.random.default_rng(0)
    runs = [{"beta": beta, "reward": list(rng.normal(size=40).cumsum()), "kl": list(rng.random(40).cumsum()),
             "before": [("ROMEO:\nsome sampled text of a line", 0.1, 0.0)] * 64,
             "after": [("ROMEO:\nanother sampled line of text", 1.2, 1.0)] * 64} for beta in (0.0, 0.1, 0.5)]
    perceptron = PerceptronPlayground()
    view = RLHFRunsView(runs)
    base = median_ms(lambda v: setattr(perceptron.w1, "value", v), [0.5, -0.5])
    slider = median_ms(lambda v: setattr(view.beta, "value", v), [0.0, 0.1, 0.5])
    build = median_ms(lambda v: RLHFRunsView(runs, beta=v), [0.0], repeats=5)
    print(f"perceptron slider (baseline): {base:6.1f} ms")
    print(f"RLHF β slider:                {slider:6.1f} ms  ({slider / base:.2f}× baseline; goal ≤ {GOAL_MS:.0f} ms)")
    print(f"  building the view (a picture per β): {build:6.1f} ms  ({build / base:.2f}× baseline)")


if __name__ == "__main__":
    with busy_core_if_asked():  # --busy: one core kept busy by another process
        main()
