"""Median milliseconds per update of notebook 14's views: the merges slider (a tokenizer never
shown before: built from the merges and measured on 20,000 held-out characters), the sampler (a
new sample of 200 BPE tokens from notebook 14's 3-layer model, untrained, plus the search for the
longest piece copied from 1.8 M characters of training text), and the corpus picker switching
between texts it has loaded. The perceptron playground of notebook 01 is measured in the same
run as the baseline, since the machine's speed drifts. ``--busy``: another process keeps one core busy.

    .venv/bin/python benchmarks/capstone_widgets.py [--busy]
"""

from __future__ import annotations

from timing import busy_core_if_asked, median_ms

GOAL_MS = 100.0


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import torch

    from utils.bpe import BytePairTokenizer
    from utils.config import set_threads
    from utils.corpus import bpe_with_merges, shakespeare_corpus
    from utils.models import GPT, GPTConfig
    from utils.widgets import CorpusPicker, MergesView, PerceptronPlayground, SamplerView

    set_threads()
    train_text, held_out = shakespeare_corpus().split()
    full = BytePairTokenizer.train(train_text[:20_000], 400)
    merges = MergesView(full, held_out, merges=0)
    tokenizer = bpe_with_merges(full, 400)
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=tokenizer.vocab_size, block_size=64, n_layer=3, n_head=4, n_embd=96)).eval()
    sampler = SamplerView(model, tokenizer, train_text, prompt="\n", top_k=40, new_tokens=200)
    picker = CorpusPicker(choice="shakespeare")
    picker.choice.value = "python"  # loaded once; the timed switches reuse both
    perceptron = PerceptronPlayground()

    def perceptron_move(v):
        perceptron.w1.value = v

    fresh = iter(range(10, 401, 10))

    def slide(_):
        merges.merges.value = next(fresh)  # never the same value twice: nothing cached

    def new_sample(_):
        sampler.sample_button.click()

    def switch(choice):
        picker.choice.value = choice

    rows = {
        "baseline: perceptron slider (notebook 01)": median_ms(perceptron_move, [0.5, -0.5, 1.0, -1.0]),
        "merges slider (new tokenizer, 20k chars)": median_ms(slide, [None], repeats=30),
        "sampler: new sample (200 tokens + copy search)": median_ms(new_sample, [None], repeats=11),
        "corpus picker: switch text (loaded)": median_ms(switch, ["shakespeare", "python"]),
    }
    base = next(iter(rows.values()))
    for name, ms in rows.items():
        flag = "ok" if ms <= GOAL_MS else "SLOW"
        print(f"{flag:4s} {name:<48s} {ms:7.1f} ms/update  ({ms / base:.2f}× baseline)")


if __name__ == "__main__":
    with busy_core_if_asked():  # --busy: one core kept busy by another process
        main()
