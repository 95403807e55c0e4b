"""Checks for notebook 05 (recurrent networks)."""

from __future__ import annotations

import math

from utils.exercises import exercise
from utils.exercises.base import close, hint, number, numbers, right

INTRODUCED_IN = "05"


def states(w_hh: float, steps: int, squash=math.tanh) -> list[float]:
    """h_1..h_steps of a one-unit RNN with W_xh = 1, zero biases, inputs 1, 0, 0, ..."""
    h, out = 0.0, []
    for t in range(steps):
        h = squash((1.0 if t == 0 else 0.0) + w_hh * h)
        out.append(h)
    return out


@exercise("05.1", wrong=[[1.0, 0.5, 0.25], [math.tanh(1), 0.0, 0.0], [0.0, math.tanh(1), math.tanh(0.5 * math.tanh(1))]])
def rnn_by_hand(answer):
    h = numbers(answer, 3, "h1, h2 and h3")
    exact = states(0.5, 3)
    if all(close(a, b, rel=1e-3) for a, b in zip(h, exact)):
        raise right("h1 = tanh(1), then h_t = tanh(0.5·h_(t−1)): the memory of the first input roughly halves "
                    "each step, since tanh(u) ≈ u for small u.")
    if all(close(a, b, rel=1e-3) for a, b in zip(h, states(0.5, 3, squash=lambda u: u))):
        raise hint("you left out tanh: h_t = tanh(W_xh·x_t + W_hh·h_(t−1)).")
    if close(h[0], exact[0], rel=1e-3) and h[1] == 0:
        raise hint("h2 must carry h1 forward through W_hh even though x2 = 0: that is the recurrence.")
    if close(h[1], exact[0], rel=1e-3):
        raise hint("off by one: h1 is the state after the first input (x1 = 1), with h0 = 0 before it.")
    raise hint("start from h0 = 0 and apply h_t = tanh(1·x_t + 0.5·h_(t−1)) for x = 1, 0, 0.")


@exercise("05.2", wrong=[1.0, 2 / 3, 1.5, 0.5])
def bigram_probability(answer):
    value = number(answer, "a probability")
    if close(value, 3 / 4):
        raise right("the pair a→b occurs twice, a→a never; with one added to each of the 2 counts: "
                    "(2 + 1) / (2 + 2) = 0.75. Smoothing keeps a→a possible.")
    if close(value, 1.0):
        raise hint("without smoothing a→b is certain; the notebook's bigram adds 1 to every count first.")
    if close(value, 3 / 2) or close(value, 2 / 3):
        raise hint("after adding 1 to each count, divide by the row's new total: every count in row a grew by 1.")
    if close(value, 0.5):
        raise hint("that is the uniform guess; count the pairs that start with a in 'ababa'.")
    raise hint("count each pair (previous, next) in 'ababa', add 1 to every cell of the 2×2 table, divide by the "
               "row total of a.")


@exercise("05.3", wrong=[[0.5**19, 0.9**19, 1.5**19], states(0.5, 21)[-1:] + states(0.9, 21)[-1:] + states(1.5, 21)[-1:],
                         [0.0, 0.0, 0.0]])
def memory_of_one_input(answer):
    h20 = numbers(answer, 3, "h_20 for W_hh = 0.5, 0.9 and 1.5")
    exact = [states(w, 20)[-1] for w in (0.5, 0.9, 1.5)]
    if all(close(a, b, rel=1e-3, abs_=1e-12) for a, b in zip(h20, exact)):
        raise right(f"W_hh = 0.5 forgets (h_20 ≈ {exact[0]:.0e}), 0.9 fades slowly ({exact[1]:.3f}), 1.5 never "
                    f"forgets but saturates at tanh's fixed point ({exact[2]:.3f}): it remembers *that* something "
                    "happened, no longer what. This is why plain RNNs struggle with long gaps.")
    if h20[2] > 1:
        raise hint("a tanh state can never exceed 1: did you leave out the tanh?")
    for offset, name in ((19, "h_19"), (21, "h_21")):
        if all(close(a, states(w, offset)[-1], rel=1e-3, abs_=1e-12) for a, w in zip(h20, (0.5, 0.9, 1.5))):
            raise hint(f"off by one: you gave {name}. The first input is x_1 = 1, then 19 zeros, and h_20 comes "
                       "after the 20th input.")
    raise hint("with rnn_forward: x of shape (1, 20, 1) holding 1 then zeros, W_xh = 1, W_hh = w, zero biases; "
               "take the last state.")
