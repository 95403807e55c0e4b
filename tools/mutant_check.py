"""Apply one mutmut mutant to the source by hand, run the tests you name, then put the code back.

Reviewing a survivor of `make mutation` means showing that a new test kills it: plant the
mutant, see the test fail, restore. This does exactly that, for one or more mutants:

    python tools/mutant_check.py utils.data.x_split__mutmut_7 -- tests/test_data.py -k split
    python tools/mutant_check.py --mutants ../other-checkout NAME1 NAME2 -- tests/test_data.py

It reads each mutant's diff from ``mutmut show`` (run where the ``mutants/`` folder is:
``--mutants DIR``, default this checkout), finds the removed lines inside the mutated function
of *this* checkout's file, swaps in the added lines, runs ``pytest -x -q`` with the arguments
after ``--``, and restores the file whatever happens. Prints KILLED (the tests failed) or
SURVIVED per mutant; exits 1 if any survived.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"^(?P<module>[\w.]+?)\.x(?:_(?P<function>\w+?)|ǁ(?P<cls>\w+)ǁ(?P<method>\w+?))__mutmut_\d+$")


def mutmut_executable() -> str:
    """$MUTMUT if set, else the script beside this interpreter (`make mutation` installs it), else PATH's."""
    if os.environ.get("MUTMUT"):
        return os.environ["MUTMUT"]
    beside = Path(sys.executable).parent / "mutmut"
    return str(beside) if beside.exists() else shutil.which("mutmut") or str(beside)


def mutant_diff(name: str, mutants_dir: Path) -> tuple[str, list[str], list[str]]:
    """(file, removed lines, added lines) of one mutant, from `mutmut show`."""
    out = subprocess.run([mutmut_executable(), "show", name], cwd=mutants_dir, capture_output=True, text=True)
    lines = out.stdout.splitlines()
    files = [line[4:].strip() for line in lines if line.startswith("--- ")]
    if out.returncode or not files:
        raise SystemExit(f"mutmut show {name} gave no diff (run it where mutants/ is, or pass --mutants):\n"
                         f"{out.stdout}{out.stderr}")
    body = [line for line in lines if line[:1] in "+- " and not line.startswith(("+++", "---"))]
    removed = [line[1:] for line in body if line.startswith("-")]
    added = [line[1:] for line in body if line.startswith("+")]
    return files[0], removed, added


def function_span(source: str, name: str) -> tuple[int, int]:
    """Line range (0-based, end exclusive) of the function or method a mutant name points to."""
    match = NAME.match(name)
    if not match:
        raise SystemExit(f"not a mutmut mutant name: {name}")
    wanted_class, wanted = match["cls"], match["function"] or match["method"]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and wanted_class and node.name == wanted_class:
            for child in node.body:
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and child.name == wanted:
                    start = min([child.lineno] + [d.lineno for d in child.decorator_list])
                    return start - 1, child.end_lineno
        if not wanted_class and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == wanted:
            return node.lineno - 1, node.end_lineno
    raise SystemExit(f"{name}: no function {wanted_class or ''}{'.' if wanted_class else ''}{wanted} in the source")


def mutated_source(source: str, name: str, removed: list[str], added: list[str]) -> str:
    lines = source.splitlines(keepends=True)
    start, end = function_span(source, name)
    # mutmut shows a method dedented to column 0: match and insert at the method's own indent.
    indent = lines[start][:len(lines[start]) - len(lines[start].lstrip())]
    plain = [line.rstrip("\n").removeprefix(indent) for line in lines]
    hits = [i for i in range(start, end - len(removed) + 1) if plain[i:i + len(removed)] == removed]
    if len(hits) != 1:
        raise SystemExit(f"{name}: the removed lines occur {len(hits)} times in the function, not once")
    i = hits[0]
    return "".join(lines[:i] + [(indent + line if line else line) + "\n" for line in added] + lines[i + len(removed):])


def check(name: str, mutants_dir: Path, pytest_args: list[str]) -> bool:
    """True if the tests kill the mutant."""
    relative, removed, added = mutant_diff(name, mutants_dir)
    path = ROOT / relative
    original = path.read_text(encoding="utf-8")
    path.write_text(mutated_source(original, name, removed, added), encoding="utf-8")
    try:
        run = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *pytest_args],
                             cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        path.write_text(original, encoding="utf-8")
    summary = (run.stdout.strip().splitlines() or ["(no output)"])[-1]
    killed = run.returncode == 1  # 1 = tests failed; 2-5 = pytest itself could not run them
    if run.returncode not in (0, 1):
        print(run.stdout[-2000:], run.stderr[-2000:])
    print(f"{'KILLED  ' if killed else 'SURVIVED'} {name}  ({summary})")
    return killed


def main() -> int:
    argv = sys.argv[1:]
    ours, pytest_args = (argv[:argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="+", help="mutant names, as `mutmut results` prints them")
    parser.add_argument("--mutants", type=Path, default=ROOT, help="folder that holds mutants/ (default: here)")
    args = parser.parse_args(ours)
    if not pytest_args:
        parser.error("name the tests to run after --, e.g. -- tests/test_data.py -k split")
    results = [check(name, args.mutants.resolve(), pytest_args) for name in args.names]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
