"""Checks for notebook 09 (pretraining and scaling)."""

from __future__ import annotations

import math

import numpy as np

from utils.exercises import exercise
from utils.exercises.base import Derived, close, hint, numbers, right

INTRODUCED_IN = "09"

BUDGET = 1e21


@exercise("09.1", wrong=[(math.sqrt(BUDGET / 20), 20 * math.sqrt(BUDGET / 20)),
                         (20 * math.sqrt(BUDGET / 120), math.sqrt(BUDGET / 120)),
                         (math.sqrt(BUDGET / 6), math.sqrt(BUDGET / 6))])
def chinchilla_split(answer):
    n, d = numbers(answer, 2, "(parameters N, training tokens D)")
    right_n = math.sqrt(BUDGET / 120)
    if close(n, right_n, rel=0.01) and close(d, 20 * right_n, rel=0.01):
        raise right(f"C = 6·N·20N = 120·N², so N = √(C/120) ≈ {right_n / 1e9:.1f} B parameters and D = 20N ≈ "
                    f"{20 * right_n / 1e9:.0f} B tokens: both grow like √C.")
    if close(d, right_n, rel=0.01) and close(n, 20 * right_n, rel=0.01):
        raise hint("swapped: D (tokens) is 20 times N (parameters).")
    if close(n, math.sqrt(BUDGET / 20), rel=0.01):
        raise hint("each token costs 6N FLOPs (forward 2N, backward 4N): C = 6·N·D.")
    if not close(d, 20 * n, rel=0.01):
        raise hint("Chinchilla's rule of thumb: D = 20·N tokens.")
    raise hint("substitute D = 20N into C = 6ND and solve for N.")


def lr(step, peak=3e-3, low=3e-4, warmup=10, total=100):
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return low + 0.5 * (1 + math.cos(math.pi * progress)) * (peak - low)


@exercise("09.2", wrong=[(lr(4), lr(55)), (3e-3 * 5 / 10, lr(55)), (lr(5), 3e-3)])
def schedule_by_hand(answer):
    at_5, at_55 = numbers(answer, 2, "(learning rate at step 5, at step 55)")
    if close(at_5, lr(5), rel=1e-3) and close(at_55, lr(55), rel=1e-3):
        raise right("warmup climbs linearly to the peak in 10 steps; step 55 is halfway through the cosine, so "
                    "the rate is halfway between peak and minimum: (3e-3 + 3e-4) / 2.")
    if close(at_5, lr(4), rel=1e-3) or close(at_5, 3e-3 * 5 / 10, rel=1e-3):
        raise hint("off by one: step 0 already gets peak · 1/10, so step 5 gets peak · 6/10 (step + 1).")
    if not close(at_5, lr(5), rel=1e-3):
        raise hint("during warmup: peak_lr · (step + 1) / warmup_steps.")
    raise hint("after warmup, progress = (step − warmup) / (total − warmup); then min + ½(1 + cos(π·progress))"
               "·(peak − min).")


def fit_alpha(x, y) -> float:
    log_x, log_y = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    return float(-np.polyfit(log_x, log_y, 1)[0])


@exercise("09.3", wrong=[Derived(lambda params, val_losses: (fit_alpha(params, val_losses),) * 2),
                         Derived(lambda params, val_losses: (fit_alpha(params[-3:], val_losses[-3:]),
                                                             fit_alpha(params[:3], val_losses[:3])))],
          context=("params", "val_losses"))
def where_the_line_bends(answer, params, val_losses):
    small, large = numbers(answer, 2, "(alpha from the 3 smallest models, alpha from the 3 largest)")
    right_small, right_large = fit_alpha(params[:3], val_losses[:3]), fit_alpha(params[-3:], val_losses[-3:])
    if close(small, right_small, rel=1e-3) and close(large, right_large, rel=1e-3):
        direction = "flattens" if right_large < right_small else "steepens"
        raise right(f"α = {right_small:.3f} from the small models, {right_large:.3f} from the large: the curve "
                    f"{direction} in log-log, so a forecast depends on which range you fit. Kaplan's straight "
                    "line holds over many orders of magnitude, not over our narrow, under-trained range.")
    if close(small, right_large, rel=1e-3) and close(large, right_small, rel=1e-3):
        raise hint("swapped: the 3 smallest models first (params[:3]).")
    if close(small, large, rel=1e-3):
        raise hint("both the same: fit each subset separately, params[:3] with val_losses[:3] and the last 3.")
    raise hint("fit_power_law(x, y) returns (a, alpha, r2): give the second value of each fit.")
