"""Writing files so that a crash, a full disk or a second kernel can never leave a half-written one.

Every file the course writes (checkpoints, training states, caches) goes through :func:`atomic_write`:
the bytes go to a *unique* temporary name in the same folder, are flushed to disk, and then
``os.replace`` swaps the new file in with one rename. A reader sees either the old file or the
new one, never a mixture; two processes writing the same file at once both succeed (the last
rename wins, and both wrote the same content); and a program that memory-maps the old file keeps
its mapping, because the old file is replaced, not truncated in place.

:func:`sha256_file` and :func:`sampled_sha256` give the checksums that caches store beside their
data, so a flipped byte is caught when the file is read back.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

INTRODUCED_IN = "00"


def check_writable(folder: str | Path, what: str = "files") -> Path:
    """Make ``folder`` (and its parents) and check that we can write there, *before* any long work.

    Raises ``PermissionError`` naming the folder and what to do (set ``COURSE_CACHE`` or pick
    another path) instead of failing after minutes of training.
    """
    folder = Path(folder).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise PermissionError(
            f"Cannot write {what} in {folder} ({type(err).__name__}: {err.strerror or err}). "
            "Pick a folder you can write to (for caches: set COURSE_CACHE=/some/writable/folder)."
        ) from err
    return folder


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Open a unique temporary file next to ``path``; on success rename it onto ``path``.

    On any exception (including Ctrl-C) the temporary file is removed and ``path`` keeps its old
    content. ``mode`` is ``"wb"`` or ``"w"`` (text, then ``encoding`` defaults to UTF-8).
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write mode must be 'wb' or 'w', got {mode!r}.")
    path = Path(path)
    folder = check_writable(path.parent)
    # mkstemp gives a name no other process uses (pid + random), so parallel writers never collide.
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, encoding=(encoding or "utf-8") if mode == "w" else None) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)  # mkstemp makes 0600 files; a cache or checkpoint is shared like any file
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    with atomic_write(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def atomic_write_text(path: str | Path, text: str) -> Path:
    with atomic_write(path, "w") as handle:
        handle.write(text)
    return Path(path)


def atomic_save(path: str | Path, writer: Callable[[str], object]) -> Path:
    """For libraries that write to a *file name* (``safetensors.save_file``, ``tokenizer.save``):
    ``writer(tmp_name)`` writes a unique temporary name, which then replaces ``path``."""
    path = Path(path)
    folder = check_writable(path.parent)
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        writer(tmp_name)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return path


def torch_save(obj: object, path: str | Path) -> Path:
    """``torch.save`` through :func:`atomic_write`."""
    import torch

    with atomic_write(path, "wb") as handle:
        torch.save(obj, handle)
    return Path(path)


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a whole file (hex). For files of a few MB: about 10 ms."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sampled_sha256(path: str | Path, samples: int = 64, block: int = 64 * 1024) -> str:
    """SHA-256 of the size and of ``samples`` evenly spaced blocks of a big file (hex).

    For the 540 MB SmolLM2 cache hashing everything would add about a second to every load; this
    reads 4 MB (the start, the end, and blocks between), so it catches a truncated or
    overwritten file and the header, but not every single flipped byte far from a sample.
    """
    size = os.path.getsize(path)
    digest = hashlib.sha256(str(size).encode())
    with open(path, "rb") as handle:
        if size <= samples * block:
            digest.update(handle.read())
        else:
            for i in range(samples):
                handle.seek((size - block) * i // (samples - 1))
                digest.update(handle.read(block))
    return digest.hexdigest()
