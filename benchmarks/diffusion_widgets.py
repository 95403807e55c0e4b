"""Median milliseconds per update of notebook 13's views: the denoising-timeline slider and the prompt
grid (a guidance change: 12 digits sampled with DDIM in 20 steps, classified, drawn; a new seed; a
new prompt, with the condition encoder a one-hot lookup since the text encoder's own time is
notebook 12's). The models have notebook 13's sizes, untrained: speed does not depend on the
weights. The perceptron playground of notebook 01 is measured in the same run as the baseline,
since the machine's speed drifts.

    .venv/bin/python benchmarks/diffusion_widgets.py
"""

from __future__ import annotations

from timing import busy_core_if_asked, median_ms

GOAL_MS = 100.0


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import torch
    import torch.nn.functional as F

    from utils.config import set_threads
    from utils.diffusion import Denoiser, label_from_prompt, linear_schedule
    from utils.widgets import PerceptronPlayground
    from utils.widgets.diffusion import DenoisingTimeline, PromptGrid

    set_threads()
    torch.manual_seed(0)
    schedule = linear_schedule(100)
    model = Denoiser(cond_dim=10, hidden=128, blocks=2).eval()
    classifier = torch.nn.Sequential(
        torch.nn.Unflatten(1, (1, 8, 8)), torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(128, 10))
    timeline = DenoisingTimeline(model, schedule, F.one_hot(torch.arange(6), 10).float(), n=6)
    grid = PromptGrid(model, schedule, lambda p: F.one_hot(torch.tensor(label_from_prompt(p)), 10).float(), classifier,
                      label_from_prompt, prompt="seven", guidance=3.0, rows=2)
    perceptron = PerceptronPlayground()

    def perceptron_move(v):
        perceptron.w1.value = v

    def slide(t):
        timeline.slider.value = t

    def guidance(w):
        grid.guidance_slider.value = w

    def new_seed(_):
        grid.seed_button.click()

    prompts = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]

    def new_prompt(i):
        grid.prompt_box.value = f"{prompts[i % 10]} #{i}"  # a new string each time: not cached

    rows = {
        "baseline: perceptron slider (notebook 01)": median_ms(perceptron_move, [0.5, -0.5, 1.0, -1.0]),
        "denoising timeline: move t": median_ms(slide, [90, 60, 30, 10, 0, 100]),
        "prompt grid: guidance slider (12 digits)": median_ms(guidance, [1.0, 2.0, 3.0, 5.0]),
        "prompt grid: new seed": median_ms(new_seed, [None]),
        "prompt grid: new prompt (one-hot encoder)": median_ms(new_prompt, list(range(40))),
    }
    base = next(iter(rows.values()))
    for name, ms in rows.items():
        flag = "ok" if ms <= GOAL_MS else "SLOW"
        print(f"{flag:4s} {name:<44s} {ms:6.1f} ms/update  ({ms / base:.2f}× baseline)")


if __name__ == "__main__":
    with busy_core_if_asked():  # --busy: one core kept busy by another process
        main()
