"""The course's GPT, taught in notebooks 07 (attention) and 08 (GPT); reused by 09–11.

- :class:`GPTConfig`, :class:`GPT`: a decoder-only transformer (pre-LayerNorm blocks, learned
  positions, tied input/output embeddings), like GPT-2 (Radford et al., 2019) but small.
  ``model(idx, targets=None, trace=False)`` returns ``(logits, loss)``; with ``trace=True`` it
  returns ``(logits, loss, trace)`` where ``trace[layer]`` holds the attention scores of every
  head before the mask, after the mask and after the softmax: one computation, many views.
- :func:`gpt_parameter_count`: the parameter count by formula (notebook 08).
- :class:`KVCache` and :func:`generate`: sampling one token at a time, reusing keys and values.
- :func:`next_token_probs`, :func:`sample_next`: greedy, temperature, top-k and top-p (notebook 08).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

# The course's one sampler (utils.sampling); notebook 08 and the views import it from here.
from .sampling import next_token_probs, sample_next  # noqa: F401

INTRODUCED_IN = "07"
# Notebook 07 builds attention; notebook 08 the sampling, generation and KV cache.
INTRODUCED_LATER = {"next_token_probs": "08", "sample_next": "08", "generate": "08", "KVCache": "08"}


@dataclass
class GPTConfig:
    """Sizes of a GPT. Defaults: the small character-level model of notebook 08."""

    vocab_size: int = 76    # the characters of all the plays: CharTokenizer(shakespeare('full'))
    block_size: int = 128   # longest context, in tokens
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128       # channels; each head gets n_embd // n_head
    bias: bool = False      # biases in Linear and LayerNorm (GPT-2: True)
    dropout: float = 0.0

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:  # True is an int in Python
                raise ValueError(f"GPTConfig.{name} must be a positive integer, got {value!r}.")
        if not isinstance(self.bias, bool):
            raise ValueError(f"GPTConfig.bias must be True or False, got {self.bias!r}.")
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head}): "
                             f"each head gets n_embd // n_head channels.")
        if isinstance(self.dropout, bool) or not isinstance(self.dropout, (int, float)) or not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}.")

    def to_dict(self) -> dict:
        return asdict(self)


def gpt_parameter_count(config: GPTConfig) -> int:
    """Parameters of :class:`GPT` by formula (notebook 08), with tied embeddings.

    Per block: attention 4·d² (+4d biases), MLP 8·d² (+5d biases), two LayerNorms 2d (+2d biases).
    Plus token and position embeddings (V + T)·d and the final LayerNorm d (+d).
    GPT-2 small (V=50257, T=1024, d=768, 12 layers, biases) gives 124,439,808.
    """
    d, b = config.n_embd, int(config.bias)
    per_block = 12 * d * d + 2 * d + b * (4 * d + 5 * d + 2 * d)
    return config.n_layer * per_block + (config.vocab_size + config.block_size) * d + d + b * d


class KVCache:
    """Keys and values of every layer for the tokens seen so far (notebook 08).

    ``keys[layer]``: (batch, heads, time_so_far, head_size), the same for ``values``. They are
    views of a longer buffer that doubles when full, so a step writes only its own token's key and
    value instead of copying the whole past (as ``torch.cat`` would, every step).
    """

    def __init__(self, n_layer: int):
        self.keys: list[torch.Tensor | None] = [None] * n_layer
        self.values: list[torch.Tensor | None] = [None] * n_layer
        self._buffers: list[tuple[torch.Tensor, torch.Tensor] | None] = [None] * n_layer

    @property
    def length(self) -> int:
        """How many tokens the cache holds (read it before a forward pass: layers fill up in turn)."""
        return self.layer_length(0)

    def layer_length(self, layer: int) -> int:
        return 0 if self.keys[layer] is None else int(self.keys[layer].shape[2])

    def append(self, layer: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Add this step's keys/values to the layer's cache; return all keys/values so far."""
        past, new = self.layer_length(layer), k.shape[2]
        buffers = self._buffers[layer]
        if buffers is None or past + new > buffers[0].shape[2]:
            size = (*k.shape[:2], max(16, 2 * (past + new)), k.shape[3])
            buffers = (k.new_empty(size), v.new_empty(size))
            if past:
                buffers[0][:, :, :past], buffers[1][:, :, :past] = self.keys[layer], self.values[layer]
            self._buffers[layer] = buffers
        buffers[0][:, :, past:past + new], buffers[1][:, :, past:past + new] = k, v
        self.keys[layer], self.values[layer] = buffers[0][:, :, :past + new], buffers[1][:, :, :past + new]
        return self.keys[layer], self.values[layer]


class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention (notebook 07)."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.n_head = config.n_head
        self.qkv = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = config.dropout

    def forward(self, x: torch.Tensor, trace: dict | None = None, cache: KVCache | None = None,
                layer: int = 0) -> torch.Tensor:
        """x: (batch, time, channels) -> (batch, time, channels)."""
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        # (batch, time, channels) -> (batch, heads, time, head_size)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        past = cache.layer_length(layer) if cache is not None else 0
        if cache is not None:
            k, v = cache.append(layer, k, v)
        if trace is None:
            drop = self.dropout if self.training else 0.0
            # With a cache, the new queries sit at the end: they may see every key (past == 0: causal).
            if past == 0:
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=drop)
            else:
                mask = _causal_mask(T, past + T, x.device)
                y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=drop)
        else:
            # The same computation written out, keeping every intermediate for the views.
            scores = q @ k.transpose(-2, -1) / math.sqrt(k.shape[-1])
            masked = scores.masked_fill(~_causal_mask(T, past + T, x.device), float("-inf"))
            weights = torch.softmax(masked, dim=-1)
            trace.update(scores=scores.detach(), masked_scores=masked.detach(), weights=weights.detach())
            y = weights @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.proj(y)


def _causal_mask(n_queries: int, n_keys: int, device: torch.device | str) -> torch.Tensor:
    """(n_queries, n_keys) bool, True where a query may look: keys at its position or earlier."""
    offset = n_keys - n_queries
    return torch.ones(n_queries, n_keys, dtype=torch.bool, device=device).tril(diagonal=offset)


class Block(nn.Module):
    """One transformer block: x + attention(LN(x)), then x + MLP(LN(x)) (notebook 08)."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = nn.Sequential(
            nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias),
            nn.GELU(),
            nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias),
            nn.Dropout(config.dropout),
        )

    def forward(self, x: torch.Tensor, trace: dict | None = None, cache: KVCache | None = None,
                layer: int = 0) -> torch.Tensor:
        x = x + self.attn(self.ln1(x), trace, cache, layer)
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    """A decoder-only transformer (notebook 08).

    ``logits, loss = model(idx, targets)``; idx, targets: (batch, time) token ids,
    logits: (batch, time, vocab_size); loss is None without targets.
    ``logits, loss, trace = model(idx, trace=True)``: ``trace[layer]["weights"]`` is
    (batch, heads, time, time), also ``"scores"`` (before the mask) and ``"masked_scores"``.
    """

    def __init__(self, config: GPTConfig):
        super().__init__()
        if not isinstance(config, GPTConfig):
            raise TypeError(f"GPT needs a GPTConfig, got {type(config).__name__}.")
        self.config = config
        self.token_embedding = nn.Embedding(config.vocab_size, config.n_embd)
        self.position_embedding = nn.Embedding(config.block_size, config.n_embd)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.token_embedding.weight  # tied, as in GPT-2
        self.apply(self._init_weights)
        for name, p in self.named_parameters():  # GPT-2's scaled init of residual projections
            if name.endswith("attn.proj.weight") or name.endswith("mlp.2.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None, trace: bool = False,
                cache: KVCache | None = None):
        x, traces = self._last_hidden(idx, trace, cache)
        logits = self.lm_head(x)
        loss = None
        if targets is not None:
            if not isinstance(targets, torch.Tensor) or targets.shape != idx.shape:
                got = tuple(targets.shape) if isinstance(targets, torch.Tensor) else type(targets).__name__
                raise ValueError(f"targets must have the same shape as idx {tuple(idx.shape)} (the next token "
                                 f"for every position), got {got}.")
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))
        return (logits, loss, traces) if trace else (logits, loss)

    def hidden_states(self, idx: torch.Tensor) -> torch.Tensor:
        """The last layer's output after the final LayerNorm, (batch, time, n_embd): what the
        language-model head reads, and what a classifier head reads instead (notebook 10)."""
        return self._last_hidden(idx)[0]

    def _last_hidden(self, idx: torch.Tensor, trace: bool = False,
                     cache: KVCache | None = None) -> tuple[torch.Tensor, list[dict]]:
        if not isinstance(idx, torch.Tensor):
            raise TypeError(f"idx must be a torch.Tensor of token ids (batch, time), got {type(idx).__name__}; "
                            "e.g. torch.tensor([ids]).")
        if idx.dim() != 2 or idx.dtype not in (torch.int64, torch.int32):
            raise ValueError(f"idx must be integer token ids of shape (batch, time), got {idx.dtype} "
                             f"{tuple(idx.shape)}; wrap one sequence as idx[None].")
        lowest, highest = (int(idx.min()), int(idx.max())) if idx.numel() else (0, 0)
        if not 0 <= lowest <= highest < self.config.vocab_size:
            bad = highest if highest >= self.config.vocab_size else lowest
            raise ValueError(f"idx holds token id {bad}, outside this model's vocabulary (0..{self.config.vocab_size - 1}); "
                             "encode with the tokenizer the model was built for.")
        B, T = idx.shape
        start = cache.length if cache is not None else 0
        if start + T > self.config.block_size:
            raise ValueError(f"sequence of {start + T} tokens is longer than the model's context "
                             f"(block_size={self.config.block_size}); keep the last "
                             f"{self.config.block_size} tokens: idx[:, -{self.config.block_size}:].")
        positions = torch.arange(start, start + T, device=idx.device)
        x = self.drop(self.token_embedding(idx) + self.position_embedding(positions))
        traces: list[dict] = []
        for layer, block in enumerate(self.blocks):
            layer_trace: dict | None = {} if trace else None
            x = block(x, layer_trace, cache, layer)
            if trace:
                traces.append(layer_trace)
        return self.ln_f(x), traces


# Generation feeds one token at a time, ~50 steps per answer in notebook 10's views. For a model this
# small the work of a step is mostly Python: ~50 module calls, input checks and views. The step below
# is the same computation as ``model(token, cache=cache)`` with the modules' weights used directly,
# in the same order (so the same logits, bit for bit; tests check): about 30% less time per answer.
# It runs only on a plain GPT in eval mode: a model with hooks on its modules or swapped modules
# (LoRA adapters, notebook 10) goes through ``forward``, which honours them.
_PLAIN_PARTS = (nn.ModuleList, nn.Sequential, nn.Embedding, nn.Linear, nn.LayerNorm, nn.GELU, nn.Dropout)


def _one_token_stepper(model: nn.Module):
    """For a plain GPT in eval mode, a function ``step(token, cache)`` -> last-position logits
    (batch, vocab) of one new token per row (token: (batch, 1)), extending the cache: what
    ``model(token, cache=cache)[0][:, -1]`` computes, without the module calls. Else None."""
    plain = (GPT, Block, CausalSelfAttention, *_PLAIN_PARTS)
    if type(model) is not GPT or model.training or not all(
            type(m) in plain and not (m._forward_hooks or m._forward_pre_hooks) for m in model.modules()):
        return None
    C, H = model.config.n_embd, model.config.n_head

    def norm(ln: nn.LayerNorm) -> tuple:
        return ln.normalized_shape, ln.weight, ln.bias, ln.eps

    # Looked up once per generation, not at every step (a module's attribute lookup is slow).
    layers = [(norm(b.ln1), b.attn.qkv.weight, b.attn.qkv.bias, b.attn.proj.weight, b.attn.proj.bias, norm(b.ln2),
               b.mlp[0].weight, b.mlp[0].bias, b.mlp[1].approximate, b.mlp[2].weight, b.mlp[2].bias)
              for b in model.blocks]
    tokens, positions, final, head = (model.token_embedding.weight, model.position_embedding.weight,
                                      norm(model.ln_f), model.lm_head.weight)

    def step(token: torch.Tensor, cache: KVCache) -> torch.Tensor:
        B = token.shape[0]
        x = tokens[token] + positions[cache.length]
        for layer, (ln1, w_qkv, b_qkv, w_proj, b_proj, ln2, w_fc, b_fc, approximate, w_out, b_out) in enumerate(layers):
            # (B, 1, 3C) -> q, k, v each (B, heads, 1, head_size): one token, so no transposes needed
            q, k, v = F.linear(F.layer_norm(x, *ln1), w_qkv, b_qkv).view(B, 3, H, 1, C // H).unbind(1)
            k, v = cache.append(layer, k, v)
            y = F.scaled_dot_product_attention(q, k, v).view(B, 1, C)
            x = x + F.linear(y, w_proj, b_proj)
            x = x + F.linear(F.gelu(F.linear(F.layer_norm(x, *ln2), w_fc, b_fc), approximate=approximate), w_out, b_out)
        return F.linear(F.layer_norm(x, *final), head)[:, -1]

    return step


def generate(model: GPT, idx: torch.Tensor, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, top_p: float | None = None, use_cache: bool = True,
             generator: torch.Generator | None = None, stop_id: int | None = None) -> torch.Tensor:
    """Extend idx (batch, time) by max_new_tokens sampled tokens -> (batch, time + new).

    ``stop_id``: stop early once every row has just produced this token (e.g. a newline that ends
    an answer, notebook 10); the stop token is kept.

    With ``use_cache`` each step feeds only the newest token and reuses the keys and values of
    the earlier ones (:class:`KVCache`). When the context is full, the cache restarts from the
    last half of the context (one full forward pass), because positions are absolute.
    """
    if max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must be >= 0, got {max_new_tokens}.")
    if idx.dim() != 2 or idx.shape[1] == 0:
        raise ValueError(f"idx must be (batch, time) with at least one token, got {tuple(idx.shape)}.")
    was_training = model.training
    model.eval()
    block = model.config.block_size
    step = _one_token_stepper(model) if use_cache else None
    cache, fed = None, idx
    try:
        with torch.inference_mode():  # no autograd bookkeeping at all: ~15% faster than no_grad here
            for _ in range(max_new_tokens):
                if not use_cache:
                    last = model(idx[:, -block:])[0][:, -1]
                else:
                    if cache is None or cache.length + fed.shape[1] > block:
                        keep = block if cache is None else block // 2
                        cache = KVCache(model.config.n_layer)
                        fed = idx[:, -keep:]
                    if step is not None and fed.shape[1] == 1:
                        last = step(fed, cache)
                    else:
                        last = model(fed, cache=cache)[0][:, -1]
                next_id = sample_next(last, temperature, top_k, top_p, generator)
                idx = torch.cat([idx, next_id], dim=1)
                fed = next_id
                if stop_id is not None and bool((next_id == stop_id).all()):
                    break
    finally:
        model.train(was_training)
    # A copy made outside inference mode is an ordinary tensor: the ids may go on into training (notebook 11).
    return idx.clone() if idx.is_inference() else idx
