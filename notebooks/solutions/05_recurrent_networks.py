"""Reference solutions for notebook 05 (recurrent networks). Try the exercises first.

Each function returns the answer its exercise's check expects; parameters are named after the
notebook's own objects. `make solutions NB=05` shows the notebook with these filled in.
"""

import torch


def solve_05_1(rnn_forward):
    one = torch.ones(1, 1)
    h = rnn_forward(torch.tensor([[[1.0], [0.0], [0.0]]]), one, 0.5 * one, torch.zeros(1), torch.zeros(1))
    return h.flatten().tolist()


def solve_05_2():
    text = "ababa"
    pairs = list(zip(text, text[1:]))
    counts = {(a, b): 1 + pairs.count((a, b)) for a in "ab" for b in "ab"}   # add-one smoothing
    return counts[("a", "b")] / (counts[("a", "a")] + counts[("a", "b")])


def solve_05_3(rnn_forward):
    x = torch.zeros(1, 20, 1)
    x[0, 0, 0] = 1.0          # the input 1, then 19 zeros
    one, zero = torch.ones(1, 1), torch.zeros(1)
    return [rnn_forward(x, one, w * one, zero, zero)[0, -1, 0].item() for w in (0.5, 0.9, 1.5)]
