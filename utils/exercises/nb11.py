"""Checks for notebook 11 (RLHF and DPO)."""

from __future__ import annotations

import math

from utils.exercises import exercise
from utils.exercises.base import close, hint, number, numbers, right
from utils.i18n import t

INTRODUCED_IN = "11"


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


@exercise("11.1", wrong=[0.0, 0.5, 1.0, -math.log(2)])
def dpo_at_the_reference(answer):
    value = number(answer, t("exercises.nb11.what_dpo_loss"))
    if close(value, math.log(2), rel=1e-4):
        raise right(t("exercises.nb11.dpo_right"))
    if value == 0:
        raise hint(t("exercises.nb11.dpo_margin_zero"))
    if close(value, 0.5):
        raise hint(t("exercises.nb11.dpo_probability"))
    if close(value, -math.log(2), rel=1e-4):
        raise hint(t("exercises.nb11.dpo_negative"))
    raise hint(t("exercises.nb11.dpo_formula"))


@exercise("11.2", wrong=[(sigmoid(-1.5), -math.log(sigmoid(-1.5))), (sigmoid(1.5), sigmoid(1.5)),
                         (sigmoid(2.0), -math.log(sigmoid(2.0)))])
def bradley_terry(answer):
    p, loss = numbers(answer, 2, t("exercises.nb11.what_preference"))
    right_p = sigmoid(2.0 - 0.5)
    if close(p, right_p, rel=1e-3) and close(loss, -math.log(right_p), rel=1e-3):
        raise right(t("exercises.nb11.bt_right", p=right_p, loss=-math.log(right_p)))
    if close(p, 1 - right_p, rel=1e-3):
        raise hint(t("exercises.nb11.bt_sign"))
    if close(p, sigmoid(2.0), rel=1e-3):
        raise hint(t("exercises.nb11.bt_difference"))
    if close(p, right_p, rel=1e-3):
        raise hint(t("exercises.nb11.bt_loss"))
    raise hint(t("exercises.nb11.bt_formula"))


@exercise("11.3", wrong=[(1.0, 3.0), (2.0, 2.0), (-1.0, -2.0)])
def tighter_leash(answer):
    kl_free, kl_tight = numbers(answer, 2, t("exercises.nb11.what_final_kls"))
    if kl_free < 0 and kl_tight < 0:
        raise hint(t("exercises.nb11.leash_negative"))
    if close(kl_free, kl_tight, rel=1e-9):
        raise hint(t("exercises.nb11.leash_identical"))
    if kl_tight > kl_free:
        raise hint(t("exercises.nb11.leash_order"))
    raise right(t("exercises.nb11.leash_right"))
