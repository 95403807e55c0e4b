# %% [markdown]
# # 02 · Regression: learning a line, then a curve, by gradient descent
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/02_regression.ipynb)
#
# **What you will learn**
# - what a **loss** is: the mean squared error (MSE) of a guessed line through apartment prices;
# - **gradient descent**: derivatives written out by hand, then computed by PyTorch's autograd,
#   reaching the same answer as the closed-form least-squares formula;
# - why the **learning rate** matters (too small crawls, too big explodes) and why inputs are **normalised**;
# - how a small **multi-layer perceptron** (MLP) fits a curve that no straight line can;
# - how to count parameters: "a model = architecture + weights", and what "393 parameters" can mean.
#
# **Time:** about 60 minutes. **Needs:** notebook 01; derivatives of $x^2$ (we recall them).

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
# ## 1. Apartment prices: the data
#
# The simplest thing a neural network does is **regression**: predict a number from other
# numbers. Our example: the price of an apartment from its area.
#
# We do not use a real market (prices depend on the city and the year). Instead we *make* data from
# a rule we know, so we can check whether learning recovers it:
#
# $$ \text{price [k€]} = 50 + 3.0 \cdot \text{area [m}^2\text{]} + \varepsilon, \qquad
#    \varepsilon \sim \mathcal{N}(0,\ 30^2), $$
#
# i.e. 3 000 € per square metre plus 50 000 €, plus noise of about ±30 000 € (the view, the floor,
# the seller's mood). Areas are between 20 and 150 m².
#
# To keep the numbers near 1, the code measures area $x$ in **hundreds of m²** and price $y$ in
# **hundreds of thousands of €**: the rule becomes $y = 0.5 + 3.0\,x + \varepsilon$ with noise
# $\sigma = 0.3$. (Section 5 shows why numbers near 1 matter.)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: why make up data from a known rule instead of using real prices? (So we can check what learning finds.)
# > Land: we rescale units so the numbers are near 1; section 5 shows why.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from utils.regression import apartment_prices

x, y = apartment_prices(n=100, seed=0)   # x: (100,) areas / 100 m², y: (100,) prices / 100 k€
print(f"{len(x)} apartments; first three: " + ", ".join(f"{a * 100:.0f} m² → {p * 100:.0f} k€" for a, p in zip(x[:3], y[:3])))

fig, ax = plt.subplots(figsize=(5.5, 3.6))
ax.scatter(x * 100, y * 100, s=14, alpha=0.7)
ax.set(xlabel="area (m²)", ylabel="price (k€)", title="100 synthetic apartments")
plt.show()

# %% [markdown]
# ## 2. Guess a line, measure how wrong it is
#
# A model for this data is a line $\hat y = w x + b$ with two **parameters**: slope $w$ (price per
# area) and intercept $b$ (base price). Guess some values and look:

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask the class for their own guess of $w$ and $b$ and compute its MSE together.
# > Land: the loss turns "how wrong" into one number; the true rule's loss is the noise, about 0.09.

# %%
def predict(w, b, x):
    return w * x + b


def mse(w, b, x, y):
    """Mean squared error of the line w·x + b on the points (x, y)."""
    return np.mean((predict(w, b, x) - y) ** 2)


guesses = {"guess A: w=2, b=1": (2.0, 1.0), "guess B: w=4, b=0": (4.0, 0.0), "guess C: w=3, b=0.5": (3.0, 0.5)}
fig, ax = plt.subplots(figsize=(5.5, 3.6))
ax.scatter(x * 100, y * 100, s=14, alpha=0.5, color="grey")
line_x = np.linspace(0.15, 1.55, 2)
for (name, (w, b)), style in zip(guesses.items(), ["-", "--", ":"]):  # a line style beside the colour
    ax.plot(line_x * 100, predict(w, b, line_x) * 100, style, lw=2, label=f"{name}: MSE {mse(w, b, x, y):.3f}")
ax.set(xlabel="area (m²)", ylabel="price (k€)")
# The code's units (area in 100 m², price in 100 k€): w in k€ per m², b in 100 k€, MSE in (100 k€)².
ax.legend(fontsize=8, title="w in k€/m², b in 100 k€, MSE in (100 k€)²", title_fontsize=8)
plt.show()

# %% [markdown]
# To compare guesses we need one number that says how wrong a line is: the **loss**. The most
# common for regression is the **mean squared error**
#
# $$ L(w, b) = \frac{1}{n} \sum_{i=1}^{n} \big(w x_i + b - y_i\big)^2 . $$
#
# Squaring makes every error count as positive and punishes big errors more than small ones.
# Guess C is the true rule, so its MSE is about the noise variance $0.3^2 = 0.09$: no line can do
# much better on noisy data.
#
# **Check.** Our `mse` equals PyTorch's `mse_loss` and the course's vectorised version
# (`utils.regression.mse`, which the widget below uses), and the true rule beats the other guesses.

# %%
import torch.nn.functional as F

from utils import assert_close, regression

losses = {name: mse(w, b, x, y) for name, (w, b) in guesses.items()}
assert_close("mse vs torch mse_loss", mse(2.0, 1.0, x, y),
             F.mse_loss(torch.tensor(predict(2.0, 1.0, x)), torch.tensor(y)))
assert_close("mse vs utils.regression.mse", mse(2.0, 1.0, x, y), regression.mse(2.0, 1.0, x, y))
assert losses["guess C: w=3, b=0.5"] < min(losses["guess A: w=2, b=1"], losses["guess B: w=4, b=0"])
assert abs(losses["guess C: w=3, b=0.5"] - 0.3**2) < 0.03

# %% [markdown]
# ## 3. Gradient descent, derivatives by hand
#
# Think of $L(w, b)$ as a landscape over the $(w, b)$ plane. We want its lowest point. The
# **gradient** $(\partial L/\partial w,\ \partial L/\partial b)$ points uphill, so we take a small
# step the other way, and repeat:
#
# $$ w \leftarrow w - \eta\, \frac{\partial L}{\partial w}, \qquad b \leftarrow b - \eta\, \frac{\partial L}{\partial b}. $$
#
# $\eta$ is the **learning rate**. With the chain rule ($\frac{d}{du}u^2 = 2u$ and the error
# $e_i = w x_i + b - y_i$ has $\partial e_i/\partial w = x_i$, $\partial e_i/\partial b = 1$):
#
# $$ \frac{\partial L}{\partial w} = \frac{2}{n}\sum_i e_i\, x_i, \qquad
#    \frac{\partial L}{\partial b} = \frac{2}{n}\sum_i e_i . $$

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: which way does the gradient point, and why do we step the other way?
# > Land: hand-derived gradients, autograd and the closed form give the same line.

# %%
def gradients_by_hand(w, b, x, y):
    error = predict(w, b, x) - y
    return 2 * np.mean(error * x), 2 * np.mean(error)


def gradient_descent(x, y, learning_rate, steps, w=0.0, b=0.0):
    """Returns the final (w, b) and the loss before each step."""
    history = []
    for _ in range(steps):
        history.append(mse(w, b, x, y))
        dw, db = gradients_by_hand(w, b, x, y)
        w, b = w - learning_rate * dw, b - learning_rate * db
    history.append(mse(w, b, x, y))
    return w, b, history


steps = 2000   # cheap (100 points, 2 numbers): the same in fast mode
w_gd, b_gd, history = gradient_descent(x, y, learning_rate=0.3, steps=steps)
print(f"after {steps} steps: w = {w_gd:.4f}, b = {b_gd:.4f}, MSE {history[0]:.3f} → {history[-1]:.5f}")
print(f"i.e. price ≈ {w_gd * 1000:.0f} € per m² · area + {b_gd * 100:.0f} k€ (the rule: 3000 € per m², 50 k€)")

# %% [markdown]
# ### The same gradients from autograd
#
# Writing derivatives by hand does not scale to networks with millions of weights. PyTorch
# records the computation and applies the chain rule backwards for us (**autograd**): mark the
# parameters with `requires_grad=True`, compute the loss, call `loss.backward()`, and read `.grad`.
#
# ### The answer from a formula
#
# For a line the minimum can also be computed directly (setting both derivatives to zero, the
# **least-squares** solution):
#
# $$ w^* = \frac{\operatorname{cov}(x, y)}{\operatorname{var}(x)}, \qquad b^* = \bar y - w^* \bar x . $$
#
# **Check.** Hand-written and autograd gradients agree at several points; gradient descent ends
# at the least-squares solution to within $10^{-6}$ in $w$ and $b$; and the loss went down.

# %%
x_t, y_t = torch.tensor(x), torch.tensor(y)
for w0, b0 in [(0.0, 0.0), (2.0, 1.0), (-1.0, 3.0)]:
    w_param = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b_param = torch.tensor(b0, dtype=torch.float64, requires_grad=True)
    loss = ((w_param * x_t + b_param - y_t) ** 2).mean()
    loss.backward()
    assert_close(f"dL/dw, dL/db at ({w0}, {b0})", gradients_by_hand(w0, b0, x, y),
                 [w_param.grad, b_param.grad], atol=1e-10)

w_star = np.mean((x - x.mean()) * (y - y.mean())) / np.var(x)
b_star = y.mean() - w_star * x.mean()
assert_close("least squares vs numpy polyfit", [w_star, b_star], np.polyfit(x, y, 1), atol=1e-10)
assert_close("gradient descent vs least squares", [w_gd, b_gd], [w_star, b_star], atol=1e-6, rtol=0)
utils.assert_decreased("MSE during gradient descent", history, by=0.9)

# %% [markdown]
# Now the loop in PyTorch's usual form: the parameters live in a model, an **optimizer** does
# the update. These four lines (`loss`, `zero_grad`, `backward`, `step`) are the heart of every
# training loop in this course, up to the GPT of notebook 08.

# %%
model = torch.nn.Linear(1, 1, dtype=torch.float64)
torch.nn.init.zeros_(model.weight)
torch.nn.init.zeros_(model.bias)
optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
for _ in range(steps):
    loss = F.mse_loss(model(x_t.unsqueeze(1)).squeeze(1), y_t)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
assert_close("torch SGD vs our gradient descent", [model.weight.item(), model.bias.item()], [w_gd, b_gd], atol=1e-9);

# %% [markdown]
# ## 4. The learning rate: too small, right, too big
#
# The same 30 steps with three learning rates. Too small: every step is tiny and the loss crawls.
# Too big: each step overshoots the valley, lands higher on the other side, and the loss
# **grows** without limit (it *diverges*).

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask the class to predict what learning rate 0.55 will do before you move the slider.
# > Land: too small crawls, too big diverges; the edge (about 0.52) comes from the curvature.

# %%
from utils.plots import plot_curves

rates = {"too small (η = 0.01)": 0.01, "about right (η = 0.3)": 0.3, "too big (η = 0.6)": 0.6}
runs = {name: gradient_descent(x, y, lr, steps=30)[2] for name, lr in rates.items()}
for name, hist in runs.items():
    print(f"{name:<22} MSE {hist[0]:.3f} → {hist[-1]:.4g}")
plot_curves(runs, xlabel="step", ylabel="MSE ((100 k€)², log scale)", title="Three learning rates, 30 steps", logy=True)

# %% [markdown]
# **Check.** The big rate's loss grows; the small rate is still far above the good rate's loss.

# %%
small, right, big = runs.values()
assert big[-1] > big[0] * 100, "the too-big learning rate should diverge"
utils.assert_decreased("MSE with η = 0.3", right, by=0.9)
assert small[-1] > 2 * right[-1], "the too-small learning rate should still be far from the minimum"

# %% [markdown]
# ### Try it: watch gradient descent walk
#
# Right: the loss surface $L(w, b)$ as contour lines (each ring is a level of equal loss; the star
# is the least-squares minimum). The red path is gradient descent from $(0, 0)$. Left: the line
# after that many steps.
#
# 1. Move **steps** from 0 to 200 at learning rate 0.1: the path first rushes down the steep side
#    of the long, narrow valley, then creeps along its floor.
# 2. Raise the **learning rate** to 0.5, then 0.55: the path zig-zags across the valley, and past
#    about 0.52 it leaves the picture. Section 5 explains the number and the narrow valley.

# %%
from utils.widgets import GradientDescentView

descent_view = GradientDescentView(x, y, learning_rate=0.1, steps=30)
descent_view

# %% [markdown]
# ## 5. Several features, and why we normalise
#
# A price depends on more than area. A new rule with four **features**:
#
# $$ \text{price [k€]} = 40 + 2.5\cdot\text{area [m}^2] + 15\cdot\text{rooms}
#    - 8\cdot\text{distance to centre [km]} - 0.8\cdot\text{age [years]} + \varepsilon,\quad \sigma = 25 . $$
#
# The model is the same idea with one weight per feature: $\hat y = w_1 x_1 + \dots + w_4 x_4 + b$,
# in PyTorch `nn.Linear(4, 1)`. But the features live on very different scales (area up to 150,
# rooms up to 5). The loss valley is then extremely long and narrow: a learning rate small enough
# not to explode along the steep "area" direction is far too small for the others.
#
# The fix is to **normalise** each feature: subtract its mean, divide by its standard deviation,
# so all are "about ±1". The largest stable learning rate is $2/\lambda_{\max}$, where
# $\lambda_{\max}$ is the largest eigenvalue of the loss's curvature matrix (Hessian)
# $\frac{2}{n} X^\top X$ (with a column of ones for the bias); we use $1/\lambda_{\max}$ for both runs.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: why would one learning rate not fit both "area" (up to 150) and "rooms" (up to 5)?
# > Land: normalising makes the valley round, and one step size suits every direction.

# %%
rng = np.random.default_rng(1)
n_flats = 400
area = rng.uniform(20, 150, n_flats)
rooms = np.clip(np.round(area / 30 + rng.normal(0, 0.6, n_flats)), 1, 5)
distance = rng.uniform(0.5, 20, n_flats)
age = rng.uniform(0, 80, n_flats)
features = np.stack([area, rooms, distance, age], axis=1)             # (400, 4)
price = 40 + 2.5 * area + 15 * rooms - 8 * distance - 0.8 * age + rng.normal(0, 25, n_flats)

normalised = (features - features.mean(axis=0)) / features.std(axis=0)


def max_curvature(inputs):
    with_ones = np.hstack([inputs, np.ones((len(inputs), 1))])
    return np.linalg.eigvalsh(2 / len(inputs) * with_ones.T @ with_ones).max()


def fit_linear(inputs, targets, learning_rate, steps):
    """Gradient descent on a linear model (nn.Linear) with the MSE loss; returns the loss history."""
    inputs = torch.tensor(inputs, dtype=torch.float64)
    targets = torch.tensor(targets, dtype=torch.float64)
    model = torch.nn.Linear(inputs.shape[1], 1, dtype=torch.float64)
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    history = []
    for _ in range(steps):
        loss = F.mse_loss(model(inputs).squeeze(1), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append(loss.item())
    return model, history


steps_multi = 200   # cheap: the same in fast mode
raw_model, raw_history = fit_linear(features, price, 1 / max_curvature(features), steps_multi)
norm_model, norm_history = fit_linear(normalised, price, 1 / max_curvature(normalised), steps_multi)

# The best possible loss of any linear model, from the closed form (least squares via numpy):
design = np.hstack([features, np.ones((n_flats, 1))])
best_loss = np.mean((design @ np.linalg.lstsq(design, price, rcond=None)[0] - price) ** 2)
print(f"largest stable learning rate: raw {2 / max_curvature(features):.2g}, normalised {2 / max_curvature(normalised):.2g}")
print(f"after {steps_multi} steps: raw features MSE {raw_history[-1]:,.0f}, normalised {norm_history[-1]:,.1f}; "
      f"least squares {best_loss:,.1f} (noise variance 25² = 625)")
plot_curves({"raw features": raw_history, "normalised features": norm_history}, ylabel="MSE (k€²)",
            title="Same model, same number of steps", logy=True)

# %% [markdown]
# **Check.** With normalised features gradient descent reaches the least-squares loss (within
# 1 %); with raw features, after the same number of steps, it is still far away. The learned
# weights, converted back to raw units ($w_j / \text{std}_j$), recover the rule's 2.5, 15, −8 and −0.8
# roughly (the noise and the area–rooms correlation blur them).

# %%
assert norm_history[-1] < 1.01 * best_loss, "normalised features should reach the least-squares loss"
assert raw_history[-1] > 1.5 * best_loss, "raw features should still be far from the minimum"
raw_units = norm_model.weight.detach().numpy()[0] / features.std(axis=0)
print("weights in raw units (area, rooms, distance, age):", np.round(raw_units, 2))
assert_close("recovered price per m² and per km", raw_units[[0, 2]], [2.5, -8.0], atol=0.6, rtol=0);

# %% [markdown]
# ## 6. When a line is not enough: a small MLP fits a curve
#
# Price per m² against distance from the centre is not a straight line: it falls quickly
# outside the centre and has a second bump around a suburban hub 12 km out. Our rule:
#
# $$ \text{price per m}^2\ [\text{k€}] = 2 + 4\,e^{-d/3} + 1.5\,e^{-(d-12)^2/4} + \varepsilon,\qquad \sigma = 0.25 . $$
#
# A line cannot bend. A **multi-layer perceptron** can: notebook 01's layers of neurons, with a
# smooth activation (here $\tanh$) instead of the step, so gradient descent works. Each hidden
# neuron contributes one smooth step; their weighted sum can follow almost any curve. We train it
# with **Adam**, a gradient descent that adapts the step size per parameter (the usual default).

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: how can a sum of smooth steps follow a curve with a bump?
# > The MLP trains for a few seconds; sketch two tanh steps adding up to a bump on the board meanwhile.

# %%
from tqdm.auto import tqdm

distance_km = rng.uniform(0, 20, 300)
price_m2 = 2 + 4 * np.exp(-distance_km / 3) + 1.5 * np.exp(-((distance_km - 12) ** 2) / 4) + rng.normal(0, 0.25, 300)
d_t = torch.tensor(distance_km / 10, dtype=torch.float32).unsqueeze(1)   # (300, 1), about 0..2
p_t = torch.tensor(price_m2, dtype=torch.float32).unsqueeze(1)           # (300, 1)

line_w, line_b = np.polyfit(distance_km / 10, price_m2, 1)
line_loss = np.mean((line_w * distance_km / 10 + line_b - price_m2) ** 2)

utils.seed_everything(0)
mlp = torch.nn.Sequential(torch.nn.Linear(1, 32), torch.nn.Tanh(),
                          torch.nn.Linear(32, 32), torch.nn.Tanh(),
                          torch.nn.Linear(32, 1))
optimizer = torch.optim.Adam(mlp.parameters(), lr=0.01)
mlp_history = []
for _ in tqdm(range(utils.fast(3000, 800)), desc="training the MLP", mininterval=1):
    loss = F.mse_loss(mlp(d_t), p_t)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    mlp_history.append(loss.item())
mlp_loss = F.mse_loss(mlp(d_t), p_t).item()

grid_km = np.linspace(0, 20, 200)
with torch.no_grad():
    mlp_curve = mlp(torch.tensor(grid_km / 10, dtype=torch.float32).unsqueeze(1)).squeeze(1).numpy()
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.scatter(distance_km, price_m2, s=10, alpha=0.5, color="grey", label="apartments")
ax.plot(grid_km, line_w * grid_km / 10 + line_b, "--", lw=2, label=f"best line: MSE {line_loss:.3f}")
ax.plot(grid_km, mlp_curve, lw=2, label=f"MLP 1→32→32→1: MSE {mlp_loss:.3f}")
ax.set(xlabel="distance from centre (km)", ylabel="price per m² (k€)")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# **Check.** The MLP's loss is far below the best possible line's (under a third of it) and close
# to the noise level $0.25^2 \approx 0.06$.

# %%
print(f"best line MSE {line_loss:.3f}, MLP MSE {mlp_loss:.3f}, noise variance {0.25**2:.4f}")
utils.assert_decreased("MLP training loss", mlp_history, by=0.5)
assert mlp_loss < line_loss / 3, "the MLP should fit the curve far better than a line"
assert mlp_loss < 2 * 0.25**2

# %% [markdown]
# ## 7. A model = architecture + weights: counting parameters
#
# Every model above is an **architecture** (which layers, how big, which activation) plus the
# numbers gradient descent found (the **weights**, or parameters). A linear layer with $n$ inputs
# and $m$ outputs holds $m\cdot n$ weights and $m$ biases: $m(n+1)$ parameters.
#
# | model | architecture | parameters |
# |---|---|---|
# | price from area | 1 → 1 | $1\cdot 2 = 2$ |
# | price from 4 features | 4 → 1 | $1 \cdot 5 = 5$ |
# | curve MLP | 1 → 32 → 32 → 1 | $32\cdot 2 + 32 \cdot 33 + 1 \cdot 33 = 1153$ |
#
# The seed material of this course says a "simple model" has **393 parameters**, but does not say
# which model. 393 is not a special number; many small architectures have exactly that many.
# With one hidden layer of $h$ neurons, $n$ inputs and one output, the count is
# $h(n+1) + (h+1) = h(n+2) + 1$, so we need $h(n+2) = 392 = 2^3\cdot 7^2$. For example **6
# features → 49 hidden → 1 output**: $49\cdot 7 + 50 = 393$. A search finds every such network
# of one or two hidden layers:

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask the class to count the curve MLP's parameters before showing the table (1153).
# > Land: "393 parameters" names no model; a count means little without the architecture.

# %%
def count_parameters(layer_sizes):
    """Parameters of a fully connected network, e.g. [1, 32, 32, 1] -> 1153 (notebook 01)."""
    return sum(m * (n + 1) for n, m in zip(layer_sizes[:-1], layer_sizes[1:]))


def torch_parameters(model):
    return sum(p.numel() for p in model.parameters())


def make_mlp(layer_sizes):
    layers = []
    for n, m in zip(layer_sizes[:-1], layer_sizes[1:]):
        layers += [torch.nn.Linear(n, m), torch.nn.Tanh()]
    return torch.nn.Sequential(*layers[:-1])


one_hidden = [[n, h, 1] for n in range(1, 11) for h in range(1, 400) if count_parameters([n, h, 1]) == 393]
two_hidden = [[n, h1, h2, 1] for n in range(1, 7) for h1 in range(1, 60) for h2 in range(1, 60)
              if count_parameters([n, h1, h2, 1]) == 393]
print("one hidden layer, ≤10 inputs:", one_hidden)
print(f"two hidden layers, ≤6 inputs: {len(two_hidden)} architectures, e.g. {two_hidden[:4]}")

# %% [markdown]
# **Check.** The formula and PyTorch agree for every model in this notebook and for each
# 393-parameter architecture found.

# %%
assert count_parameters([1, 1]) == torch_parameters(model) == 2
assert count_parameters([4, 1]) == torch_parameters(norm_model) == 5
assert count_parameters([1, 32, 32, 1]) == torch_parameters(mlp) == 1153
assert [6, 49, 1] in one_hidden
for sizes in one_hidden + two_hidden:
    assert torch_parameters(make_mlp(sizes)) == 393, sizes
print(f"all {len(one_hidden) + len(two_hidden)} architectures have exactly 393 parameters in PyTorch too")

# %% [markdown]
# For scale: GPT-3 has 175 billion parameters ([Brown et al., 2020](https://arxiv.org/abs/2005.14165)),
# trained with the same loop as ours (loss, gradients, a step), on text instead of apartments.
#
# ## Recap
#
# - A **loss** turns "how wrong is this model?" into one number; for regression, the mean squared error.
# - **Gradient descent** repeats $\theta \leftarrow \theta - \eta\,\nabla L(\theta)$. We wrote the
#   gradients by hand, autograd computed the same numbers, and both reached the least-squares line.
# - The **learning rate** must fit the curvature: too small crawls, above $2/\lambda_{\max}$ it
#   diverges. **Normalising** features makes the valley round so one rate suits all directions.
# - A line cannot bend; an **MLP** with a smooth activation can fit curves.
# - A model is an **architecture plus its weights**; an $n \to m$ layer has $m(n+1)$ parameters.
#   "393 parameters" fits many architectures, e.g. 6 → 49 → 1.
#
# **Next:** notebook 03 opens up `loss.backward()`: backpropagation, with an autograd engine we
# write ourselves and check against PyTorch.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what happens above $2/\lambda_{\max}$, and what does normalising change? One sentence each.

# %% [markdown]
# ## Exercises
#
# ★ checks your understanding, ★★ changes the code, ★★★ is a small investigation. Replace each `...`,
# run the cell, then run the check below it: it says ✓ and why, or gives a hint. Reference solutions are
# in [solutions/02_regression.py](solutions/02_regression.py); try first.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Exercise 1 fits in class (5 minutes); exercises 2 and 3 make good homework.

# %%
from utils.exercises import check

# %% [markdown]
# **1. Find the edge ★.** For the apartment data of section 1, what is the largest learning rate at which
# gradient descent on the line still converges? Derive it from `max_curvature(x[:, None])` (section 5),
# then test your value and one 5 % above it with `gradient_descent(x, y, eta, steps=200)`.

# %%
edge = ...  # a learning rate

# %%
check("02.1", edge, x=x);

# %% [markdown]
# **2. Bend a line by hand ★★.** Fit the curve of section 6 with a *linear* model on the features
# $d, d^2, d^3$ (with $d$ = `distance_km / 10`), solved by least squares with `np.linalg.lstsq`. What is
# its mean squared error? Where does it land between the line (`line_loss`) and the MLP (`mlp_loss`), and why?

# %%
cubic_loss = ...  # the mean squared error of your cubic fit

# %%
check("02.2", cubic_loss, distance_km=distance_km, price_m2=price_m2);

# %% [markdown]
# **3. How small can the MLP be? ★★★** Train the curve MLP with a single hidden layer of 3 neurons
# (`make_mlp([1, 3, 1])`), with the same optimiser and number of steps as the big one. Give its number of
# parameters and its final loss. Does it beat the line? The big MLP? Try 1 and 2 neurons too.

# %%
narrow_result = ...  # (number of parameters, final MSE)

# %%
check("02.3", narrow_result, line_loss=line_loss);
