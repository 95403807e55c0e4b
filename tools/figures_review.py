"""A contact sheet of every saved picture in the course, to review them all at a glance.

For each notebook, in order, it takes every PNG the committed .ipynb holds (static figures and the
pictures live views save for GitHub) and puts it on one HTML page beside the markdown cell just
before it (what the learner reads before looking) and the code that drew it. Read the page as a
designer of teaching material would: does the picture show what the text says it shows? Is every
axis labelled, with units? Is anything cut off, blank, or still in its starting state? The
checklist in README's "For contributors" section lists what to look for; tests/test_saved_figures.py
checks the parts a program can (blank pictures, views saved before they had anything to show,
sharpness).

    python tools/figures_review.py                  # writes build/figures-review.html
    python tools/figures_review.py --out sheet.html 04 05
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from utils.files import atomic_write_bytes  # noqa: E402 - after the path is set

NOTEBOOKS = ROOT / "notebooks"
DEFAULT_OUT = ROOT / "build" / "figures-review.html"


@dataclass
class SavedPicture:
    """One PNG output of a committed notebook, with what surrounds it."""

    notebook: str
    cell_index: int  # index of the code cell in the .ipynb
    png_base64: str
    description: str  # the output's text/plain: "<Figure size …>" or the view's class name
    display_width: int | None  # the width the notebook shows it at (retina pictures carry it)
    markdown_before: str
    code: str


def _text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else value


def saved_pictures(path: Path) -> list[SavedPicture]:
    """Every PNG output of the notebook at ``path``, in order, with the markdown cell before it."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    pictures = []
    markdown_before = ""
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "markdown":
            source = _text(cell["source"])
            if not source.lstrip().startswith("> 🗣"):  # speaker notes are not what learners read
                markdown_before = source
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" not in data:
                continue
            size = output.get("metadata", {}).get("image/png", {})
            pictures.append(SavedPicture(
                notebook=path.stem, cell_index=index, png_base64=_text(data["image/png"]).replace("\n", ""),
                description=_text(data.get("text/plain", "")), display_width=size.get("width"),
                markdown_before=markdown_before, code=_text(cell["source"])))
    return pictures


PAGE_STYLE = """
body { font-family: sans-serif; margin: 24px; color: #222; }
h2 { border-top: 2px solid #888; padding-top: 12px; }
.picture { display: flex; gap: 24px; margin: 18px 0; padding-bottom: 18px; border-bottom: 1px solid #ddd; }
.text { width: 420px; flex: none; font-size: 13px; }
.text pre { white-space: pre-wrap; background: #f6f6f6; padding: 6px; max-height: 220px; overflow: auto; }
.text details pre { background: #eef; }
.where { color: #666; font-size: 12px; }
img { border: 1px solid #ccc; align-self: flex-start; }
"""


def render_page(pictures: list[SavedPicture]) -> str:
    """One HTML page: a section per notebook, a row per picture (text on the left, picture right)."""
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>Saved figures</title>",
             f"<style>{PAGE_STYLE}</style></head><body>",
             f"<h1>Every saved picture of the course ({len(pictures)})</h1>",
             "<p>Markdown before each picture on the left, the picture as the notebook shows it on the right."
             " Checklist: README, <i>For contributors</i>.</p>"]
    notebook = None
    for picture in pictures:
        if picture.notebook != notebook:
            notebook = picture.notebook
            parts.append(f"<h2 id='{html.escape(notebook)}'>{html.escape(notebook)}</h2>")
        width = f" width='{picture.display_width}'" if picture.display_width else ""
        parts.append(
            "<div class='picture'><div class='text'>"
            f"<div class='where'>{html.escape(picture.notebook)} · cell {picture.cell_index} · "
            f"{html.escape(picture.description)}</div>"
            f"<pre>{html.escape(picture.markdown_before)}</pre>"
            f"<details><summary>code</summary><pre>{html.escape(picture.code)}</pre></details></div>"
            f"<img{width} src='data:image/png;base64,{picture.png_base64}'></div>")
    parts.append("</body></html>")
    return "\n".join(parts)


def notebook_paths(prefixes: list[str]) -> list[Path]:
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if prefixes:
        paths = [p for p in paths if any(p.name.startswith(prefix) for prefix in prefixes)]
    if not paths:
        raise SystemExit(f"no notebook in {NOTEBOOKS} matches {prefixes}")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="number prefixes (e.g. 04 05); all when none")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"HTML page to write (default {DEFAULT_OUT})")
    args = parser.parse_args()
    pictures = [picture for path in notebook_paths(args.notebooks) for picture in saved_pictures(path)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(args.out, render_page(pictures).encode("utf-8"))
    print(f"{len(pictures)} pictures from {len({p.notebook for p in pictures})} notebooks -> {args.out}")


if __name__ == "__main__":
    main()
