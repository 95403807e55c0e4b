"""Compare the numbers in two executions of the notebooks: the committed outputs at a git ref
(e.g. ``main``) and the working tree's. Prints, per notebook, every code cell whose text output
(streams and text/plain) differs, as a unified diff, so a reviewer can tell timings (expected to
move) from losses and accuracies (expected to stay).

    .venv/bin/python tools/compare_outputs.py main [NN ...]
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
TIMING = re.compile(r"(\d+(\.\d+)?\s*(ms|s|seconds|tokens/s|it/s|s/it|min)\b|elapsed|took|/s\b)", re.I)


def text_outputs(nb: dict) -> list[tuple[str, str]]:
    """(first source line, text output) per code cell."""
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        parts = []
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream":
                parts.append("".join(out["text"]))
            elif "data" in out and "text/plain" in out["data"] and "image/png" not in out["data"]:
                parts.append("".join(out["data"]["text/plain"]))
        source = "".join(cell["source"]).strip().split("\n")[0][:70]
        cells.append((source, "".join(parts)))
    return cells


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("ref")
    parser.add_argument("numbers", nargs="*")
    args = parser.parse_args()
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if args.numbers:
        paths = [p for p in paths if p.name[:2] in args.numbers]
    for path in paths:
        rel = path.relative_to(ROOT).as_posix()
        old_text = subprocess.run(["git", "show", f"{args.ref}:{rel}"], capture_output=True, text=True, cwd=ROOT)
        if old_text.returncode:
            print(f"== {path.name}: not at {args.ref}")
            continue
        old, new = text_outputs(json.loads(old_text.stdout)), text_outputs(json.loads(path.read_text()))
        print(f"== {path.name}: {len(old)} code cells at {args.ref}, {len(new)} now")
        matcher = difflib.SequenceMatcher(a=[s for s, _ in old], b=[s for s, _ in new], autojunk=False)
        for a, b, size in matcher.get_matching_blocks():
            for i in range(size):
                (source, before), (_, after) = old[a + i], new[b + i]
                if before == after:
                    continue
                diff = [d for d in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
                        if not d.startswith(("---", "+++", "@@"))]
                kind = "timing only" if all(TIMING.search(d) for d in diff) else "NUMBERS/TEXT"
                print(f"-- cell '{source}' [{kind}]")
                for d in diff[:12]:
                    print("   " + d[:160])


if __name__ == "__main__":
    main()
