"""Build the course notebooks from their jupytext sources and execute them.

    notebooks/src/NN_name.py  --(jupytext, execute with nbclient)-->  notebooks/NN_name.ipynb

The .py files are what authors edit and reviewers read; the executed .ipynb files are what
learners open (in JupyterLab, in Colab, on GitHub). Usage:

    python tools/build_notebooks.py                 # all notebooks, full mode (what `make execute` runs)
    python tools/build_notebooks.py 01 03           # only these
    python tools/build_notebooks.py --fast          # quick check run (COURSE_FAST=1)
    python tools/build_notebooks.py --check         # only verify each .ipynb matches its .py
    python tools/build_notebooks.py --keep-outputs  # prose-only edits: rebuild without executing

`--keep-outputs` is for edits that cannot change what the code prints (markdown, comments): it
rebuilds each .ipynb from its .py and keeps the saved outputs of every code cell, and refuses (so
you run the notebook for real) when any code cell's syntax tree differs from the saved one.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

from utils.config import FAST_ENV_VAR

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOURCES = NOTEBOOKS / "src"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def source_paths(selected: list[str] | None = None) -> list[Path]:
    paths = sorted(SOURCES.glob("[0-9][0-9]_*.py"))
    if selected:
        paths = [p for p in paths if any(p.name.startswith(s) for s in selected)]
    return paths


def read_source(path: Path) -> nbformat.NotebookNode:
    nb = jupytext.read(path, fmt="py:percent")
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    for index, cell in enumerate(nb.cells):  # stable ids: rebuilding does not churn the diff
        cell.id = f"{path.stem[:2]}-{index:03d}"
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
    return nb


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
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    finally:
        if env_fast is None:
            os.environ.pop(FAST_ENV_VAR, None)
        else:
            os.environ[FAST_ENV_VAR] = env_fast
    seconds = time.perf_counter() - start
    out = NOTEBOOKS / (path.stem + ".ipynb")
    nbformat.write(clean(nb), out)
    return seconds


def _code_tree(source: str) -> str:
    """A code cell's syntax tree: equal for sources that differ only in comments or layout."""
    try:
        return ast.dump(ast.parse(source))
    except SyntaxError:  # IPython magics: compare the text itself
        return source.strip()


def rebuild_keeping_outputs(path: Path) -> None:
    """Rebuild ``path``'s .ipynb from the source, moving each code cell's saved outputs over.

    Raises ValueError when the code cells differ in number or in their syntax trees: then the saved
    outputs might not be what the new code prints, and the notebook must be executed."""
    out = NOTEBOOKS / (path.stem + ".ipynb")
    saved = [c for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code"]
    nb = read_source(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if len(code) != len(saved):
        raise ValueError(f"{path.name}: {len(code)} code cells, the saved notebook has {len(saved)}: execute it")
    for new, old in zip(code, saved, strict=True):
        if _code_tree(new.source) != _code_tree(old.source):
            raise ValueError(f"{path.name}: the code of cell {new.id} changed: execute it\n{new.source[:200]}")
        new.outputs, new.execution_count = old.outputs, old.execution_count
    nbformat.write(clean(nb), out)


def check(paths: list[Path]) -> list[str]:
    problems = []
    for path in paths:
        target = NOTEBOOKS / (path.stem + ".ipynb")
        if not target.exists():
            problems.append(f"{target.name} is missing: run `make execute`.")
        elif cells_signature(read_source(path)) != cells_signature(nbformat.read(target, as_version=4)):
            problems.append(f"{target.name} differs from src/{path.name}: run `make execute NB={path.name[:2]}`.")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="number prefixes, e.g. 01 03 (default: all)")
    parser.add_argument("--fast", action="store_true", help="execute in fast mode (COURSE_FAST=1)")
    parser.add_argument("--check", action="store_true", help="only check that .ipynb files match their .py")
    parser.add_argument("--keep-outputs", action="store_true",
                        help="rebuild without executing, keeping outputs (code cells must be unchanged)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    args = parser.parse_args()
    paths = source_paths(args.notebooks)
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
            print(f"rebuilt {path.stem}.ipynb from its source, outputs kept")
        return 0
    for path in paths:
        print(f"executing {path.name} ({'fast' if args.fast else 'full'} mode)...", flush=True)
        print(f"  done in {build(path, args.fast, args.timeout):.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
