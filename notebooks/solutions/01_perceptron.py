"""Reference solutions for notebook 01 (the perceptron). Try the exercises first.

Each function returns the answer its exercise's check expects; parameters are named after the
notebook's own objects. `make solutions NB=01` shows the notebook with these filled in.
"""

import numpy as np


def solve_01_1():
    # NAND = not AND: flip every sign of AND's (1, 1, -1.5).
    return (-1.0, -1.0, 1.5)


def solve_01_2():
    sizes = [784, 256, 128, 10]
    return sum(m * (n + 1) for n, m in zip(sizes[:-1], sizes[1:]))


def solve_01_3(train_perceptron):
    inputs = np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)])
    target = (inputs.sum(axis=1) >= 2).astype(int)
    weights, bias, _ = train_perceptron(inputs, target)
    return weights, bias


def solve_01_4(train_perceptron, X, targets):
    return [len(train_perceptron(X, targets["OR"], learning_rate=lr)[2]) for lr in (0.1, 0.5, 2.0)]
