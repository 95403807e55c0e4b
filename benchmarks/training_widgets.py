"""Median milliseconds per update of notebook 09's views: the scaling-law slider and the live loss
curves (one point added). The perceptron playground of notebook 01 is measured in the same run as
the baseline, since the machine's speed drifts.

    .venv/bin/python benchmarks/training_widgets.py
"""

from __future__ import annotations

from timing import busy_core_if_asked, median_ms

GOAL_MS = 100.0


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np

    from utils.scaling import load_scaling_results
    from utils.widgets import LossCurves, PerceptronPlayground, ScalingView

    results = load_scaling_results()
    params = np.array([r["non_embedding"] for r in results], float)
    losses = np.array([r["val_loss"] for r in results])
    slope, intercept = np.polyfit(np.log(params), np.log(losses), 1)
    scaling = ScalingView(params, losses, float(np.exp(intercept)), float(-slope), tokens=results[0]["tokens"])
    curves = LossCurves(total_steps=10_000)
    perceptron = PerceptronPlayground()

    def slide(v):
        scaling.slider.value = v

    def add_point(i):
        curves.add(len(curves.state.train_steps) * 10 + 10, 3.0 - 0.001 * i, 3.1 - 0.001 * i)

    def perceptron_move(v):
        perceptron.w1.value = v

    rows = {
        "baseline: perceptron slider (notebook 01)": median_ms(perceptron_move, [0.5, -0.5, 1.0, -1.0]),
        "scaling-law size slider": median_ms(slide, [2.0, 4.0, 6.0, 8.0, 10.0]),
        "live loss curves: add a point": median_ms(add_point, list(range(100))),
    }
    base = next(iter(rows.values()))
    for name, ms in rows.items():
        flag = "ok" if ms <= GOAL_MS else "SLOW"
        print(f"{flag:4s} {name:<44s} {ms:6.1f} ms/update  ({ms / base:.2f}× baseline)")


if __name__ == "__main__":
    with busy_core_if_asked():  # --busy: one core kept busy by another process
        main()
