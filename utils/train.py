"""The training loop, once notebook 02 has taught it: loss, ``zero_grad``, ``backward``, ``step``.

Notebook 03 and its live views use :func:`train_steps` to run it on random mini-batches.
"""

from __future__ import annotations

from collections.abc import Callable

import torch


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
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}.")
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
