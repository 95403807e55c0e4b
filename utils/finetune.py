"""Notebook 10's first fine-tuning: a classifier on the pretrained Shakespeare GPT.

- Classification data: passages labelled comedy or tragedy (the First Folio grouping in
  :mod:`utils.data`), from plays the pretrained model never read, split *by play*
  (:func:`genre_passages`, :func:`encode_passages`).
- :class:`GPTClassifier`: the pretrained GPT with a new two-way head instead of its
  next-character head.

Notebook 10's other pieces: :mod:`utils.lora` (low-rank adapters and their arithmetic) and
:mod:`utils.instruct` (instruction tuning).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from .data import TINY_PLAYS, CharTokenizer, Play, load_plays
from .models import GPT

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
# Training a classifier, and the comparison run shipped precomputed (data/finetune_runs.json)
# ---------------------------------------------------------------------------------------------
@torch.no_grad()
def predict(model: nn.Module, ids: torch.Tensor, lengths: torch.Tensor, batch: int = 512) -> torch.Tensor:
    """(n,) predicted classes, in batches (notebook 10's ``predict``)."""
    model.eval()
    return torch.cat([model(ids[i:i + batch], lengths[i:i + batch]).argmax(-1) for i in range(0, len(ids), batch)])


def train_classifier(model: nn.Module, ids: torch.Tensor, lengths: torch.Tensor, labels: torch.Tensor,
                     steps: int, lr: float, batch_size: int = 32, seed: int = 0) -> list[float]:
    """Notebook 10's ``fine_tune`` loop: AdamW on the trainable parameters; returns the losses.

    The same batches for every model (a generator seeded with ``seed``). tools/finetune_runs.py
    trains the shipped comparison run with it.
    """
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    losses = []
    for _ in range(steps):
        i = torch.randint(len(ids), (batch_size,), generator=generator)
        loss = nn.functional.cross_entropy(model(ids[i], lengths[i]), labels[i])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    return losses


RUNS_FILE = "finetune_runs.json"
RUNS_REBUILD = "make finetune-runs"
# The from-scratch classifier of notebook 10, section 3: random GPT (torch.manual_seed(0) before it
# is built), the same 300 steps of 32 passages as full fine-tuning, a larger learning rate.
SCRATCH_RECIPE = {"length": 64, "init_seed": 0, "steps": 300, "lr": 1e-3, "batch_size": 32, "batch_seed": 0}


def passages_fingerprint(texts: list[str], labels: list[int]) -> str:
    """First 16 hex digits of the SHA-256 of the passages and their labels (which data a run saw)."""
    import hashlib

    digest = hashlib.sha256()
    for text, label in zip(texts, labels):
        digest.update(f"{label}\t{text}\n".encode())
    return digest.hexdigest()[:16]


def train_from_scratch(tokenizer: CharTokenizer, config, recipe: dict = SCRATCH_RECIPE,
                       steps: int | None = None) -> tuple[GPTClassifier, list[float]]:
    """The from-scratch run of the recipe on all training passages: ``(model, losses)``.

    ``steps`` cuts it short (the test recomputes the first few steps and compares the losses).
    """
    texts, labels, _ = genre_passages("train", max_chars=recipe["length"])
    ids, lengths = encode_passages(texts, tokenizer, recipe["length"])
    torch.manual_seed(recipe["init_seed"])
    model = GPTClassifier(GPT(config))
    losses = train_classifier(model, ids, lengths, torch.tensor(labels), recipe["steps"] if steps is None else steps,
                              lr=recipe["lr"], batch_size=recipe["batch_size"], seed=recipe["batch_seed"])
    return model, losses


def load_scratch_run(path=None) -> dict:
    """The shipped from-scratch run (data/finetune_runs.json), checked before use.

    Returns its entry: ``accuracy`` on the test plays, ``losses`` per step, ``recipe``, ``seconds``.
    Raises ``ValueError`` with the rebuild command when the file is missing, unreadable or made
    for other data, another recipe or another pretrained checkpoint.
    """
    import json

    from .shipped import shipped_file

    path = shipped_file(RUNS_FILE) if path is None else path
    hint = f"Rebuild it with `{RUNS_REBUILD}` (tools/finetune_runs.py), or train the run live (RUN_LIVE = True)."
    try:
        card = json.loads(Path(path).read_text())
        run = card["runs"]["from scratch"]
        recipe, losses, acc = run["recipe"], run["losses"], float(run["accuracy"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path} is missing or unreadable ({error}). {hint}") from None
    problems = []
    if recipe != SCRATCH_RECIPE:
        problems.append(f"its recipe {recipe} is not the notebook's {SCRATCH_RECIPE}")
    if len(losses) != recipe.get("steps") or not all(isinstance(x, float) and 0 < x < 10 for x in losses):
        problems.append("its losses are not one positive number per step")
    if not 0 <= acc <= 1:
        problems.append(f"its accuracy {acc} is not a fraction")
    for split in ("train", "test"):
        texts, labels, _ = genre_passages(split, max_chars=SCRATCH_RECIPE["length"])
        if card.get("data", {}).get(split) != passages_fingerprint(texts, labels):
            problems.append(f"it was made from other {split} passages than today's")
    base_card = json.loads(shipped_file("shakespeare_gpt.json").read_text())
    if card.get("pretrained_sha256") != base_card["sha256"]:
        problems.append("it was made with another pretrained checkpoint (data/shakespeare_gpt.pt)")
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems) + f". {hint}")
    return run


# ---------------------------------------------------------------------------------------------
# The full-length runs of sections 3-5, shipped precomputed (data/finetune_models.pt)
# ---------------------------------------------------------------------------------------------
MODELS_FILE = "finetune_models.pt"
# Notebook 10's classifier recipe: the frozen head (torch.manual_seed(init_seed) before it is built,
# head_steps full-batch AdamW steps on the frozen features), then from that head full fine-tuning
# and rank-8 LoRA (torch.manual_seed(lora_seed) before the adapters are added), the same batches.
CLASSIFIER_RECIPE = {"length": 64, "init_seed": 0, "head_steps": 500, "head_lr": 1e-2, "steps": 300,
                     "batch_size": 32, "batch_seed": 0, "full_lr": 1e-4, "lora_rank": 8, "lora_alpha": 16,
                     "lora_lr": 1e-3, "lora_seed": 0}


def frozen_head_classifier(base: GPT, ids: torch.Tensor, lengths: torch.Tensor, labels: torch.Tensor,
                           recipe: dict = CLASSIFIER_RECIPE) -> GPTClassifier:
    """Notebook 10's frozen body + new head: a copy of ``base``, frozen, and a head trained on its
    mean hidden states (``head_steps`` full-batch AdamW steps; features in batches of 512)."""
    import copy

    torch.manual_seed(recipe["init_seed"])
    model = GPTClassifier(copy.deepcopy(base))
    for p in model.backbone.parameters():
        p.requires_grad_(False)
    with torch.no_grad():
        features = torch.cat([model.features(ids[i:i + 512], lengths[i:i + 512]) for i in range(0, len(ids), 512)])
    optimizer = torch.optim.AdamW(model.head.parameters(), lr=recipe["head_lr"], weight_decay=0.0)
    for _ in range(recipe["head_steps"]):
        loss = nn.functional.cross_entropy(model.head(features), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model


def train_full(frozen: GPTClassifier, ids: torch.Tensor, lengths: torch.Tensor, labels: torch.Tensor,
               recipe: dict = CLASSIFIER_RECIPE, steps: int | None = None) -> tuple[GPTClassifier, list[float]]:
    """Full fine-tuning from the frozen model's head: ``(model, losses)``; ``steps`` cuts it short."""
    import copy

    model = copy.deepcopy(frozen)
    for p in model.parameters():
        p.requires_grad_(True)
    losses = train_classifier(model, ids, lengths, labels, recipe["steps"] if steps is None else steps,
                              lr=recipe["full_lr"], batch_size=recipe["batch_size"], seed=recipe["batch_seed"])
    return model, losses


def train_lora(frozen: GPTClassifier, ids: torch.Tensor, lengths: torch.Tensor, labels: torch.Tensor,
               recipe: dict = CLASSIFIER_RECIPE, steps: int | None = None) -> tuple[GPTClassifier, list[float]]:
    """LoRA (adapters on every matrix of the body, the head trains too) from the frozen model:
    ``(model with its adapters, not merged, losses)``; ``steps`` cuts it short."""
    import copy

    from .lora import add_lora

    model = copy.deepcopy(frozen)
    torch.manual_seed(recipe["lora_seed"])
    add_lora(model.backbone, recipe["lora_rank"], recipe["lora_alpha"])
    for p in model.head.parameters():
        p.requires_grad_(True)
    losses = train_classifier(model, ids, lengths, labels, recipe["steps"] if steps is None else steps,
                              lr=recipe["lora_lr"], batch_size=recipe["batch_size"], seed=recipe["batch_seed"])
    return model, losses


def half_state(model: nn.Module, trainable_only: bool = False) -> dict[str, torch.Tensor]:
    """The model's weights in fp16 for shipping (only the trainable ones: an adapter and its head).
    A tied output head (``lm_head.weight``, the token embedding) is stored once."""
    names = {n for n, p in model.named_parameters() if p.requires_grad} if trainable_only else None
    return {k: v.detach().to(torch.float16).cpu().clone() for k, v in model.state_dict().items()
            if (names is None or k in names) and not k.endswith("lm_head.weight")}


def float_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """:func:`half_state` back in float32, the tied output head restored."""
    out = {k: v.float() for k, v in state.items()}
    for k in list(out):
        if k.endswith("token_embedding.weight"):
            out[k[:-len("token_embedding.weight")] + "lm_head.weight"] = out[k]
    return out


def load_finetune_models(runs_path=None, models_path=None) -> tuple[dict, dict]:
    """The shipped full-length runs of notebook 10 (data/finetune_runs.json and data/finetune_models.pt),
    checked before use: ``(runs, states)``.

    ``runs[name]`` holds ``losses`` per step (and ``val_losses`` for the instruction run) and the
    ``recipe``; ``states[name]`` the float32 weights to load: ``"frozen head"`` (the head),
    ``"full fine-tuning"`` (the whole classifier), ``"LoRA (rank 8)"`` (adapters and head,
    ``load_state_dict(..., strict=False)``), ``"instruction-tuned"`` (the whole GPT). Raises
    ``ValueError`` with the rebuild command when a file is missing, corrupt or made for other data,
    another recipe or another pretrained checkpoint.
    """
    import json

    from . import files
    from .instruct import SFT_RECIPE, instruction_examples
    from .shipped import shipped_file

    runs_path = shipped_file(RUNS_FILE) if runs_path is None else Path(runs_path)
    models_path = shipped_file(MODELS_FILE) if models_path is None else Path(models_path)
    hint = f"Rebuild them with `{RUNS_REBUILD}` (tools/finetune_runs.py), or train the runs live (RUN_LIVE = True)."
    recipes = {"full fine-tuning": CLASSIFIER_RECIPE, "LoRA (rank 8)": CLASSIFIER_RECIPE, "instruction-tuned": SFT_RECIPE}
    try:
        card = json.loads(runs_path.read_text())
        runs = {name: card["runs"][name] for name in recipes}
        expected_sha = card["models_sha256"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{runs_path} is missing or unreadable ({error}). {hint}") from None
    problems = []
    for name, recipe in recipes.items():
        run = runs[name]
        if run.get("recipe") != recipe:
            problems.append(f"the recipe of {name!r} {run.get('recipe')} is not the notebook's {recipe}")
        losses = run.get("losses", [])
        if len(losses) != recipe["steps"] or not all(isinstance(x, float) and 0 < x < 10 for x in losses):
            problems.append(f"the losses of {name!r} are not one positive number per step")
    for split in ("train", "test"):
        texts, labels, _ = genre_passages(split, max_chars=CLASSIFIER_RECIPE["length"])
        if card.get("data", {}).get(split) != passages_fingerprint(texts, labels):
            problems.append(f"they were made from other {split} passages than today's")
    if card.get("data", {}).get("instructions") != examples_fingerprint(instruction_examples("train")):
        problems.append("they were made from other instruction examples than today's")
    base_card = json.loads(shipped_file("shakespeare_gpt.json").read_text())
    if card.get("pretrained_sha256") != base_card["sha256"]:
        problems.append("they were made with another pretrained checkpoint (data/shakespeare_gpt.pt)")
    if not models_path.is_file():
        problems.append(f"{models_path.name} is missing")
    elif files.sha256_file(models_path) != expected_sha:
        problems.append(f"{models_path.name} does not match the checksum in {runs_path.name} (damaged or stale)")
    if problems:
        raise ValueError(f"{runs_path}: " + "; ".join(problems) + f". {hint}")
    blob = torch.load(models_path, map_location="cpu", weights_only=True)
    states = {name: float_state(state) for name, state in blob.items()}
    return runs, states


def examples_fingerprint(examples) -> str:
    """First 16 hex digits of the SHA-256 of instruction examples (which data a run saw)."""
    import hashlib

    digest = hashlib.sha256()
    for e in examples:
        digest.update(f"{e.prompt}\t{e.response}\n".encode())
    return digest.hexdigest()[:16]
