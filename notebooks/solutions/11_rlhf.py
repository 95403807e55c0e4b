"""Reference solutions for notebook 11 (RLHF and DPO). Try the exercises first.

Each function returns the answer its exercise's check expects; parameters are named after the
notebook's own objects. `make solutions NB=11` shows the notebook with these filled in.
"""

import math


def solve_11_1():
    # π = π_ref: both log-ratios are 0, the margin is 0, the loss is −ln σ(0).
    return -math.log(1 / (1 + math.exp(-0.0)))


def solve_11_2():
    p = 1 / (1 + math.exp(-(2.0 - 0.5)))
    return p, -math.log(p)


def solve_11_3(rl_finetune, runs, RL_STEPS, RL_BATCH, RL_LR):
    tight = rl_finetune(2.0, RL_STEPS, RL_BATCH, RL_LR)
    return runs[0.0]["kl"][-1], tight["kl"][-1]
