# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (nn-course)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 10 · Fine-tuning: classification, instructions and LoRA
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/10_fine_tuning.ipynb)
#
# **What you will learn**
# - why almost every useful language model is *pretrained once, then fine-tuned*;
# - classification fine-tuning: is a passage from a comedy or a tragedy? Frozen body + new head,
#   full fine-tuning and training from scratch, compared on plays the models never saw;
# - instruction fine-tuning with a prompt template, and what it does (and does not) teach;
# - LoRA from scratch: a low-rank update beside a frozen weight, merged back at the end;
# - when to prompt, when to retrieve (RAG), when to fine-tune and when to train from scratch.
#
# **Time:** about 60 minutes (the cells run for about two minutes in all on a laptop).
# **Needs:** notebook 08 (the GPT and its checkpoint) and 09 (the training loop).

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
# ## 1. Pretrain once, fine-tune many times
#
# Building a useful language model takes two stages (Raschka, *Build a Large Language Model (From
# Scratch)*, 2024, ch. 1):
#
# 1. **Pretraining**: next-token prediction on a large amount of unlabelled text. This is where
#    almost all the compute goes (notebook 09) and where the model learns the language.
# 2. **Fine-tuning**: a little more training, on a small *labelled* dataset, for one job. Two kinds:
#
# | kind | data | example |
# |---|---|---|
# | classification fine-tuning | (text, class label) | spam or not; comedy or tragedy |
# | instruction fine-tuning | (instruction, response) | "Summarise this…" → a summary |
#
# Two claims in the source material for this lesson need correcting. "ChatGPT is GPT-3
# fine-tuned on an instruction dataset" leaves out half the recipe: ChatGPT was fine-tuned from a
# model of the GPT-3.5 series with supervised instruction data **and** reinforcement learning from
# human feedback ([OpenAI, 2022](https://openai.com/index/chatgpt/); the method is InstructGPT's,
# [Ouyang et al., 2022](https://arxiv.org/abs/2203.02155); notebook 11). And BloombergGPT is not a
# fine-tuned model: it was trained from scratch on a mix of financial and general text
# ([Wu et al., 2023](https://arxiv.org/abs/2303.17564)).
#
# We fine-tune the course's own pretrained model: the 0.8 M-parameter character-level Shakespeare
# GPT of notebook 08 (pretrained on the eight plays of Tiny Shakespeare).

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: where does almost all the compute of a language model go? (Pretraining.)
# > Land: fine-tuning adapts with little data; ChatGPT also needed RLHF (notebook 11).

# %%
import copy
import time

import numpy as np
import torch
import torch.nn.functional as F

from utils import assert_close
from utils.checkpoints import load_shakespeare_gpt

base, tokenizer = load_shakespeare_gpt()
print(f"pretrained GPT: {base.num_parameters():,} parameters, {base.config.n_layer} layers, "
      f"context {base.config.block_size} characters")

# %% [markdown]
# ## 2. Comedy or tragedy? The data
#
# Our classification task: given the start of a speech, was it written for a **comedy** or a
# **tragedy**? The labels come from the First Folio of 1623, which sorts the plays into comedies,
# histories and tragedies (`utils.data`; histories are left out here).
#
# Two rules keep the test honest:
#
# - **Split by play.** Speeches of one play share names, places and plot. If a play had speeches in
#   both the training and the test data, a model could score by recognising *the play* rather than
#   the genre. So whole plays are held out: 4 comedies and 3 tragedies.
# - **Unseen text.** All 22 plays here are outside the 8 plays the model was pretrained on.
#
# A passage is the first 64 characters of a speech of at least 40 characters, without the
# speaker's name (a name like HAMLET gives the play away, not the genre).

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: why split by play and not by speech? (A model could recognise the play, not the genre.)
# > Land: any classifier must beat the majority class, about 57 % here.

# %%
from utils.finetune import GENRES, encode_passages, genre_passages

LENGTH = 64
train_texts, train_labels, train_plays = genre_passages("train", max_chars=LENGTH)
test_texts, test_labels, test_plays = genre_passages("test", max_chars=LENGTH)
if utils.is_fast():  # fewer passages in the quick test run; the same code path
    rng = np.random.default_rng(0)
    keep = rng.permutation(len(train_texts))[:3000]
    train_texts, train_labels, train_plays = ([x[i] for i in keep] for x in (train_texts, train_labels, train_plays))
    keep = rng.permutation(len(test_texts))[:900]
    test_texts, test_labels, test_plays = ([x[i] for i in keep] for x in (test_texts, test_labels, test_plays))

assert not set(train_plays) & set(test_plays), "a play is in both training and test data"
for split, plays, labels in (("train", train_plays, train_labels), ("test", test_plays, test_labels)):
    print(f"{split}: {len(labels):,} passages from {len(set(plays))} plays, "
          f"{np.mean(np.array(labels) == 0):.1%} comedy")
print("test plays:", ", ".join(sorted(set(test_plays))))
for text, label in list(zip(train_texts, train_labels))[:4]:
    print(f"  {GENRES[label]:8} {text!r}")

# %% [markdown]
# A classifier must beat the **majority class**: always answering the most common label of the
# test set. Any accuracy below that is worth nothing.

# %%
train_ids, train_lengths = encode_passages(train_texts, tokenizer, LENGTH)
test_ids, test_lengths = encode_passages(test_texts, tokenizer, LENGTH)
train_y, test_y = torch.tensor(train_labels), torch.tensor(test_labels)
majority = max(np.mean(test_labels), 1 - np.mean(test_labels))
print(f"majority-class accuracy on the test plays: {majority:.1%}")

# %% [markdown]
# ## 3. A new head on a pretrained body
#
# The GPT ends in a head that turns each position's hidden vector $h_t \in \mathbb{R}^{128}$ into
# 76 next-character scores. For classification we keep the body and put a new head on it:
#
# $$ \text{logits} = W\,\bar h + b, \qquad \bar h = \frac{1}{T}\sum_{t=1}^{T} h_t, \qquad W \in \mathbb{R}^{2\times 128}. $$
#
# $\bar h$ averages the hidden states over the passage. (GPT-1 used the last position instead,
# [Radford et al., 2018](https://cdn.openai.com/research-covers/language-unsupervised/language_understanding_paper.pdf);
# the mean uses every position's state, not only the one that has read the whole passage.) `GPTClassifier` in
# `utils.finetune` is exactly this: `backbone.hidden_states(ids)`, the mean, and one `nn.Linear`.
#
# We compare four ways to get a classifier, with the same data and the same number of steps:
#
# | | body | what trains | parameters trained |
# |---|---|---|---|
# | **frozen** | pretrained | the head only | 258 |
# | **full fine-tuning** | pretrained | everything | 0.8 M |
# | **LoRA** (section 4) | pretrained | small adapters + head | 66 k |
# | **from scratch** | random | everything | 0.8 M |

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: which of the four classifiers will do best? Collect guesses before running.
# > Training takes a while in full mode: explain the mean over positions meanwhile.

# %%
from utils.finetune import GPTClassifier
from utils.lora import count_parameters


@torch.no_grad()
def predict(model, ids, lengths, batch=128):  # batches of 128: on a CPU faster than bigger ones (they stay in its cache)
    model.eval()
    return torch.cat([model(ids[i:i + batch], lengths[i:i + batch]).argmax(-1) for i in range(0, len(ids), batch)])


def accuracy(model):
    return (predict(model, test_ids, test_lengths) == test_y).float().mean().item()


def fine_tune(model, steps, lr, batch_size=32, seed=0):
    """AdamW on the parameters that require gradients; returns the losses and seconds per step."""
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    generator = torch.Generator().manual_seed(seed)            # the same batches for every model
    model.train()
    losses, start = [], time.perf_counter()
    for _ in range(steps):
        i = torch.randint(len(train_ids), (batch_size,), generator=generator)
        loss = F.cross_entropy(model(train_ids[i], train_lengths[i]), train_y[i])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    return losses, (time.perf_counter() - start) / steps


# %%
STEPS = 300                      # the recipe's length (utils.finetune.CLASSIFIER_RECIPE)
LIVE_STEPS = utils.fast(30, 10)  # run here: the first steps of each run; the rest is loaded
RUN_LIVE = False  # True: train every run of this notebook here at full length (about 7 more minutes)
results = {"majority class": majority}

# %% [markdown]
# **Frozen body.** With the body frozen, its features never change: compute them once, then train
# only the head on them (a logistic regression). This is the cheapest way to use a pretrained model.

# %%
torch.manual_seed(0)
frozen = GPTClassifier(copy.deepcopy(base))
for p in frozen.backbone.parameters():
    p.requires_grad_(False)
start = time.perf_counter()
with torch.no_grad():
    features = torch.cat([frozen.features(train_ids[i:i + 128], train_lengths[i:i + 128])
                          for i in range(0, len(train_ids), 128)])
head_optimizer = torch.optim.AdamW(frozen.head.parameters(), lr=1e-2, weight_decay=0.0)
for _ in range(500):  # full-batch steps on the cached features: cheap
    loss = F.cross_entropy(frozen.head(features), train_y)
    head_optimizer.zero_grad()
    loss.backward()
    head_optimizer.step()
results["frozen body + new head"] = accuracy(frozen)
print(f"trainable: {count_parameters(frozen):,} parameters · {time.perf_counter() - start:.0f} s · "
      f"test accuracy {results['frozen body + new head']:.1%}")
assert count_parameters(frozen) == 2 * 128 + 2

# %% [markdown]
# **Full fine-tuning** unfreezes everything. We start from the head just trained: a random head
# would send large, random gradients into the pretrained body in the first steps and damage the
# features we want to keep ("linear probing, then fine-tuning", [Kumar et al.,
# 2022](https://arxiv.org/abs/2202.10054)). The learning rate is small (10⁻⁴) for the same reason.
#
# **From scratch**: the same architecture with random weights, trained for the same steps with a
# larger learning rate (10⁻³), as a model that has read no Shakespeare before would need.
#
# 300 steps of each take minutes of class time, and their lesson is their result. So the cell
# runs the **first 30 steps** of full fine-tuning here (to see it run and time a step) and loads
# the rest **precomputed**: the same code and recipe, run once by `tools/finetune_runs.py`
# (`make finetune-runs`), the weights shipped in `data/finetune_models.pt`, losses and accuracies in
# `data/finetune_runs.json`, checked on load (data, recipe, checkpoint, checksum). The cell checks
# that its 30 losses are the shipped run's first 30, and measures the test accuracy itself. The
# from-scratch run is loaded whole. Set `RUN_LIVE = True` above to train everything here instead.

# %%
from utils.finetune import load_finetune_models, load_scratch_run
from utils.models import GPT

full = copy.deepcopy(frozen)
for p in full.parameters():
    p.requires_grad_(True)
full_losses, full_step_s = fine_tune(full, STEPS if RUN_LIVE else LIVE_STEPS, lr=1e-4)
if not RUN_LIVE:  # the 300-step run, made once by tools/finetune_runs.py (`make finetune-runs`), checked on load
    shipped_runs, shipped_weights = load_finetune_models()
    shipped_losses = shipped_runs["full fine-tuning"]["losses"]
    if not utils.is_fast():  # the same run: the steps made here are its first steps (the quick test uses less data)
        assert_close(f"our {LIVE_STEPS} losses vs the shipped run's first {LIVE_STEPS}",
                     torch.tensor(full_losses), torch.tensor(shipped_losses[:LIVE_STEPS]), atol=1e-3, rtol=0)
    full.load_state_dict(shipped_weights["full fine-tuning"])
    full_losses = shipped_losses
full_predictions = predict(full, test_ids, test_lengths)   # kept: the per-play view below uses them
results["full fine-tuning"] = (full_predictions == test_y).float().mean().item()

if RUN_LIVE:
    torch.manual_seed(0)
    scratch = GPTClassifier(GPT(base.config))
    scratch_losses, scratch_step_s = fine_tune(scratch, STEPS, lr=1e-3)
    results["from scratch"] = accuracy(scratch)
else:  # the same run, made once by tools/finetune_runs.py (`make finetune-runs`), checked on load
    scratch_run = load_scratch_run()
    scratch_losses, results["from scratch"] = scratch_run["losses"], scratch_run["accuracy"]
for name in ("full fine-tuning", "from scratch"):
    print(f"{name:17} test accuracy {results[name]:.1%}")
print(f"{STEPS} steps of 32 passages, {full_step_s * 1000:.0f} ms per step (full fine-tuning; "
      + ("all trained here)" if RUN_LIVE else f"{LIVE_STEPS} run here, the rest loaded from data/finetune_models.pt)"))

# %%
# The idea, checked: the pretrained body helps. Fine-tuning beats always answering the majority
# class and beats the same model trained from scratch on the same data.
assert results["full fine-tuning"] > majority + 0.02, results
assert results["full fine-tuning"] > results["from scratch"] + 0.02, results
assert results["frozen body + new head"] > majority, results

# %% [markdown]
# The scratch model has only a few thousand passages and a few hundred steps to learn English
# spelling, Shakespeare's vocabulary *and* the genre; it stays at or below the majority class. The
# pretrained model already knows the first two and only has to learn the third.
#
# The task is hard even so: about 62 %. A speech opening gives little away. Which test plays are
# hardest?

# %%
predictions = full_predictions.numpy()
plays_arr, labels_arr = np.array(test_plays), np.array(test_labels)
per_play = {slug: float(np.mean(predictions[plays_arr == slug] == labels_arr[plays_arr == slug]))
            for slug in sorted(set(test_plays))}
from IPython.display import display

from utils.figures import new_figure

ordered = sorted(per_play, key=per_play.get)   # hardest first
genre_of = {slug: GENRES[labels_arr[plays_arr == slug][0]] for slug in ordered}
genre_style = {GENRES[0]: ("#e69f00", ""), GENRES[1]: ("#56b4e9", "//")}   # colour and hatch: two cues
play_fig = new_figure(560, 260)
ax = play_fig.add_subplot()
for row, slug in enumerate(ordered):
    colour, hatch = genre_style[genre_of[slug]]
    ax.barh(row, per_play[slug], color=colour, hatch=hatch, edgecolor="#333", lw=0.5, label=genre_of[slug])
    ax.text(per_play[slug] + 0.01, row, f"{per_play[slug]:.0%}", va="center", fontsize=8)
ax.axvline(majority, color="black", lw=0.8, ls="--")
ax.text(majority, len(ordered) - 0.45, " majority-class baseline", fontsize=8, va="bottom")
handles, labels = ax.get_legend_handles_labels()
unique = dict(zip(labels, handles))
ax.legend(unique.values(), unique.keys(), fontsize=8, loc="lower right")
ax.set_yticks(range(len(ordered)), ordered, fontsize=8)
ax.set(xlim=(0, 1), ylim=(-0.6, len(ordered) - 0.1), xlabel="accuracy of full fine-tuning on the play's passages",
       title="Which unseen plays are hardest?")
ax.title.set_fontsize(10)
play_fig.tight_layout()
display(play_fig)
if not utils.is_fast():  # the numbers the text quotes, from the full run
    assert round(majority, 3) == 0.567 and 0.60 < results["frozen body + new head"] < 0.62
    assert 0.61 < results["full fine-tuning"] < 0.63 and 0.42 < results["from scratch"] < 0.45  # "about 62 %", "43 %"
    assert [round(per_play[slug], 2) for slug in ("the-tempest", "hamlet", "othello")] == [0.39, 0.51, 0.57]

# %% [markdown]
# The Tempest (39 %) is a comedy in grave verse; Hamlet (51 %) and Othello (57 %) are tragedies
# full of prose, wit and banter, which reads like comedy. Genre is a property of a whole play, not
# of every line.
#
# **Careful with the learning rate.** With a larger rate or many more steps, full fine-tuning can
# end *below* the frozen model: it fits the training plays and loses what made its features general.
# Fine-tuning can forget.

# %% [markdown]
# ## 4. LoRA from scratch
#
# Full fine-tuning changes every weight, so for every task you store a full copy of the model and,
# while training, keep gradients and two Adam moments for every parameter. **LoRA** (Low-Rank
# Adaptation, [Hu et al., 2021](https://arxiv.org/abs/2106.09685)) freezes each weight matrix
# $W \in \mathbb{R}^{d_\text{out}\times d_\text{in}}$ and learns a low-rank change beside it:
#
# $$ y = W x + \frac{\alpha}{r}\, B A x, \qquad A \in \mathbb{R}^{r\times d_\text{in}},\quad B \in \mathbb{R}^{d_\text{out}\times r},\quad r \ll d. $$
#
# - Trainable parameters per matrix: $r\,(d_\text{in} + d_\text{out})$ instead of $d_\text{in} d_\text{out}$.
# - $B$ starts at **zero**, so at the start the model is exactly the pretrained one.
# - $\alpha/r$ scales the update, so changing $r$ does not change how large the update starts.
# - After training, $W' = W + \frac{\alpha}{r} BA$ is an ordinary matrix: the merged model is as fast
#   as the original.
#
# (The source material says LoRA "fine-tunes only a few small layers". Not quite: it keeps *every*
# layer frozen and adds a small trainable update *inside* the chosen ones.)

# %% [markdown]
# ![LoRA on a 128 × 128 weight: x goes through the frozen W (grey, hatched) and, beside it, through the trainable A (4 × 128) and B (128 × 4, starting at zero); the two results are added. 1,024 trainable numbers instead of 16,384](../images/lora.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: why does $B$ start at zero? (The model starts exactly as the pretrained one.)
# > Land: $r(d_\text{in} + d_\text{out})$ parameters instead of $d_\text{in} d_\text{out}$; let a student move the rank slider.

# %%
class LoRA(torch.nn.Module):
    def __init__(self, base_linear, rank, alpha):
        super().__init__()
        self.base = base_linear
        self.base.weight.requires_grad_(False)                          # W stays frozen
        d_out, d_in = base_linear.weight.shape
        self.A = torch.nn.Parameter(torch.randn(rank, d_in) / d_in ** 0.5)
        self.B = torch.nn.Parameter(torch.zeros(d_out, rank))          # zero: no change at first
        self.scale = alpha / rank

    def forward(self, x):
        return self.base(x) + (x @ self.A.T @ self.B.T) * self.scale

    def merged_weight(self):
        return self.base.weight + self.scale * self.B @ self.A


layer = copy.deepcopy(base.blocks[0].attn.qkv)                         # a 128 → 384 matrix of our GPT
lora_layer = LoRA(copy.deepcopy(layer), rank=4, alpha=8)
x = torch.randn(3, 10, 128)
assert_close("LoRA with B = 0 vs the original layer", lora_layer(x), layer(x))
print("trainable:", sum(p.numel() for p in lora_layer.parameters() if p.requires_grad),
      "= r·(d_in + d_out) =", 4 * (128 + 384), "instead of", 128 * 384)

# %% [markdown]
# **Check.** Give $B$ non-zero values (as training would): the merged matrix must compute the same as
# the unmerged pair, and our class must equal the course's `utils.lora.LoRALinear`.

# %%
from utils.lora import LoRALinear

with torch.no_grad():
    lora_layer.B.normal_(std=0.1)
merged = torch.nn.functional.linear(x, lora_layer.merged_weight())
assert_close("merged W + (α/r)·BA vs unmerged", merged, lora_layer(x), atol=1e-5)

course_lora = LoRALinear(copy.deepcopy(layer), rank=4, alpha=8)
course_lora.load_state_dict(lora_layer.state_dict())
assert_close("ours vs utils.lora.LoRALinear", course_lora(x), lora_layer(x))
assert_close("utils merged() vs ours", course_lora.merged()(x), merged, atol=1e-5);

# %% [markdown]
# `utils.lora.add_lora(model, rank, alpha)` freezes a model and wraps every matrix inside its
# blocks (attention's $W_{QKV}$ and $W_O$, both MLP matrices) in `LoRALinear`. On our classifier,
# with rank 8: count the trainable parameters, by formula and by counting.

# %%
from utils.lora import add_lora, merge_lora

RANK, ALPHA = 8, 16
lora_model = copy.deepcopy(frozen)                      # the pretrained body and the trained head
torch.manual_seed(0)                                    # the adapters' random A: as the shipped run's
wrapped = add_lora(lora_model.backbone, RANK, ALPHA)    # freezes the body, adds adapters
for p in lora_model.head.parameters():
    p.requires_grad_(True)                              # the head trains too

per_layer = sum(RANK * (d_in + d_out) for d_in, d_out in [(128, 384), (128, 128), (128, 512), (512, 128)])
formula = base.config.n_layer * per_layer + (2 * 128 + 2)
print(f"{len(wrapped)} matrices wrapped, e.g. {wrapped[:4]}")
print(f"trainable: {count_parameters(lora_model):,} (formula {formula:,}) = "
      f"{count_parameters(lora_model) / count_parameters(full):.1%} of full fine-tuning's {count_parameters(full):,}")
assert count_parameters(lora_model) == formula
assert 65_000 < formula < 67_000  # section 3's table says "66 k"
assert_close("LoRA model before training vs frozen model",
             lora_model(test_ids[:64], test_lengths[:64]), frozen(test_ids[:64], test_lengths[:64]), atol=1e-5);

# %% [markdown]
# Now train the LoRA model for the same steps as full fine-tuning. Adapters start from zero and move
# only through $A$ and $B$, so they tolerate (and need) a larger learning rate: 10⁻³. As above, the
# first 30 steps run here and the rest of the 300-step run (its adapters and head) is loaded.

# %%
lora_losses, lora_step_s = fine_tune(lora_model, STEPS if RUN_LIVE else LIVE_STEPS, lr=1e-3)
if not RUN_LIVE:  # the adapters and head of the 300-step run (tools/finetune_runs.py)
    if not utils.is_fast():
        assert_close(f"our {LIVE_STEPS} LoRA losses vs the shipped run's first {LIVE_STEPS}", torch.tensor(lora_losses),
                     torch.tensor(shipped_runs["LoRA (rank 8)"]["losses"][:LIVE_STEPS]), atol=1e-3, rtol=0)
    adapters = shipped_weights["LoRA (rank 8)"]   # exactly the trainable tensors: A, B and the head
    assert set(adapters) == {name for name, p in lora_model.named_parameters() if p.requires_grad}
    lora_model.load_state_dict(adapters, strict=False)
results["LoRA (rank 8)"] = accuracy(lora_model)
print(f"LoRA {results['LoRA (rank 8)']:.1%} vs full fine-tuning {results['full fine-tuning']:.1%} · "
      f"{lora_step_s * 1000:.0f} ms per step vs {full_step_s * 1000:.0f} ms")
if not utils.is_fast():  # the recap quotes "LoRA ≈ 62 %"
    assert 0.61 < results["LoRA (rank 8)"] < 0.63

# After training, merge: plain Linear layers again, the same predictions, no adapter left.
before_merge = lora_model(test_ids[:64], test_lengths[:64])
assert merge_lora(lora_model) == len(wrapped)
assert_close("merged vs unmerged LoRA classifier", lora_model(test_ids[:64], test_lengths[:64]), before_merge, atol=1e-4)
assert count_parameters(lora_model, trainable_only=False) == count_parameters(full, trainable_only=False)
assert abs(results["LoRA (rank 8)"] - results["full fine-tuning"]) < 0.04, results

# %% [markdown]
# LoRA trained 8 % of the parameters and landed within a point or two of full fine-tuning. Note what
# it did **not** save here: time. Each step still runs the whole model forward and backward, plus
# the adapters; on a CPU with a model this small, the extra matrix products cost more than the
# smaller optimizer saves. LoRA's savings are **memory** (no gradients or Adam moments for frozen
# weights) and **storage** (one small adapter per task instead of a model copy); they matter when
# the model is large.

# %%
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(7, 2.8))
names = ["majority class", "from scratch", "frozen body + new head", "LoRA (rank 8)", "full fine-tuning"]
colors = ["#bbbbbb", "#8d99ae", "#90be6d", "#e76f51", "#2a9d8f"]
ax.barh(names, [results[n] for n in names], color=colors)
for i, n in enumerate(names):
    ax.text(results[n] + 0.005, i, f"{results[n]:.1%}", va="center", fontsize=9)
ax.axvline(majority, color="black", lw=0.8, ls="--")
ax.text(majority, len(names) - 0.45, " majority-class baseline", fontsize=8, va="bottom")
# From 0, so a bar's length is the accuracy itself (a cut axis would make small gaps look large).
ax.set(xlim=(0, 0.85), ylim=(-0.6, len(names) - 0.1), xlabel="accuracy on 7 unseen plays",
       title="Comedy or tragedy? Same data, same steps")
fig.tight_layout()
plt.show()

# %% [markdown]
# ### What LoRA saves on real models
#
# The slider below does the same arithmetic for real models. Memory counts what training must keep
# per parameter with mixed-precision Adam: 16 bytes for each *trained* parameter (fp16 weight and
# gradient, fp32 master copy and two moments; [Rajbhandari et al., 2020](https://arxiv.org/abs/1910.02054),
# §3.1) and 2 bytes for each frozen one; activations are left out.
#
# Hu et al. (2021, Table 5) adapt GPT-3 175B with 18 M trainable parameters: rank 8 on $W_Q$ only,
# or rank 4 on $W_Q$ and $W_V$. Our formula gives the same count:

# %%
from utils.lora import MODEL_SHAPES, lora_parameter_count

gpt3 = MODEL_SHAPES["GPT-3 175B"]
for rank, matrices in ((8, ("q",)), (4, ("q", "v")), (2, ("q", "k", "v", "o"))):
    count = lora_parameter_count(gpt3, rank, matrices)
    print(f"rank {rank} on {'+'.join(matrices):8}: {count / 1e6:.1f} M trainable = {count / gpt3.parameters:.4%} of 175 B")
    assert round(count / 1e6) in (18, 19)   # "18M" in Hu et al., Table 5
print(f"adapter file at fp16: {2 * lora_parameter_count(gpt3, 4, ('q', 'v')) / 1e6:.0f} MB "
      f"(Hu et al. report 35 MB instead of a 350 GB checkpoint)")

# %%
from utils.widgets import LoRARankView

lora_view = LoRARankView(model="our Shakespeare GPT", rank=8)
lora_view

# %% [markdown]
# Try: our GPT at rank 128. LoRA now trains *more* than full fine-tuning: $r(d_\text{in} + d_\text{out})$
# exceeds $d_\text{in} d_\text{out}$ once $r > d_\text{in} d_\text{out} / (d_\text{in} + d_\text{out})$ (96 for a
# 128 → 384 matrix). Low rank only saves when $r$ is small next to the matrix.
# Then GPT-3 175B at rank 4 on attention only; then rank 256 with the MLP too. How does the count
# grow with $r$? (Linearly: doubling $r$ doubles it.) On GPT-3, why does the memory hardly change
# with $r$? (The 2 bytes per frozen weight dominate: LoRA cannot shrink the model itself; quantising it can, as QLoRA does,
# [Dettmers et al., 2023](https://arxiv.org/abs/2305.14314).)

# %%
# The view, checked: its count is the formula; doubling the rank doubles the trainable parameters.
lora_view.model_box.value, lora_view.rank_slider.value = "our Shakespeare GPT", 8
lora_view.attention_box.value = lora_view.mlp_box.value = True
assert lora_view.numbers["lora_trainable"] == formula - (2 * 128 + 2)
lora_view.rank_slider.value = 16
assert lora_view.numbers["lora_trainable"] == 2 * (formula - (2 * 128 + 2))

# %% [markdown]
# ## 5. Instruction fine-tuning
#
# A pretrained model continues text; it does not *answer*. Instruction fine-tuning shows it
# (instruction, response) pairs in a fixed **prompt template**, so that at use time the same
# template makes it answer. Ours is short, because our context holds only 128 characters:
#
# ```
# Task: Which play is this from?
# Text: PAULINA: As she lived peerless,
# Answer: A Winter's Tale
# ```
#
# We build three tasks from the eight pretraining plays: **which play** a speech is from, **shout**
# a line (write it in capitals), and **continue** a line. Training examples come from the first 90 %
# of every play, held-out prompts from the last 10 %.
#
# The loss counts only the **answer** characters (and the newline that ends it): the model should
# learn to answer, not to write prompts. Positions of the prompt get the label −100, which
# `F.cross_entropy` ignores.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: why count the loss only on the answer characters?
# > Land: instruction tuning teaches a format; the knowledge came from pretraining. Try one prompt live.

# %%
from utils.instruct import CONTEXT, TASKS, answer, instruction_examples

sft_train, sft_val = instruction_examples("train"), instruction_examples("val")
print(f"{len(sft_train):,} training examples, {len(sft_val):,} held out")
print(sft_train[0].prompt + sft_train[0].response)


def encode_examples(examples):
    """Inputs and targets (n, CONTEXT); targets are -100 except on the answer and its newline."""
    x = torch.zeros(len(examples), CONTEXT, dtype=torch.long)
    y = torch.full((len(examples), CONTEXT), -100)
    for row, example in enumerate(examples):
        prompt, reply = tokenizer.encode(example.prompt), tokenizer.encode(example.response + "\n")
        ids = prompt + reply
        x[row, :len(ids) - 1] = torch.tensor(ids[:-1])
        y[row, len(prompt) - 1:len(ids) - 1] = torch.tensor(reply)   # predict each answer character
    return x, y


sft_x, sft_y = encode_examples(sft_train)
row = sft_y[0]
print("characters the loss counts in example 0:", repr(tokenizer.decode(row[row >= 0].tolist())))
assert tokenizer.decode(row[row >= 0].tolist()) == sft_train[0].response + "\n"

# %% [markdown]
# Held-out prompts, 40 per task, and three measures: how often the **play** is named exactly, what
# share of the letters of a **shouted** answer are capitals, and the loss (nats per character) of
# the reference answers (lower: the model finds the right answer more likely).

# %%
held_out = {task: [e for e in sft_val if e.instruction == task][:utils.fast(40, 16)] for task in TASKS}


def answer_loss(model, examples):
    x, y = encode_examples(examples)
    with torch.no_grad():
        logits, _ = model(x)
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), ignore_index=-100).item()


def capital_share(text):
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / max(1, len(letters))


def instruction_scores(model):
    plays = held_out[TASKS[0]]
    shouts = held_out[TASKS[1]]
    return {"play named": np.mean([answer(model, tokenizer, e.prompt) == e.response for e in plays]),
            "capitals when shouting": np.mean([capital_share(answer(model, tokenizer, e.prompt)) for e in shouts]),
            "answer loss": answer_loss(model, [e for task in TASKS for e in held_out[task]])}


before_scores = instruction_scores(base)
print({k: round(float(v), 3) for k, v in before_scores.items()})

# %% [markdown]
# Now the fine-tuning: the whole model, AdamW, learning rate 3·10⁻⁴, batches of 16 examples, 600
# steps. The first 100 run here; then the cell loads the other 500 of the same run, made once by
# `tools/finetune_runs.py` with the same recipe (`RUN_LIVE = True` runs all 600 here, a few
# minutes more), after checking that its 100 losses are that run's first 100.

# %%
from utils.widgets import LossCurves

SFT_STEPS = 600                    # the recipe's length (utils.instruct.SFT_RECIPE)
SFT_LIVE = utils.fast(100, 50)     # run here; the rest is loaded unless RUN_LIVE
tuned = copy.deepcopy(base).train()
optimizer = torch.optim.AdamW(tuned.parameters(), lr=3e-4, weight_decay=0.0)
generator = torch.Generator().manual_seed(0)
held_out_all = [e for task in TASKS for e in held_out[task]]
curves = LossCurves(title="instruction fine-tuning: loss on the answers", total_steps=SFT_STEPS)
curves.add(0, answer_loss(tuned, sft_train[:64]), answer_loss(tuned, held_out_all))
curves.widget   # the live view; the finished picture is saved below

# %%
sft_losses, start = [], time.perf_counter()
for step in range(SFT_STEPS if RUN_LIVE else SFT_LIVE):
    i = torch.randint(len(sft_x), (16,), generator=generator)
    logits, _ = tuned(sft_x[i])
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), sft_y[i].reshape(-1), ignore_index=-100)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    sft_losses.append(loss.item())
    if (step + 1) % 25 == 0:  # the held-out answers every 100 steps
        val = answer_loss(tuned, held_out_all) if (step + 1) % 100 == 0 or step + 1 == SFT_STEPS else None
        curves.add(step + 1, float(np.mean(sft_losses[-25:])), val, train_window=25)
print(f"{len(sft_losses)} steps here in {time.perf_counter() - start:.0f} s")
if not RUN_LIVE:  # steps 101-600: the shipped run (tools/finetune_runs.py), the same recipe and batches
    sft_run = shipped_runs["instruction-tuned"]
    assert_close(f"our {SFT_LIVE} losses vs the shipped run's first {SFT_LIVE}", torch.tensor(sft_losses),
                 torch.tensor(sft_run["losses"][:SFT_LIVE]), atol=1e-3, rtol=0)
    tuned.load_state_dict(shipped_weights["instruction-tuned"])
    for step in range(SFT_LIVE + 25, SFT_STEPS + 1, 25):   # the rest of its curve
        val = sft_run["val_losses"][step // 100 - 1] if step % 100 == 0 else None
        curves.add(step, float(np.mean(sft_run["losses"][step - 25:step])), val, train_window=25)
    sft_losses = sft_run["losses"]
tuned.eval()
print(f"{len(sft_losses)} steps in all; held-out answer loss "
      f"{curves.state.val_losses[0]:.2f} → {curves.state.val_losses[-1]:.2f}")
curves.figure   # the final picture, also where widgets do not run (GitHub)

# %%
after_scores = instruction_scores(tuned)
for key in before_scores:
    print(f"{key:24} before {before_scores[key]:.3f} → after {after_scores[key]:.3f}")

# The idea, checked: the tuned model follows the template; the pretrained one does not.
assert curves.render_count > 2, "the curves should have been redrawn while training ran"
assert after_scores["answer loss"] < before_scores["answer loss"] - 0.3
assert after_scores["capitals when shouting"] > before_scores["capitals when shouting"] + 0.2
assert after_scores["play named"] > before_scores["play named"]

# %% [markdown]
# The same held-out prompts, side by side. Pick an example or type your own text (characters of
# the plays only) and choose the task.

# %%
from utils.widgets import BeforeAfterView

examples = [e for task in TASKS for e in held_out[task][:6]]
before_after = BeforeAfterView({"pretrained (before)": base, "instruction-tuned (after)": tuned}, tokenizer, examples)
before_after

# %% [markdown]
# What changed, and what did not:
#
# - **The format** changed at once: after a few hundred steps the model answers briefly, on one
#   line, in the form the task asks for (a title; capitals). Before, it just went on writing
#   Shakespeare-like words.
# - **Which play** is learned in part: the model already knew the characters' names and styles from
#   pretraining; tuning taught it to *say* the title.
# - **Shouting** is learned as a style, not as a skill: answers are in capitals, but they are
#   seldom the same line. Copying a line letter by letter is beyond what a 0.8 M-parameter model
#   learns in a few hundred steps. And **continuing** a line barely improves: that was
#   pretraining's job.
#
# This matches what is seen at scale: instruction tuning mostly teaches *how to answer*; the
# knowledge and skills come from pretraining (LIMA, [Zhou et al., 2023](https://arxiv.org/abs/2305.11206),
# tuned a 65 B model with only 1,000 examples).

# %%
# The widget, checked: choosing another example answers again, with both models.
count = before_after.render_count
before_after.example.value = len(examples) - 1
assert before_after.render_count == count + 1 and set(before_after.answers) == {"pretrained (before)", "instruction-tuned (after)"}
assert before_after.expected() == examples[-1].response

# %% [markdown]
# ## 6. Prompt, retrieve, fine-tune or train from scratch?
#
# Fine-tuning is one of four ways to make a model do your job (seed lesson: Microsoft, *Generative
# AI for Beginners*, lesson 2). Start at the top; go down only when the step above is not enough.
#
# | approach | what changes | needs | good for | cost |
# |---|---|---|---|---|
# | **prompting** (zero-/few-shot) | nothing; you write instructions and examples in the prompt | a capable model | most tasks first; quick tries | cheapest; longer prompts cost per call |
# | **RAG** (retrieval-augmented generation, notebook 12) | the prompt: retrieved passages are added | your documents, a search index | facts the model never saw, private or fresh data; citing sources | an index to build and keep up to date |
# | **fine-tuning** (full or LoRA) | the weights | hundreds to thousands of labelled examples, some GPU time | a fixed format, style or task; shorter prompts and lower latency; a small model doing one job well | training and evaluation; retrain when data changes |
# | **training from scratch** | everything | a huge corpus, a large budget | new languages or domains no model covers | largest by far (notebook 09) |
#
# Two notes. "Zero-shot" means *no examples in the prompt* and no training at all, not "training
# from scratch" (the translation of the seed lesson mixes them up). And fine-tuning is a poor way to
# add **facts**: a model tuned on documents may still answer wrongly and cannot point to its source;
# retrieval can.
#
# Why did this notebook not just *prompt* our model? Because prompting needs a model that learned to
# learn from its prompt. In-context learning appeared with scale (GPT-3, [Brown et al.,
# 2020](https://arxiv.org/abs/2005.14165), Figure 1.2). Our 0.8 M-parameter model does not have it:
# give it labelled examples in the prompt and compare how likely it finds " comedy" and " tragedy".

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask the class: you want a chatbot that knows your school's timetable: prompt, RAG or fine-tune?
# > Land: start at the top of the table, go down only when needed.

# %%
rng = np.random.default_rng(1)
comedies, tragedies = (np.flatnonzero(np.array(train_labels) == label) for label in (0, 1))
shot_rows = [rng.choice(comedies), rng.choice(tragedies), rng.choice(comedies), rng.choice(tragedies)]
few_shot = "".join(f"Text: {' '.join(train_texts[i].split())[:40]}\nGenre: {GENRES[train_labels[i]]}\n"
                   for i in shot_rows)
print(few_shot)


@torch.no_grad()
def few_shot_guess(text):
    """The genre whose name the model finds likelier after the examples and the new text."""
    scores = []
    for genre in GENRES:
        prompt = few_shot + f"Text: {' '.join(text.split())[:40]}\nGenre:"
        ids = torch.tensor([tokenizer.encode(prompt + " " + genre)[-CONTEXT:]])
        logits, _ = base(ids[:, :-1])
        logp = torch.log_softmax(logits[0], -1)
        n = len(genre) + 1
        scores.append(sum(logp[-n + k, ids[0, -n + k]].item() for k in range(n)))
    return int(np.argmax(scores))


sample = rng.permutation(len(test_texts))[:utils.fast(300, 60)]   # a random sample of the test plays
guesses = np.array([few_shot_guess(test_texts[i]) for i in sample])
truth = np.array(test_labels)[sample]
prompt_acc = np.mean(guesses == truth)
tuned_acc = np.mean(predictions[sample] == truth)
print(f"on {len(sample)} test passages: few-shot prompting {prompt_acc:.1%} (it answers 'comedy' "
      f"{np.mean(guesses == 0):.0%} of the time), fine-tuned {tuned_acc:.1%}, "
      f"majority class {max(truth.mean(), 1 - truth.mean()):.1%}")
assert prompt_acc < tuned_acc

# %% [markdown]
# ## Recap
#
# - Pretraining teaches the language; fine-tuning adapts the model to one job with little data.
# - Classification: a new head on the mean hidden state. On 7 unseen plays: majority class
#   56.7 %, from scratch 43 % (below the majority class), frozen body 61 %, full fine-tuning and
#   LoRA 62 %. Start from
#   a trained head, keep the learning rate small, and split the data by play.
# - LoRA: $W + \frac{\alpha}{r}BA$ with $B = 0$ at the start; 8 % of the parameters here, 0.01 % on
#   GPT-3; merged back into $W$ after training. It saves memory and storage, not compute per step.
# - Instruction tuning teaches the format of answers; knowledge comes from pretraining.
# - Prompt first, then RAG for facts, fine-tune for format and task, train from scratch rarely.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what does LoRA save, and what does it not save? (Memory and storage; not compute per step.)

# %% [markdown]
# ## Exercises
#
# ★ checks your understanding, ★★ changes the code, ★★★ is a small investigation. Replace each `...`,
# run the cell, then run the check below it: it says ✓ and why, or gives a hint. Reference solutions are
# in [solutions/10_fine_tuning.py](solutions/10_fine_tuning.py); try first.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Exercises 1 and 2 are counting: quick in class. Exercise 3 is a good discussion of what a label means.

# %%
from utils.exercises import check

# %% [markdown]
# **1. Rank 1 ★.** How many parameters does rank-1 LoRA on every matrix of our GPT's body train (the head
# not counted)? Work it out from the matrix shapes of section 4, then check with `add_lora` on a copy of
# `base` and `count_parameters`.

# %%
rank1_parameters = ...  # a number

# %%
check("10.1", rank1_parameters);

# %% [markdown]
# **2. Attention only ★★.** Hu et al. adapted only the attention matrices. Apply rank-8 LoRA to
# `("attn.qkv", "attn.proj")` only (the `targets` argument of `add_lora`) and count the trainable parameters.

# %%
attention_parameters = ...  # a number

# %%
check("10.2", attention_parameters);

# %% [markdown]
# **3. The hardest play ★★★.** In `per_play`, which test play is hardest for the fully fine-tuned model? Is it
# a comedy or a tragedy? Read a few of its test passages that the model gets wrong: why might they mislead it?

# %%
hardest = ...  # the play's key in per_play

# %%
check("10.3", hardest, per_play=per_play);
