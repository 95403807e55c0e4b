"""The layers of ``utils``: every module says which notebook introduces it (``INTRODUCED_IN``).

1. A module imports only modules introduced by the same or an earlier notebook ("00" is the
   infrastructure every notebook uses: config, figures, checks...), and the imports have no cycle.
2. Notebook N imports from ``utils`` only names introduced by notebooks <= N (a name may be
   introduced later than its module: ``INTRODUCED_LATER = {"evaluate": "09"}``).
3. ``import utils`` and a notebook-01 figure load no model code.

The checks read the source (``ast``), so a module written tomorrow is checked by its own
``INTRODUCED_IN`` without changes here. Imports under ``if TYPE_CHECKING:`` are type hints only
and do not count.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UTILS = ROOT / "utils"
NOTEBOOK_SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(UTILS.rglob("*.py"))}


@cache
def tree(name: str) -> ast.Module:
    return ast.parse(MODULES[name].read_text(encoding="utf-8"))


def constant(name: str, var: str):
    for node in tree(name).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == var for t in node.targets):
            return ast.literal_eval(node.value)
    return None


def level(name: str) -> str:
    value = constant(name, "INTRODUCED_IN")
    assert isinstance(value, str) and re.fullmatch(r"\d\d", value), (
        f"{MODULES[name].relative_to(ROOT)} must declare INTRODUCED_IN = \"NN\" (the notebook that introduces "
        f"it, \"00\" for infrastructure), got {value!r}.")
    return value


def name_level(module: str, name: str) -> str:
    """The notebook that introduces ``module.name`` (the module's, unless INTRODUCED_LATER says later)."""
    return (constant(module, "INTRODUCED_LATER") or {}).get(name, level(module))


def is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def type_checking_nodes(module: ast.Module) -> set[int]:
    skip = set()
    for node in ast.walk(module):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return skip


def imports_of(name: str) -> list[tuple[str, str | None, int]]:
    """(imported utils module, imported name or None, line) for every import in module ``name``."""
    package = name if is_package(name) else name.rpartition(".")[0]
    module = tree(name)
    skip = type_checking_nodes(module)
    found = []
    for node in ast.walk(module):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(a.name, None, node.lineno) for a in node.names if a.name in MODULES]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target not in MODULES:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.append((sub, None, node.lineno) if sub in MODULES else (target, alias.name, node.lineno))
    return found


def test_every_module_declares_its_notebook():
    assert len(MODULES) > 20
    for name in MODULES:
        level(name)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_imports_only_earlier_layers(name):
    mine = level(name)
    for target, imported, line in imports_of(name):
        theirs = name_level(target, imported) if imported else level(target)
        what = f"{target}.{imported}" if imported else target
        assert theirs <= mine, (
            f"{MODULES[name].relative_to(ROOT)}:{line} (introduced in notebook {mine}) imports {what}, introduced "
            f"in notebook {theirs}: move the shared piece down a layer, or import it only for type hints "
            f"under `if TYPE_CHECKING:`.")


def test_import_graph_has_no_cycle():
    graph = {name: sorted({t for t, _, _ in imports_of(name) if t != name}) for name in MODULES}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [node, nxt] if nxt in path else [node, nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, path + [node])
        state[node] = 2

    for name in graph:
        if name not in state:
            visit(name, [])


def defining_module(package: str, name: str) -> str:
    """Where ``from <package> import name`` really comes from: the module that defines the name
    (a re-exported name counts where it is defined; ``utils.widgets`` loads its views lazily)."""
    candidates = [m for m in MODULES if m == package or m.startswith(package + ".")] if is_package(package) \
        else [package]
    for module in candidates:
        for node in tree(module).body:
            defined = {node.name} if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else {
                t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)}
            if name in defined:
                return module
    for module in candidates:  # a re-export: follow its import
        for target, imported, _ in imports_of(module):
            if imported == name:
                return defining_module(target, name)
    return package


def notebook_imports(path: Path) -> list[tuple[str, str | None, int]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, None, node.lineno) for a in node.names if a.name in MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "") in MODULES:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.append((sub, None, node.lineno) if sub in MODULES else (node.module, alias.name, node.lineno))
    return found


@pytest.mark.parametrize("path", NOTEBOOK_SOURCES, ids=lambda p: p.stem)
def test_notebook_imports_only_what_it_or_an_earlier_notebook_introduced(path):
    number = path.name[:2]
    for module, name, line in notebook_imports(path):
        if name is None:
            where, introduced = module, level(module)
        else:
            # From a package (utils, utils.widgets) the defining module counts; from a module, that module
            # (which may re-export a lower layer's name and say in INTRODUCED_LATER when it is taught).
            where = defining_module(module, name) if is_package(module) else module
            introduced = name_level(where, name)
        assert introduced <= number, (
            f"notebooks/src/{path.name}:{line} imports {module}{'.' + name if name else ''}, introduced in notebook "
            f"{introduced} ({where}): build it in this notebook first, or move the import to notebook {introduced}.")


def test_first_notebooks_load_no_model_code():
    code = ("import sys, utils, utils.plots, utils.diagrams, utils.widgets.perceptron; "
            "bad = sorted(m for m in sys.modules if m in ('utils.models', 'utils.llama', 'utils.finetune', "
            "'utils.train', 'utils.scaling', 'utils.widgets.attention')); print(bad); assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True)
