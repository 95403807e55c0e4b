"""Checks for notebook 13 (pictures from a prompt: diffusion)."""

from __future__ import annotations

import torch

from utils.exercises import exercise
from utils.exercises.base import Derived, call, close, hint, number, right

INTRODUCED_IN = "13"


def first_below(alpha_bars, level: float) -> int:
    return int(torch.nonzero(torch.as_tensor(alpha_bars) < level)[0])


@exercise("13.1", wrong=[Derived(lambda alpha_bars: first_below(alpha_bars, 0.5) - 1),
                         Derived(lambda alpha_bars: first_below(alpha_bars, 0.25))], context=("alpha_bars",))
def half_signal(answer, alpha_bars):
    t = number(answer, "a step t (a whole number)")
    half = first_below(alpha_bars, 0.5)
    if t == half:
        raise right(f"√ᾱ < √(1 − ᾱ) exactly when ᾱ < 0.5, first at t = {half}: from there on each noisy image holds "
                    "more noise than digit, yet the denoiser still recovers digits from much later steps.")
    if t == half - 1:
        raise hint("off by one: that is the last step where the digit still outweighs the noise.")
    if t == first_below(alpha_bars, 0.25):
        raise hint("compare the two weights √ᾱ and √(1 − ᾱ) with each other, not √ᾱ with 0.5.")
    raise hint("the signal's weight is √ᾱ_t and the noise's √(1 − ᾱ_t): find the first t in alpha_bars where "
               "the first is smaller.")


@exercise("13.2", wrong=[0.64 * 1 + 0.36 * -0.5, 0.6 * 1 + 0.8 * -0.5, 0.8 * 1 + 0.6 * 0.5])
def one_noisy_pixel(answer):
    value = number(answer, "the noisy pixel value")
    if close(value, 0.5):
        raise right("x_t = √0.64 · 1 + √0.36 · (−0.5) = 0.8 − 0.3 = 0.5: one jump from the clean image to step t, "
                    "no loop over the steps in between.")
    if close(value, 0.64 - 0.18):
        raise hint("the weights are square roots: √ᾱ and √(1 − ᾱ).")
    if close(value, 0.6 - 0.4):
        raise hint("swapped: √ᾱ multiplies the clean pixel, √(1 − ᾱ) the noise.")
    if close(value, 1.1):
        raise hint("mind the noise's sign: ε = −0.5.")
    raise hint("x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε.")


def _wrong_predict_x0(kind: str):
    def predict_x0(x_t, predicted_noise, a_bar):
        if kind == "no sqrt":
            return (x_t - (1 - a_bar) * predicted_noise) / a_bar
        return (x_t + (1 - a_bar).sqrt() * predicted_noise) / a_bar.sqrt()
    return predict_x0


@exercise("13.3", wrong=[_wrong_predict_x0("no sqrt"), _wrong_predict_x0("sign")])
def predict_clean(answer):
    generator = torch.Generator().manual_seed(0)
    x0, noise = torch.randn(2, 5, 64, generator=generator)
    a_bar = torch.tensor([0.99, 0.7, 0.5, 0.2, 0.01]).unsqueeze(1)
    x_t = a_bar.sqrt() * x0 + (1 - a_bar).sqrt() * noise
    got = call(answer, x_t, noise, a_bar)
    if not isinstance(got, torch.Tensor) or got.shape != x0.shape:
        raise hint(f"return a tensor shaped like x_t {tuple(x_t.shape)}.")
    if torch.allclose(got, x0, atol=1e-4):
        raise right("x_0 = (x_t − √(1 − ᾱ)·ε) / √ᾱ: with a perfect noise prediction the clean image comes back at "
                    "once; with a real, imperfect one this guess is blurry, which is why samplers take many steps.")
    raise hint("solve x_t = √ᾱ · x_0 + √(1 − ᾱ) · ε for x_0 (square roots, and mind the sign of the noise term).")
