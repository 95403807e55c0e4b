# %% [markdown]
# # 06 · Tokens and embeddings: how text becomes numbers
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/06_tokens_embeddings.ipynb)
#
# **What you will learn**
# - the trade-off between characters, words and subwords: vocabulary size against sequence length;
# - byte-pair encoding (BPE), the tokenizer of GPT-2 and GPT-4, built from scratch and trained on Shakespeare;
# - the real GPT-2, GPT-4 and GPT-4o tokenizers (offline), and why the same sentence costs more tokens in Russian or Bengali;
# - one-hot versus dense vectors, and word embeddings trained with skip-gram on Shakespeare;
# - what nearest neighbours and analogies do and do not show at this small scale.
#
# **Time:** about 60 minutes. **Needs:** notebook 05 (character-level models), a little linear algebra (dot products).

# %%
# Setup (the same cell in every notebook): on Colab it first installs the course's `utils` package.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "nn-course @ git+https://github.com/nn-course/nn-course"], check=True)
import utils

utils.setup()

# %% [markdown]
# ## 1. Characters, words or something in between?
#
# A language model reads and writes **tokens**: pieces of text, each with an integer id. Notebook
# 05 used characters. Whole words are the other extreme. Each choice has a price:
#
# - **characters**: a tiny vocabulary (64 symbols in tiny Shakespeare) and no unknown tokens, but very
#   long sequences: the model must learn spelling and spends many steps per word;
# - **words**: short sequences, but a huge vocabulary, and any word not seen in training
#   (a name, a typo, "unsex'd") is *unknown*;
# - **subwords**: frequent words are one token, rare ones are split into known pieces. This is what
#   GPT models use.
#
# We measure all three on the tiny Shakespeare corpus: the training part sets the vocabulary,
# the validation part is what we encode.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what goes wrong with a vocabulary of whole words when someone types "unsex'd"?
# > Land: characters are long, words have unknowns, subwords sit in between with no unknowns.

# %%
import re

from utils.data import CharTokenizer, shakespeare, shakespeare_split, tiktoken_encoding

train_text, val_text = shakespeare_split("tiny", "train"), shakespeare_split("tiny", "val")
WORD = re.compile(r"\w+(?:'\w+)?|[^\w\s]")             # words (with apostrophes) and single punctuation marks

chars = CharTokenizer(train_text + val_text)
train_words = set(WORD.findall(train_text))
val_words = WORD.findall(val_text)
unknown = sum(w not in train_words for w in val_words)
real = {name: tiktoken_encoding(key) for name, key in
        (("GPT-2", "gpt2"), ("GPT-4 (cl100k)", "cl100k_base"), ("GPT-4o (o200k)", "o200k_base"))}

rows = [("characters", chars.vocab_size, len(val_text), 0),
        ("words", len(train_words), len(val_words), unknown)]
rows += [(name, enc.n_vocab, len(enc.encode(val_text)), 0) for name, enc in real.items()]
print(f"validation text: {len(val_text):,} characters\n")
print(f"{'tokenizer':<16}{'vocabulary':>12}{'tokens':>10}{'chars/token':>13}{'unknown':>9}")
for name, vocab, n_tokens, n_unknown in rows:
    print(f"{name:<16}{vocab:>12,}{n_tokens:>10,}{len(val_text) / n_tokens:>13.2f}{n_unknown:>9,}")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, NullFormatter

fig, ax = plt.subplots(figsize=(6, 3.6))
# (offset in points, alignment): the GPT-4 and GPT-4o points sit close, so one label goes below its point
label_places = {"GPT-4 (cl100k)": ((0, -16), "center"), "words": ((-8, -14), "right")}
for name, vocab, n_tokens, n_unknown in rows:
    words = name == "words"   # the only one that cannot encode every text: a different mark says so
    ax.scatter(vocab, n_tokens, s=60, marker="X" if words else "o", color="tab:orange" if words else "tab:blue")
    label = f"words ({n_unknown:,} unknown)" if words else name
    offset, align = label_places.get(name, ((6, 4), "left"))
    ax.annotate(label, (vocab, n_tokens), textcoords="offset points", xytext=offset, fontsize=9, ha=align)
ax.set(xscale="log", yscale="log", xlabel="vocabulary size (log scale)", ylabel="tokens for the validation text",
       title="the trade-off: bigger vocabulary, shorter sequences", xlim=(30, 1e6), ylim=(18_000, 160_000))
plain = FuncFormatter(lambda value, _: f"{value:,.0f}")   # 60,000 rather than 6×10⁴
for axis in (ax.xaxis, ax.yaxis):
    axis.set_major_formatter(plain)
    axis.set_minor_formatter(NullFormatter())
ax.set_yticks([20_000, 50_000, 100_000])
plt.show()

# %% [markdown]
# **Check.** Characters give the smallest vocabulary and the longest sequences; words the shortest
# sequences but unknown words in new text; GPT's subword tokenizers sit in between with no unknowns
# (they work on bytes, so any text can be encoded).

# %%
sizes = {name: (vocab, n) for name, vocab, n, _ in rows}
assert sizes["characters"][0] < sizes["words"][0] < sizes["GPT-2"][0]
assert sizes["characters"][1] > 2.5 * sizes["GPT-2"][1] and sizes["GPT-2"][1] < 1.5 * sizes["words"][1]
assert unknown > 0, "new text always brings new words"
assert all(enc.decode(enc.encode(val_text[:20_000])) == val_text[:20_000] for enc in real.values())

# %% [markdown]
# ## 2. Byte-pair encoding from scratch
#
# Byte-pair encoding began as a data-compression algorithm (Philip Gage, "A New Algorithm for Data
# Compression", *The C Users Journal* 12(2), 1994): replace the most frequent pair of bytes by a
# byte that does not occur, and repeat. [Sennrich et al. (2016)](https://arxiv.org/abs/1508.07909)
# turned it into a way to build a subword vocabulary for translation, and GPT-2 runs it on bytes
# ([Radford et al., 2019](https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf)).
# It builds the vocabulary bottom-up:
#
# 1. Start with the 256 possible **bytes** (UTF-8 turns any text, in any script, into bytes).
# 2. Count every pair of adjacent tokens in the training text.
# 3. Replace the most frequent pair everywhere by a new token; remember this **merge**.
# 4. Repeat until the vocabulary has the size you want.
#
# Encoding new text replays the merges in the order they were learned. Like GPT-2, we first cut
# text into word-like chunks (`" the"`, `","`, `"\n"`) so that merges never cross word boundaries;
# each distinct chunk is counted once with its frequency, which makes training fast.

# %% [markdown]
# ![Byte-pair encoding of 'the theme': 9 UTF-8 bytes; merge 1 turns each t h pair into token 256, merge 2 turns 256 e into 257, leaving the 5 ids 257, 32, 257, 109, 101](../images/tokenisation.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask the class to guess the first merge on Shakespeare before running (spaces glued to letters).
# > Land: BPE is counting pairs and merging, again and again; encoding replays the merges in order.

# %%
from collections import Counter

from tqdm.auto import tqdm

from utils.bpe import chunk_text

print(chunk_text("ROMEO:\nBut, soft! what light"))
print(list(b"soft"), list("мир".encode()), "← each Cyrillic letter is 2 bytes in UTF-8")


def pair_counts(chunks):
    """chunks: {tuple of token ids: frequency}. Returns a Counter of adjacent pairs."""
    counts = Counter()
    for tokens, freq in chunks.items():
        for pair in zip(tokens, tokens[1:]):
            counts[pair] += freq
    return counts


def merge_pair(tokens, pair, new_id):
    """Replace each occurrence of `pair` in `tokens` (left to right) by `new_id`."""
    out, i = [], 0
    while i < len(tokens):
        if i + 1 < len(tokens) and (tokens[i], tokens[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return tuple(out)


def train_bpe(text, num_merges, show=0):
    """Learn `num_merges` merges; print the first `show` of them. Returns {pair: new id}."""
    chunks = Counter(tuple(chunk.encode("utf-8")) for chunk in chunk_text(text))
    vocab = {i: bytes([i]) for i in range(256)}
    merges, seen = {}, []
    for k in tqdm(range(num_merges), desc="BPE merges", disable=num_merges < 100):
        counts = pair_counts(chunks)
        if not counts:
            break
        # The most frequent pair; ties broken by the smaller ids, so runs are reproducible.
        pair, freq = max(counts.items(), key=lambda item: (item[1], -item[0][0], -item[0][1]))
        if freq < 2:
            break
        new_id = 256 + k
        merges[pair] = new_id
        vocab[new_id] = vocab[pair[0]] + vocab[pair[1]]
        chunks = {merge_pair(t, pair, new_id) if pair[0] in t else t: f for t, f in chunks.items()}
        seen.append(freq)
    for k, (pair, new_id) in enumerate(list(merges.items())[:show]):
        a, b, ab = (repr(vocab[i].decode("utf-8", errors="replace")) for i in (*pair, new_id))
        print(f"merge {k + 1:>2}: {a:>8} + {b:<8} → {ab:<10} id {new_id}, seen {seen[k]:,} times")
    return merges


toy_merges = train_bpe("the theatre, the thief, then there", num_merges=6, show=6)

# %% [markdown]
# Now on Shakespeare. Watch the first merges: spaces glued to common letters, then whole common
# words (" the", " and") and endings appear.

# %%
bpe_text = train_text[: utils.fast(300_000, 100_000)]   # plenty for 1,000 merges; all of it takes 3× longer
num_merges = utils.fast(1000, 200)
merges = train_bpe(bpe_text, num_merges, show=20)

# %% [markdown]
# Encoding applies the learned merges to new text, earliest first; decoding glues the bytes of the
# tokens back together. The same code, with a cache for speed, is packaged as
# `utils.bpe.BytePairTokenizer` for later notebooks; we check it learns exactly our merges.

# %%
from utils.bpe import BytePairTokenizer

bpe = BytePairTokenizer(merges)
ids = bpe.encode("ROMEO:\nBut, soft! what light through yonder window breaks?")
print(len(ids), "tokens:", [bpe.token_str(i) for i in ids])

# %% [markdown]
# **Check.** Encoding then decoding gives back exactly the original text, for Shakespeare we did not
# train on and for Russian, Bengali and emoji (byte level: nothing is unknown); the learned vocabulary
# has 256 + merges entries; the packaged class learns the same merges.

# %%
samples = {"validation text": val_text[:50_000], "Russian": "Мой кот каждое утро смотрит на меня.",
           "Bengali": "সে কলা খেয়েছে কারণ সে ক্ষুধার্ত ছিল।", "emoji": "Neural nets 🤖🧠 are fun!"}
for name, text in samples.items():
    assert bpe.decode(bpe.encode(text)) == text, f"round trip failed on {name}"
assert bpe.vocab_size == 256 + len(merges) == 256 + num_merges
assert BytePairTokenizer.train(bpe_text[:30_000], 50).merges == train_bpe(bpe_text[:30_000], 50)
ours_per_token = len(val_text) / len(bpe.encode(val_text))
print(f"our BPE ({bpe.vocab_size} tokens): {ours_per_token:.2f} characters per token on validation text")
assert len(bpe.encode(val_text)) < 0.75 * len(val_text.encode("utf-8")), "merges must shorten the byte sequence"

# %% [markdown]
# **Compared with the real tokenizers.** Our BPE has about a thousand tokens learned from one
# author; GPT-2's has 50,257 learned from 8 million web pages, GPT-4's ~100 k and GPT-4o's ~200 k
# from far more and far more varied text. On Shakespeare they make longer tokens than ours:

# %%
line = "To be, or not to be, that is the question:"
for name, tok in {"our BPE": bpe, **real}.items():
    pieces = [tok.decode([i]) for i in tok.encode(line)]
    per_token = len(val_text) / len(tok.encode(val_text))
    print(f"{name:<15} {per_token:4.2f} chars/token on validation | {len(pieces):>2} tokens: {'|'.join(pieces)}")

# %% [markdown]
# ## 3. The same sentence in three languages
#
# Tokenizers are trained mostly on English, so other languages, especially those in other scripts,
# are cut into more, shorter pieces ([Petrov et al., 2023](https://arxiv.org/abs/2305.15425)).
# This matters: services bill **per token**, and a model's context window is a number of tokens.
# The sentences come from the course's Russian and Bengali source material (with our
# translations of each into the other two languages).

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: if an API charges per token, who pays more for the same message? Have them guess the ratio.
# > Land: tokenizers trained mostly on English make other scripts costlier and shrink their context.

# %%
sentences = {
    "cat": {"English": "Every morning my cat looks at me as if I owe him money.",
            "Russian": "Мой кот каждое утро смотрит на меня, как будто я ему должен денег.",
            "Bengali": "আমার বিড়াল প্রতিদিন সকালে আমার দিকে এমনভাবে তাকায়, যেন আমি তার কাছে টাকা ধারি।"},
    "banana": {"English": "He ate the banana because he was hungry.",
               "Russian": "Он съел банан, потому что был голоден.",
               "Bengali": "সে কলা খেয়েছে কারণ সে ক্ষুধার্ত ছিল।"},
    "market": {"English": "Today I went to the market and",
               "Russian": "Сегодня я ходил на рынок и",
               "Bengali": "আমি আজ বাজারে গিয়েছি এবং"},
}
languages = ["English", "Russian", "Bengali"]
counts = {(s, lang, name): len(enc.encode(sentences[s][lang]))
          for s in sentences for lang in languages for name, enc in real.items()}
print(f"{'sentence':<9}{'language':<10}{'chars':>6}" + "".join(f"{name:>16}" for name in real))
for s in sentences:
    for lang in languages:
        print(f"{s:<9}{lang:<10}{len(sentences[s][lang]):>6}"
              + "".join(f"{counts[s, lang, name]:>16}" for name in real))
totals = {(lang, name): sum(counts[s, lang, name] for s in sentences) for lang in languages for name in real}
print("\ntokens relative to English (all three sentences together):")
for lang in languages[1:]:
    print(f"  {lang:<8}" + "".join(f"{name}: ×{totals[lang, name] / totals['English', name]:.1f}   "
                                   for name in real))

from utils.plots import plot_grouped_bars

plot_grouped_bars({lang: {name: totals[lang, name] for name in real} for lang in languages},
                  ylabel="tokens (three sentences)", title="the same three sentences, counted in tokens")

# %% [markdown]
# What it means, with the numbers above:
#
# - **Cost.** At the same price per token, the same message costs about twice as much in Russian
#   (×2.1) and over five times as much in Bengali (×5.7) as in English under GPT-4's tokenizer, more
#   under GPT-2's; GPT-4o's larger vocabulary, trained on more languages, narrows the gap (×1.3 and
#   ×1.5) but does not close it.
# - **Context.** A context window of $N$ tokens holds that many times less Bengali text, and the model
#   spends that many more steps (compute) per sentence.
# - **Quality.** A model sees each Bengali word as several fragments, and has seen far fewer of them
#   in training.

# %%
for name in real:
    assert totals["English", name] < totals["Russian", name] < totals["Bengali", name], name
ratio = {(lang, name): totals[lang, name] / totals["English", name] for lang in languages for name in real}
# The text quotes these ratios: Russian ×2.1 and Bengali ×5.7 under cl100k, ×1.3 and ×1.5 under o200k.
assert round(ratio["Russian", "GPT-4 (cl100k)"], 1) == 2.1 and round(ratio["Bengali", "GPT-4 (cl100k)"], 1) == 5.7
assert round(ratio["Russian", "GPT-4o (o200k)"], 1) == 1.3 and round(ratio["Bengali", "GPT-4o (o200k)"], 1) == 1.5
assert totals["Bengali", "GPT-4o (o200k)"] < totals["Bengali", "GPT-4 (cl100k)"] < totals["Bengali", "GPT-2"]
for s in sentences:
    for lang in languages:
        for enc in real.values():
            assert enc.decode(enc.encode(sentences[s][lang])) == sentences[s][lang]

# %% [markdown]
# ### Try it: see the tokens
#
# Type anything, pick a tokenizer. Each coloured box is one token, its id below. Try Russian,
# Bengali, numbers ("2024", "123456789"), code, emoji, a long Shakespearean word, or a word with and
# without a leading space. (A box with � is a piece of one character's bytes.)

# %%
from utils.widgets import TokenView

token_view = TokenView("ROMEO: But, soft! what light through yonder window breaks? Мой кот. আমি আজ বাজারে",
                       extra={"our Shakespeare BPE": bpe})
token_view

# %%
token_view.tokenizer.value = "GPT-2 (r50k)"
gpt2_count = token_view.count
token_view.tokenizer.value = "GPT-4o (o200k_base)"
assert token_view.count < gpt2_count and token_view.count == len(real["GPT-4o (o200k)"].encode(token_view.state.text))

# %% [markdown]
# ## 4. From ids to vectors: one-hot and dense
#
# A token id is just a name: id 464 is not "bigger" than id 12. The simplest vector for token $i$
# of a vocabulary of $V$ is **one-hot**: $V$ zeros with a single 1 at position $i$. One-hot vectors
# are huge ($V$ = 50,257 for GPT-2) and say nothing about meaning: every two different words are
# equally far apart (their dot product is 0).
#
# An **embedding** gives each token a short, dense vector of $d$ learned numbers: a table
# $E \in \mathbb R^{V \times d}$, one row per token. Multiplying a one-hot vector by $E$ just picks
# out a row, which is what `nn.Embedding` does (without the multiplication):
#
# $$ \text{onehot}(i)^\top E = E_{i,:} $$

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: is token 464 "bigger" than token 12? (No: an id is only a name.)
# > Land: an embedding is a table lookup, $\text{onehot}(i)^\top E = E_{i,:}$.

# %%
import numpy as np
import torch

utils.seed_everything(0)
vocab_size, dim = 10, 4
embedding = torch.nn.Embedding(vocab_size, dim)
token_ids = torch.tensor([3, 1, 3, 7])
one_hot = torch.nn.functional.one_hot(token_ids, vocab_size).float()     # (4 tokens, V)
print("one-hot rows:\n", one_hot.int())
utils.assert_close("one-hot @ E == embedding lookup", one_hot @ embedding.weight, embedding(token_ids))
assert (one_hot[0] @ one_hot[1]).item() == 0 and (one_hot[0] @ one_hot[2]).item() == 1
print(f"GPT-2 one-hot: {50257:,} numbers per token; GPT-2 small's embedding: 768 numbers per token "
      "(Radford et al., 2019)")

# %% [markdown]
# ## 5. Learning word vectors: skip-gram with negative sampling
#
# *"You shall know a word by the company it keeps"* ([Firth, 1957](https://en.wikipedia.org/wiki/John_Rupert_Firth)).
# **Skip-gram** ([Mikolov et al., 2013](https://arxiv.org/abs/1310.4546)) learns vectors from
# exactly that: for each word $w$ in the text and each word $c$ within a few positions of it,
# push the score $u_c \cdot v_w$ up, and for $k$ random "noise" words $n$ push $u_n \cdot v_w$ down:
#
# $$ \mathcal L = -\log \sigma(u_c \cdot v_w) - \sum_{j=1}^{k} \log \sigma(-u_{n_j} \cdot v_w). $$
#
# Words used in similar company end up with similar vectors $v$. Two tricks from the paper: noise
# words are drawn with probability $\propto \text{count}^{0.75}$, and very frequent words ("the",
# "and") are randomly skipped so they do not dominate. We train on the whole canon, lower-cased, with
# the 5,000 most frequent words.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: which words keep the same company as "king" in Shakespeare?
# > Training takes a while in full mode: read the neighbour lists aloud as they come; the analogies are honest failures.

# %%
words = re.findall(r"[a-z]+(?:'[a-z]+)?", shakespeare("full").lower())
word_counts = Counter(words)
vocab = [w for w, _ in word_counts.most_common(5000)]
index = {w: i for i, w in enumerate(vocab)}
corpus_ids = np.array([index[w] for w in words if w in index])
freq = np.array([word_counts[w] for w in vocab], dtype=float)
freq /= freq.sum()
keep_prob = np.minimum(1.0, np.sqrt(1e-4 / freq) + 1e-4 / freq)       # subsampling of frequent words
noise_dist = torch.tensor(freq ** 0.75 / (freq ** 0.75).sum(), dtype=torch.float32)
print(f"{len(words):,} words in the canon, {len(vocab):,}-word vocabulary covers "
      f"{len(corpus_ids) / len(words):.1%} of them; 'the' is kept with probability {keep_prob[index['the']]:.2f}")


def context_pairs(rng, window=3):
    """(center, context) id pairs within `window` positions, after subsampling frequent words."""
    kept = corpus_ids[rng.random(len(corpus_ids)) < keep_prob[corpus_ids]]
    centers = [kept[:-k] for k in range(1, window + 1)] + [kept[k:] for k in range(1, window + 1)]
    contexts = [kept[k:] for k in range(1, window + 1)] + [kept[:-k] for k in range(1, window + 1)]
    return torch.tensor(np.concatenate(centers)), torch.tensor(np.concatenate(contexts))


utils.seed_everything(0)
dim, negatives, batch = 64, 5, 4096
word_vectors = torch.nn.Embedding(len(vocab), dim)      # v: the vectors we keep
context_vectors = torch.nn.Embedding(len(vocab), dim)   # u: used only for training
torch.nn.init.uniform_(word_vectors.weight, -0.5 / dim, 0.5 / dim)
torch.nn.init.zeros_(context_vectors.weight)
optimizer = torch.optim.Adam([*word_vectors.parameters(), *context_vectors.parameters()], lr=0.02)

related = [("king", "queen"), ("lord", "lady"), ("man", "woman"), ("father", "mother"), ("brother", "sister"),
           ("son", "daughter"), ("husband", "wife"), ("sir", "madam"), ("day", "night"), ("he", "she")]
rng = np.random.default_rng(0)
random_pairs = rng.integers(0, len(vocab), size=(2000, 2))


def similarity_gap():
    """Mean cosine of the related pairs minus mean cosine of random pairs."""
    v = torch.nn.functional.normalize(word_vectors.weight.detach(), dim=1)
    rel = np.mean([(v[index[a]] @ v[index[b]]).item() for a, b in related])
    rnd = (v[random_pairs[:, 0]] * v[random_pairs[:, 1]]).sum(1).mean().item()
    return rel, rnd


before = similarity_gap()
steps = utils.fast(1000, 200)     # × 4096 pairs: about two passes over the canon
losses, step = [], 0
progress = tqdm(total=steps, desc="skip-gram")
while step < steps:
    centers, contexts = context_pairs(rng)
    order = torch.randperm(len(centers))
    for start in range(0, len(order) - batch, batch):
        chosen = order[start:start + batch]
        v = word_vectors(centers[chosen])                                   # (batch, dim)
        positive = (v * context_vectors(contexts[chosen])).sum(-1)         # (batch,)
        noise = torch.multinomial(noise_dist, batch * negatives, replacement=True).view(batch, negatives)
        negative = (context_vectors(noise) * v.unsqueeze(1)).sum(-1)       # (batch, negatives)
        loss = -(torch.nn.functional.logsigmoid(positive) + torch.nn.functional.logsigmoid(-negative).sum(-1)).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        step += 1
        progress.update()
        if step >= steps:
            break
progress.close()
after = similarity_gap()
vectors = word_vectors.weight.detach().numpy()
print(f"loss {np.mean(losses[:20]):.3f} → {np.mean(losses[-200:]):.3f}")
print(f"mean cosine, related pairs vs random pairs: before training {before[0]:+.2f} vs {before[1]:+.2f}, "
      f"after {after[0]:+.2f} vs {after[1]:+.2f}")

# %% [markdown]
# **Check.** Training lowered the loss, and afterwards clearly related pairs (king/queen, lord/lady,
# father/mother, …) are much closer than random pairs of words, which they were not before.

# %%
utils.assert_decreased("skip-gram loss", [np.mean(losses[:20]), np.mean(losses[-200:])], by=0.2)
assert after[0] - after[1] > 0.1, f"related pairs should be clearly closer: {after}"
assert after[0] - after[1] > (before[0] - before[1]) + 0.1

# %% [markdown]
# ### Nearest neighbours and analogies: an honest look
#
# The famous result of word vectors is arithmetic like *king − man + woman ≈ queen*, found with
# vectors trained on billions of words ([Mikolov et al., 2013](https://arxiv.org/abs/1301.3781)).
# We have under a million words of Elizabethan English. Neighbours already make sense (names from
# the same play, forms of the same verb); analogies mostly fail at this scale. Both are shown as
# they come out.

# %%
from utils.embeddings import analogy, nearest_neighbours

for word in ["king", "romeo", "thou", "father", "sword", "love"]:
    print(f"{word:>7}: " + ", ".join(f"{w} {c:.2f}" for w, c in nearest_neighbours(vectors, vocab, word, 6)))
print()
for a, b, c in [("man", "king", "woman"), ("father", "son", "mother"), ("he", "him", "she"), ("lord", "lady", "sir")]:
    found = analogy(vectors, vocab, a, b, c, 5)
    print(f"{a} : {b} = {c} : ?   → " + ", ".join(w for w, _ in found))

# %% [markdown]
# ### Try it: the embedding map
#
# The 300 most frequent words, projected from 64 dimensions to 2 with PCA (the two directions in
# which the vectors vary most). Type a word to see it in red and its nearest neighbours in orange.
# Neighbours are measured in all 64 dimensions, so on the flat map they are sometimes far apart:
# the projection loses most of the information.

# %%
from utils.widgets import EmbeddingMap
from utils.widgets.tokens import show_embedding_map

embedding_map = EmbeddingMap(vectors, vocab, word="king", k=8, max_points=300)
embedding_map

# %%
embedding_map.word.value = "lady"
assert embedding_map.neighbours == nearest_neighbours(vectors[:300], vocab[:300], "lady", 8)
embedding_map.word.value = "king"

# %% [markdown]
# ## Recap
#
# - Tokenization trades vocabulary size against sequence length: characters (small, long, never
#   unknown), words (huge, short, unknown words), subwords (BPE) in between.
# - BPE starts from bytes and merges the most frequent adjacent pair again and again; encoding
#   replays the merges. Byte level means any text round-trips exactly.
# - The same sentence takes more tokens in Russian and Bengali than in English: about twice as many
#   in Russian and over five times as many in Bengali under GPT-4's tokenizer, more under GPT-2's;
#   GPT-4o's narrows the gap. More cost, less context.
# - One-hot vectors are huge and all equally far apart; an embedding table gives each token a dense
#   learned vector ($\text{onehot}^\top E$ = a row lookup).
# - Skip-gram learns vectors from context; on Shakespeare related words end up close, but
#   analogies need far more data.
#
# **Next:** notebook 07 lets every token's vector look at the others: attention.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: why do byte-level tokenizers never meet an unknown token?

# %% [markdown]
# ## Exercises
#
# ★ checks your understanding, ★★ changes the code, ★★★ is a small investigation. Replace each `...`,
# run the cell, then run the check below it: it says ✓ and why, or gives a hint. Reference solutions are
# in [solutions/06_tokens_embeddings.py](solutions/06_tokens_embeddings.py); try first.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Exercises 1 and 2 are for the whole class on paper; exercise 3 takes a few minutes at a computer.

# %%
from utils.exercises import check

# %% [markdown]
# **1. One merge by hand ★.** Take the text `"aaabdaaabac"` as a sequence of characters. Which pair does BPE
# merge first, and how many tokens are left after that one merge? Do it on paper, then with `merge_pair`.

# %%
first_merge = ...  # (the pair as a string, e.g. "xy"; the number of tokens after the merge)

# %%
check("06.1", first_merge);

# %% [markdown]
# **2. Memory ★.** A 5,000-word vocabulary with 64-dimensional embeddings: how many megabytes (10⁶ bytes)
# does the embedding table take in float32? How many numbers would one-hot vectors need per word?

# %%
table_megabytes = ...  # a number

# %%
check("06.2", table_megabytes);

# %% [markdown]
# **3. More merges ★★.** Train our BPE with twice as many merges on the same `bpe_text` and measure the
# characters per token on `val_text` again. What did the extra merges buy, and what do they cost?

# %%
more_per_token = ...  # characters per token with 2 × num_merges

# %%
check("06.3", more_per_token, ours_per_token=ours_per_token);
