"""Notebook 05's character-level language model: an LSTM that reads characters and predicts the next.

- :class:`CharLSTM` — embedding → LSTM → linear head; returns logits and, on request, the hidden
  states along the sequence (what the hidden-state widget draws);
- :func:`sample_text` — generate text with a temperature;
- :func:`bigram_loss` — the baseline every character model must beat.

Taught in notebook 05 (recurrent networks); the transformer of notebook 08 replaces it.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .checks import check_range
from .data import CharTokenizer
from .sampling import sample_next

INTRODUCED_IN = "05"


class CharLSTM(nn.Module):
    """Embedding (vocab → embed_dim) → LSTM (hidden_size, num_layers) → linear head (→ vocab).

    ``forward(ids)``: ``ids (batch, time)`` of token ids → ``logits (batch, time, vocab)``.
    With ``return_hidden=True`` also returns the top layer's hidden states ``(batch, time, hidden)``
    and the final ``(h, c)`` state, which ``state=`` takes back to continue a sequence.
    """

    def __init__(self, vocab_size: int, embed_dim: int = 48, hidden_size: int = 192, num_layers: int = 1):
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("embed_dim", embed_dim),
                            ("hidden_size", hidden_size), ("num_layers", num_layers)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        self.config = {"vocab_size": vocab_size, "embed_dim": embed_dim, "hidden_size": hidden_size,
                       "num_layers": num_layers}
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, ids: torch.Tensor, state=None, return_hidden: bool = False):
        if not isinstance(ids, torch.Tensor) or ids.dim() != 2 or ids.dtype != torch.long:
            got = tuple(ids.shape) if isinstance(ids, torch.Tensor) else type(ids).__name__
            raise ValueError(f"ids must be a LongTensor of shape (batch, time), got {got}; "
                             "wrap one sequence as ids[None] or torch.tensor([ids]).")
        if ids.numel() and (ids.min() < 0 or ids.max() >= self.config["vocab_size"]):
            raise ValueError(f"token ids must be in 0..{self.config['vocab_size'] - 1}, "
                             f"got {int(ids.min())}..{int(ids.max())}.")
        hidden, state = self.lstm(self.embedding(ids), state)
        logits = self.head(hidden)
        if return_hidden:
            return logits, hidden, state
        return logits


def sample_text(
    model: CharLSTM,
    tokenizer: CharTokenizer,
    prompt: str,
    length: int = 200,
    temperature: float = 1.0,
    seed: int = 0,
) -> str:
    """Continue ``prompt`` by ``length`` characters, sampling from softmax(logits / temperature).

    Low temperature (0.2) is cautious and repetitive, high (1.5) adventurous and misspelt; 0 is
    greedy (always the likeliest character). The draw is :func:`utils.sampling.sample_next`.
    Deterministic for a given ``seed``. Returns only the new characters.
    """
    check_range(temperature, 0.0, 10.0, "temperature")
    if not isinstance(length, int) or length < 0:
        raise ValueError(f"length must be a non-negative integer, got {length!r}.")
    if not prompt:
        raise ValueError("prompt must contain at least one character, e.g. 'ROMEO:\\n'.")
    generator = torch.Generator().manual_seed(seed)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    out = []
    with torch.no_grad():
        ids = torch.tensor([tokenizer.encode(prompt)], device=device)
        logits, _, (h, c) = model(ids, return_hidden=True)
        logits = logits[0, -1]
        lstm = model.lstm
        if lstm.num_layers == 1:
            # One character at a time through the LSTM equations directly: a table of each character's
            # input contribution, then one small matrix product per step (several times faster than
            # calling the modules once per character; the same numbers).
            input_part = model.embedding.weight @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + lstm.bias_hh_l0
            h, c = h[0, 0], c[0, 0]
        for _ in range(length):
            next_id = int(sample_next(logits.float().cpu()[None], temperature, generator=generator))
            out.append(next_id)
            if lstm.num_layers == 1:
                gates = input_part[next_id] + lstm.weight_hh_l0 @ h
                i, f, g, o = gates.chunk(4)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
                logits = model.head(h)
            else:
                step_logits, _, (h, c) = model(torch.tensor([[next_id]], device=device), (h, c), return_hidden=True)
                logits = step_logits[0, -1]
    model.train(was_training)
    return tokenizer.decode(out)


def bigram_loss(train_ids: torch.Tensor, val_ids: torch.Tensor, vocab_size: int, smoothing: float = 1.0) -> float:
    """Cross-entropy (nats per character) on ``val_ids`` of a bigram model counted on ``train_ids``.

    The bigram model predicts each character from the one before it only, with add-``smoothing``
    counts. ``train_ids``, ``val_ids``: 1-D tensors of token ids.
    """
    for name, ids in (("train_ids", train_ids), ("val_ids", val_ids)):
        if not isinstance(ids, torch.Tensor) or ids.dim() != 1 or ids.numel() < 2:
            raise ValueError(f"{name} must be a 1-D tensor of at least two token ids.")
    counts = torch.full((vocab_size, vocab_size), float(smoothing))
    counts.index_put_((train_ids[:-1], train_ids[1:]), torch.ones(train_ids.numel() - 1), accumulate=True)
    log_probs = torch.log(counts / counts.sum(dim=1, keepdim=True))
    return float(-log_probs[val_ids[:-1], val_ids[1:]].mean())


def uniform_loss(vocab_size: int) -> float:
    """Cross-entropy of guessing uniformly among ``vocab_size`` tokens: ln(vocab_size)."""
    return math.log(vocab_size)
