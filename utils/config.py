"""Course-wide settings: fast mode, seeds, threads, device and paths.

Fast mode is the one switch the test command flips (``COURSE_FAST=1``). Notebooks never
read the environment themselves; they ask :func:`fast` for a size, so the same code path
runs in class (full) and in CI (fast).
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path
from typing import TypeVar

import numpy as np

T = TypeVar("T")
INTRODUCED_IN = "00"

FAST_ENV_VAR = "COURSE_FAST"
DEVICE_ENV_VAR = "COURSE_DEVICE"
THREADS_ENV_VAR = "COURSE_THREADS"
DEFAULT_THREADS = 1  # measured in benchmarks/threads.py: fastest for the course's small models, idle or loaded
DEFAULT_SEED = 0

PACKAGE_DIR = Path(__file__).resolve().parent
# In a clone of the repository the package sits next to data/, images/ and notebooks/.
# After a plain `pip install` (e.g. on Colab) it does not, and REPO_ROOT is None.
REPO_ROOT: Path | None = (
    PACKAGE_DIR.parent if (PACKAGE_DIR.parent / "pyproject.toml").is_file() else None
)


def is_fast() -> bool:
    """True when the test command asked for the small, quick version of every notebook."""
    value = os.environ.get(FAST_ENV_VAR, "").strip().lower()
    return value not in ("", "0", "false", "no", "off")


def fast(full: T, quick: T) -> T:
    """Pick a size: ``full`` in class, ``quick`` under the test command (``COURSE_FAST=1``).

    Example: ``steps = fast(2000, 60)``. Both values must have the same type, so the
    notebook runs the same code path in both modes.
    """
    if type(full) is not type(quick) and not (
        isinstance(full, (int, float)) and isinstance(quick, (int, float))
    ):
        raise TypeError(
            f"fast(full, quick) needs two values of the same kind, got {type(full).__name__} "
            f"and {type(quick).__name__}; e.g. fast(2000, 60) or fast(0.5, 0.1)."
        )
    return quick if is_fast() else full


def seed_everything(seed: int = DEFAULT_SEED) -> int:
    """Seed Python, NumPy and PyTorch so that a rerun prints the same numbers."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    import torch

    torch.manual_seed(seed)
    return seed


def set_threads(n: int | None = None) -> int:
    """Set torch's CPU threads: ``n``, else ``COURSE_THREADS``, else :data:`DEFAULT_THREADS` (one).

    The course's models are small: each step is many tiny matrix products, and handing them to
    several threads costs more than it saves, most of all on a busy laptop where another program
    holds a core (``benchmarks/threads.py`` measures it). ``COURSE_THREADS=4`` gives a bigger machine
    more.
    """
    import torch

    if n is None:
        wanted = os.environ.get(THREADS_ENV_VAR, "").strip()
        if not wanted:
            n = DEFAULT_THREADS
        elif wanted.isdigit() and int(wanted) >= 1:
            n = int(wanted)
        else:
            raise ValueError(f"{THREADS_ENV_VAR} must be a positive integer, e.g. 2, got {wanted!r}.")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"number of threads must be a positive integer, got {n!r}.")
    torch.set_num_threads(n)
    return n


def in_colab() -> bool:
    """True inside Google Colab (which installs only the package, not the repository)."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def get_device() -> str:
    """'cuda' when a GPU is present (Colab, a lab server), else 'cpu'.

    ``COURSE_DEVICE=cpu`` forces the CPU, e.g. to reproduce CI's numbers on a GPU machine.
    """
    import torch

    wanted = os.environ.get(DEVICE_ENV_VAR, "").strip().lower()
    if wanted:
        if wanted not in ("cpu", "cuda"):
            raise ValueError(f"{DEVICE_ENV_VAR} must be 'cpu' or 'cuda', got {wanted!r}.")
        if wanted == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(f"{DEVICE_ENV_VAR}=cuda but PyTorch sees no GPU; unset it to use the CPU.")
        return wanted
    return "cuda" if torch.cuda.is_available() else "cpu"


def cache_dir() -> Path:
    """A writable folder for things the course builds once and reuses (parsed corpora...)."""
    root = os.environ.get("COURSE_CACHE")
    path = Path(root) if root else Path.home() / ".cache" / "nn-course"
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """The repository's data/ folder (small files the course ships, e.g. checkpoints).

    After a plain ``pip install`` (Colab) there is no repository: then it is a cache folder
    that :func:`utils.shipped.shipped_file` fills.
    """
    if REPO_ROOT is not None:
        return REPO_ROOT / "data"
    return cache_dir() / "data"
