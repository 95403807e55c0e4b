"""Which int8 path could make SmolLM2 twice as fast as float32 on a CPU, and what it costs in quality.

Issue 20, goal 3 asks for ≥ 2× the float32 tokens/s with greedy answers unchanged. The course's
``Int8Linear`` (weight-only int8) reads a quarter of the bytes; with PyTorch's kernel
(``_weight_int8pack_mm``) it was no faster than float32 on a 2-core AVX2 machine, which is why the
course now multiplies one-token steps with its own compiled loop (``utils/int8_gemv.c``; the
``course`` row; ``benchmarks/smollm2.py --int8`` is the goal's benchmark). This script also tries
the one faster int8 kernel stock PyTorch has on x86, fbgemm's W8A8 linear (weights int8 per
output channel, the input rounded to 8 bits per call: ``torch.ops.quantized.linear_dynamic``),
alone and with the usual fixes for the outlier channels of LLM activations, and prints for each:
tokens/s of greedy generation (one thread, KV cache), the ratio to float32 in the same run, the
loss on notebook 12's *Hamlet* passage, and for how many of 64 tokens the greedy answer stays the
float32 one. Variants:

- ``int8 weight-only (PyTorch kernel)``: the course's layers without the compiled loop;
- ``w8a8``: every linear layer and the output projection W8A8;
- ``w8a8, down weight-only``: the feed-forward down projections (where SmolLM2's activations have
  channels 100-4,000× their median) stay weight-only int8;
- ``w8a8 smoothed``: as above, plus SmoothQuant's per-channel scaling (Xiao et al. 2023,
  arXiv:2211.10438) with α = 0.5, calibrated on two prompts.

    .venv/bin/python benchmarks/int8_variants.py      (about 2 minutes; needs SmolLM2's GGUF, as notebook 12)

torch.ao's quantized ops are deprecated; on a PyTorch without them the W8A8 rows say so.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NEW_TOKENS = 64
PROMPT = "Write a short story about a lighthouse keeper."
HAMLET = ("To be, or not to be, that is the question: Whether 'tis nobler in the mind to suffer "
          "The slings and arrows of outrageous fortune, Or to take arms against a sea of troubles "
          "And by opposing end them.")


def main() -> None:
    import torch
    import torch.nn.functional as F

    from utils import llama
    from utils.gguf_model import chat_prompt, load_smollm2

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message=".*quantize_per.*")
    torch.set_num_threads(1)
    smol = load_smollm2()
    model = smol.model
    ids = smol.encode(chat_prompt([{"role": "user", "content": PROMPT}]))
    passage = torch.tensor([smol.encode(HAMLET)])
    activation_max = calibrate(model, [smol.encode(chat_prompt([{"role": "user", "content": text}]))
                                       for text in ("Explain photosynthesis to a child.", "Write a poem about the sea.")])

    class W8A8Linear(torch.nn.Module):
        def __init__(self, weight, smooth=None):
            super().__init__()
            weight = weight.detach().float()
            self.inverse = None if smooth is None else 1 / smooth
            weight = weight if smooth is None else weight * smooth
            scale = weight.abs().amax(dim=1).clamp(min=1e-12) / 127
            q = torch.quantize_per_channel(weight, scale.double(), torch.zeros(len(scale), dtype=torch.long), 0, torch.qint8)
            self.packed = torch.ops.quantized.linear_prepack(q, None)

        def forward(self, x):
            flat = x.reshape(-1, x.shape[-1])
            if self.inverse is not None:
                flat = flat * self.inverse
            return torch.ops.quantized.linear_dynamic(flat, self.packed, True).reshape(*x.shape[:-1], -1)

    def variant(down_weight_only: bool, alpha: float | None):
        quantized = llama.quantize_int8(model)  # a copy; then swap its Int8Linear layers
        for index, block in enumerate(quantized.layers):
            for part, parent in (("attention", block.attention), ("feed_forward", block.feed_forward)):
                for name, child in list(parent.named_children()):
                    if not isinstance(child, llama.Int8Linear) or (down_weight_only and name == "down"):
                        continue
                    weight = child.dequantized()
                    smooth = None
                    if alpha is not None:
                        act = activation_max[f"layers.{index}.{part}.{name}"].clamp(min=1e-5)
                        smooth = act ** alpha / weight.abs().amax(dim=0).clamp(min=1e-5) ** (1 - alpha)
                    setattr(parent, name, W8A8Linear(weight, smooth))
        quantized.output = W8A8Linear(model.tok_embeddings.weight)
        return quantized

    def measure(m):
        with torch.inference_mode():
            loss = F.cross_entropy(m(passage)[0, :-1], passage[0, 1:]).item()
        list(llama.generate(m, ids, 3))  # warm-up
        start = time.perf_counter()
        answer = list(llama.generate(m, ids, NEW_TOKENS))
        return loss, answer, NEW_TOKENS / (time.perf_counter() - start)

    def pytorch_kernel_only():
        quantized = llama.quantize_int8(model)
        for layer in quantized.modules():
            if isinstance(layer, llama.Int8Linear):
                layer.gemv = None  # as without a C compiler: PyTorch's weight-only kernel
        return quantized

    rows = [("float32", lambda: model), ("int8 weight-only (course)", lambda: llama.quantize_int8(model)),
            ("int8 weight-only (PyTorch kernel)", pytorch_kernel_only),
            ("w8a8", lambda: variant(False, None)), ("w8a8, down weight-only", lambda: variant(True, None)),
            ("w8a8 smoothed, down weight-only", lambda: variant(True, 0.5))]
    reference = None
    print(f"SmolLM2-135M, 1 thread, greedy, {NEW_TOKENS} new tokens; float32 first, ratios in this run")
    print(f"{'weights':<32} | {'tokens/s':>8} | {'× float32':>9} | {'Hamlet loss':>11} | same greedy tokens")
    for name, build in rows:
        try:
            loss, answer, speed = measure(build())
        except (RuntimeError, AttributeError) as error:  # no fbgemm / quantized ops in this PyTorch
            print(f"{name:<32} | not available here: {str(error).splitlines()[0][:60]}")
            continue
        reference = reference or (loss, answer, speed)
        same = next((i for i, (a, b) in enumerate(zip(answer, reference[1])) if a != b), len(answer))
        print(f"{name:<32} | {speed:8.1f} | {speed / reference[2]:9.2f} | {loss:6.3f} ({loss - reference[0]:+.2f}) | "
              f"{same} of {len(answer)}")


def calibrate(model, prompts: list[list[int]]) -> dict:
    """The largest |input| per input channel of every linear layer, over the prompts."""
    import torch

    largest, hooks = {}, []
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.Linear):
            def hook(module, inputs, output, name=name):
                seen = inputs[0].detach().reshape(-1, inputs[0].shape[-1]).abs().amax(dim=0)
                largest[name] = torch.maximum(largest.get(name, seen), seen)
            hooks.append(module.register_forward_hook(hook))
    with torch.inference_mode():
        for ids in prompts:
            model(torch.tensor([ids]))
    for hook in hooks:
        hook.remove()
    return largest


if __name__ == "__main__":
    main()
