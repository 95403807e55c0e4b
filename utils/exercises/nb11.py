"""Checks for notebook 11 (RLHF and DPO)."""

from __future__ import annotations

import math

from utils.exercises import exercise
from utils.exercises.base import close, hint, number, numbers, right

INTRODUCED_IN = "11"


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


@exercise("11.1", wrong=[0.0, 0.5, 1.0, -math.log(2)])
def dpo_at_the_reference(answer):
    value = number(answer, "the DPO loss, one number")
    if close(value, math.log(2), rel=1e-4):
        raise right("with π = π_ref every log-ratio is 0, so the margin is 0 and each pair costs −ln σ(0) = ln 2 "
                    "≈ 0.693, whatever the pairs: DPO starts from 'no preference' and moves away from it.")
    if value == 0:
        raise hint("the margin is 0, but the loss is −ln σ(margin), and σ(0) is not 1.")
    if close(value, 0.5):
        raise hint("σ(0) = 0.5 is the probability; the loss is −ln of it.")
    if close(value, -math.log(2), rel=1e-4):
        raise hint("a loss is ≥ 0: −ln σ(0) = −ln 0.5.")
    raise hint("DPO loss = −ln σ(β · (log-ratio of chosen − log-ratio of rejected)); what are the log-ratios when "
               "the policy is the reference?")


@exercise("11.2", wrong=[(sigmoid(-1.5), -math.log(sigmoid(-1.5))), (sigmoid(1.5), sigmoid(1.5)),
                         (sigmoid(2.0), -math.log(sigmoid(2.0)))])
def bradley_terry(answer):
    p, loss = numbers(answer, 2, "(probability that the first reply is preferred, the loss of this pair)")
    right_p = sigmoid(2.0 - 0.5)
    if close(p, right_p, rel=1e-3) and close(loss, -math.log(right_p), rel=1e-3):
        raise right(f"P = σ(r_chosen − r_rejected) = σ(1.5) ≈ {right_p:.3f}, loss −ln P ≈ {-math.log(right_p):.3f}: "
                    "only the difference of the rewards matters, so adding a constant to every reward changes nothing.")
    if close(p, 1 - right_p, rel=1e-3):
        raise hint("sign: the probability that the chosen reply wins is σ(r_chosen − r_rejected), above 0.5 here.")
    if close(p, sigmoid(2.0), rel=1e-3):
        raise hint("Bradley–Terry uses the difference of the two rewards, not the chosen reward alone.")
    if close(p, right_p, rel=1e-3):
        raise hint("the probability is right; the loss is −ln of it (−F.logsigmoid(margin)).")
    raise hint("P = σ(r_chosen − r_rejected) with σ(z) = 1 / (1 + e^(−z)); the loss is −ln P.")


@exercise("11.3", wrong=[(1.0, 3.0), (2.0, 2.0), (-1.0, -2.0)])
def tighter_leash(answer):
    kl_free, kl_tight = numbers(answer, 2, "(final KL with β = 0, final KL with β = 2)")
    if kl_free < 0 and kl_tight < 0:
        raise hint("a KL divergence is ≥ 0 on average; did you take reference − policy instead of policy − reference?")
    if close(kl_free, kl_tight, rel=1e-9):
        raise hint("identical KLs: did the second run really use β = 2 (rl_finetune's first argument)?")
    if kl_tight > kl_free:
        raise hint("the tighter leash ended further from the reference: are the two values in the asked order "
                   "(β = 0 first)?")
    raise right("the −β·KL term pays the policy to stay near the reference: with β = 2 it drifts less, so it keeps "
                "more of the reference's fluency and variety and gains less reward. β sets that trade-off.")
