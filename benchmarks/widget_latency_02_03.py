"""Median milliseconds per update for the live views of notebooks 02 and 04.

Same style as ``widget_latency.py``: runs on the installed ipywidgets (8.x) and again, in a
subprocess, on Colab's 7.7.1 (the overlay in .venv/ipywidgets7), against the 100 ms goal.
Models are small untrained stand-ins of the notebooks' ones (drawing cost does not depend on
the weights); the "train N steps" view is timed per click with N = 50.

    .venv/bin/python benchmarks/widget_latency_02_03.py
"""

from __future__ import annotations

import os

from ipywidgets_versions import measure_on_both
from timing import busy_core_if_asked, median_ms

GOAL_MS = 100.0


def _median_ms(action, repeats: int) -> float:
    return median_ms(action, list(range(repeats)), repeats)


def measure(repeats: int = 30) -> dict:
    import ipywidgets
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np
    import torch

    from utils.config import set_threads
    from utils.digits import load_digits_split
    from utils.widgets import (
        DigitProbabilities,
        GradientDescentView,
        HiddenUnitsTrainer,
        LatentExplorer,
        TicTacToeView,
    )

    set_threads(1)  # what notebooks 02 and 04 use
    torch.manual_seed(0)
    train_x, train_y, val_x, val_y = load_digits_split()
    mlp = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    decoder = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.Sigmoid())
    scorer = torch.nn.Sequential(torch.nn.Linear(9, 9), torch.nn.Tanh())

    def scores(board):
        with torch.no_grad():
            return scorer(torch.tensor(board, dtype=torch.float32)).numpy()

    results = {"ipywidgets": ipywidgets.__version__}
    descent = GradientDescentView(steps=100)
    results["02 descent: lr slider"] = _median_ms(
        lambda i: setattr(descent.learning_rate, "value", 0.02 + 0.45 * (i % 10) / 10), repeats)
    results["02 descent: steps slider"] = _median_ms(
        lambda i: setattr(descent.steps, "value", 50 + (i * 37) % 150), repeats)

    game = TicTacToeView(scores)

    def play_move(i):
        if game.result != "playing" or not game.state.board.count(0):
            game.new_x.click()
        empty = [k for k, c in enumerate(game.state.board) if c == 0]
        game.squares[empty[i % len(empty)]].click()

    results["03 tic-tac-toe: click"] = _median_ms(play_move, repeats)
    probabilities = DigitProbabilities(mlp, val_x, val_y)
    results["03 probabilities: digit slider"] = _median_ms(
        lambda i: setattr(probabilities.index, "value", (i * 13) % len(val_x)), repeats)
    latent = LatentExplorer(decoder, torch.randn(300, 2), np.arange(300) % 10)
    results["03 latent: z1 slider"] = _median_ms(
        lambda i: setattr(latent.z1, "value", latent.z1.min + (latent.z1.max - latent.z1.min) * (i % 10) / 10), repeats)
    trainer = HiddenUnitsTrainer(mlp, train_x, train_y, val_x, val_y, units=16, steps_per_click=50)
    results["03 hidden units: redraw only"] = _median_ms(lambda i: trainer.refresh(), repeats // 3)
    results["03 hidden units: train 50 steps"] = _median_ms(lambda i: trainer.train_button.click(), repeats // 3)
    return results


def main() -> None:
    results = measure_on_both(measure, __file__)
    print(f"notebooks 02 and 04 live views, {os.cpu_count()} cores; goal: median ≤ {GOAL_MS:.0f} ms per update")
    names = [k for k in results[0] if k != "ipywidgets"]
    print(f"{'view: control':<34} | " + " | ".join(f"ipywidgets {r['ipywidgets']:>6}" for r in results))
    for name in names:
        cells = " | ".join(f"{r[name]:>10.1f} ms    " for r in results)
        verdict = "meets goal" if all(r[name] <= GOAL_MS for r in results) else "SLOWER than goal"
        print(f"{name:<34} | {cells} | {verdict}")


if __name__ == "__main__":
    with busy_core_if_asked():  # --busy: one core kept busy by another process
        main()
