"""Checks for notebook 03 (backpropagation). The engine's ``Value`` class is the notebook's own:
checks that run the learner's engine code take it as ``Value=Value``."""

from __future__ import annotations

import math

from utils.exercises import exercise
from utils.exercises.base import Derived, call, close, hint, number, numbers, right
from utils.i18n import t

INTRODUCED_IN = "03"

# The widget's neuron: L = (tanh(w1 x1 + w2 x2 + b) - y)^2.
X1, X2, W1, W2, B, Y = 1.0, -0.5, 0.8, -1.2, 0.3, -0.5
A = math.tanh(W1 * X1 + W2 * X2 + B)


@exercise("03.1", wrong=[(A - Y) * (1 - A**2) * X1, 2 * (Y - A) * (1 - A**2) * X1, 2 * (A - Y) * X1,
                         2 * (A - Y) * (1 - A**2) * X2])
def gradient_by_hand(answer):
    value = number(answer, t("exercises.nb03.what_gradient"))
    exact = 2 * (A - Y) * (1 - A**2) * X1
    if close(value, exact, rel=1e-3):
        raise right(t("exercises.nb03.gradient_right"))
    if close(value, exact / 2, rel=1e-3):
        raise hint(t("exercises.nb03.gradient_half"))
    if close(value, -exact, rel=1e-3):
        raise hint(t("exercises.nb03.gradient_sign"))
    if close(value, 2 * (A - Y) * X1, rel=1e-3):
        raise hint(t("exercises.nb03.gradient_no_tanh"))
    if close(value, 2 * (A - Y) * (1 - A**2) * X2, rel=1e-3):
        raise hint(t("exercises.nb03.gradient_x2"))
    raise hint(t("exercises.nb03.gradient_how"))


def sigmoid_variant(Value, mistake: str):
    """A sigmoid for the engine with one of the common mistakes (for the tests' wrong answers)."""
    def sigmoid(v):
        s = 1 / (1 + math.exp(-v.data))
        out = Value(s, (v,), "sigmoid")

        def _backward():
            local = {"no derivative": s, "wrong sign": -s * (1 - s)}.get(mistake, s * (1 - s))
            if mistake == "no accumulate":
                v.grad = local * out.grad
            else:
                v.grad += local * out.grad
        out._backward = _backward
        return out
    return sigmoid


def engine_grad(sigmoid, Value, z: float, twice: bool = False) -> tuple[float, float]:
    v = Value(z)
    out = call(sigmoid, v)
    if not isinstance(out, Value):
        raise hint(t("exercises.nb03.sigmoid_not_value", kind=type(out).__name__))
    if twice:
        out = out + call(sigmoid, v)
    out.backward()
    return out.data, v.grad


@exercise("03.2", wrong=[Derived(lambda Value, m=m: sigmoid_variant(Value, m))
                         for m in ("no derivative", "wrong sign", "no accumulate")], context=("Value",))
def engine_sigmoid(answer, Value):
    for z in (-3.0, -0.2, 0.0, 1.7):
        s = 1 / (1 + math.exp(-z))
        data, grad = engine_grad(answer, Value, z)
        if not close(data, s, rel=1e-9):
            raise hint(t("exercises.nb03.sigmoid_forward", z=z, data=data))
        if close(grad, -s * (1 - s), rel=1e-6) and z != 0:
            raise hint(t("exercises.nb03.sigmoid_sign"))
        if close(grad, s, rel=1e-6):
            raise hint(t("exercises.nb03.sigmoid_passes_value"))
        if not close(grad, s * (1 - s), rel=1e-6):
            raise hint(t("exercises.nb03.sigmoid_gradient", z=z, grad=grad))
    _, grad = engine_grad(answer, Value, 0.5, twice=True)
    s = 1 / (1 + math.exp(-0.5))
    if not close(grad, 2 * s * (1 - s), rel=1e-6):
        raise hint(t("exercises.nb03.sigmoid_twice"))
    raise right(t("exercises.nb03.sigmoid_right"))


def mystery_mul_for(Value):
    def mystery_mul(a, b):
        out = Value(a.data * b.data, (a, b), "×")

        def _backward():
            a.grad += b.data * out.grad
            b.grad += b.data * out.grad
        out._backward = _backward
        return out
    return mystery_mul


def assigning_mul_for(Value):
    def fixed_but_assigns(a, b):
        out = Value(a.data * b.data, (a, b), "×")

        def _backward():
            a.grad = b.data * out.grad
            b.grad = a.data * out.grad
        out._backward = _backward
        return out
    return fixed_but_assigns


@exercise("03.3", wrong=[Derived(mystery_mul_for), Derived(assigning_mul_for)], context=("Value",))
def fixed_multiplication(answer, Value):
    a, b = Value(2.0), Value(-3.0)
    out = call(answer, a, b)
    if not isinstance(out, Value):
        raise hint(t("exercises.nb03.mul_not_value", kind=type(out).__name__))
    if not close(out.data, -6.0):
        raise hint(t("exercises.nb03.mul_forward", data=out.data))
    out.backward()
    if not close(a.grad, -3.0):
        raise hint(t("exercises.nb03.mul_grad_a", grad=a.grad))
    if not close(b.grad, 2.0):
        raise hint(t("exercises.nb03.mul_grad_b", grad=b.grad))
    c = Value(3.0)
    square = call(answer, c, c)
    square.backward()
    if not close(c.grad, 6.0):
        raise hint(t("exercises.nb03.mul_twice", grad=c.grad))
    raise right(t("exercises.nb03.mul_right"))


@exercise("03.4", wrong=[[1e-2, 1e-6, 1e-12, 1e-18, 1e-24], [1e-2, 1e-6, 1e-10], [0, 0, 0, 0, 0]])
def nudge_step(answer):
    errors = numbers(answer, 5, t("exercises.nb03.what_nudge_errors"))
    if any(e < 0 for e in errors):
        raise hint(t("exercises.nb03.nudge_negative"))
    if min(errors) == 0:
        raise hint(t("exercises.nb03.nudge_zero"))
    best = errors.index(min(errors))
    if best in (0, 4) or errors[0] < 1e3 * min(errors) or errors[4] < 10 * min(errors):
        raise hint(t("exercises.nb03.nudge_shape"))
    raise right(t("exercises.nb03.nudge_right"))
