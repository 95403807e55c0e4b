"""The compiled int8 kernel (utils/int8_gemv.c through utils.int8_kernel) and its use by Int8Linear.

It must give the dequantized product for any shape, be built once and reused, rebuild a damaged
file, and fall back to PyTorch's path with a one-line reason wherever it cannot be built."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from utils import i18n, int8_kernel, llama
from utils.int8_kernel import int8_gemv, int8_kernel_status, load_int8_gemv
from utils.llama import Int8Linear, Llama, LlamaConfig, generate, quantize_int8

needs_kernel = pytest.mark.skipif(load_int8_gemv() is None, reason=f"no int8 kernel here: {int8_kernel_status()}")


@pytest.fixture
def fresh_kernel(monkeypatch, tmp_path):
    """An empty course cache and no remembered kernel; both restored afterwards."""
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path))
    load_int8_gemv.cache_clear()
    yield tmp_path
    load_int8_gemv.cache_clear()


def _cpu_has_avx2() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " avx2" in flags and " fma" in flags


@pytest.mark.skipif(int8_kernel._compiler() is None or not _cpu_has_avx2(), reason="needs a C compiler and AVX2")
def test_the_kernel_builds_and_passes_its_self_test_where_it_can():
    # the tests below skip without the kernel: here (CI, the course's machines) it must be there
    assert load_int8_gemv() is not None, int8_kernel_status()


@needs_kernel
@pytest.mark.parametrize("out_features, in_features", [(1, 1), (3, 7), (5, 8), (4, 33), (7, 64), (13, 100), (9, 576)])
def test_the_kernel_equals_the_dequantized_product_for_any_shape(out_features, in_features):
    generator = torch.Generator().manual_seed(out_features * 1000 + in_features)
    q = torch.randint(-127, 128, (out_features, in_features), dtype=torch.int8, generator=generator)
    scale, x = torch.rand(out_features, generator=generator), torch.randn(in_features, generator=generator)
    reference = (q.double() @ x.double()) * scale.double()
    out = int8_gemv(x, q, scale)
    assert out.shape == (out_features,) and out.dtype == torch.float32
    assert (out.double() - reference).abs().max() <= 1e-5 * (q.double().abs() @ x.double().abs() * scale).max()


@needs_kernel
def test_the_kernel_reads_each_row_of_a_big_matrix_once_and_in_order():
    # rows that differ only in one weight: a row read twice or skipped would show
    q = torch.zeros(300, 576, dtype=torch.int8)
    q[torch.arange(300), torch.arange(300) % 576] = torch.arange(300, dtype=torch.int64).remainder(127).to(torch.int8)
    out = int8_gemv(torch.ones(576), q, torch.ones(300))
    assert out.tolist() == [float(i % 127) for i in range(300)]


def test_int8_gemv_explains_wrong_arguments():
    if load_int8_gemv() is None:
        with pytest.raises(RuntimeError, match="not available here"):
            int8_gemv(torch.ones(3), torch.ones(2, 3, dtype=torch.int8), torch.ones(2))
        return
    with pytest.raises(ValueError, match=r"contiguous 2-D int8 CPU tensor, got torch.float32 \(2, 3\)"):
        int8_gemv(torch.ones(3), torch.ones(2, 3), torch.ones(2))
    with pytest.raises(ValueError, match=r"x must be \(3,\) and scale \(2,\) for q of shape \(2, 3\), got \(4,\) and \(2,\)"):
        int8_gemv(torch.ones(4), torch.ones(2, 3, dtype=torch.int8), torch.ones(2))
    with pytest.raises(ValueError, match="contiguous"):
        int8_gemv(torch.ones(2), torch.ones(2, 3, dtype=torch.int8).T, torch.ones(3))


@needs_kernel
def test_int8_linear_uses_the_kernel_for_one_row_and_matches_the_dequantized_layer(monkeypatch):
    torch.manual_seed(0)
    layer = Int8Linear(torch.randn(40, 24) * torch.logspace(-2, 1, 40)[:, None])
    assert layer.gemv is not None
    calls = []
    real = llama.int8_gemv_unchecked
    monkeypatch.setattr(llama, "int8_gemv_unchecked", lambda *a: calls.append(a[1].shape) or real(*a))
    for x in (torch.randn(1, 1, 24), torch.randn(24)):
        out = layer(x)
        exact = x.double() @ layer.dequantized().double().T
        assert out.shape == x.shape[:-1] + (40,) and out.dtype == torch.float32
        assert (out.double() - exact).abs().max() < 1e-5 * exact.abs().max()
    assert len(calls) == 2
    layer(torch.randn(2, 24))  # several rows (a prompt): PyTorch's path
    layer(torch.randn(24).double())  # not float32: PyTorch's path, in the input's dtype
    layer(torch.randn(48)[::2])  # not contiguous
    assert len(calls) == 2


@needs_kernel
def test_a_quantized_model_generates_the_same_text_with_and_without_the_kernel():
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, dim=32, n_layers=2, n_heads=4, n_kv_heads=2, hidden_dim=48, max_seq_len=64)
    model = quantize_int8(Llama(config).eval())
    with_kernel = list(generate(model, [1, 5, 9], 20))
    layers = [m for m in model.modules() if isinstance(m, Int8Linear)]
    assert all(m.gemv is not None for m in layers)
    for m in layers:
        m.gemv = None
    assert list(generate(model, [1, 5, 9], 20)) == with_kernel


def test_the_kernel_is_built_once_then_loaded_from_the_cache(fresh_kernel, monkeypatch):
    if int8_kernel._compiler() is None:
        pytest.skip("no C compiler")
    library = load_int8_gemv()
    if library is None:
        pytest.skip(int8_kernel_status())
    built = list((fresh_kernel / "kernels").glob("int8_gemv-*.so"))
    assert len(built) == 1 and "compiled AVX2 kernel" in int8_kernel_status()
    assert not list((fresh_kernel / "kernels").glob(".*tmp"))  # no temporary file left behind
    load_int8_gemv.cache_clear()
    monkeypatch.setattr(int8_kernel, "_compile", lambda *a: pytest.fail("compiled again"))
    assert load_int8_gemv() is not None  # from the cache


def test_a_damaged_kernel_file_in_the_cache_is_built_again(fresh_kernel):
    compiler = int8_kernel._compiler()
    if compiler is None:
        pytest.skip("no C compiler")
    path = int8_kernel._library_path(compiler)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"half a library")
    library = load_int8_gemv()
    if library is None and "AVX2" in int8_kernel_status():
        pytest.skip(int8_kernel_status())
    assert library is not None and path.read_bytes()[:4] == b"\x7fELF"


@pytest.mark.parametrize("reason", ["COURSE_INT8_KERNEL=0", "no C compiler found", "wrong results"])
def test_without_the_kernel_the_layer_keeps_pytorchs_path_and_says_why(fresh_kernel, monkeypatch, reason):
    if reason == "COURSE_INT8_KERNEL=0":
        monkeypatch.setenv(int8_kernel.ENV_SWITCH, "0")
    elif reason == "no C compiler found":
        monkeypatch.setattr(int8_kernel, "_compiler", lambda: None)
    else:
        if int8_kernel._compiler() is None:
            pytest.skip("no C compiler")
        monkeypatch.setattr(int8_kernel, "_self_test", lambda library: False)
    assert load_int8_gemv() is None
    assert reason in int8_kernel_status() and "PyTorch's int8 path" in int8_kernel_status()
    layer = Int8Linear(torch.randn(8, 16))
    assert layer.gemv is None
    x = torch.randn(1, 1, 16)
    reference = x @ layer.dequantized().T  # PyTorch's kernel rounds the input to bfloat16: 3 digits
    assert (layer(x) - reference).abs().max() < 2e-2 * reference.abs().max()


def test_a_compiler_error_is_reported_and_leaves_no_file(fresh_kernel, monkeypatch, tmp_path):
    if int8_kernel._compiler() is None:
        pytest.skip("no C compiler")
    broken = tmp_path / "broken.c"
    broken.write_text("this is not C\n")
    monkeypatch.setattr(int8_kernel, "SOURCE", broken)
    assert load_int8_gemv() is None
    assert "could not build the int8 kernel" in int8_kernel_status() and "PyTorch's int8 path" in int8_kernel_status()
    assert not list((fresh_kernel / "kernels").iterdir())  # neither a library nor a temporary file


def test_the_cached_file_name_changes_with_the_source(fresh_kernel, monkeypatch, tmp_path):
    compiler = int8_kernel._compiler()
    if compiler is None:
        pytest.skip("no C compiler")
    before = int8_kernel._library_path(compiler)
    edited = tmp_path / "int8_gemv.c"
    edited.write_text(int8_kernel.SOURCE.read_text() + "\n/* edited */\n")
    monkeypatch.setattr(int8_kernel, "SOURCE", edited)
    assert int8_kernel._library_path(compiler) != before  # an edited kernel is never confused with the old build


def test_last_only_gives_the_last_positions_logits():
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, dim=32, n_layers=2, n_heads=4, n_kv_heads=2, hidden_dim=48, max_seq_len=64)
    model = Llama(config).eval()
    tokens = torch.tensor([[1, 5, 9, 2, 7], [3, 3, 8, 1, 0]])
    with torch.no_grad():
        full, last = model(tokens), model(tokens, last_only=True)
    assert last.shape == (2, 1, 64)
    assert torch.allclose(last[:, 0], full[:, -1], atol=1e-5)


def test_the_status_line_speaks_the_notebooks_language(fresh_kernel, monkeypatch):
    monkeypatch.setattr(int8_kernel, "_compiler", lambda: None)
    load_int8_gemv()
    with i18n.speaking("ru"):
        assert "компилятор" in int8_kernel_status()
    assert "no C compiler found" in int8_kernel_status()


@pytest.mark.parametrize("rows", [1, 3])
def test_an_input_that_needs_its_gradient_gets_it(rows):
    layer = Int8Linear(torch.randn(12, 40))
    x = torch.randn(1, rows, 40, requires_grad=True)
    layer(x).sum().backward()
    assert x.grad is not None
    assert torch.allclose(x.grad, layer.dequantized().sum(0).expand(1, rows, 40), atol=1e-5)
