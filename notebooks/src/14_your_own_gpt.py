# %% [markdown]
# # 14 · Capstone: your own GPT on your own text
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/14_your_own_gpt.ipynb)
#
# **What you will learn**
# - to choose a text to learn from (Shakespeare, Python's own standard library, or your own file) and
#   to handle the texts that cannot be used;
# - to choose a tokenizer: characters, or notebook 06's byte-level BPE trained on *this* text;
# - to compare two models with different tokenizers fairly, in **bits per character**, at equal compute;
# - to train with the course recipe in a time budget you set, save and resume, sample, look inside;
# - to judge the result honestly: baselines, samples, and "is it copying?";
# - what data parallelism is, measured with two processes under `torchrun`.
#
# **Time:** about 60 minutes (the cells compute for about 2 minutes in all on a 2-core laptop).
# **Needs:** notebooks 06 (BPE), 08 (the GPT) and 09 (the training recipe).

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
# ## 1. Choose a text
#
# Everything the course built so far was trained on Shakespeare. Now you choose. Three kinds of text
# work offline on every machine:
#
# - `"shakespeare"`: all the plays (`utils.data`; we use their first 2 million characters);
# - `"python"`: Python's own standard library, the `.py` files of the Python running this notebook,
#   in sorted order: a GPT that writes Python;
# - `"file"`: your own UTF-8 text file (set `MY_FILE`), or `"text"`: text you paste.
#
# Change `CHOICE` (and `MY_FILE`) and rerun the notebook from here; everything below follows.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask the class what they would like a model to write, and why a model needs a lot of text.
# > Land: any text works, but bad input must give a clear message, not a traceback deep in training.

# %%
from utils.corpus import MIN_CHARACTERS, file_corpus, load_corpus, text_corpus

CHOICE = "shakespeare"          # or "python", "file", "text"
MY_FILE = None                  # e.g. "my_diary.txt" when CHOICE = "file"
corpus = load_corpus(CHOICE, path=MY_FILE, max_characters=utils.fast(2_000_000, 200_000))
train_text, held_out_text = corpus.split()
for key, value in corpus.stats().items():
    print(f"{key:20s} {value if key == 'most common' else f'{value:,}'}")
print(*corpus.notes, sep="\n")
print(f"training on {len(train_text):,} characters, the last {len(held_out_text):,} held out")

# %% [markdown]
# Texts that cannot be used fail early with a message that says what to do. A missing file, a file
# that is not UTF-8 (here Latin-1: "café" with é as the single byte `0xE9`) and a text shorter than
# the minimum:

# %%
import tempfile
from pathlib import Path

scratch = Path(tempfile.mkdtemp())
latin1 = scratch / "latin1.txt"
latin1.write_bytes(("café au lait. " * 500).encode("latin-1"))
problems = {}
for name, attempt in {"missing file": lambda: file_corpus("no_such_file.txt"),
                      "not UTF-8": lambda: file_corpus(latin1),
                      "too short": lambda: text_corpus("To be, or not to be.")}.items():
    try:
        attempt()
    except (OSError, ValueError) as err:
        problems[name] = str(err)
        print(f"{name:13s} → {str(err).replace(str(scratch), '…')}")
replaced = file_corpus(latin1, errors="replace")   # the offered fix: each bad byte becomes �
print("with errors='replace':", replaced.text[:28], "·", *replaced.notes)

# %%
assert set(problems) == {"missing file", "not UTF-8", "too short"}
assert "errors='replace'" in problems["not UTF-8"] and f"{MIN_CHARACTERS:,}" in problems["too short"]
assert replaced.text.startswith("caf\ufffd au lait") and len(held_out_text) > 0.09 * len(corpus.text)

# %% [markdown]
# The same choice with a widget: pick a text, type a path or paste text, and see its statistics.
# `picker.corpus` is the text it loaded (to use it below: `corpus = picker.corpus`, then rerun the
# cells after this one).

# %%
from utils.widgets import CorpusPicker

picker = CorpusPicker(choice=CHOICE)
picker

# %% [markdown]
# ## 2. Choose a tokenizer
#
# Characters give a small vocabulary and long sequences. Notebook 06's byte-level BPE, trained on
# *this* text, merges frequent pairs into tokens: every merge adds one token to the vocabulary and
# makes the text shorter. We train the BPE once with the most merges: the tokenizer after its first
# $k$ merges is a prefix of it, so the slider below needs no retraining. Training BPE is slow in
# plain Python, so it learns from the first part of the training text.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what does a bigger vocabulary cost and what does it buy? (A bigger embedding table and
# > output layer; shorter sequences, so a fixed context holds more text.) Move the slider together.

# %%
import time

from utils.bpe import BytePairTokenizer
from utils.corpus import bpe_with_merges, tokens_per_character
from utils.data import CharTokenizer

bpe_text = train_text[: utils.fast(60_000, 10_000)]
start = time.perf_counter()
full_bpe = BytePairTokenizer.train(bpe_text, num_merges=utils.fast(1_000, 120))
bpe_seconds = time.perf_counter() - start
print(f"BPE: {len(full_bpe.merges):,} merges learned from {len(bpe_text):,} characters in {bpe_seconds:.0f} s")

measure_text = held_out_text[:20_000]
tradeoff = {}
for merges in sorted({0, 100, 250, 500, 1000, len(full_bpe.merges)}):
    if merges <= len(full_bpe.merges):
        tokenizer = bpe_with_merges(full_bpe, merges)
        tradeoff[merges] = (tokenizer.vocab_size, tokens_per_character(tokenizer, measure_text))
        print(f"{merges:5,} merges: vocabulary {tradeoff[merges][0]:5,}, "
              f"{tradeoff[merges][1]:.3f} tokens per character of held-out text")

# %%
per_char = [t for _, t in tradeoff.values()]
assert tradeoff[0] == (256, 1.0) or tradeoff[0][1] > 1.0   # bytes: 1 token per ASCII character, more for é
assert all(a > b for a, b in zip(per_char, per_char[1:])), "each step of merges must shorten the text"

# %%
from utils.widgets import MergesView

MergesView(full_bpe, held_out_text, merges=min(500, len(full_bpe.merges)))

# %% [markdown]
# ## 3. A fair race: characters against BPE, in bits per character
#
# Which tokenizer gives the better model? The loss per *token* cannot say: a BPE token carries
# several characters, so of course it costs more nats than one character. The fair unit is the
# information the model needs for the **same held-out text**:
#
# $$\text{bits per character} = \frac{\sum_{\text{tokens}} (-\ln p(\text{token}))}{\ln 2 \cdot \text{number of characters}}.$$
#
# A hand-checked example: 4 tokens, each given probability $\tfrac14$ (a cost of $\ln 4$ nats, 2 bits),
# covering 8 characters: $4 \cdot 2 / 8 = 1$ bit per character.
#
# **Equal compute.** Both models get the same body (layers, width, context of 64 tokens) and batch.
# A training step costs about $6N$ floating-point operations per token ($N$: the parameters
# used in matrix products, the output layer included; notebook 09), and the BPE model's output layer is
# bigger, so it gets proportionally fewer steps.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: why not just compare the two losses printed by training? (Different units: nats per
# > token.) Work the 1-bit example on the board before running the race.

# %%
import math

import torch

from utils.corpus import bits_per_character, held_out_bits_per_character
from utils.models import GPT, GPTConfig
from utils.train import Recipe, encode_corpus, train

assert bits_per_character(4 * math.log(4), 8) == 1.0          # the hand-checked example above

char_tokenizer = CharTokenizer(corpus.text)
race_bpe = bpe_with_merges(full_bpe, min(500, len(full_bpe.merges)))
race_text = held_out_text[: utils.fast(50_000, 5_000)]


def compute_per_token(model):
    """Parameters in matrix products: all but the position table (a lookup, no arithmetic)."""
    return model.num_parameters() - model.position_embedding.weight.numel()


race, char_steps = {}, utils.fast(300, 15)
for name, tokenizer in (("characters", char_tokenizer), ("BPE", race_bpe)):
    data = encode_corpus(train_text, tokenizer)
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=tokenizer.vocab_size, block_size=64, n_layer=2, n_head=4, n_embd=64))
    n = compute_per_token(model)
    steps = char_steps if name == "characters" else round(char_steps * race["characters"]["n"] / n)
    start = time.perf_counter()
    train(model, data, Recipe(steps=steps, batch_size=16, lr=3e-3, min_lr=3e-4, warmup_steps=utils.fast(30, 3)),
          progress=False)
    seconds = time.perf_counter() - start
    race[name] = {"n": n, "steps": steps, "flops": 6 * n * steps * 16 * 64, "seconds": seconds,
                  "bpc": held_out_bits_per_character(model, tokenizer, race_text),
                  "characters seen": steps * 16 * 64 / tokens_per_character(tokenizer, measure_text)}
    r = race[name]
    print(f"{name:10s} vocabulary {tokenizer.vocab_size:4,} · {steps} steps · {r['flops']:.2e} FLOPs · "
          f"{seconds:5.1f} s · saw ≈{r['characters seen'] / 1e6:.2f} M characters · {r['bpc']:.3f} bits per character")

winner = min(race, key=lambda k: race[k]["bpc"])
loser = "BPE" if winner == "characters" else "characters"
print(f"winner: {winner}, by {race[loser]['bpc'] - race[winner]['bpc']:.3f} bits per character")

# %%
half_a_step = 6 * race["BPE"]["n"] * 16 * 64 / 2       # steps are whole numbers: equal up to rounding
assert abs(race["BPE"]["flops"] - race["characters"]["flops"]) <= half_a_step, "the race must be at equal compute"
if not utils.is_fast():   # the result the text below explains, from the full run
    assert winner == "BPE" and race["BPE"]["bpc"] < race["characters"]["bpc"] - 0.1
    assert race_bpe.vocab_size == 756 and 0.4 < tradeoff[500][1] < 0.55
    assert 1.2 < race["BPE"]["characters seen"] / race["characters"]["characters seen"] < 1.8
    assert race["BPE"]["steps"] < 0.8 * race["characters"]["steps"]

# %% [markdown]
# On Shakespeare, in the full run, **BPE won** by more than 0.1 bits per character at equal compute (the
# numbers are printed above, and checked). Why: each BPE token covers about two characters (0.4 to
# 0.55 tokens per character). Its bigger output layer (756 tokens instead of one per character) costs
# compute, so it got over 20 % fewer steps, yet it still read 1.2 to 1.8 times as much text, and
# its 64-token context spans about twice as many characters. With far more merges the price grows
# (rare tokens are seen too seldom to learn them), which is one of the exercises.

# %% [markdown]
# ## 4. Train your GPT in a time budget
#
# Now one bigger model, with the winning tokenizer, in a time budget you set. The learning-rate
# schedule (notebook 09) needs the number of steps in advance, so we first time a few steps on this
# machine and derive the steps from the budget. Halfway, training stops and saves a checkpoint
# (weights, AdamW moments, the step, the random state); the next cell resumes from it as if never
# stopped, which is how you would continue a run tomorrow.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Start the training first, then talk: the curves draw live. Ask what the gap between
# > the training and held-out curves would mean.

# %%
from utils.corpus import steps_for_time_budget
from utils.widgets import LossCurves

TIME_BUDGET_SECONDS = utils.fast(60, 8)      # your choice: 5 minutes (300) trains a better model
tokenizer = race_bpe if winner == "BPE" else char_tokenizer
train_data, held_out_data = encode_corpus(train_text, tokenizer), encode_corpus(held_out_text, tokenizer)
config = GPTConfig(vocab_size=tokenizer.vocab_size, block_size=64, n_layer=3, n_head=4, n_embd=96)
torch.manual_seed(0)
model = GPT(config)
recipe = Recipe(steps=10, batch_size=16, lr=3e-3, min_lr=3e-4, warmup_steps=utils.fast(40, 2))
steps = max(10, steps_for_time_budget(model, train_data, recipe, TIME_BUDGET_SECONDS))
recipe = Recipe(**{**recipe.to_dict(), "steps": steps})
print(f"{model.num_parameters():,} parameters · {TIME_BUDGET_SECONDS} s budget → {steps} steps")

from utils.config import cache_dir
from utils.train import evaluate

checkpoint = cache_dir() / "capstone" / "my_gpt.pt"
checkpoint.parent.mkdir(parents=True, exist_ok=True)
val_slice = held_out_data[: utils.fast(10_000, 2_000)]
curves = LossCurves(f"your GPT on {corpus.name}", total_steps=steps)
curves.add(0, evaluate(model, val_slice), evaluate(model, val_slice))
curves.widget   # the live view; the finished picture is shown after training

# %%
every = max(1, steps // 15)
start = time.perf_counter()
first_half = train(model, train_data, recipe, callback=lambda s, loss: curves.add(s, loss, evaluate(model, val_slice)),
                   every=every, stop_after=steps // 2, save_to=checkpoint)
print(f"stopped at step {len(first_half)} of {steps}; checkpoint {checkpoint.name}, "
      f"{checkpoint.stat().st_size / 1e6:.1f} MB")

# %%
torch.manual_seed(1)                 # a fresh model: resuming must overwrite everything
model = GPT(config)
losses = train(model, train_data, recipe, callback=lambda s, loss: curves.add(s, loss, evaluate(model, val_slice)),
               every=every, resume_from=checkpoint)
train_seconds = time.perf_counter() - start
print(f"{len(losses)} steps in {train_seconds:.0f} s; held-out loss {curves.state.val_losses[0]:.2f} → "
      f"{curves.state.val_losses[-1]:.2f} nats per token")
curves.figure

# %%
assert len(losses) == steps and losses[: len(first_half)] == first_half
utils.assert_decreased("held-out loss", curves.state.val_losses, by=utils.fast(0.3, 0.1))   # fractions of the first

# %% [markdown]
# The budget buys training steps; the held-out points of the curve cost extra time on top (the
# whole run's time is printed above).

# %% [markdown]
# ## 5. Judge it honestly
#
# A loss means little alone. Two baselines from notebook 05, counted on this text's characters: the
# **unigram** model (each character by its frequency, no context) and the **bigram** model (each
# character from the one before). All three in bits per character, on the same held-out text.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what is the weakest model that still deserves the name? (The bigram.) Then read
# > samples aloud and ask whether the model invented them or copied them.

# %%
from utils.corpus import unigram_loss
from utils.rnn import bigram_loss

char_train, char_held_out = encode_corpus(train_text, char_tokenizer), encode_corpus(race_text, char_tokenizer)
judged = {
    "unigram (characters)": unigram_loss(char_train, char_held_out, char_tokenizer.vocab_size) / math.log(2),
    "bigram (characters)": bigram_loss(char_train, char_held_out, char_tokenizer.vocab_size) / math.log(2),
    "your GPT": held_out_bits_per_character(model, tokenizer, race_text),
}
for name, bpc in judged.items():
    print(f"{name:22s} {bpc:.3f} bits per character")

# %%
# In the quick test run the model trains for seconds: there it must beat the unigram baseline.
baseline = utils.fast("bigram (characters)", "unigram (characters)")
assert judged["your GPT"] < judged[baseline], f"the model must beat the {baseline} baseline"

# %% [markdown]
# Samples, and the question a small model on a small text must answer: **is it copying?** For each
# sample we find the longest piece that appears word for word in the training text. A real
# held-out passage of the same length also shares pieces with the training text by chance (names,
# common phrases), so that is the yardstick.

# %%
from utils.corpus import longest_copy, passage_around
from utils.models import generate

prompt = "\n"
samples = []
for seed in range(3):
    ids = generate(model, torch.tensor([tokenizer.encode(prompt)]), utils.fast(200, 40), temperature=0.8,
                   top_k=40, generator=torch.Generator().manual_seed(seed))
    samples.append(tokenizer.decode(ids[0, 1:].tolist()))
print(samples[0])
copies = [longest_copy(s, train_text) for s in samples]
chance = [longest_copy(held_out_text[i : i + len(s)], train_text) for i, s in zip((0, 5_000, 10_000), samples)]
for (n, piece), (m, _) in zip(copies, chance):
    print(f"sample: longest piece also in the training text {n:3d} characters {piece!r:.60}; "
          f"held-out text of that length: {m}")
print("the longest piece comes from:", repr(passage_around(copies[0][1], train_text, context=40)))

# %%
longest_sample, longest_chance = max(n for n, _ in copies), max(m for m, _ in chance)
assert all(piece in train_text for _, piece in copies)
assert longest_sample < max(3 * longest_chance, 40), "a sample copies a long passage: the model memorises"

# %% [markdown]
# The pieces the samples share with the training text are about as long as those real, unseen
# text shares with it: the model recombines what it learned rather than reciting passages (the
# check above fails if a sample copies more than three times as much as chance, or 40 characters).
# Try the sampler: temperature, top-k, a prompt, and the longest copied piece marked in each sample.

# %%
from utils.widgets import SamplerView

SamplerView(model, tokenizer, train_text, prompt="\n", temperature=0.8, top_k=40, new_tokens=utils.fast(200, 40))

# %% [markdown]
# ## 6. Look inside: the attention of your model
#
# Notebook 07's attention view works on the new model and its tokenizer: pick a layer and a head,
# type text, see which earlier tokens each token looks at.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Find a head that looks at the previous token, and one that looks further back; ask
# > what each might be for in this text.

# %%
from utils.widgets import AttentionView

attention = AttentionView(model, tokenizer, held_out_text[:80], layer=config.n_layer - 1, head=0)
attention

# %%
import numpy as np

from utils.widgets.attention import attention_for

labels, weights = attention_for(model, tokenizer, held_out_text[:80])
assert weights.shape[:2] == (config.n_layer, config.n_head) and np.allclose(weights.sum(-1), 1, atol=1e-5)
assert np.allclose(np.triu(weights, k=1), 0), "no token may look at later tokens"

# %% [markdown]
# ## 7. When a laptop is not enough: data parallelism
#
# Big models train on many GPUs at once. The simplest way is **data parallelism**: every process
# (one per GPU) holds a full copy of the model; each step the global batch is cut into equal slices,
# one per process; each computes gradients on its slice; then an **all-reduce** averages the
# gradients across processes, so every copy takes the identical step. The average of the slices'
# mean gradients *is* the gradient of the whole batch's mean loss, so the run equals one process with
# the whole batch, only faster when each process has its own hardware.
#
# PyTorch's `DistributedDataParallel` does the all-reduce during `backward()`. `utils/ddp.py` runs
# the course recipe with it; `torchrun` starts the processes. On CPUs it uses the **gloo** backend,
# on GPUs **NCCL**, with the same code:
#
#     torchrun --nproc_per_node=2 -m utils.ddp --steps 40          # here: 2 CPU processes
#     torchrun --nproc_per_node=8 -m utils.ddp --steps 5000        # a machine with 8 GPUs
#
# We run it with 1 and with 2 processes on the same global batch of 16 and compare.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Draw four GPUs, each with a copy of the model and a quarter of the batch, and the
# > arrows of the all-reduce. Ask: why must the copies stay identical? Then look at the measured times.

# %%
import json
import os

package_root = str(Path(utils.__file__).resolve().parent.parent)
env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
ddp_runs = {}
for processes in (1, 2):
    report = scratch / f"ddp_{processes}.json"
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}",
               "-m", "utils.ddp", "--steps", str(utils.fast(40, 4)), "--batch-size", "16", "--out", str(report)]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode:
        print(done.stderr[-2000:])
    ddp_runs[processes] = json.loads(report.read_text()) | {"wall seconds": time.perf_counter() - start}
    r = ddp_runs[processes]
    print(f"{processes} process{'es' if processes > 1 else ''} ({r['backend']}): training {r['seconds']:.1f} s, "
          f"with start-up {r['wall seconds']:.1f} s, last loss {r['losses'][-1]:.4f}")

# %%
one, two = ddp_runs[1], ddp_runs[2]
speedup = one["seconds"] / two["seconds"]
print(f"speed-up of 2 processes over 1: {speedup:.2f}×")
utils.assert_close("2 processes vs 1, the same global batch", two["losses"], one["losses"], atol=1e-4)
assert speedup < 2.2, "two processes cannot be much more than twice as fast as one"
assert two["backend"] == "gloo" and len(two["losses"]) == utils.fast(40, 4)

# %% [markdown]
# The two runs give the same losses step for step (up to rounding in the all-reduce's sum):
# splitting the batch changed nothing about the mathematics. The speed-up printed above is at
# most 2 and, on a laptop's CPU, usually well below it: every step waits for the all-reduce, the two
# processes share the machine's cores and memory with everything else, and starting them costs
# seconds. Data parallelism pays when each process has its own GPU and a step's computation takes
# much longer than averaging its gradients. `tests/test_ddp.py` checks that the copies' parameters
# stay identical after every step.

# %% [markdown]
# ## Recap
#
# - Any text can be the training set; bad input (missing, not UTF-8, too short, huge) gets a clear
#   message before training, not a crash during it.
# - Tokenizers trade vocabulary size for sequence length; measure both on your text.
# - Compare models with different tokenizers in bits per character, at equal compute. On
#   Shakespeare, BPE won: in the same compute it read more text, with a longer reach.
# - The course recipe trains in a time budget, saves and resumes; judge the result against
#   baselines and check that samples are not copies.
# - Data parallelism: copies of the model, slices of the batch, averaged gradients; the same
#   run as one process, faster only with real parallel hardware.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask each learner which text they would train on next and what they expect the race to show.

# %% [markdown]
# ## Exercises
#
# ★ checks your understanding, ★★ changes the code, ★★★ is a small investigation. Replace each `...`,
# run the cell, then run the check below it: it says ✓ and why, or gives a hint. Reference solutions are
# in [solutions/14_your_own_gpt.py](solutions/14_your_own_gpt.py); try first.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Exercise 1 takes two minutes in class; exercises 2 to 4 and the homework below are for
# > after class: each learner brings back the race result for their own text.

# %%
from utils.exercises import check

# %% [markdown]
# **1. Bits by hand ★.** A model gives each of the 6 tokens of a 15-character held-out text a
# probability of 1/8. How many bits per character is that? Compute it with `bits_per_character`.

# %%
bits_per_char = ...  # bits per character of the 15-character text

# %%
check("14.1", bits_per_char);

# %% [markdown]
# **2. More merges, fewer steps ★★.** The race of section 3 with the BPE after 1,500 merges instead of 500
# (a vocabulary of 256 + 1,500 tokens): how many training steps would its model get at equal compute? Build
# the race's GPT with that vocabulary and count its compute as `compute_per_token` does. (To run that race, train
# a BPE with more merges: `BytePairTokenizer.train(bpe_text, num_merges=1500)`; does BPE still win?)

# %%
bpe_1500_steps = ...  # training steps of the 1,500-merge model at equal compute

# %%
check("14.2", bpe_1500_steps, race=race);

# %% [markdown]
# **3. The unigram baseline by hand ★★.** Write `unigram_bits(train_text, held_out_text)`: count each
# character in the training text, add one to the count of every character of the alphabet (the
# characters of both texts), divide by the total, and return the average −log₂ p over the held-out
# characters. `unigram_bits(train_text, race_text)` should be close to section 5's unigram line.

# %%
def unigram_bits(train_text, held_out_text):
    ...  # your code: return bits per character

# %%
check("14.3", unigram_bits);

# %% [markdown]
# **4. Why equal slices? ★★★** Data parallelism averages the slices' gradients. Take a small model
# (`torch.nn.Linear(8, 1)`, 16 random examples, `mse_loss` with its default mean) and compare the gradient
# of the whole batch with the average of two slices' gradients, once for slices of 8 + 8 and once for
# 10 + 6. What changes, and what would DDP have to do with unequal slices?

# %%
gradient_gaps = ...  # (largest |difference| for slices 8 + 8, for slices 10 + 6)

# %%
check("14.4", gradient_gaps);

# %% [markdown]
# **Homework: a GPT that writes Python.** Set `CHOICE = "python"` (or your own file) and run the notebook
# again. Which tokenizer wins the race on code? Does the model copy more or less than on Shakespeare?
