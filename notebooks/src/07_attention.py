# %% [markdown]
# # 07 · Attention: letting every token look at every other
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/07_attention.ipynb)
#
# **What you will learn**
# - why squeezing a whole sentence into one fixed-size RNN state is a bottleneck;
# - dot-product attention by hand on four tokens, every number shown, then with queries, keys and values;
# - why the scores are divided by $\sqrt{d}$, and what the causal mask does;
# - multi-head attention, and why attention needs positional information;
# - how to read the attention of a trained model, layer by layer and head by head.
#
# **Time:** about 60 minutes. **Needs:** notebooks 05 (RNNs) and 06 (tokens and embeddings).

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
# ## 1. The bottleneck of a recurrent network
#
# The RNN of notebook 05 reads a sentence one token at a time and keeps a **hidden state**: a
# vector of fixed size (say 256 numbers). Whatever it wants to remember about token 1 must survive
# being rewritten at token 2, 3, …, 500. Two problems follow:
#
# - **capacity**: a 500-token paragraph and a 5-token phrase must both fit in the same 256 numbers;
# - **distance**: information from far back has passed through many updates (and gradients through
#   many multiplications, the vanishing gradients of notebook 05).
#
# In translation, Bahdanau et al. let the decoder look back at *all* encoder states and take a
# weighted mix of them at every step: **attention**
# ([Bahdanau, Cho & Bengio, 2015](https://arxiv.org/abs/1409.0473)). The transformer keeps only
# that idea and drops the recurrence ("Attention is all you need",
# [Vaswani et al., 2017](https://arxiv.org/abs/1706.03762)). Every token gets direct access to every
# earlier token, whatever the distance.
#
# Why that matters shows in a pair of sentences like those in the course's source notes:
#
# - *The monkey ate the banana because it was **hungry**.* ("it" is the monkey)
# - *The monkey ate the banana because it was **ripe**.* ("it" is the banana)
#
# The two differ in the last word only, and that word decides what "it" refers to. To understand
# the sentence, the model must connect "hungry" back to "monkey" and "ripe" back to "banana". An RNN
# can do this only if both candidates survived in its hidden state; with attention, the token
# "ripe" can look straight at "banana", however many words lie between them. (The Bengali notes ask
# the same about *সে কলা খেয়েছে কারণ সে ক্ষুধার্ত ছিল*, "he ate the banana because he was hungry":
# who is "he"?)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: how do 256 numbers hold a 500-token paragraph? Let the class feel the bottleneck.
# > Land: attention gives each token direct access to every earlier token.

# %% [markdown]
# ## 2. Dot-product attention by hand
#
# Four tokens, each a vector of three numbers (made up so that the result is easy to read):
# "the" and "a" are similar, "cat" and "dog" are similar. Token "dog" asks: *which of the tokens
# are like me?* The answer is a **dot product** per token, a **softmax** to turn the scores into
# weights that are positive and sum to 1, and a **weighted average** of the vectors:
#
# $$ s_j = x_{\text{query}} \cdot x_j, \qquad a_j = \frac{e^{s_j}}{\sum_k e^{s_k}}, \qquad
#    \text{output} = \sum_j a_j\, x_j . $$

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: which token will "dog" weigh most, and why? Compute one score on the board.
# > Land: dot product, softmax, weighted average; the matrix form does all tokens at once.

# %%
import numpy as np
import torch

tokens = ["the", "cat", "a", "dog"]
X = torch.tensor([[1.0, 0.0, 0.2],    # the
                  [0.0, 1.0, 0.5],    # cat
                  [0.9, 0.1, 0.1],    # a
                  [0.1, 1.0, 0.6]])   # dog

query = X[3]                                  # "dog" asks
scores = X @ query                            # one dot product per token: (4,)
weights = torch.exp(scores) / torch.exp(scores).sum()
output = weights @ X                          # weighted average of the four vectors: (3,)

print(f"{'token':>6} {'score':>7} {'weight':>7}")
for t, s, w in zip(tokens, scores, weights):
    print(f"{t:>6} {s.item():7.3f} {w.item():7.3f}")
print("output for 'dog':", [round(v, 3) for v in output.tolist()], " weights sum to", round(weights.sum().item(), 6))

# %% [markdown]
# "dog" puts most weight on itself and on "cat": the output is a blend that leans towards the
# animal tokens. Doing it for every token at once is one matrix product: $S = XX^\top$ (row $i$ =
# the scores of token $i$), a softmax along each row, and $A X$.
#
# **Check.** Our hand computation is one row of the matrix version, and every row of weights sums to 1.

# %%
from utils import assert_close

all_weights = torch.softmax(X @ X.T, dim=-1)   # (4 queries, 4 keys)
all_outputs = all_weights @ X
assert_close("row 'dog' = hand computation", all_weights[3], weights)
assert_close("output of 'dog'", all_outputs[3], output)
assert_close("every row sums to 1", all_weights.sum(-1), torch.ones(4));

# %% [markdown]
# ## 3. Queries, keys and values
#
# Using the token vectors themselves for everything is too rigid: "what I am looking for" is not
# the same as "what I offer" or "what I pass on". So each token makes three vectors with three
# learned matrices:
#
# - a **query** $q_i = x_i W_Q$: what token $i$ looks for;
# - a **key** $k_j = x_j W_K$: what token $j$ can be found by;
# - a **value** $v_j = x_j W_V$: what token $j$ hands over when it is chosen.
#
# $$ \operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}}\right) V $$
#
# ($d_k$ is the length of a key; the division is explained in section 4.) We write it from scratch
# and compare with PyTorch's own `scaled_dot_product_attention`.

# %% [markdown]
# ![Attention for the query of the token 'down' over the four tokens 'The cat sat down': one dot product with each key gives the scores +0.4, +2.1, −0.6, +1.2; softmax turns them into the weights 0.11, 0.60, 0.04, 0.25; the output is the sum of the values weighted by them](../images/attention_one_query.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: why not use the token vector itself as query, key and value?
# > Land: three roles, three matrices; our version equals PyTorch's `scaled_dot_product_attention`.

# %%
import torch.nn.functional as F


def attention(q, k, v, causal=False):
    """q, k, v: (..., time, d). Returns outputs (..., time, d) and weights (..., time, time)."""
    scores = q @ k.transpose(-2, -1) / k.shape[-1] ** 0.5          # (..., time, time)
    if causal:
        T = scores.shape[-1]
        future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        scores = scores.masked_fill(future, float("-inf"))            # exp(-inf) = 0
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


utils.seed_everything(0)
d_model, d_k = 3, 4
W_Q, W_K, W_V = (torch.randn(d_model, d_k) for _ in range(3))
Q, K, V = X @ W_Q, X @ W_K, X @ W_V
out, att = attention(Q, K, V)
from utils.plots import plot_heatmap

plot_heatmap(att.numpy(), tokens, tokens, xlabel="key (token it looks at)", ylabel="query (token looking)",
             title="attention weights (each row sums to 1)", vmax=1)

# %% [markdown]
# **Check.** From scratch equals PyTorch, with and without the causal mask, on a random batch too.

# %%
assert_close("ours vs torch SDPA", out, F.scaled_dot_product_attention(Q, K, V))
q, k, v = torch.randn(3, 2, 7, 8).unbind(0)     # (batch 2, time 7, d 8) each
assert_close("ours vs torch SDPA, causal", attention(q, k, v, causal=True)[0],
             F.scaled_dot_product_attention(q, k, v, is_causal=True))
assert_close("rows sum to 1", attention(q, k, v)[1].sum(-1), torch.ones(2, 7));

# %% [markdown]
# ## 4. Why divide by $\sqrt{d}$?
#
# If the entries of $q$ and $k$ are independent, with mean 0 and variance 1, their dot product is a
# sum of $d$ such products: its variance is $d$. With $d = 512$ the scores have a standard deviation
# of $\sqrt{512} \approx 23$, two scores in a row easily differ by 30 or more, and the
# softmax of such numbers is practically one-hot: the largest score takes all the weight, and the
# gradient through the others vanishes. Dividing by $\sqrt d$ brings the variance back to 1.
# The figure shows the largest weight in a row, for growing $d$.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what is the variance of a sum of 512 products of variance 1? (512.)
# > Land: without $\sqrt{d}$ the softmax turns one-hot and its gradients vanish.

# %%
import matplotlib.pyplot as plt

dims = [4, 16, 64, 256, 1024]
n_rows = utils.fast(400, 50)
largest = {"without scaling": [], "divided by √d": []}
for d in dims:
    qs, ks = torch.randn(n_rows, d), torch.randn(16, d)
    raw = qs @ ks.T
    largest["without scaling"].append(torch.softmax(raw, -1).max(-1).values.mean().item())
    largest["divided by √d"].append(torch.softmax(raw / d**0.5, -1).max(-1).values.mean().item())
    print(f"d = {d:>4}: score std {raw.std().item():6.1f}   mean largest weight "
          f"{largest['without scaling'][-1]:.2f} unscaled, {largest['divided by √d'][-1]:.2f} scaled")

fig, ax = plt.subplots(figsize=(5.5, 3.2))
for (name, values), style in zip(largest.items(), ["o-", "s--"]):
    ax.plot(dims, values, style, label=name)
ax.axhline(1 / 16, color="grey", ls=":", label="uniform over 16 keys")
ax.set(xscale="log", xlabel="key length d", ylabel="mean largest weight", ylim=(0, 1.05),
       title="Without scaling, softmax saturates")
ax.legend(fontsize=8)
plt.show()

# %%
# Check: unscaled, large d is nearly one-hot; scaled, the spread does not depend on d.
assert largest["without scaling"][-1] > 0.9
assert largest["without scaling"][-1] > 2 * largest["divided by √d"][-1]
assert max(largest["divided by √d"]) - min(largest["divided by √d"]) < 0.1

# %% [markdown]
# ## 5. The causal mask: no peeking at the future
#
# A language model predicts token $t+1$ from tokens $1..t$. If token $t$ could attend to token
# $t+1$ during training, the task would be trivial copying and the model would learn nothing
# useful. So the scores above the diagonal are set to $-\infty$ before the softmax: their weight
# becomes exactly $e^{-\infty} = 0$, and each row still sums to 1 over the allowed positions.
#
# $$ \text{mask}_{ij} = \begin{cases} 0 & j \le i \\ -\infty & j > i \end{cases}, \qquad
#    \operatorname{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}} + \text{mask}\right) V $$

# %% [markdown]
# ![Two 6×6 grids for the characters 'To be,': the scores with −∞ in every cell above the diagonal (grey, hatched), and after the softmax the weights, 0 above the diagonal and each row summing to 1](../images/causal_mask.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what would a model learn if token $t$ could see token $t+1$ in training? (To copy.)
# > Land: $-\infty$ gives weights of exactly 0; changing the future leaves the past's outputs bit for bit.

# %%
T = 6
x = torch.randn(1, T, 8)
out_causal, w_causal = attention(x, x, x, causal=True)
shown = w_causal[0].numpy().copy()
shown[np.triu_indices(T, 1)] = np.nan          # the masked future: drawn grey
plot_heatmap(shown, xlabel="key position", ylabel="query position", title="causal attention (grey: masked future)",
             vmax=1)

# %% [markdown]
# **Check.** Masked weights are exactly zero; changing the *future* tokens (positions 4 and 5)
# leaves the outputs of positions 0–3 unchanged, bit for bit; changing the past does change them.

# %%
future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
assert (w_causal[0][future] == 0).all(), "masked positions must be exactly zero"
assert_close("causal rows sum to 1", w_causal.sum(-1), torch.ones(1, T))
x_new_future = x.clone()
x_new_future[:, 4:] = torch.randn(1, 2, 8)
out_changed, _ = attention(x_new_future, x_new_future, x_new_future, causal=True)
assert torch.equal(out_changed[:, :4], out_causal[:, :4]), "the past must not see the future"
assert not torch.allclose(out_changed[:, 4:], out_causal[:, 4:])
x_new_past = x.clone()
x_new_past[:, 0] = torch.randn(8)
assert not torch.allclose(attention(x_new_past, x_new_past, x_new_past, causal=True)[0][:, 3], out_causal[:, 3])
print("ok    the future is invisible, the past is not")

# %% [markdown]
# ## 6. Multi-head attention
#
# One softmax gives one way of mixing: a token can look mostly at one place. Language needs
# several at once (the previous letter, the start of the word, the speaker's name…). **Multi-head
# attention** runs $h$ attentions side by side, each on its own slice of $d/h$ channels with its
# own $W_Q, W_K, W_V$, then concatenates the $h$ outputs and mixes them with one more matrix $W_O$:
#
# $$ \operatorname{MultiHead}(X) = \operatorname{Concat}(\text{head}_1, \dots, \text{head}_h)\, W_O,
#    \qquad \text{head}_i = \operatorname{Attention}(X W_Q^{(i)}, X W_K^{(i)}, X W_V^{(i)}). $$
#
# In code all heads are computed at once: one matrix makes Q, K and V for all heads, and a reshape
# gives each head its own slice. The cost is the same as one big head.

# %% [markdown]
# ![Multi-head attention with 128 channels and 4 heads: X goes through one matrix for Q, K and V, is split into 4 heads that each attend on 32 channels, the outputs are concatenated back to 128 channels and mixed by W_O](../images/multi_head_attention.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: name two things a token might want to look at in the same sentence.
# > Land: heads are slices of the channels; all heads together cost the same as one big head.

# %%
class MultiHeadSelfAttention(torch.nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        assert d_model % n_heads == 0
        self.n_heads = n_heads
        self.qkv = torch.nn.Linear(d_model, 3 * d_model, bias=False)   # W_Q, W_K, W_V of all heads
        self.proj = torch.nn.Linear(d_model, d_model, bias=False)      # W_O

    def forward(self, x):
        B, T, C = x.shape                                              # (batch, time, channels)
        q, k, v = self.qkv(x).split(C, dim=2)
        # (B, T, C) -> (B, heads, T, C / heads): each head sees its own slice of channels
        q, k, v = (t.view(B, T, self.n_heads, C // self.n_heads).transpose(1, 2) for t in (q, k, v))
        out, self.weights = attention(q, k, v, causal=True)           # (B, heads, T, C / heads)
        return self.proj(out.transpose(1, 2).reshape(B, T, C))        # heads side by side, then W_O


mha = MultiHeadSelfAttention(d_model=16, n_heads=4)
x = torch.randn(2, 5, 16)
print("output", tuple(mha(x).shape), "· weights", tuple(mha.weights.shape), "(batch, heads, query, key)")

# %% [markdown]
# **Check.** Our module equals the course's `utils.models.CausalSelfAttention` (which later
# notebooks use) when both have the same weights: in its fast path (PyTorch's fused kernel) and in
# its traced path, which keeps every head's weights for the pictures below.

# %%
from utils.models import CausalSelfAttention, GPTConfig

course_attention = CausalSelfAttention(GPTConfig(n_embd=16, n_head=4))
course_attention.load_state_dict(mha.state_dict())
trace = {}
assert_close("ours vs utils (fast path)", mha(x), course_attention(x))
assert_close("ours vs utils (traced path)", mha(x), course_attention(x, trace=trace))
assert_close("same attention weights", mha.weights, trace["weights"]);

# %% [markdown]
# ## 7. Where is the position?
#
# Look at the attention formula again: nothing in it knows the order of the tokens. Without the
# mask, shuffling the input tokens just shuffles the outputs in the same way (the layer is
# **permutation-equivariant**): "dog bites man" and "man bites dog" would look alike. So the
# transformer adds a **position vector** to each token vector before the first layer:
#
# - **sinusoidal** (Vaswani et al., 2017): fixed waves of different wavelengths,
#   $PE_{p,2i} = \sin(p / 10000^{2i/d})$, $PE_{p,2i+1} = \cos(p / 10000^{2i/d})$;
# - **learned** (GPT-2, [Radford et al., 2019](https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf),
#   and our model): one trainable vector per position, up to a maximum context length.
#
# (Many recent models rotate queries and keys instead, RoPE,
# [Su et al., 2021](https://arxiv.org/abs/2104.09864); the idea is the same: make scores depend on
# position.)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: without positions, do "dog bites man" and "man bites dog" look different to attention? (No.)
# > Land: positions are added to the token vectors, sinusoidal or learned.

# %%
def no_mask_attention(x, layer):
    """Self-attention of `layer`'s weights without the causal mask."""
    B, T, C = x.shape
    q, k, v = layer.qkv(x).split(C, dim=2)
    return attention(q, k, v)[0]


def sinusoidal_positions(n_positions, d):
    position = torch.arange(n_positions)[:, None]
    frequency = 10000 ** (-torch.arange(0, d, 2) / d)
    pe = torch.zeros(n_positions, d)
    pe[:, 0::2] = torch.sin(position * frequency)
    pe[:, 1::2] = torch.cos(position * frequency)
    return pe


x = torch.randn(1, 6, 16)
perm = torch.tensor([3, 0, 5, 1, 4, 2])
with torch.no_grad():
    plain, shuffled = no_mask_attention(x, mha), no_mask_attention(x[:, perm], mha)
    pe = sinusoidal_positions(6, 16)
    with_pos, shuffled_with_pos = no_mask_attention(x + pe, mha), no_mask_attention(x[:, perm] + pe, mha)
assert_close("no positions: shuffle in = shuffle out", shuffled, plain[:, perm])
assert not torch.allclose(shuffled_with_pos, with_pos[:, perm], atol=1e-3), "positions must break the symmetry"
print("ok    with positions added, order matters")

# %% [markdown]
# Left: the sinusoidal vectors (each row a position, each column a channel; slow waves on the right).
# Right: how similar the **learned** position vectors of the course's trained model are to each
# other (cosine similarity). Neighbouring positions learned similar vectors, without being told to.

# %%
from utils.checkpoints import load_shakespeare_gpt

model, tokenizer = load_shakespeare_gpt()
learned = model.position_embedding.weight.detach()
learned = learned / learned.norm(dim=1, keepdim=True)
similarity = (learned @ learned.T).numpy()

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6))
im1 = ax1.imshow(sinusoidal_positions(64, 64).numpy(), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
ax1.set(title="sinusoidal positions", xlabel="channel", ylabel="position")
fig.colorbar(im1, ax=ax1)
im2 = ax2.imshow(similarity[:64, :64], cmap="RdBu_r", vmin=-1, vmax=1)
ax2.set(title="learned positions: cosine similarity", xlabel="position", ylabel="position")
fig.colorbar(im2, ax=ax2)
for ax in (ax1, ax2):
    ax.grid(False)
fig.tight_layout()
plt.show()
neighbours = float(np.mean([similarity[i, i + 1] for i in range(60)]))
far = float(np.mean([similarity[i, i + 40] for i in range(60)]))
print(f"mean similarity of neighbouring positions {neighbours:.2f}, of positions 40 apart {far:.2f}")
assert neighbours > far

# %% [markdown]
# ## 8. Attention in a trained model
#
# The course ships a small GPT trained on Shakespeare (notebook 08 builds and trains one; this
# is the same model, trained for longer: `data/shakespeare_gpt.json` says how). It reads
# **characters**, so every token below is one letter, space (␣) or newline (↵).
#
# Type a line, pick a layer and a head. Each row is a character asking "where should I look?";
# each column a character it can look at. The grey triangle is the masked future. Things to look
# for: heads that look at the previous character, heads that look back to the start of the word or
# at the space before it, heads in layer 0 that spread evenly.
#
# The picture is drawn from the model's own trace: `model(idx, trace=True)` returns, per layer,
# the scores before and after the mask and the softmax weights of every head. What you see is what
# the model computed.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask the class to find a head that looks one character back; let a student move the layer and head.
# > Land: the heatmap is the model's own trace, not a re-computation.

# %%
from utils.widgets import AttentionView

attention_view = AttentionView(model, tokenizer, text="ROMEO:\nBut, soft! what", layer=1, head=0)
attention_view

# %% [markdown]
# **Check.** The heatmap is the model's trace: rows sum to 1, the future is exactly zero, and the
# traced computation gives the same predictions as the fast one.

# %%
ids = torch.tensor([tokenizer.encode("ROMEO:\nBut, soft! what")])
with torch.no_grad():
    fast_logits, _ = model(ids)
    traced_logits, _, model_trace = model(ids, trace=True)
assert_close("traced vs fast logits", traced_logits, fast_logits, atol=1e-4)
w = model_trace[1]["weights"][0, 0]
n = w.shape[-1]
assert_close("the view shows layer 1, head 0", attention_view.weights[1, 0], w)
assert (w[torch.triu(torch.ones(n, n, dtype=torch.bool), 1)] == 0).all()
assert_close("rows sum to 1", w.sum(-1), torch.ones(n));

# %% [markdown]
# A head that mostly looks **one character back** is easy to find: for each head we measure the
# average weight on the previous position.

# %%
with torch.no_grad():
    _, _, trace = model(torch.tensor([tokenizer.encode("JULIET:\nO Romeo, Romeo! wherefore art thou Romeo?")]),
                        trace=True)
previous = np.array([[t["weights"][0, h].diagonal(offset=-1).mean().item() for h in range(model.config.n_head)]
                     for t in trace])
from IPython.display import display

display(plot_heatmap(previous, xlabel="head", ylabel="layer", vmax=1, width_px=340, height_px=280,
                     title="mean weight on the previous character"))
n_chars = trace[0]["weights"].shape[-1]
uniform = np.mean([1 / (i + 1) for i in range(1, n_chars)])   # what spreading evenly would give
layer, head = np.unravel_index(previous.argmax(), previous.shape)
print(f"the most 'previous-character' head: layer {layer}, head {head} "
      f"({previous.max() / uniform:.1f}x what an even spread gives)")
assert previous.max() > 2 * uniform, "some head of a trained model should prefer the previous character"

# %%
from utils.widgets import show_attention

show_attention(model, tokenizer, "JULIET:\nO Romeo", layer=int(layer), head=int(head))

# %% [markdown]
# ## Recap
#
# - Attention replaces the RNN's single state by direct, weighted access to all earlier tokens.
# - $\operatorname{softmax}(QK^\top/\sqrt{d_k})V$: queries ask, keys answer, values are handed over;
#   the weights of each row are positive and sum to 1.
# - Dividing by $\sqrt{d_k}$ keeps the softmax from saturating as vectors get longer.
# - The causal mask sets future scores to $-\infty$: their weights are exactly 0, so a token's output
#   cannot depend on what comes after it.
# - Several heads look at different things in parallel; positions must be added (sinusoidal,
#   learned, or rotary) because attention by itself ignores order.
#
# **Next:** notebook 08 stacks attention, an MLP, LayerNorm and residual connections into a GPT and
# trains it on Shakespeare.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask a student to write $\operatorname{softmax}(QK^\top/\sqrt{d_k})V$ from memory and name each part.

# %% [markdown]
# ## Exercises
#
# ★ checks your understanding, ★★ changes the code, ★★★ is a small investigation. Replace each `...`,
# run the cell, then run the check below it: it says ✓ and why, or gives a hint. Reference solutions are
# in [solutions/07_attention.py](solutions/07_attention.py); try first.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Exercise 1 takes 2 minutes on paper; exercise 3 makes section 4's argument with your own numbers.

# %%
from utils.exercises import check

# %% [markdown]
# **1. Do heads cost parameters? ★** How many parameters does `MultiHeadSelfAttention(d_model=64, n_heads=8)`
# have, and how many with `n_heads=2`? Work it out from the class, then count with `.parameters()`.

# %%
head_parameters = ...  # (with 8 heads, with 2 heads)

# %%
check("07.1", head_parameters);

# %% [markdown]
# **2. Mask by subtraction ★★.** Write causal attention that, instead of `masked_fill` with $-\infty$,
# subtracts 1000 from the scores of future keys. Is the result the same as
# `F.scaled_dot_product_attention(q, k, v, is_causal=True)`? Would it always be?

# %%
def minus_a_thousand(q, k, v):
    ...  # your code: return the attention output

# %%
check("07.2", minus_a_thousand);

# %% [markdown]
# **3. How big do raw scores get? ★★★** For $d = 4, 16, 64, 256$, draw many random $q$ and $k$ with
# `torch.randn` and measure the standard deviation of $q \cdot k$ *before* any scaling. How does it grow
# with $d$? What would that do to the softmax of a large head?

# %%
score_spread = ...  # [std for d = 4, 16, 64, 256]

# %%
check("07.3", score_spread);
