"""Median milliseconds per update of notebooks 07/08's views, on the shipped checkpoint.

Measures the attention heatmap (switching head; typing a character, which re-runs the model)
and the next-token bars (temperature slider; typing). The perceptron playground of notebook 01
is measured in the same run as the baseline, since the machine's speed drifts.

    .venv/bin/python benchmarks/gpt_widget_latency.py
"""

from __future__ import annotations

import argparse

from timing import busy_core_if_asked, median_ms

GOAL_MS = 100.0


def main() -> None:
    import ipywidgets
    import matplotlib

    matplotlib.use("Agg")
    from utils.checkpoints import load_shakespeare_gpt
    from utils.config import set_threads
    from utils.widgets import AttentionView, NextTokenView, PerceptronPlayground

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: one per core)")
    parser.add_argument("--busy", action="store_true", help="keep one core busy in another process meanwhile")
    threads = set_threads(parser.parse_args().threads)
    model, tokenizer = load_shakespeare_gpt()
    perceptron = PerceptronPlayground()
    attention = AttentionView(model, tokenizer, "ROMEO:\nBut, soft! what")
    next_token = NextTokenView(model, tokenizer, "ROMEO:\nO gentle Jul")
    texts = ["ROMEO:\nBut, soft! wha", "ROMEO:\nBut, soft! what"]
    results = {
        "perceptron slider (baseline)": median_ms(lambda v: setattr(perceptron.w1, "value", v), [0.5, -0.5]),
        "attention: head dropdown": median_ms(lambda v: setattr(attention.head, "value", v), [0, 1, 2, 3]),
        "attention: type a character": median_ms(lambda v: setattr(attention.text, "value", v), texts),
        "next token: temperature slider": median_ms(lambda v: setattr(next_token.temperature, "value", v),
                                                    [0.5, 1.0, 1.5]),
        "next token: type a character": median_ms(lambda v: setattr(next_token.prompt, "value", v),
                                                  ["ROMEO:\nO gentle Ju", "ROMEO:\nO gentle Jul"]),
    }
    base = results["perceptron slider (baseline)"]
    print(f"ipywidgets {ipywidgets.__version__}, {threads} threads; goal: median <= {GOAL_MS:.0f} ms per update")
    for name, ms in results.items():
        print(f"{name:<32} {ms:7.1f} ms  ({ms / base:.1f}x the perceptron slider)  "
              f"{'meets goal' if ms <= GOAL_MS else 'SLOWER than goal'}")


if __name__ == "__main__":
    with busy_core_if_asked():  # --busy: one core kept busy by another process
        main()
