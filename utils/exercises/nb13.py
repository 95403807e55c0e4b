"""Checks for notebook 13 (pictures from a prompt: diffusion)."""

from __future__ import annotations

import torch

from utils.exercises import exercise
from utils.exercises.base import Derived, call, close, hint, number, right
from utils.i18n import t

INTRODUCED_IN = "13"


def first_below(alpha_bars, level: float) -> int:
    return int(torch.nonzero(torch.as_tensor(alpha_bars) < level)[0])


@exercise("13.1", wrong=[Derived(lambda alpha_bars: first_below(alpha_bars, 0.5) - 1),
                         Derived(lambda alpha_bars: first_below(alpha_bars, 0.25))], context=("alpha_bars",))
def half_signal(answer, alpha_bars):
    step = number(answer, t("exercises.nb13.what_step"))
    half = first_below(alpha_bars, 0.5)
    if step == half:
        raise right(t("exercises.nb13.half_right", half=half))
    if step == half - 1:
        raise hint(t("exercises.nb13.half_off_by_one"))
    if step == first_below(alpha_bars, 0.25):
        raise hint(t("exercises.nb13.half_weights"))
    raise hint(t("exercises.nb13.half_formula"))


@exercise("13.2", wrong=[0.64 * 1 + 0.36 * -0.5, 0.6 * 1 + 0.8 * -0.5, 0.8 * 1 + 0.6 * 0.5])
def one_noisy_pixel(answer):
    value = number(answer, t("exercises.nb13.what_pixel"))
    if close(value, 0.5):
        raise right(t("exercises.nb13.pixel_right"))
    if close(value, 0.64 - 0.18):
        raise hint(t("exercises.nb13.pixel_square_roots"))
    if close(value, 0.6 - 0.4):
        raise hint(t("exercises.nb13.pixel_swapped"))
    if close(value, 1.1):
        raise hint(t("exercises.nb13.pixel_sign"))
    raise hint(t("exercises.nb13.pixel_formula"))


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
        raise hint(t("exercises.nb13.x0_shape", shape=tuple(x_t.shape)))
    if torch.allclose(got, x0, atol=1e-4):
        raise right(t("exercises.nb13.x0_right"))
    raise hint(t("exercises.nb13.x0_formula"))
