# %% [markdown]
# # 14 · Итоговый проект: свой GPT на своём тексте
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/ru/14_your_own_gpt.ipynb)
#
# **Чему вы научитесь**
# - выбирать текст для обучения (Шекспир, стандартная библиотека самого Python или ваш собственный
#   файл, например русский текст) и разбираться с текстами, которые не годятся;
# - выбирать токенизатор: символы или байтовый BPE из блокнота 06, обученный на *этом* тексте;
# - честно сравнивать две модели с разными токенизаторами: в **битах на символ** и при равных вычислениях;
# - обучать модель по рецепту курса за заданное вами время, сохранять и продолжать обучение,
#   сэмплировать, заглядывать внутрь;
# - трезво оценивать результат: базовые модели, образцы текста и вопрос «не списывает ли модель?»;
# - что такое параллелизм по данным (data parallelism) — на опыте, с двумя процессами под `torchrun`.
#
# **Время:** около 60 минут (на ноутбуке с 2 ядрами ячейки считают в сумме около 2 минут).
# **Нужно знать:** блокноты 06 (BPE), 08 (GPT) и 09 (рецепт обучения).

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
# ## 1. Выберите текст
#
# До сих пор всё в курсе обучалось на Шекспире. Теперь выбираете вы. Три вида текста работают без
# интернета на любой машине:
#
# - `"shakespeare"`: все пьесы (`utils.data`; берём первые 2 миллиона символов);
# - `"python"`: стандартная библиотека самого Python — файлы `.py` того Python, в котором работает
#   этот блокнот, в отсортированном порядке. Получится GPT, который пишет на Python;
# - `"file"`: ваш собственный текстовый файл в UTF-8 (укажите `MY_FILE`) или `"text"`: текст,
#   который вы вставите.
#
# **Русский текст.** Готового русского корпуса в курсе нет: мы искали пакет на PyPI с
# общественным достоянием русской литературы, который работал бы без интернета, и не нашли (такие
# пакеты лишь скачивают корпуса из сети). Поэтому русский текст приносите сами: сохраните в UTF-8
# повесть Пушкина или рассказы Чехова (их тексты давно в общественном достоянии) либо свои
# заметки и укажите файл в `MY_FILE` или вставьте текст в виджет ниже. Нужно не меньше
# `MIN_CHARACTERS` символов; чем больше текста, тем лучше: сотни тысяч символов — уже хорошо.
#
# Поменяйте `CHOICE` (и `MY_FILE`) и выполните блокнот заново с этого места; всё ниже подстроится.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите группу, что бы им хотелось, чтобы писала модель, и почему модели нужно много текста.
# > Итог: годится любой текст, но на плохой вход должно быть понятное сообщение, а не трассировка из глубин обучения.

# %%
from utils.corpus import MIN_CHARACTERS, file_corpus, load_corpus, text_corpus

CHOICE = "shakespeare"          # или "python", "file", "text"
MY_FILE = None                  # например "my_diary.txt", когда CHOICE = "file"
corpus = load_corpus(CHOICE, path=MY_FILE, max_characters=utils.fast(2_000_000, 200_000))
train_text, held_out_text = corpus.split()
for key, value in corpus.stats().items():
    print(f"{key:20s} {value if key == 'most common' else f'{value:,}'}")
print(*corpus.notes, sep="\n")
print(f"обучаемся на {len(train_text):,} символах, последние {len(held_out_text):,} отложены")

# %% [markdown]
# Негодные тексты отсеиваются сразу, и сообщение говорит, что делать. Вот файл, которого нет;
# файл не в UTF-8 (здесь в Latin-1: «café», где é — один байт `0xE9`) и текст короче минимума:

# %%
import tempfile
from pathlib import Path

scratch = Path(tempfile.mkdtemp())
latin1 = scratch / "latin1.txt"
latin1.write_bytes(("café au lait. " * 500).encode("latin-1"))
problems = {}
for name, attempt in {"нет файла": lambda: file_corpus("no_such_file.txt"),
                      "не UTF-8": lambda: file_corpus(latin1),
                      "мало текста": lambda: text_corpus("To be, or not to be.")}.items():
    try:
        attempt()
    except (OSError, ValueError) as err:
        problems[name] = str(err)
        print(f"{name:13s} → {str(err).replace(str(scratch), '…')}")
replaced = file_corpus(latin1, errors="replace")   # предложенное решение: каждый плохой байт становится �
print("с errors='replace':", replaced.text[:28], "·", *replaced.notes)

# %%
assert set(problems) == {"нет файла", "не UTF-8", "мало текста"}
assert "errors='replace'" in problems["не UTF-8"] and f"{MIN_CHARACTERS:,}" in problems["мало текста"]
assert replaced.text.startswith("caf\ufffd au lait") and len(held_out_text) > 0.09 * len(corpus.text)

# %% [markdown]
# То же самое с виджетом: выберите текст, введите путь к файлу или вставьте текст и посмотрите его
# статистику. `picker.corpus` — загруженный им текст (чтобы обучаться на нём: `corpus = picker.corpus`,
# затем выполните заново ячейки после этой).

# %%
from utils.widgets import CorpusPicker

picker = CorpusPicker(choice=CHOICE)
picker

# %% [markdown]
# ## 2. Выберите токенизатор
#
# У символов маленький словарь и длинные последовательности. Байтовый BPE из блокнота 06, обученный
# на *этом* тексте, сливает частые пары в токены: каждое слияние добавляет в словарь один токен и
# укорачивает текст. Мы обучаем BPE один раз, с наибольшим числом слияний: токенизатор после первых
# $k$ слияний — его начало, поэтому ползунку ниже не нужно ничего переобучать. На чистом Python BPE
# обучается медленно, поэтому он учится на первой части обучающего текста.
#
# На русском тексте видно, зачем нужны слияния: в UTF-8 каждая русская буква занимает два байта,
# так что без слияний байтовый BPE тратит на неё два токена, а на английскую букву — один.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: чего стоит больший словарь и что он даёт? (Больше таблица эмбеддингов и
# > выходной слой; зато последовательности короче, и то же контекстное окно вмещает больше текста.) Подвигайте ползунок вместе.

# %%
import time

from utils.bpe import BytePairTokenizer
from utils.corpus import bpe_with_merges, tokens_per_character
from utils.data import CharTokenizer

bpe_text = train_text[: utils.fast(60_000, 10_000)]
start = time.perf_counter()
full_bpe = BytePairTokenizer.train(bpe_text, num_merges=utils.fast(1_000, 120))
bpe_seconds = time.perf_counter() - start
print(f"BPE: {len(full_bpe.merges):,} слияний выучено на {len(bpe_text):,} символах за {bpe_seconds:.0f} с")

measure_text = held_out_text[:20_000]
tradeoff = {}
for merges in sorted({0, 100, 250, 500, 1000, len(full_bpe.merges)}):
    if merges <= len(full_bpe.merges):
        tokenizer = bpe_with_merges(full_bpe, merges)
        tradeoff[merges] = (tokenizer.vocab_size, tokens_per_character(tokenizer, measure_text))
        print(f"слияний: {merges:5,}, словарь {tradeoff[merges][0]:5,}, "
              f"{tradeoff[merges][1]:.3f} токена на символ отложенного текста")

# %%
per_char = [t for _, t in tradeoff.values()]
assert tradeoff[0] == (256, 1.0) or tradeoff[0][1] > 1.0   # байты: 1 токен на символ ASCII, больше для é (и для кириллицы)
assert all(a > b for a, b in zip(per_char, per_char[1:])), "каждая ступень слияний должна укорачивать текст"

# %%
from utils.widgets import MergesView

MergesView(full_bpe, held_out_text, merges=min(500, len(full_bpe.merges)))

# %% [markdown]
# ## 3. Честная гонка: символы против BPE, в битах на символ
#
# Какой токенизатор даёт модель лучше? Потери на *токен* этого не скажут: токен BPE несёт несколько
# символов, и, конечно, стоит больше натов, чем один символ. Честная единица — сколько информации
# нужно модели на **один и тот же отложенный текст**:
#
# $$\text{bits per character} = \frac{\sum_{\text{tokens}} (-\ln p(\text{token}))}{\ln 2 \cdot \text{number of characters}}.$$
#
# То есть биты на символ (bits per character): сумма −ln p по всем токенам, делённая на ln 2 и на число символов.
# Пример, который легко проверить вручную: 4 токена, каждому модель дала вероятность $\tfrac14$
# (цена $\ln 4$ ната, то есть 2 бита), и они покрывают 8 символов: $4 \cdot 2 / 8 = 1$ бит на символ.
#
# **Равные вычисления.** У обеих моделей одно и то же тело (слои, ширина, контекст в 64 токена) и один
# и тот же батч. Шаг обучения стоит около $6N$ операций с плавающей точкой на токен ($N$ — параметры,
# участвующие в умножениях матриц, включая выходной слой; блокнот 09). Выходной слой у модели BPE
# больше, поэтому она получает пропорционально меньше шагов.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: почему бы просто не сравнить две функции потерь, которые печатает обучение? (Разные
# > единицы: наты на токен.) Разберите пример с 1 битом на доске до запуска гонки.

# %%
import math

import torch

from utils.corpus import bits_per_character, held_out_bits_per_character
from utils.models import GPT, GPTConfig
from utils.train import Recipe, encode_corpus, train

assert bits_per_character(4 * math.log(4), 8) == 1.0          # пример выше, проверенный вручную

char_tokenizer = CharTokenizer(corpus.text)
race_bpe = bpe_with_merges(full_bpe, min(500, len(full_bpe.merges)))
race_text = held_out_text[: utils.fast(50_000, 5_000)]


def compute_per_token(model):
    """Параметры в умножениях матриц: все, кроме таблицы позиций (это выборка строк, без арифметики)."""
    return model.num_parameters() - model.position_embedding.weight.numel()


race, char_steps = {}, utils.fast(300, 15)
for name, tokenizer in (("characters", char_tokenizer), ("BPE", race_bpe)):
    data = encode_corpus(train_text, tokenizer)
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=tokenizer.vocab_size, block_size=64, n_layer=2, n_head=4, n_embd=64))
    n = compute_per_token(model)
    steps = char_steps if name == "characters" else round(char_steps * race["characters"]["n"] / n)
    start = time.perf_counter()
    train(model, data, Recipe(steps=steps, batch_size=16, lr=3e-3, min_lr=3e-4, warmup_steps=utils.fast(30, 3)),
          progress=False)
    seconds = time.perf_counter() - start
    race[name] = {"n": n, "steps": steps, "flops": 6 * n * steps * 16 * 64, "seconds": seconds,
                  "bpc": held_out_bits_per_character(model, tokenizer, race_text),
                  "characters seen": steps * 16 * 64 / tokens_per_character(tokenizer, measure_text)}
    r = race[name]
    print(f"{name:10s} словарь {tokenizer.vocab_size:4,} · шагов: {steps} · {r['flops']:.2e} FLOP · "
          f"{seconds:5.1f} с · прочитано ≈{r['characters seen'] / 1e6:.2f} млн символов · {r['bpc']:.3f} бита на символ")

winner = min(race, key=lambda k: race[k]["bpc"])
loser = "BPE" if winner == "characters" else "characters"
print(f"победитель: {winner}, отрыв {race[loser]['bpc'] - race[winner]['bpc']:.3f} бита на символ")

# %%
half_a_step = 6 * race["BPE"]["n"] * 16 * 64 / 2       # шаги — целые числа: равенство с точностью до округления
assert abs(race["BPE"]["flops"] - race["characters"]["flops"]) <= half_a_step, "гонка должна идти при равных вычислениях"
if not utils.is_fast():   # результат полного запуска, который объясняет текст ниже
    assert winner == "BPE" and race["BPE"]["bpc"] < race["characters"]["bpc"] - 0.1
    assert race_bpe.vocab_size == 756 and 0.4 < tradeoff[500][1] < 0.55
    assert 1.2 < race["BPE"]["characters seen"] / race["characters"]["characters seen"] < 1.8
    assert race["BPE"]["steps"] < 0.8 * race["characters"]["steps"]

# %% [markdown]
# На Шекспире в полном запуске **победил BPE**: при равных вычислениях он лучше больше чем на 0.1 бита
# на символ (числа напечатаны выше и проверены). Почему: каждый токен BPE покрывает около двух
# символов (от 0.4 до 0.55 токена на символ). Его выходной слой больше (756 токенов вместо одного на
# каждый символ) и отнимает вычисления, поэтому шагов ему досталось больше чем на 20 % меньше. И всё
# же он прочитал в 1,2–1,8 раза больше текста, а его контекст в 64 токена охватывает примерно вдвое
# больше символов. При гораздо большем числе слияний цена растёт (редкие токены встречаются
# слишком редко, чтобы их выучить) — это одно из упражнений.

# %% [markdown]
# ## 4. Обучите свой GPT за заданное время
#
# Теперь одна модель побольше, с токенизатором-победителем, и бюджет времени задаёте вы. Расписанию
# скорости обучения (блокнот 09) число шагов нужно знать заранее, поэтому сначала мы замеряем
# несколько шагов на этой машине и выводим число шагов из бюджета. На полпути обучение
# останавливается и сохраняет чекпойнт (веса, моменты AdamW, номер шага, состояние генератора
# случайных чисел). Следующая ячейка продолжает с него так, будто остановки не было: так вы
# продолжили бы обучение завтра.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Сначала запустите обучение, потом рассказывайте: кривые рисуются на ходу. Спросите, что
# > означал бы разрыв между кривыми на обучающем и отложенном тексте.

# %%
from utils.corpus import steps_for_time_budget
from utils.widgets import LossCurves

TIME_BUDGET_SECONDS = utils.fast(60, 8)      # выбирайте сами: за 5 минут (300) модель обучится лучше
tokenizer = race_bpe if winner == "BPE" else char_tokenizer
train_data, held_out_data = encode_corpus(train_text, tokenizer), encode_corpus(held_out_text, tokenizer)
config = GPTConfig(vocab_size=tokenizer.vocab_size, block_size=64, n_layer=3, n_head=4, n_embd=96)
torch.manual_seed(0)
model = GPT(config)
recipe = Recipe(steps=10, batch_size=16, lr=3e-3, min_lr=3e-4, warmup_steps=utils.fast(40, 2))
steps = max(10, steps_for_time_budget(model, train_data, recipe, TIME_BUDGET_SECONDS))
recipe = Recipe(**{**recipe.to_dict(), "steps": steps})
print(f"параметров: {model.num_parameters():,} · бюджет {TIME_BUDGET_SECONDS} с → шагов: {steps}")

from utils.config import cache_dir
from utils.train import evaluate

checkpoint = cache_dir() / "capstone" / "my_gpt.pt"
checkpoint.parent.mkdir(parents=True, exist_ok=True)
val_slice = held_out_data[: utils.fast(10_000, 2_000)]
curves = LossCurves(f"ваш GPT на тексте {corpus.name}", total_steps=steps)
curves.add(0, evaluate(model, val_slice), evaluate(model, val_slice))
curves.widget   # живой вид; готовая картинка показана после обучения

# %%
every = max(1, steps // 15)
start = time.perf_counter()
first_half = train(model, train_data, recipe, callback=lambda s, loss: curves.add(s, loss, evaluate(model, val_slice)),
                   every=every, stop_after=steps // 2, save_to=checkpoint)
print(f"остановились на шаге {len(first_half)} из {steps}; чекпойнт {checkpoint.name}, "
      f"{checkpoint.stat().st_size / 1e6:.1f} МБ")

# %%
torch.manual_seed(1)                 # новая модель: продолжение обучения должно перезаписать всё
model = GPT(config)
losses = train(model, train_data, recipe, callback=lambda s, loss: curves.add(s, loss, evaluate(model, val_slice)),
               every=every, resume_from=checkpoint)
train_seconds = time.perf_counter() - start
print(f"шагов: {len(losses)} за {train_seconds:.0f} с; потери на отложенном тексте {curves.state.val_losses[0]:.2f} → "
      f"{curves.state.val_losses[-1]:.2f} ната на токен")
curves.figure

# %%
assert len(losses) == steps and losses[: len(first_half)] == first_half
utils.assert_decreased("потери на отложенном тексте", curves.state.val_losses, by=utils.fast(0.3, 0.1))   # доли от первого значения

# %% [markdown]
# Бюджет покупает шаги обучения; точки кривой на отложенном тексте стоят дополнительного времени
# сверх него (время всего запуска напечатано выше).

# %% [markdown]
# ## 5. Оцените честно
#
# Само по себе значение функции потерь (loss) мало что говорит. Две базовые модели (baselines) из
# блокнота 05, посчитанные по символам этого текста: **униграммная** модель (каждый символ — по его
# частоте, без контекста) и **биграммная** (каждый символ — по предыдущему). Все три — в битах на
# символ, на одном и том же отложенном тексте.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: какая самая слабая модель ещё заслуживает этого имени? (Биграммная.) Потом
# > прочитайте образцы вслух и спросите, сочинила их модель или списала.

# %%
from utils.corpus import unigram_loss
from utils.rnn import bigram_loss

char_train, char_held_out = encode_corpus(train_text, char_tokenizer), encode_corpus(race_text, char_tokenizer)
judged = {
    "униграммы (символы)": unigram_loss(char_train, char_held_out, char_tokenizer.vocab_size) / math.log(2),
    "биграммы (символы)": bigram_loss(char_train, char_held_out, char_tokenizer.vocab_size) / math.log(2),
    "ваш GPT": held_out_bits_per_character(model, tokenizer, race_text),
}
for name, bpc in judged.items():
    print(f"{name:22s} {bpc:.3f} бита на символ")

# %%
# В быстром тестовом запуске модель учится считаные секунды: там ей достаточно обойти униграммы.
baseline = utils.fast("биграммы (символы)", "униграммы (символы)")
assert judged["ваш GPT"] < judged[baseline], f"модель должна обойти базовую модель «{baseline}»"

# %% [markdown]
# Образцы текста и вопрос, на который должна ответить маленькая модель на маленьком тексте:
# **не списывает ли она?** В каждом образце мы ищем самый длинный кусок, который слово в слово
# встречается в обучающем тексте. Настоящий отложенный отрывок той же длины тоже случайно делит с
# обучающим текстом какие-то куски (имена, расхожие обороты) — это и есть мерка.

# %%
from utils.corpus import longest_copy, passage_around
from utils.models import generate

prompt = "\n"
samples = []
for seed in range(3):
    ids = generate(model, torch.tensor([tokenizer.encode(prompt)]), utils.fast(200, 40), temperature=0.8,
                   top_k=40, generator=torch.Generator().manual_seed(seed))
    samples.append(tokenizer.decode(ids[0, 1:].tolist()))
print(samples[0])
copies = [longest_copy(s, train_text) for s in samples]
chance = [longest_copy(held_out_text[i : i + len(s)], train_text) for i, s in zip((0, 5_000, 10_000), samples)]
for (n, piece), (m, _) in zip(copies, chance):
    print(f"образец: самый длинный кусок, который есть и в обучающем тексте, {n:3d} симв. {piece!r:.60}; "
          f"у отложенного текста той же длины: {m}")
print("самый длинный кусок взят отсюда:", repr(passage_around(copies[0][1], train_text, context=40)))

# %%
longest_sample, longest_chance = max(n for n, _ in copies), max(m for m, _ in chance)
assert all(piece in train_text for _, piece in copies)
assert longest_sample < max(3 * longest_chance, 40), "образец списывает длинный отрывок: модель заучивает текст"

# %% [markdown]
# Куски, общие у образцов с обучающим текстом, примерно такой же длины, как у настоящего, не
# виденного моделью текста: модель заново комбинирует выученное, а не пересказывает отрывки
# (проверка выше падает, если образец списывает втрое больше, чем случайный текст, или 40 символов).
# Попробуйте сэмплер: температура, top-k, промпт, и в каждом образце отмечен самый длинный списанный кусок.

# %%
from utils.widgets import SamplerView

SamplerView(model, tokenizer, train_text, prompt="\n", temperature=0.8, top_k=40, new_tokens=utils.fast(200, 40))

# %% [markdown]
# ## 6. Загляните внутрь: внимание вашей модели
#
# Виджет внимания из блокнота 07 работает с новой моделью и её токенизатором: выберите слой и голову,
# введите текст и посмотрите, на какие предыдущие токены смотрит каждый токен.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Найдите голову, которая смотрит на предыдущий токен, и голову, которая смотрит дальше
# > назад; спросите, для чего каждая могла бы пригодиться в этом тексте.

# %%
from utils.widgets import AttentionView

attention = AttentionView(model, tokenizer, held_out_text[:80], layer=config.n_layer - 1, head=0)
attention

# %%
import numpy as np

from utils.widgets.attention import attention_for

labels, weights = attention_for(model, tokenizer, held_out_text[:80])
assert weights.shape[:2] == (config.n_layer, config.n_head) and np.allclose(weights.sum(-1), 1, atol=1e-5)
assert np.allclose(np.triu(weights, k=1), 0), "ни один токен не должен смотреть на последующие токены"

# %% [markdown]
# ## 7. Когда ноутбука мало: параллелизм по данным
#
# Большие модели обучают сразу на многих GPU. Самый простой способ — **параллелизм по данным**:
# каждый процесс (по одному на GPU) хранит полную копию модели; на каждом шаге общий батч режется
# на равные части, по одной на процесс; каждый считает градиенты на своей части; затем операция
# **all-reduce** усредняет градиенты по всем процессам, и все копии делают одинаковый шаг. Среднее
# из средних градиентов частей *и есть* градиент средней функции потерь по всему батчу, поэтому
# запуск равносилен одному процессу со всем батчем, только быстрее, если у каждого процесса своё железо.
#
# `DistributedDataParallel` из PyTorch выполняет all-reduce прямо во время `backward()`. `utils/ddp.py`
# запускает с ним рецепт курса; процессы запускает `torchrun`. На процессорах он использует бэкенд
# **gloo**, на GPU — **NCCL**, код тот же:
#
#     torchrun --nproc_per_node=2 -m utils.ddp --steps 40          # здесь: 2 процесса на CPU
#     torchrun --nproc_per_node=8 -m utils.ddp --steps 5000        # машина с 8 GPU
#
# Запустим его с 1 и с 2 процессами на одном и том же общем батче из 16 примеров и сравним.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Нарисуйте четыре GPU, у каждого копия модели и четверть батча, и стрелки all-reduce.
# > Спросите: почему копии должны оставаться одинаковыми? Потом посмотрите на измеренное время.

# %%
import json
import os

package_root = str(Path(utils.__file__).resolve().parent.parent)
env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
ddp_runs = {}
for processes in (1, 2):
    report = scratch / f"ddp_{processes}.json"
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}",
               "-m", "utils.ddp", "--steps", str(utils.fast(40, 4)), "--batch-size", "16", "--out", str(report)]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode:
        print(done.stderr[-2000:])
    ddp_runs[processes] = json.loads(report.read_text()) | {"wall seconds": time.perf_counter() - start}
    r = ddp_runs[processes]
    print(f"{processes} процесс{'а' if processes > 1 else ''} ({r['backend']}): обучение {r['seconds']:.1f} с, "
          f"с запуском {r['wall seconds']:.1f} с, последние потери {r['losses'][-1]:.4f}")

# %%
one, two = ddp_runs[1], ddp_runs[2]
speedup = one["seconds"] / two["seconds"]
print(f"ускорение 2 процессов против 1: {speedup:.2f}×")
utils.assert_close("2 процесса против 1, тот же общий батч", two["losses"], one["losses"], atol=1e-4)
assert speedup < 2.2, "два процесса не могут быть намного больше чем вдвое быстрее одного"
assert two["backend"] == "gloo" and len(two["losses"]) == utils.fast(40, 4)

# %% [markdown]
# Оба запуска дают одинаковые потери шаг за шагом (с точностью до округлений в сумме all-reduce):
# разбиение батча ничего не изменило в математике. Ускорение, напечатанное выше, не больше 2, а на
# процессоре ноутбука обычно заметно меньше: каждый шаг ждёт all-reduce, два процесса делят ядра
# и память машины со всем остальным, а их запуск стоит секунд. Параллелизм по данным окупается,
# когда у каждого процесса свой GPU и вычисления шага длятся гораздо дольше, чем усреднение его
# градиентов. `tests/test_ddp.py` проверяет, что параметры копий остаются одинаковыми после каждого шага.

# %% [markdown]
# ## Итоги
#
# - Обучающим текстом может быть любой текст; на плохой вход (файла нет, не UTF-8, слишком короткий,
#   огромный) — понятное сообщение до обучения, а не падение посреди него.
# - Токенизаторы обменивают размер словаря на длину последовательности; измеряйте и то и другое на своём тексте.
# - Модели с разными токенизаторами сравнивайте в битах на символ и при равных вычислениях. На
#   Шекспире победил BPE: за те же вычисления он прочитал больше текста и видел дальше.
# - Рецепт курса обучает модель за заданное время, сохраняется и продолжает; результат оценивайте
#   против базовых моделей и проверяйте, что образцы не списаны.
# - Параллелизм по данным: копии модели, части батча, усреднённые градиенты; тот же запуск, что
#   и с одним процессом, и быстрее он только на по-настоящему параллельном железе.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите каждого, на каком тексте он будет обучать модель дальше и что, по его ожиданиям, покажет гонка.

# %% [markdown]
# ## Упражнения
#
# ★ проверяет понимание, ★★ требует поменять код, ★★★ — маленькое исследование. Замените каждое `...`,
# выполните ячейку, а затем проверку под ней: она скажет ✓ и почему, или даст подсказку. Эталонные решения —
# в [solutions/14_your_own_gpt.py](../solutions/14_your_own_gpt.py); сначала попробуйте сами.
#

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Упражнение 1 занимает в классе две минуты; упражнения 2–4 и домашнее задание ниже — после
# > занятия: каждый приносит результат гонки на своём тексте.

# %%
from utils.exercises import check

# %% [markdown]
# **1. Биты вручную ★.** Модель дала каждому из 6 токенов отложенного текста из 15 символов вероятность
# 1/8. Сколько это бит на символ? Посчитайте с помощью `bits_per_character`.

# %%
bits_per_char = ...  # биты на символ для текста из 15 символов

# %%
check("14.1", bits_per_char);

# %% [markdown]
# **2. Больше слияний — меньше шагов ★★.** Гонка из раздела 3, но с BPE после 1500 слияний вместо 500
# (словарь 256 + 1500 токенов): сколько шагов обучения получила бы её модель при равных вычислениях? Постройте
# GPT из гонки с таким словарём и посчитайте его вычисления так же, как `compute_per_token`. (Чтобы провести
# эту гонку, обучите BPE с большим числом слияний: `BytePairTokenizer.train(bpe_text, num_merges=1500)`; побеждает ли BPE по-прежнему?)

# %%
bpe_1500_steps = ...  # шаги обучения модели с 1500 слияниями при равных вычислениях

# %%
check("14.2", bpe_1500_steps, race=race);

# %% [markdown]
# **3. Униграммная модель вручную ★★.** Напишите `unigram_bits(train_text, held_out_text)`: посчитайте каждый
# символ в обучающем тексте, добавьте единицу к счётчику каждого символа алфавита (символов обоих текстов),
# поделите на общую сумму и верните среднее −log₂ p по символам отложенного текста. `unigram_bits(train_text,
# race_text)` должно получиться близким к строке униграмм из раздела 5.

# %%
def unigram_bits(train_text, held_out_text):
    ...  # ваш код: верните биты на символ

# %%
check("14.3", unigram_bits);

# %% [markdown]
# **4. Почему части равные? ★★★** Параллелизм по данным усредняет градиенты частей. Возьмите маленькую модель
# (`torch.nn.Linear(8, 1)`, 16 случайных примеров, `mse_loss` с усреднением по умолчанию) и сравните градиент
# по всему батчу со средним градиентов двух частей: один раз для частей 8 + 8, другой — для 10 + 6. Что
# меняется и что пришлось бы делать DDP с неравными частями?

# %%
gradient_gaps = ...  # (наибольшая |разность| для частей 8 + 8, для частей 10 + 6)

# %%
check("14.4", gradient_gaps);

# %% [markdown]
# **Домашнее задание: GPT, который пишет на Python, или по-русски.** Поставьте `CHOICE = "python"` (или
# свой файл, например русскую повесть) и выполните блокнот заново. Какой токенизатор выигрывает гонку на
# коде? А на русском тексте, где без слияний каждая буква стоит два байта? Списывает ли модель больше
# или меньше, чем на Шекспире?
