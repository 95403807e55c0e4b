# %% [markdown]
# # 06 · Токены и эмбеддинги: как текст становится числами
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/ru/06_tokens_embeddings.ipynb)
#
# **Чему вы научитесь**
# - в чём компромисс между символами, словами и подсловами: размер словаря против длины последовательности;
# - как устроено кодирование пар байтов (BPE) — токенизатор GPT-2 и GPT-4; мы напишем его с нуля и обучим на Шекспире;
# - как работают настоящие токенизаторы GPT-2, GPT-4 и GPT-4o (без интернета) и почему одна и та же фраза по-русски или по-бенгальски стоит больше токенов;
# - чем one-hot-векторы отличаются от плотных и как обучить эмбеддинги слов методом skip-gram на Шекспире;
# - что ближайшие соседи и аналогии показывают, а чего не показывают, на таком маленьком масштабе.
#
# **Время:** около 60 минут. **Нужно знать:** блокнот 05 (символьные модели), немного линейной алгебры (скалярное произведение).

# %%
# Настройка (одна и та же ячейка в каждом блокноте): в Colab она сначала ставит пакет курса `utils`.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "nn-course @ git+https://github.com/nn-course/nn-course"], check=True)
import utils

utils.setup(lang="ru")

# %% [markdown]
# ## 1. Символы, слова или что-то посередине?
#
# Языковая модель читает и пишет **токены** (tokens): кусочки текста, у каждого свой целый номер.
# В блокноте 05 токенами были символы. Другая крайность — целые слова. У каждого выбора своя цена:
#
# - **символы**: крошечный словарь (64 знака в маленьком Шекспире) и ни одного неизвестного
#   токена, зато очень длинные последовательности: модели приходится учить орфографию и тратить
#   много шагов на каждое слово;
# - **слова**: последовательности короткие, но словарь огромный, и любое слово, которого не было
#   при обучении (имя, опечатка, "unsex'd"), оказывается *неизвестным*;
# - **подслова**: частые слова — один токен, редкие разбиваются на известные кусочки. Именно так
#   устроены модели GPT.
#
# Измерим все три способа на маленьком корпусе Шекспира: обучающая часть задаёт словарь,
# валидационную мы кодируем.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: что сломается в словаре из целых слов, если кто-то наберёт "unsex'd"?
# > Итог: символы дают длинные последовательности, в словах бывают неизвестные, подслова — посередине и без неизвестных.

# %%
import re

from utils.data import CharTokenizer, shakespeare, shakespeare_split, tiktoken_encoding

train_text, val_text = shakespeare_split("tiny", "train"), shakespeare_split("tiny", "val")
WORD = re.compile(r"\w+(?:'\w+)?|[^\w\s]")             # слова (с апострофами) и отдельные знаки препинания

chars = CharTokenizer(train_text + val_text)
train_words = set(WORD.findall(train_text))
val_words = WORD.findall(val_text)
unknown = sum(w not in train_words for w in val_words)
real = {name: tiktoken_encoding(key) for name, key in
        (("GPT-2", "gpt2"), ("GPT-4 (cl100k)", "cl100k_base"), ("GPT-4o (o200k)", "o200k_base"))}

rows = [("символы", chars.vocab_size, len(val_text), 0),
        ("слова", len(train_words), len(val_words), unknown)]
rows += [(name, enc.n_vocab, len(enc.encode(val_text)), 0) for name, enc in real.items()]
print(f"валидационный текст: {len(val_text):,} символов\n")
print(f"{'токенизатор':<16}{'словарь':>12}{'токенов':>10}{'симв./токен':>13}{'неизв.':>9}")
for name, vocab, n_tokens, n_unknown in rows:
    print(f"{name:<16}{vocab:>12,}{n_tokens:>10,}{len(val_text) / n_tokens:>13.2f}{n_unknown:>9,}")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, NullFormatter

fig, ax = plt.subplots(figsize=(6, 3.6))
# (сдвиг в пунктах, выравнивание): точки GPT-4 и GPT-4o стоят близко, поэтому одна подпись уходит под точку
label_places = {"GPT-4 (cl100k)": ((0, -16), "center"), "слова": ((-8, -14), "right")}
for name, vocab, n_tokens, n_unknown in rows:
    words = name == "слова"   # единственный, кто не может закодировать любой текст: об этом говорит другой значок
    ax.scatter(vocab, n_tokens, s=60, marker="X" if words else "o", color="tab:orange" if words else "tab:blue")
    label = f"слова ({n_unknown:,} неизвестных)" if words else name
    offset, align = label_places.get(name, ((6, 4), "left"))
    ax.annotate(label, (vocab, n_tokens), textcoords="offset points", xytext=offset, fontsize=9, ha=align)
ax.set(xscale="log", yscale="log", xlabel="размер словаря (лог. шкала)", ylabel="токенов в валидационном тексте",
       title="компромисс: словарь больше — последовательности короче", xlim=(30, 1e6), ylim=(18_000, 160_000))
plain = FuncFormatter(lambda value, _: f"{value:,.0f}")   # 60,000, а не 6×10⁴
for axis in (ax.xaxis, ax.yaxis):
    axis.set_major_formatter(plain)
    axis.set_minor_formatter(NullFormatter())
ax.set_yticks([20_000, 50_000, 100_000])
plt.show()

# %% [markdown]
# **Проверка.** У символов самый маленький словарь и самые длинные последовательности; у слов
# последовательности самые короткие, но в новом тексте встречаются неизвестные слова; подсловные
# токенизаторы GPT — посередине, и неизвестных у них нет (они работают с байтами, поэтому
# закодировать можно любой текст).

# %%
sizes = {name: (vocab, n) for name, vocab, n, _ in rows}
assert sizes["символы"][0] < sizes["слова"][0] < sizes["GPT-2"][0]
assert sizes["символы"][1] > 2.5 * sizes["GPT-2"][1] and sizes["GPT-2"][1] < 1.5 * sizes["слова"][1]
assert unknown > 0, "новый текст всегда приносит новые слова"
assert all(enc.decode(enc.encode(val_text[:20_000])) == val_text[:20_000] for enc in real.values())

# %% [markdown]
# ## 2. Кодирование пар байтов с нуля
#
# Кодирование пар байтов (byte-pair encoding, BPE) появилось как алгоритм сжатия данных (Philip Gage,
# "A New Algorithm for Data Compression", *The C Users Journal* 12(2), 1994): самую частую пару
# байтов заменяют байтом, которого в данных нет, и повторяют. [Sennrich et al. (2016)](https://arxiv.org/abs/1508.07909)
# превратили его в способ строить словарь подслов для машинного перевода, а GPT-2 применяет его
# к байтам ([Radford et al., 2019](https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf)).
# Словарь растёт снизу вверх:
#
# 1. Начинаем с 256 возможных **байтов** (UTF-8 превращает в байты любой текст на любой письменности).
# 2. Считаем все пары соседних токенов в обучающем тексте.
# 3. Самую частую пару везде заменяем новым токеном и запоминаем это **слияние** (merge).
# 4. Повторяем, пока словарь не достигнет нужного размера.
#
# Новый текст кодируют, повторяя слияния в том порядке, в каком они были выучены. Как и GPT-2,
# мы сначала режем текст на похожие на слова фрагменты (`" the"`, `","`, `"\n"`), чтобы слияния
# никогда не пересекали границу слова. Каждый различный фрагмент считаем один раз вместе с его
# частотой, и обучение идёт быстро.

# %% [markdown]
# ![Кодирование пар байтов для 'the theme': 9 байтов UTF-8; слияние 1 превращает каждую пару t h в токен 256, слияние 2 превращает 256 e в 257, остаются 5 номеров: 257, 32, 257, 109, 101](../images/tokenisation.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** До запуска попросите группу угадать первое слияние на Шекспире (пробелы приклеиваются к буквам).
# > Итог: BPE — это снова и снова посчитать пары и слить самую частую; кодирование повторяет слияния по порядку.

# %%
from collections import Counter

from tqdm.auto import tqdm

from utils.bpe import chunk_text

print(chunk_text("ROMEO:\nBut, soft! what light"))
print(list(b"soft"), list("мир".encode()), "← каждая кириллическая буква в UTF-8 занимает 2 байта")


def pair_counts(chunks):
    """chunks: {кортеж номеров токенов: частота}. Возвращает Counter пар соседних токенов."""
    counts = Counter()
    for tokens, freq in chunks.items():
        for pair in zip(tokens, tokens[1:]):
            counts[pair] += freq
    return counts


def merge_pair(tokens, pair, new_id):
    """Заменяет каждое вхождение `pair` в `tokens` (слева направо) на `new_id`."""
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
    """Выучивает `num_merges` слияний и печатает первые `show` из них. Возвращает {пара: новый номер}."""
    chunks = Counter(tuple(chunk.encode("utf-8")) for chunk in chunk_text(text))
    vocab = {i: bytes([i]) for i in range(256)}
    merges, seen = {}, []
    for k in tqdm(range(num_merges), desc="BPE merges", disable=num_merges < 100):
        counts = pair_counts(chunks)
        if not counts:
            break
        # Самая частая пара; при равенстве берём меньшие номера, чтобы запуски повторялись.
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
        print(f"слияние {k + 1:>2}: {a:>8} + {b:<8} → {ab:<10} номер {new_id}, частота {seen[k]:,}")
    return merges


toy_merges = train_bpe("the theatre, the thief, then there", num_merges=6, show=6)

# %% [markdown]
# Теперь на Шекспире. Посмотрите на первые слияния: сначала пробелы приклеиваются к частым буквам,
# потом появляются целые частые слова (" the", " and") и окончания.

# %%
bpe_text = train_text[: utils.fast(300_000, 100_000)]   # на 1000 слияний хватит; весь текст обучается втрое дольше
num_merges = utils.fast(1000, 200)
merges = train_bpe(bpe_text, num_merges, show=20)

# %% [markdown]
# При кодировании выученные слияния применяются к новому тексту, начиная с самых ранних; при
# декодировании байты токенов склеиваются обратно. Тот же код, с кэшем для скорости, лежит
# в пакете курса как `utils.bpe.BytePairTokenizer` для следующих блокнотов; проверим, что он
# выучивает ровно наши слияния.

# %%
from utils.bpe import BytePairTokenizer

bpe = BytePairTokenizer(merges)
ids = bpe.encode("ROMEO:\nBut, soft! what light through yonder window breaks?")
print(len(ids), "токенов:", [bpe.token_str(i) for i in ids])

# %% [markdown]
# **Проверка.** Кодирование и затем декодирование возвращают в точности исходный текст — и для
# Шекспира, на котором мы не обучались, и для русского, бенгальского и эмодзи (уровень байтов:
# неизвестного не бывает). В выученном словаре 256 + число слияний элементов; класс из пакета
# выучивает те же слияния.

# %%
samples = {"валидационный текст": val_text[:50_000], "русский": "Мой кот каждое утро смотрит на меня.",
           "бенгали": "সে কলা খেয়েছে কারণ সে ক্ষুধার্ত ছিল।", "эмодзи": "Neural nets 🤖🧠 are fun!"}
for name, text in samples.items():
    assert bpe.decode(bpe.encode(text)) == text, f"туда и обратно не сошлось: {name}"
assert bpe.vocab_size == 256 + len(merges) == 256 + num_merges
assert BytePairTokenizer.train(bpe_text[:30_000], 50).merges == train_bpe(bpe_text[:30_000], 50)
ours_per_token = len(val_text) / len(bpe.encode(val_text))
print(f"наш BPE ({bpe.vocab_size} токенов): {ours_per_token:.2f} символа на токен в валидационном тексте")
assert len(bpe.encode(val_text)) < 0.75 * len(val_text.encode("utf-8")), "слияния должны укорачивать последовательность байтов"

# %% [markdown]
# **Сравним с настоящими токенизаторами.** В нашем BPE около тысячи токенов, выученных на текстах
# одного автора. У GPT-2 их 50 257, выученных на 8 миллионах веб-страниц, у GPT-4 около 100 тысяч,
# у GPT-4o около 200 тысяч — на гораздо большем и гораздо более разнообразном тексте. На Шекспире
# их токены длиннее наших:

# %%
line = "To be, or not to be, that is the question:"
for name, tok in {"наш BPE": bpe, **real}.items():
    pieces = [tok.decode([i]) for i in tok.encode(line)]
    per_token = len(val_text) / len(tok.encode(val_text))
    print(f"{name:<15} {per_token:4.2f} символа/токен на валидации | {len(pieces):>2} токенов: {'|'.join(pieces)}")

# %% [markdown]
# ## 3. Одна фраза на трёх языках
#
# Токенизаторы обучают в основном на английском, поэтому другие языки, особенно с другой
# письменностью, режутся на большее число более коротких кусочков
# ([Petrov et al., 2023](https://arxiv.org/abs/2305.15425)). Это важно: сервисы берут плату
# **за токен**, а контекстное окно модели измеряется в токенах. Фразы взяты из русских
# и бенгальских исходных материалов курса (каждую мы перевели на два других языка).

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: если API берёт плату за токен, кто заплатит больше за одно и то же сообщение? Пусть угадают во сколько раз.
# > Итог: токенизаторы, обученные в основном на английском, делают другие письменности дороже и сжимают для них контекст.

# %%
sentences = {
    "кот": {"английский": "Every morning my cat looks at me as if I owe him money.",
            "русский": "Мой кот каждое утро смотрит на меня, как будто я ему должен денег.",
            "бенгали": "আমার বিড়াল প্রতিদিন সকালে আমার দিকে এমনভাবে তাকায়, যেন আমি তার কাছে টাকা ধারি।"},
    "банан": {"английский": "He ate the banana because he was hungry.",
              "русский": "Он съел банан, потому что был голоден.",
              "бенгали": "সে কলা খেয়েছে কারণ সে ক্ষুধার্ত ছিল।"},
    "рынок": {"английский": "Today I went to the market and",
              "русский": "Сегодня я ходил на рынок и",
              "бенгали": "আমি আজ বাজারে গিয়েছি এবং"},
}
languages = ["английский", "русский", "бенгали"]
counts = {(s, lang, name): len(enc.encode(sentences[s][lang]))
          for s in sentences for lang in languages for name, enc in real.items()}
print(f"{'фраза':<9}{'язык':<10}{'симв.':>6}" + "".join(f"{name:>16}" for name in real))
for s in sentences:
    for lang in languages:
        print(f"{s:<9}{lang:<10}{len(sentences[s][lang]):>6}"
              + "".join(f"{counts[s, lang, name]:>16}" for name in real))
totals = {(lang, name): sum(counts[s, lang, name] for s in sentences) for lang in languages for name in real}
print("\nтокенов относительно английского (все три фразы вместе):")
for lang in languages[1:]:
    print(f"  {lang:<8}" + "".join(f"{name}: ×{totals[lang, name] / totals['английский', name]:.1f}   "
                                   for name in real))

from utils.plots import plot_grouped_bars

plot_grouped_bars({lang: {name: totals[lang, name] for name in real} for lang in languages},
                  ylabel="токенов (три фразы)", title="одни и те же три фразы, посчитанные в токенах")

# %% [markdown]
# Что это значит (по числам выше):
#
# - **Цена.** При одной и той же цене за токен одно и то же сообщение с токенизатором GPT-4 стоит
#   по-русски примерно вдвое дороже (×2.1), а по-бенгальски больше чем в пять раз дороже (×5.7),
#   чем по-английски; с токенизатором GPT-2 ещё дороже. Больший словарь GPT-4o, обученный на
#   большем числе языков, сокращает разрыв (×1.3 и ×1.5), но не убирает его.
# - **Контекст.** В контекстное окно из $N$ токенов помещается во столько же раз меньше
#   бенгальского текста, и модель тратит во столько же раз больше шагов (вычислений) на фразу.
# - **Качество.** Каждое бенгальское слово модель видит как несколько обрывков, и таких обрывков
#   при обучении ей встретилось гораздо меньше.
#
# Для русскоязычного пользователя это значит: тот же запрос по-русски обходится дороже и быстрее
# заполняет контекстное окно, чем по-английски. Если цена или длина контекста важны, сравните
# число токенов своего текста у разных токенизаторов (виджет ниже) — у новых моделей разрыв меньше.

# %%
for name in real:
    assert totals["английский", name] < totals["русский", name] < totals["бенгали", name], name
ratio = {(lang, name): totals[lang, name] / totals["английский", name] for lang in languages for name in real}
# Текст приводит эти отношения: русский ×2.1 и бенгальский ×5.7 для cl100k, ×1.3 и ×1.5 для o200k.
assert round(ratio["русский", "GPT-4 (cl100k)"], 1) == 2.1 and round(ratio["бенгали", "GPT-4 (cl100k)"], 1) == 5.7
assert round(ratio["русский", "GPT-4o (o200k)"], 1) == 1.3 and round(ratio["бенгали", "GPT-4o (o200k)"], 1) == 1.5
assert totals["бенгали", "GPT-4o (o200k)"] < totals["бенгали", "GPT-4 (cl100k)"] < totals["бенгали", "GPT-2"]
for s in sentences:
    for lang in languages:
        for enc in real.values():
            assert enc.decode(enc.encode(sentences[s][lang])) == sentences[s][lang]

# %% [markdown]
# ### Попробуйте: посмотрите на токены
#
# Наберите что угодно и выберите токенизатор. Каждая цветная рамка — один токен, под ней его номер.
# Попробуйте русский и бенгальский текст, числа ("2024", "123456789"), код, эмодзи, длинное
# шекспировское слово или одно и то же слово с пробелом впереди и без него. (Рамка с � — это часть
# байтов одного символа.)

# %%
from utils.widgets import TokenView

token_view = TokenView("ROMEO: But, soft! what light through yonder window breaks? Мой кот. আমি আজ বাজারে",
                       extra={"наш BPE на Шекспире": bpe})
token_view

# %%
token_view.tokenizer.value = "GPT-2 (r50k)"
gpt2_count = token_view.count
token_view.tokenizer.value = "GPT-4o (o200k_base)"
assert token_view.count < gpt2_count and token_view.count == len(real["GPT-4o (o200k)"].encode(token_view.state.text))

# %% [markdown]
# ## 4. От номеров к векторам: one-hot и плотные векторы
#
# Номер токена — просто имя: номер 464 не «больше» номера 12. Простейший вектор для токена $i$
# из словаря размера $V$ — **one-hot-вектор**: $V$ нулей и одна единица на позиции $i$. One-hot-векторы
# огромны ($V$ = 50 257 у GPT-2) и ничего не говорят о смысле: любые два разных слова одинаково
# далеки друг от друга (их скалярное произведение равно 0).
#
# **Эмбеддинг** (embedding) даёт каждому токену короткий плотный вектор из $d$ обучаемых чисел:
# таблицу $E \in \mathbb R^{V \times d}$, по строке на токен. Умножение one-hot-вектора на $E$
# просто выбирает строку — это и делает `nn.Embedding` (только без умножения):
#
# $$ \text{onehot}(i)^\top E = E_{i,:} $$

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: токен 464 «больше» токена 12? (Нет: номер — только имя.)
# > Итог: эмбеддинг — это поиск строки в таблице, $\text{onehot}(i)^\top E = E_{i,:}$.

# %%
import numpy as np
import torch

utils.seed_everything(0)
vocab_size, dim = 10, 4
embedding = torch.nn.Embedding(vocab_size, dim)
token_ids = torch.tensor([3, 1, 3, 7])
one_hot = torch.nn.functional.one_hot(token_ids, vocab_size).float()     # (4 токена, V)
print("строки one-hot:\n", one_hot.int())
utils.assert_close("one-hot @ E == строка таблицы эмбеддингов", one_hot @ embedding.weight, embedding(token_ids))
assert (one_hot[0] @ one_hot[1]).item() == 0 and (one_hot[0] @ one_hot[2]).item() == 1
print(f"one-hot GPT-2: {50257:,} чисел на токен; эмбеддинг GPT-2 small: 768 чисел на токен "
      "(Radford et al., 2019)")

# %% [markdown]
# ## 5. Учим векторы слов: skip-gram с отрицательным сэмплированием
#
# *«Слово узнаётся по его окружению»* — *"You shall know a word by the company it keeps"*
# ([Firth, 1957](https://en.wikipedia.org/wiki/John_Rupert_Firth)). **Skip-gram**
# ([Mikolov et al., 2013](https://arxiv.org/abs/1310.4546)) учит векторы именно так: для каждого
# слова $w$ в тексте и каждого слова $c$ в нескольких позициях от него поднимаем оценку
# $u_c \cdot v_w$, а для $k$ случайных «шумовых» слов $n$ опускаем $u_n \cdot v_w$:
#
# $$ \mathcal L = -\log \sigma(u_c \cdot v_w) - \sum_{j=1}^{k} \log \sigma(-u_{n_j} \cdot v_w). $$
#
# Слова, которые встречаются в похожем окружении, получают похожие векторы $v$. Два приёма из
# статьи: шумовые слова выбираются с вероятностью $\propto \text{count}^{0.75}$ (count — частота
# слова), а очень частые слова ("the", "and") случайно пропускаются, чтобы не заглушать остальные.
# Обучаем на полном собрании пьес, в нижнем регистре, на 5000 самых частых слов.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: какие слова у Шекспира встречаются в том же окружении, что "king"?
# > В полном режиме обучение занимает время: читайте вслух списки соседей по мере появления; аналогии честно не получаются.

# %%
words = re.findall(r"[a-z]+(?:'[a-z]+)?", shakespeare("full").lower())
word_counts = Counter(words)
vocab = [w for w, _ in word_counts.most_common(5000)]
index = {w: i for i, w in enumerate(vocab)}
corpus_ids = np.array([index[w] for w in words if w in index])
freq = np.array([word_counts[w] for w in vocab], dtype=float)
freq /= freq.sum()
keep_prob = np.minimum(1.0, np.sqrt(1e-4 / freq) + 1e-4 / freq)       # прореживание частых слов
noise_dist = torch.tensor(freq ** 0.75 / (freq ** 0.75).sum(), dtype=torch.float32)
print(f"в собрании пьес {len(words):,} слов; словарь из {len(vocab):,} слов покрывает "
      f"{len(corpus_ids) / len(words):.1%} из них; 'the' остаётся с вероятностью {keep_prob[index['the']]:.2f}")


def context_pairs(rng, window=3):
    """Пары номеров (центр, контекст) на расстоянии до `window` позиций, после прореживания частых слов."""
    kept = corpus_ids[rng.random(len(corpus_ids)) < keep_prob[corpus_ids]]
    centers = [kept[:-k] for k in range(1, window + 1)] + [kept[k:] for k in range(1, window + 1)]
    contexts = [kept[k:] for k in range(1, window + 1)] + [kept[:-k] for k in range(1, window + 1)]
    return torch.tensor(np.concatenate(centers)), torch.tensor(np.concatenate(contexts))


utils.seed_everything(0)
dim, negatives, batch = 64, 5, 4096
word_vectors = torch.nn.Embedding(len(vocab), dim)      # v: векторы, которые мы оставим
context_vectors = torch.nn.Embedding(len(vocab), dim)   # u: нужны только для обучения
torch.nn.init.uniform_(word_vectors.weight, -0.5 / dim, 0.5 / dim)
torch.nn.init.zeros_(context_vectors.weight)
optimizer = torch.optim.Adam([*word_vectors.parameters(), *context_vectors.parameters()], lr=0.02)

related = [("king", "queen"), ("lord", "lady"), ("man", "woman"), ("father", "mother"), ("brother", "sister"),
           ("son", "daughter"), ("husband", "wife"), ("sir", "madam"), ("day", "night"), ("he", "she")]
rng = np.random.default_rng(0)
random_pairs = rng.integers(0, len(vocab), size=(2000, 2))


def similarity_gap():
    """Средний косинус родственных пар и средний косинус случайных пар."""
    v = torch.nn.functional.normalize(word_vectors.weight.detach(), dim=1)
    rel = np.mean([(v[index[a]] @ v[index[b]]).item() for a, b in related])
    rnd = (v[random_pairs[:, 0]] * v[random_pairs[:, 1]]).sum(1).mean().item()
    return rel, rnd


before = similarity_gap()
steps = utils.fast(1000, 200)     # × 4096 пар: примерно два прохода по всему Шекспиру
losses, step = [], 0
progress = tqdm(total=steps, desc="skip-gram")
while step < steps:
    centers, contexts = context_pairs(rng)
    order = torch.randperm(len(centers))
    for start in range(0, len(order) - batch, batch):
        chosen = order[start:start + batch]
        v = word_vectors(centers[chosen])                                   # (batch, dim): батч × размерность
        positive = (v * context_vectors(contexts[chosen])).sum(-1)         # (batch,): оценки настоящих пар
        noise = torch.multinomial(noise_dist, batch * negatives, replacement=True).view(batch, negatives)
        negative = (context_vectors(noise) * v.unsqueeze(1)).sum(-1)       # (batch, negatives): оценки шумовых
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
print(f"функция потерь {np.mean(losses[:20]):.3f} → {np.mean(losses[-200:]):.3f}")
print(f"средний косинус, родственные пары и случайные: до обучения {before[0]:+.2f} и {before[1]:+.2f}, "
      f"после {after[0]:+.2f} и {after[1]:+.2f}")

# %% [markdown]
# **Проверка.** Обучение снизило функцию потерь, и после него явно родственные пары (king/queen,
# lord/lady, father/mother, …) гораздо ближе друг к другу, чем случайные пары слов; до обучения
# этого не было.

# %%
utils.assert_decreased("функция потерь skip-gram", [np.mean(losses[:20]), np.mean(losses[-200:])], by=0.2)
assert after[0] - after[1] > 0.1, f"родственные пары должны быть заметно ближе: {after}"
assert after[0] - after[1] > (before[0] - before[1]) + 0.1

# %% [markdown]
# ### Ближайшие соседи и аналогии: честный взгляд
#
# Знаменитый результат векторов слов — арифметика вроде *king − man + woman ≈ queen* («король −
# мужчина + женщина ≈ королева»), полученная на векторах, обученных на миллиардах слов
# ([Mikolov et al., 2013](https://arxiv.org/abs/1301.3781)). У нас меньше миллиона слов
# елизаветинского английского. Соседи уже осмысленны (имена из одной пьесы, формы одного глагола),
# а аналогии на таком масштабе в основном не получаются. Показываем и то и другое как есть.

# %%
from utils.embeddings import analogy, nearest_neighbours

for word in ["king", "romeo", "thou", "father", "sword", "love"]:
    print(f"{word:>7}: " + ", ".join(f"{w} {c:.2f}" for w, c in nearest_neighbours(vectors, vocab, word, 6)))
print()
for a, b, c in [("man", "king", "woman"), ("father", "son", "mother"), ("he", "him", "she"), ("lord", "lady", "sir")]:
    found = analogy(vectors, vocab, a, b, c, 5)
    print(f"{a} : {b} = {c} : ?   → " + ", ".join(w for w, _ in found))

# %% [markdown]
# ### Попробуйте: карта эмбеддингов
#
# 300 самых частых слов, спроецированные из 64 измерений на плоскость методом главных компонент
# (PCA: два направления, вдоль которых векторы меняются сильнее всего). Наберите слово: оно станет
# красным, а его ближайшие соседи — оранжевыми. Соседей ищут во всех 64 измерениях, поэтому на
# плоской карте они иногда далеко друг от друга: проекция теряет бо́льшую часть информации.

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
# ## Итоги
#
# - Токенизация (tokenization) — компромисс между размером словаря и длиной последовательности:
#   символы (словарь мал, последовательности длинные, неизвестных нет), слова (словарь огромный,
#   последовательности короткие, бывают неизвестные слова), подслова (BPE) — посередине.
# - BPE начинает с байтов и снова и снова сливает самую частую пару соседей; кодирование повторяет
#   слияния. Работа на уровне байтов означает, что любой текст восстанавливается в точности.
# - Одна и та же фраза по-русски и по-бенгальски занимает больше токенов, чем по-английски:
#   с токенизатором GPT-4 по-русски примерно вдвое больше, по-бенгальски больше чем в пять раз,
#   с GPT-2 ещё больше; у GPT-4o разрыв меньше. Дороже и меньше контекста.
# - One-hot-векторы огромны и все одинаково далеки друг от друга; таблица эмбеддингов даёт каждому
#   токену плотный обучаемый вектор ($\text{onehot}^\top E$ = выбор строки).
# - Skip-gram учит векторы по контексту: на Шекспире родственные слова оказываются рядом, но для
#   аналогий нужно гораздо больше данных.
#
# **Дальше:** в блокноте 07 вектор каждого токена научится смотреть на остальные — это внимание.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: почему токенизаторы, работающие с байтами, никогда не встречают неизвестный токен?

# %% [markdown]
# ## Упражнения
#
# ★ проверяет понимание, ★★ требует поменять код, ★★★ — маленькое исследование. Замените каждое `...`,
# выполните ячейку, а затем проверку под ней: она скажет ✓ и почему, или даст подсказку. Эталонные решения —
# в [solutions/06_tokens_embeddings.py](../solutions/06_tokens_embeddings.py); сначала попробуйте сами.
#

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Упражнения 1 и 2 — для всей группы на бумаге; упражнение 3 занимает несколько минут за компьютером.

# %%
from utils.exercises import check

# %% [markdown]
# **1. Одно слияние вручную ★.** Возьмите текст `"aaabdaaabac"` как последовательность символов. Какую пару
# BPE сольёт первой и сколько токенов останется после этого одного слияния? Сделайте это на бумаге, потом
# с помощью `merge_pair`.

# %%
first_merge = ...  # (пара строкой, например "xy"; число токенов после слияния)

# %%
check("06.1", first_merge);

# %% [markdown]
# **2. Память ★.** Словарь из 5000 слов с 64-мерными эмбеддингами: сколько мегабайт (10⁶ байтов) занимает
# таблица эмбеддингов во float32? Сколько чисел на слово понадобилось бы one-hot-векторам?

# %%
table_megabytes = ...  # число

# %%
check("06.2", table_megabytes);

# %% [markdown]
# **3. Больше слияний ★★.** Обучите наш BPE с вдвое большим числом слияний на том же `bpe_text` и снова
# измерьте число символов на токен в `val_text`. Что дали лишние слияния и чем за них приходится платить?

# %%
more_per_token = ...  # символов на токен при 2 × num_merges

# %%
check("06.3", more_per_token, ours_per_token=ours_per_token);
