"""Reference solutions for notebook 06 (tokens and embeddings). Try the exercises first.

Each function returns the answer its exercise's check expects; parameters are named after the
notebook's own objects. `make solutions NB=06` shows the notebook with these filled in.
"""

from collections import Counter

from utils.bpe import BytePairTokenizer


def solve_06_1(merge_pair):
    text = "aaabdaaabac"
    counts = Counter(zip(text, text[1:]))
    pair = max(counts, key=counts.get)
    return "".join(pair), len(merge_pair(tuple(text), pair, "".join(pair)))


def solve_06_2():
    return 5_000 * 64 * 4 / 1e6


def solve_06_3(train_bpe, bpe_text, num_merges, val_text):
    more = BytePairTokenizer(train_bpe(bpe_text, 2 * num_merges))
    return len(val_text) / len(more.encode(val_text))
