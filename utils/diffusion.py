"""A tiny diffusion model for 8×8 digits, as notebook 13 builds it piece by piece.

Images are vectors of 64 pixels scaled to [-1, 1] (``to_model`` / ``to_pixels`` convert from and
to scikit-learn's 0..1 digits). Time runs ``t = 0`` (a clean image) to ``t = T`` (almost pure noise).

- :class:`NoiseSchedule`, :func:`linear_schedule` — the betas $\\beta_t$ and $\\bar\\alpha_t = \\prod_{s \\le t} (1 - \\beta_s)$;
- :func:`noise_step` (one step of the forward process) and :func:`add_noise` (the closed form
  $x_t = \\sqrt{\\bar\\alpha_t}\\,x_0 + \\sqrt{1-\\bar\\alpha_t}\\,\\varepsilon$);
- :func:`timestep_embedding`, :class:`Denoiser` — an MLP that predicts the noise from $x_t$, $t$ and an
  optional condition vector (a one-hot label or a sentence embedding), with a learned "no condition";
- :func:`diffusion_loss`, :func:`train_denoiser` — the DDPM objective (Ho et al., 2020) and its loop;
- :func:`guided_noise` — classifier-free guidance (Ho & Salimans, 2022);
- :func:`ddpm_sample` (all T steps, stochastic) and :func:`ddim_sample` (few steps, deterministic
  when ``eta = 0``; Song et al., 2021), both optionally returning the whole trajectory;
- :func:`mean_pairwise_distance` — how different a set of samples is (our diversity measure).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

INTRODUCED_IN = "13"
PIXELS = 64  # 8×8 digits, flattened


def to_model(pixels: torch.Tensor) -> torch.Tensor:
    """Digits with pixels in 0..1 → the model's range -1..1 (noise of variance 1 then matches the signal)."""
    return pixels * 2.0 - 1.0


def to_pixels(x: torch.Tensor) -> torch.Tensor:
    """The model's -1..1 → pixels in 0..1, clipped (what a classifier or a picture expects)."""
    return ((x + 1.0) / 2.0).clamp(0.0, 1.0)


# --- the forward process ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NoiseSchedule:
    """``betas``, ``alphas = 1 - betas`` and ``alpha_bars`` (their running product), each (T + 1,).

    Index 0 is the clean image: ``betas[0] = 0`` and ``alpha_bars[0] = 1``.
    """

    betas: torch.Tensor
    alphas: torch.Tensor
    alpha_bars: torch.Tensor

    @property
    def steps(self) -> int:
        """T, the number of noising steps."""
        return len(self.betas) - 1


def linear_schedule(steps: int = 200, beta_start: float | None = None, beta_end: float | None = None) -> NoiseSchedule:
    """Betas rising linearly over ``steps`` steps. The defaults are Ho et al.'s 1e-4 .. 0.02 for
    T = 1000, scaled by 1000 / T, so that fewer, larger steps still end in (almost) pure noise
    (the last beta is capped at 0.5 for very short schedules, as a step must keep some signal)."""
    if not isinstance(steps, int) or isinstance(steps, bool) or not 2 <= steps <= 10_000:
        raise ValueError(f"steps must be an integer between 2 and 10000 (e.g. 200), got {steps!r}.")
    beta_start = 1e-4 * 1000 / steps if beta_start is None else float(beta_start)
    beta_end = min(0.02 * 1000 / steps, 0.5) if beta_end is None else float(beta_end)
    if not 0.0 < beta_start <= beta_end < 1.0:
        raise ValueError(f"need 0 < beta_start <= beta_end < 1, got {beta_start} and {beta_end}.")
    betas = torch.cat([torch.zeros(1, dtype=torch.float64), torch.linspace(beta_start, beta_end, steps, dtype=torch.float64)])
    alphas = 1.0 - betas
    alpha_bars = torch.cumprod(alphas, dim=0)
    return NoiseSchedule(betas.float(), alphas.float(), alpha_bars.float())


def _check_t(t: torch.Tensor | int, schedule: NoiseSchedule, batch: int) -> torch.Tensor:
    t = torch.as_tensor(t, dtype=torch.long)
    if t.dim() == 0:
        t = t.expand(batch)
    if t.shape != (batch,):
        raise ValueError(f"t must be an integer or a (batch,) tensor with batch = {batch}, got shape {tuple(t.shape)}.")
    if int(t.min()) < 0 or int(t.max()) > schedule.steps:
        raise ValueError(f"t must be between 0 and T = {schedule.steps}, got {int(t.min())}..{int(t.max())}.")
    return t


def noise_step(x_prev: torch.Tensor, t: torch.Tensor | int, schedule: NoiseSchedule, noise: torch.Tensor) -> torch.Tensor:
    """One forward step: $x_t = \\sqrt{1-\\beta_t}\\,x_{t-1} + \\sqrt{\\beta_t}\\,\\varepsilon$. x_prev, noise: (batch, pixels)."""
    t = _check_t(t, schedule, len(x_prev))
    beta = schedule.betas[t].unsqueeze(1)
    return (1.0 - beta).sqrt() * x_prev + beta.sqrt() * noise


def add_noise(x0: torch.Tensor, t: torch.Tensor | int, schedule: NoiseSchedule, noise: torch.Tensor) -> torch.Tensor:
    """The closed form: $x_t = \\sqrt{\\bar\\alpha_t}\\,x_0 + \\sqrt{1-\\bar\\alpha_t}\\,\\varepsilon$ in one jump.

    x0, noise: (batch, pixels); t: an integer or (batch,) integers in 0..T.
    """
    if x0.shape != noise.shape:
        raise ValueError(f"x0 and noise must have the same shape, got {tuple(x0.shape)} and {tuple(noise.shape)}.")
    t = _check_t(t, schedule, len(x0))
    alpha_bar = schedule.alpha_bars[t].unsqueeze(1)
    return alpha_bar.sqrt() * x0 + (1.0 - alpha_bar).sqrt() * noise


# --- the denoiser ----------------------------------------------------------------------------------


def timestep_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sines and cosines of ``t`` at ``dim // 2`` frequencies (as transformers encode positions).

    t: (batch,) integers → (batch, dim). Nearby steps get similar vectors; the network reads "how
    noisy is this image" from them.
    """
    if dim < 2 or dim % 2:
        raise ValueError(f"dim must be an even number >= 2, got {dim}.")
    half = dim // 2
    frequencies = torch.exp(-math.log(10_000.0) * torch.arange(half, dtype=torch.float32) / half)
    angles = t.float().unsqueeze(1) * frequencies.unsqueeze(0)
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class Denoiser(nn.Module):
    """An MLP that predicts the noise in $x_t$: (x_t (batch, 64), t (batch,), cond (batch, cond_dim) or
    None) → (batch, 64).

    The time embedding (and the condition, projected to the same width) is added inside every
    residual block. ``cond=None``, or rows of ``drop`` that are True, use a learned **null
    condition**: the same network is then an unconditional model, which classifier-free guidance needs.
    """

    def __init__(self, cond_dim: int = 0, hidden: int = 256, blocks: int = 3, time_dim: int = 64, pixels: int = PIXELS):
        super().__init__()
        if cond_dim < 0 or hidden < 1 or blocks < 1:
            raise ValueError(f"need cond_dim >= 0, hidden >= 1 and blocks >= 1, got {cond_dim}, {hidden}, {blocks}.")
        self.cond_dim, self.time_dim, self.pixels = cond_dim, time_dim, pixels
        self.time_mlp = nn.Sequential(nn.Linear(time_dim, hidden), nn.SiLU(), nn.Linear(hidden, hidden))
        if cond_dim:
            self.cond_proj = nn.Linear(cond_dim, hidden)
            self.null_cond = nn.Parameter(torch.zeros(cond_dim))
        self.input = nn.Linear(pixels, hidden)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.LayerNorm(hidden), nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, hidden))
            for _ in range(blocks))
        self.output = nn.Sequential(nn.LayerNorm(hidden), nn.Linear(hidden, pixels))

    def forward(self, x: torch.Tensor, t: torch.Tensor, cond: torch.Tensor | None = None,
                drop: torch.Tensor | None = None) -> torch.Tensor:
        if x.dim() != 2 or x.shape[1] != self.pixels:
            raise ValueError(f"x must be (batch, {self.pixels}), got {tuple(x.shape)}.")
        embedding = self.time_mlp(timestep_embedding(t, self.time_dim))
        if self.cond_dim:
            if cond is None:
                cond = self.null_cond.expand(len(x), -1)
            elif cond.shape != (len(x), self.cond_dim):
                raise ValueError(f"cond must be (batch, {self.cond_dim}) = {(len(x), self.cond_dim)}, got {tuple(cond.shape)}.")
            if drop is not None:  # classifier-free guidance training: forget the condition now and then
                cond = torch.where(drop.unsqueeze(1), self.null_cond.expand(len(x), -1), cond)
            embedding = embedding + self.cond_proj(cond)
        elif cond is not None:
            raise ValueError("this Denoiser has cond_dim = 0: it takes no condition (pass cond=None).")
        h = self.input(x)
        for block in self.blocks:
            h = h + block(h + embedding)
        return self.output(h)


def diffusion_loss(model: Denoiser, x0: torch.Tensor, schedule: NoiseSchedule, cond: torch.Tensor | None = None,
                   drop_prob: float = 0.0, generator: torch.Generator | None = None) -> torch.Tensor:
    """Ho et al.'s simple loss: noise ``x0: (batch, 64)`` to a random t, MSE between true and predicted noise.

    With a condition, each row forgets it with probability ``drop_prob`` (classifier-free guidance).
    Draw order (t, noise, drop) is fixed, so a seeded ``generator`` reproduces the loss exactly.
    """
    if not 0.0 <= drop_prob <= 1.0:
        raise ValueError(f"drop_prob must be between 0 and 1, got {drop_prob}.")
    t = torch.randint(1, schedule.steps + 1, (len(x0),), generator=generator)
    noise = torch.randn(x0.shape, generator=generator)
    drop = torch.rand(len(x0), generator=generator) < drop_prob if cond is not None else None
    predicted = model(add_noise(x0, t, schedule, noise), t, cond, drop)
    return F.mse_loss(predicted, noise)


def train_denoiser(model: Denoiser, images: torch.Tensor, schedule: NoiseSchedule, cond: torch.Tensor | None = None,
                   steps: int = 4000, batch_size: int = 128, lr: float = 2e-3, drop_prob: float = 0.1,
                   seed: int = 0, progress: bool = True) -> list[float]:
    """Adam on :func:`diffusion_loss` over random mini-batches; returns the loss of each step.

    images: (n, 64) in -1..1; cond: (n, cond_dim) or None, or a callable ``cond(index) -> (batch,
    cond_dim)`` that picks a condition for the chosen images (e.g. a random phrasing of their
    label). The learning rate decays to zero along a cosine.
    """
    if images.dim() != 2 or images.shape[1] != model.pixels:
        raise ValueError(f"images must be (n, {model.pixels}), got {tuple(images.shape)}.")
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}.")
    if isinstance(cond, torch.Tensor) and len(cond) != len(images):
        raise ValueError(f"cond must have one row per image ({len(images)}), got {len(cond)}.")
    from tqdm.auto import tqdm

    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    model.train()
    losses = []
    for _ in tqdm(range(steps), desc="training the denoiser", disable=not progress, mininterval=1):
        index = torch.randint(0, len(images), (min(batch_size, len(images)),), generator=generator)
        batch_cond = cond(index) if callable(cond) else (None if cond is None else cond[index])
        loss = diffusion_loss(model, images[index], schedule, batch_cond, drop_prob, generator)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
    model.eval()
    return losses


# --- sampling --------------------------------------------------------------------------------------


def guided_noise(model: Denoiser, x: torch.Tensor, t: torch.Tensor, cond: torch.Tensor | None, guidance: float) -> torch.Tensor:
    """Classifier-free guidance: $\\hat\\varepsilon = \\varepsilon_\\varnothing + w\\,(\\varepsilon_c - \\varepsilon_\\varnothing)$.

    w = 0: the unconditional model; w = 1: the plain conditional model; w > 1 pushes further
    towards the condition. ``cond=None`` (or w = 1) needs one forward pass, otherwise two.
    """
    if cond is None or guidance == 1.0:
        return model(x, t, cond)
    if guidance == 0.0:
        return model(x, t, None)
    both = model(torch.cat([x, x]), torch.cat([t, t]), torch.cat([cond, model.null_cond.expand(len(x), -1)]))
    conditional, unconditional = both.chunk(2)
    return unconditional + guidance * (conditional - unconditional)


def predict_x0(x_t: torch.Tensor, t: torch.Tensor, noise: torch.Tensor, schedule: NoiseSchedule) -> torch.Tensor:
    """Invert the closed form: $\\hat x_0 = (x_t - \\sqrt{1-\\bar\\alpha_t}\\,\\hat\\varepsilon) / \\sqrt{\\bar\\alpha_t}$, clipped to -1..1."""
    alpha_bar = schedule.alpha_bars[t].unsqueeze(1)
    return ((x_t - (1.0 - alpha_bar).sqrt() * noise) / alpha_bar.sqrt()).clamp(-1.0, 1.0)


@dataclass
class Trajectory:
    """What a sampler saw on its way: ``times`` (k,), ``images`` (k, n, 64) = x_t at those times and
    ``predicted`` (k, n, 64) = the clean image the model guessed there (the last entry is t = 0)."""

    times: list[int]
    images: torch.Tensor
    predicted: torch.Tensor


def _start(model: Denoiser, n: int, cond: torch.Tensor | None, generator: torch.Generator | None) -> torch.Tensor:
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    if cond is not None and cond.shape != (n, model.cond_dim):
        raise ValueError(f"cond must be (n, cond_dim) = {(n, model.cond_dim)}, got {tuple(cond.shape)}.")
    return torch.randn((n, model.pixels), generator=generator)


@torch.no_grad()
def ddpm_sample(model: Denoiser, schedule: NoiseSchedule, n: int, cond: torch.Tensor | None = None,
                guidance: float = 1.0, generator: torch.Generator | None = None,
                trajectory: bool = False) -> torch.Tensor | tuple[torch.Tensor, Trajectory]:
    """Ho et al.'s sampler: from pure noise, T steps of "remove the predicted noise, add a little back".

    Each step predicts $\\hat x_0$ and moves to the mean of $q(x_{t-1} \\mid x_t, \\hat x_0)$, plus noise of
    variance $\\tilde\\beta_t = \\beta_t (1-\\bar\\alpha_{t-1}) / (1-\\bar\\alpha_t)$ (none at the last step).
    Returns (n, 64) in -1..1, and the :class:`Trajectory` if asked.
    """
    model.eval()
    x = _start(model, n, cond, generator)
    seen = []
    for t in range(schedule.steps, 0, -1):
        times = torch.full((n,), t, dtype=torch.long)
        x0 = predict_x0(x, times, guided_noise(model, x, times, cond, guidance), schedule)
        a_bar, a_bar_prev = schedule.alpha_bars[t], schedule.alpha_bars[t - 1]
        beta, alpha = schedule.betas[t], schedule.alphas[t]
        mean = (a_bar_prev.sqrt() * beta / (1 - a_bar)) * x0 + (alpha.sqrt() * (1 - a_bar_prev) / (1 - a_bar)) * x
        if trajectory:
            seen.append((t, x, x0))
        if t > 1:
            variance = beta * (1 - a_bar_prev) / (1 - a_bar)
            x = mean + variance.sqrt() * torch.randn(x.shape, generator=generator)
        else:
            x = mean
    return (x, _trajectory(seen, x)) if trajectory else x


def ddim_times(total: int, steps: int) -> list[int]:
    """``steps + 1`` evenly spaced times from T down to 0, e.g. (200, 4) → [200, 150, 100, 50, 0]."""
    if not isinstance(steps, int) or not 1 <= steps <= total:
        raise ValueError(f"steps must be an integer between 1 and T = {total}, got {steps!r}.")
    return sorted({round(total * k / steps) for k in range(steps + 1)}, reverse=True)


@torch.no_grad()
def ddim_sample(model: Denoiser, schedule: NoiseSchedule, n: int, cond: torch.Tensor | None = None,
                steps: int = 20, guidance: float = 1.0, eta: float = 0.0, generator: torch.Generator | None = None,
                trajectory: bool = False) -> torch.Tensor | tuple[torch.Tensor, Trajectory]:
    """Song et al.'s sampler on ``steps`` evenly spaced times: jump from $x_t$ to $x_s$ (s < t) as
    $x_s = \\sqrt{\\bar\\alpha_s}\\,\\hat x_0 + \\sqrt{1-\\bar\\alpha_s-\\sigma^2}\\,\\hat\\varepsilon + \\sigma z$.

    ``eta = 0``: σ = 0, deterministic (same start noise, same picture). ``eta = 1`` with all T steps
    is exactly :func:`ddpm_sample`. Returns (n, 64) in -1..1, and the :class:`Trajectory` if asked.
    """
    if not 0.0 <= eta <= 1.0:
        raise ValueError(f"eta must be between 0 (deterministic) and 1 (as noisy as DDPM), got {eta}.")
    model.eval()
    times_list = ddim_times(schedule.steps, steps)
    x = _start(model, n, cond, generator)
    seen = []
    for t, s in zip(times_list[:-1], times_list[1:]):
        times = torch.full((n,), t, dtype=torch.long)
        x0 = predict_x0(x, times, guided_noise(model, x, times, cond, guidance), schedule)
        a_bar, a_bar_prev = schedule.alpha_bars[t], schedule.alpha_bars[s]
        noise = (x - a_bar.sqrt() * x0) / (1 - a_bar).sqrt()  # the noise that fits the clipped x0
        sigma = eta * ((1 - a_bar_prev) / (1 - a_bar) * (1 - a_bar / a_bar_prev)).sqrt()
        if trajectory:
            seen.append((t, x, x0))
        x = a_bar_prev.sqrt() * x0 + (1 - a_bar_prev - sigma**2).clamp(min=0).sqrt() * noise
        if eta > 0 and s > 0:
            x = x + sigma * torch.randn(x.shape, generator=generator)
    return (x, _trajectory(seen, x)) if trajectory else x


def _trajectory(seen: list, final: torch.Tensor) -> Trajectory:
    return Trajectory(times=[t for t, _, _ in seen] + [0], images=torch.stack([x for _, x, _ in seen] + [final]),
                      predicted=torch.stack([x0 for _, _, x0 in seen] + [final]))


# --- measuring samples -----------------------------------------------------------------------------


def mean_pairwise_distance(images: torch.Tensor) -> float:
    """Mean Euclidean distance between every two different rows of ``images: (n, pixels)``:
    0 when all are the same picture, larger the more they differ."""
    if images.dim() != 2 or len(images) < 2:
        raise ValueError(f"images must be (n, pixels) with n >= 2, got {tuple(images.shape)}.")
    distances = torch.cdist(images, images)
    n = len(images)
    return float(distances.sum() / (n * (n - 1)))


def recognition_rate(classifier: Callable[[torch.Tensor], torch.Tensor], images: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of ``images: (n, 64)`` (0..1 pixels) that ``classifier`` (→ (n, 10) logits) calls ``labels``."""
    with torch.no_grad():
        predicted = classifier(images).argmax(dim=1)
    return float((predicted == labels).float().mean())


# --- prompts ---------------------------------------------------------------------------------------

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
RUSSIAN_WORDS = ("ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять")


def label_from_prompt(prompt: str) -> int:
    """The fallback without a text encoder: find one digit (0..9, an English or Russian number word) in
    the prompt. Raises ValueError when there is none or more than one."""
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a string, got {type(prompt).__name__}.")
    words = prompt.lower().replace(",", " ").replace(".", " ").replace("!", " ").split()
    found = set()
    for word in words:
        for label in range(10):
            if word in (str(label), NUMBER_WORDS[label], RUSSIAN_WORDS[label]):
                found.add(label)
    if len(found) != 1:
        raise ValueError(f"cannot tell which digit {prompt!r} asks for: write one digit or number word, e.g. 'a seven'.")
    return found.pop()


def text_encoder_ready(verbose: bool = True) -> bool:
    """True when the MiniLM sentence encoder (notebook 12) can run; else say how to install it and
    return False (notebook 13 then conditions on labels instead of prompts)."""
    import importlib.util

    from .sentence_embeddings import INSTALL_HINT, MINILM_PACKAGE

    missing = [name for name in ("tokenizers", "safetensors", MINILM_PACKAGE) if importlib.util.find_spec(name) is None]
    if missing and verbose:
        print(f"The text encoder is missing ({', '.join(missing)}): the prompt sections fall back to label "
              f"conditioning.\nInstall it with:\n  {INSTALL_HINT}\nthen restart the kernel and run the notebook again.")
    return not missing


def embed_prompts(prompts: list[str], encoder=None) -> torch.Tensor:
    """MiniLM embeddings (n, 384) of ``prompts``, cached by content in ``utils.config.cache_dir()``.

    The cache file is written under a temporary name and renamed, so an interrupted run never
    leaves a half-written file; an unreadable one is rebuilt. ``encoder``: a loaded
    ``SentenceEncoder`` (loaded here only when the cache misses).
    """
    import hashlib
    import os

    from . import config

    if isinstance(prompts, str) or not prompts or not all(isinstance(p, str) and p.strip() for p in prompts):
        raise ValueError("prompts must be a non-empty list of non-empty strings, e.g. ['a handwritten seven'].")
    digest = hashlib.sha256("\x00".join(prompts).encode()).hexdigest()[:16]
    path = config.cache_dir() / f"minilm-prompts-{digest}.pt"
    if path.is_file():
        try:
            cached = torch.load(path, weights_only=True)
            if cached.shape == (len(prompts), 384):
                return cached
        except Exception:  # noqa: BLE001 - a broken cache is rebuilt
            pass
    if encoder is None:
        from .sentence_embeddings import load_minilm

        encoder = load_minilm()
    vectors = encoder.encode(list(prompts))
    temporary = path.with_suffix(f".tmp{os.getpid()}")
    torch.save(vectors, temporary)
    os.replace(temporary, path)
    return vectors
