# %% [markdown]
# # 08 · GPT: a transformer from scratch, trained on Shakespeare
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/08_gpt.ipynb)
#
# **What you will learn**
# - how GPT, BERT and encoder–decoder transformers differ, stated correctly;
# - the decoder block (LayerNorm, attention, MLP, residual connections) and a whole GPT, from scratch;
# - how to count a transformer's parameters by formula, from our toy to GPT-2 and GPT-3;
# - how to train it on Shakespeare and sample from it: greedy, temperature, top-k, top-p;
# - the KV cache: why generation does not need to recompute the past.
#
# **Time:** about 75 minutes. **Needs:** notebook 07 (attention).

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
# ## 1. Three kinds of transformer
#
# The original transformer ([Vaswani et al., 2017](https://arxiv.org/abs/1706.03762)) was built for
# translation and has two halves. Later models kept one half or both:
#
# | family | attention | trained to | examples |
# |---|---|---|---|
# | **decoder-only** | causal: each token sees only earlier tokens | predict the next token | GPT ([Radford et al., 2018](https://cdn.openai.com/research-covers/language-unsupervised/language_understanding_paper.pdf)), GPT-2, GPT-3, Llama |
# | **encoder-only** | bidirectional: each token sees the whole input | fill in masked-out tokens | BERT ([Devlin et al., 2019](https://arxiv.org/abs/1810.04805)), RoBERTa |
# | **encoder–decoder** | encoder bidirectional; decoder causal + cross-attention to the encoder | map an input text to an output text | the original transformer, T5 ([Raffel et al., 2020](https://arxiv.org/abs/1910.10683)), BART |
#
# BERT is **encoder-only**, not an encoder–decoder (the "B" is for *bidirectional*, the "E" for
# *encoder*): it reads a whole text at once and is used to understand and classify, not to generate.
# GPT is decoder-only: one stack of causally masked blocks that writes one token after another.
# That is what we build.
#
# The name spells out the recipe. **G**enerative: it writes new text, one token at a time, each
# chosen from the probabilities it predicts. **P**re-trained: it is first trained on a large amount
# of unlabelled text to predict the next token, and only then adapted to a task (notebooks 09–11).
# **T**ransformer: the architecture of notebook 07, here its decoder-only form.

# %% [markdown]
# ![Three transformer families side by side: encoder-only (BERT) with bidirectional attention fills in a masked word; decoder-only (GPT, Llama) with causal attention predicts the next token; encoder–decoder (original transformer, T5) has a bidirectional encoder feeding a causal decoder through cross-attention](../images/transformer_families.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: is BERT an encoder–decoder? (No: encoder-only.) Which family writes text one token at a time?
# > Land: GPT is decoder-only, one causal stack.

# %% [markdown]
# ## 2. The pieces of a block
#
# A GPT block (as in GPT-2, [Radford et al., 2019](https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf))
# does two things, each wrapped in a **residual connection** and preceded by a **LayerNorm**:
#
# $$ x \leftarrow x + \operatorname{Attention}(\operatorname{LN}(x)), \qquad
#    x \leftarrow x + \operatorname{MLP}(\operatorname{LN}(x)). $$
#
# - **Attention** (notebook 07): tokens exchange information.
# - **MLP**: each token thinks on its own: $d \to 4d \to d$ with a GELU in between.
# - **Residual** ($x + \dots$): each sublayer only *adds* a correction, so a deep stack starts close
#   to the identity and gradients flow straight through the additions.
# - **LayerNorm**: rescales each token vector to mean 0 and variance 1 (then a learned gain), which
#   keeps the numbers in a range where training is stable:
#   $\operatorname{LN}(x) = \gamma \odot \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}$.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: why *add* the sublayer's output to $x$ instead of replacing $x$?
# > Land: residuals start the stack near the identity, LayerNorm keeps numbers in range.

# %%
import math

import torch
import torch.nn.functional as F
from torch import nn

from utils import assert_close
from utils.models import CausalSelfAttention, GPTConfig


class LayerNorm(nn.Module):
    """Normalise each vector over its channels, then scale by a learned gain (no bias, like our GPT)."""

    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        mean = x.mean(-1, keepdim=True)
        var = x.var(-1, keepdim=True, unbiased=False)
        return self.weight * (x - mean) / torch.sqrt(var + self.eps)


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        d = config.n_embd
        self.ln1 = LayerNorm(d)
        self.attn = CausalSelfAttention(config)       # notebook 07's multi-head attention
        self.ln2 = LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d, bias=False), nn.GELU(), nn.Linear(4 * d, d, bias=False))

    def forward(self, x):                             # x: (batch, time, channels)
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


# %%
x = torch.randn(2, 5, 32) * 3 + 1
ln = LayerNorm(32)
assert_close("our LayerNorm vs torch", ln(x), F.layer_norm(x, (32,)), atol=1e-5)
assert_close("each vector: mean 0", ln(x).mean(-1), torch.zeros(2, 5), atol=1e-5)
print("block output shape:", tuple(Block(GPTConfig(n_embd=32, n_head=4))(x).shape))

# %% [markdown]
# ## 3. The whole GPT
#
# Token ids → **token embedding** + **position embedding** (learned, notebook 07) → $L$ blocks →
# a final LayerNorm → a linear layer to one score (**logit**) per vocabulary entry. A softmax of the
# logits at position $t$ is the model's guess for token $t+1$. Like GPT-2, the output layer reuses
# the token-embedding matrix (**weight tying**: the same vector says "this is token *i*" on the
# way in and "predict token *i*" on the way out).

# %% [markdown]
# ![The whole GPT from bottom to top: token ids (B, T), token and position embeddings added to (B, T, 128), 4 blocks, a final LayerNorm, a linear layer tied to the token embedding giving logits (B, T, 76); beside it one block opened: LayerNorm, causal multi-head attention with 4 heads of 32 channels, a residual add, LayerNorm, an MLP 128 → 512 → 128, a residual add. Ours has 813,696 parameters; GPT-2 small 12 blocks, 768 channels, 12 heads, 124,439,808](../images/gpt_architecture.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: why can the output layer reuse the token-embedding matrix?
# > Land: embeddings, blocks, a LayerNorm, one linear layer: that is all of GPT.

# %%
class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.token_embedding = nn.Embedding(config.vocab_size, config.n_embd)
        self.position_embedding = nn.Embedding(config.block_size, config.n_embd)
        self.blocks = nn.ModuleList([Block(config) for _ in range(config.n_layer)])
        self.ln_f = LayerNorm(config.n_embd)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.token_embedding.weight          # weight tying

    def forward(self, idx, targets=None):             # idx: (batch, time) token ids
        T = idx.shape[1]
        x = self.token_embedding(idx) + self.position_embedding(torch.arange(T))
        for block in self.blocks:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))           # (batch, time, vocab)
        loss = None if targets is None else F.cross_entropy(logits.flatten(0, 1), targets.flatten())
        return logits, loss


# %% [markdown]
# **Check.** With the same weights, our GPT computes exactly what the course's `utils.models.GPT`
# computes (that one adds dropout, optional biases, a KV cache and the attention trace). From here on
# we use the utils version, and notebooks 09–11 do too.

# %%
import utils.models

config = GPTConfig(vocab_size=76, block_size=32, n_layer=2, n_head=4, n_embd=32)
utils.seed_everything(0)
ours = GPT(config)
course_gpt = utils.models.GPT(config)
course_gpt.load_state_dict(ours.state_dict())
idx = torch.randint(76, (2, 20))
assert_close("our GPT vs utils.models.GPT", ours(idx)[0], course_gpt(idx)[0], atol=1e-5);

# %% [markdown]
# ## 4. How many parameters?
#
# Per block, with $d$ channels: attention has $W_Q, W_K, W_V, W_O$, four $d \times d$ matrices
# ($4d^2$); the MLP has $d \times 4d$ and $4d \times d$ ($8d^2$); two LayerNorm gains ($2d$).
# With biases (GPT-2 has them) add $4d$ (attention), $4d + d$ (MLP) and $2d$ (LayerNorm biases).
# Outside the blocks: token embeddings $V d$ (shared with the output layer), positions $T d$ and
# the final LayerNorm $d$ (+ $d$). So
#
# $$ N = L\,(12 d^2 + 2d) + (V + T)\,d + d \quad\text{(no biases)}, \qquad
#    N = L\,(12 d^2 + 13 d) + (V + T)\,d + 2d \quad\text{(with biases)}. $$
#
# The $12 L d^2$ term dominates for big models: parameters grow with depth times width squared.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: doubling the width or doubling the depth: which adds more parameters? (Width: $d^2$.)
# > Land: $12 L d^2$ recovers GPT-2's 124 M and GPT-3's 175 B.

# %%
def parameter_count(V, T, d, L, bias=False):
    if bias:
        return L * (12 * d * d + 13 * d) + (V + T) * d + 2 * d
    return L * (12 * d * d + 2 * d) + (V + T) * d + d


def counted(model):
    return sum(p.numel() for p in model.parameters())   # a tied matrix is counted once


for cfg in (config, GPTConfig(vocab_size=76, block_size=128, n_layer=4, n_head=4, n_embd=128, bias=True)):
    formula = parameter_count(cfg.vocab_size, cfg.block_size, cfg.n_embd, cfg.n_layer, cfg.bias)
    code = counted(utils.models.GPT(cfg))
    print(f"L={cfg.n_layer} d={cfg.n_embd} bias={cfg.bias}: formula {formula:,}  code {code:,}")
    assert formula == code == utils.models.gpt_parameter_count(cfg)

# %% [markdown]
# The same formula for real models. GPT-2 small: 12 layers, $d=768$, vocabulary 50,257, context
# 1024, with biases ([Radford et al., 2019](https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf)).
# The paper rounds it to "117M"; the released checkpoint has exactly 124,439,808 parameters.
# GPT-3: 96 layers, $d = 12{,}288$, context 2048, same vocabulary: "175B"
# ([Brown et al., 2020](https://arxiv.org/abs/2005.14165), Table 2.1).

# %%
gpt2_small = parameter_count(V=50257, T=1024, d=768, L=12, bias=True)
gpt3 = parameter_count(V=50257, T=2048, d=12288, L=96, bias=True)
print(f"GPT-2 small: {gpt2_small:,}")
print(f"GPT-3:       {gpt3:,}  ≈ {gpt3 / 1e9:.1f} billion")
assert gpt2_small == 124_439_808
assert abs(gpt3 / 175e9 - 1) < 0.01

# %% [markdown]
# ## 5. Training on Shakespeare
#
# The model reads characters. The vocabulary is every character that occurs in any of the plays
# (76 of them, so the model can read any line of any play); the training text is the ~1.1 M-character subset of
# `utils.data` (the plays of Karpathy's Tiny Shakespeare), 90 % for training, 10 % held out.
#
# A training example is a random window of `block_size` characters; the targets are the same
# window shifted by one. One window thus gives `block_size` predictions at once, each seeing only
# its past: that is what the causal mask buys.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what loss should an untrained model have with 76 characters? ($\ln 76 \approx 4.33$.)
# > Training takes a while in full mode; section 6 loads the shipped, longer-trained model, so nothing later waits on this run.

# %%
from utils.data import CharTokenizer, shakespeare, shakespeare_split

tokenizer = CharTokenizer(shakespeare("full"))
train_data = torch.tensor(tokenizer.encode(shakespeare_split("tiny", "train")))
val_data = torch.tensor(tokenizer.encode(shakespeare_split("tiny", "val")))
print(f"vocabulary {tokenizer.vocab_size} characters; train {len(train_data):,}, validation {len(val_data):,}")


def get_batch(data, block_size, batch_size, generator):
    starts = torch.randint(len(data) - block_size - 1, (batch_size,), generator=generator)
    x = torch.stack([data[s : s + block_size] for s in starts])
    y = torch.stack([data[s + 1 : s + block_size + 1] for s in starts])
    return x, y


x, y = get_batch(train_data, 24, 1, torch.Generator().manual_seed(0))
print("input :", repr(tokenizer.decode(x[0].tolist())))
print("target:", repr(tokenizer.decode(y[0].tolist())))

# %% [markdown]
# Before training, the model should be clueless: every character equally likely, a loss of
# $\ln 76 \approx 4.33$. The loop is the one from notebooks 02–05 with AdamW and gradient clipping;
# the learning rate stays constant and then decays linearly to zero (notebook 09 takes the loop apart).
# To measure, `evaluate` averages the loss over the *whole* validation slice in non-overlapping
# windows, so every character is predicted once (random windows would be too noisy to compare).
# The bar shows the loss as it trains. The model has two blocks of 128 channels: on a small budget,
# two blocks learn more per second than four (`benchmarks/train_gpt.py` races this recipe against
# nanoGPT's four-block CPU recipe).

# %%
from tqdm.auto import tqdm


@torch.no_grad()
def evaluate(model, data, batch_size=64):
    """Mean next-token loss over all of `data`, in non-overlapping windows: every token is predicted once."""
    block = model.config.block_size
    n_windows = (len(data) - 1) // block
    x_all = data[: n_windows * block].view(n_windows, block)
    y_all = data[1 : n_windows * block + 1].view(n_windows, block)
    model.eval()   # no dropout while measuring
    total = 0.0
    for i in range(0, n_windows, batch_size):
        _, loss = model(x_all[i : i + batch_size], y_all[i : i + batch_size])
        total += loss.item() * len(x_all[i : i + batch_size])
    model.train()
    return total / n_windows


utils.seed_everything(0)
demo_config = GPTConfig(vocab_size=tokenizer.vocab_size, block_size=64, n_layer=2, n_head=4, n_embd=128)
model = utils.models.GPT(demo_config)
steps, batch_size, peak_lr = utils.fast(300, 30), 16, 4e-3
optimizer = torch.optim.AdamW(model.parameters(), lr=peak_lr, betas=(0.9, 0.99), weight_decay=0.1)
generator = torch.Generator().manual_seed(0)
loss_before = evaluate(model, val_data[:20_000])
losses = []
bar = tqdm(range(steps), desc="training", mininterval=1.0)
for step in bar:
    lr = peak_lr * min(1.0, (step + 1) / 30, (steps - step) / (0.4 * steps))   # warmup, constant, decay
    for group in optimizer.param_groups:
        group["lr"] = lr
    xb, yb = get_batch(train_data, demo_config.block_size, batch_size, generator)
    _, loss = model(xb, yb)
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    losses.append(loss.item())
    if step % 20 == 0:
        bar.set_postfix(loss=f"{sum(losses[-20:]) / len(losses[-20:]):.3f}")
loss_after = evaluate(model, val_data[:20_000])
print(f"validation loss {loss_before:.3f} → {loss_after:.3f} (ln V = {math.log(tokenizer.vocab_size):.3f})")

# %%
from utils.plots import plot_curves
from utils.rnn import bigram_loss

# Each point is the mean of the 20 steps around it (centred, so the curve does not lag behind).
smooth = [sum(losses[max(0, i - 10) : i + 10]) / len(losses[max(0, i - 10) : i + 10]) for i in range(len(losses))]
plot_curves({"training loss": smooth}, ylabel="cross-entropy (nats per character)",
            title="Our GPT learning Shakespeare (training loss, mean of 20 steps)",
            references={f"ln V = {math.log(tokenizer.vocab_size):.2f}: uniform guessing": math.log(tokenizer.vocab_size),
                        "bigram model (one character of context)": bigram_loss(train_data, val_data, tokenizer.vocab_size)})

# %% [markdown]
# **Check.** The untrained model is near $\ln V$ (it knows nothing), and training lowered the
# validation loss on text it never saw.

# %%
assert abs(loss_before - math.log(tokenizer.vocab_size)) < 0.3, "an untrained model should be near ln V"
utils.assert_decreased("validation loss", [loss_before, loss_after], by=utils.fast(0.4, 0.1))

# %% [markdown]
# A few hundred steps give a model that has learned spelling and the shape of a speech. The course
# ships one trained for longer (same recipe, context 128, four layers; `make checkpoint` rebuilds
# it; `data/shakespeare_gpt.json` records 1,003 s of training, about 17 minutes, on one CPU thread).
# Its card:

# %%
from utils.checkpoints import checkpoint_info, load_shakespeare_gpt

trained, tokenizer = load_shakespeare_gpt()
info = checkpoint_info()
print(f"{info['parameters']:,} parameters, {info['file_bytes'] / 1e6:.1f} MB (fp16), "
      f"{info['recipe']['steps']} steps, seed {info['seed']}")
print(f"validation loss {info['val_loss']} (whole validation split) · rebuild: {info['rebuild']}")
assert trained.num_parameters() == info["parameters"]
assert round(info["train_seconds"]) == 1003, "the training time quoted above comes from this card"

# %% [markdown]
# ## 6. Sampling: greedy, temperature, top-k, top-p
#
# **Training vs inference.** So far we *trained*: changed the weights to lower the loss, with a
# forward pass, a backward pass and an optimiser step for every batch. Using a trained model with its
# weights fixed is called **inference**: forward passes only, here to write text. Per token,
# training costs about three times as much as inference (about $6N$ against $2N$ floating-point
# operations for $N$ parameters, [Kaplan et al., 2020](https://arxiv.org/abs/2001.08361)), and a model
# is trained once but runs inference for every request afterwards.
#
# The model gives a probability for every next character. How we pick one changes the text a lot:
#
# - **greedy**: always the most likely. Deterministic, and it soon loops.
# - **temperature** $\tau$: divide the logits by $\tau$ before the softmax. $\tau < 1$ sharpens
#   (safer, duller), $\tau > 1$ flattens (more surprising, more errors); $\tau \to 0$ is greedy.
# - **top-k**: keep only the $k$ most likely tokens, renormalise.
# - **top-p** (nucleus, [Holtzman et al., 2020](https://arxiv.org/abs/1904.09751)): keep the
#   smallest set of most likely tokens whose probabilities add up to at least $p$.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask the class to predict the text at temperature 0.1 and 1.5 before you move the slider.
# > Land: the model gives probabilities; the sampler decides how bold the text is.

# %%
def sampling_probs(logits, temperature=1.0, top_k=None, top_p=None):
    """logits: (vocab,) -> the probabilities we actually sample from."""
    if temperature == 0:
        return F.one_hot(logits.argmax(), len(logits)).float()
    logits = logits / temperature
    if top_k is not None:
        kth_largest = torch.topk(logits, top_k).values[-1]
        logits = torch.where(logits < kth_largest, float("-inf"), logits)
    probs = torch.softmax(logits, -1)
    if top_p is not None:
        sorted_probs, order = probs.sort(descending=True)
        mass_before = sorted_probs.cumsum(0) - sorted_probs     # probability of the tokens ranked above
        keep = torch.zeros_like(probs, dtype=torch.bool)
        keep[order] = mass_before < top_p
        probs = torch.where(keep, probs, 0.0)
        probs = probs / probs.sum()
    return probs


prompt = "ROMEO:\nWhat light through yonder window "
with torch.no_grad():
    logits = trained(torch.tensor([tokenizer.encode(prompt)]))[0][0, -1]
for name, kwargs in {"temperature 1": {}, "temperature 0.5": {"temperature": 0.5}, "top-k 3": {"top_k": 3},
                     "top-p 0.9": {"top_p": 0.9}, "greedy": {"temperature": 0}}.items():
    p = sampling_probs(logits, **kwargs)
    top = torch.topk(p, 4)
    shown = ", ".join(f"{tokenizer.decode([int(i)])!r} {v:.2f}" for v, i in zip(top.values, top.indices))
    print(f"{name:>15}: {int((p > 0).sum()):>2} tokens possible · {shown}")

# %% [markdown]
# **Check.** Our sampling equals the course's `utils.models.next_token_probs` (which the widgets
# and `generate` use) for every setting; top-k leaves exactly k tokens; colder is sharper.

# %%
from utils.models import next_token_probs

for kwargs in ({}, {"temperature": 0.5}, {"temperature": 1.7, "top_k": 5}, {"top_p": 0.8}, {"temperature": 0},
               {"temperature": 0.8, "top_k": 10, "top_p": 0.9}):
    assert_close(f"sampling {kwargs}", sampling_probs(logits, **kwargs), next_token_probs(logits[None], **kwargs)[0],
                 atol=1e-6)
assert int((sampling_probs(logits, top_k=3) > 0).sum()) == 3
assert sampling_probs(logits, 0.5).max() > sampling_probs(logits, 1.0).max() > sampling_probs(logits, 2.0).max()

# %% [markdown]
# Let us hear it. Same prompt, same seed, three settings:

# %%
from utils.models import generate

samples = {}
for name, kwargs in {"greedy": {"temperature": 0}, "temperature 0.8, top-k 20": {"temperature": 0.8, "top_k": 20},
                     "temperature 1.5": {"temperature": 1.5}}.items():
    out = generate(trained, torch.tensor([tokenizer.encode("JULIET:\n")]), 250,
                   generator=torch.Generator().manual_seed(0), **kwargs)
    samples[name] = tokenizer.decode(out[0].tolist())
    print(f"──── {name} ────\n{samples[name]}\n")

# %% [markdown]
# **Check.** The samples read like a play: new speaker names in capitals followed by a colon, then
# lines of text, and words that Shakespeare used, unlike an untrained model of the same size.
# (Greedy tends to repeat itself; temperature 1.5 invents words.)

# %%
import re

known_words = set(re.findall(r"[a-z]+", shakespeare_split("tiny", "train").lower()))


def real_word_fraction(text):
    words = re.findall(r"[a-z]+", text.lower())
    return sum(w in known_words for w in words) / max(1, len(words))


written = samples["temperature 0.8, top-k 20"][len("JULIET:\n"):]        # without the prompt
speakers = re.findall(r"^[A-Z][A-Z ]+:$", written, flags=re.MULTILINE)
untrained = utils.models.GPT(trained.config)
noise = tokenizer.decode(generate(untrained, torch.tensor([tokenizer.encode("JULIET:\n")]), 250,
                                  generator=torch.Generator().manual_seed(0))[0].tolist())
print(f"new speakers: {speakers[:4]}; words found in the plays: {real_word_fraction(written):.0%} "
      f"(untrained model: {real_word_fraction(noise):.0%})")
assert real_word_fraction(written) > real_word_fraction(noise) + 0.3
assert len(set(samples.values())) == 3
assert speakers, "a play changes speakers"

# %% [markdown]
# ### Try it: next-character probabilities
#
# Type a prompt. Grey bars: the model's probabilities; blue: what sampling uses after temperature,
# top-k and top-p. Then press **generate**. Try: temperature 0 (greedy) and generate twice; top-k 1;
# temperature 2; a prompt that ends in the middle of a word ("ROMEO:\nO gentle Jul").

# %%
from utils.widgets import NextTokenView

next_token_view = NextTokenView(trained, tokenizer, prompt="ROMEO:\nO gentle Jul", temperature=0.8, top_k=20)
next_token_view

# %% [markdown]
# ### Live attention of the trained model
#
# The attention view of notebook 07, on the same model: where does each character look?

# %%
from utils.widgets import AttentionView

AttentionView(trained, tokenizer, text="ROMEO:\nO gentle Juliet", layer=2, head=1)

# %% [markdown]
# ## 7. The KV cache
#
# Generating token $t+1$ needs the queries, keys and values of all tokens so far. Without a cache,
# every step runs the whole prefix of $t$ tokens through the model again: projections and MLP for
# all $t$ tokens and attention between all of them, $O(t^2)$, for a step that only adds one token.
# But the keys and values of earlier tokens do not change (the causal mask means they never see the
# new token). So we **cache** them: each step computes $q, k, v$ and the MLP for the new token only,
# appends $k, v$ to the cache, and attends from the one new query to all $t$ cached keys: $O(t)$.
#
# First in miniature: one attention head, step by step, against the full computation.

# %% [markdown]
# ![Generating the fifth character of 'To be': only the new token goes through W_Q, W_K, W_V; its key and value are appended to the K and V caches where the four earlier ones are stored; its one query meets all five keys and the weighted values give the output. For our GPT the cache holds 2 × 4 × 128 × 128 = 131,072 numbers per sequence](../images/kv_cache.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: when we add one token, which keys and values change? (Only the new token's.)
# > Land: with the cache each step runs the layers for one new token (its attention still reads every cached key), and the text is the same as without it.

# %%
utils.seed_everything(0)
d = 8
W_q, W_k, W_v = (torch.randn(d, d) for _ in range(3))
sequence = torch.randn(10, d)                                   # 10 token vectors


def full_attention(xs):                                        # all tokens at once, causal
    q, k, v = xs @ W_q, xs @ W_k, xs @ W_v
    scores = (q @ k.T / math.sqrt(d)).masked_fill(torch.triu(torch.ones(len(xs), len(xs), dtype=torch.bool), 1),
                                                   float("-inf"))
    return torch.softmax(scores, -1) @ v


k_cache, v_cache, cached_outputs = [], [], []
for x_t in sequence:                                           # one token per step
    k_cache.append(x_t @ W_k)
    v_cache.append(x_t @ W_v)
    K, V = torch.stack(k_cache), torch.stack(v_cache)          # (t, d): all keys and values so far
    weights = torch.softmax((x_t @ W_q) @ K.T / math.sqrt(d), -1)  # one query: no mask needed
    cached_outputs.append(weights @ V)
assert_close("cached steps vs full causal attention", torch.stack(cached_outputs), full_attention(sequence),
             atol=1e-5);

# %% [markdown]
# `utils.models.GPT` does the same in every layer and head (`KVCache`). **Check:** feeding a
# prompt and then one token at a time through the cache gives the same logits as the full model.

# %%
from utils.models import KVCache

ids = torch.tensor([tokenizer.encode("HAMLET:\nTo be, or not to be, that is the question")])
with torch.no_grad():
    full_logits, _ = trained(ids)
    cache = KVCache(trained.config.n_layer)
    pieces = [trained(ids[:, :10], cache=cache)[0]]
    for t in range(10, ids.shape[1]):
        pieces.append(trained(ids[:, t : t + 1], cache=cache)[0])
assert_close("KV-cached logits vs full", torch.cat(pieces, 1), full_logits, atol=1e-4);

# %% [markdown]
# And the payoff: generating with and without the cache (greedy, so both must write the same text
# while the context window is not full).

# %%
import time

n_new = utils.fast(120, 40)
start_ids = torch.tensor([tokenizer.encode("ROMEO:\n")])
timings = {}
for use_cache in (False, True):
    start = time.perf_counter()
    out = generate(trained, start_ids, n_new, temperature=0, use_cache=use_cache)
    timings[use_cache] = time.perf_counter() - start
    timings[f"text {use_cache}"] = out
print(f"without cache {n_new / timings[False]:.0f} tokens/s, with cache {n_new / timings[True]:.0f} tokens/s "
      f"(speed-up {timings[False] / timings[True]:.1f}x on this machine; benchmarks/generate.py measures 500 tokens)")
assert torch.equal(timings["text False"], timings["text True"])

# %% [markdown]
# ## Recap
#
# - GPT is **decoder-only** (causal attention, next-token prediction); BERT is **encoder-only**
#   (bidirectional, masked tokens); T5 and the original transformer are **encoder–decoder**.
# - A block is $x + \operatorname{Attn}(\operatorname{LN}(x))$ then $x + \operatorname{MLP}(\operatorname{LN}(x))$;
#   a GPT is embeddings, $L$ blocks, a LayerNorm and a (tied) output layer.
# - Parameters: $\approx 12 L d^2$ plus embeddings, which gives GPT-2 small's 124,439,808 and
#   GPT-3's 175 B.
# - Trained on next-character prediction, a 0.8 M-parameter model writes text that looks like a play.
# - Sampling settings trade safety for variety; the KV cache runs each generation step for the new token only (its attention still reads every cached key).
#
# **Next:** notebook 09 takes the training loop apart and asks how loss improves with size and compute.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: which number dominates a big model's parameter count, and why?

# %% [markdown]
# ## Exercises
#
# ★ checks your understanding, ★★ changes the code, ★★★ is a small investigation. Replace each `...`,
# run the cell, then run the check below it: it says ✓ and why, or gives a hint. Reference solutions are
# in [solutions/08_gpt.py](solutions/08_gpt.py); try first.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Exercises 1 and 2 take a few minutes in class; exercise 3 is a debugging habit worth a discussion.

# %%
from utils.exercises import check

# %% [markdown]
# **1. Where are the parameters? ★** What fraction of GPT-2 small's parameters sit in its token and position
# embeddings, and what fraction of GPT-3's? Use `parameter_count(..., bias=True)` and the sizes of section 4.

# %%
embedding_shares = ...  # (fraction in GPT-2 small, fraction in GPT-3), each between 0 and 1

# %%
check("08.1", embedding_shares);

# %% [markdown]
# **2. Top-k by hand ★★.** Write `top_k_probs(logits, k)`: the next-token probabilities when only the `k`
# largest logits are kept (works on a batch of rows). Then compare `k = 1` with greedy decoding: what is
# sampling with top-k 1?

# %%
def top_k_probs(logits, k):
    ...  # your code: return probabilities shaped like logits

# %%
check("08.2", top_k_probs);

# %% [markdown]
# **3. The loss before training ★★★.** Build three *untrained* GPTs with `demo_config`'s sizes (seeds 0, 1, 2)
# and measure each one's loss on `val_data[:5_000]` with `evaluate`. What number are they all close to, and
# why? How could this number catch a bug before you train for an hour?

# %%
untrained_losses = ...  # [loss of seed 0, seed 1, seed 2]

# %%
check("08.3", untrained_losses, vocab_size=tokenizer.vocab_size);
