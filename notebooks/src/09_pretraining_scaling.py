# %% [markdown]
# # 09 · Pretraining and scaling laws
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/09_pretraining_scaling.ipynb)
#
# **What you will learn**
# - the pretraining loop in full: AdamW, warmup + cosine schedule, gradient clipping, evaluation;
# - how to save a run and resume it so that it continues *exactly* as if never stopped;
# - what lower precision (bfloat16) does on a CPU, measured rather than assumed;
# - a mini scaling law: seven model sizes, loss against parameters and compute, a fitted power law;
# - what training GPT-3 and Llama 3.1 cost in FLOPs (≈ 6·N·D), and why scale keeps winning.
#
# **Time:** about 60 minutes (the cells train for about a minute in all on a laptop).
# **Needs:** notebook 08 (the GPT and its training demo).

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
# ## 1. The training loop, in full
#
# Notebook 08 trained a GPT with a short loop. Real pretraining runs use the same loop with four
# additions, each cheap and each there for a reason:
#
# - **AdamW** (Loshchilov & Hutter, [2019](https://arxiv.org/abs/1711.05101)): Adam with *decoupled*
#   weight decay. We decay only matrices, not LayerNorm gains or biases (shrinking those only hurts).
# - **Warmup, then cosine decay** of the learning rate: Adam's moment estimates are poor in the first
#   steps, so the rate climbs linearly for `warmup_steps`; then it follows half a cosine down to
#   `min_lr`, so the last steps make small, careful moves:
#
#   $$\eta_t = \eta_{\min} + \tfrac12\left(1 + \cos\left(\pi\,\frac{t - t_w}{T - t_w}\right)\right)(\eta_{\max} - \eta_{\min}), \qquad t \ge t_w.$$
#
# - **Gradient clipping**: if the gradient's global norm $\lVert g\rVert$ exceeds $c$, scale it to
#   $g \cdot c / \lVert g\rVert$. A single bad batch then cannot throw the weights far away.
# - **Evaluation on held-out text** at intervals: the training loss alone cannot tell memorising
#   from learning.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: why warm up the learning rate instead of starting at full speed?
# > Land: AdamW, warmup and cosine, clipping and held-out loss, each there for a reason.

# %%
import math
import time

import numpy as np
import torch

from utils.data import CharTokenizer, shakespeare, shakespeare_split
from utils.models import GPT, GPTConfig
from utils.train import Recipe, evaluate, get_batch

tokenizer = CharTokenizer(shakespeare("full"))
train_data = torch.tensor(tokenizer.encode(shakespeare_split("tiny", "train")))
val_data = torch.tensor(tokenizer.encode(shakespeare_split("tiny", "val")))
print(f"train {len(train_data):,} characters, validation {len(val_data):,}")


def lr_at(step, peak_lr, min_lr, warmup_steps, total_steps):
    """Linear warmup, then half a cosine from peak_lr down to min_lr."""
    if step < warmup_steps:
        return peak_lr * (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (peak_lr - min_lr)


recipe = Recipe(steps=utils.fast(150, 20), batch_size=16, lr=3e-3, min_lr=3e-4, warmup_steps=utils.fast(15, 4))
schedule = [lr_at(s, recipe.lr, recipe.min_lr, recipe.warmup_steps, recipe.steps) for s in range(recipe.steps)]

# %%
from utils.plots import plot_curves

plot_curves({"learning rate": schedule}, ylabel="learning rate", title="Warmup, then cosine decay",
            width_px=480, height_px=260)

# %% [markdown]
# Now the loop itself, every line visible. `small_config` is a 2-layer GPT with 64 channels and a
# context of 64 characters: big enough to learn, small enough to train in seconds.

# %%
small_config = GPTConfig(vocab_size=tokenizer.vocab_size, block_size=64, n_layer=2, n_head=4, n_embd=64)


def train_by_hand(config, data, recipe, seed=0):
    torch.manual_seed(seed)
    model = GPT(config)
    matrices = [p for p in model.parameters() if p.dim() >= 2]       # weight decay on these
    others = [p for p in model.parameters() if p.dim() < 2]          # LayerNorm gains: no decay
    optimizer = torch.optim.AdamW([{"params": matrices, "weight_decay": recipe.weight_decay},
                                   {"params": others, "weight_decay": 0.0}], lr=recipe.lr, betas=recipe.betas)
    generator = torch.Generator().manual_seed(seed)                  # the order of the batches
    losses = []
    for step in range(recipe.steps):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, recipe.lr, recipe.min_lr, recipe.warmup_steps, recipe.steps)
        x, y = get_batch(data, config.block_size, recipe.batch_size, generator)
        _, loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.grad_clip)
        optimizer.step()
        losses.append(loss.item())
    return model, losses


hand_model, hand_losses = train_by_hand(small_config, train_data, recipe)
print(f"training loss {hand_losses[0]:.3f} → {np.mean(hand_losses[-10:]):.3f} in {recipe.steps} steps")

# %% [markdown]
# **Check.** This loop now lives in `utils.train.train` (with a progress bar, a callback for live
# plots, checkpoints and lower precision, all below). Same seed, same recipe: the library loop must
# give the *same* losses, step for step, and the same learning-rate schedule.

# %%
from utils.train import learning_rate, train

torch.manual_seed(0)
library_model = GPT(small_config)
library_losses = train(library_model, train_data, recipe, seed=0, progress=False)
utils.assert_close("schedule: ours vs utils.train", schedule, [learning_rate(s, recipe) for s in range(recipe.steps)])
utils.assert_close("losses: our loop vs utils.train", hand_losses, library_losses, atol=1e-5)
utils.assert_decreased("training loss", [hand_losses[0], np.mean(hand_losses[-10:])], by=0.1)

# %% [markdown]
# ## 2. Watching it learn: live loss curves
#
# A long run is watched, not waited for. `LossCurves` redraws its figure in place every
# `every` steps: the training loss (mean of the last steps) and the loss on held-out text.
# If the two drift apart, the model has started to memorise.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what would it mean if the training and held-out curves drifted apart? (Memorising.)
# > The curves draw live for a few seconds: watch them together, do not wait in silence.

# %%
from utils.widgets import LossCurves

live_recipe = Recipe(steps=utils.fast(600, 40), batch_size=16, lr=3e-3, min_lr=3e-4, warmup_steps=utils.fast(30, 4))
val_slice = val_data[: utils.fast(40_000, 4_000)]
torch.manual_seed(0)
live_model = GPT(small_config)
curves = LossCurves("2-layer GPT on Shakespeare", total_steps=live_recipe.steps)
curves.add(0, evaluate(live_model, val_slice), evaluate(live_model, val_slice))
curves.widget   # the live view; the finished picture is saved below

# %%
every = utils.fast(50, 10)


def on_progress(step, smoothed_train_loss):  # the mean loss of the last `every` steps
    curves.add(step, smoothed_train_loss, evaluate(live_model, val_slice), train_window=every)


live_losses = train(live_model, train_data, live_recipe, seed=0, callback=on_progress, every=every)
print(f"validation loss {curves.state.val_losses[0]:.3f} → {curves.state.val_losses[-1]:.3f}")
curves.figure   # the final picture, also where widgets do not run (GitHub)

# %%
assert curves.render_count > 2, "the figure should have been redrawn while training ran"
utils.assert_decreased("validation loss", curves.state.val_losses, by=utils.fast(0.4, 0.1))

# %% [markdown]
# ## 3. Checkpoints: stop, resume, get the same run
#
# Big runs last weeks and machines fail, so runs save **checkpoints**. To resume *exactly*, a
# checkpoint needs more than the weights: the AdamW moments (two numbers per parameter), the step
# reached (for the schedule), and the state of the random generator that picks the batches.
# `utils.train.save_training_state` stores all four. The test: stop a run halfway, resume it in a
# **fresh** model, and compare with a run that was never interrupted.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what must a checkpoint hold besides the weights to resume *exactly*?
# > Land: optimiser moments, the step and the random state; the resumed run matches bit for bit.

# %%
import tempfile
from pathlib import Path

from utils.train import save_training_state  # noqa: F401  (what train(save_to=...) calls)

resume_recipe = Recipe(steps=utils.fast(120, 16), batch_size=16, lr=3e-3, min_lr=3e-4, warmup_steps=4)
checkpoint_file = Path(tempfile.mkdtemp()) / "run.pt"

torch.manual_seed(0)
uninterrupted = train(GPT(small_config), train_data, resume_recipe, seed=0, progress=False)

torch.manual_seed(0)
first_half = train(GPT(small_config), train_data, resume_recipe, seed=0, progress=False,
                   stop_after=resume_recipe.steps // 2, save_to=checkpoint_file)
torch.manual_seed(123)                           # a different initialisation: resuming must overwrite it
resumed = train(GPT(small_config), train_data, resume_recipe, seed=0, progress=False, resume_from=checkpoint_file)
print(f"checkpoint: {checkpoint_file.stat().st_size / 1e6:.1f} MB for {small_config.n_layer} layers")

# %%
assert len(first_half) == resume_recipe.steps // 2 and len(resumed) == len(uninterrupted)
utils.assert_close("resumed run vs uninterrupted", resumed, uninterrupted, atol=1e-6)

try:
    train(GPT(small_config), train_data, resume_recipe, progress=False, resume_from=checkpoint_file.with_name("nope.pt"))
    raise AssertionError("resuming from a missing file should fail")
except FileNotFoundError as err:
    assert "save_to" in str(err)
    print("a missing checkpoint raises FileNotFoundError and names the fix (run with save_to=...)")

# %% [markdown]
# ## 4. Lower precision, measured
#
# GPUs multiply 16-bit numbers (bfloat16, float16) several times faster than 32-bit ones and need
# half the memory, which is why large models train in "mixed precision": the matrix products in
# bfloat16, the weights and the optimiser in float32. `torch.autocast` does this switch. Whether it
# helps **on a CPU** depends on the chip (recent Intel Xeons have bfloat16 matrix units, most laptops
# do not), so we measure: the same steps of the same model, in float32 and in bfloat16.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: will bfloat16 be faster on this laptop? Have the class vote, then show the measured ratio.
# > Land: precision is a hardware question, measure it; learning survives 3 significant digits.

# %%
# 64 channels and 20 steps: enough to time both and to compare their losses; without bfloat16
# matrix units every bfloat16 product is emulated, several times slower, so a bigger run costs minutes.
precision_config = GPTConfig(vocab_size=tokenizer.vocab_size, block_size=64, n_layer=4, n_head=4, n_embd=64)
precision_recipe = Recipe(steps=utils.fast(20, 6), batch_size=16, lr=3e-3, warmup_steps=4)
timings, final_losses = {}, {}
for name, dtype in (("float32", None), ("bfloat16", torch.bfloat16)):
    torch.manual_seed(0)
    model = GPT(precision_config)
    start = time.perf_counter()
    losses = train(model, train_data, precision_recipe, seed=0, progress=False, autocast_dtype=dtype)
    timings[name] = (time.perf_counter() - start) / precision_recipe.steps
    final_losses[name] = losses
    print(f"{name:9s} {1000 * timings[name]:6.1f} ms/step, last loss {losses[-1]:.4f}")
speedup = timings["float32"] / timings["bfloat16"]
print(f"bfloat16 speed-up on this CPU: {speedup:.2f}×  ({'faster' if speedup > 1.1 else 'no real gain'})")

# %% [markdown]
# On the machine that executed this notebook bfloat16 brought **no real speed-up** (see the ratio
# above; on a CPU without bfloat16 matrix units it is often slower, since every product converts
# its inputs). So the course trains in float32 on CPU and would use `autocast_dtype=torch.bfloat16`
# on a GPU. What bfloat16 does *not* break is learning: it keeps float32's 8 exponent bits but only
# 7 stored mantissa bits (8 with the implicit leading 1), so it rounds each product to about 2–3
# significant decimal digits, yet the losses follow the float32 run closely.

# %%
last = {name: float(np.mean(losses[-10:])) for name, losses in final_losses.items()}
difference = abs(last["float32"] - last["bfloat16"])
print(f"mean loss of the last 10 steps: float32 {last['float32']:.4f}, bfloat16 {last['bfloat16']:.4f}")
assert difference < 0.03, "bfloat16 should end within a few hundredths of the float32 run"
assert final_losses["bfloat16"][-1] < final_losses["bfloat16"][0], "bfloat16 training should still learn"

# %% [markdown]
# ## 5. A mini scaling law
#
# Kaplan et al. ([2020](https://arxiv.org/abs/2001.08361)) trained language models from 768 to
# 1.5 billion non-embedding parameters and found that the test loss falls as a **power law** in the
# number of parameters $N$ (when data is not the bottleneck):
#
# $$L(N) = \left(\frac{N_c}{N}\right)^{\alpha_N}, \qquad \alpha_N \approx 0.076,$$
#
# a straight line on log–log axes: $\log L = \alpha_N \log N_c - \alpha_N \log N$. Similar laws hold
# for data $D$ and compute $C$. Let us see whether our tiny character models show the same shape.
# We train **seven sizes** (from about 800 to 800,000 non-embedding parameters, three orders of
# magnitude) on the **same** data in the same order, and measure each one's loss on the whole
# validation split. The training loss along the way gives loss-against-compute curves for free.
# Full mode shows the results shipped with the course (`tools/scaling_experiment.py` made them with
# this same function); fast mode trains the five smallest for a few steps, live.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what shape would a power law have on log–log axes? (A straight line.)
# > Full mode reads shipped results (live training takes minutes); say so, and read off the exponent.

# %%
from utils.scaling import FULL_RECIPE, SCALING_SIZES, load_scaling_results, run_scaling_experiment

# Seven trainings take 5-6 minutes on 2 cores, so full mode reads the results of
# tools/scaling_experiment.py (this same function, FULL_RECIPE, seed 0). Set RUN_LIVE = True to
# train them here; fast mode always trains the five smallest, briefly.
RUN_LIVE = utils.fast(False, True)
scaling_recipe = utils.fast(FULL_RECIPE, Recipe(steps=100, batch_size=16, lr=3e-3, min_lr=3e-4, warmup_steps=6))
if RUN_LIVE:
    results = run_scaling_experiment(utils.fast(SCALING_SIZES, SCALING_SIZES[:5]), train_data,
                                     val_data[: utils.fast(len(val_data), 8_000)], scaling_recipe,
                                     block_size=64, vocab_size=tokenizer.vocab_size, seed=0)
else:
    results = load_scaling_results()
for r in results:
    print(f"N = {r['non_embedding']:>8,}   ({r['n_layer']} layers × {r['n_embd']:>3} channels)   "
          f"val loss {r['val_loss']:.3f}   trained in {r['seconds']:.0f} s")

# %% [markdown]
# **The fit.** Taking logs turns the power law into a line, so an ordinary least-squares line
# through $(\log N, \log L)$ gives the exponent as minus its slope; $R^2$ says how much of the
# variation of $\log L$ the line explains (1 = a perfect line).

# %%
def fit_power_law(x, y):
    """Least squares for log y = log a - alpha · log x. Returns a, alpha and R² (in log space)."""
    log_x, log_y = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    slope = ((log_x - log_x.mean()) * (log_y - log_y.mean())).sum() / ((log_x - log_x.mean()) ** 2).sum()
    intercept = log_y.mean() - slope * log_x.mean()
    residual = log_y - (intercept + slope * log_x)
    r2 = 1 - (residual ** 2).sum() / ((log_y - log_y.mean()) ** 2).sum()
    return math.exp(intercept), -slope, r2


params = np.array([r["non_embedding"] for r in results], dtype=float)
val_losses = np.array([r["val_loss"] for r in results])
coefficient, alpha, r2 = fit_power_law(params, val_losses)
print(f"fit: loss ≈ {coefficient:.2f} · N^(-{alpha:.3f}),  R² = {r2:.3f}")
print("Kaplan et al. 2020: alpha_N ≈ 0.076 (byte-pair-encoded tokens, GPT-2's tokenizer; models trained to convergence)")

# %% [markdown]
# **Loss against compute.** Training compute is about $C \approx 6ND$ FLOPs: for each token, the
# forward pass costs about $2N$ (one multiply and one add per weight) and the backward pass about
# twice that. Each model's training curve, drawn against the compute spent so far, gives one line; the
# lower envelope of all lines (the **compute-efficient frontier**) is what scaling laws are about:
# for a given budget, which size reaches the lowest loss?

# %%
import matplotlib
import matplotlib.ticker

from utils.widgets import new_figure

curves_by_size = []
for r in results:
    steps = np.arange(1, len(r["loss_curve"]) + 1) * r["curve_every"]
    tokens_seen = steps * r["tokens"] / scaling_recipe.steps
    curves_by_size.append((6.0 * r["non_embedding"] * tokens_seen, np.array(r["loss_curve"])))
all_points = sorted((c, loss) for compute, losses in curves_by_size for c, loss in zip(compute, losses))
frontier, best = [], float("inf")
for c, loss in all_points:                   # keep a point if no cheaper point had a lower loss
    if loss < best:
        frontier.append((c, loss))
        best = loss
frontier = np.array(frontier)
c_coefficient, gamma, c_r2 = fit_power_law(frontier[:, 0], frontier[:, 1])
print(f"frontier: loss ≈ {c_coefficient:.2f} · C^(-{gamma:.3f}),  R² = {c_r2:.3f}  "
      f"(Kaplan et al.: alpha_C ≈ 0.050 for the compute-efficient frontier)")

fig = new_figure(900, 360)
ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
grid = np.logspace(np.log10(params.min()), np.log10(params.max()), 50)
ax1.loglog(params, val_losses, "o", color="black", label="measured (validation)")
ax1.loglog(grid, coefficient * grid ** -alpha, color="tab:blue", label=f"fit α = {alpha:.3f}, R² = {r2:.2f}")
ax1.set(xlabel="non-embedding parameters N", ylabel="validation loss (nats/char)", title="Loss vs size")
colours = matplotlib.colormaps["viridis"](np.linspace(0, 0.9, len(results)))
for (compute, losses), r, colour in zip(curves_by_size, results, colours):
    ax2.loglog(compute, losses, color=colour, lw=1.2, label=f"N = {r['non_embedding']:,}")
cgrid = np.logspace(np.log10(frontier[:, 0].min()), np.log10(frontier[:, 0].max()), 50)
ax2.loglog(cgrid, c_coefficient * cgrid ** -gamma, "--", color="tab:red", lw=2, label=f"frontier fit γ = {gamma:.3f}")
ax2.set(xlabel="training compute C ≈ 6·N·D (FLOPs)", ylabel="training loss (nats/char)", title="Loss vs compute")
for ax in (ax1, ax2):
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(6, steps=[1, 2, 5, 10]))  # a few round losses, no minor labels
    ax.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    ax.yaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.grid(alpha=0.3, which="major")  # one grid line per decade and per round loss, no dense minor mesh
ax1.legend(fontsize=7)
ax2.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside the panel: inside it, it hid curves
fig.tight_layout()
fig

# %% [markdown]
# **Check.** Bigger must be better (allowing a little noise), the power law must describe the points
# well, and our from-scratch fit must agree with NumPy's least squares.

# %%
tolerance = 0.02
for smaller, larger in zip(results, results[1:]):
    assert larger["val_loss"] < smaller["val_loss"] + tolerance, (
        f"N={larger['non_embedding']:,} is worse than N={smaller['non_embedding']:,}: "
        f"{larger['val_loss']:.3f} vs {smaller['val_loss']:.3f}")
assert params.max() / params.min() >= 100, "the sizes should span at least two orders of magnitude"
assert alpha > 0 and r2 > utils.fast(0.9, 0.6), f"a power law should fit well (R² = {r2:.3f})"
if not RUN_LIVE:  # the shipped results, which the text below quotes ("787,584 parameters", "~16 M tokens")
    assert results[-1]["non_embedding"] == 787_584 and round(20 * 787_584 / 1e6) == 16
slope, intercept = np.polyfit(np.log(params), np.log(val_losses), 1)
utils.assert_close("exponent: ours vs np.polyfit", alpha, -slope);

# %% [markdown]
# **What the numbers say.** Our exponent (printed above) is in the same small range as Kaplan's
# 0.076, but it is **not** the same experiment: our "tokens" are characters, our models are tiny and
# every model saw the same $D$ = 600 steps × 16 × 64 ≈ 0.6 million characters. That is far too
# little for the larger ones by the **Chinchilla** rule: Hoffmann et al.
# ([2022](https://arxiv.org/abs/2203.15556)) found that for a fixed compute budget, parameters and
# training tokens should grow together, about **20 tokens per parameter** (their 70 B model, trained
# on 1.4 T tokens, beat the 280 B Gopher trained with the same compute on 300 B tokens). Our
# largest model, with 787,584 parameters, would want ~16 M tokens; it saw 0.6 M, so its loss is above what it could
# reach with more data, while the smallest models saw far more than 20 tokens per parameter. How
# each size is trained changes the fitted exponent (exercise 3 shows how much the range matters);
# that is also why Kaplan's and Chinchilla's recommendations differ.
#
# **Play with it.** The slider moves along the fitted law. Inside the measured range it
# interpolates; outside (dashed) it extrapolates, which is exactly the bet labs make when they plan a
# run 100× larger than anything they trained before.

# %%
from utils.widgets import ScalingView

tokens_seen = results[0]["tokens"]
scaling_view = ScalingView(params, val_losses, coefficient, alpha, tokens=tokens_seen)
scaling_view

# %%
before = scaling_view.png()
scaling_view.slider.value = scaling_view.slider.max
prediction = scaling_view.prediction()
assert scaling_view.png() != before and prediction["extrapolated"]
utils.assert_close("marker on the fitted curve", prediction["loss"], coefficient * prediction["params"] ** -alpha)
scaling_view.slider.value = float(np.log10(params).mean())

# %% [markdown]
# ## 6. Compute and cost of real models
#
# The same $C \approx 6ND$ prices real models.
#
# - **GPT-3** (Brown et al., [2020](https://arxiv.org/abs/2005.14165)): $N$ = 175 B parameters,
#   $D$ = 300 B training tokens. The paper's Table D.1 gives 3.14 × 10²³ FLOPs for training.
# - **Llama 3.1 405B** (Llama Team, Meta, [2024](https://arxiv.org/abs/2407.21783)): $N$ = 405 B,
#   $D$ ≈ 15.6 T tokens; the paper states 3.8 × 10²⁵ FLOPs. Its
#   [model card](https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/MODEL_CARD.md)
#   reports 30.84 M GPU-hours on H100-80GB GPUs.
#
# A widely quoted figure (also in this course's seed notes, where it is attributed to Amazon's cloud)
# says GPT-3 would take **355 GPU-years and cost $4.6 M**. It is an **estimate** by Lambda Labs
# ([Chuan Li, 2020](https://lambdalabs.com/blog/demystifying-gpt-3)), not OpenAI's bill. Its
# assumptions, as Lambda states them: the paper's 3.14 × 10²³ FLOPs, the V100's *theoretical*
# 28 TFLOPS, and the lowest 3-year reserved cloud price Lambda could find (the post gives no hourly
# rate; $4.6 M over 355 GPU-years works out to about $1.48 per V100-hour). OpenAI trained on a
# Microsoft cluster of V100s and did not publish a cost. We check the arithmetic, and see how much it
# depends on the throughput assumed:

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask the class to estimate GPT-3's training FLOPs with $6ND$ before showing it.
# > Land: $C \approx 6ND$; any cost figure hides an assumed throughput and price.

# %%
def training_flops(parameters, tokens):
    return 6.0 * parameters * tokens


SECONDS_PER_YEAR = 365.25 * 24 * 3600
gpt3 = training_flops(175e9, 300e9)
gpt3_paper = 3.14e23                                # Brown et al., Table D.1: what Lambda starts from
v100_flops = 28e12                                  # Lambda's assumption: the V100's theoretical 28 TFLOPS
gpu_years = gpt3_paper / v100_flops / SECONDS_PER_YEAR
gpu_hours = gpu_years * SECONDS_PER_YEAR / 3600
implied_price = 4.6e6 / gpu_hours                   # Lambda gives the total, not the hourly rate
print(f"GPT-3: 6·N·D = {gpt3:.3g} FLOPs (paper: 3.14e23)")
print(f"  3.14e23 FLOPs at 28 TFLOPS per V100: {gpu_years:.0f} GPU-years = {gpu_hours / 1e6:.2f} M GPU-hours; "
      f"Lambda's $4.6 M is ${implied_price:.2f} per GPU-hour")
print(f"  at 125 TFLOPS (V100 tensor-core peak, never sustained): {gpt3_paper / 125e12 / SECONDS_PER_YEAR:.0f} GPU-years")

llama = training_flops(405e9, 15.6e12)
llama_gpu_hours = 30.84e6
achieved = llama / (llama_gpu_hours * 3600)
print(f"Llama 3.1 405B: 6·N·D = {llama:.3g} FLOPs (paper: 3.8e25), {llama / gpt3:.0f}× GPT-3")
print(f"  {llama_gpu_hours / 1e6:.2f} M H100-hours → {achieved / 1e12:.0f} TFLOPS sustained per GPU "
      f"({achieved / 989e12:.0%} of the H100's 989 TFLOPS dense bf16 peak)")
print(f"  at an assumed $2 per H100-hour (our assumption, not a published cost): ${llama_gpu_hours * 2 / 1e6:.0f} M")

# %%
assert abs(gpt3 / 3.14e23 - 1) < 0.01, "6·N·D should reproduce GPT-3's published 3.14e23 FLOPs"
assert round(gpu_years) == 355, "Lambda's 355 GPU-years follow from 3.14e23 FLOPs at 28 TFLOPS"
assert 1.45 < implied_price < 1.50, "the text says about $1.48 per V100-hour"
assert abs(llama / 3.8e25 - 1) < 0.01, "6·N·D should reproduce Llama 3.1 405B's 3.8e25 FLOPs"
ours = training_flops(results[-1]["non_embedding"], results[-1]["tokens"])
print(f"our largest model: {ours:.2g} FLOPs, GPT-3 used {gpt3 / ours:.1e} times more")

# %% [markdown]
# The check on Llama is instructive: dividing its FLOPs by its GPU-hours gives about 340 TFLOPS per
# H100, roughly 35–40 % of the chip's peak. Real runs never reach the data-sheet number, which is why
# any "GPU-years" estimate must state the throughput it assumes. (The peaks are NVIDIA's: 125 TFLOPS
# tensor-core for the [V100](https://www.nvidia.com/en-us/data-center/v100/), 1,979 TFLOPS bfloat16
# *with sparsity* for the [H100 SXM](https://www.nvidia.com/en-us/data-center/h100/), so about
# 989 TFLOPS dense.)
#
# **Figures from the seed notes, checked.** The Russian slides state three training figures:
#
# - "Llama 3.2 (90B): 10,000 GPUs, 10 days, ~$3.5 M." Meta publishes neither a GPU count, nor days,
#   nor a cost. Its [model card](https://github.com/meta-llama/llama-models/blob/main/models/llama3_2/MODEL_CARD_VISION.md)
#   gives GPU-hours: about 1.78 M H100-hours for the 90B vision model's stages (pretraining,
#   annealing, SFT, RLHF), *on top of* the Llama 3.1 70B text model it is built on, which took
#   7.0 M H100-hours ([Llama 3.1 card](https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/MODEL_CARD.md)).
#   10,000 GPUs for 10 days would be 2.4 M GPU-hours; we found no source for the seed's numbers.
# - Training data of "1000s of TB". Not so for text: GPT-3's filtered Common Crawl was 570 GB (from
#   45 TB of compressed text before filtering, Brown et al.), YaLM 100B read 1.7 TB
#   ([README](https://github.com/yandex/YaLM-100B)), and Llama 3 about 15 T tokens, some tens of TB
#   at a few bytes per token. Raw web crawls are that large; the text a model trains on is not.
# - "GPT-4: more than a trillion parameters." OpenAI's [technical report](https://arxiv.org/abs/2303.08774)
#   does not disclose the size; the number is a rumour, not a published figure.
#
# YaLM 100B's own figures in the seed notes (100 B parameters, 65 days on 800 A100 GPUs, 1.7 TB)
# agree with Yandex's README.
#
# ## 7. Why scale keeps winning, and what the other ideas change
#
# For a decade, the most reliable way to a better language model has been more parameters, more
# data and more compute, in the proportions scaling laws suggest. Sutton called this
# "[the bitter lesson](http://www.incompleteideas.net/IncIdeas/BitterLesson.html)" (2019): general
# methods that use more computation beat clever hand-built knowledge in the long run. A scaling law
# is why labs can plan: a run 100× bigger than the last one has a *predictable* loss.
#
# **Emergent abilities: a debate.** The loss falls smoothly, yet some task scores seem to jump.
# Wei et al. ([2022](https://arxiv.org/abs/2206.07682)) called an ability *emergent* if it is absent
# in smaller models and present in larger ones, and listed tasks (multi-digit arithmetic, some
# benchmarks of reasoning) where few-shot accuracy stays near chance and then rises sharply past a
# scale. Schaeffer, Miranda & Koyejo ([2023](https://arxiv.org/abs/2304.15004)) argued that many such
# jumps come from the **metric**: exact-match accuracy gives credit only when *every* token of an
# answer is right, so a smooth improvement per token looks like a sudden leap; measured with a
# continuous score, the same models improve gradually. A few lines show the effect:

# %%
per_token = np.array([0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99])   # accuracy per token, rising steadily
exact_match = per_token ** 10                                  # a 10-token answer must be all right
for p, em in zip(per_token, exact_match):
    print(f"per-token accuracy {p:.2f} → exact match on a 10-token answer {em:.3f}")
assert exact_match[2] < 0.03 and exact_match[-1] > 0.9  # "near zero, then a leap": the metric, not the model

# %% [markdown]
# The per-token accuracy grows in even steps; the exact-match score sits near zero for the first
# half of the range and then shoots up. Both views have support: the metric explains many jumps,
# and what users notice is often the all-or-nothing kind of success.
#
# That does not mean nothing else matters, nor that "we do not understand how to train models" (a
# claim in the seed notes): the ideas below are real advances, but each one changes **something
# other than** the basic rule that pretraining loss falls with compute.
#
# - **LoRA** (Hu et al., [2021](https://arxiv.org/abs/2106.09685), notebook 10) makes *fine-tuning*
#   cheap: train small low-rank matrices beside frozen weights. It does not make the pretrained model
#   smarter; it adapts what pretraining already learned.
# - **Distillation** (Hinton et al., [2015](https://arxiv.org/abs/1503.02531)) trains a small model to
#   imitate a big one: DistilBERT keeps 97 % of BERT's language-understanding score with 40 % fewer
#   parameters (Sanh et al., [2019](https://arxiv.org/abs/1910.01108)). It makes *using* a model
#   cheaper, but needs the big teacher first.
# - **RAG**, retrieval-augmented generation (Lewis et al., [2020](https://arxiv.org/abs/2005.11401),
#   notebook 12) puts facts in a searchable store instead of the weights: fresher and checkable
#   knowledge, without more parameters. Reasoning still comes from the model.
# - **Mixture-of-experts** (Shazeer et al., [2017](https://arxiv.org/abs/1701.06538)) routes each
#   token through a few of many expert MLPs, so the parameters grow without the compute per token:
#   Mixtral 8×7B has 46.7 B parameters but uses 12.9 B per token
#   ([Mistral AI, 2023](https://mistral.ai/news/mixtral-of-experts/)). It shifts the scaling curve,
#   it does not escape it.
# - **DPO** (Rafailov et al., [2023](https://arxiv.org/abs/2305.18290), notebook 11) is a simpler way
#   to align a model with human preferences than RLHF with PPO. It changes *behaviour*, not what the
#   model knows.
# - **Chain-of-thought** (Wei et al., [2022](https://arxiv.org/abs/2201.11903)) spends compute at
#   *inference* time: writing out intermediate steps improves multi-step reasoning, and the paper
#   found the gain appears mainly in large models (around 100 B parameters). Test-time compute is a
#   second axis of scaling, not a replacement for the first.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: does LoRA or distillation make pretraining itself better? (No: each changes something else.)
# > Land: scale is predictable, which is why labs can plan big runs.

# %% [markdown]
# ## Recap
#
# - The pretraining loop: AdamW (decay on matrices), warmup + cosine, gradient clipping, held-out
#   evaluation; now `utils.train.train`, with checkpoints that resume exactly and optional bfloat16.
# - Lower precision is a hardware question: measure it. On this CPU it did not pay; on GPUs it does.
# - Loss falls as a power law in parameters and compute; our tiny models show the straight line on
#   log–log axes, with an exponent near Kaplan's, and its bend where data runs short (Chinchilla).
# - $C \approx 6ND$ prices any model: GPT-3 ≈ 3.1 × 10²³ FLOPs, Llama 3.1 405B ≈ 3.8 × 10²⁵.
#   Cost estimates hinge on assumed throughput and price.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what are the three numbers in $C \approx 6ND$ and which one did Chinchilla rebalance?

# %% [markdown]
# ## Exercises
#
# ★ checks your understanding, ★★ changes the code, ★★★ is a small investigation. Replace each `...`,
# run the cell, then run the check below it: it says ✓ and why, or gives a hint. Reference solutions are
# in [solutions/09_pretraining_scaling.py](solutions/09_pretraining_scaling.py); try first.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Exercises 1 and 2 are pen-and-paper: do them together. Exercise 3 is a good discussion of forecasts.

# %%
from utils.exercises import check

# %% [markdown]
# **1. Chinchilla's budget split ★.** With $C = 6ND$ and Chinchilla's rule $D = 20N$, how many parameters
# $N$ and training tokens $D$ fit a budget of $C = 10^{21}$ FLOPs? Check with `training_flops`.

# %%
chinchilla = ...  # (N, D)

# %%
check("09.1", chinchilla);

# %% [markdown]
# **2. The schedule by hand ★.** A run of 100 steps with 10 warmup steps, peak rate $3 \cdot 10^{-3}$ and
# minimum $3 \cdot 10^{-4}$: what learning rate does step 5 use, and step 55? Work it out from section 1's
# description first, then compare with `lr_at`.

# %%
rates = ...  # (rate at step 5, rate at step 55)

# %%
check("09.2", rates);

# %% [markdown]
# **3. Where does the line bend? ★★★** Fit the power law to the three smallest models only
# (`params[:3]`, `val_losses[:3]`), then to the three largest only. Compare the two exponents with the fit
# on all of them: what would each predict for a model 100 times larger than our largest?

# %%
alphas = ...  # (alpha from the 3 smallest, alpha from the 3 largest)

# %%
check("09.3", alphas, params=params, val_losses=val_losses);
