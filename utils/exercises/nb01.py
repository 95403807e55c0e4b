"""Checks for notebook 01 (the perceptron)."""

from __future__ import annotations

import numpy as np

from utils.exercises import exercise
from utils.exercises.base import hint, numbers, right
from utils.i18n import t

INTRODUCED_IN = "01"

INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "NOR": [1, 0, 0, 0], "XOR": [0, 1, 1, 0]}


def fires(weights: list[float], bias: float, inputs: np.ndarray) -> list[int]:
    return [int(v) for v in (inputs @ np.array(weights) + bias >= 0)]


@exercise("01.1", wrong=[(1.0, 1.0, -1.5), (-1.0, -1.0, -0.5)])
def nand_by_hand(answer):
    w1, w2, b = numbers(answer, 3, t("exercises.nb01.what_nand"))
    out = fires([w1, w2], b, INPUTS)
    if out == GATES["NAND"]:
        raise right(t("exercises.nb01.nand_right"))
    named = next((g for g, table in GATES.items() if table == out), None)
    if named == "AND":
        raise hint(t("exercises.nb01.nand_is_and"))
    if named:
        raise hint(t("exercises.nb01.nand_is_other", named=named))
    wrong = [tuple(x) for x, o, target in zip(INPUTS.tolist(), out, GATES["NAND"]) if o != target]
    raise hint(t("exercises.nb01.nand_wrong_outputs", wrong=wrong))


@exercise("01.2", wrong=[234_752, 1178, 235_136, 2_352])
def count_mnist_parameters(answer):
    sizes = [784, 256, 128, 10]
    weights = sum(n * m for n, m in zip(sizes[:-1], sizes[1:]))
    biases = sum(sizes[1:])
    value = numbers([answer], 1, t("exercises.nb01.what_parameters"))[0]
    if value == weights + biases:
        raise right(t("exercises.nb01.parameters_right"))
    if value == weights:
        raise hint(t("exercises.nb01.parameters_weights_only"))
    if value == sum(sizes):
        raise hint(t("exercises.nb01.parameters_neurons"))
    if value == weights + sum(sizes[:-1]) or value == weights + sum(sizes):
        raise hint(t("exercises.nb01.parameters_input_biases"))
    raise hint(t("exercises.nb01.parameters_formula"))


@exercise("01.3", wrong=[((1.0, 1.0, 1.0), -2.5), ((1.0, 1.0, 1.0), -0.5)])
def majority_of_three(answer):
    try:
        weights, bias = answer
    except (TypeError, ValueError):
        raise hint(t("exercises.nb01.majority_pair")) from None
    w = numbers(weights, 3, t("exercises.nb01.what_three_weights"))
    inputs = np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)])
    target = [int(s >= 2) for s in inputs.sum(axis=1)]
    out = fires(w, float(bias), inputs)
    if out == target:
        raise right(t("exercises.nb01.majority_right"))
    if sum(out) < sum(target):
        raise hint(t("exercises.nb01.majority_too_rarely"))
    raise hint(t("exercises.nb01.majority_too_often"))


@exercise("01.4", wrong=[[3, 2, 1], [4, 4], [0, 0, 0]])
def learning_rate_from_zero(answer):
    epochs = numbers(answer, 3, t("exercises.nb01.what_epochs"))
    if min(epochs) < 1 or any(e != int(e) for e in epochs):
        raise hint(t("exercises.nb01.epochs_count"))
    if len(set(epochs)) == 1:
        raise right(t("exercises.nb01.epochs_right"))
    raise hint(t("exercises.nb01.epochs_differ"))
