# %% [markdown]
# # 01 · The perceptron: one artificial neuron
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/01_perceptron.ipynb)
#
# **What you will learn**
# - how an artificial neuron imitates (very loosely) a biological one: a weighted sum and an activation;
# - how a perceptron draws a straight line between two classes, and how to move that line by hand;
# - the perceptron learning rule, written from scratch, learning AND and OR with zero errors;
# - why no single perceptron can compute XOR, and how two layers of them can;
# - how to count the parameters of a network: "a model = architecture + weights".
#
# **Time:** about 45 minutes. **Needs:** school algebra; no prior machine learning.

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
# ## 1. From a biological neuron to a perceptron
#
# A neuron in the brain receives signals from other neurons through its **dendrites**. Some
# connections (synapses) excite it more than others. The cell body adds the incoming signals up, and
# if the total is large enough the neuron **fires**: a pulse travels along the **axon** to the next
# neurons. The human brain has about 86 billion neurons
# ([Azevedo et al., 2009](https://doi.org/10.1002/cne.21974)).
#
# **Where this course sits.** *Artificial intelligence* (AI) is the whole field of making machines
# do things that look intelligent, including hand-written rules (a chess program's search).
# *Machine learning* is the part of AI where the program learns its behaviour from data instead of
# being told. *Deep learning* is the part of machine learning that uses neural networks with many
# layers. *Large language models* (LLMs) are deep networks trained to predict the next piece of
# text. So AI ⊃ machine learning ⊃ deep learning ⊃ LLMs, and this course walks inward: one neuron
# here, networks in notebooks 02–05, language models from notebook 06 on.
#
# In 1943 McCulloch and Pitts described a neuron as a tiny logic device
# ([McCulloch & Pitts, 1943](https://doi.org/10.1007/BF02478259)); in 1958 Frank Rosenblatt built
# the **perceptron**, a version that can *learn* its connection strengths from examples
# ([Rosenblatt, 1958](https://doi.org/10.1037/h0042519)). The perceptron keeps only the skeleton of
# the biology:
#
# | neuron | perceptron |
# |---|---|
# | signals arriving at dendrites | inputs $x_1, \dots, x_n$ |
# | strength of each synapse | weights $w_1, \dots, w_n$ |
# | the cell body adds signals up | weighted sum $z = w_1 x_1 + \dots + w_n x_n + b$ |
# | fires if the sum is large enough | activation $y = f(z)$, e.g. 1 if $z \ge 0$ else 0 |
#
# The **bias** $b$ sets how easily the neuron fires: a large negative $b$ needs strong input.
# Real neurons are far more complicated (timing, chemistry, thousands of synapses); the analogy is
# where the idea came from, not how the brain works.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what does a perceptron keep from a real neuron, and what does it throw away?
# > Land: inputs, weights, a sum and a threshold; nothing about timing, chemistry or spikes.

# %%
from utils.diagrams import neuron_vs_perceptron

neuron_vs_perceptron()

# %% [markdown]
# ## 2. Weighted sum and activation
#
# A perceptron computes
#
# $$ z = \sum_{i=1}^{n} w_i x_i + b, \qquad y = f(z). $$
#
# Two activation functions matter in this course:
#
# - the **step** function, $\operatorname{step}(z) = 1$ if $z \ge 0$, else $0$: Rosenblatt's original;
#   the neuron either fires or it does not;
# - the **sigmoid**, $\sigma(z) = \dfrac{1}{1 + e^{-z}}$: a smooth step between 0 and 1. Its
#   smoothness is what later lets us train networks with gradients (notebook 02).
#
# We write both from scratch with NumPy.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: why would we want a *smooth* step? (Hold the answer: gradients, notebook 02.)
# > Land: $z = w \cdot x + b$ is all the arithmetic a neuron does; the activation only shapes the output.

# %%
import numpy as np


def step(z):
    """1 where z >= 0, else 0."""
    return (np.asarray(z) >= 0).astype(int)


def sigmoid(z):
    """The logistic function 1 / (1 + e^(-z))."""
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def perceptron(x, w, b, activation=step):
    """Output of a perceptron for inputs x (points, features), weights w (features,), bias b."""
    z = np.asarray(x, dtype=float) @ np.asarray(w, dtype=float) + b
    return activation(z)


from utils.plots import plot_functions

plot_functions({"step(z)": step, "sigmoid(z)": sigmoid}, title="Two activation functions")

# %% [markdown]
# **Check.** The sigmoid is exactly one half at $z=0$, tends to the step far from zero, and our
# version agrees with PyTorch's `torch.sigmoid`.

# %%
import torch

from utils import assert_close

z = np.linspace(-8, 8, 101)
assert sigmoid(0.0) == 0.5
assert step(-1e-9) == 0 and step(0.0) == 1
assert np.all(np.abs(sigmoid(z[np.abs(z) >= 6]) - step(z[np.abs(z) >= 6])) < 0.003)
assert_close("sigmoid vs torch.sigmoid", sigmoid(z), torch.sigmoid(torch.tensor(z)));

# %% [markdown]
# ## 3. A perceptron computes AND
#
# Take two inputs that are 0 or 1. The logic gate **AND** outputs 1 only when both inputs are 1.
# With weights $w_1 = w_2 = 1$ and bias $b = -1.5$:
#
# | $x_1$ | $x_2$ | $z = x_1 + x_2 - 1.5$ | step($z$) | AND |
# |---|---|---|---|---|
# | 0 | 0 | −1.5 | 0 | 0 |
# | 0 | 1 | −0.5 | 0 | 0 |
# | 1 | 0 | −0.5 | 0 | 0 |
# | 1 | 1 | 0.5 | 1 | 1 |
#
# Geometrically the perceptron draws the line $w_1 x_1 + w_2 x_2 + b = 0$ across the plane: on
# one side it answers 1, on the other 0. The weights set the line's tilt, the bias shifts it.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask the class for weights that make OR before moving the sliders (e.g. $w_1 = w_2 = 1$, $b = -0.5$).
# > Land: weights tilt the line, the bias shifts it. Let a student drive the playground.

# %%
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
targets = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "XOR": np.array([0, 1, 1, 0]),
}
and_output = perceptron(X, w=[1.0, 1.0], b=-1.5)
print("inputs:", X.tolist(), "→ outputs:", and_output.tolist())
assert (and_output == targets["AND"]).all()

# %% [markdown]
# ### Try it: move the line yourself
#
# Drag the sliders for $w_1$, $w_2$ and $b$. The shaded side of the line is where the perceptron
# outputs 1; filled dots should end up there, hollow dots on the other side. Green means the
# point is classified correctly, red means wrong.
#
# 1. Find weights for **OR** (choose `gate = OR`).
# 2. Try **XOR**. Can you get all four points green? (Section 5 answers.)
#
# Leave the **step** button for the next section.

# %%
from utils.widgets import PerceptronPlayground

playground = PerceptronPlayground(gate="OR", w1=0.5, w2=-1.0, b=0.2)  # a wrong start: fix it
playground

# %% [markdown]
# ## 4. Learning: the perceptron rule
#
# Finding weights by hand is fine for two inputs, hopeless for a million. Rosenblatt's rule finds
# them from examples. Show the perceptron one example $(x, t)$ with target $t$; it answers $y$.
# Then
#
# $$ w_i \leftarrow w_i + \eta\,(t - y)\,x_i, \qquad b \leftarrow b + \eta\,(t - y). $$
#
# - If the answer is right, $t - y = 0$ and nothing changes.
# - If it said 0 but should say 1 ($t - y = +1$), the weights of the active inputs grow, so $z$ grows
#   next time; if it said 1 but should say 0, they shrink.
# - $\eta$ (eta) is the **learning rate**: how big each correction is.
#
# One pass over all examples is an **epoch**. We repeat epochs until an epoch makes no mistakes.
#
# In the playground above, press **step** a few times: it applies exactly this rule to the
# circled point and prints the arithmetic. Now the same thing in code:

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: if the answer is right, what does the rule change? (Nothing: $t - y = 0$.)
# > Press **step** in the playground a few times first; the code cell then does the same arithmetic.

# %%
def train_perceptron(X, t, learning_rate=0.5, max_epochs=100):
    """Rosenblatt's rule; returns weights, bias and the number of mistakes in each epoch."""
    w = np.zeros(X.shape[1])
    b = 0.0
    mistakes_per_epoch = []
    for _ in range(max_epochs):
        mistakes = 0
        for x_i, t_i in zip(X, t):
            y_i = int(x_i @ w + b >= 0)
            error = t_i - y_i
            w = w + learning_rate * error * x_i
            b = b + learning_rate * error
            mistakes += int(error != 0)
        mistakes_per_epoch.append(mistakes)
        if mistakes == 0:
            break
    return w, b, mistakes_per_epoch


for gate in ("AND", "OR"):
    w, b, history = train_perceptron(X, targets[gate])
    print(f"{gate}: w = {w}, b = {b:+.2f}, mistakes per epoch: {history}")

# %% [markdown]
# **Check.** Both gates are learned with zero errors, and our rule does exactly what the
# playground's "step" button does (`utils.perceptron.perceptron_update`).

# %%
from utils.perceptron import perceptron_update

for gate in ("AND", "OR"):
    w, b, history = train_perceptron(X, targets[gate])
    assert history[-1] == 0, f"{gate} not learned"
    assert (perceptron(X, w, b) == targets[gate]).all()

# One update by hand and by the widget's rule, on a wrong answer:
update = perceptron_update(np.array([0.5, 0.5]), 0.0, np.array([0.0, 0.0]), target=0, learning_rate=0.5)
print(update.explain())
assert update.bias_after == 0.0 + 0.5 * (0 - 1) and update.weights_after.tolist() == [0.5, 0.5]

# %% [markdown]
# Let us watch how the line moves while AND is learned, epoch by epoch. The code prints the
# weights after each epoch and draws the line after each one: earlier lines faint and dashed, each
# numbered with its epoch where it leaves the picture, the final line bold.

# %%
from utils.widgets.perceptron import show_perceptron_epochs

w_history, epoch_mistakes = [], []        # (w1, w2, b) and the number of mistakes, per epoch
w, b = np.zeros(2), 0.0
for epoch in range(1, 11):
    mistakes = 0
    for x_i, t_i in zip(X, targets["AND"]):
        update = perceptron_update(w, b, x_i, int(t_i), learning_rate=0.5)
        w, b = update.weights_after, update.bias_after
        mistakes += int(update.error != 0)
    w_history.append((float(w[0]), float(w[1]), float(b)))
    epoch_mistakes.append(mistakes)
    print(f"epoch {epoch}: {mistakes} of 4 wrong → w1 = {w[0]:.2f}, w2 = {w[1]:.2f}, b = {b:+.2f}")
    if mistakes == 0:
        break
show_perceptron_epochs(w_history, gate="AND")

# %% [markdown]
# Before the first epoch all weights are zero and there is no line: $z = 0$ for every point, so
# the perceptron answers 1 everywhere. Each mistake then pushes the line, not always forwards (look
# at where the line after epoch 4 lies compared with epoch 3), until only the point (1, 1) is on the
# output-1 side. The next epoch makes no mistakes, changes nothing, and the rule stops: that is why
# the final line carries two epoch numbers.
#
# **Check.** Every epoch but the last made mistakes; the last changed nothing; the final line
# computes AND.

# %%
assert epoch_mistakes[-1] == 0 and min(epoch_mistakes[:-1]) > 0
assert w_history[-1] == w_history[-2], "an epoch without mistakes must leave the weights as they are"
assert (perceptron(X, w_history[-1][:2], w_history[-1][2]) == targets["AND"]).all()

# %% [markdown]
# **Why it works.** If some line separates the two classes without error (the data are
# *linearly separable*), the rule is guaranteed to find such a line after a finite number of
# mistakes: the perceptron convergence theorem
# ([Novikoff, 1962](https://cs.uwaterloo.ca/~y328yu/classics/novikoff.pdf)). If no such line exists,
# the rule never settles. XOR is that case.
#
# ## 5. Why XOR cannot be learned by one perceptron
#
# **XOR** ("exclusive or") is 1 when exactly one input is 1. Its 1s sit on one diagonal of the
# square and its 0s on the other: no straight line has both 1s on one side and both 0s on the other.
#
# A short proof. Suppose step$(w_1x_1 + w_2x_2 + b)$ computed XOR. Then
#
# - $(0,0) \mapsto 0$: $b < 0$;
# - $(0,1) \mapsto 1$ and $(1,0) \mapsto 1$: $w_2 + b \ge 0$ and $w_1 + b \ge 0$;
# - $(1,1) \mapsto 0$: $w_1 + w_2 + b < 0$.
#
# Adding the middle two: $w_1 + w_2 + 2b \ge 0$, so $w_1 + w_2 + b \ge -b > 0$, contradicting the
# last line. Minsky and Papert's book *Perceptrons* (1969) made limits like this famous, and
# interest in neural networks cooled for over a decade.
#
# We check it two ways: the learning rule never reaches zero mistakes, and a search over a fine grid
# of weights finds no perceptron that gets all four points right.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask the class to draw one line on the board that separates XOR's 1s from its 0s; let them fail.
# > Land: the four-line proof; this limit stalled the field for over a decade.

# %%
w, b, history = train_perceptron(X, targets["XOR"], max_epochs=100)
print("XOR mistakes in the last 10 epochs:", history[-10:])
assert len(history) == 100 and min(history) > 0, "the rule should never settle on XOR"

grid = np.linspace(-3, 3, utils.fast(121, 41))
W1, W2, B = np.meshgrid(grid, grid, grid, indexing="ij")
weights = np.stack([W1.ravel(), W2.ravel()], axis=1)        # (candidates, 2)
z = X @ weights.T + B.ravel()                               # (4 points, candidates)
correct = ((z >= 0).astype(int) == targets["XOR"][:, None]).sum(axis=0)
print(f"checked {weights.shape[0]:,} perceptrons; best gets {correct.max()} of 4 XOR points right")
assert correct.max() == 3
assert ((z >= 0).astype(int) == targets["AND"][:, None]).all(axis=0).any(), "the grid does contain AND"

# %% [markdown]
# ## 6. Two layers solve XOR
#
# XOR can be built from gates a perceptron *can* compute:
#
# $$ \text{XOR}(x_1, x_2) = \text{AND}\big(\text{OR}(x_1, x_2),\ \text{NAND}(x_1, x_2)\big). $$
#
# So use two perceptrons in a **hidden layer**, one computing OR and one NAND, and a third on top
# computing AND of their outputs. Each hidden perceptron draws its own line; the output neuron
# answers 1 only in the band *between* the two lines. Layers of neurons that feed each other are a
# **multi-layer perceptron**, the basic neural network of notebooks 02 and 04.
#
# Here we set the weights by hand. Finding such weights automatically needs smooth activations
# and gradients, which is the subject of the next notebook.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: where does OR answer 1, where does NAND, and where do both? (The band between the lines.)
# > The preview training cell takes a few seconds; talk about the hidden layer while it runs.

# %%
def two_layer_xor(x):
    hidden_w = np.array([[1.0, -1.0],   # column 0: OR,  column 1: NAND
                         [1.0, -1.0]])
    hidden_b = np.array([-0.5, 1.5])
    hidden = step(np.asarray(x) @ hidden_w + hidden_b)        # (points, 2)
    output = perceptron(hidden, w=[1.0, 1.0], b=-1.5)         # AND of the two
    return hidden, output


hidden, xor_output = two_layer_xor(X)
for x, h, y in zip(X, hidden, xor_output):
    print(f"x = {x.tolist()}   hidden (OR, NAND) = {h.tolist()}   output = {y}")
assert (xor_output == targets["XOR"]).all()
assert (hidden[:, 0] == targets["OR"]).all() and (hidden[:, 1] == 1 - targets["AND"]).all()

# %%
import matplotlib.pyplot as plt

from utils.widgets.perceptron import decision_line

fig, ax = plt.subplots(figsize=(4.2, 4.2))
ax.scatter(X[:, 0], X[:, 1], c=["white" if t == 0 else "black" for t in targets["XOR"]],
           edgecolors="black", s=250, linewidths=2, zorder=3)
for (w1, w2, b), name, colour, style in (((1, 1, -0.5), "OR line", "tab:blue", "-"),
                                      ((-1, -1, 1.5), "NAND line", "tab:orange", "--")):
    ax.plot(*decision_line(w1, w2, b), style, label=name, color=colour, lw=2)
band = np.linspace(-0.5, 1.5, 200)
ax.fill_between(band, 0.5 - band, 1.5 - band, color="tab:green", alpha=0.15, label="output 1 (between the lines)")
ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), xlabel="$x_1$", ylabel="$x_2$", aspect="equal",
       title="XOR = AND(OR, NAND)")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)   # beside the picture: inside, it hid the band
plt.show()

# %% [markdown]
# ### Preview: let the computer find the weights
#
# Replace the step by a sigmoid and the hand-set weights by random ones, and gradient descent
# (notebook 02) finds a two-layer solution by itself. Run it now as a preview; every piece of it
# is explained later.

# %%
utils.seed_everything(0)
net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Sigmoid(), torch.nn.Linear(4, 1))
inputs = torch.tensor(X, dtype=torch.float32)
labels = torch.tensor(targets["XOR"], dtype=torch.float32).unsqueeze(1)
optimizer = torch.optim.Adam(net.parameters(), lr=0.1)
losses = []
for _ in range(utils.fast(1000, 400)):
    loss = torch.nn.functional.binary_cross_entropy_with_logits(net(inputs), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
learned = (net(inputs) > 0).int().squeeze(1)
print(f"loss {losses[0]:.3f} → {losses[-1]:.4f}; learned XOR outputs: {learned.tolist()}")
utils.assert_decreased("XOR training loss", losses, by=0.9)
assert learned.tolist() == targets["XOR"].tolist()

# %% [markdown]
# ## 7. How many parameters? A model = architecture + weights
#
# The **architecture** says how neurons are connected; the **weights** (and biases) are the
# numbers learned. Together they are the model: the same architecture with other weights computes
# something else (the same three perceptrons with other numbers compute a different gate).
#
# A fully connected layer with $n$ inputs and $m$ neurons has $m \cdot n$ weights and $m$ biases,
# so $m(n+1)$ **parameters**. Our XOR network (2 inputs → 2 hidden → 1 output) has
# $2(2+1) + 1(2+1) = 9$. The preview network (2 → 4 → 1) has $4 \cdot 3 + 1 \cdot 5 = 17$.
#
# Real language models count parameters in billions: GPT-3 has 175 billion
# ([Brown et al., 2020](https://arxiv.org/abs/2005.14165)). You may read that GPT-4 has "over a
# trillion"; OpenAI has not published its size
# ([GPT-4 Technical Report, 2023](https://arxiv.org/abs/2303.08774)), so such numbers are guesses.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: how many parameters has a 3 → 4 → 2 network? (4·4 + 2·5 = 26.)
# > Land: same architecture, different weights, different function; model sizes are counts of these numbers.

# %%
def count_parameters(layer_sizes):
    """Parameters of a fully connected network, e.g. [2, 2, 1] -> 9."""
    return sum(m * (n + 1) for n, m in zip(layer_sizes[:-1], layer_sizes[1:]))


def torch_parameters(model):
    return sum(p.numel() for p in model.parameters())


assert count_parameters([2, 2, 1]) == 9
assert count_parameters([2, 4, 1]) == torch_parameters(net) == 17
for sizes in ([2, 2, 1], [4, 8, 8, 3], [784, 128, 10]):
    layers = []
    for n, m in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(n, m), torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*layers[:-1])
    print(f"{str(sizes):>16}: formula {count_parameters(sizes):>7,}   torch {torch_parameters(model):>7,}")
    assert count_parameters(sizes) == torch_parameters(model)

# %% [markdown]
# ## Recap
#
# - A perceptron computes a weighted sum $z = w \cdot x + b$ and passes it through an activation.
#   With a step activation it splits the plane by a straight line.
# - The perceptron rule $w \leftarrow w + \eta (t - y) x$ learns any linearly separable problem
#   (AND, OR) in a finite number of steps.
# - XOR is not linearly separable: no single perceptron computes it. Two layers do.
# - A network is an architecture plus its parameters; a layer $n \to m$ has $m(n+1)$ of them.
#
# **Next:** notebook 02 replaces the step by smooth functions and learns weights by gradient descent.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask a student to state the perceptron rule from memory, and another why XOR needs two layers.

# %% [markdown]
# ## Exercises
#
# ★ checks your understanding, ★★ changes the code, ★★★ is a small investigation. Replace each `...`,
# run the cell, then run the check below it: it says ✓ and why, or gives a hint. Reference solutions are
# in [solutions/01_perceptron.py](solutions/01_perceptron.py); try first.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Give 10 minutes for exercises 1 and 2 in class; exercise 4's surprise makes a good homework discussion.

# %%
from utils.exercises import check

# %% [markdown]
# **1. NAND by hand ★.** Find weights $w_1, w_2$ and a bias $b$ so that `perceptron(X, [w1, w2], b)`
# computes NAND: 1 for every input except $(1, 1)$. You may try them in the playground first.

# %%
nand = ...  # (w1, w2, b)

# %%
check("01.1", nand);

# %% [markdown]
# **2. Counting ★.** A network for 28×28-pixel images has layers 784 → 256 → 128 → 10. How many
# parameters does it have? Work it out with the formula of section 7 before asking a computer.

# %%
mnist_parameters = ...  # a whole number

# %%
check("01.2", mnist_parameters);

# %% [markdown]
# **3. Majority of three ★★.** Build the 8 inputs of three bits and the target "at least two of them are 1".
# Is it linearly separable? Train a perceptron on it with `train_perceptron` and give its weights and bias.

# %%
majority = ...  # (weights, bias)

# %%
check("01.3", majority);

# %% [markdown]
# **4. Does the learning rate matter? ★★★** Train OR with `learning_rate` 0.1, 0.5 and 2.0, each run
# starting from zero weights, and count the epochs each run needs. Guess first: which rate learns
# fastest? Then explain what you see.

# %%
epochs_per_rate = ...  # [epochs at 0.1, epochs at 0.5, epochs at 2.0]

# %%
check("01.4", epochs_per_rate);
