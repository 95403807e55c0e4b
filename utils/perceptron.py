"""The perceptron of notebook 01, kept here so the widget and later notebooks reuse it.

Notebook 01 writes each of these from scratch first and checks them against this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import check_range
from .i18n import t

INTRODUCED_IN = "01"

# The four corners of the unit square and the truth tables of the logic gates.
GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
GATE_TARGETS = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "NAND": np.array([1, 1, 1, 0]),
    "XOR": np.array([0, 1, 1, 0]),
}


def gate_data(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Inputs ``(4, 2)`` and targets ``(4,)`` of a logic gate: 'AND', 'OR', 'NAND' or 'XOR'."""
    key = str(name).upper()
    if key not in GATE_TARGETS:
        raise ValueError(f"unknown gate {name!r}; choose one of {sorted(GATE_TARGETS)}.")
    return GATE_INPUTS.copy(), GATE_TARGETS[key].copy()


def step(z: np.ndarray | float) -> np.ndarray:
    """The step activation: 1 where ``z >= 0``, else 0."""
    return (np.asarray(z) >= 0).astype(int)


def perceptron_output(weights: np.ndarray, bias: float, inputs: np.ndarray) -> np.ndarray:
    """Outputs (0/1) of a perceptron. ``weights: (features,)``, ``inputs: (points, features)``."""
    weights = np.asarray(weights, dtype=float)
    inputs = np.atleast_2d(np.asarray(inputs, dtype=float))
    if weights.ndim != 1 or inputs.shape[1] != weights.shape[0]:
        raise ValueError(
            f"inputs must have shape (points, {weights.shape[0] if weights.ndim == 1 else '?'}) to match "
            f"weights of shape {weights.shape}; got inputs of shape {inputs.shape}."
        )
    return step(inputs @ weights + bias)


@dataclass
class Update:
    """One application of the perceptron learning rule, with every number shown."""

    x: np.ndarray
    target: int
    z: float
    output: int
    error: int
    weights_before: np.ndarray
    bias_before: float
    weights_after: np.ndarray
    bias_after: float
    learning_rate: float

    def explain(self) -> str:
        """The arithmetic as text, e.g. for the widget's side panel."""
        w, b, x, lr = self.weights_before, self.bias_before, self.x, self.learning_rate
        terms = " + ".join(f"{wi:.2f}·{xi:g}" for wi, xi in zip(w, x))
        lines = [
            t("perceptron.explain_point", x=", ".join(f"{v:g}" for v in x), target=self.target),
            t("perceptron.explain_sum", terms=terms, b=b, z=self.z, output=self.output),
            t("perceptron.explain_error", error=self.error),
        ]
        if self.error == 0:
            lines.append(t("perceptron.explain_correct"))
        else:
            for i, (wb, wa, xi) in enumerate(zip(w, self.weights_after, x), start=1):
                lines.append(f"w{i} ← {wb:.2f} + {lr:g}·({self.error})·{xi:g} = {wa:.2f}")
            lines.append(f"b  ← {b:.2f} + {lr:g}·({self.error}) = {self.bias_after:.2f}")
        return "\n".join(lines)


def perceptron_update(
    weights: np.ndarray, bias: float, x: np.ndarray, target: int, learning_rate: float = 1.0
) -> Update:
    """One step of Rosenblatt's rule: ``w ← w + lr·(target − output)·x``, ``b ← b + lr·(target − output)``."""
    check_range(learning_rate, 1e-6, 100.0, "learning_rate")
    weights = np.asarray(weights, dtype=float).copy()
    x = np.asarray(x, dtype=float)
    if target not in (0, 1):
        raise ValueError(f"target must be 0 or 1, got {target!r}.")
    z = float(x @ weights + bias)
    output = int(z >= 0)
    error = int(target) - output
    return Update(
        x=x,
        target=int(target),
        z=z,
        output=output,
        error=error,
        weights_before=weights,
        bias_before=float(bias),
        weights_after=weights + learning_rate * error * x,
        bias_after=float(bias + learning_rate * error),
        learning_rate=float(learning_rate),
    )
