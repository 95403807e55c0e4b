"""Checks for notebook 02 (regression and gradient descent)."""

from __future__ import annotations

import numpy as np

from utils.exercises import exercise
from utils.exercises.base import Derived, close, hint, number, numbers, right
from utils.i18n import t

INTRODUCED_IN = "02"


def curvature(x: np.ndarray) -> float:
    """λ_max of the MSE's Hessian (2/n)·X̃ᵀX̃ for a line fit (X̃ = [x, 1])."""
    with_ones = np.stack([np.asarray(x, dtype=float), np.ones(len(x))], axis=1)
    return float(np.linalg.eigvalsh(2 / len(x) * with_ones.T @ with_ones).max())


@exercise("02.1", wrong=[Derived(lambda x: 1 / curvature(x)), Derived(lambda x: curvature(x)), 0.3],
          context=("x",))
def edge_of_stability(answer, x):
    edge = 2 / curvature(x)
    value = number(answer, t("exercises.nb02.what_learning_rate"))
    if close(value, edge, rel=0.02):
        raise right(t("exercises.nb02.edge_right", edge=edge))
    if close(value, 1 / curvature(x), rel=0.02):
        raise hint(t("exercises.nb02.edge_one_over"))
    if close(value, curvature(x), rel=0.02):
        raise hint(t("exercises.nb02.edge_lambda"))
    if value < edge:
        raise hint(t("exercises.nb02.edge_converges"))
    raise hint(t("exercises.nb02.edge_grows"))


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
    value = number(answer, t("exercises.nb02.what_cubic"))
    if close(value, cubic_loss(distance_km, price_m2), rel=1e-3):
        raise right(t("exercises.nb02.cubic_right"))
    if close(value, line_loss(distance_km, price_m2), rel=1e-3):
        raise hint(t("exercises.nb02.cubic_is_line"))
    if close(value, cubic_loss(distance_km, price_m2, bias=False), rel=1e-3):
        raise hint(t("exercises.nb02.cubic_no_bias"))
    raise hint(t("exercises.nb02.cubic_how"))


@exercise("02.3", wrong=[(7, 0.1), (13, 0.1), Derived(lambda line_loss: (10, 1.5 * line_loss))],
          context=("line_loss",))
def narrow_mlp(answer, line_loss):
    parameters, loss = numbers(answer, 2, t("exercises.nb02.what_mlp"))
    if parameters == 7:
        raise hint(t("exercises.nb02.mlp_seven"))
    if parameters != 10:
        raise hint(t("exercises.nb02.mlp_formula"))
    if not loss < line_loss:
        raise hint(t("exercises.nb02.mlp_no_better", loss=loss, line_loss=line_loss))
    raise right(t("exercises.nb02.mlp_right"))
