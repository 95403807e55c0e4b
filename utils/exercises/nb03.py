"""Checks for notebook 03 (backpropagation). The engine's ``Value`` class is the notebook's own:
checks that run the learner's engine code take it as ``Value=Value``."""

from __future__ import annotations

import math

from utils.exercises import exercise
from utils.exercises.base import Derived, call, close, hint, number, numbers, right

INTRODUCED_IN = "03"

# The widget's neuron: L = (tanh(w1 x1 + w2 x2 + b) - y)^2.
X1, X2, W1, W2, B, Y = 1.0, -0.5, 0.8, -1.2, 0.3, -0.5
A = math.tanh(W1 * X1 + W2 * X2 + B)


@exercise("03.1", wrong=[(A - Y) * (1 - A**2) * X1, 2 * (Y - A) * (1 - A**2) * X1, 2 * (A - Y) * X1,
                         2 * (A - Y) * (1 - A**2) * X2])
def gradient_by_hand(answer):
    value = number(answer, "the number dL/dw1")
    exact = 2 * (A - Y) * (1 - A**2) * X1
    if close(value, exact, rel=1e-3):
        raise right("dL/da · da/dz · dz/dw1 = 2(a − y) · (1 − a²) · x1: three local derivatives multiplied "
                    "along the one path from w1 to L.")
    if close(value, exact / 2, rel=1e-3):
        raise hint("the derivative of (a − y)² is 2(a − y): a factor 2 is missing.")
    if close(value, -exact, rel=1e-3):
        raise hint("wrong sign: the derivative of (a − y)² with respect to a is 2(a − y), not 2(y − a).")
    if close(value, 2 * (A - Y) * X1, rel=1e-3):
        raise hint("you skipped tanh: its local derivative 1 − tanh(z)² sits between a and z on the path.")
    if close(value, 2 * (A - Y) * (1 - A**2) * X2, rel=1e-3):
        raise hint("the last factor dz/dw1 is the input that w1 multiplies: x1.")
    raise hint("compute z = w1·x1 + w2·x2 + b and a = tanh(z) first, then multiply 2(a − y), 1 − a² and x1.")


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
        raise hint(f"sigmoid must return a new Value (got {type(out).__name__}).")
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
            raise hint(f"the forward value at z = {z} is {data:.4g}, expected σ(z) = 1 / (1 + e^(−z)).")
        if close(grad, -s * (1 - s), rel=1e-6) and z != 0:
            raise hint("wrong sign in the backward pass: σ'(z) = σ(z)(1 − σ(z)) is positive.")
        if close(grad, s, rel=1e-6):
            raise hint("the backward pass passes σ(z) on; the local derivative is σ(z)(1 − σ(z)).")
        if not close(grad, s * (1 - s), rel=1e-6):
            raise hint(f"gradient at z = {z} is {grad:.4g}, expected σ(z)(1 − σ(z)) × out.grad.")
    _, grad = engine_grad(answer, Value, 0.5, twice=True)
    s = 1 / (1 + math.exp(-0.5))
    if not close(grad, 2 * s * (1 - s), rel=1e-6):
        raise hint("with v used twice (sigmoid(v) + sigmoid(v)) the gradient is only counted once: "
                   "use v.grad += ..., not v.grad = ... (gradients accumulate over paths).")
    raise right("forward σ(z), backward σ(z)(1 − σ(z)) × out.grad, accumulated with +=: it agrees at 4 points "
                "and when v is used twice.")


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
        raise hint(f"fixed_mul must return a new Value (got {type(out).__name__}).")
    if not close(out.data, -6.0):
        raise hint(f"the forward value of 2 × (−3) came out as {out.data}.")
    out.backward()
    if not close(a.grad, -3.0):
        raise hint(f"d(a·b)/da should be b = −3, your engine says {a.grad}.")
    if not close(b.grad, 2.0):
        raise hint(f"d(a·b)/db: your engine says {b.grad}; nudge b and see. Which value multiplies out.grad?")
    c = Value(3.0)
    square = call(answer, c, c)
    square.backward()
    if not close(c.grad, 6.0):
        raise hint(f"fixed_mul(c, c) gives dc = {c.grad}, expected 2c = 6: the two paths must add up (+=).")
    raise right("d(a·b)/da = b and d(a·b)/db = a: the bug passed b to both. A gradient check (nudge) finds "
                "such bugs in seconds; that is why section 6 compares before it trusts.")


@exercise("03.4", wrong=[[1e-2, 1e-6, 1e-12, 1e-18, 1e-24], [1e-2, 1e-6, 1e-10], [0, 0, 0, 0, 0]])
def nudge_step(answer):
    errors = numbers(answer, 5, "the nudging error for h = 1e-1, 1e-3, 1e-6, 1e-9 and 1e-12")
    if any(e < 0 for e in errors):
        raise hint("give the size of each error: abs(nudged − exact).")
    if min(errors) == 0:
        raise hint("an error of exactly 0 is suspicious: compare nudge(f, [x0], h)[0] with the exact derivative.")
    best = errors.index(min(errors))
    if best in (0, 4) or errors[0] < 1e3 * min(errors) or errors[4] < 10 * min(errors):
        raise hint("the error should be large at h = 0.1 (the slope changes over the step) and grow again at "
                   "h = 1e-12. Did you use float numbers, nudge's central difference and abs(nudged − exact)?")
    raise right("too large an h measures the average slope over a wide step; too small an h divides the "
                "rounding error of f (about 1e-16 × |f|) by a tiny h. The best h lies in between.")
