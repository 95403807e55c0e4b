"""A Llama-style decoder (the architecture of SmolLM2, Llama 2/3, Mistral...), taught in notebook 12.

Compared with the GPT of notebook 08 it changes four pieces, each a few lines below:

- **RMSNorm** instead of LayerNorm: divide by the root-mean-square, no mean subtraction, no bias;
- **RoPE** (rotary position embeddings) instead of learned positions: queries and keys are rotated
  by an angle that grows with the position, so their dot product depends on the distance;
- **grouped-query attention** (GQA): fewer key/value heads than query heads, each K/V head shared
  by a group of query heads (smaller KV cache);
- **SwiGLU** feed-forward: ``down(silu(gate(x)) * up(x))``.

Plus a **KV cache** for generation, :func:`generate`, which streams token ids, and
:func:`quantize_int8`, which swaps every linear layer for an :class:`Int8Linear` (4× fewer bytes
to read per token, and reading weights is what limits a one-token step). These two differ
from notebook 08's on purpose: this cache is allocated once and written at a position (``start``)
instead of growing by concatenation (copying a 30-layer cache at every step costs more than the
step), and ``generate`` yields ids one at a time, so a chat box can show words as they come.
Both sample with :mod:`utils.sampling`.
Shapes: ``tokens: (batch, time)``, activations ``(batch, time, dim)``, per-head tensors
``(batch, heads, time, head_dim)``.
"""

from __future__ import annotations

import functools
import math
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .int8_kernel import int8_gemv_unchecked, load_int8_gemv
from .sampling import check_sampling, sample_next

INTRODUCED_IN = "12"


@dataclass
class LlamaConfig:
    """Sizes of a Llama-style model. SmolLM2-135M: dim 576, 30 layers, 9 heads, 3 KV heads."""

    vocab_size: int = 49152
    dim: int = 576
    n_layers: int = 30
    n_heads: int = 9
    n_kv_heads: int = 3
    hidden_dim: int = 1536
    rope_theta: float = 100000.0
    norm_eps: float = 1e-5
    max_seq_len: int = 2048

    def __post_init__(self) -> None:
        if self.dim % self.n_heads:
            raise ValueError(f"dim ({self.dim}) must be divisible by n_heads ({self.n_heads}).")
        if self.n_heads % self.n_kv_heads:
            raise ValueError(
                f"n_heads ({self.n_heads}) must be a multiple of n_kv_heads ({self.n_kv_heads}): "
                "each key/value head serves a whole group of query heads."
            )
        if self.head_dim % 2:
            raise ValueError(f"head_dim ({self.head_dim}) must be even for RoPE (it rotates pairs).")

    @property
    def head_dim(self) -> int:
        return self.dim // self.n_heads


class RMSNorm(nn.Module):
    """``x / sqrt(mean(x**2) + eps) * weight`` over the last axis. x: (..., dim)."""

    def __init__(self, dim: int, eps: float = 1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_cos_sin(head_dim: int, max_len: int, theta: float = 10000.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Cosines and sines of the RoPE angles, each ``(max_len, head_dim)``.

    Pair ``i`` (dimensions ``i`` and ``i + head_dim/2``, the "rotate half" layout of Hugging Face
    checkpoints) turns by ``position * theta ** (-2i / head_dim)``: fast for the first pairs, slow
    for the last ones.
    """
    if head_dim % 2 or head_dim < 2:
        raise ValueError(f"head_dim must be even and positive, got {head_dim}.")
    inv_freq = theta ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
    angles = torch.outer(torch.arange(max_len, dtype=torch.float64), inv_freq)  # (max_len, head_dim/2)
    angles = torch.cat([angles, angles], dim=-1)
    return angles.cos().float(), angles.sin().float()


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    """(x1, x2) -> (-x2, x1) on the two halves of the last axis."""
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([-x2, x1], dim=-1)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate queries or keys. x: (batch, heads, time, head_dim); cos, sin: (time, head_dim)."""
    return x * cos + rotate_half(x) * sin


class KVCache:
    """Keys and values of every layer for the tokens seen so far, so each new token costs one step.

    ``keys[layer]``: (batch, kv_heads, max_len, head_dim), filled up to ``length``.
    """

    def __init__(self, config: LlamaConfig, batch: int = 1, max_len: int | None = None,
                 dtype: torch.dtype = torch.float32, device: str | torch.device = "cpu"):
        self.max_len = max_len or config.max_seq_len
        shape = (batch, config.n_kv_heads, self.max_len, config.head_dim)
        self.keys = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(config.n_layers)]
        self.values = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(config.n_layers)]
        self.length = 0

    def update(self, layer: int, k: torch.Tensor, v: torch.Tensor, start: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Store k, v (batch, kv_heads, time, head_dim) at ``start``; return all keys/values so far."""
        end = start + k.shape[2]
        if end > self.max_len:
            raise ValueError(f"KV cache is full: {end} tokens > max_len {self.max_len}; make a bigger cache.")
        self.keys[layer][:, :, start:end] = k
        self.values[layer][:, :, start:end] = v
        return self.keys[layer][:, :, :end], self.values[layer][:, :, :end]


class Attention(nn.Module):
    """Causal grouped-query self-attention with RoPE."""

    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.n_heads, self.n_kv_heads, self.head_dim = config.n_heads, config.n_kv_heads, config.head_dim
        self.wq = nn.Linear(config.dim, config.n_heads * config.head_dim, bias=False)
        self.wk = nn.Linear(config.dim, config.n_kv_heads * config.head_dim, bias=False)
        self.wv = nn.Linear(config.dim, config.n_kv_heads * config.head_dim, bias=False)
        self.wo = nn.Linear(config.n_heads * config.head_dim, config.dim, bias=False)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor,
                cache: KVCache | None = None, layer: int = 0, start: int = 0) -> torch.Tensor:
        batch, time, _ = x.shape
        q = self.wq(x).view(batch, time, self.n_heads, self.head_dim).transpose(1, 2)
        k = self.wk(x).view(batch, time, self.n_kv_heads, self.head_dim).transpose(1, 2)
        v = self.wv(x).view(batch, time, self.n_kv_heads, self.head_dim).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        if cache is not None:
            k, v = cache.update(layer, k, v, start)
        # GQA: each key/value head serves a group of n_heads / n_kv_heads query heads. Stacking the
        # queries of a group as rows, (batch, kv_heads, group * time, d), lets the group share its
        # K/V head in one product, without copying K and V once per query head.
        group, total = self.n_heads // self.n_kv_heads, k.shape[2]
        q = q.reshape(batch, self.n_kv_heads, group * time, self.head_dim)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)  # (b, kv, g * time, total)
        if time > 1:  # causal: new token i (at position start + i) sees keys 0..start + i
            mask = torch.ones(time, total, dtype=torch.bool, device=x.device).tril(diagonal=total - time)
            scores = scores.view(batch, self.n_kv_heads, group, time, total).masked_fill(~mask, float("-inf"))
            scores = scores.view(batch, self.n_kv_heads, group * time, total)
        out = (torch.softmax(scores, dim=-1) @ v).view(batch, self.n_heads, time, self.head_dim)
        return self.wo(out.transpose(1, 2).reshape(batch, time, -1))


class SwiGLU(nn.Module):
    """The feed-forward of Llama: ``down(silu(gate(x)) * up(x))``."""

    def __init__(self, dim: int, hidden_dim: int):
        super().__init__()
        self.gate = nn.Linear(dim, hidden_dim, bias=False)
        self.up = nn.Linear(dim, hidden_dim, bias=False)
        self.down = nn.Linear(hidden_dim, dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(F.silu(self.gate(x)) * self.up(x))


class Block(nn.Module):
    """Pre-norm residual block: x + attention(norm(x)), then x + feed_forward(norm(x))."""

    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.attention_norm = RMSNorm(config.dim, config.norm_eps)
        self.attention = Attention(config)
        self.ffn_norm = RMSNorm(config.dim, config.norm_eps)
        self.feed_forward = SwiGLU(config.dim, config.hidden_dim)

    def forward(self, x, cos, sin, cache=None, layer=0, start=0):
        x = x + self.attention(self.attention_norm(x), cos, sin, cache, layer, start)
        return x + self.feed_forward(self.ffn_norm(x))


# A tiny call of the int8 kernel, run in a child process by int8_kernel_works().
_KERNEL_PROBE = """
import torch
x = torch.randn(15, 24, dtype=torch.bfloat16)
q = torch.randint(-127, 128, (40, 24), dtype=torch.int8)
out = torch.ops.aten._weight_int8pack_mm(x, q, torch.rand(40, dtype=torch.bfloat16))
assert out.shape == (15, 40) and bool(torch.isfinite(out).all())
"""


@functools.lru_cache(maxsize=1)
def int8_kernel_works() -> bool:
    """Whether PyTorch's weight-only int8 kernel runs on this machine, tried once in a child process.

    The kernel is young: with PyTorch 2.11 on a 16-core Xeon server, and with 2.13 on an AMD EPYC
    with AVX-512, it crashed the whole Python process (a segfault, which would kill a notebook's
    kernel), while 2.13 runs it on other machines. Trying it in a child costs about two seconds,
    once; if the child fails, :class:`Int8Linear` never calls it (it uses the course's compiled
    kernel, or else multiplies by its dequantized weights: same result, no speed-up).
    """
    if not hasattr(torch.ops.aten, "_weight_int8pack_mm"):
        return False
    try:
        return subprocess.run([sys.executable, "-c", _KERNEL_PROBE], capture_output=True, timeout=120).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class Int8Linear(nn.Module):
    """A linear layer (no bias) whose weights are stored as int8: ``W[o, i] ≈ scale[o] * q[o, i]``.

    Symmetric, one scale per output channel (row): ``scale[o] = max_i |W[o, i]| / 127``, so every row
    uses the whole range -127..127 and the rounding error of a weight is at most ``scale[o] / 2``.
    A one-token step reads every weight once, so reading 1 byte instead of 4 is most of the speed.

    ``forward`` for one input row (a one-token step, where reading the weights is the cost) calls
    the course's compiled kernel (:func:`utils.int8_kernel.int8_gemv`: int8 widened to float32 in
    registers, float32 input: exactly the dequantized product); where it could not be built,
    PyTorch's weight-only int8 kernel (``_weight_int8pack_mm``, the one gpt-fast uses; it rounds the
    input to bfloat16) if it runs here (:func:`int8_kernel_works`). Several rows (a prompt) are one
    big matrix product, where float32 is PyTorch's fastest path: it widens the weights and multiplies
    (:meth:`dequantized`, exact). The input stays a float: rounding it to 8 bits as well (``torch.ao``
    dynamic quantization, one scale per call) is faster, but in our trial it changed about half of
    SmolLM2's next-token predictions. x: (..., in_features) → (..., out_features).
    """

    def __init__(self, weight: torch.Tensor):
        super().__init__()
        if weight.dim() != 2 or not weight.is_floating_point():
            raise ValueError(f"Int8Linear takes a float (out_features, in_features) weight, got {weight.dtype} "
                             f"{tuple(weight.shape)}.")
        weight = weight.detach().float()
        scale = weight.abs().amax(dim=1).clamp(min=1e-12) / 127
        self.register_buffer("weight_int8", torch.round(weight / scale[:, None]).clamp(-127, 127).to(torch.int8))
        self.register_buffer("scale", scale)
        self.use_kernel = int8_kernel_works()
        self.gemv = load_int8_gemv()  # the compiled one-token kernel, or None

    @property
    def in_features(self) -> int:
        return self.weight_int8.shape[1]

    @property
    def out_features(self) -> int:
        return self.weight_int8.shape[0]

    def dequantized(self) -> torch.Tensor:
        """The float32 weights this layer stands for, (out_features, in_features)."""
        return self.weight_int8.float() * self.scale[:, None]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # (straight from _buffers: nn.Module's attribute lookup costs more than a small product)
        q, scale = self._buffers["weight_int8"], self._buffers["scale"]
        one_row = x.numel() == q.shape[1]
        # ~200 calls per token, each a few microseconds of work: the cheapest checks, no reshaping
        # (an input that needs its gradient takes F.linear below, which autograd can go through)
        if (one_row and self.gemv is not None and x.is_cpu and x.dtype == torch.float32 and x.is_contiguous()
                and not x.requires_grad):
            return int8_gemv_unchecked(self.gemv, x, q, scale)  # the compiled kernel
        if one_row and self.use_kernel and x.is_cpu and not x.requires_grad:  # PyTorch's int8 kernel
            flat = x.reshape(1, -1).to(torch.bfloat16)
            out = torch.ops.aten._weight_int8pack_mm(flat, q, scale.to(torch.bfloat16))
            return out.to(x.dtype).reshape(*x.shape[:-1], self.out_features)
        # scale is per output, so x @ (q * scale).T = (x @ q.T) * scale
        return F.linear(x, q.to(x.dtype)) * scale.to(x.dtype)


class Llama(nn.Module):
    """Token embedding → blocks → RMSNorm → output projection (tied to the embedding, as in SmolLM2)."""

    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.config = config
        self.tok_embeddings = nn.Embedding(config.vocab_size, config.dim)
        self.layers = nn.ModuleList(Block(config) for _ in range(config.n_layers))
        self.norm = RMSNorm(config.dim, config.norm_eps)
        cos, sin = rope_cos_sin(config.head_dim, config.max_seq_len, config.rope_theta)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)
        self.output: nn.Module | None = None  # None: the output projection is tok_embeddings.weight (tied)

    def forward(self, tokens: torch.Tensor, cache: KVCache | None = None, start: int = 0,
                last_only: bool = False) -> torch.Tensor:
        """tokens: (batch, time) ids at positions start..start+time-1 → logits (batch, time, vocab).

        ``last_only``: logits of the last position only, (batch, 1, vocab). Reading a prompt to
        continue it needs no more, and the output projection (49,152 × 576 for SmolLM2) is the
        largest matrix: for a 40-token prompt it would cost as much as the 30 layers."""
        if tokens.dim() != 2:
            raise ValueError(f"tokens must be (batch, time), got shape {tuple(tokens.shape)}; "
                             "use ids[None] for a single sequence.")
        time = tokens.shape[1]
        if start + time > self.config.max_seq_len:
            raise ValueError(f"{start + time} tokens exceed max_seq_len={self.config.max_seq_len}.")
        cos, sin = self.rope_cos[start:start + time], self.rope_sin[start:start + time]
        x = self.tok_embeddings(tokens)
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, cache, i, start)
        if cache is not None:
            cache.length = start + time
        if last_only:
            x = x[:, -1:]
        if self.output is not None:
            return self.output(self.norm(x))
        return F.linear(self.norm(x), self.tok_embeddings.weight)  # tied output weights

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


def quantize_int8(model: Llama) -> Llama:
    """A copy of ``model`` whose linear layers and output projection are :class:`Int8Linear`.

    The embedding table and the norms are shared with ``model`` (not copied): a token's embedding
    is one row, read once per token, so it stays float32.
    """
    if not isinstance(model, Llama):
        raise TypeError(f"quantize_int8 takes a utils.llama.Llama, got {type(model).__name__}.")
    with torch.device("meta"):
        quantized = Llama(model.config)
    quantized.load_state_dict(model.state_dict(), assign=True, strict=True)  # shares the tensors
    quantized.rope_cos, quantized.rope_sin = model.rope_cos, model.rope_sin
    for block in quantized.layers:
        for parent in (block.attention, block.feed_forward):
            for name, child in list(parent.named_children()):
                if isinstance(child, nn.Linear):
                    setattr(parent, name, Int8Linear(child.weight))
    quantized.output = Int8Linear(model.output.dequantized() if isinstance(model.output, Int8Linear)
                                  else model.tok_embeddings.weight)
    return quantized.eval()


def weight_bytes_per_token(model: Llama) -> int:
    """Bytes of weights a one-token step reads: every linear layer and the output projection once,
    one row of the embedding table, the norms."""
    total = model.tok_embeddings.weight[0].nbytes
    for module in model.modules():
        if isinstance(module, Int8Linear):
            total += module.weight_int8.nbytes + module.scale.nbytes
        elif isinstance(module, nn.Linear):
            total += module.weight.nbytes
        elif isinstance(module, RMSNorm):
            total += module.weight.nbytes
    if model.output is None:
        total += model.tok_embeddings.weight.nbytes  # the tied output projection
    return total


def generate(model: Llama, prompt_ids: list[int], max_new_tokens: int = 64, temperature: float = 0.0,
             top_k: int | None = None, stop_ids: tuple[int, ...] = (), seed: int = 0,
             decode_threads: int | None = 1) -> Iterator[int]:
    """Yield new token ids one by one (streaming), using a KV cache: the prompt is read once,
    then each step feeds only the newest token. Stops at a token in ``stop_ids`` (not yielded).

    Sampling is :func:`utils.sampling.sample_next` (greedy at temperature 0, the default here:
    a chat answer should not change between runs). The prompt plus ``max_new_tokens`` must fit in
    the context (``max_seq_len``): asking for more raises a ValueError at once, instead of
    quietly returning a shorter answer.

    ``decode_threads``: torch threads for the one-token steps. They are tiny matrix-vector
    products, and on a small shared CPU, syncing threads costs more than it gains (see
    ``benchmarks/smollm2.py``); the prompt (big matrix products) uses all threads. None: leave as is.
    """
    if not prompt_ids:
        raise ValueError("prompt_ids is empty: give the model at least one token to continue.")
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must be an integer >= 0, got {max_new_tokens!r}.")
    check_sampling(temperature, top_k)
    # The last new token needs no forward pass, so prompt + max_new_tokens - 1 positions are read.
    room = model.config.max_seq_len - len(prompt_ids) + 1
    if max_new_tokens > room:
        raise ValueError(f"a prompt of {len(prompt_ids)} tokens leaves room for at most {max(room, 0)} new tokens "
                         f"in the context of {model.config.max_seq_len}; ask for fewer or shorten the prompt.")
    return _generate(model, prompt_ids, max_new_tokens, temperature, top_k, stop_ids, seed, decode_threads)


@torch.inference_mode()
def _generate(model, prompt_ids, max_new_tokens, temperature, top_k, stop_ids, seed, decode_threads):
    device = model.tok_embeddings.weight.device
    cache = KVCache(model.config, max_len=max(len(prompt_ids) + max_new_tokens - 1, len(prompt_ids)),
                    device=device, dtype=model.tok_embeddings.weight.dtype)
    generator = torch.Generator().manual_seed(seed)
    logits = model(torch.tensor([prompt_ids], device=device), cache, start=0, last_only=True)[:, -1]
    position = len(prompt_ids)
    for step in range(max_new_tokens):
        token = int(sample_next(logits.cpu(), temperature, top_k, generator=generator))
        if token in stop_ids:
            return
        yield token
        if step == max_new_tokens - 1:
            return  # no forward pass for a token nobody will read
        threads = torch.get_num_threads()
        torch.set_num_threads(decode_threads or threads)
        try:
            logits = model(torch.tensor([[token]], device=device), cache, start=position)[:, -1]
        finally:
            torch.set_num_threads(threads)
        position += 1


def attention_reference(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Plain causal softmax attention, for checks: q (batch, heads, time, d), k, v with as many heads."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    time, total = q.shape[2], k.shape[2]
    mask = torch.ones(time, total, dtype=torch.bool).tril(diagonal=total - time)
    return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1) @ v
