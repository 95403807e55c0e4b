# %% [markdown]
# # 05 · Recurrent networks: reading a sequence one step at a time
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/05_recurrent_networks.ipynb)
#
# **What you will learn**
# - why order matters in sequences, and how a recurrent cell carries a memory (the hidden state) along;
# - the recurrent cell written from scratch, unrolled in time, and checked against PyTorch's `nn.RNN`;
# - forecasting a noisy seasonal signal one step and many steps ahead, better than a naive baseline;
# - a character-level LSTM trained on Shakespeare that writes (something like) a play;
# - why gradients vanish or explode over long distances, and how the LSTM's gates help.
#
# **Time:** about 60 minutes (the Shakespeare model trains for a minute or two on a laptop CPU).
# **Needs:** notebooks 01–04 (neurons, gradient descent, softmax and cross-entropy).

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
# ## 1. Sequences: order matters
#
# Text, speech, music, sensor readings and prices are **sequences**: the same items in another
# order mean something else. "dog bites man" and "man bites dog" contain exactly the same words
# and letters, yet only one is news. A network that looks at a bag of counts (like the digit
# classifier of notebook 04 looks at a fixed set of pixels) cannot tell them apart, and it needs
# inputs of one fixed size, while sentences come in every length.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: "dog bites man" vs "man bites dog": what does a bag of words miss?
# > Land: the hidden state is a memory, and the same weights are used at every step.

# %%
from collections import Counter

a, b = "dog bites man", "man bites dog"
print("same letters:", Counter(a) == Counter(b), "| same words:", Counter(a.split()) == Counter(b.split()),
      "| same text:", a == b)
assert Counter(a) == Counter(b) and a != b

# %% [markdown]
# A **recurrent neural network** (RNN) reads a sequence one item at a time and keeps a vector of
# numbers, the **hidden state** $h_t$, as its memory of what it has read so far. At every step it
# mixes the new input $x_t$ with the previous memory $h_{t-1}$:
#
# $$ h_t = \tanh\!\big(W_{xh}\, x_t + b_{xh} + W_{hh}\, h_{t-1} + b_{hh}\big), \qquad h_0 = 0. $$
#
# The **same** weights $W_{xh}, W_{hh}$ are used at every step: the network has a fixed number of
# parameters however long the sequence is. An output (a prediction) can be read from each $h_t$
# with an ordinary linear layer. Drawing one copy of the cell per time step, "unrolling" it,
# turns the loop into a deep network whose layers share their weights:

# %%
from utils.diagrams import rnn_unrolled

rnn_unrolled()

# %% [markdown]
# ## 2. The recurrent cell from scratch
#
# The whole cell is one line of linear algebra inside a loop over time. Inputs are batched:
# `x` has shape `(batch, time, features)`.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: how many parameters does the cell need for a 1000-step sequence? (The same as for 10.)
# > Land: our loop equals `nn.RNN` exactly; it is one line of algebra in a loop.

# %%
import torch


def rnn_forward(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    """Run a tanh RNN over x: (batch, time, features). Returns all hidden states (batch, time, hidden)."""
    batch, time_steps, _ = x.shape
    h = torch.zeros(batch, W_hh.shape[0]) if h0 is None else h0
    states = []
    for t in range(time_steps):                       # one step at a time, same weights each step
        h = torch.tanh(x[:, t] @ W_xh.T + b_xh + h @ W_hh.T + b_hh)
        states.append(h)
    return torch.stack(states, dim=1)


utils.seed_everything(0)
reference = torch.nn.RNN(input_size=3, hidden_size=5, batch_first=True)
x = torch.randn(2, 7, 3)                              # 2 sequences, 7 steps, 3 features
ours = rnn_forward(x, reference.weight_ih_l0, reference.weight_hh_l0, reference.bias_ih_l0, reference.bias_hh_l0)
theirs, h_last = reference(x)
print("hidden states:", tuple(ours.shape), "| parameters of nn.RNN:",
      [tuple(p.shape) for p in reference.parameters()])

# %% [markdown]
# **Check.** With the same weights our loop computes exactly what PyTorch's `nn.RNN` computes, at
# every time step; and the number of parameters does not depend on the length of the sequence.

# %%
utils.assert_close("our RNN vs nn.RNN (all steps)", ours, theirs, atol=1e-6)
utils.assert_close("final hidden state", ours[:, -1], h_last[0], atol=1e-6)
longer = rnn_forward(torch.randn(2, 50, 3), reference.weight_ih_l0, reference.weight_hh_l0,
                     reference.bias_ih_l0, reference.bias_hh_l0)
assert longer.shape == (2, 50, 5)
assert sum(p.numel() for p in reference.parameters()) == 5 * 3 + 5 * 5 + 5 + 5  # W_xh, W_hh, two biases
# Order matters to an RNN: reversing the sequence changes the final state.
assert not torch.allclose(ours[:, -1], rnn_forward(x.flip(1), reference.weight_ih_l0, reference.weight_hh_l0,
                                                   reference.bias_ih_l0, reference.bias_hh_l0)[:, -1])

# %% [markdown]
# ## 3. Forecasting a time series
#
# A classic use of RNNs: predict the next value of a signal from its past. Our signal has a slow
# season (period 50 steps), a faster one (period 12) and noise, like daily sales with weekly and
# yearly rhythms:
#
# $$ s_t = \sin(2\pi t/50) + 0.5 \sin(2\pi t/12) + \varepsilon_t, \qquad \varepsilon_t \sim \mathcal N(0, 0.1^2). $$
#
# We train on the first 80 % and test on the last 20 %. Every forecast must beat the **naive
# baseline** "tomorrow is like today" (predict the last value seen), which is hard to beat on
# slowly changing series; a model that cannot beat it has learned nothing useful.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what is the simplest forecast you would have to beat? ("Tomorrow is like today".)
# > Training takes a little while on a laptop: discuss why feeding predictions back makes errors pile up.

# %%
import numpy as np

utils.seed_everything(0)
t = np.arange(2000)
signal = np.sin(2 * np.pi * t / 50) + 0.5 * np.sin(2 * np.pi * t / 12) + np.random.normal(0, 0.1, t.size)
series = torch.tensor(signal, dtype=torch.float32)
split = int(0.8 * len(series))
window = 40


def make_windows(values, window):
    """Inputs (n, window, 1): `window` past values; targets (n,): the value right after them."""
    inputs = values.unfold(0, window, 1)[:-1]
    return inputs.unsqueeze(-1), values[window:]


x_train, y_train = make_windows(series[:split], window)
x_test, y_test = make_windows(series[split - window:], window)
print(f"train windows {tuple(x_train.shape)}, test windows {tuple(x_test.shape)}")


class Forecaster(torch.nn.Module):
    """A tanh RNN reads the window; a linear layer turns its last hidden state into the next value."""

    def __init__(self, hidden=32):
        super().__init__()
        self.rnn = torch.nn.RNN(1, hidden, batch_first=True)
        self.out = torch.nn.Linear(hidden, 1)

    def forward(self, x):                              # x: (batch, time, 1)
        states, _ = self.rnn(x)
        return self.out(states[:, -1]).squeeze(-1)     # (batch,)


forecaster = Forecaster()
optimizer = torch.optim.Adam(forecaster.parameters(), lr=0.01)
losses = []
from tqdm.auto import tqdm

generator = torch.Generator().manual_seed(0)
for _ in tqdm(range(utils.fast(1000, 400)), desc="forecaster"):
    batch = torch.randint(0, len(x_train), (64,), generator=generator)
    loss = torch.nn.functional.mse_loss(forecaster(x_train[batch]), y_train[batch])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())

with torch.no_grad():
    one_step_mse = torch.nn.functional.mse_loss(forecaster(x_test), y_test).item()
naive_mse = torch.nn.functional.mse_loss(x_test[:, -1, 0], y_test).item()
print(f"one step ahead, test MSE: RNN {one_step_mse:.4f}   naive (last value) {naive_mse:.4f}   "
      f"noise alone {0.1 ** 2:.4f}")

# %% [markdown]
# **Many steps ahead.** To forecast further, feed each prediction back in as if it were the next
# observation (an *autoregressive* forecast, exactly how language models write text later on).
# Errors can pile up, so this is harder. We forecast 50 steps from many starting points in the test
# part and compare with the naive forecast (repeat the last value 50 times).

# %%
horizon = 50


def forecast(model, history, steps):
    """Autoregressive forecast: history (window,) -> the next `steps` values."""
    values = list(history)
    with torch.no_grad():
        for _ in range(steps):
            x = torch.tensor(values[-window:]).view(1, -1, 1)
            values.append(model(x).item())
    return torch.tensor(values[-steps:])


starts = range(split, len(series) - horizon, 25)
rnn_errors, naive_errors = [], []   # squared error at each step ahead, one row per start: (starts, horizon)
for start in starts:
    truth = series[start:start + horizon]
    rnn_errors.append(((forecast(forecaster, series[start - window:start], horizon) - truth) ** 2).numpy())
    naive_errors.append(((series[start - 1] - truth) ** 2).numpy())
multi_rnn, multi_naive = [e.mean() for e in rnn_errors], [e.mean() for e in naive_errors]
multi_rnn_mse, multi_naive_mse = float(np.mean(multi_rnn)), float(np.mean(multi_naive))
print(f"{horizon} steps ahead, mean MSE over {len(multi_rnn)} starts: RNN {multi_rnn_mse:.4f}   "
      f"naive {multi_naive_mse:.4f}")

import matplotlib.pyplot as plt

start = split + 100
fig, (left, right, errors) = plt.subplots(1, 3, figsize=(11, 3.6), gridspec_kw={"width_ratios": [1, 2, 1.3]})
left.plot(losses, lw=1)
left.set(yscale="log", xlabel="training step", ylabel="MSE (log)", title="training loss")
right.plot(range(start - 80, start + horizon), series[start - 80:start + horizon], color="grey", lw=1,
           label="signal (with noise)")
right.plot(range(start, start + horizon), forecast(forecaster, series[start - window:start], horizon),
           color="tab:red", lw=2, label="RNN, 50 steps, feeding itself")
right.hlines(series[start - 1], start, start + horizon, color="tab:blue", ls="--", label="naive: last value")
right.axvline(start, color="black", lw=0.8)
right.set(xlabel="time step", title="forecasting the test part")
right.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3)   # under the axes: off the signal
ahead = np.arange(1, horizon + 1)
# The same colours and line styles as the middle panel, whose legend (below) names them: a second
# legend here would cover the curves.
errors.plot(ahead, np.mean(rnn_errors, axis=0), color="tab:red", lw=2)
errors.plot(ahead, np.mean(naive_errors, axis=0), color="tab:blue", ls="--")
errors.set(xlabel="steps ahead", ylabel="MSE (mean over starts)", title="error against steps ahead")
fig.tight_layout()
plt.show()

# %% [markdown]
# **Check.** The trained RNN beats the naive baseline one step ahead and 50 steps ahead, and its
# training loss went down.

# %%
utils.assert_decreased("forecaster training loss", [np.mean(losses[:10]), np.mean(losses[-10:])], by=0.5)
assert one_step_mse < 0.7 * naive_mse, (one_step_mse, naive_mse)
assert multi_rnn_mse < 0.5 * multi_naive_mse, (multi_rnn_mse, multi_naive_mse)

# %% [markdown]
# ## 4. A character-level language model on Shakespeare
#
# Now the sequence is text, and the thing to predict is the **next character**. Reading
# "ROMEO:\nBut, soft! what light through yonder window brea", a good model puts most probability on
# "k". Trained on enough text, such a model can *write*: sample a character, feed it back, repeat.
# This is how GPT works too (notebook 08), with tokens instead of characters and a transformer
# instead of an RNN.
#
# The data is the "tiny" Shakespeare corpus: about 1.1 million characters from eight plays, the
# same plays as Karpathy's well-known Tiny Shakespeare file
# ([char-rnn, 2015](https://github.com/karpathy/char-rnn)). The last 10 % of every play is held out
# for validation. Each distinct character is one token.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what should follow "yonder window brea"? Land: next-character prediction is how GPT writes too.
# > The LSTM trains in this section (800 steps in full mode): read the bigram samples aloud while it runs.

# %%
from utils.data import CharTokenizer, shakespeare, shakespeare_split

train_text, val_text = shakespeare_split("tiny", "train"), shakespeare_split("tiny", "val")
tokenizer = CharTokenizer(shakespeare("full"))  # every character of the canon, so typed text works later
train_ids = torch.tensor(tokenizer.encode(train_text))
val_ids = torch.tensor(tokenizer.encode(val_text))
print(f"{len(train_text):,} training and {len(val_text):,} validation characters; "
      f"vocabulary of {tokenizer.vocab_size} characters")
print(train_text[:160])

# %% [markdown]
# ### The baseline: a bigram model
#
# The simplest language model counts, in the training text, how often each character follows each
# other character, and predicts from the previous character only. We measure models by their
# **cross-entropy** on validation text, $-\frac1N\sum \ln p(\text{actual next character})$, in nats
# per character (notebook 04): guessing uniformly among the 76 characters scores
# $\ln 76 \approx 4.33$.

# %%
def bigram_loss_by_hand(train_ids, val_ids, vocab_size):
    counts = torch.ones(vocab_size, vocab_size)  # add-one smoothing: no pair is ever impossible
    counts.index_put_((train_ids[:-1], train_ids[1:]), torch.ones(len(train_ids) - 1), accumulate=True)
    log_probs = torch.log(counts / counts.sum(dim=1, keepdim=True))  # row a: p(next | previous = a)
    return float(-log_probs[val_ids[:-1], val_ids[1:]].mean())


from utils.rnn import bigram_loss, uniform_loss

bigram_val = bigram_loss_by_hand(train_ids, val_ids, tokenizer.vocab_size)
assert bigram_val == bigram_loss(train_ids, val_ids, tokenizer.vocab_size)  # the course's copy, used from here on
print(f"validation loss: uniform guess {uniform_loss(tokenizer.vocab_size):.3f}, bigram {bigram_val:.3f} nats/char")
assert bigram_val < uniform_loss(tokenizer.vocab_size)

# %% [markdown]
# ### The LSTM cell
#
# A plain RNN forgets quickly (section 5 shows why). The **LSTM** (long short-term memory,
# [Hochreiter & Schmidhuber, 1997](https://doi.org/10.1162/neco.1997.9.8.1735)) adds a second
# memory, the **cell state** $c_t$, changed only by *gates*: numbers between 0 and 1 computed from
# the input and the previous hidden state, which decide what to forget, what to write and what to
# show. The original LSTM had input and output gates only; the **forget gate** $f_t$ was added by
# [Gers, Schmidhuber & Cummins (2000)](https://doi.org/10.1162/089976600300015015), and the equations
# below (PyTorch's too) are that version:
#
# $$
# \begin{aligned}
# i_t &= \sigma(W_i [x_t, h_{t-1}] + b_i) && \text{input gate: how much to write}\\
# f_t &= \sigma(W_f [x_t, h_{t-1}] + b_f) && \text{forget gate: how much to keep}\\
# g_t &= \tanh(W_g [x_t, h_{t-1}] + b_g) && \text{candidate content}\\
# o_t &= \sigma(W_o [x_t, h_{t-1}] + b_o) && \text{output gate: how much to show}\\
# c_t &= f_t \odot c_{t-1} + i_t \odot g_t, \qquad h_t = o_t \odot \tanh(c_t).
# \end{aligned}
# $$
#
# The cell state is updated by *multiplying by a gate and adding*, not by squashing through a
# weight matrix, so information (and gradient) can travel far when the forget gate stays near 1.
# One step, from scratch, against PyTorch's `nn.LSTMCell` (which stores the four gates' weights
# stacked in the order i, f, g, o):

# %%
def lstm_step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """One LSTM step. x: (batch, features); h, c: (batch, hidden). Returns the new (h, c)."""
    gates = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh      # (batch, 4 * hidden)
    i, f, g, o = gates.chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h = torch.sigmoid(o) * torch.tanh(c)
    return h, c


cell = torch.nn.LSTMCell(3, 4)
x, h, c = torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4)
h_ref, c_ref = cell(x, (h, c))
h_ours, c_ours = lstm_step(x, h, c, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
utils.assert_close("our LSTM step: h", h_ours, h_ref)
utils.assert_close("our LSTM step: c", c_ours, c_ref);

# %% [markdown]
# ### Training
#
# The model (`utils.rnn.CharLSTM`) is an embedding (each character id → a learned vector of 48
# numbers; notebook 06 explains embeddings), one LSTM layer (PyTorch's fast version of the cell
# above) and a linear layer giving a score (logit) for each of the 76 possible next characters.
# We train it on random 100-character slices: at every position the target is the next character.
# Gradient clipping (rescaling gradients whose norm exceeds 1) guards against the exploding
# gradients of section 5.

# %%
from utils.rnn import CharLSTM

utils.seed_everything(0)
device = utils.get_device()
hidden_size = utils.fast(128, 64)
steps = utils.fast(800, 120)
batch_size, seq_len = 32, 100
model = CharLSTM(tokenizer.vocab_size, embed_dim=48, hidden_size=hidden_size).to(device)
print(f"CharLSTM with {sum(p.numel() for p in model.parameters()):,} parameters, {steps} steps on {device}")


def random_batch(ids, generator):
    """Inputs and targets (batch, seq_len): targets are the inputs shifted by one character."""
    starts = torch.randint(0, len(ids) - seq_len - 1, (batch_size,), generator=generator)
    x = torch.stack([ids[s:s + seq_len] for s in starts])
    y = torch.stack([ids[s + 1:s + seq_len + 1] for s in starts])
    return x.to(device), y.to(device)


def validation_loss(model, pieces=40):
    """Mean cross-entropy over `pieces` fixed slices of the validation text (nats per character)."""
    starts = torch.linspace(0, len(val_ids) - seq_len - 2, pieces).long()
    x = torch.stack([val_ids[s:s + seq_len] for s in starts]).to(device)
    y = torch.stack([val_ids[s + 1:s + seq_len + 1] for s in starts]).to(device)
    model.eval()
    with torch.no_grad():
        loss = torch.nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten()).item()
    model.train()
    return loss


optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.01, total_steps=steps, pct_start=0.1)
generator = torch.Generator().manual_seed(0)
train_curve, val_curve = [], [(0, validation_loss(model))]
progress = tqdm(range(1, steps + 1), desc="CharLSTM")
for step in progress:
    x, y = random_batch(train_ids, generator)
    loss = torch.nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten())
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    schedule.step()
    train_curve.append(loss.item())
    if step % max(1, steps // 10) == 0 or step == steps:
        val_curve.append((step, validation_loss(model)))
        progress.set_postfix(train=f"{np.mean(train_curve[-20:]):.3f}", val=f"{val_curve[-1][1]:.3f}")
lstm_val = val_curve[-1][1]

fig, ax = plt.subplots(figsize=(7, 3.4))
ax.plot(range(1, steps + 1), train_curve, lw=0.8, alpha=0.6, label="training batches")
ax.plot(*zip(*val_curve), marker="o", label="validation")
ax.axhline(bigram_val, color="tab:red", ls="--", label=f"bigram baseline ({bigram_val:.2f})")
ax.set(xlabel="step", ylabel="cross-entropy (nats/char)", ylim=(1.0, 4.5), title="CharLSTM on tiny Shakespeare")
ax.legend()
plt.show()
print(f"validation loss: LSTM {lstm_val:.3f}, bigram {bigram_val:.3f}, uniform {uniform_loss(tokenizer.vocab_size):.3f}")

# %% [markdown]
# **Check.** The LSTM's validation loss is below the bigram baseline (in full mode by a wide
# margin: it has learned far more than which letter follows which), and training reduced it.

# %%
margin = utils.fast(0.5, 0.05)
assert lstm_val < bigram_val - margin, f"LSTM {lstm_val:.3f} should be below bigram {bigram_val:.3f} by {margin}"
utils.assert_decreased("validation loss", [v for _, v in val_curve], by=0.3)

# %% [markdown]
# ### Writing like Shakespeare
#
# To generate, we feed a prompt, turn the logits for the next character into probabilities, draw
# one character at random, feed it back and repeat. The **temperature**
# $T$ divides the logits before the softmax, $p_i \propto e^{z_i / T}$: $T < 1$ sharpens the
# distribution (safer, more repetitive), $T > 1$ flattens it (more surprising, more misspelt).

# %%
def sample_by_hand(model, tokenizer, prompt, length, temperature, seed):
    generator = torch.Generator().manual_seed(seed)
    device = next(model.parameters()).device
    out = []
    with torch.no_grad():
        logits, _, state = model(torch.tensor([tokenizer.encode(prompt)], device=device), return_hidden=True)
        for _ in range(length):
            probs = torch.softmax(logits[0, -1].float().cpu() / temperature, dim=-1)
            next_id = int(torch.multinomial(probs, 1, generator=generator))  # draw one character
            out.append(next_id)
            logits, _, state = model(torch.tensor([[next_id]], device=device), state, return_hidden=True)  # feed it back
    return tokenizer.decode(out)


# utils.rnn.sample_text: the same loop, a few times faster (it runs the LSTM equations directly)
from utils.rnn import sample_text

sample = sample_text(model, tokenizer, "ROMEO:\n", length=utils.fast(500, 200), temperature=0.8, seed=0)
assert sample_by_hand(model, tokenizer, "ROMEO:\n", 100, 0.8, seed=0) == sample[:100]
print("ROMEO:\n" + sample)

# %% [markdown]
# In full mode the sample has the shape of a play: speaker names in capitals followed by a colon,
# lines of verse, punctuation in the right places and mostly real words, though the meaning wanders.
# A model of about 100 thousand parameters trained for a minute or two knows spelling and layout,
# not plot; notebook 08's transformer does better with the same data.

# %%
assert len(sample) == utils.fast(500, 200) and set(sample) <= set(tokenizer.chars)
assert sample_text(model, tokenizer, "ROMEO:\n", 200, 0.8, seed=0) == sample[:200], "same seed, same text"
greedy = sample_text(model, tokenizer, "ROMEO:\n", 200, temperature=0.05, seed=1)
hot = sample_text(model, tokenizer, "ROMEO:\n", 200, temperature=2.0, seed=1)
print("T=0.05:", greedy[:100].replace("\n", " / "))
print("T=2.0: ", hot[:100].replace("\n", " / "))
assert len(set(greedy)) < len(set(hot)), "a low temperature should use fewer distinct characters than a high one"
if not utils.is_fast():
    assert ":\n" in sample and sample.count(" ") > 40, "a trained model writes speeches with words"
    assert 90_000 < sum(p.numel() for p in model.parameters()) < 120_000, "about 100 thousand parameters"

# %% [markdown]
# ### Try it: temperature and the hidden state
#
# Move the **temperature** slider: the bars show the probabilities of the first character after
# the prompt at that temperature, and a new sample is drawn with it. Change the prompt (a speaker's
# name followed by a colon and a newline works well) and press **resample** for another draw.

# %%
from utils.widgets import TemperatureSampler

sampler = TemperatureSampler(model, tokenizer, prompt="JULIET:\n", temperature=0.8)
sampler

# %% [markdown]
# What is in the memory? The heatmap shows 32 of the LSTM's hidden units (rows) after each
# character (columns) of the text you type: red positive, blue negative. The rows are sorted by
# each unit's average along the text, highest on top, and the number beside a row is the unit's
# index in the model. Units that stay on or off the whole time gather at the top and the bottom, so
# the units that switch with the characters sit together in the middle. Look there for units that
# switch at a newline, inside a word versus at a space, or after a colon; Karpathy found units
# tracking quotes and line length in bigger models
# ([Karpathy et al., 2015](https://arxiv.org/abs/1506.02078)). Most units are not that easy to read.

# %%
from utils.widgets import HiddenStateView

heatmap = HiddenStateView(model, tokenizer, text="ROMEO:\nBut, soft! what light through yonder window breaks?")
heatmap

# %% [markdown]
# **Check.** The views draw what the model computes: the heatmap holds the model's own hidden
# states (row by row in the sorted order, highest average first), and the bars are the softmax of
# its logits at the chosen temperature.

# %%
with torch.no_grad():
    ids = torch.tensor([tokenizer.encode(heatmap.state.text)], device=device)
    _, hidden_states, _ = model(ids, return_hidden=True)
utils.assert_close("heatmap = model hidden states", heatmap.states,
                  hidden_states[0, :, torch.as_tensor(heatmap.unit_order)].T.cpu(), atol=1e-6)
assert (np.diff(heatmap.states.mean(axis=1)) <= 1e-6).all(), "rows must go from the highest average down"
sampler.temperature.value = 0.3
sharp = sampler.next_char_probs().max().item()
sampler.temperature.value = 1.5
flat = sampler.next_char_probs().max().item()
assert sharp > flat, "lower temperature must sharpen the distribution"
sampler.temperature.value = 0.8

# %% [markdown]
# ## 5. Vanishing and exploding gradients
#
# Training an RNN means backpropagating through the unrolled network: the gradient that reaches
# the input $k$ steps back is a product of $k$ Jacobians $\partial h_t / \partial h_{t-1} =
# \operatorname{diag}(1 - h_t^2)\, W_{hh}$. A product of $k$ similar factors behaves like a power:
# if the factors shrink vectors the gradient **vanishes** exponentially in $k$; if they stretch them
# it **explodes** ([Bengio et al., 1994](https://doi.org/10.1109/72.279181);
# [Pascanu et al., 2013](https://arxiv.org/abs/1211.5063)). First the pure power, with matrices
# whose largest eigenvalue (spectral radius) is 0.9 or 1.1:

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what is $0.9^{100}$, and $1.1^{100}$? (0.00003 and 13 780.)
# > Land: gradients through time are powers; the LSTM's additive cell state lets them survive.

# %%
utils.seed_everything(0)
W = torch.randn(32, 32) / 32 ** 0.5
W = W / torch.linalg.eigvals(W).abs().max()             # spectral radius exactly 1
distances = np.arange(0, 101)
power_norms = {}
for radius in (0.9, 1.0, 1.1):
    v = torch.randn(32)
    norms = []
    for _ in distances:
        norms.append(v.norm().item())
        v = (radius * W).T @ v                          # one more step of backpropagation
    power_norms[radius] = np.array(norms)
    print(f"spectral radius {radius}: gradient norm after 100 steps ×{norms[-1] / norms[0]:.2g}")
assert power_norms[0.9][-1] < 1e-2 * power_norms[0.9][0], "radius < 1 must vanish"
assert power_norms[1.1][-1] > 1e2 * power_norms[1.1][0], "radius > 1 must explode"

# %% [markdown]
# Now real networks. We feed 100 random input vectors into a plain RNN and into an LSTM (both
# untrained, 64 units) and measure how strongly the last hidden state depends on each input:
# the norm of $\partial h_{100} / \partial x_{100-k}$ against the distance $k$. Then the same for
# our trained Shakespeare LSTM: how much the prediction after 100 characters depends on the
# character $k$ steps back.
#
# An honest detail: an LSTM with PyTorch's default initialisation has forget gates near
# $\sigma(0) = 0.5$, so its memory also halves at every step. Opening the forget gates with a
# positive bias is the common fix: [Jozefowicz et al. (2015)](https://proceedings.mlr.press/v37/jozefowicz15.html)
# recommend a forget-gate bias of 1. We add 2 ($\sigma(2) \approx 0.88$), our own choice, so the
# effect is plain over 100 steps; training can learn the same.

# %%
def sensitivity(network, length=100, features=16):
    """Norm of d(last hidden state)/d(input k steps back), for k = 0 .. length-1.

    In float64: the plain RNN's gradient falls below float32's smallest number (~1e-38 relative
    to it, it becomes exactly 0), which would draw as a sudden plunge that is not in the network."""
    x = torch.randn(1, length, features, requires_grad=True, dtype=torch.float64)
    states, _ = network.double()(x)
    states[0, -1].sum().backward()
    return x.grad[0].norm(dim=-1).flip(0).numpy()


utils.seed_everything(0)
plain_rnn = torch.nn.RNN(16, 64, batch_first=True)
lstm_default = torch.nn.LSTM(16, 64, batch_first=True)
lstm_open = torch.nn.LSTM(16, 64, batch_first=True)
with torch.no_grad():
    lstm_open.bias_hh_l0[64:128] += 2.0                 # the forget gate's slice of the bias (order i, f, g, o)
curves = {"plain RNN": sensitivity(plain_rnn), "LSTM (default init)": sensitivity(lstm_default),
          "LSTM (forget gates open)": sensitivity(lstm_open)}

# The trained model: d(logit of the prediction after 100 characters)/d(embedding k characters back).
text_ids = val_ids[1000:1100].unsqueeze(0).to(device)
embedded = model.embedding(text_ids).detach().requires_grad_(True)
out, _ = model.lstm(embedded)
model.head(out[0, -1]).max().backward()
curves["trained CharLSTM"] = embedded.grad[0].norm(dim=-1).flip(0).cpu().numpy()

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
for (radius, norms), style in zip(power_norms.items(), ("-", "--", "-.")):   # style: a cue beside colour
    left.plot(distances, norms / norms[0], style, lw=2, label=f"radius {radius}")
left.set(yscale="log", xlabel="steps back k", ylabel="gradient norm (relative)", title="powers of a matrix")
left.legend()
styles = {"plain RNN": "-", "LSTM (default init)": "--", "LSTM (forget gates open)": "-.", "trained CharLSTM": ":"}
for name, values in curves.items():  # the line style tells the curves apart without colour
    right.plot(np.arange(len(values)), values / values[0], styles[name], lw=2, label=name)
right.set(yscale="log", xlabel="distance k (steps back)", ylabel="gradient norm (relative to k = 0)",
          title="how far back can the gradient reach?")
right.legend(fontsize=8)
fig.tight_layout()
plt.show()
for name, values in curves.items():
    print(f"{name:>26}: relative gradient at distance 10: {values[10] / values[0]:.1e}, "
          f"at 50: {values[50] / values[0]:.1e}")

# %% [markdown]
# **Check.** The plain RNN's gradient vanishes exponentially: 50 steps back it is many orders of
# magnitude smaller than at the last step. The LSTM with open forget gates keeps a usable gradient
# at distance 50, thousands of times larger than the plain RNN's.

# %%
rnn_curve, open_curve = curves["plain RNN"], curves["LSTM (forget gates open)"]
assert rnn_curve[50] < 1e-6 * rnn_curve[0], "the plain RNN's gradient should vanish"
assert open_curve[50] > 1e-2 * open_curve[0], "the open LSTM should keep its gradient"
assert open_curve[50] / open_curve[0] > 1e3 * rnn_curve[50] / rnn_curve[0]

# %% [markdown]
# Our trained Shakespeare LSTM sits in between: training itself opened some of its gates, so the
# prediction still depends (weakly) on characters 50 steps back, far more than an untrained network's.
#
# Gradient clipping (used in our training loop) caps exploding gradients; the LSTM's additive cell
# state (and the GRU, a lighter cousin, [Cho et al., 2014](https://arxiv.org/abs/1406.1078))
# eases vanishing ones. But an RNN still squeezes everything it has read into one fixed-size vector
# and reads strictly in order, one step after another, which is slow to train on long texts.
# **Attention** (notebook 07) lets every position look back at every earlier one directly.
#
# ## Recap
#
# - A recurrent cell reads a sequence step by step, $h_t = \tanh(W_{xh}x_t + W_{hh}h_{t-1} + b)$,
#   with the same weights at every step; unrolled, it is a deep network with shared weights.
# - Trained on a noisy seasonal signal, a small RNN forecasts one and 50 steps ahead far better than
#   "repeat the last value".
# - A character-level LSTM on 1 M characters of Shakespeare beats the bigram baseline by a wide
#   margin and writes text with the layout of a play; temperature trades safety for variety.
# - Gradients through time are products of Jacobians: they vanish or explode exponentially with
#   distance. The LSTM's gated, additive cell state lets them survive when the forget gate is open.
#
# **Next:** notebook 06 replaces characters by tokens and learns what words mean as vectors.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: why does the LSTM keep gradients alive where the plain RNN loses them?

# %% [markdown]
# ## Exercises
#
# ★ checks your understanding, ★★ changes the code, ★★★ is a small investigation. Replace each `...`,
# run the cell, then run the check below it: it says ✓ and why, or gives a hint. Reference solutions are
# in [solutions/05_recurrent_networks.py](solutions/05_recurrent_networks.py); try first.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Exercises 1 and 2 are pen-and-paper: do them together on the board. Exercise 3 is homework.

# %%
from utils.exercises import check

# %% [markdown]
# **1. An RNN by hand ★.** One hidden unit, $W_{xh} = 1$, $W_{hh} = 0.5$, zero biases, $h_0 = 0$. Compute
# $h_1, h_2, h_3$ for the inputs $1, 0, 0$ on paper, then with `rnn_forward`. What happens to the memory of
# the first input?

# %%
h_by_hand = ...  # [h1, h2, h3]

# %%
check("05.1", h_by_hand);

# %% [markdown]
# **2. A bigram by hand ★.** Train the bigram model of section 4 on the text `"ababa"` (vocabulary: a, b),
# with the same add-one smoothing as `bigram_loss_by_hand`. What probability does it give to "b" after "a"?

# %%
p_b_after_a = ...  # a probability

# %%
check("05.2", p_b_after_a);

# %% [markdown]
# **3. How long does one input last? ★★★** Same one-unit RNN as exercise 1, but the input is 1 followed by
# 19 zeros. Compute $h_{20}$ with `rnn_forward` for $W_{hh} = 0.5$, $0.9$ and $1.5$. Which weights forget,
# which remember, and what exactly do they remember? Plot $h_t$ for each if you like.

# %%
h20_per_weight = ...  # [h_20 at W_hh = 0.5, 0.9, 1.5]

# %%
check("05.3", h20_per_weight);
