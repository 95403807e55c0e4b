"""A small compiled kernel for int8 weights times one float32 vector (notebook 12's int8 speed).

A one-token step of a language model multiplies one vector by every weight matrix, reading each
weight once: its speed is set by memory, so storing weights in 1 byte instead of 4 should make it
up to 4× faster. PyTorch's CPU kernels do not deliver that for one vector (its weight-only int8
kernel first rounds the input to bfloat16 and was no faster than float32 on the course's 2-core
machine), so, like llama.cpp, we use a hand-written loop: ``utils/int8_gemv.c`` (about 60 lines of
C with AVX2 instructions, read it). It is compiled once with the machine's C compiler into the
course cache and called through :mod:`ctypes`.

:func:`int8_gemv` is what :class:`utils.llama.Int8Linear` calls for a single input row; where the
kernel cannot be built (no C compiler, a CPU without AVX2, an ARM Mac, ``COURSE_INT8_KERNEL=0``),
:func:`load_int8_gemv` returns ``None`` and the layer keeps PyTorch's path: same results, no speed-up.
:func:`int8_kernel_status` says which, in one line.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

import torch

from .config import cache_dir
from .i18n import t

INTRODUCED_IN = "12"

SOURCE = Path(__file__).resolve().parent / "int8_gemv.c"
ENV_SWITCH = "COURSE_INT8_KERNEL"  # "0" turns the compiled kernel off (PyTorch's path instead)
_status: tuple[str, dict] = ("not_loaded", {})  # a key of utils/locales/*/llm.json, its fields


def _compiler() -> str | None:
    for name in (os.environ.get("CC", ""), "cc", "gcc", "clang"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _library_path(compiler: str) -> Path:
    """Where the compiled kernel is cached: the name changes with the source, the compiler and the CPU
    type, so an edited ``int8_gemv.c`` or another machine sharing the cache gets its own build."""
    version = subprocess.run([compiler, "--version"], capture_output=True, text=True, timeout=30).stdout
    key = hashlib.sha256(SOURCE.read_bytes() + version.encode() + platform.machine().encode()).hexdigest()[:16]
    return cache_dir() / "kernels" / f"int8_gemv-{key}.so"


def _compile(compiler: str, target: Path) -> None:
    """Compile to a temporary name, then rename: a half-written library is never loaded."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        # no -march flag: only the AVX2 function is compiled for AVX2 (its target attribute), so the
        # library loads on any x86-64 CPU and int8_gemv_has_avx2() can say no.
        done = subprocess.run([compiler, "-O3", "-shared", "-fPIC", "-o", tmp, str(SOURCE)],
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise OSError(f"{Path(compiler).name} failed: {done.stderr.strip()[-300:]}")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _self_test(library: ctypes.CDLL) -> bool:
    """The kernel on a small odd-sized matrix equals the same product done by PyTorch. 77 inputs
    = 2 × 32 + 8 + 5: every loop of the C code (32, 8 and 1 at a time) takes part."""
    generator = torch.Generator().manual_seed(0)
    q = torch.randint(-127, 128, (7, 77), dtype=torch.int8, generator=generator)
    scale, x = torch.rand(7, generator=generator), torch.randn(77, generator=generator)
    out = torch.empty(7)
    library.int8_gemv(x.data_ptr(), q.data_ptr(), scale.data_ptr(), out.data_ptr(), 77, 7)
    return torch.allclose(out, (q.float() @ x) * scale, rtol=1e-5, atol=1e-4)


@functools.lru_cache(maxsize=1)
def load_int8_gemv() -> ctypes.CDLL | None:
    """The compiled kernel (built on first use, ~1 s, then loaded from the cache), or ``None``."""
    global _status
    if os.environ.get(ENV_SWITCH, "").strip() == "0":
        _status = ("off", {"switch": ENV_SWITCH})
        return None
    compiler = _compiler()
    if compiler is None or not SOURCE.exists():
        _status = ("no_compiler", {})
        return None
    try:
        path = _library_path(compiler)
        if not path.exists():
            _compile(compiler, path)
        try:
            library = ctypes.CDLL(str(path))
        except OSError:  # a damaged file in the cache: build it again
            _compile(compiler, path)
            library = ctypes.CDLL(str(path))
        library.int8_gemv_has_avx2.restype = ctypes.c_int
        library.int8_gemv.restype = None
        library.int8_gemv.argtypes = [ctypes.c_void_p] * 4 + [ctypes.c_int64] * 2
        if not library.int8_gemv_has_avx2():
            _status = ("no_avx2", {})
            return None
        if not _self_test(library):
            _status = ("wrong_results", {})
            return None
    except (OSError, subprocess.SubprocessError, PermissionError) as err:
        _status = ("build_failed", {"error": err})
        return None
    _status = ("compiled", {"file": path.name})
    return library


def int8_kernel_status() -> str:
    """One line: which int8 path is used, and why."""
    load_int8_gemv()
    key, fields = _status
    return t(f"llm.int8_{key}", **fields)


def int8_gemv(x: torch.Tensor, q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """``(q.float() @ x) * scale`` for one float32 vector x (in_features,), int8 weights q
    (out_features, in_features) and float32 scales (out_features,), without widening q in memory.

    Raises ``RuntimeError`` where the kernel is not available (check :func:`load_int8_gemv` first).
    """
    library = load_int8_gemv()
    if library is None:
        raise RuntimeError(f"The int8 kernel is not available here ({int8_kernel_status()}).")
    if q.dtype != torch.int8 or q.dim() != 2 or not q.is_contiguous() or q.device.type != "cpu":
        raise ValueError(f"q must be a contiguous 2-D int8 CPU tensor, got {q.dtype} {tuple(q.shape)}.")
    out_features, in_features = q.shape
    if x.shape != (in_features,) or scale.shape != (out_features,):
        raise ValueError(f"x must be ({in_features},) and scale ({out_features},) for q of shape "
                         f"{tuple(q.shape)}, got {tuple(x.shape)} and {tuple(scale.shape)}.")
    return int8_gemv_unchecked(library, x.detach().to(torch.float32).contiguous(), q,
                               scale.detach().to(torch.float32).contiguous())


def int8_gemv_unchecked(library: ctypes.CDLL, x: torch.Tensor, q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """:func:`int8_gemv` without its checks, for callers that made sure of them (a one-token step
    makes ~200 calls, and checking each argument costs more than the multiplication of a small matrix):
    x contiguous float32 (..., in_features) holding one row, q contiguous int8, scale contiguous float32,
    all on the CPU. Returns (..., out_features)."""
    out = torch.empty((*x.shape[:-1], q.shape[0]))
    library.int8_gemv(x.data_ptr(), q.data_ptr(), scale.data_ptr(), out.data_ptr(), q.shape[1], q.shape[0])
    return out
