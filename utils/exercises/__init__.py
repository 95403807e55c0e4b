"""Exercise checks: ``check("03.2", answer)`` says ✓ with why, gives a hint, or says "not attempted yet".

Each notebook's checks live in their own module (``utils/exercises/nb03.py``), loaded only when an
id of that notebook is checked, so notebook 01 never imports what later notebooks build. A check
module lists its exercises with ``@exercise("03.2", wrong=[...])``: the wrong answers registered
beside each check are the common mistakes it must reject (tests/test_exercises.py feeds them in).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

from utils.exercises.base import Result, run_check

INTRODUCED_IN = "01"

NOTEBOOKS = [f"{n:02d}" for n in range(1, 15)]


def exercise(exercise_id: str, *, wrong: list[Any], context: tuple[str, ...] = ()) -> Callable:
    """Register a checker: ``wrong`` are plausible wrong answers it must reject, ``context`` the
    notebook objects it needs (passed as keywords to ``check``)."""
    def register(checker: Callable) -> Callable:
        checker.exercise_id, checker.wrong_answers, checker.context = exercise_id, list(wrong), context
        return checker
    return register


def checks_of(notebook: str) -> dict[str, Callable]:
    """The checkers of one notebook ("03"), by exercise id."""
    if notebook not in NOTEBOOKS:
        raise ValueError(f"no exercises for notebook {notebook!r}: the notebooks are {', '.join(NOTEBOOKS)}.")
    module = importlib.import_module(f"utils.exercises.nb{notebook}")
    return {f.exercise_id: f for f in vars(module).values() if callable(f) and hasattr(f, "exercise_id")}


def check(exercise_id: str, answer: Any = ..., **context: Any) -> Result:
    """Check an answer to exercise ``exercise_id`` ("NN.K"), print the verdict and return it.

    Never raises on the learner's answer; raises ValueError only for an id that does not exist.
    """
    if not isinstance(exercise_id, str) or not re.fullmatch(r"\d\d\.\d+", exercise_id):
        raise ValueError(f"exercise ids look like '03.2' (notebook.number), got {exercise_id!r}.")
    checks = checks_of(exercise_id[:2])
    if exercise_id not in checks:
        raise ValueError(f"no exercise {exercise_id!r}; notebook {exercise_id[:2]} has {', '.join(sorted(checks))}.")
    checker = checks[exercise_id]
    missing = [name for name in checker.context if name not in context]
    if missing and answer is not ...:
        raise ValueError(f"check({exercise_id!r}, answer, ...) also needs {', '.join(f'{m}={m}' for m in missing)}.")
    result = run_check(exercise_id, checker, answer, context)
    print(result)
    return result


__all__ = ["Result", "check", "checks_of", "exercise"]
