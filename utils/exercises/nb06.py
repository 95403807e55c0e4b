"""Checks for notebook 06 (tokens and embeddings)."""

from __future__ import annotations

from utils.exercises import exercise
from utils.exercises.base import Derived, close, hint, number, numbers, right
from utils.i18n import t

INTRODUCED_IN = "06"

TOY = "aaabdaaabac"


@exercise("06.1", wrong=[("ab", 9), ("aa", 7), ("aa", 11)])
def first_merge(answer):
    try:
        pair, count = answer
    except (TypeError, ValueError):
        raise hint(t("exercises.nb06.expected_pair")) from None
    count = number(count, t("exercises.nb06.what_tokens_after"))
    if pair != "aa":
        raise hint(t("exercises.nb06.most_frequent", toy=TOY))
    if count == len(TOY) - 4:
        raise hint(t("exercises.nb06.no_overlap"))
    if count == len(TOY):
        raise hint(t("exercises.nb06.length_before"))
    if count != 9:
        raise hint(t("exercises.nb06.apply_merge"))
    raise right(t("exercises.nb06.merge_right"))


@exercise("06.2", wrong=[0.32, 1.2207, 100.0, 1.28e6])
def embedding_megabytes(answer):
    value = number(answer, t("exercises.nb06.what_megabytes"))
    exact = 5_000 * 64 * 4 / 1e6
    if close(value, exact, rel=1e-3):
        raise right(t("exercises.nb06.megabytes_right"))
    if close(value, exact / 4, rel=1e-3):
        raise hint(t("exercises.nb06.four_bytes"))
    if close(value, exact * 1e6 / 2**20, rel=1e-3):
        raise hint(t("exercises.nb06.mib"))
    if close(value, exact * 1e6, rel=1e-3):
        raise hint(t("exercises.nb06.bytes"))
    if close(value, 5_000 * 5_000 * 4 / 1e6, rel=1e-3):
        raise hint(t("exercises.nb06.one_hot"))
    raise hint(t("exercises.nb06.rows"))


@exercise("06.3", wrong=[Derived(lambda ours_per_token: ours_per_token),
                         Derived(lambda ours_per_token: 0.8 * ours_per_token), 0.5],
          context=("ours_per_token",))
def more_merges(answer, ours_per_token):
    value = numbers([answer], 1, t("exercises.nb06.what_per_token"))[0]
    if value < 1:
        raise hint(t("exercises.nb06.at_least_one"))
    if close(value, ours_per_token, rel=1e-6):
        raise hint(t("exercises.nb06.as_before"))
    if value < ours_per_token:
        raise hint(t("exercises.nb06.fewer"))
    raise right(t("exercises.nb06.merges_right", value=value, ours_per_token=ours_per_token))
