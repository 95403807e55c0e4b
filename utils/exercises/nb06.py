"""Checks for notebook 06 (tokens and embeddings)."""

from __future__ import annotations

from utils.exercises import exercise
from utils.exercises.base import Derived, close, hint, number, numbers, right

INTRODUCED_IN = "06"

TOY = "aaabdaaabac"


@exercise("06.1", wrong=[("ab", 9), ("aa", 7), ("aa", 11)])
def first_merge(answer):
    try:
        pair, count = answer
    except (TypeError, ValueError):
        raise hint("expected a pair: (the two characters merged first as a string, the number of tokens after).") \
            from None
    count = number(count, "the number of tokens after the merge")
    if pair != "aa":
        raise hint(f"count every adjacent pair of {TOY!r} (overlaps included): which one occurs most often?")
    if count == len(TOY) - 4:
        raise hint("'aaa' holds two overlapping 'aa' pairs, but a merge replaces them left to right without "
                   "overlap: 'aaa' becomes 'aa' + 'a'.")
    if count == len(TOY):
        raise hint("that is the length before the merge: every replaced pair turns two tokens into one.")
    if count != 9:
        raise hint("apply merge_pair to the characters: replace each 'a','a' from left to right by one token.")
    raise right("'aa' occurs 4 times (counting overlaps), but merging left to right replaces only 2 of them: "
                "11 characters become 9 tokens. Counting and merging are different steps.")


@exercise("06.2", wrong=[0.32, 1.2207, 100.0, 1.28e6])
def embedding_megabytes(answer):
    value = number(answer, "a size in megabytes")
    exact = 5_000 * 64 * 4 / 1e6
    if close(value, exact, rel=1e-3):
        raise right("5,000 rows × 64 numbers × 4 bytes = 1.28 MB; the one-hot table would be 5,000 × 5,000, "
                    "78 times bigger, and almost all zeros.")
    if close(value, exact / 4, rel=1e-3):
        raise hint("each float32 number takes 4 bytes.")
    if close(value, exact * 1e6 / 2**20, rel=1e-3):
        raise hint("that is in MiB (2^20 bytes); a megabyte here is 10^6 bytes.")
    if close(value, exact * 1e6, rel=1e-3):
        raise hint("that is in bytes; give megabytes (10^6 bytes).")
    if close(value, 5_000 * 5_000 * 4 / 1e6, rel=1e-3):
        raise hint("that is a one-hot table (V × V); the embedding has V rows of d numbers.")
    raise hint("the table has one row of d numbers per word: V·d numbers, 4 bytes each.")


@exercise("06.3", wrong=[Derived(lambda ours_per_token: ours_per_token),
                         Derived(lambda ours_per_token: 0.8 * ours_per_token), 0.5],
          context=("ours_per_token",))
def more_merges(answer, ours_per_token):
    value = numbers([answer], 1, "characters per token on the validation text")[0]
    if value < 1:
        raise hint("characters per token: len(val_text) / len(tokens), at least 1 for this text.")
    if close(value, ours_per_token, rel=1e-6):
        raise hint("exactly as before: did you train with 2 * num_merges and encode with the new tokenizer?")
    if value < ours_per_token:
        raise hint("fewer characters per token than before: more merges can only build longer tokens. "
                   "Did you train on the same bpe_text?")
    raise right(f"{value:.2f} instead of {ours_per_token:.2f} characters per token: each merge builds a longer "
                "token, so sequences shrink, at the price of a bigger vocabulary (a bigger embedding table).")
