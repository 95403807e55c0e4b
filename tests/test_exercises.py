"""The exercises of every notebook (utils/exercises, notebooks/solutions, tools/show_solutions.py).

Every reference solution passes its check; every check rejects the wrong answers registered beside it
(a check that cannot fail is a defect); an untouched starter is "not attempted" and never raises; the
ids used in the notebooks, the checks and the solutions are the same sets.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import build_notebooks  # noqa: E402
from exercise_context import context_for  # noqa: E402  (small versions of each notebook's objects)

from utils.exercises import check, checks_of  # noqa: E402
from utils.exercises.base import Derived  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {p.name[:2]: p for p in sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))}
CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](\d\d\.\d+)["']""")
WITH_CHECKS = sorted(p.stem[2:] for p in (ROOT / "utils" / "exercises").glob("nb[0-9][0-9].py"))
ALL_IDS = [(nb, eid) for nb in WITH_CHECKS for eid in sorted(checks_of(nb))]


@cache
def solutions(nb: str):
    path = next((ROOT / "notebooks" / "solutions").glob(f"{nb}_*.py"))
    spec = importlib.util.spec_from_file_location(f"solutions_{nb}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def notebook_exercises(nb: str) -> list[tuple[str, str]]:
    """(exercise id, starter cell source) for every check call in notebook ``nb``'s source."""
    cells = [c for c in build_notebooks.read_source(SOURCES[nb]).cells if c.cell_type == "code"]
    return [(m.group(1), cells[i - 1].source) for i, c in enumerate(cells) if (m := CHECK_CALL.search(c.source))]


def arguments(function, nb: str) -> dict:
    wanted = inspect.signature(function).parameters if not hasattr(function, "context") else function.context
    context = context_for(nb, tuple(wanted))
    return {name: context[name] for name in wanted}


def solve(nb: str, eid: str):
    function = getattr(solutions(nb), f"solve_{eid.replace('.', '_')}")
    return function(**arguments(function, nb))


@pytest.mark.parametrize("nb", sorted(SOURCES))
def test_every_notebook_has_3_to_5_checked_exercises_with_solutions(nb):
    used = [eid for eid, _ in notebook_exercises(nb)]
    assert 3 <= len(used) <= 5, f"notebook {nb} has {len(used)} exercise checks; the course form asks 3-5."
    assert len(set(used)) == len(used), f"notebook {nb} checks an exercise twice: {used}"
    assert set(used) == set(checks_of(nb)), f"notebook {nb}: ids in the notebook {sorted(used)} vs checks {sorted(checks_of(nb))}"
    solved = {name[6:].replace("_", ".") for name in vars(solutions(nb)) if name.startswith("solve_")}
    assert solved == set(used), f"notebook {nb}: solutions for {sorted(solved)}, exercises {sorted(used)}"
    text = SOURCES[nb].read_text(encoding="utf-8")
    assert f"(solutions/{SOURCES[nb].stem}.py)" in text, f"notebook {nb} must link its solutions file"
    assert 'tags=["solution"]' not in text and "source_hidden" not in text, "solutions stay out of the notebook"
    grades = re.findall(r"^# \*\*\d+\. [^*]*?(★+)\.?\*\*", text, flags=re.MULTILINE)
    assert len(grades) == len(used), f"notebook {nb}: every exercise prompt starts '**N. Title ★..**' ({grades})"
    assert len(set(grades)) >= 2, f"notebook {nb}: mix the grades (★ understand, ★★ change code, ★★★ investigate)"


@pytest.mark.parametrize("nb,eid", ALL_IDS)
def test_solution_passes_its_check(nb, eid, capsys):
    checker = checks_of(nb)[eid]
    result = check(eid, solve(nb, eid), **arguments(checker, nb))
    assert result.ok is True, result.message
    assert capsys.readouterr().out.startswith(f"✓ {eid}:")


@pytest.mark.parametrize("nb,eid", ALL_IDS)
def test_check_rejects_the_registered_wrong_answers(nb, eid):
    checker = checks_of(nb)[eid]
    assert checker.wrong_answers, f"{eid}: register at least one plausible wrong answer beside the check"
    for wrong in checker.wrong_answers:
        if isinstance(wrong, Derived):
            wrong = wrong.make(**arguments(checker, nb))
        result = check(eid, wrong, **arguments(checker, nb))
        assert result.ok is False, f"{eid} accepted the wrong answer {wrong!r}: {result.message}"
        assert "bug in the check" not in result.message and len(result.message) > 20


@pytest.mark.parametrize("nb,eid", ALL_IDS)
def test_nonsense_answers_give_a_hint_not_an_error(nb, eid):
    checker = checks_of(nb)[eid]
    for nonsense in ("forty-two", [1, 2], object()):
        result = check(eid, nonsense, **arguments(checker, nb))
        assert result.ok is False, f"{eid} on {nonsense!r}: {result}"


@pytest.mark.parametrize("nb", WITH_CHECKS)
def test_untouched_starters_are_not_attempted(nb):
    for eid, starter in notebook_exercises(nb):
        namespace = {"np": np, "torch": torch}
        exec(starter, namespace)  # a starter needs nothing from the notebook
        target = next(n.name if isinstance(n, ast.FunctionDef) else n.targets[0].id
                      for n in ast.parse(starter).body if isinstance(n, (ast.FunctionDef, ast.Assign)))
        result = check(eid, namespace[target], **arguments(checks_of(nb)[eid], nb))
        assert result.ok is None and "not attempted" in result.message, f"{eid}: {result}"


def test_a_function_starter_that_raises_not_implemented_is_not_attempted():
    def starter(*_):
        raise NotImplementedError
    from utils.exercises.base import call, run_check
    assert run_check("xx.1", lambda answer: call(answer, 1), starter, {}).ok is None


def test_unknown_ids_are_named_with_the_known_ones():
    with pytest.raises(ValueError, match=r"01\.1, 01\.2"):
        check("01.9", 3)
    with pytest.raises(ValueError, match="look like '03.2'"):
        check("1.1", 3)
    with pytest.raises(ValueError, match="no exercises for notebook '99'"):
        check("99.1", 3)


def test_notebook_01_loads_no_later_check_module():
    code = ("import sys; from utils.exercises import check; check('01.2', 5); "
            "later = [m for m in sys.modules if m.startswith('utils.exercises.nb') and m != 'utils.exercises.nb01']; "
            "assert not later, later; assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True)


def test_show_solutions_fills_in_every_starter(tmp_path):
    nb = WITH_CHECKS[0]
    run = subprocess.run([sys.executable, "tools/show_solutions.py", nb, "--out", str(tmp_path)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    written = next(tmp_path.glob(f"{nb}_*.ipynb"))
    assert str(written) in run.stdout
    text = written.read_text(encoding="utf-8")
    for eid, _ in notebook_exercises(nb):
        assert f"solve_{eid.replace('.', '_')}(" in text
    assert "= ...  #" not in text, "a starter was left in the teacher's notebook"
