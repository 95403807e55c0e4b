"""Notebook 10's low-rank adapters (LoRA) and the arithmetic behind its rank slider.

- :class:`LoRALinear`, :func:`add_lora`, :func:`merge_lora`: low-rank adapters (Hu et al., 2021,
  https://arxiv.org/abs/2106.09685) and :func:`count_parameters`.
- :data:`MODEL_SHAPES`, :func:`lora_parameter_count`, :func:`training_memory_bytes`: how many
  parameters and bytes LoRA saves, for our model and for real ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

INTRODUCED_IN = "10"

# ---------------------------------------------------------------------------------------------
# LoRA
# ---------------------------------------------------------------------------------------------
class LoRALinear(nn.Module):
    """``y = x W^T + b + (alpha / rank) · x A^T B^T``, with W and b frozen.

    A (rank × in) starts random and B (out × rank) starts at zero, so before training the layer
    computes exactly what the original did; only A and B learn.
    """

    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        super().__init__()
        if not isinstance(base, nn.Linear):
            raise TypeError(f"LoRALinear wraps an nn.Linear, got {type(base).__name__}.")
        if not isinstance(rank, int) or rank < 1:
            raise ValueError(f"rank must be a positive integer, got {rank!r}.")
        if alpha <= 0:
            raise ValueError(f"alpha must be positive, got {alpha}.")
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        self.rank, self.alpha, self.scale = rank, alpha, alpha / rank
        self.A = nn.Parameter(torch.randn(rank, base.in_features) / math.sqrt(base.in_features))
        self.B = nn.Parameter(torch.zeros(base.out_features, rank))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.A.T @ self.B.T) * self.scale

    def merged(self) -> nn.Linear:
        """An ordinary nn.Linear with ``W + (alpha / rank) · B A``: same outputs, no extra cost."""
        out = nn.Linear(self.base.in_features, self.base.out_features, bias=self.base.bias is not None)
        with torch.no_grad():
            out.weight.copy_(self.base.weight + self.scale * self.B @ self.A)
            if self.base.bias is not None:
                out.bias.copy_(self.base.bias)
        return out


LORA_TARGETS = ("attn.qkv", "attn.proj", "mlp.0", "mlp.2")  # every Linear inside our GPT's blocks


def add_lora(model: nn.Module, rank: int, alpha: float, targets: tuple[str, ...] = LORA_TARGETS) -> list[str]:
    """Freeze every parameter of ``model`` and wrap the Linear layers whose names end with one of
    ``targets`` in :class:`LoRALinear` (in place). Returns the names of the wrapped layers.

    Parameters added afterwards (e.g. a new classification head) stay trainable.
    """
    for p in model.parameters():
        p.requires_grad_(False)
    names = [name for name, module in model.named_modules()
             if isinstance(module, nn.Linear) and name.endswith(tuple(targets))]
    if not names:
        raise ValueError(f"no nn.Linear in the model has a name ending with any of {targets}.")
    for name in names:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, LoRALinear(getattr(parent, child), rank, alpha))
    return names


def merge_lora(model: nn.Module) -> int:
    """Replace every :class:`LoRALinear` in ``model`` by its merged nn.Linear; returns how many."""
    found = [(name, module) for name, module in model.named_modules() if isinstance(module, LoRALinear)]
    for name, module in found:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, module.merged())
    return len(found)


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Parameters of ``model`` (tied weights counted once), only those that train by default."""
    seen, total = set(), 0
    for p in model.parameters():
        if id(p) not in seen and (p.requires_grad or not trainable_only):
            seen.add(id(p))
            total += p.numel()
    return total


# ---------------------------------------------------------------------------------------------
# LoRA arithmetic for real models (the rank slider)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelShape:
    """The weight matrices of a transformer, per layer: name -> (in_features, out_features)."""

    name: str
    n_layer: int
    matrices: dict[str, tuple[int, int]]
    attention: tuple[str, ...]   # which matrices belong to attention (the rest: the MLP)
    parameters: int              # all parameters, embeddings included
    source: str


# Our GPT's sizes are written out (Colab has no data/ folder to read them from); tests/test_finetune.py
# checks them against data/shakespeare_gpt.json.
MODEL_SHAPES = {
    "our Shakespeare GPT": ModelShape(
        "our Shakespeare GPT", 4, {"attn.qkv": (128, 384), "attn.proj": (128, 128), "mlp.0": (128, 512),
                                   "mlp.2": (512, 128)},
        ("attn.qkv", "attn.proj"), 813_696, "data/shakespeare_gpt.json"),
    "GPT-2 small": ModelShape(
        "GPT-2 small", 12, {"attn.qkv": (768, 2304), "attn.proj": (768, 768), "mlp.fc": (768, 3072),
                            "mlp.proj": (3072, 768)},
        ("attn.qkv", "attn.proj"), 124_439_808, "Radford et al., 2019 (sizes); count: notebook 08"),
    "Llama 2 7B": ModelShape(
        "Llama 2 7B", 32, {"q": (4096, 4096), "k": (4096, 4096), "v": (4096, 4096), "o": (4096, 4096),
                           "gate": (4096, 11008), "up": (4096, 11008), "down": (11008, 4096)},
        ("q", "k", "v", "o"), 6_738_415_616, "Touvron et al., 2023, arXiv:2307.09288"),
    "GPT-3 175B": ModelShape(
        "GPT-3 175B", 96, {"q": (12288, 12288), "k": (12288, 12288), "v": (12288, 12288), "o": (12288, 12288),
                           "fc": (12288, 49152), "proj": (49152, 12288)},
        ("q", "k", "v", "o"), 175_000_000_000, "Brown et al., 2020, arXiv:2005.14165"),
}


def lora_parameter_count(shape: ModelShape, rank: int, matrices: tuple[str, ...] | None = None) -> int:
    """Trainable LoRA parameters: ``rank · (in + out)`` per adapted matrix, per layer.

    ``matrices``: which of ``shape.matrices`` get an adapter (default: all of them).
    """
    if not isinstance(rank, int) or rank < 1:
        raise ValueError(f"rank must be a positive integer, got {rank!r}.")
    matrices = tuple(shape.matrices) if matrices is None else tuple(matrices)
    unknown = [m for m in matrices if m not in shape.matrices]
    if unknown:
        raise ValueError(f"{shape.name} has no matrices {unknown}; it has {list(shape.matrices)}.")
    return shape.n_layer * sum(rank * sum(shape.matrices[m]) for m in matrices)


# Mixed-precision AdamW keeps 16 bytes per *trained* parameter: fp16 weight and gradient (2 + 2),
# an fp32 master copy and two fp32 moments (4 + 4 + 4) (Rajbhandari et al., 2020, ZeRO, §3.1).
# A frozen parameter only needs its fp16 copy (2 bytes). Activations are not counted.
BYTES_TRAINED, BYTES_FROZEN = 16, 2


def training_memory_bytes(total_parameters: int, trainable_parameters: int) -> int:
    """Memory for weights, gradients and optimizer state (no activations), in bytes."""
    if not 0 <= trainable_parameters <= total_parameters:
        raise ValueError(f"need 0 <= trainable ({trainable_parameters}) <= total ({total_parameters}).")
    return BYTES_TRAINED * trainable_parameters + BYTES_FROZEN * (total_parameters - trainable_parameters)
