"""What every exercise check is made of: a result, the three verdicts, and safe ways to read an answer.

A check never raises on a learner's answer: an untouched starter is "not attempted yet", a wrong or
malformed answer is a hint, so a notebook still runs top to bottom in class and under nbval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

INTRODUCED_IN = "01"


@dataclass(frozen=True)
class Result:
    """What a check found: ``ok`` is True (right), False (wrong, with a hint) or None (not attempted)."""

    exercise: str
    ok: bool | None
    message: str

    def __str__(self) -> str:
        mark = {True: "✓", False: "✗", None: "…"}[self.ok]
        return f"{mark} {self.exercise}: {self.message}"


class Verdict(Exception):
    """Raised inside a check to stop it with a verdict (ok, message)."""

    def __init__(self, ok: bool | None, message: str):
        super().__init__(message)
        self.ok, self.message = ok, message


NOT_ATTEMPTED = "not attempted yet: replace the `...` with your answer (or complete the function) and run again."


@dataclass(frozen=True)
class Derived:
    """A registered wrong answer computed from the notebook's objects (``context``), e.g. the loss of
    a fit that forgot the bias: tests call ``make(**context)`` to get the value."""

    make: Callable[..., Any]


def right(why: str) -> Verdict:
    return Verdict(True, why)


def hint(message: str) -> Verdict:
    return Verdict(False, message)


def untouched(answer: Any) -> bool:
    """The starter value: ``...`` (Ellipsis) or None."""
    return answer is ... or answer is None


def call(function: Any, *args: Any) -> Any:
    """Call the learner's function; a function still raising NotImplementedError or returning None
    (the body is still ``...``) is "not attempted", an error in it becomes a hint."""
    if untouched(function):
        raise Verdict(None, NOT_ATTEMPTED)
    if not callable(function):
        raise hint(f"expected a function, got {type(function).__name__}: define it with `def` and pass its name.")
    try:
        value = function(*args)
    except NotImplementedError:
        raise Verdict(None, NOT_ATTEMPTED) from None
    except Exception as error:  # the learner's code: report it, never crash the notebook
        raise hint(f"your function raised {type(error).__name__}: {error}") from None
    if value is None:
        raise Verdict(None, NOT_ATTEMPTED + " (your function returns None: did you forget `return`?)")
    return value


def number(answer: Any, what: str = "a number") -> float:
    """The answer as a float, or a hint that says what was expected."""
    try:
        return float(answer)
    except (TypeError, ValueError):
        raise hint(f"expected {what}, got {type(answer).__name__} {answer!r:.60}") from None


def numbers(answer: Any, length: int, what: str) -> list[float]:
    """The answer as a list of ``length`` floats (a list, tuple or array)."""
    try:
        values = [float(v) for v in answer]
    except (TypeError, ValueError):
        raise hint(f"expected {what}: {length} numbers in a list, got {type(answer).__name__}") from None
    if len(values) != length:
        raise hint(f"expected {length} numbers ({what}), got {len(values)}.")
    return values


def close(value: float, target: float, rel: float = 1e-6, abs_: float = 1e-9) -> bool:
    return abs(value - target) <= max(rel * abs(target), abs_)


def run_check(exercise: str, checker: Callable[..., Any], answer: Any, context: dict[str, Any]) -> Result:
    """Run one checker on an answer and turn whatever happens into a Result."""
    if untouched(answer):
        return Result(exercise, None, NOT_ATTEMPTED)
    try:
        checker(answer, **context)
    except Verdict as verdict:
        return Result(exercise, verdict.ok, verdict.message)
    except Exception as error:  # a malformed answer the checker did not foresee: a hint, not a crash
        return Result(exercise, False, f"could not check this answer ({type(error).__name__}: {error}); "
                                       "look at the starter cell for the expected form.")
    return Result(exercise, False, "the check found nothing to say (a bug in the check: please report it).")
