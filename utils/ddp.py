"""Notebook 14: the course's training loop on several processes with PyTorch's DistributedDataParallel.

Data parallelism: every process holds a full copy of the model; each step, every process draws the
*same* global batch (same seed), keeps its own slice of it, and computes gradients on that slice.
DDP then averages the gradients across processes (an all-reduce), so every copy takes the same
step and the copies stay identical. With equal slices the averaged gradient is exactly the
gradient of the mean loss over the global batch: the run matches one process with the whole batch.

    torchrun --nproc_per_node=2 -m utils.ddp --steps 40 --batch-size 16      # 2 CPU processes (gloo)
    torchrun --nproc_per_node=8 -m utils.ddp ...                            # 8 GPUs (NCCL), same code

Gloo is PyTorch's CPU backend, NCCL its GPU one; ``backend_for`` picks it.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from .models import GPT, GPTConfig
from .train import Recipe, get_batch, learning_rate, make_optimizer

INTRODUCED_IN = "14"


def backend_for(device: str) -> str:
    """NCCL for GPUs, gloo for CPUs."""
    return "nccl" if device.startswith("cuda") else "gloo"


def parameter_vector(model: torch.nn.Module) -> torch.Tensor:
    """All parameters in one flat float64 vector (to compare copies of a model exactly)."""
    return torch.cat([p.detach().double().flatten().cpu() for p in model.parameters()])


def train_data_parallel(config: GPTConfig, data: torch.Tensor, recipe: Recipe, seed: int = 0,
                        check_identical: bool = False) -> tuple[list[float], GPT]:
    """The course recipe (``utils.train.train``) on every process of an initialised process group.

    ``recipe.batch_size`` is the *global* batch; it must divide by the number of processes. Returns
    the loss of every step (the mean over the global batch, the same on every process) and the model.
    ``check_identical``: after each step, compare the parameters of all processes and raise if they differ.
    """
    rank, world = dist.get_rank(), dist.get_world_size()
    if recipe.batch_size % world:
        raise ValueError(f"the global batch_size {recipe.batch_size} must divide by the {world} processes.")
    local = recipe.batch_size // world
    device = f"cuda:{rank % torch.cuda.device_count()}" if dist.get_backend() == "nccl" else "cpu"
    torch.manual_seed(seed)
    # DDP also copies rank 0's weights to every process at the start, so all begin equal.
    model = DistributedDataParallel(GPT(config).to(device), device_ids=[device] if device != "cpu" else None)
    optimizer = make_optimizer(model.module, recipe)
    generator = torch.Generator().manual_seed(seed)  # the same on every process: the same global batch
    losses = []
    for step in range(recipe.steps):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, recipe)
        x, y = get_batch(data, config.block_size, recipe.batch_size, generator)
        mine = slice(rank * local, (rank + 1) * local)               # this process's share of the batch
        _, loss = model(x[mine].to(device), y[mine].to(device))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()                                               # DDP averages the gradients here
        if recipe.grad_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.grad_clip)
        optimizer.step()
        mean_loss = loss.detach().clone()
        dist.all_reduce(mean_loss)                                    # sum over processes ...
        losses.append(float(mean_loss) / world)                       # ... / processes = the global batch's mean
        if check_identical:
            vector = parameter_vector(model.module).to(device)
            copies = [torch.empty_like(vector) for _ in range(world)]
            dist.all_gather(copies, vector)
            if not all(torch.equal(copies[0], c) for c in copies[1:]):
                raise RuntimeError(f"step {step}: the processes' parameters differ")
    return losses, model.module


def main(argv: list[str] | None = None) -> None:
    """Entry point for ``torchrun ... -m utils.ddp``: train a small character GPT on Shakespeare."""
    parser = argparse.ArgumentParser(description="The course's GPT training under torchrun (DDP).")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=16, help="global batch, split over the processes")
    parser.add_argument("--n-layer", type=int, default=2)
    parser.add_argument("--n-embd", type=int, default=64)
    parser.add_argument("--block-size", type=int, default=64)
    parser.add_argument("--out", type=Path, default=None, help="write the losses and times here (JSON)")
    args = parser.parse_args(argv)

    from .config import get_device, set_threads
    from .data import CharTokenizer, shakespeare, shakespeare_split
    from .train import encode_corpus

    set_threads()  # one thread per process: the processes, not threads, share the cores
    device = get_device()
    dist.init_process_group(backend_for(device))
    tokenizer = CharTokenizer(shakespeare("full"))
    data = encode_corpus(shakespeare_split("tiny", "train"), tokenizer)
    config = GPTConfig(vocab_size=tokenizer.vocab_size, block_size=args.block_size, n_layer=args.n_layer,
                       n_head=4, n_embd=args.n_embd)
    recipe = Recipe(steps=args.steps, batch_size=args.batch_size, lr=3e-3, min_lr=3e-4,
                    warmup_steps=min(10, args.steps))
    dist.barrier()
    start = time.perf_counter()
    losses, _ = train_data_parallel(config, data, recipe)
    seconds = time.perf_counter() - start
    if dist.get_rank() == 0:
        report = {"processes": dist.get_world_size(), "backend": dist.get_backend(), "seconds": seconds,
                  "losses": losses}
        print(json.dumps({k: v for k, v in report.items() if k != "losses"} | {"last_loss": losses[-1]}))
        if args.out is not None:
            from .files import atomic_write_text

            atomic_write_text(args.out, json.dumps(report))
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
