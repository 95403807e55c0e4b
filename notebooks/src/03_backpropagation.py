# %% [markdown]
# # 03 · Backpropagation: how a network learns
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/03_backpropagation.ipynb)
#
# **What you will learn**
# - how any calculation, a network's included, is a **computational graph** of small steps;
# - what a derivative means in practice: how much the output moves when you nudge one input,
#   measured first by nudging, then by rules;
# - the **chain rule**: multiply local effects along a path, add over paths;
# - a working **autograd engine** in about 90 lines, checked against nudging and against PyTorch;
# - a small network trained with it: XOR from notebook 01 and a two-moons classification;
# - the same backward pass with matrices, and why frameworks work on tensors;
# - why very deep networks are hard to train: gradients that shrink layer by layer.
#
# **Time:** about 75 minutes. **Needs:** notebooks 01–02 (neurons, loss, gradient descent).

# %%
# Setup (the same cell in every notebook): on Colab it first installs the course's `utils` package.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "nn-course @ git+https://github.com/nn-course/nn-course"], check=True)
import utils

utils.setup()

# %% [markdown]
# ## 1. A computation is a graph
#
# In notebook 02 we trained a line with gradient descent, and from then on PyTorch's
# `loss.backward()` computed the gradients for us. This notebook opens that box.
#
# Take the smallest model with a loss: one weight $w$, one bias $b$, one example $(x, y)$ and the
# squared error
#
# $$ L = (w x + b - y)^2 . $$
#
# A computer evaluates it in small steps, each using the results of earlier ones:
# $u = w\cdot x$, then $z = u + b$, then $d = z - y$, then $L = d^2$. Drawn as boxes and arrows
# this is a **computational graph**: inputs on the left, the loss on the right, each box one
# operation. With $w = 1.5$, $x = 2$, $b = 0.5$, $y = 2$ the values flow left to right
# (the **forward pass**) and the loss is $L = 2.25$.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask: "which input would you change to lower L fastest?" Keep the answers; section 2 measures it.

# %%
from utils.widgets.backprop import show_graph, square_loss_graph

w, x, b, y = 1.5, 2.0, 0.5, 2.0
graph = square_loss_graph(w, x, b, y)
show_graph(graph, show_grad=False, title="L = (w·x + b − y)²: the forward pass, left to right")

# %% [markdown]
# **Check.** The graph's last box holds the same number as the formula.

# %%
def loss_fn(w, x, b, y):
    return (w * x + b - y) ** 2


print("L =", loss_fn(w, x, b, y), "  graph:", graph.data)
assert loss_fn(w, x, b, y) == graph.data == 2.25

# %% [markdown]
# ## 2. Nudge an input, watch the output
#
# How much does $L$ depend on $w$? Nudge $w$ by a tiny $h$ and see how far $L$ moves:
#
# $$ \frac{\partial L}{\partial w} \approx \frac{L(w + h) - L(w - h)}{2h}. $$
#
# That ratio is the **derivative** (a *partial* derivative, $\partial$, because the other inputs
# stay fixed): how many units $L$ moves per unit of $w$, for small moves. Nudging both ways
# ($\pm h$, a *central difference*) is more accurate than nudging one way. We do it for every input.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the class first: if $w$ goes up a little, does $L$ go up or down, and by about how much? Then let the nudge answer. The point to land: a derivative is a measured rate, no rules needed yet.

# %%
def nudge(f, inputs, h=1e-6):
    """Central-difference estimate of df/d(input) for every input (a list of floats)."""
    slopes = []
    for i in range(len(inputs)):
        up, down = list(inputs), list(inputs)
        up[i] += h
        down[i] -= h
        slopes.append((f(*up) - f(*down)) / (2 * h))
    return slopes


nudged = dict(zip("wxby", nudge(loss_fn, [w, x, b, y])))
for name, slope in nudged.items():
    print(f"dL/d{name} ≈ {slope:+.6f}")
print(f"w + 0.001 moves L from {loss_fn(w, x, b, y)} to {loss_fn(w + 0.001, x, b, y):.6f}")

# %% [markdown]
# $L$ is most sensitive to $w$: a nudge of 0.001 in $w$ raises $L$ by about 0.006, six times the
# nudge. Raising $y$ *lowers* $L$ (a negative derivative). Gradient descent (notebook 02) moves
# every parameter against its derivative.
#
# **Check.** The nudges agree with the numbers just quoted.

# %%
assert abs(nudged["w"] - 6.0) < 1e-6 and abs(nudged["x"] - 4.5) < 1e-6
assert abs(nudged["b"] - 3.0) < 1e-6 and abs(nudged["y"] + 3.0) < 1e-6
assert abs((loss_fn(w + 0.001, x, b, y) - loss_fn(w, x, b, y)) - 0.006) < 1e-5
assert max(nudged, key=lambda k: abs(nudged[k])) == "w"

# %% [markdown]
# Nudging works for anything, but it costs two evaluations *per input*. A network with a million
# weights would need two million forward passes for one gradient. Backpropagation gets all of
# them for the price of about one extra pass. It needs two ideas: local derivatives and the chain rule.
#
# ## 3. Local derivatives: each box on its own
#
# Each box does one simple thing, and we know how its output moves with each of its inputs:
#
# | box | output | moves with its first input by | with its second by |
# |---|---|---|---|
# | multiply | $u = w \cdot x$ | $\partial u/\partial w = x = 2$ | $\partial u/\partial x = w = 1.5$ |
# | add | $z = u + b$ | $1$ | $1$ |
# | subtract | $d = z - y$ | $1$ | $-1$ |
# | square | $L = d^2$ | $2d = 3$ | |
#
# These are the school rules $(a\cdot b)' = b$, $(a + b)' = 1$, $(d^2)' = 2d$, evaluated at the
# values the forward pass left in the boxes. We check each one by nudging that box alone.

# %% [markdown] slideshow={"slide_type": "notes"}
# The point to land: a box only needs its own inputs to know its local derivative. Nothing global.

# %%
u, z, d = w * x, w * x + b, w * x + b - y
local = {
    "du/dw": (nudge(lambda w_: w_ * x, [w])[0], x),
    "du/dx": (nudge(lambda x_: w * x_, [x])[0], w),
    "dz/du": (nudge(lambda u_: u_ + b, [u])[0], 1.0),
    "dd/dy": (nudge(lambda y_: z - y_, [y])[0], -1.0),
    "dL/dd": (nudge(lambda d_: d_**2, [d])[0], 2 * d),
}
for name, (measured, rule) in local.items():
    print(f"{name}: nudged {measured:+.6f}   rule {rule:+.6f}")
    assert abs(measured - rule) < 1e-6, name

# %% [markdown]
# ## 4. The chain rule: multiply along a path, add over paths
#
# A nudge of $w$ travels to $L$ through the chain $w \to u \to z \to d \to L$. Each box scales
# the nudge by its local derivative, so the effects **multiply**:
#
# $$ \frac{\partial L}{\partial w} = \frac{\partial L}{\partial d}\cdot\frac{\partial d}{\partial z}\cdot
#    \frac{\partial z}{\partial u}\cdot\frac{\partial u}{\partial w} = 3 \cdot 1 \cdot 1 \cdot 2 = 6, $$
#
# exactly what nudging measured. Computing from the loss backwards, each product shares its
# first factors with the others: $\partial L/\partial z = 3$ is computed once and reused for
# $w$, $x$ and $b$. That reuse, from the output back to the inputs, is **backpropagation**.
#
# When a value is used **twice**, a nudge reaches the output along two paths, and the effects
# **add**. In $f = a\cdot b + a$ the input $a$ feeds the product (local derivative $b$) and the
# sum (local derivative 1), so $\partial f/\partial a = b + 1$. With $a = 3$, $b = -2$ that is $-1$.

# %% [markdown]
# ![The graph of L = (w·x + b − y)² with w = 1.5, x = 2, b = 0.5, y = 2: values flow forward to L = 2.25; dashed arrows carry the gradient back, each labelled with the local derivative it multiplies by, giving ∂L/∂w = 6, ∂L/∂x = 4.5, ∂L/∂b = 3 and ∂L/∂y = −3](../images/backprop_chain_rule.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask for dL/db before running the cell (3·1·1 = 3). Then: why does the two-path example need a "+"?

# %%
from utils.widgets.backprop import add, backward, leaf, mul

dL_dd, dd_dz, dz_du, du_dw = 2 * d, 1.0, 1.0, x
chain = {"w": dL_dd * dd_dz * dz_du * du_dw, "x": dL_dd * dd_dz * dz_du * w, "b": dL_dd * dd_dz * 1.0,
         "y": dL_dd * -1.0}
print("chain rule:", chain)
print("nudging:   ", {k: round(v, 6) for k, v in nudged.items()})
for name in "wxby":
    assert abs(chain[name] - nudged[name]) < 1e-6, name

a_node, b_node = leaf(3.0, "a"), leaf(-2.0, "b")
f_node = add(mul(a_node, b_node, "a·b"), a_node, "f = a·b + a")
backward(f_node)
two_paths = nudge(lambda a_, b_: a_ * b_ + a_, [3.0, -2.0])[0]
print(f"df/da: nudged {two_paths:+.6f}, sum over the two paths b + 1 = {b_node.data + 1:+.1f}")
assert abs(two_paths - (-1.0)) < 1e-6 and a_node.grad == -1.0
show_graph(f_node, title="a is used twice: its gradient is the sum of what arrives along both arrows",
           width_px=620, height_px=230)

# %% [markdown]
# ## 5. A tiny autograd engine
#
# Now we automate it, the way PyTorch does. A `Value` holds a number (`data`), remembers which
# values it was computed from (`_children`), and knows how to pass a gradient back to them
# (`_backward`). Each operation does two things: the forward computation, and a little function
# that applies the chain rule to its own local derivatives:
#
# $$ \text{child.grad} \mathrel{+}= \frac{\partial\,\text{out}}{\partial\,\text{child}} \cdot \text{out.grad}. $$
#
# `backward()` sorts the graph so that every value comes after everything it was computed from
# (a **topological order**), sets $\partial L/\partial L = 1$, and calls each `_backward` from
# the loss back to the inputs. By the time a value passes its gradient on, every value that
# used it has already sent its share.

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the `__mul__` and `backward` methods aloud; the rest is the same pattern. Ask why the sort is needed.

# %%
import math


class Value:
    """A scalar that remembers how it was computed, so it can send gradients back."""

    def __init__(self, data, children=(), op="", label=""):
        self.data = float(data)
        self.grad = 0.0                    # dL/d(this value), filled by backward()
        self._children = tuple(children)   # the values this one was computed from
        self._op = op
        self.label = label
        self._backward = lambda: None      # passes self.grad on to the children

    def __repr__(self):
        return f"Value({self.label + ' = ' if self.label else ''}{self.data:.4g}, grad={self.grad:.4g})"

    # Each operation: the forward value, and how to send the gradient back (chain rule).
    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad          # local derivative 1; += because a value may be used twice
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "×")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, exponent):
        assert isinstance(exponent, (int, float)), "only constant exponents"
        out = Value(self.data**exponent, (self,), f"**{exponent}")

        def _backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad   # (e^a)' = e^a
        out._backward = _backward
        return out

    def log(self):
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data  # (ln a)' = 1/a
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t * t) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(max(self.data, 0.0), (self,), "relu")

        def _backward():
            self.grad += (self.data > 0) * out.grad
        out._backward = _backward
        return out

    # Everything else is built from the operations above.
    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return self**-1 * other

    def backward(self):
        """Fill .grad of every value this one depends on (they accumulate, as in PyTorch)."""
        order, seen = [], set()

        def visit(value):                  # depth first: a value goes in after its children
            if value not in seen:
                seen.add(value)
                for child in value._children:
                    visit(child)
                order.append(value)
        visit(self)
        self.grad = 1.0                    # dL/dL
        for value in reversed(order):
            value._backward()

# %% [markdown]
# The whole engine is the cell above. We rebuild $L = (wx + b - y)^2$ from `Value`s, call
# `backward()`, and draw the engine's own graph with the same function as in section 1: now
# every box also shows its gradient, and the arrows are thicker where more gradient flows.

# %%
w_v, x_v, b_v, y_v = Value(w, label="w"), Value(x, label="x"), Value(b, label="b"), Value(y, label="y")
L_v = (w_v * x_v + b_v - y_v) ** 2
L_v.label = "L"
L_v.backward()
print(w_v, x_v, b_v, y_v, L_v, sep="\n")
show_graph(L_v, title="The engine's graph after L.backward(): value and gradient in every box")

# %% [markdown]
# (The engine writes $b - y$ as $b + (-1)\cdot y$, so its graph has a few more boxes than our
# drawing in section 1; the gradients of $w, x, b, y$ are the same.)
#
# **Check.** The engine's gradients equal the chain-rule numbers of section 4: 6, 4.5, 3 and −3.

# %%
assert L_v.data == 2.25
assert (w_v.grad, x_v.grad, b_v.grad, y_v.grad) == (6.0, 4.5, 3.0, -3.0)

# %% [markdown]
# ### The classic bug: `=` instead of `+=`
#
# Every `_backward` *adds* to `child.grad`. It is tempting to write `self.grad = out.grad`
# instead. That is right as long as each value is used once, and silently wrong otherwise: the
# second path **overwrites** the first instead of adding to it (section 4's sum over paths).
# Here is an `add` with that bug, on $f = a + a$, whose derivative is obviously 2.

# %%
class ForgetfulValue(Value):
    """Value with a buggy add: `=` where it must be `+=`."""

    def __add__(self, other):
        other = other if isinstance(other, Value) else ForgetfulValue(other)
        out = ForgetfulValue(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad = out.grad           # BUG: overwrites what the other path sent
            other.grad = out.grad
        out._backward = _backward
        return out


for cls in (ForgetfulValue, Value):
    a_v = cls(3.0)
    f_v = a_v + a_v
    f_v.backward()
    print(f"{cls.__name__:>14}: f = a + a, df/da = {a_v.grad}")

# %% [markdown]
# **Check.** The buggy version gives 1, the real one 2. In a network every weight is used once
# per training example, so this bug would keep only the last example's gradient.

# %%
a_bad, a_good = ForgetfulValue(3.0), Value(3.0)
(a_bad + a_bad).backward()
(a_good + a_good).backward()
assert a_bad.grad == 1.0 and a_good.grad == 2.0 == nudge(lambda a_: a_ + a_, [3.0])[0].__round__(6)

# %% [markdown]
# ## 6. Compare, don't trust
#
# An autograd engine is easy to get almost right. So we check it two independent ways on the
# same expressions: against **nudging** (finite differences) and against **PyTorch's autograd**,
# both in double precision (`float64`), to within $10^{-6}$. First a neuron-like expression that
# uses every operation, then a batch of **random** expressions, which find bugs that
# hand-picked examples miss.

# %% [markdown] slideshow={"slide_type": "notes"}
# The habit to land: never trust a gradient you have not compared with something independent.

# %%
import numpy as np
import torch

from utils import assert_close


def everything(p, q, r, lib):
    """Uses + − × / ** exp log tanh relu; `lib` says how to call the named functions."""
    s = lib.tanh(p * q + r) + (p - r) ** 2 / (q * q + 1)
    return lib.log(lib.exp(s) + 1) * lib.relu(q + 2) - p / 3


class EngineOps:
    tanh, exp, log, relu = Value.tanh, Value.exp, Value.log, Value.relu


class TorchOps:
    tanh, exp, log, relu = torch.tanh, torch.exp, torch.log, torch.relu


def engine_gradients(f, inputs):
    values = [Value(v) for v in inputs]
    out = f(*values, EngineOps)
    out.backward()
    return out.data, [v.grad for v in values]


def torch_gradients(f, inputs):
    tensors = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in inputs]
    out = f(*tensors, TorchOps)
    out.backward()
    return out.item(), [0.0 if t.grad is None else t.grad.item() for t in tensors]  # None: input unused


point = [0.7, -0.4, 1.3]
value, grads = engine_gradients(everything, point)
torch_value, torch_grads = torch_gradients(everything, point)
nudged_grads = nudge(lambda *args: everything(*map(Value, args), EngineOps).data, point)
print(f"value: engine {value:.10f}  torch {torch_value:.10f}")
assert_close("engine vs torch", grads, torch_grads, atol=1e-6, rtol=0)
assert_close("engine vs nudging", grads, nudged_grads, atol=1e-6, rtol=0);

# %% [markdown]
# Now random expressions: each is a random recipe of 12 operations on 3 inputs (an operation may
# reuse any earlier result, so values get used twice and paths branch). `exp` and `log` are
# applied to safe arguments ($e^{\tanh a}$, $\ln(a^2 + 1)$) so no value overflows.

# %%
OPERATIONS = ("add", "sub", "mul", "square", "cube", "exp", "log", "tanh", "relu")


def random_recipe(rng, n_inputs=3, steps=12):
    return [(rng.choice(OPERATIONS), int(rng.integers(n_inputs + i)), int(rng.integers(n_inputs + i)))
            for i in range(steps)]


def apply(op, a, b, lib):
    if op in ("add", "sub", "mul"):
        return a + b if op == "add" else a - b if op == "sub" else a * b
    if op in ("square", "cube"):
        return a**2 if op == "square" else a**3
    if op == "exp":
        return lib.exp(lib.tanh(a))
    if op == "log":
        return lib.log(a * a + 1)
    return lib.tanh(a) if op == "tanh" else lib.relu(a)


def run_recipe(recipe, inputs, lib):
    values = list(inputs)
    for op, i, j in recipe:
        values.append(apply(op, values[i], values[j], lib))
    return sum(values[len(inputs):], values[0] * 0)  # every intermediate counts, so all of them are checked


def as_function(recipe):
    """f(*inputs, lib) for engine_gradients / torch_gradients."""
    return lambda *args: run_recipe(recipe, args[:-1], args[-1])


rng = np.random.default_rng(0)
worst_torch = worst_nudge = 0.0
n_expressions = utils.fast(200, 40)
for _ in range(n_expressions):
    recipe = random_recipe(rng)
    inputs = rng.uniform(-1.5, 1.5, size=3).tolist()
    f = as_function(recipe)
    _, grads = engine_gradients(f, inputs)
    _, torch_grads = torch_gradients(f, inputs)
    nudged_grads = nudge(lambda *args, f=f: f(*map(Value, args), EngineOps).data, inputs)
    scale = max(1.0, max(abs(g) for g in torch_grads))
    worst_torch = max(worst_torch, max(abs(g - t) for g, t in zip(grads, torch_grads)) / scale)
    worst_nudge = max(worst_nudge, max(abs(g - n) for g, n in zip(grads, nudged_grads)) / scale)
print(f"{n_expressions} random expressions: largest difference from torch {worst_torch:.1e}, "
      f"from nudging {worst_nudge:.1e} (relative to the largest gradient)")

# %% [markdown]
# **Check.** Every gradient of every random expression agrees with both references to $10^{-6}$.

# %%
assert worst_torch < 1e-6 and worst_nudge < 1e-6

# %% [markdown]
# ## 7. Try it: backpropagation node by node
#
# The widget shows the graph of one neuron with a squared loss,
# $L = (\tanh(w_1 x_1 + w_2 x_2 + b) - y)^2$.
#
# 1. Move a slider: the forward values change at once; the gradients turn to "?" because they
#    belong to the old values.
# 2. Press **next node ▸** repeatedly: gradients appear one box at a time, from $L$ back to the
#    inputs, in reverse topological order. The line below the picture shows the arithmetic:
#    local derivative × the gradient of the box that used it. **backward** fills all at once.
# 3. Press **take a step** a few times: $w_1, w_2, b$ move against their gradients
#    ($w \leftarrow w - \eta\,\partial L/\partial w$) and the loss curve on the right falls. Try a
#    learning rate near 1.
#
# Look at which arrows are thick: when $\tanh$ saturates ($|z|$ large), its local derivative
# $1 - a^2$ is tiny and almost no gradient gets through. Section 10 returns to this.

# %% [markdown] slideshow={"slide_type": "notes"}
# Live demo: set w1 = 3 so tanh saturates, press backward, and show the thin arrows left of tanh.

# %%
from utils.widgets import BackpropView

view = BackpropView()
view

# %% [markdown]
# **Check.** The widget's gradients are the ones our engine computes for the same neuron.

# %%
s = view.state
x1_v, x2_v, w1_v, w2_v, bias_v = (Value(v) for v in (s.x1, s.x2, s.w1, s.w2, s.b))
neuron_loss = ((w1_v * x1_v + w2_v * x2_v + bias_v).tanh() - s.y) ** 2
neuron_loss.backward()
view.backward_button.click()
shown = view.gradients()
assert_close("widget vs engine", [shown[k] for k in ("w1", "w2", "b", "x1", "x2")],
             [v.grad for v in (w1_v, w2_v, bias_v, x1_v, x2_v)], atol=1e-12, rtol=0);

# %% [markdown]
# ## 8. A neuron, a layer, a network
#
# A neuron is a weighted sum and an activation (notebook 01); a layer is several neurons
# reading the same inputs; a **multi-layer perceptron** (MLP) is layers feeding each other.
# Built from `Value`s, every weight gets its gradient from one `loss.backward()`.
#
# For two classes we let the network output a score $s$ and use the **logistic loss**
# $\ln(1 + e^{-t s})$ with $t = \pm 1$: small when the score has the right sign and is large,
# large when it has the wrong sign. (It is the binary cross-entropy of $\sigma(s)$, which
# notebook 04 meets again.) The prediction is class 1 when $s > 0$.

# %% [markdown] slideshow={"slide_type": "notes"}
# Point out that Neuron/Layer/MLP contain no gradient code at all: the engine does it all.

# %%
import random


class Neuron:
    def __init__(self, n_inputs, activation="tanh"):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(n_inputs)]
        self.b = Value(0.0)
        self.activation = activation

    def __call__(self, x):
        z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return z.tanh() if self.activation == "tanh" else z

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, n_inputs, n_outputs, activation="tanh"):
        self.neurons = [Neuron(n_inputs, activation) for _ in range(n_outputs)]

    def __call__(self, x):
        return [neuron(x) for neuron in self.neurons]

    def parameters(self):
        return [p for neuron in self.neurons for p in neuron.parameters()]


class MLP:
    """Layers of tanh neurons and one linear output neuron: MLP(2, [8, 8, 1])."""

    def __init__(self, n_inputs, sizes):
        dims = [n_inputs] + sizes
        self.layers = [Layer(dims[i], dims[i + 1], "tanh" if i < len(sizes) - 1 else "linear")
                       for i in range(len(sizes))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x[0]

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0


def logistic_loss(scores, labels):
    """Mean of ln(1 + e^(-t·s)) with t = +1 for class 1 and -1 for class 0."""
    terms = [(1 + (-(2 * label - 1) * score).exp()).log() for score, label in zip(scores, labels)]
    return sum(terms) * (1 / len(terms))


def train(model, X, labels, steps, learning_rate, momentum=0.0, on_step=None):
    """Full-batch gradient descent with the engine; returns the loss at each step.

    With momentum, each step also keeps that fraction of the previous step: the same direction
    step after step adds up, which crosses flat stretches of the loss faster."""
    losses, velocity = [], [0.0] * len(model.parameters())
    for step in range(steps):
        loss = logistic_loss([model(x) for x in X.tolist()], labels.tolist())
        model.zero_grad()
        loss.backward()
        for i, p in enumerate(model.parameters()):
            velocity[i] = momentum * velocity[i] + p.grad
            p.data -= learning_rate * velocity[i]
        losses.append(loss.data)
        if on_step:
            on_step(step, model)
    return losses


def accuracy(model, X, labels):
    predictions = np.array([model(x).data > 0 for x in X.tolist()])
    return float((predictions == labels.astype(bool)).mean())

# %% [markdown]
# First the problem no single perceptron can solve: notebook 01's XOR, with 2 inputs → 4 tanh
# neurons → 1 output, $4 \cdot 3 + 1 \cdot 5 = 17$ parameters.

# %%
random.seed(0)
X_xor = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
t_xor = np.array([0, 1, 1, 0])
xor_net = MLP(2, [4, 1])
xor_losses = train(xor_net, X_xor, t_xor, steps=utils.fast(300, 300), learning_rate=0.5)
xor_accuracy = accuracy(xor_net, X_xor, t_xor)
print(f"{len(xor_net.parameters())} parameters; loss {xor_losses[0]:.3f} → {xor_losses[-1]:.4f}; "
      f"scores {[round(xor_net(x).data, 2) for x in X_xor.tolist()]}; accuracy {xor_accuracy:.0%}")

# %% [markdown]
# **Check.** All four XOR points right, and the loss fell by more than 90 %.

# %%
assert len(xor_net.parameters()) == 17
assert xor_accuracy == 1.0
utils.assert_decreased("XOR loss (engine)", xor_losses, by=0.9)

# %% [markdown]
# Now a two-dimensional problem with a curved border: **two moons**, two interleaved half
# circles with noise, generated here. A net 2 → 8 → 8 → 1 ($2 \cdot 8 + 8 + 8 \cdot 8 + 8 + 8 + 1 = 105$ parameters) trained by our
# engine, this time with **momentum** 0.9 (each step keeps 90 % of the previous one, so steady
# directions speed up). Every few steps we record the weights, to draw the decision boundary as
# it learns.

# %%
def make_moons(n, noise, rng):
    """n points (n, 2) on two interleaved half circles, and their labels 0/1 (n,)."""
    labels = np.arange(n) % 2
    angle = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    lower = np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
    points = np.where(labels[:, None] == 0, upper, lower) + rng.normal(0, noise, (n, 2))
    return (points - [0.5, 0.25]) / [1.0, 0.5], labels  # centred, roughly unit scale


random.seed(1)
X_moons, t_moons = make_moons(utils.fast(100, 50), noise=0.1, rng=np.random.default_rng(1))
X_test, t_test = make_moons(400, noise=0.1, rng=np.random.default_rng(2))
moons_net = MLP(2, [8, 8, 1])
moon_steps = utils.fast(80, 50)
snapshot_steps = sorted({0, moon_steps // 10, moon_steps // 3, moon_steps - 1})
snapshots = {}


def record(step, model):
    if step in snapshot_steps:
        snapshots[step] = [[[w.data for w in n.w] + [n.b.data] for n in layer.neurons] for layer in model.layers]


moon_losses = train(moons_net, X_moons, t_moons, steps=moon_steps, learning_rate=0.5, momentum=0.9, on_step=record)
train_accuracy = accuracy(moons_net, X_moons, t_moons)
test_accuracy = accuracy(moons_net, X_test, t_test)
print(f"{len(moons_net.parameters())} parameters, {moon_steps} steps: loss {moon_losses[0]:.3f} → "
      f"{moon_losses[-1]:.3f}; accuracy {train_accuracy:.0%} on the training points, "
      f"{test_accuracy:.1%} on 400 new points")

# %% [markdown]
# To draw a boundary we need the network's score at thousands of grid points. Running the
# scalar engine there would be slow, so `scores_on` computes the same function with NumPy
# arrays from the recorded weights (section 9 explains why that is so much faster); the check
# below makes sure both give the same scores.

# %%
import matplotlib.pyplot as plt


def scores_on(points, weights):
    """The MLP's scores at points (n, 2) from weights [layer][neuron] = [w..., b], with NumPy."""
    h = points
    for i, layer in enumerate(weights):
        W = np.array([neuron[:-1] for neuron in layer]).T      # (inputs, outputs)
        bias = np.array([neuron[-1] for neuron in layer])
        h = h @ W + bias
        if i < len(weights) - 1:
            h = np.tanh(h)
    return h[:, 0]


grid = np.linspace(-2.6, 2.6, 120)
gx, gy = np.meshgrid(grid, grid)
fig, axes = plt.subplots(1, len(snapshot_steps), figsize=(3.0 * len(snapshot_steps), 3.2), sharey=True)
for ax, step in zip(axes, snapshot_steps):
    score = scores_on(np.stack([gx.ravel(), gy.ravel()], axis=1), snapshots[step]).reshape(gx.shape)
    ax.contourf(gx, gy, score > 0, levels=[-0.5, 0.5, 1.5], colors=["#d6e6f4", "#fde5c8"])
    ax.contour(gx, gy, score, levels=[0], colors="black", linewidths=1.2)
    for label, marker, colour in ((0, "o", "#0072b2"), (1, "^", "#d55e00")):
        pts = X_moons[t_moons == label]
        ax.scatter(pts[:, 0], pts[:, 1], marker=marker, c=colour, s=18, edgecolors="white", linewidths=0.4,
                   label=f"class {label}")
    step_acc = np.mean((scores_on(X_moons, snapshots[step]) > 0) == t_moons)
    ax.set(title=f"after step {step + 1}: {step_acc:.0%} right", xlabel="$x_1$", aspect="equal")
axes[0].set_ylabel("$x_2$")
axes[0].legend(loc="lower left", fontsize=8)
fig.suptitle("Two moons: the decision boundary (black line) while our engine trains", y=1.02)
plt.show()

# %% [markdown]
# The boundary starts as a nearly straight cut and bends around the moons as training goes on.
#
# **Check.** At least 95 % of the training points and of 400 new points are right (the run
# above prints the exact numbers), the loss fell, and the NumPy scores match the engine's.

# %%
assert train_accuracy >= 0.95 and test_accuracy >= 0.95
utils.assert_decreased("moons loss (engine)", moon_losses, by=0.5)
engine_scores = [moons_net(x).data for x in X_moons.tolist()]
final_weights = [[[w.data for w in n.w] + [n.b.data] for n in layer.neurons] for layer in moons_net.layers]
assert_close("NumPy scores vs engine", scores_on(X_moons, final_weights), engine_scores, atol=1e-9, rtol=0);

# %% [markdown]
# ## 9. The same backward pass, with matrices
#
# Our engine makes one Python object per multiplication: the moons net builds tens of
# thousands of them per step. Frameworks instead treat a whole layer as one operation on
# **tensors**. For a linear layer $Y = XW + b$ on a batch ($X$: batch × inputs, $W$: inputs ×
# outputs), and $\delta = \partial L/\partial Y$ the gradient arriving from above (batch ×
# outputs), the chain rule of section 4, written for every entry at once, gives
#
# $$ \frac{\partial L}{\partial W} = X^\top \delta, \qquad
#    \frac{\partial L}{\partial b} = \textstyle\sum_{\text{batch}} \delta, \qquad
#    \frac{\partial L}{\partial X} = \delta\, W^\top . $$
#
# ($X^\top\delta$ sums, over the batch, input × gradient: the "add over paths" rule, since $W$
# is used once per example.) Through $h = \tanh(a)$ the gradient is multiplied entry by entry
# by $1 - h^2$. We write the moons net's backward pass this way and compare it with PyTorch's
# autograd and with our engine.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask why dL/db sums over the batch (b is used once per example: paths add). Shapes are the best check.

# %%
def linear_backward(X, W, delta):
    """Gradients of a linear layer Y = X W + b: X (batch, in), W (in, out), delta = dL/dY (batch, out)."""
    return X.T @ delta, delta.sum(dim=0), delta @ W.T           # dL/dW, dL/db, dL/dX


def to_tensors(weights):
    """[layer][neuron] = [w..., b] -> list of (W (in, out), b (out,)) float64 tensors."""
    return [(torch.tensor([n[:-1] for n in layer], dtype=torch.float64).T.contiguous(),
             torch.tensor([n[-1] for n in layer], dtype=torch.float64)) for layer in weights]


def forward_and_backward_by_hand(params, X, t):
    """Logistic loss of the MLP and its gradients, layer by layer, without autograd."""
    activations, h = [X], X
    for i, (W, b) in enumerate(params):
        h = h @ W + b
        if i < len(params) - 1:
            h = torch.tanh(h)
        activations.append(h)
    score, sign = h[:, 0], 2 * t - 1
    loss = torch.log1p(torch.exp(-sign * score)).mean()
    delta = (-sign * torch.sigmoid(-sign * score) / len(t))[:, None]     # dL/dscore, (batch, 1)
    grads = []
    for i in reversed(range(len(params))):
        if i < len(params) - 1:
            delta = delta * (1 - activations[i + 1] ** 2)                  # through tanh
        dW, db, delta = linear_backward(activations[i], params[i][0], delta)
        grads.insert(0, (dW, db))
    return loss, grads


X_t, t_t = torch.tensor(X_moons), torch.tensor(t_moons, dtype=torch.float64)
params = to_tensors(snapshots[snapshot_steps[1]])
hand_loss, hand_grads = forward_and_backward_by_hand(params, X_t, t_t)

# the same with autograd
leaves = [(W.clone().requires_grad_(), b.clone().requires_grad_()) for W, b in params]
h = X_t
for i, (W, b) in enumerate(leaves):
    h = h @ W + b
    h = torch.tanh(h) if i < len(leaves) - 1 else h
torch_loss = torch.nn.functional.softplus(-(2 * t_t - 1) * h[:, 0]).mean()
torch_loss.backward()

# and with our engine, from the same weights
engine_net = MLP(2, [8, 8, 1])
for layer, layer_weights in zip(engine_net.layers, snapshots[snapshot_steps[1]]):
    for neuron, numbers in zip(layer.neurons, layer_weights):
        for p, v in zip(neuron.parameters(), numbers):
            p.data = v
engine_loss = logistic_loss([engine_net(x) for x in X_moons.tolist()], t_moons.tolist())
engine_loss.backward()
engine_dW1 = torch.tensor([[w.grad for w in n.w] for n in engine_net.layers[0].neurons], dtype=torch.float64).T

assert_close("loss: by hand vs torch", hand_loss, torch_loss, atol=1e-12, rtol=0)
for i, ((dW, db), (W, b)) in enumerate(zip(hand_grads, leaves)):
    assert_close(f"layer {i + 1} dL/dW: by hand vs torch", dW, W.grad, atol=1e-10, rtol=0)
    assert_close(f"layer {i + 1} dL/db: by hand vs torch", db, b.grad, atol=1e-10, rtol=0)
assert_close("layer 1 dL/dW: engine vs by hand", engine_dW1, hand_grads[0][0], atol=1e-10, rtol=0);

# %% [markdown]
# Same numbers, three ways. Now the speed: one training step (forward and backward) of the same
# 2 → 8 → 8 → 1 net on the same points, with the scalar engine and with PyTorch tensors, both on
# one CPU thread.

# %%
import time


def median_seconds(action, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def engine_step():
    loss = logistic_loss([engine_net(x) for x in X_moons.tolist()], t_moons.tolist())
    engine_net.zero_grad()
    loss.backward()


def tensor_step():
    for W, b in leaves:
        W.grad = b.grad = None
    h = X_t
    for i, (W, b) in enumerate(leaves):
        h = h @ W + b
        h = torch.tanh(h) if i < len(leaves) - 1 else h
    torch.nn.functional.softplus(-(2 * t_t - 1) * h[:, 0]).mean().backward()


threads = torch.get_num_threads()
torch.set_num_threads(1)  # one thread each: the engine is single-threaded Python, so compare like with like
engine_seconds = median_seconds(engine_step, utils.fast(5, 3))
tensor_seconds = median_seconds(tensor_step, utils.fast(50, 20))
torch.set_num_threads(threads)
speedup = engine_seconds / tensor_seconds
print(f"one step on {len(X_moons)} points: engine {engine_seconds * 1000:.1f} ms, "
      f"tensors {tensor_seconds * 1000:.2f} ms: tensors are {speedup:.0f}× faster")

# %% [markdown]
# The exact ratio depends on the machine and its load (the line above prints this run's), but
# the tensor version is faster by orders of magnitude: one call into compiled code per layer
# instead of one Python object per multiplication. That, not different mathematics, is why
# every framework works on tensors. From notebook 04 on we use PyTorch's autograd, which does
# exactly what our engine does, on tensors.
#
# **Check.** The tensor step is faster (we assert only the direction: timings vary).

# %%
assert tensor_seconds < engine_seconds

# %% [markdown]
# ## 10. Why depth is hard
#
# Backpropagation multiplies local derivatives along a path. In a deep network a path passes
# through every layer, so a gradient reaching the first layer is a product of many factors.
# If they are mostly below 1 it **vanishes**; above 1 it **explodes**.
#
# The sigmoid $\sigma(z) = 1/(1+e^{-z})$ has slope at most $\sigma'(0) = 1/4$: every sigmoid layer
# shrinks the gradient. We build three 10-layer networks (64 neurons per layer) and measure the
# size (norm) of $\partial L/\partial W$ in each layer after one backward pass:
#
# - sigmoid with Glorot initialisation (weights with variance $2/(n_\text{in}+n_\text{out})$,
#   [Glorot & Bengio, 2010](https://proceedings.mlr.press/v9/glorot10a.html));
# - tanh with the same initialisation (slope 1 at 0);
# - ReLU with He initialisation (variance $2/n_\text{in}$,
#   [He et al., 2015](https://arxiv.org/abs/1502.01852)), which keeps the signal's size
#   through ReLUs.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask: "a product of ten numbers of about 1/4: how small?" (about 1e-6). Then show the plot.

# %%
def deep_net(activation, depth=10, width=64):
    utils.seed_everything(0)
    layers = []
    for _ in range(depth):
        linear = torch.nn.Linear(width, width)
        if activation == "relu":
            torch.nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        else:
            torch.nn.init.xavier_normal_(linear.weight)
        torch.nn.init.zeros_(linear.bias)
        layers += [linear, {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[activation]()]
    return torch.nn.Sequential(*layers, torch.nn.Linear(width, 1))


def gradient_norms_and_activations(activation, batch=256):
    net = deep_net(activation)
    inputs = torch.randn(batch, 64, generator=torch.Generator().manual_seed(1))
    targets = torch.randn(batch, 1, generator=torch.Generator().manual_seed(2))
    activations = []
    hooks = [m.register_forward_hook(lambda _m, _i, out: activations.append(out.detach()))
             for m in net if not isinstance(m, torch.nn.Linear)]
    loss = torch.nn.functional.mse_loss(net(inputs), targets)
    loss.backward()
    for hook in hooks:
        hook.remove()
    norms = [m.weight.grad.norm().item() for m in net if isinstance(m, torch.nn.Linear)][:-1]
    return np.array(norms), activations


results = {name: gradient_norms_and_activations(name) for name in ("sigmoid", "tanh", "relu")}
styles = {"sigmoid": ("#d55e00", "o"), "tanh": ("#0072b2", "s"), "relu": ("#009e73", "^")}
fig, ax = plt.subplots(figsize=(6.4, 3.6))
for name, (norms, _) in results.items():
    colour, marker = styles[name]
    ax.semilogy(range(1, 11), norms, marker=marker, color=colour, label=name)
ax.set(xlabel="layer (1 = next to the input)", ylabel="‖∂L/∂W‖ (log scale)", xticks=range(1, 11),
       title="Gradient size per layer after one backward pass, 10-layer nets")
ax.grid(alpha=0.3, which="both")
ax.legend()
plt.show()
for name, (norms, _) in results.items():
    print(f"{name:>8}: layer 1 gets {norms[0] / norms[-1]:.1e} × the gradient of layer 10")

# %% [markdown]
# In the sigmoid net the first layer receives a gradient more than a million times smaller than
# the last one: gradient descent barely moves it. Tanh and ReLU with a matching initialisation
# keep the gradient within a factor of about ten across all ten layers.
#
# The activations tell the same story. Below, a histogram of each layer's outputs over 256
# random inputs. The sigmoid layers sit around 0.5, where the slope is at most 1/4, and from
# layer 5 on the histogram breaks into spikes: each neuron gives almost the same output whatever
# the input, so what the input was fades along with the gradient. Tanh stays spread around 0;
# ReLU switches about half its units off (the bar at 0) and keeps a spread of positive values.

# %%
fig, axes = plt.subplots(3, 5, figsize=(11, 5.4), sharey="row")
for row, (name, (_, activations)) in zip(axes, results.items()):
    colour, _ = styles[name]
    for ax, layer in zip(row, (0, 2, 4, 7, 9)):
        values = activations[layer].flatten().numpy()
        ax.hist(values, bins=40, color=colour, alpha=0.85)
        ax.set_title(f"{name}, layer {layer + 1}", fontsize=9)
        ax.tick_params(labelsize=7)
    row[0].set_ylabel("count")
for ax in axes[-1]:
    ax.set_xlabel("activation value")
fig.suptitle("Activations per layer (256 random inputs)", y=1.0)
fig.tight_layout()
plt.show()

# %% [markdown]
# **Check.** Sigmoid: layer 1's gradient is more than a million times smaller than layer 10's.
# Tanh and ReLU: within a factor of 10 across layers.

# %%
sigmoid_ratio = results["sigmoid"][0][0] / results["sigmoid"][0][-1]
assert sigmoid_ratio < 1e-6
for name in ("tanh", "relu"):
    norms = results[name][0]
    assert norms.max() / norms.min() < 10, name
assert abs(float(torch.sigmoid(torch.tensor(0.0))) * (1 - float(torch.sigmoid(torch.tensor(0.0)))) - 0.25) < 1e-12

# %% [markdown]
# Good initialisation is one cure. Notebook 05 meets the same problem *in time* instead of in
# depth: a recurrent network multiplies by the same matrix at every step, and its gradients
# vanish or explode over long sequences. Residual connections and normalisation (notebook 08's
# GPT) are the other cures that let today's networks have a hundred layers.
#
# ## Recap
#
# - Any computation is a **graph** of small operations; the forward pass fills in values.
# - A derivative is "how much the output moves per unit nudge of an input"; **nudging**
#   (finite differences) measures it, at two evaluations per input.
# - The **chain rule**: multiply local derivatives along a path, add over paths.
#   **Backpropagation** applies it from the loss back, reusing each partial product, and gets
#   every gradient for about the cost of one more pass.
# - Our `Value` engine (about 90 lines) agrees with nudging and with PyTorch to $10^{-6}$, and
#   trains an MLP on XOR and two moons. Gradients must **accumulate** (`+=`).
# - With tensors the same backward pass is a few matrix products ($X^\top\delta$, $\delta W^\top$),
#   and orders of magnitude faster.
# - In deep nets the product of many slopes can **vanish** (sigmoid) unless activations and
#   initialisation are chosen to keep it near 1.
#
# **Next:** notebook 04 makes networks deeper and wider with PyTorch: a tic-tac-toe player, a
# digit recogniser and a generator of new digits.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask one student to run the chain rule aloud on $L=(wx+b-y)^2$ for $\partial L/\partial b$, and another why `+=` and not `=`.

# %% [markdown]
# ## Exercises
#
# ★ checks your understanding, ★★ changes the code, ★★★ is a small investigation. Replace each `...`,
# run the cell, then run the check below it: it says ✓ and why, or gives a hint. Reference solutions are
# in [solutions/03_backpropagation.py](solutions/03_backpropagation.py); try first.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Exercise 1 (one gradient by hand) works well on the board in pairs; leave 2–4 for homework.

# %%
from utils.exercises import check

# %% [markdown]
# **1. One gradient by hand ★.** For the widget's neuron $L = (\tanh(w_1 x_1 + w_2 x_2 + b) - y)^2$ with
# $x_1 = 1$, $x_2 = -0.5$, $w_1 = 0.8$, $w_2 = -1.2$, $b = 0.3$, $y = -0.5$, write $\partial L/\partial w_1$
# with the chain rule as a product of local derivatives and compute it with plain arithmetic (`math.tanh`).

# %%
dL_dw1 = ...  # a number

# %%
check("03.1", dL_dw1);

# %% [markdown]
# **2. Add `sigmoid` to the engine ★★.** Complete `sigmoid(v)`: it returns a new `Value` holding
# $\sigma(v) = 1/(1 + e^{-v})$, with a `_backward` that sends the gradient back to `v`. The check compares
# it with the exact derivative at a few points, and uses `v` twice.

# %%
def sigmoid(v):
    ...  # your code: build `out`, give it a _backward, return it

# %%
check("03.2", sigmoid, Value=Value);

# %% [markdown]
# **3. Find the bug ★★.** `mystery_mul` multiplies two values, but one line of its backward pass is wrong.
# Find which gradient is wrong with a gradient check (`nudge`), then write `fixed_mul`.

# %%
def mystery_mul(a, b):
    out = Value(a.data * b.data, (a, b), "×")

    def _backward():
        a.grad += b.data * out.grad
        b.grad += b.data * out.grad
    out._backward = _backward
    return out

# %%
def fixed_mul(a, b):
    ...  # your code

# %%
check("03.3", fixed_mul, Value=Value);

# %% [markdown]
# **4. How small should the nudge be? ★★★** `nudge` uses a step $h = 10^{-6}$. For $f(x) = x^3$ at
# $x = 1$ (exact slope: 3), measure the error `abs(nudge(f, [1.0], h)[0] - 3)` for
# $h = 10^{-1}, 10^{-3}, 10^{-6}, 10^{-9}, 10^{-12}$. Is a smaller step always better? Why not?

# %%
nudge_errors = ...  # [error at 1e-1, 1e-3, 1e-6, 1e-9, 1e-12]

# %%
check("03.4", nudge_errors);
