"""Small files from the repository's data/ folder, wherever the course runs.

In a clone of the repository the file is simply there and nothing is ever downloaded. On Colab,
which installs only the package, :func:`shipped_file` copies it once from the course repository
into the cache. This is the only module that may touch the network, and only on Colab.
"""

from __future__ import annotations

from pathlib import Path

from . import config

INTRODUCED_IN = "00"

COURSE_REPO = "https://github.com/nn-course/nn-course"
COURSE_RAW_DATA = "https://raw.githubusercontent.com/nn-course/nn-course/main/data/"


def shipped_file(name: str) -> Path:
    """Path of a small file from the repository's data/ folder, e.g. ``"shakespeare_gpt.pt"``."""
    path = config.data_dir() / name
    if path.exists() or config.REPO_ROOT is not None:
        return path
    if not config.in_colab():
        raise FileNotFoundError(
            f"{name} ships in the course repository's data/ folder, which this installation lacks. "
            f"Clone the repository ({COURSE_REPO}) and run `make lab` there."
        )
    import os
    import tempfile
    import urllib.request

    path.parent.mkdir(parents=True, exist_ok=True)
    # A unique temporary name (two kernels may race), renamed only once the download is complete.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.", suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        urllib.request.urlretrieve(COURSE_RAW_DATA + name, tmp)  # Colab only: its package came from there too
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
