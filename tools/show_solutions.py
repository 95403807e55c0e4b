"""A teacher's view of a notebook's exercises: each starter cell replaced by its reference solution.

    python tools/show_solutions.py 03        (or: make solutions NB=03)

Reads the committed notebook (notebooks/03_*.ipynb, with its outputs), finds every check call
(`check("03.2", ...)`), replaces the code cell just before it (the learner's starter) with the
solution function from notebooks/solutions/03_*.py and a line that calls it with the notebook's own
objects, and writes build/solutions/03_*.ipynb. The replaced cells have no outputs: run the notebook
to see the checks say ✓.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import inspect
import re
import sys
from pathlib import Path
from types import ModuleType

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from utils.files import atomic_write_text  # noqa: E402

NOTEBOOKS, SOLUTIONS, OUT = ROOT / "notebooks", ROOT / "notebooks" / "solutions", ROOT / "build" / "solutions"
CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](\d\d\.\d+)["']""")


def load_solutions(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"solutions_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def starter_target(source: str) -> str:
    """The name a starter cell defines: `answer = ...` gives "answer", `def f(...)` gives "f"."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            return node.name
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            return node.targets[0].id
    raise ValueError(f"a starter cell must assign a name or define a function:\n{source}")


def solution_cell(module: ModuleType, exercise: str, target: str) -> str:
    function = getattr(module, f"solve_{exercise.replace('.', '_')}")
    arguments = ", ".join(inspect.signature(function).parameters)
    return f"# Solution {exercise}\n{inspect.getsource(function)}\n{target} = {function.__name__}({arguments})"


def imports_of(path: Path) -> str:
    """The solutions file's top-level imports, so the pasted functions find what they use."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return "\n".join(ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)))


def with_solutions(number: str) -> tuple[nbformat.NotebookNode, Path]:
    notebook_paths = sorted(NOTEBOOKS.glob(f"{number}_*.ipynb"))
    if not notebook_paths:
        raise SystemExit(f"no notebook notebooks/{number}_*.ipynb: give a number from 01 to 13.")
    path = notebook_paths[0]
    solutions_path = SOLUTIONS / f"{path.stem}.py"
    if not solutions_path.exists():
        raise SystemExit(f"no solutions file {solutions_path.relative_to(ROOT)} for {path.name}.")
    module = load_solutions(solutions_path)
    nb = nbformat.read(path, as_version=4)
    replaced = 0
    for index, cell in enumerate(nb.cells):
        found = CHECK_CALL.search(cell.source) if cell.cell_type == "code" else None
        if not found:
            continue
        starter = next(c for c in reversed(nb.cells[:index]) if c.cell_type == "code")
        code = solution_cell(module, found.group(1), starter_target(starter.source))
        if not replaced and imports_of(solutions_path):
            code = f"{imports_of(solutions_path)}\n\n\n{code}"
        starter.source, starter.outputs, starter.execution_count = code, [], None
        cell.outputs, cell.execution_count = [], None
        replaced += 1
    if not replaced:
        raise SystemExit(f"{path.name} has no check calls: nothing to fill in.")
    return nb, OUT / path.name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebook", help="the notebook's number, e.g. 03")
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write to (default build/solutions)")
    args = parser.parse_args()
    nb, path = with_solutions(args.notebook.zfill(2))
    path = args.out / path.name
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, nbformat.writes(nb))
    print(f"wrote {path} (the exercises with their solutions filled in; run it to see every check say ✓)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
