"""Training loops, each added once a notebook has taught it.

- :func:`train_steps` (notebook 02): loss, ``zero_grad``, ``backward``, ``step`` on random mini-batches;
  notebook 04 and its live views use it.
- Training a GPT on a token stream (notebook 08; 09 takes the loop apart):
  :func:`encode_corpus` (text -> 1-D tensor of token ids), :func:`get_batch` (random windows
  (batch, time) and their next-token targets), :func:`evaluate` (mean loss over a *whole* split in
  non-overlapping windows), :class:`Recipe` and :func:`learning_rate` (optimiser settings and
  schedule), :func:`train` (AdamW, schedule, gradient clipping, with a progress bar).
- Notebook 09 takes the loop apart and adds what long runs need: :func:`save_training_state` /
  :func:`load_training_state` (model, optimiser, data-order RNG and losses, so a resumed run
  continues exactly as an uninterrupted one), ``train(..., resume_from=, save_to=, stop_after=)``
  and ``train(..., autocast_dtype=torch.bfloat16)`` (lower precision, measured in notebook 09).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from . import files

INTRODUCED_IN = "02"
# train_steps is notebook 02's loop; the GPT training pieces are taught in notebook 09 (08 writes its own).
INTRODUCED_LATER = {"encode_corpus": "09", "get_batch": "09", "evaluate": "09", "Recipe": "09", "learning_rate": "09",
                    "make_optimizer": "09", "save_training_state": "09", "load_training_state": "09", "train": "09"}

if TYPE_CHECKING:  # only for type hints: notebook 02's train_steps must not load the transformer
    from .models import GPT


def train_steps(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    steps: int,
    batch_size: int = 64,
    generator: torch.Generator | None = None,
) -> list[float]:
    """Run ``steps`` updates, each on a random mini-batch; return the loss of each step.

    ``inputs: (examples, ...)``, ``targets: (examples, ...)``; ``loss_fn(model(batch), targets)``
    returns a scalar. A seeded ``generator`` makes the batches reproducible.
    """
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}"
                         + (f"; write steps={int(steps)}." if isinstance(steps, float) and steps.is_integer() else "."))
    for name, value in (("inputs", inputs), ("targets", targets)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}; "
                            f"convert it with torch.tensor({name}).")
    if len(inputs) != len(targets) or len(inputs) == 0:
        raise ValueError(f"inputs and targets must be non-empty with the same first size, got "
                         f"{tuple(inputs.shape)} and {tuple(targets.shape)}.")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    model.train()
    losses = []
    for _ in range(steps):
        batch = torch.randint(0, len(inputs), (min(batch_size, len(inputs)),), generator=generator)
        loss = loss_fn(model(inputs[batch]), targets[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    return losses


def encode_corpus(text: str, tokenizer) -> torch.Tensor:
    """All of ``text`` as token ids: (n_tokens,) int64."""
    if not isinstance(text, str):
        raise TypeError(f"encode_corpus needs a string, got {type(text).__name__}.")
    if not text:
        raise ValueError("encode_corpus needs non-empty text.")
    return torch.tensor(tokenizer.encode(text), dtype=torch.long)


def get_batch(data: torch.Tensor, block_size: int, batch_size: int,
              generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Random windows of a token stream: inputs and targets (batch, block_size), targets shifted by 1."""
    if not isinstance(data, torch.Tensor):
        raise TypeError(f"data must be a 1-D torch.Tensor of token ids, got {type(data).__name__}; "
                        "make one with encode_corpus(text, tokenizer).")
    for name, value in (("block_size", block_size), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    if data.dim() != 1 or len(data) <= block_size + 1:
        raise ValueError(f"data must be a 1-D token stream longer than block_size+1={block_size + 1}, "
                         f"got shape {tuple(data.shape)}.")
    starts = torch.randint(len(data) - block_size - 1, (batch_size,), generator=generator)
    offsets = torch.arange(block_size)
    x = data[starts[:, None] + offsets]
    y = data[starts[:, None] + offsets + 1]
    return x, y


@torch.no_grad()
def evaluate(model: GPT, data: torch.Tensor, block_size: int | None = None, batch_size: int = 64) -> float:
    """Mean next-token loss over the whole of ``data`` (n_tokens,), in non-overlapping windows.

    Every token of the split is predicted exactly once (random windows are too noisy to compare
    recipes that differ by 0.01). The short tail that does not fill a window is dropped.
    """
    if not isinstance(data, torch.Tensor) or data.dim() != 1:
        shape = tuple(data.shape) if isinstance(data, torch.Tensor) else type(data).__name__
        raise ValueError(f"evaluate needs data as a 1-D tensor of token ids (n_tokens,), got {shape}; "
                         "pass the whole split, e.g. encode_corpus(text, tokenizer), not a batch of windows.")
    if block_size is None:
        block_size = model.config.block_size
    if isinstance(block_size, bool) or not isinstance(block_size, int) or not 1 <= block_size <= model.config.block_size:
        raise ValueError(f"block_size must be an integer from 1 to the model's block_size "
                         f"{model.config.block_size}, got {block_size!r} (None uses the model's).")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    n_windows = (len(data) - 1) // block_size
    if n_windows < 1:
        raise ValueError(f"data has {len(data)} tokens, fewer than one window of {block_size + 1}.")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    x_all = data[: n_windows * block_size].view(n_windows, block_size)
    y_all = data[1 : n_windows * block_size + 1].view(n_windows, block_size)
    total = 0.0
    for i in range(0, n_windows, batch_size):
        x, y = x_all[i : i + batch_size].to(device), y_all[i : i + batch_size].to(device)
        _, loss = model(x, y)
        total += loss.item() * len(x)
    model.train(was_training)
    return total / n_windows


@dataclass
class Recipe:
    """How to train: steps, batch, AdamW settings and the learning-rate schedule.

    schedule "cosine": linear warmup, then cosine decay to ``min_lr`` (nanoGPT's);
    schedule "constant_then_decay": warmup, constant ``lr``, then a linear decay to ``min_lr`` over
    the last ``decay_fraction`` of the steps.
    """

    steps: int = 2000
    batch_size: int = 12
    lr: float = 1e-3
    min_lr: float = 1e-4
    warmup_steps: int = 100
    schedule: str = "cosine"
    decay_fraction: float = 0.3
    betas: tuple[float, float] = (0.9, 0.99)
    weight_decay: float = 0.1
    grad_clip: float = 1.0

    def __post_init__(self) -> None:
        if self.schedule not in ("cosine", "constant_then_decay"):
            raise ValueError(f"schedule must be 'cosine' or 'constant_then_decay', got {self.schedule!r}.")
        for name in ("steps", "batch_size", "warmup_steps"):
            value = getattr(self, name)
            low = 0 if name == "warmup_steps" else 1
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                hint = f"; write {name}={int(value)}" if isinstance(value, float) and value.is_integer() else ""
                raise ValueError(f"Recipe.{name} must be an integer >= {low}, got {value!r}{hint}.")
        for name in ("lr", "min_lr", "weight_decay", "grad_clip", "decay_fraction"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise ValueError(f"Recipe.{name} must be a finite number >= 0, got {value!r}"
                                 + (" (0 turns clipping off)." if name == "grad_clip" else "."))
        if self.lr == 0:
            raise ValueError("Recipe.lr must be positive, got 0 (nothing would change).")
        if self.min_lr > self.lr:
            raise ValueError(f"Recipe.min_lr={self.min_lr} is above lr={self.lr}: the decay would raise the "
                             "learning rate. Use a min_lr below lr (e.g. lr / 10).")
        if self.decay_fraction > 1:
            raise ValueError(f"Recipe.decay_fraction is the share of the steps spent decaying, between 0 and 1, "
                             f"got {self.decay_fraction}.")
        if (not isinstance(self.betas, (tuple, list)) or len(self.betas) != 2
                or not all(isinstance(b, (int, float)) and 0 <= b < 1 for b in self.betas)):
            raise ValueError(f"Recipe.betas must be two numbers in [0, 1), e.g. (0.9, 0.99), got {self.betas!r}.")

    def to_dict(self) -> dict:
        return asdict(self)


def learning_rate(step: int, recipe: Recipe) -> float:
    """The learning rate at ``step`` (0-based) under ``recipe``."""
    if step < recipe.warmup_steps:
        return recipe.lr * (step + 1) / recipe.warmup_steps
    if recipe.schedule == "cosine":
        progress = min(1.0, (step - recipe.warmup_steps) / max(1, recipe.steps - recipe.warmup_steps))
        return recipe.min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (recipe.lr - recipe.min_lr)
    decay_start = recipe.steps * (1 - recipe.decay_fraction)
    if step < decay_start:
        return recipe.lr
    progress = (step - decay_start) / max(1.0, recipe.steps - decay_start)
    return recipe.lr + (recipe.min_lr - recipe.lr) * progress


def make_optimizer(model: GPT, recipe: Recipe) -> torch.optim.AdamW:
    """AdamW with weight decay on matrices only (not on LayerNorm gains or biases)."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": recipe.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=recipe.lr, betas=recipe.betas)


def save_training_state(path: str | Path, model: GPT, optimizer: torch.optim.Optimizer, step: int,
                        generator: torch.Generator, losses: list[float]) -> Path:
    """Everything a run needs to continue (notebook 09): weights, AdamW moments, the step reached,
    the random state that picks batches, and the losses so far (float32, unlike the fp16 release file)."""
    path = Path(path)
    # Written to a temporary name and renamed: Ctrl-C or a full disk midway keeps the previous good file.
    files.torch_save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": int(step),
                      "generator": generator.get_state(), "losses": list(losses)}, path)
    return path


def load_training_state(path: str | Path, model: GPT, optimizer: torch.optim.Optimizer,
                        generator: torch.Generator) -> tuple[int, list[float]]:
    """Restore a :func:`save_training_state` file into ``model``, ``optimizer`` and ``generator``.

    Returns ``(step, losses)``. A missing or unreadable file raises an error that says so and how to
    make it again (run the training cell that saves it).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No training checkpoint at {path}. Run the training cell with "
                                f"save_to={str(path)!r} first; it writes this file.")
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict(blob["model"])
        optimizer.load_state_dict(blob["optimizer"])
        generator.set_state(blob["generator"])
        bad = [k for k, v in blob["model"].items() if v.is_floating_point() and not torch.isfinite(v).all()]
        if bad:
            raise ValueError(f"NaN or infinite weights in {bad[:3]}")
    except Exception as err:  # noqa: BLE001 - any failure means the file is not what we wrote
        raise RuntimeError(f"The training checkpoint {path} is corrupt or was written for another model "
                           f"({type(err).__name__}: {err}). Delete it and run the training cell with "
                           f"save_to={str(path)!r} again.") from err
    return int(blob["step"]), [float(v) for v in blob["losses"]]


def train(model: GPT, data: torch.Tensor, recipe: Recipe, seed: int = 0, progress: bool = True,
          callback: Callable[[int, float], None] | None = None, every: int = 50, *,
          save_to: str | Path | None = None, resume_from: str | Path | None = None,
          stop_after: int | None = None, autocast_dtype: torch.dtype | None = None) -> list[float]:
    """Train ``model`` on the token stream ``data`` (n_tokens,); return the loss of every step.

    ``callback(step, smoothed_loss)`` runs every ``every`` steps (e.g. to update a live plot).
    Notebook 09: ``resume_from`` continues a run saved by ``save_to`` (written at the last step
    run); ``stop_after`` stops early, as if the machine were switched off; ``autocast_dtype``
    (``torch.bfloat16``) runs the forward pass in lower precision. The returned losses then
    include those of the earlier, resumed part.
    """
    from tqdm.auto import tqdm

    if not isinstance(recipe, Recipe):
        raise TypeError(f"recipe must be a Recipe(...), got {type(recipe).__name__}.")
    if stop_after is not None and (isinstance(stop_after, bool) or not isinstance(stop_after, int)
                                   or not 0 < stop_after <= recipe.steps):
        raise ValueError(f"stop_after must be an integer between 1 and recipe.steps={recipe.steps}, got {stop_after!r}.")
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise ValueError(f"every must be a positive integer (call the callback every N steps), got {every!r}.")
    if save_to is not None:  # find out now, not after the whole run, that the file cannot be written
        files.check_writable(Path(save_to).expanduser().parent, "the training state")
    generator = torch.Generator().manual_seed(seed)
    device = next(model.parameters()).device
    optimizer = make_optimizer(model, recipe)
    losses: list[float] = []
    start_step = 0
    if resume_from is not None:
        start_step, losses = load_training_state(resume_from, model, optimizer, generator)
    end_step = stop_after if stop_after is not None else recipe.steps
    model.train()
    bar = tqdm(range(start_step, end_step), desc="training", disable=not progress, mininterval=1.0)
    for step in bar:
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, recipe)
        x, y = get_batch(data, model.config.block_size, recipe.batch_size, generator)
        with torch.autocast(device.type, dtype=autocast_dtype or torch.float32,
                            enabled=autocast_dtype is not None):
            _, loss = model(x.to(device), y.to(device))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if recipe.grad_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.grad_clip)
        optimizer.step()
        losses.append(loss.item())
        if (step + 1) % every == 0 or step + 1 == end_step:
            smoothed = sum(losses[-every:]) / len(losses[-every:])
            bar.set_postfix(loss=f"{smoothed:.3f}")
            if callback is not None:
                callback(step + 1, smoothed)
    if save_to is not None:
        save_training_state(save_to, model, optimizer, end_step, generator, losses)
    model.eval()
    return losses
