"""Build the course notebooks from their jupytext sources and execute them.

    notebooks/src/NN_name.py     --(jupytext, execute with nbclient)-->  notebooks/NN_name.ipynb
    notebooks/src/ru/NN_name.py  --(the same, in Russian)-->              notebooks/ru/NN_name.ipynb

The .py files are what authors edit and reviewers read; the executed .ipynb files are what
learners open (in JupyterLab, in Colab, on GitHub). Usage:

    python tools/build_notebooks.py                 # all notebooks, full mode (what `make execute` runs)
    python tools/build_notebooks.py 01 03           # only these
    python tools/build_notebooks.py --fast          # quick check run (COURSE_FAST=1)
    python tools/build_notebooks.py --check         # only verify each .ipynb matches its .py
    python tools/build_notebooks.py --keep-outputs  # prose-only edits: rebuild without executing
    python tools/build_notebooks.py --lang ru 01    # the Russian edition (--lang all: every language)

`--keep-outputs` is for edits that cannot change what the code prints (markdown, comments): it
rebuilds each .ipynb from its .py and keeps the saved outputs of every code cell, and refuses (so
you run the notebook for real) when any code cell's syntax tree differs from the saved one.

A diagram the source shows as `![alt](../images/<name>.png)` is stored in the .ipynb as a cell
attachment (`![alt](attachment:<name>.png)`), so the notebook shows it in Colab and when downloaded
alone; after redrawing a diagram, rebuild the notebooks that show it (`--keep-outputs` will do).
"""

from __future__ import annotations

import argparse
import ast
import base64
import os
import re
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

from utils import i18n
from utils.config import FAST_ENV_VAR

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOURCES = NOTEBOOKS / "src"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


# ---- Languages: English sources in src/, each translation in src/<lang>/ (built to notebooks/<lang>/) ----
def sources_dir(lang: str = i18n.DEFAULT_LANG) -> Path:
    return SOURCES if i18n.check_language(lang) == i18n.DEFAULT_LANG else SOURCES / lang


def language_of(path: Path) -> str:
    """"ru" for notebooks/src/ru/NN_name.py, "en" for notebooks/src/NN_name.py."""
    return path.parent.name if path.parent.parent == SOURCES else i18n.DEFAULT_LANG


def output_path(path: Path) -> Path:
    """Where the source ``path`` is built: notebooks/NN_name.ipynb, notebooks/ru/NN_name.ipynb."""
    lang = language_of(path)
    return (NOTEBOOKS if lang == i18n.DEFAULT_LANG else NOTEBOOKS / lang) / (path.stem + ".ipynb")


def source_paths(selected: list[str] | None = None, lang: str = i18n.DEFAULT_LANG) -> list[Path]:
    """The sources of one language (``lang="all"``: every language), optionally only the numbers in ``selected``."""
    langs = i18n.languages() if lang == "all" else [lang]
    paths = [p for one in langs for p in sorted(sources_dir(one).glob("[0-9][0-9]_*.py"))]
    if selected:
        paths = [p for p in paths if any(p.name.startswith(s) for s in selected)]
    return paths


def read_source(path: Path) -> nbformat.NotebookNode:
    nb = attach_images(mark_notes(split_at_headings(jupytext.read(path, fmt="py:percent")), language_of(path)), path)
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}, "rise": RISE}
    for index, cell in enumerate(nb.cells):  # stable ids: rebuilding does not churn the diff
        cell.id = f"{path.stem[:2]}-{index:03d}"
    return nb


# ---- Diagrams travel inside the notebook ------------------------------------------------------------
# A learner who opens one notebook in Colab, or downloads it alone, has no images/ folder beside it, so
# a link to ../images/<name>.png shows a broken picture there. The built notebook carries each such PNG
# as an attachment of its markdown cell, which JupyterLab, Colab, GitHub and nbviewer all show; the
# source keeps the readable path (and tests/test_references.py checks that the file exists).
IMAGES = ROOT / "images"
LOCAL_IMAGE = re.compile(r"(!\[[^\]]*\]\()\.\./images/([^)\s]+)\)")


def attach_images(nb: nbformat.NotebookNode, source: Path) -> nbformat.NotebookNode:
    """Store every ``![alt](../images/<name>.png)`` of a markdown cell as the cell's attachment <name>.png
    and link to ``attachment:<name>.png`` instead. A Russian notebook gets images/ru/<name>.png where
    images/make_figures.py drew one (the diagram's labels in Russian), else the English picture."""
    lang = language_of(source)
    for cell in nb.cells:
        if cell.cell_type != "markdown" or not LOCAL_IMAGE.search(cell.source):
            continue
        attachments = {}
        for match in LOCAL_IMAGE.finditer(cell.source):
            image = IMAGES / match.group(2)
            if image.suffix != ".png" or not image.is_file():
                raise ValueError(f"{source.name} shows images/{match.group(2)}, which is not a PNG in images/: "
                                 "draw it with images/make_figures.py or fix the link")
            translated = IMAGES / lang / match.group(2)
            if lang != i18n.DEFAULT_LANG and translated.is_file():
                image = translated
            attachments[image.name] = {"image/png": base64.b64encode(image.read_bytes()).decode("ascii")}
        cell.attachments = attachments
        cell.source = LOCAL_IMAGE.sub(lambda m: f"{m.group(1)}attachment:{Path(m.group(2)).name})", cell.source)
    return nb


def attachments_of(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Attachment name -> its base64 data, over all of ``nb``'s markdown cells."""
    return {name: bundle.get("image/png", "") for cell in nb.cells
            for name, bundle in cell.get("attachments", {}).items()}


# ---- Slides (RISE, `jupyterlab-rise`): the slide structure comes from the headings -------------------
# RISE options stored in each notebook: start at the title, let a teacher scroll a slide that is taller
# than the screen (the browser test fails on any that is), number the slides.
RISE = {"start_slideshow_at": "beginning", "scroll": True, "slideNumber": "c/t", "transition": "none"}
HEADING = re.compile(r"^(#{2,3}) ")
# What a 1280×720 slide holds, in CSS pixels, and what content takes on it: fitted to the heights
# tools/browser_test.py --slides measured in RISE (build/screenshots/NN_*-slides.json). notebooks/rise.css
# caps a code cell's editor and its outputs, so one cell always fits on a slide by itself.
SLIDE_PX = 640
TEXT_LINE_PX, CODE_LINE_PX, CELL_PX, CHARS_PER_LINE = 20, 18, 20, 140
CODE_MAX_PX, OUTPUT_MAX_PX, IMAGE_MAX_PX = 252, 380, 340  # the caps in notebooks/rise.css


def split_at_headings(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Start a new markdown cell at every ``##``/``###`` heading, so each heading can start a slide.

    Authors may write a heading in the middle of a markdown cell (e.g. "## Exercises" after the
    recap); the notebook learners open has it at the top of its own cell."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "markdown" or cell.metadata:
            cells.append(cell)
            continue
        parts: list[list[str]] = [[]]
        for line in cell.source.split("\n"):
            if HEADING.match(line) and any(text.strip() for text in parts[-1]):
                parts.append([])
            parts[-1].append(line)
        for part in parts:
            cells.append(nbformat.v4.new_markdown_cell("\n".join(part).strip("\n")))
    nb.cells = cells
    return nb


NOTES_MARK = i18n.t_in("en", "notebook.teacher_mark")  # "> 🗣 **Teacher:** "; per language: notes_mark(lang)


def notes_mark(lang: str) -> str:
    return i18n.t_in(lang, "notebook.teacher_mark")


def mark_notes(nb: nbformat.NotebookNode, lang: str = i18n.DEFAULT_LANG) -> nbformat.NotebookNode:
    """Speaker notes read as a quote that starts "🗣 Teacher:", so that a learner who reads the notebook
    (Colab and GitHub do not hide them) knows to skip them; notes written as plain lines get both."""
    for cell in nb.cells:
        if is_notes(cell) and not cell.source.lstrip().startswith("> 🗣"):
            lines = [line.removeprefix(">").strip() for line in cell.source.strip().splitlines()]
            cell.source = "\n".join([notes_mark(lang) + lines[0]] + [f"> {line}" for line in lines[1:]])
    return nb


def is_notes(cell: nbformat.NotebookNode) -> bool:
    return cell.metadata.get("slideshow", {}).get("slide_type") == "notes"


def heading_level(cell: nbformat.NotebookNode) -> int:
    """2 for a cell that starts with a ``##`` heading, 3 for ``###``, 0 otherwise."""
    match = HEADING.match(cell.source) if cell.cell_type == "markdown" else None
    return len(match.group(1)) if match else 0


def is_solution(cell: nbformat.NotebookNode) -> bool:
    return "solution" in cell.metadata.get("tags", []) or bool(cell.metadata.get("jupyter", {}).get("source_hidden"))


def _png_height(data: str) -> int:
    """Height in pixels of a base64 PNG (the notebook shows our figures at 1 CSS pixel per pixel)."""
    import struct

    head = base64.b64decode(data[:64])
    return struct.unpack(">I", head[20:24])[0] if head[:8] == b"\x89PNG\r\n\x1a\n" else 300


def markdown_height_px(source: str) -> int:
    """A markdown cell's height on a slide: its blocks (paragraphs, list items, tables, formulas)."""
    height = CELL_PX
    for block in re.split(r"\n\s*\n", source.strip()):
        lines = block.splitlines()
        if block.startswith("!["):  # a diagram (an attachment): notebooks/rise.css caps its height
            height += IMAGE_MAX_PX
        elif block.startswith("|"):
            height += 24 * len(lines)
        elif block.startswith("$$"):
            height += 55
        elif block.startswith("# "):
            height += 70
        elif block.startswith("#"):
            height += 40 + TEXT_LINE_PX * (len(lines) - 1)
        elif re.match(r"\s*([-*]|\d+\.) ", lines[0]):
            items = re.split(r"\n(?=\s*(?:[-*]|\d+\.) )", block)
            height += sum(TEXT_LINE_PX * (1 + len(item) // CHARS_PER_LINE) for item in items)
        else:
            height += TEXT_LINE_PX * (1 + len(" ".join(lines)) // CHARS_PER_LINE)
        height += 16  # the margin between blocks
    return height


def cell_height_px(cell: nbformat.NotebookNode) -> int:
    """A rough height of ``cell`` on a slide, from its text and its saved outputs."""
    if cell.cell_type == "markdown":
        return markdown_height_px(cell.source)
    height = CELL_PX + 10 + min(CODE_LINE_PX * len(cell.source.splitlines()), CODE_MAX_PX)
    outputs = 0
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "image/png" in data:
            outputs += min(_png_height(data["image/png"]), IMAGE_MAX_PX) + 60
        elif output.get("output_type") == "stream" or "text/plain" in data or "text/html" in data:
            text = output.get("text") or data.get("text/plain") or ""
            outputs += CODE_LINE_PX * len(str(text).splitlines()) + 30
    return height + min(outputs, OUTPUT_MAX_PX)


def set_slide_types(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Give each cell its RISE slide type (``cell.metadata.slideshow.slide_type``):

    - the title cell and every ``##`` heading start a slide, every ``###`` a sub-slide;
    - the setup cell (cell 2) and the hidden exercise solutions are skipped;
    - speaker notes (cells the source marks ``slide_type: notes``) stay notes;
    - any other cell continues the slide ("-"), unless the slide would grow taller than a
      1280×720 screen: then it starts a sub-slide (its heights come from the saved outputs).

    An author's own ``slideshow`` metadata on a cell in the source wins.
    """
    used = 0
    for index, cell in enumerate(nb.cells):
        authored = cell.metadata.get("slideshow", {}).get("slide_type")
        level = heading_level(cell)
        if authored:
            kind = authored
        elif index == 0 or level == 2:
            kind = "slide"
        elif level == 3:
            kind = "subslide"
        elif index == 1 or is_solution(cell):
            kind = "skip"
        else:
            kind = "-"
        if kind in ("skip", "notes"):
            pass
        elif kind in ("slide", "subslide"):
            used = cell_height_px(cell)
        else:
            height = cell_height_px(cell)
            if used + height > SLIDE_PX and used > 0 and kind == "-":
                kind, used = "subslide", height
            else:
                used += height
        cell.metadata["slideshow"] = {"slide_type": kind}
    return nb


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip what must not be committed: widget state, widget views (they cannot render without
    that state; our views also carry a PNG of the picture), execution timestamps."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        kept = []
        for output in cell.get("outputs", []):
            data = output.get("data")
            if data and WIDGET_MIME in data:
                data.pop(WIDGET_MIME)
                if set(data) == {"text/plain"}:
                    if "Box(" not in str(data["text/plain"]):
                        continue  # e.g. a progress bar: its saved text would show "0%"
                    data["text/plain"] = "(live widget: run the notebook to use it)"
            kept.append(output)
        if cell.cell_type == "code":
            cell.outputs = kept
    return set_slide_types(nb)


def cells_signature(nb: nbformat.NotebookNode) -> list[tuple]:
    """What must agree between a .py source and its .ipynb: cell types, sources, hidden flags."""
    return [
        (c.cell_type, c.source.strip(), bool(c.metadata.get("jupyter", {}).get("source_hidden")))
        for c in nb.cells
    ]


def build(path: Path, fast: bool, timeout: int) -> float:
    nb = read_source(path)
    env_fast = os.environ.get(FAST_ENV_VAR)
    os.environ[FAST_ENV_VAR] = "1" if fast else "0"
    out = output_path(path)
    out.parent.mkdir(exist_ok=True)
    start = time.perf_counter()
    try:  # run where a learner opens it: notebooks/ or notebooks/<lang>/
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(out.parent)}}).execute()
    finally:
        if env_fast is None:
            os.environ.pop(FAST_ENV_VAR, None)
        else:
            os.environ[FAST_ENV_VAR] = env_fast
    seconds = time.perf_counter() - start
    nbformat.write(clean(nb), out)
    return seconds


def _code_tree(source: str) -> str:
    """A code cell's syntax tree: equal for sources that differ only in comments or layout."""
    try:
        return ast.dump(ast.parse(source))
    except SyntaxError:  # IPython magics: compare the text itself
        return source.strip()


# Statements that print nothing: a cell split off the front of a saved cell may hold only these, so
# all of the saved cell's outputs belong to its last piece.
SILENT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _silent(source: str) -> bool:
    try:
        return all(isinstance(node, SILENT) for node in ast.parse(source).body)
    except SyntaxError:
        return False


def rebuild_keeping_outputs(path: Path) -> None:
    """Rebuild ``path``'s .ipynb from the source, moving each code cell's saved outputs over.

    A saved cell may have been split into consecutive cells (for slides: one idea per cell) when the
    pieces together have the saved cell's syntax tree and every piece but the last only imports or
    defines (so prints nothing): the outputs go to the last piece, and execution counts are
    renumbered in order, as a run top to bottom would number them.
    Raises ValueError when the code cells differ otherwise: then the saved outputs might not be what
    the new code prints, and the notebook must be executed."""
    out = output_path(path)
    saved = [c for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code"]
    nb = read_source(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    new_index = 0
    for old in saved:
        pieces = []
        while new_index < len(code):
            pieces.append(code[new_index])
            new_index += 1
            joined = "\n\n".join(piece.source for piece in pieces)
            if _code_tree(joined) == _code_tree(old.source):
                break
            if not _silent(pieces[-1].source):
                pieces = []
                break
        else:
            pieces = []
        if not pieces or _code_tree("\n\n".join(p.source for p in pieces)) != _code_tree(old.source):
            raise ValueError(f"{path.name}: the code of saved cell {old.get('id', '?')} changed: execute it\n"
                             f"{old.source[:200]}")
        for piece in pieces[:-1]:
            piece.outputs = []
        pieces[-1].outputs = old.outputs
    if new_index != len(code):
        raise ValueError(f"{path.name}: {len(code)} code cells, the saved notebook has {len(saved)}: execute it")
    has_hidden_counts = any(old.execution_count is None for old in saved)
    for count, cell in enumerate(code, start=1):
        cell.execution_count = None if has_hidden_counts else count
    nbformat.write(clean(nb), out)


def check(paths: list[Path]) -> list[str]:
    problems = []
    for path in paths:
        target = output_path(path)
        name = target.relative_to(NOTEBOOKS)
        if not target.exists():
            problems.append(f"{name} is missing: run `make execute`.")
            continue
        built, saved = read_source(path), nbformat.read(target, as_version=4)
        if cells_signature(built) != cells_signature(saved):
            problems.append(f"{name} differs from {path.relative_to(NOTEBOOKS)}: "
                            f"run `python tools/build_notebooks.py --lang {language_of(path)} {path.name[:2]}`.")
        elif attachments_of(built) != attachments_of(saved):  # a diagram was redrawn since the build
            new, kept = attachments_of(built), attachments_of(saved)
            stale = sorted(name for name in new.keys() | kept.keys() if new.get(name) != kept.get(name))
            problems.append(f"{name} carries an old copy of {', '.join(stale)}: run "
                            f"`python tools/build_notebooks.py --keep-outputs --lang {language_of(path)} {path.name[:2]}`.")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="number prefixes, e.g. 01 03 (default: all)")
    parser.add_argument("--fast", action="store_true", help="execute in fast mode (COURSE_FAST=1)")
    parser.add_argument("--check", action="store_true", help="only check that .ipynb files match their .py")
    parser.add_argument("--keep-outputs", action="store_true",
                        help="rebuild without executing, keeping outputs (code cells must be unchanged)")
    parser.add_argument("--lang", default=i18n.DEFAULT_LANG, choices=[*i18n.languages(), "all"],
                        help="which edition: en (notebooks/src/), ru (notebooks/src/ru/), or all")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    args = parser.parse_args()
    paths = source_paths(args.notebooks, args.lang)
    if not paths:
        print("no notebook sources match", args.notebooks, file=sys.stderr)
        return 2
    if args.check:
        problems = check(paths)
        print("\n".join(problems) or f"{len(paths)} notebooks in sync with their sources")
        return 1 if problems else 0
    if args.keep_outputs:
        for path in paths:
            rebuild_keeping_outputs(path)
            print(f"rebuilt {output_path(path).relative_to(NOTEBOOKS)} from its source, outputs kept")
        return 0
    for path in paths:
        print(f"executing {path.relative_to(SOURCES)} ({'fast' if args.fast else 'full'} mode)...", flush=True)
        print(f"  done in {build(path, args.fast, args.timeout):.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
