"""What every exercise check is made of: a result, the three verdicts, and safe ways to read an answer.

A check never raises on a learner's answer: an untouched starter is "not attempted yet", a wrong or
malformed answer is a hint, so a notebook still runs top to bottom in class and under nbval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..i18n import t

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


def not_attempted(extra: str = "") -> str:
    """The message for an untouched starter, in the learner's language."""
    return t("exercises.base.not_attempted") + extra


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
        raise Verdict(None, not_attempted())
    if not callable(function):
        raise hint(t("exercises.base.not_a_function", kind=type(function).__name__))
    try:
        value = function(*args)
    except NotImplementedError:
        raise Verdict(None, not_attempted()) from None
    except Exception as error:  # the learner's code: report it, never crash the notebook
        raise hint(t("exercises.base.function_raised", kind=type(error).__name__, error=error)) from None
    if value is None:
        raise Verdict(None, not_attempted(t("exercises.base.returns_none")))
    return value


def number(answer: Any, what: str | None = None) -> float:
    """The answer as a float, or a hint that says what was expected (``what``: in the learner's language)."""
    try:
        return float(answer)
    except (TypeError, ValueError):
        what = t("exercises.base.a_number") if what is None else what
        raise hint(t("exercises.base.expected", what=what, kind=type(answer).__name__, answer=f"{answer!r:.60}")) from None


def numbers(answer: Any, length: int, what: str) -> list[float]:
    """The answer as a list of ``length`` floats (a list, tuple or array)."""
    try:
        values = [float(v) for v in answer]
    except (TypeError, ValueError):
        raise hint(t("exercises.base.expected_list", what=what, length=length, kind=type(answer).__name__)) from None
    if len(values) != length:
        raise hint(t("exercises.base.expected_length", what=what, length=length, got=len(values)))
    return values


def close(value: float, target: float, rel: float = 1e-6, abs_: float = 1e-9) -> bool:
    return abs(value - target) <= max(rel * abs(target), abs_)


def run_check(exercise: str, checker: Callable[..., Any], answer: Any, context: dict[str, Any]) -> Result:
    """Run one checker on an answer and turn whatever happens into a Result."""
    if untouched(answer):
        return Result(exercise, None, not_attempted())
    try:
        checker(answer, **context)
    except Verdict as verdict:
        return Result(exercise, verdict.ok, verdict.message)
    except Exception as error:  # a malformed answer the checker did not foresee: a hint, not a crash
        return Result(exercise, False, t("exercises.base.could_not_check", kind=type(error).__name__, error=error))
    return Result(exercise, False, t("exercises.base.nothing_to_say"))
