"""Checks for notebook 14 (the capstone: your own GPT on your own text)."""

from __future__ import annotations

import math
from collections import Counter

from utils.exercises import exercise
from utils.exercises.base import Derived, call, close, hint, number, numbers, right

INTRODUCED_IN = "14"

TOKENS, PROBABILITY, CHARACTERS = 6, 1 / 8, 15


@exercise("14.1", wrong=[TOKENS * math.log(8) / CHARACTERS, 3.0, TOKENS * 3.0, CHARACTERS / (TOKENS * 3)])
def bits_by_hand(answer):
    value = number(answer, "bits per character, one number")
    bits = TOKENS * -math.log2(PROBABILITY) / CHARACTERS
    if close(value, bits, rel=1e-4):
        raise right(f"each token costs log2 8 = 3 bits, 6 tokens 18 bits, spread over 15 characters: {bits:.2f}. "
                    "The tokens are only the way the model pays; the characters are what it describes.")
    if close(value, bits * math.log(2), rel=1e-4):
        raise hint("those are nats per character: divide by ln 2 (or use log base 2) to get bits.")
    if close(value, 3.0, rel=1e-4):
        raise hint("3 bits is the cost per token; divide the total by the number of characters, not tokens.")
    if close(value, 18.0, rel=1e-4):
        raise hint("18 bits is the whole text; per character, divide by the 15 characters.")
    if close(value, 1 / bits, rel=1e-4):
        raise hint("upside down: bits (total) over characters.")
    raise hint("total bits = tokens × (−log2 p); then divide by the characters: bits_per_character(total_nats, 15) "
               "takes the total in nats.")


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
    value = number(answer, "a number of training steps")
    steps, expected = race["characters"]["steps"], equal_compute_steps(race)
    if abs(value - expected) <= 1:
        raise right(f"{expected} steps, against {race['BPE']['steps']} for the race's BPE and {steps} for characters: "
                    "1,000 more tokens in the vocabulary make every step's output layer bigger, so at equal compute "
                    "the model trains for fewer steps, and its rarer tokens are seen less often.")
    if value == steps:
        raise hint("equal compute, not equal steps: a BPE step costs more (its output layer is bigger).")
    if value == race["BPE"]["steps"]:
        raise hint("those are the steps of the race's BPE (500 merges in the full run); with 1,500 merges the "
                   "vocabulary is 256 + 1,500 tokens.")
    if value > steps:
        raise hint("more steps than the character model? The bigger model must get fewer: steps × N is what stays "
                   "equal, so steps_BPE = steps_characters × N_characters / N_BPE.")
    raise hint("build the race's GPT with vocab_size = 256 + 1500, count N as compute_per_token does, then "
               "steps_BPE = round(steps_characters × N_characters / N_BPE).")


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
        value = number(call(answer, train_text, held_out_text), "bits per character, one number")
        expected = reference_unigram_bits(train_text, held_out_text)
        if close(value, expected, rel=1e-6):
            continue
        if not math.isfinite(value):
            raise hint(f"on held-out {held_out_text!r} you return {value}: a character the training text never shows "
                       "gets probability 0. Add one to the count of every character of the alphabet.")
        if close(value, expected * math.log(2), rel=1e-6):
            raise hint("those are nats; use math.log2 for bits per character.")
        if close(value, reference_unigram_bits(train_text + held_out_text, held_out_text), rel=1e-6):
            raise hint("count the characters of the training text only: counting the held-out text lets the "
                       "baseline peek at the answers.")
        raise hint(f"on ({train_text!r}, {held_out_text!r}) you return {value:.4f}, expected {expected:.4f}: "
                   "p(c) = (count in train + 1) / (len(train) + alphabet size), alphabet = characters of both "
                   "texts; average −log2 p(c) over the held-out characters.")
    raise right("the unigram knows only how often each character appears, nothing about order: the floor any "
                "model with context must beat by far (compare your GPT's line in section 5).")


@exercise("14.4", wrong=[(0.0, 0.0), (0.3, 0.3), (0.0, 1e-9), (0.02, 0.05)])
def slices_of_a_batch(answer):
    equal, unequal = numbers(answer, 2, "(largest |difference| with slices 8 + 8, with slices 10 + 6)")
    if min(equal, unequal) < 0:
        raise hint("give the largest absolute difference: (a - b).abs().max().")
    if equal > 1e-5:
        raise hint(f"with equal slices the average of the slices' gradients should equal the whole batch's (up to "
                   f"rounding, < 1e-5), got {equal:.2g}: are both losses means (reduction='mean'), and did you zero "
                   "the gradients (or use torch.autograd.grad) between the slices?")
    if unequal < 1e-6:
        raise hint("with slices of 10 and 6 the plain average counts each of the 6 examples more than each of the 10; "
                   "the difference should not vanish. Did you really split 10 + 6?")
    raise right("the average of mean gradients is the batch's mean gradient only when the slices are equal; with "
                "unequal slices each must be weighted by its size. That is why DDP cuts the global batch into "
                "equal slices, one per process.")
