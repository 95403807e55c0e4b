"""Median milliseconds per update of notebook 10's views: the LoRA rank slider and the before/after
answers (two models answer greedily, up to 48 characters each; the view answers its examples when
built and keeps every answer, so a prompt it has not seen, which generates both, is measured
apart). The perceptron playground of notebook 01 is measured in the same run as the baseline,
since the machine's speed drifts.

    .venv/bin/python benchmarks/finetune_widgets.py
"""

from __future__ import annotations

import time

from timing import busy_core_if_asked, median_ms

GOAL_MS = 100.0


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import copy

    from utils.checkpoints import load_shakespeare_gpt
    from utils.config import set_threads
    from utils.instruct import TASKS, instruction_examples
    from utils.widgets import BeforeAfterView, LoRARankView, PerceptronPlayground

    set_threads(1)  # as the notebook does
    base, tokenizer = load_shakespeare_gpt()
    examples = [e for e in instruction_examples("val") if e.instruction == TASKS[0]][:8]
    start = time.perf_counter()
    answers = BeforeAfterView({"before": base, "after": copy.deepcopy(base)}, tokenizer, examples)
    build_ms = (time.perf_counter() - start) * 1000
    lora = LoRARankView()
    perceptron = PerceptronPlayground()

    def perceptron_move(v):
        perceptron.w1.value = v

    def rank(v):
        lora.rank_slider.value = v

    def pick(i):
        answers.example.value = i

    def pick_first_time(i):  # as if nothing was kept (a typed text, new weights): both answers generated
        answers._answers.clear()
        answers.example.value = i

    rows = {
        "baseline: perceptron slider (notebook 01)": median_ms(perceptron_move, [0.5, -0.5, 1.0, -1.0]),
        "LoRA rank slider": median_ms(rank, [1, 2, 4, 8, 16, 32, 64, 128]),
        "before/after: choose an example (2 answers)": median_ms(pick, list(range(1, 8))),
        "before/after: a prompt not seen before": median_ms(pick_first_time, list(range(1, 8)), repeats=14),
    }
    base_ms = next(iter(rows.values()))
    for name, ms in rows.items():
        flag = "ok" if ms <= GOAL_MS else "SLOW"
        print(f"{flag:4s} {name:<46s} {ms:6.1f} ms/update  ({ms / base_ms:.2f}× baseline)")
    print(f"goal: {GOAL_MS:.0f} ms per update; building the before/after view (it answers its "
          f"{len(examples)} examples): {build_ms:.0f} ms, once")


if __name__ == "__main__":
    with busy_core_if_asked():  # --busy: one core kept busy by another process
        main()
