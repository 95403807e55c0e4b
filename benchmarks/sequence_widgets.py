"""Median milliseconds per update of notebooks 05 and 06's views, next to notebook 01's playground
measured in the same run (the baseline), against the 100 ms goal.

Uses an untrained CharLSTM of the notebook's full size (192 units; the weights' values do not change
the cost) and random word vectors of the notebook's shape (300 words × 64).

    .venv/bin/python benchmarks/sequence_widgets.py
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from timing import busy_core_if_asked, median_ms  # noqa: E402

from utils.data import CharTokenizer, shakespeare  # noqa: E402
from utils.rnn import CharLSTM  # noqa: E402
from utils.widgets import (  # noqa: E402
    EmbeddingMap,
    HiddenStateView,
    PerceptronPlayground,
    TemperatureSampler,
    TokenView,
)

GOAL_MS = 100.0


def main() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)
    tokenizer = CharTokenizer(shakespeare("full"))
    model = CharLSTM(tokenizer.vocab_size, 48, 192)
    words = [f"w{i}" for i in range(300)]
    vectors = np.random.default_rng(0).normal(size=(300, 64))

    playground = PerceptronPlayground()
    heat = HiddenStateView(model, tokenizer)
    sampler = TemperatureSampler(model, tokenizer, length=200)
    tokens = TokenView()
    emb = EmbeddingMap(vectors, words, word="w0")
    texts = [f"ROMEO:\nBut, soft! what light through yonder window breaks? {i}" for i in range(5)]

    def set_value(control):
        return lambda v: setattr(control, "value", v)

    rows = {
        "01 playground (baseline): w1 slider": median_ms(set_value(playground.w1), [-1.0, 0.5, 1.0, 2.0]),
        "04 hidden-state heatmap: text": median_ms(set_value(heat.text), texts),
        "04 sampler: temperature (200 chars)": median_ms(set_value(sampler.temperature), [0.3, 0.8, 1.2, 1.6],
                                                         repeats=6),
        "05 token view: text (cl100k)": median_ms(set_value(tokens.text), texts),
        "05 embedding map: word": median_ms(set_value(emb.word), ["w1", "w2", "w3", "w4"]),
    }
    base = rows["01 playground (baseline): w1 slider"]
    print(f"goal: ≤ {GOAL_MS:.0f} ms per update; ratio = time / notebook 01 playground in this run")
    for name, ms in rows.items():
        verdict = "meets goal" if ms <= GOAL_MS else "SLOWER than goal"
        print(f"{name:<40} {ms:7.2f} ms   ×{ms / base:4.1f}   {verdict}")


if __name__ == "__main__":
    with busy_core_if_asked():  # --busy: one core kept busy by another process
        main()
