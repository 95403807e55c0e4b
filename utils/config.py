"""Course-wide settings: fast mode, seeds, threads, device and paths.

Fast mode is the one switch the test command flips (``COURSE_FAST=1``). Notebooks never
read the environment themselves; they ask :func:`fast` for a size, so the same code path
runs in class (full) and in CI (fast).
"""

from __future__ import annotations

import os
import random
import sys
import warnings
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


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


def env_flag(name: str, unknown: bool = False) -> bool:
    """Read an on/off setting from the environment, the one way every course setting is parsed.

    ``1/true/yes/on`` mean on, ``0/false/no/off`` or unset mean off (any case, spaces ignored).
    Anything else (``full``, ``-1``...) is a typo: warn and use ``unknown``, so a misspelt setting is
    seen instead of silently meaning the opposite.
    """
    raw = os.environ.get(name, "")
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    warnings.warn(f"{name}={raw!r} is not understood; use {name}=1 (on) or {name}=0 (off). "
                  f"Treating it as {'on' if unknown else 'off'}.", stacklevel=3)
    return unknown


def env_threads(name: str = "OMP_NUM_THREADS") -> int | None:
    """A thread count from the environment (a positive integer), None when unset; warn on anything else."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    if raw.isdigit() and int(raw) >= 1:
        return int(raw)
    warnings.warn(f"{name}={raw!r} is not a positive whole number; ignoring it (e.g. {name}=2).", stacklevel=3)
    return None


def is_fast() -> bool:
    """True when the test command asked for the small, quick version of every notebook."""
    return env_flag(FAST_ENV_VAR)


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
    """Set torch's CPU threads: ``n``, else ``COURSE_THREADS``, else the user's ``OMP_NUM_THREADS``,
    else :data:`DEFAULT_THREADS` (one).

    The course's models are small: each step is many tiny matrix products, and handing them to
    several threads costs more than it saves, most of all on a busy laptop where another program
    holds a core (``benchmarks/threads.py`` measures it). ``COURSE_THREADS=4`` gives a bigger machine
    more.
    """
    import torch

    if n is None:  # a typo in either setting is warned about and ignored, like every course setting
        n = env_threads(THREADS_ENV_VAR) or env_threads("OMP_NUM_THREADS") or DEFAULT_THREADS
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
    root = os.environ.get("COURSE_CACHE", "").strip()
    # expanduser: COURSE_CACHE=~/x must mean the home folder, not a folder literally named "~"
    path = Path(os.path.expandvars(root)).expanduser().resolve() if root else Path.home() / ".cache" / "nn-course"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise PermissionError(f"Cannot create the course cache folder {path} ({err.strerror or err}). "
                              "Set COURSE_CACHE to a folder you can write to.") from err
    return path


def data_dir() -> Path:
    """The repository's data/ folder (small files the course ships, e.g. checkpoints).

    After a plain ``pip install`` (Colab) there is no repository: then it is a cache folder
    that :func:`utils.shipped.shipped_file` fills.
    """
    if REPO_ROOT is not None:
        return REPO_ROOT / "data"
    return cache_dir() / "data"
