"""Notebook 10's pieces for fine-tuning the course's pretrained Shakespeare GPT.

- Classification data: passages labelled comedy or tragedy (the First Folio grouping in
  :mod:`utils.data`), from plays the pretrained model never read, split *by play*
  (:func:`genre_passages`, :func:`encode_passages`).
- :class:`GPTClassifier`: the pretrained GPT with a new two-way head instead of its
  next-character head.
- :class:`LoRALinear`, :func:`add_lora`, :func:`merge_lora`: low-rank adapters (Hu et al., 2021,
  https://arxiv.org/abs/2106.09685) and :func:`count_parameters`.
- :data:`MODEL_SHAPES`, :func:`lora_parameter_count`, :func:`training_memory_bytes`: the arithmetic
  behind the LoRA rank slider, for our model and for real ones.
- Instruction tuning: the prompt template (:func:`format_prompt`), instruction examples built from
  the plays (:func:`instruction_examples`) and greedy answers (:func:`answer`).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import torch
from torch import nn

from .data import TINY_PLAYS, VALIDATION_FRACTION, CharTokenizer, Play, load_plays, subset_plays
from .models import GPT, generate

INTRODUCED_IN = "10"

# ---------------------------------------------------------------------------------------------
# Classification data: comedy or tragedy?
# ---------------------------------------------------------------------------------------------
GENRES = ("comedy", "tragedy")
# Held out for testing: whole plays, so no play is in both training and test data.
TEST_PLAYS = ("as-you-like-it", "much-ado-about-nothing", "the-tempest", "twelfth-night",
              "hamlet", "macbeth", "othello")


def genre_plays(split: str) -> list[Play]:
    """Comedies and tragedies the pretrained model never saw (not in the tiny subset).

    ``"train"``: 8 comedies and 7 tragedies; ``"test"``: the 7 plays of :data:`TEST_PLAYS`.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}.")
    plays = [p for p in load_plays() if p.genre in GENRES and p.slug not in TINY_PLAYS]
    return [p for p in plays if (p.slug in TEST_PLAYS) == (split == "test")]


def genre_passages(split: str, max_chars: int = 96, min_chars: int = 40) -> tuple[list[str], list[int], list[str]]:
    """``(texts, labels, slugs)``: the start of every speech of at least ``min_chars`` characters.

    Label 0 = comedy, 1 = tragedy. The speaker's name is left out: names give the play away
    ("HAMLET") without saying anything about comedy or tragedy.
    """
    if not 1 <= min_chars <= max_chars:
        raise ValueError(f"need 1 <= min_chars <= max_chars, got {min_chars} and {max_chars}.")
    texts, labels, slugs = [], [], []
    for play in genre_plays(split):
        for speech in play.speeches:
            if len(speech.text) >= min_chars:
                texts.append(speech.text[:max_chars])
                labels.append(GENRES.index(play.genre))
                slugs.append(play.slug)
    return texts, labels, slugs


def encode_passages(texts: list[str], tokenizer: CharTokenizer, length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``(ids, lengths)``: texts as (n, length) token ids, right-padded (cut at ``length``).

    Padding sits *after* the text, so a causal model's last real position never sees it.
    """
    if not texts:
        raise ValueError("texts is empty: pass at least one passage.")
    if length < 1:
        raise ValueError(f"length must be positive, got {length}.")
    ids = torch.zeros(len(texts), length, dtype=torch.long)
    lengths = torch.zeros(len(texts), dtype=torch.long)
    for row, text in enumerate(texts):
        if not text:
            raise ValueError(f"passage {row} is empty.")
        encoded = tokenizer.encode(text[:length])
        ids[row, : len(encoded)] = torch.tensor(encoded)
        lengths[row] = len(encoded)
    return ids, lengths


class GPTClassifier(nn.Module):
    """A GPT backbone with a classification head on the *mean* hidden state of the passage.

    Averaging over the real tokens (padding left out) summarises the whole passage; it worked
    better here than the last token alone (GPT-1's choice, Radford et al., 2018), measured in
    notebook 10. Notebook 12's sentence embeddings pool the same way.
    """

    def __init__(self, backbone: GPT, n_classes: int = 2):
        super().__init__()
        if not isinstance(backbone, GPT):
            raise TypeError(f"backbone must be a utils.models.GPT, got {type(backbone).__name__}.")
        if n_classes < 2:
            raise ValueError(f"a classifier needs at least 2 classes, got {n_classes}.")
        self.backbone = backbone
        self.head = nn.Linear(backbone.config.n_embd, n_classes)

    def features(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """(batch, n_embd): the mean of the hidden states over each passage's real tokens."""
        if lengths.shape != ids.shape[:1] or int(lengths.min()) < 1 or int(lengths.max()) > ids.shape[1]:
            raise ValueError(f"lengths must hold one value in 1..{ids.shape[1]} per row of ids "
                             f"{tuple(ids.shape)}, got shape {tuple(lengths.shape)}.")
        hidden = self.backbone.hidden_states(ids)
        real = (torch.arange(ids.shape[1], device=ids.device)[None] < lengths[:, None]).unsqueeze(-1)
        return (hidden * real).sum(dim=1) / lengths[:, None]

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Class logits, (batch, n_classes)."""
        return self.head(self.features(ids, lengths))


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


# ---------------------------------------------------------------------------------------------
# Instruction tuning
# ---------------------------------------------------------------------------------------------
TASKS = ("Which play is this from?", "Shout this line.", "Continue the line.")
MAX_INPUT_CHARS = 48
CONTEXT = 128  # our GPT's block size: prompt, answer and newline must fit


def format_prompt(instruction: str, text: str) -> str:
    """The prompt template: the model's answer follows ``Answer: `` and ends with a newline."""
    text = " ".join(text.split())[:MAX_INPUT_CHARS]  # one line; our vocabulary has no "/" or "#"
    return f"Task: {instruction}\nText: {text}\nAnswer: "


@dataclass(frozen=True)
class Example:
    instruction: str
    prompt: str     # the formatted prompt, ending with "Answer: "
    response: str   # the answer, without the final newline
    play: str       # the slug of the play it comes from


def instruction_examples(split: str = "train", seed: int = 0) -> list[Example]:
    """Instruction examples from the plays the model was pretrained on (the tiny subset).

    ``"train"`` uses the first 90 % of each play's speeches, ``"val"`` the last 10 % (the
    pretraining split), so held-out prompts are passages the model has never been tuned on; a
    held-out prompt that also occurs in training (short lines repeat: "My lord?") is dropped.
    Tasks: which play a speech is from, a line in capitals, and the next line of a speech.
    """
    if split not in ("train", "val"):
        raise ValueError(f"split must be 'train' or 'val', got {split!r}.")
    train = _examples_from(range_kind="train")
    if split == "train":
        examples = train
    else:
        seen = {e.prompt for e in train}
        examples = [e for e in _examples_from(range_kind="val") if e.prompt not in seen]
    examples = list(examples)
    random.Random(seed).shuffle(examples)
    return examples


def _examples_from(range_kind: str) -> list[Example]:
    examples = []
    for play in subset_plays("tiny"):
        n_train = int(round(len(play.speeches) * (1 - VALIDATION_FRACTION)))
        chosen = range(n_train) if range_kind == "train" else range(n_train, len(play.speeches))
        for i in chosen:
            speech = play.speeches[i]
            lines = speech.text.split("\n")
            passage = f"{speech.speaker}: {lines[0]}"
            examples.append(Example(TASKS[0], format_prompt(TASKS[0], passage), play.title, play.slug))
            if len(lines[0]) <= MAX_INPUT_CHARS:
                examples.append(Example(TASKS[1], format_prompt(TASKS[1], lines[0]), lines[0].upper(), play.slug))
                if len(lines) >= 2:
                    examples.append(Example(TASKS[2], format_prompt(TASKS[2], lines[0]), lines[1], play.slug))
    return [e for e in examples if len(e.prompt) + len(e.response) + 1 <= CONTEXT]


def answer(model: GPT, tokenizer: CharTokenizer, prompt: str, max_chars: int = 48) -> str:
    """The model's greedy answer to ``prompt``, up to the first newline (or ``max_chars``)."""
    block = model.config.block_size
    ids = torch.tensor([tokenizer.encode(prompt)[-block:]])
    newline = tokenizer.encode("\n")[0]
    # no longer than the context allows: past it the window would slide and lose the task line
    out = generate(model, ids, min(max_chars, block - ids.shape[1] + 1), temperature=0, stop_id=newline)
    return tokenizer.decode(out[0, ids.shape[1]:].tolist()).split("\n")[0]
