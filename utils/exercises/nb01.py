"""Checks for notebook 01 (the perceptron)."""

from __future__ import annotations

import numpy as np

from utils.exercises import exercise
from utils.exercises.base import hint, numbers, right

INTRODUCED_IN = "01"

INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "NOR": [1, 0, 0, 0], "XOR": [0, 1, 1, 0]}


def fires(weights: list[float], bias: float, inputs: np.ndarray) -> list[int]:
    return [int(v) for v in (inputs @ np.array(weights) + bias >= 0)]


@exercise("01.1", wrong=[(1.0, 1.0, -1.5), (-1.0, -1.0, -0.5)])
def nand_by_hand(answer):
    w1, w2, b = numbers(answer, 3, "w1, w2 and the bias b")
    out = fires([w1, w2], b, INPUTS)
    if out == GATES["NAND"]:
        raise right("NAND is 'not AND': the same line as AND with every sign flipped, so the sides swap.")
    named = next((g for g, t in GATES.items() if t == out), None)
    if named == "AND":
        raise hint("this computes AND. NAND is its opposite: what happens to the output if you flip every sign?")
    if named:
        raise hint(f"this computes {named}, not NAND. NAND is 0 only for the input (1, 1).")
    wrong = [tuple(x) for x, o, t in zip(INPUTS.tolist(), out, GATES["NAND"]) if o != t]
    raise hint(f"wrong output for input(s) {wrong}. Check w·x + b ≥ 0 for each of the four inputs.")


@exercise("01.2", wrong=[234_752, 1178, 235_136, 2_352])
def count_mnist_parameters(answer):
    sizes = [784, 256, 128, 10]
    weights = sum(n * m for n, m in zip(sizes[:-1], sizes[1:]))
    biases = sum(sizes[1:])
    value = numbers([answer], 1, "a whole number of parameters")[0]
    if value == weights + biases:
        raise right("each layer n → m has n·m weights and m biases; the first layer holds almost all of them.")
    if value == weights:
        raise hint("close: you counted the weights. Every neuron after the input also has a bias.")
    if value == sum(sizes):
        raise hint("that counts neurons. Parameters are the connections (weights) plus one bias per neuron.")
    if value == weights + sum(sizes[:-1]) or value == weights + sum(sizes):
        raise hint("the biases belong to the neurons that receive the sum: the layers after the input.")
    raise hint("use m·(n + 1) for each layer n → m and add the three layers.")


@exercise("01.3", wrong=[((1.0, 1.0, 1.0), -2.5), ((1.0, 1.0, 1.0), -0.5)])
def majority_of_three(answer):
    try:
        weights, bias = answer
    except (TypeError, ValueError):
        raise hint("expected a pair (weights, bias), as train_perceptron returns its first two values.") from None
    w = numbers(weights, 3, "three weights, one per input")
    inputs = np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)])
    target = [int(s >= 2) for s in inputs.sum(axis=1)]
    out = fires(w, float(bias), inputs)
    if out == target:
        raise right("majority is linearly separable (a plane cuts the cube), so the perceptron rule finds one.")
    if sum(out) < sum(target):
        raise hint("your neuron fires too rarely (e.g. only when all three are 1): the bias is too negative.")
    raise hint("your neuron fires too often (e.g. when a single input is 1): the bias is not negative enough.")


@exercise("01.4", wrong=[[3, 2, 1], [4, 4], [0, 0, 0]])
def learning_rate_from_zero(answer):
    epochs = numbers(answer, 3, "epochs to learn OR at learning rates 0.1, 0.5 and 2.0")
    if min(epochs) < 1 or any(e != int(e) for e in epochs):
        raise hint("count the epochs: the length of the mistakes-per-epoch list, a whole number ≥ 1.")
    if len(set(epochs)) == 1:
        raise right("from zero, every update adds lr·(±1)·x, so the weights at lr = 2.0 are the ones at 0.5 "
                    "scaled by 4: the same line, the same mistakes. The rate only matters from nonzero weights.")
    raise hint("the counts should not depend on the rate. Did every run start from zero weights "
               "(a fresh call of train_perceptron), with the same OR targets?")
