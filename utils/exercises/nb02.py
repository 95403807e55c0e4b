"""Checks for notebook 02 (regression and gradient descent)."""

from __future__ import annotations

import numpy as np

from utils.exercises import exercise
from utils.exercises.base import Derived, close, hint, number, numbers, right

INTRODUCED_IN = "02"


def curvature(x: np.ndarray) -> float:
    """λ_max of the MSE's Hessian (2/n)·X̃ᵀX̃ for a line fit (X̃ = [x, 1])."""
    with_ones = np.stack([np.asarray(x, dtype=float), np.ones(len(x))], axis=1)
    return float(np.linalg.eigvalsh(2 / len(x) * with_ones.T @ with_ones).max())


@exercise("02.1", wrong=[Derived(lambda x: 1 / curvature(x)), Derived(lambda x: curvature(x)), 0.3],
          context=("x",))
def edge_of_stability(answer, x):
    edge = 2 / curvature(x)
    value = number(answer, "a learning rate")
    if close(value, edge, rel=0.02):
        raise right(f"η = 2/λ_max ≈ {edge:.3f}: beyond it each step overshoots the steepest direction by more "
                    "than it corrects, so the error grows every step.")
    if close(value, 1 / curvature(x), rel=0.02):
        raise hint("1/λ_max is the best step along the steepest direction; gradient descent still converges "
                   "up to a larger rate. Where does |1 − ηλ| reach 1?")
    if close(value, curvature(x), rel=0.02):
        raise hint("that is λ_max itself; the learning rate at the edge is built from it. Where does |1 − ηλ| = 1?")
    if value < edge:
        raise hint("gradient descent still converges at that rate: try your η and a slightly larger one with "
                   "gradient_descent for 200 steps.")
    raise hint("at that rate the loss grows: run gradient_descent for 200 steps and watch the history.")


def cubic_loss(distance_km, price_m2, bias=True) -> float:
    d = np.asarray(distance_km) / 10
    columns = [d, d**2, d**3] + ([np.ones_like(d)] if bias else [])
    design = np.stack(columns, axis=1)
    coef = np.linalg.lstsq(design, price_m2, rcond=None)[0]
    return float(np.mean((design @ coef - price_m2) ** 2))


def line_loss(distance_km, price_m2) -> float:
    w, b = np.polyfit(np.asarray(distance_km) / 10, price_m2, 1)
    return float(np.mean((w * np.asarray(distance_km) / 10 + b - price_m2) ** 2))


@exercise("02.2", wrong=[Derived(line_loss), Derived(lambda distance_km, price_m2: cubic_loss(distance_km, price_m2,
                                                                                              bias=False))],
          context=("distance_km", "price_m2"))
def cubic_by_least_squares(answer, distance_km, price_m2):
    value = number(answer, "the cubic fit's mean squared error")
    if close(value, cubic_loss(distance_km, price_m2), rel=1e-3):
        raise right("d, d², d³ are just three input columns: the model is still linear in its parameters, so "
                    "least squares solves it exactly, and it bends (but only as a cubic can).")
    if close(value, line_loss(distance_km, price_m2), rel=1e-3):
        raise hint("that is the straight line's loss: the design matrix needs the columns d² and d³ as well.")
    if close(value, cubic_loss(distance_km, price_m2, bias=False), rel=1e-3):
        raise hint("almost: add a column of ones to the design matrix, or the curve must pass through 0.")
    raise hint("build the design matrix [d, d², d³, 1] with d = distance_km / 10, solve it with "
               "np.linalg.lstsq, and give the mean of the squared errors (not the sum, not its root).")


@exercise("02.3", wrong=[(7, 0.1), (13, 0.1), Derived(lambda line_loss: (10, 1.5 * line_loss))],
          context=("line_loss",))
def narrow_mlp(answer, line_loss):
    parameters, loss = numbers(answer, 2, "(number of parameters, final MSE)")
    if parameters == 7:
        raise hint("count again: 3 weights in, 3 weights out, and a bias for each of the 4 neurons after the input.")
    if parameters != 10:
        raise hint("use m·(n + 1) for each layer of [1, 3, 1], or torch_parameters(model).")
    if not loss < line_loss:
        raise hint(f"your MLP ({loss:.3f}) does not beat the line ({line_loss:.3f}): train it for as many steps "
                   "as the big one, with Adam at lr = 0.01, and give the final loss.")
    raise right("three tanh neurons are enough to bend the curve, so 10 parameters beat the line's 2; the "
                "1153-parameter MLP still fits the bumps that 3 neurons cannot.")
