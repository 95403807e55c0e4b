"""Reference solutions for notebook 03 (backpropagation). Try the exercises first.

Each function returns the answer its exercise's check expects; parameters are named after the
notebook's own objects. `make solutions NB=03` shows the notebook with these filled in.
"""

import math


def solve_03_1():
    x1, x2, w1, w2, b, y = 1.0, -0.5, 0.8, -1.2, 0.3, -0.5
    a = math.tanh(w1 * x1 + w2 * x2 + b)
    # dL/da · da/dz · dz/dw1
    return 2 * (a - y) * (1 - a**2) * x1


def solve_03_2(Value):
    def sigmoid(v):
        s = 1 / (1 + math.exp(-v.data))
        out = Value(s, (v,), "sigmoid")

        def _backward():
            v.grad += s * (1 - s) * out.grad   # σ' = σ(1 − σ), from the value the forward pass computed
        out._backward = _backward
        return out
    return sigmoid


def solve_03_3(Value):
    # nudge(lambda a, b: a * b, [2.0, -3.0]) shows b's gradient is wrong: d(a·b)/db = a, not b.
    def fixed_mul(a, b):
        out = Value(a.data * b.data, (a, b), "×")

        def _backward():
            a.grad += b.data * out.grad
            b.grad += a.data * out.grad
        out._backward = _backward
        return out
    return fixed_mul


def solve_03_4(nudge):
    def f(x):
        return x**3
    exact = 3.0  # f'(1) = 3
    return [abs(nudge(f, [1.0], h)[0] - exact) for h in (1e-1, 1e-3, 1e-6, 1e-9, 1e-12)]
