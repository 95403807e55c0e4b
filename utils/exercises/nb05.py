"""Checks for notebook 05 (recurrent networks)."""

from __future__ import annotations

import math

from utils.exercises import exercise
from utils.exercises.base import close, hint, number, numbers, right
from utils.i18n import t

INTRODUCED_IN = "05"


def states(w_hh: float, steps: int, squash=math.tanh) -> list[float]:
    """h_1..h_steps of a one-unit RNN with W_xh = 1, zero biases, inputs 1, 0, 0, ..."""
    h, out = 0.0, []
    for step in range(steps):
        h = squash((1.0 if step == 0 else 0.0) + w_hh * h)
        out.append(h)
    return out


@exercise("05.1", wrong=[[1.0, 0.5, 0.25], [math.tanh(1), 0.0, 0.0], [0.0, math.tanh(1), math.tanh(0.5 * math.tanh(1))]])
def rnn_by_hand(answer):
    h = numbers(answer, 3, t("exercises.nb05.what_states"))
    exact = states(0.5, 3)
    if all(close(a, b, rel=1e-3) for a, b in zip(h, exact)):
        raise right(t("exercises.nb05.rnn_right"))
    if all(close(a, b, rel=1e-3) for a, b in zip(h, states(0.5, 3, squash=lambda u: u))):
        raise hint(t("exercises.nb05.rnn_no_tanh"))
    if close(h[0], exact[0], rel=1e-3) and h[1] == 0:
        raise hint(t("exercises.nb05.rnn_no_carry"))
    if close(h[1], exact[0], rel=1e-3):
        raise hint(t("exercises.nb05.rnn_off_by_one"))
    raise hint(t("exercises.nb05.rnn_how"))


@exercise("05.2", wrong=[1.0, 2 / 3, 1.5, 0.5])
def bigram_probability(answer):
    value = number(answer, t("exercises.nb05.what_probability"))
    if close(value, 3 / 4):
        raise right(t("exercises.nb05.bigram_right"))
    if close(value, 1.0):
        raise hint(t("exercises.nb05.bigram_no_smoothing"))
    if close(value, 3 / 2) or close(value, 2 / 3):
        raise hint(t("exercises.nb05.bigram_row_total"))
    if close(value, 0.5):
        raise hint(t("exercises.nb05.bigram_uniform"))
    raise hint(t("exercises.nb05.bigram_how"))


@exercise("05.3", wrong=[[0.5**19, 0.9**19, 1.5**19], states(0.5, 21)[-1:] + states(0.9, 21)[-1:] + states(1.5, 21)[-1:],
                         [0.0, 0.0, 0.0]])
def memory_of_one_input(answer):
    h20 = numbers(answer, 3, t("exercises.nb05.what_memory"))
    exact = [states(w, 20)[-1] for w in (0.5, 0.9, 1.5)]
    if all(close(a, b, rel=1e-3, abs_=1e-12) for a, b in zip(h20, exact)):
        raise right(t("exercises.nb05.memory_right", forgets=exact[0], fades=exact[1], saturates=exact[2]))
    if h20[2] > 1:
        raise hint(t("exercises.nb05.memory_no_tanh"))
    for offset, name in ((19, "h_19"), (21, "h_21")):
        if all(close(a, states(w, offset)[-1], rel=1e-3, abs_=1e-12) for a, w in zip(h20, (0.5, 0.9, 1.5))):
            raise hint(t("exercises.nb05.memory_off_by_one", name=name))
    raise hint(t("exercises.nb05.memory_how"))
