"""Seconds per notebook in full mode, cold and warm: ``make timings`` (``NB=12`` for one notebook).

Each notebook runs top to bottom in full mode (COURSE_FAST=0), as a class runs it, twice:

- **cold**: with a fresh, empty ``COURSE_CACHE`` (a temporary folder), as on a learner's first run:
  every cache (SmolLM2's float32 weights, embeddings, tokenizers...) is built from scratch;
- **warm**: again with the cache the cold run left.

The notebooks are executed in memory from their sources (notebooks/src) and never written, so the
committed outputs stay as they are. The table goes to docs/timings.md and into README.md (between its
timings markers); rows of notebooks not run this time are kept from the previous table. The whole course takes about an hour on 2 cores: run it
on an otherwise idle machine, timings on a shared one are inflated. ``--cells`` (e.g.
``tools/timings.py --cells 10``) also prints the slowest cells of each cold run: where the time goes; ``--cold-only`` skips the warm run.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_notebooks import NOTEBOOKS, ROOT, read_source, source_paths  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

GOAL_SECONDS = 180  # issue 20: every notebook <= 3 minutes on 2 cores from a cold cache
TABLE = ROOT / "docs" / "timings.md"
README = ROOT / "README.md"
README_START, README_END = "<!-- timings: written by make timings -->", "<!-- /timings -->"
ROW = re.compile(r"^\| (\d\d)_\S+ \|")


def slowest_cells(nb, count: int = 6) -> list[tuple[float, int, str]]:
    """(seconds, cell index, first line) of the ``count`` slowest code cells of an executed notebook,
    from the timestamps nbclient records in each cell's metadata."""
    rows = []
    for index, cell in enumerate(nb.cells):
        stamps = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
            seconds = (datetime.fromisoformat(stamps["shell.execute_reply"].replace("Z", "+00:00"))
                       - datetime.fromisoformat(stamps["iopub.execute_input"].replace("Z", "+00:00"))).total_seconds()
            rows.append((seconds, index, cell.source.strip().splitlines()[0][:80] if cell.source.strip() else ""))
    return sorted(rows, reverse=True)[:count]


def run_once(path: Path, cache: str, timeout: int = 1800, cells: bool = False) -> float:
    """Seconds to execute the notebook in full mode with ``COURSE_CACHE=cache`` (the kernel inherits it).
    ``cells``: also print the slowest cells (where the time goes)."""
    saved = {key: os.environ.get(key) for key in ("COURSE_FAST", "COURSE_CACHE")}
    os.environ.update(COURSE_FAST="0", COURSE_CACHE=cache)
    start = time.perf_counter()
    try:
        nb = NotebookClient(read_source(path), timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    seconds = time.perf_counter() - start
    if cells:
        for cell_seconds, index, first_line in slowest_cells(nb):
            print(f"    {cell_seconds:6.1f} s  cell {index:3d}  {first_line}", flush=True)
    return seconds


def previous_rows() -> dict[str, str]:
    if not TABLE.is_file():
        return {}
    return {m.group(1): line for line in TABLE.read_text().splitlines() if (m := ROW.match(line))}


def write_table(rows: dict[str, str]) -> None:
    import torch

    from utils.files import atomic_write_text

    header = [
        "# Notebook timings (full mode)",
        "",
        "Written by `make timings` (tools/timings.py): each notebook executed top to bottom in full mode,",
        "first from a fresh, empty `COURSE_CACHE` (cold), then again with that cache (warm).",
        f"Goal (issue 20): every notebook ≤ {GOAL_SECONDS} s cold on 2 cores. Last run: "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, {platform.machine()}, "
        f"torch {torch.__version__}, load average {os.getloadavg()[0]:.1f} at the end "
        "(a shared machine inflates every number).",
        "",
        "| notebook | cold (s) | warm (s) | ≤ 180 s cold | load average (start) |",
        "|---|---:|---:|:---:|---:|",
    ]
    TABLE.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(TABLE, "\n".join(header + [rows[k] for k in sorted(rows)]) + "\n")
    # The README shows the same table between two markers (the issue asks for it there).
    text = README.read_text()
    if README_START in text and README_END in text:
        before, rest = text.split(README_START, 1)
        after = rest.split(README_END, 1)[1]
        block = [header[4].replace("Last run: ", "Measured "), "", *header[-2:], *(rows[k] for k in sorted(rows))]
        atomic_write_text(README, before + README_START + "\n" + "\n".join(block) + "\n" + README_END + after)


def main() -> int:
    args = sys.argv[1:]
    cells = "--cells" in args  # print the slowest cells of each cold run
    cold_only = "--cold-only" in args  # skip the warm run (a quick look; the table keeps its warm column empty)
    selected = [a for a in args if not a.startswith("--")] or None
    paths = source_paths(selected)
    if not paths:
        print(f"no notebook matches {selected}; give numbers such as 12 or 01 02")
        return 2
    rows = previous_rows()
    for path in paths:
        cache = tempfile.mkdtemp(prefix="course-cold-cache-")
        load = os.getloadavg()[0]
        try:
            cold = run_once(path, cache, cells=cells)
            warm = None if cold_only else run_once(path, cache)
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        verdict = "✓" if cold <= GOAL_SECONDS else "✗"
        warm_text = "–" if warm is None else f"{warm:.0f}"
        rows[path.name[:2]] = f"| {path.stem} | {cold:.0f} | {warm_text} | {verdict} | {load:.1f} |"
        print(f"{path.stem}: cold {cold:.0f} s, warm {warm_text} s ({verdict} goal ≤ {GOAL_SECONDS} s cold; "
              f"load average at start {load:.1f})", flush=True)
        write_table(rows)  # after each notebook: an interrupted run keeps what it measured
    print(f"table: {TABLE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
