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
