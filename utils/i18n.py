"""The course in more than one language: every sentence a learner sees from `utils` comes from here.

The strings live in ``utils/locales/<lang>/<topic>.json``: one folder per language, one file per
topic (``perceptron.json``, ``attention.json``, ``diagram.gpt.json``, ...), the same files and keys
in every language (tests/test_i18n.py checks). A key starts with its file's name: ``perceptron.reset``
is in ``perceptron.json``, ``diagram.gpt.block`` in ``diagram.gpt.json`` (or ``diagram.json``). Choose the language with ``utils.setup(lang="ru")`` (the Russian
notebooks' setup cell does) or the environment variable ``COURSE_LANG=ru``; English otherwise.
Code asks for a string by its key: ``t("perceptron.reset")``, with ``{placeholders}`` filled from
keyword arguments: ``t("perceptron.step_title", step=3)``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

INTRODUCED_IN = "00"

LANG_ENV_VAR = "COURSE_LANG"
DEFAULT_LANG = "en"
LOCALES = Path(__file__).resolve().parent / "locales"

_chosen: str | None = None  # set by set_language(); None: the environment variable decides


def languages() -> list[str]:
    """The languages the course speaks: one per folder in utils/locales/."""
    return sorted(path.name for path in LOCALES.iterdir() if path.is_dir() and any(path.glob("*.json")))


def check_language(lang: object) -> str:
    """``lang`` if the course speaks it; otherwise an error listing the languages it does."""
    if not isinstance(lang, str) or lang not in languages():
        raise ValueError(f"unknown language {lang!r}: choose one of {languages()} "
                         f"(a new language is a new file in {LOCALES.name}/, see README).")
    return lang


def set_language(lang: str | None) -> None:
    """Speak ``lang`` from now on; ``None`` goes back to ``COURSE_LANG`` (or English)."""
    global _chosen
    _chosen = None if lang is None else check_language(lang)


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Speak ``lang`` inside a ``with`` block, then go back to what was chosen before."""
    global _chosen
    before, _chosen = _chosen, check_language(lang)
    try:
        yield
    finally:
        _chosen = before


def language() -> str:
    """The language in use: the one chosen by ``set_language``/``setup``, else ``COURSE_LANG``, else English."""
    if _chosen is not None:
        return _chosen
    from_env = os.environ.get(LANG_ENV_VAR, "").strip()
    return check_language(from_env) if from_env else DEFAULT_LANG


def topic_files(lang: str) -> list[Path]:
    """The string files of one language: ``utils/locales/<lang>/*.json``, one per topic."""
    return sorted((LOCALES / check_language(lang)).glob("*.json"))


@cache
def strings(lang: str) -> dict[str, str]:
    """All the strings of one language, by key, from all its topic files (read once)."""
    table: dict[str, str] = {}
    for path in topic_files(lang):
        try:
            part = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"{path.relative_to(LOCALES.parent)} is not valid JSON ({error}): fix that line.") from None
        for key, text in part.items():
            if not key.startswith(path.stem + "."):
                raise ValueError(f"key {key!r} in {path.relative_to(LOCALES.parent)} must start with "
                                 f"{path.stem + '.'!r}: move it to the file its first word names.")
            if key in table:
                raise ValueError(f"key {key!r} is in two files of {LOCALES.name}/{lang}/: keep it in one.")
            table[key] = text
    return table


def t_in(lang: str, key: str, **fmt: object) -> str:
    """The string ``key`` in language ``lang``, its ``{placeholders}`` filled from ``fmt``."""
    table = strings(lang)
    if key not in table:
        topic = key.split(".")[0]
        raise KeyError(f"no string {key!r} in {LOCALES.name}/{lang}/{topic}.json: add it "
                       "(every language needs every key).")
    return table[key].format(**fmt) if fmt else table[key]


def t(key: str, **fmt: object) -> str:
    """The string ``key`` in the language in use, e.g. ``t("perceptron.reset")``."""
    return t_in(language(), key, **fmt)
