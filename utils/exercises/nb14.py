"""Checks for notebook 14 (the capstone: your own GPT on your own text)."""

from __future__ import annotations

import math
from collections import Counter

from utils.exercises import exercise
from utils.exercises.base import Derived, call, close, hint, number, numbers, right
from utils.i18n import t

INTRODUCED_IN = "14"

TOKENS, PROBABILITY, CHARACTERS = 6, 1 / 8, 15


@exercise("14.1", wrong=[TOKENS * math.log(8) / CHARACTERS, 3.0, TOKENS * 3.0, CHARACTERS / (TOKENS * 3)])
def bits_by_hand(answer):
    value = number(answer, t("exercises.nb14.what_bits_per_character"))
    bits = TOKENS * -math.log2(PROBABILITY) / CHARACTERS
    if close(value, bits, rel=1e-4):
        raise right(t("exercises.nb14.bits_right", bits=bits))
    if close(value, bits * math.log(2), rel=1e-4):
        raise hint(t("exercises.nb14.bits_nats"))
    if close(value, 3.0, rel=1e-4):
        raise hint(t("exercises.nb14.bits_per_token"))
    if close(value, 18.0, rel=1e-4):
        raise hint(t("exercises.nb14.bits_whole_text"))
    if close(value, 1 / bits, rel=1e-4):
        raise hint(t("exercises.nb14.bits_upside_down"))
    raise hint(t("exercises.nb14.bits_formula"))


def gpt_compute(vocab_size: int) -> int:
    """Parameters in matrix products of the race's GPT (all but the position table), as the notebook counts."""
    from utils.models import GPT, GPTConfig
    model = GPT(GPTConfig(vocab_size=vocab_size, block_size=64, n_layer=2, n_head=4, n_embd=64))
    return model.num_parameters() - model.position_embedding.weight.numel()


def equal_compute_steps(race) -> int:
    return round(race["characters"]["steps"] * race["characters"]["n"] / gpt_compute(256 + 1500))


@exercise("14.2", wrong=[Derived(lambda race: race["characters"]["steps"]),
                         Derived(lambda race: race["BPE"]["steps"]),
                         Derived(lambda race: round(race["characters"]["steps"] * gpt_compute(1756) / race["characters"]["n"]))],
          context=("race",))
def steps_at_equal_compute(answer, race):
    value = number(answer, t("exercises.nb14.what_steps"))
    steps, expected = race["characters"]["steps"], equal_compute_steps(race)
    if abs(value - expected) <= 1:
        raise right(t("exercises.nb14.steps_right", expected=expected, bpe_steps=race["BPE"]["steps"], steps=steps))
    if value == steps:
        raise hint(t("exercises.nb14.steps_equal_steps"))
    if value == race["BPE"]["steps"]:
        raise hint(t("exercises.nb14.steps_race_bpe"))
    if value > steps:
        raise hint(t("exercises.nb14.steps_more"))
    raise hint(t("exercises.nb14.steps_formula"))


def reference_unigram_bits(train_text: str, held_out_text: str) -> float:
    counts, alphabet = Counter(train_text), set(train_text) | set(held_out_text)
    total = len(train_text) + len(alphabet)
    return sum(-math.log2((counts[c] + 1) / total) for c in held_out_text) / len(held_out_text)


def unigram_in_nats(train_text, held_out_text):
    return reference_unigram_bits(train_text, held_out_text) * math.log(2)


def unigram_counting_held_out(train_text, held_out_text):
    return reference_unigram_bits(train_text + held_out_text, held_out_text)


def unigram_without_add_one(train_text, held_out_text):
    counts = Counter(train_text)
    probs = [counts[c] / len(train_text) for c in held_out_text]
    return sum(-math.log2(p) if p else math.inf for p in probs) / len(held_out_text)


CASES = [("to be or not to be", "not a bee"), ("aaaab", "ab"), ("abcabcabd", "dcba!")]


@exercise("14.3", wrong=[unigram_in_nats, unigram_counting_held_out, unigram_without_add_one])
def unigram_baseline(answer):
    for train_text, held_out_text in CASES:
        value = number(call(answer, train_text, held_out_text), t("exercises.nb14.what_bits_per_character"))
        expected = reference_unigram_bits(train_text, held_out_text)
        if close(value, expected, rel=1e-6):
            continue
        if not math.isfinite(value):
            raise hint(t("exercises.nb14.unigram_infinite", held_out=held_out_text, value=value))
        if close(value, expected * math.log(2), rel=1e-6):
            raise hint(t("exercises.nb14.unigram_nats"))
        if close(value, reference_unigram_bits(train_text + held_out_text, held_out_text), rel=1e-6):
            raise hint(t("exercises.nb14.unigram_peek"))
        raise hint(t("exercises.nb14.unigram_formula", train=train_text, held_out=held_out_text, value=value,
                     expected=expected))
    raise right(t("exercises.nb14.unigram_right"))


@exercise("14.4", wrong=[(0.0, 0.0), (0.3, 0.3), (0.0, 1e-9), (0.02, 0.05)])
def slices_of_a_batch(answer):
    equal, unequal = numbers(answer, 2, t("exercises.nb14.what_gaps"))
    if min(equal, unequal) < 0:
        raise hint(t("exercises.nb14.slices_absolute"))
    if equal > 1e-5:
        raise hint(t("exercises.nb14.slices_equal", equal=equal))
    if unequal < 1e-6:
        raise hint(t("exercises.nb14.slices_vanish"))
    raise right(t("exercises.nb14.slices_right"))
