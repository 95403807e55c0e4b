"""The exercise checks speak Russian in the Russian notebooks (issue 21).

With ``utils.setup(lang="ru")`` every message a check prints — right, a hint for a wrong answer, a
hint for nonsense, "not attempted" — is Russian: it has Cyrillic letters and no word of the English
check messages outside code spans (`...`). The answers and contexts are those of
tests/test_exercises.py (every solution, every registered wrong answer, nonsense, an empty starter).
"""

from __future__ import annotations

import re

import pytest
from test_exercises import ALL_IDS, arguments, solve

from utils import i18n
from utils.exercises import check, checks_of
from utils.exercises.base import Derived

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
WORD = re.compile(r"[A-Za-z]*[a-z]{3,}[A-Za-z]*")
CODE = re.compile(r"`[^`]*`")
# Names a Russian message keeps in Latin letters.
KEPT = {"softmax", "tanh", "sigmoid", "ReLU", "numel", "torch", "numpy", "float", "int", "list", "None", "return",
        "def", "True", "False", "NaN", "BPE", "LoRA", "Adam", "Chinchilla", "logits", "forty", "two", "object"}


def english_words() -> set[str]:
    """Every word of the English check messages (utils/locales/en/exercises.*.json)."""
    words = set()
    for key, text in i18n.strings("en").items():
        if key.startswith("exercises."):
            words |= set(WORD.findall(CODE.sub(" ", text)))
    return words - KEPT


ENGLISH = english_words()


def assert_russian(message: str, what: str) -> None:
    prose = CODE.sub(" ", message)
    assert CYRILLIC.search(prose), f"{what}: the message is not in Russian: {message!r}"
    left = set(WORD.findall(prose)) & ENGLISH
    assert not left, f"{what}: English words {sorted(left)} in {message!r}"


@pytest.fixture(autouse=True)
def russian():
    with i18n.speaking("ru"):
        yield


@pytest.mark.parametrize("nb,eid", ALL_IDS)
def test_every_message_of_a_check_is_russian(nb, eid):
    checker = checks_of(nb)[eid]
    context = arguments(checker, nb)
    assert_russian(check(eid, solve(nb, eid), **context).message, f"{eid} right")
    for wrong in checker.wrong_answers:
        if isinstance(wrong, Derived):
            wrong = wrong.make(**context)
        assert_russian(check(eid, wrong, **context).message, f"{eid} wrong {wrong!r:.40}")
    for nonsense in ("forty-two", [1, 2], object(), ...):
        assert_russian(check(eid, nonsense, **context).message, f"{eid} nonsense {nonsense!r:.40}")


def test_an_english_message_is_caught():
    with pytest.raises(AssertionError, match="not in Russian"):
        assert_russian("do more heads mean more weights?", "planted")
