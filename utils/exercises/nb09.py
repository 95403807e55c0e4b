"""Checks for notebook 09 (pretraining and scaling)."""

from __future__ import annotations

import math

import numpy as np

from utils.exercises import exercise
from utils.exercises.base import Derived, close, hint, numbers, right
from utils.i18n import t

INTRODUCED_IN = "09"

BUDGET = 1e21


@exercise("09.1", wrong=[(math.sqrt(BUDGET / 20), 20 * math.sqrt(BUDGET / 20)),
                         (20 * math.sqrt(BUDGET / 120), math.sqrt(BUDGET / 120)),
                         (math.sqrt(BUDGET / 6), math.sqrt(BUDGET / 6))])
def chinchilla_split(answer):
    n, d = numbers(answer, 2, t("exercises.nb09.what_split"))
    right_n = math.sqrt(BUDGET / 120)
    if close(n, right_n, rel=0.01) and close(d, 20 * right_n, rel=0.01):
        raise right(t("exercises.nb09.split_right", billions_n=right_n / 1e9, billions_d=20 * right_n / 1e9))
    if close(d, right_n, rel=0.01) and close(n, 20 * right_n, rel=0.01):
        raise hint(t("exercises.nb09.split_swapped"))
    if close(n, math.sqrt(BUDGET / 20), rel=0.01):
        raise hint(t("exercises.nb09.six_n"))
    if not close(d, 20 * n, rel=0.01):
        raise hint(t("exercises.nb09.twenty_n"))
    raise hint(t("exercises.nb09.substitute"))


def lr(step, peak=3e-3, low=3e-4, warmup=10, total=100):
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return low + 0.5 * (1 + math.cos(math.pi * progress)) * (peak - low)


@exercise("09.2", wrong=[(lr(4), lr(55)), (3e-3 * 5 / 10, lr(55)), (lr(5), 3e-3)])
def schedule_by_hand(answer):
    at_5, at_55 = numbers(answer, 2, t("exercises.nb09.what_rates"))
    if close(at_5, lr(5), rel=1e-3) and close(at_55, lr(55), rel=1e-3):
        raise right(t("exercises.nb09.schedule_right"))
    if close(at_5, lr(4), rel=1e-3) or close(at_5, 3e-3 * 5 / 10, rel=1e-3):
        raise hint(t("exercises.nb09.off_by_one"))
    if not close(at_5, lr(5), rel=1e-3):
        raise hint(t("exercises.nb09.warmup"))
    raise hint(t("exercises.nb09.cosine"))


def fit_alpha(x, y) -> float:
    log_x, log_y = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    return float(-np.polyfit(log_x, log_y, 1)[0])


@exercise("09.3", wrong=[Derived(lambda params, val_losses: (fit_alpha(params, val_losses),) * 2),
                         Derived(lambda params, val_losses: (fit_alpha(params[-3:], val_losses[-3:]),
                                                             fit_alpha(params[:3], val_losses[:3])))],
          context=("params", "val_losses"))
def where_the_line_bends(answer, params, val_losses):
    small, large = numbers(answer, 2, t("exercises.nb09.what_alphas"))
    right_small, right_large = fit_alpha(params[:3], val_losses[:3]), fit_alpha(params[-3:], val_losses[-3:])
    if close(small, right_small, rel=1e-3) and close(large, right_large, rel=1e-3):
        direction = t("exercises.nb09.flattens" if right_large < right_small else "exercises.nb09.steepens")
        raise right(t("exercises.nb09.bend_right", small=right_small, large=right_large, direction=direction))
    if close(small, right_large, rel=1e-3) and close(large, right_small, rel=1e-3):
        raise hint(t("exercises.nb09.alphas_swapped"))
    if close(small, large, rel=1e-3):
        raise hint(t("exercises.nb09.alphas_same"))
    raise hint(t("exercises.nb09.second_value"))
