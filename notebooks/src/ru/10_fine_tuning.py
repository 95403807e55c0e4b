# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (nn-course)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 10 · Дообучение: классификация, инструкции и LoRA
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/ru/10_fine_tuning.ipynb)
#
# **Чему вы научитесь**
# - почему почти любую полезную языковую модель *один раз предобучают, а потом дообучают*;
# - дообучение для классификации: из комедии отрывок или из трагедии? Замороженное тело + новая голова,
#   полное дообучение и обучение с нуля — сравним их на пьесах, которых модели не видели;
# - дообучение на инструкциях с шаблоном промпта: чему оно учит, а чему нет;
# - LoRA с нуля: низкоранговая поправка рядом с замороженным весом, которую в конце вливают обратно;
# - когда писать промпт, когда подключать поиск (RAG), когда дообучать, а когда обучать с нуля.
#
# **Время:** около 60 минут (на ноутбуке ячейки работают в сумме около двух минут).
# **Нужно знать:** блокнот 08 (GPT и его чекпойнт) и 09 (цикл обучения).

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
# ## 1. Предобучить один раз, дообучать много раз
#
# Полезную языковую модель строят в два этапа (Raschka, *Build a Large Language Model (From
# Scratch)*, 2024, гл. 1):
#
# 1. **Предобучение** (pretraining): предсказание следующего токена на большом объёме неразмеченного
#    текста. Сюда уходят почти все вычисления (блокнот 09), и здесь модель учит язык.
# 2. **Дообучение** (fine-tuning): ещё немного обучения на небольшом *размеченном* наборе данных ради
#    одной задачи. Оно бывает двух видов:
#
# | вид | данные | пример |
# |---|---|---|
# | дообучение для классификации | (текст, метка класса) | спам или нет; комедия или трагедия |
# | дообучение на инструкциях | (инструкция, ответ) | «Перескажи кратко…» → краткий пересказ |
#
# Два утверждения из исходных материалов к этому уроку нужно поправить. «ChatGPT — это GPT-3,
# дообученная на наборе инструкций» — здесь опущена половина рецепта: ChatGPT дообучали из модели
# серии GPT-3.5 на размеченных людьми инструкциях **и** обучением с подкреплением на основе отзывов
# людей ([OpenAI, 2022](https://openai.com/index/chatgpt/); метод взят из InstructGPT,
# [Ouyang et al., 2022](https://arxiv.org/abs/2203.02155); блокнот 11). А BloombergGPT — вовсе не
# дообученная модель: её обучили с нуля на смеси финансовых и обычных текстов
# ([Wu et al., 2023](https://arxiv.org/abs/2303.17564)).
#
# Дообучать мы будем собственную предобученную модель курса: символьную GPT на Шекспире из
# блокнота 08, 0.8 M параметров (предобучена на восьми пьесах Tiny Shakespeare).

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: куда уходят почти все вычисления при создании языковой модели? (На предобучение.)
# > Итог: дообучение приспосабливает модель к задаче по небольшим данным; ChatGPT понадобился ещё и RLHF (блокнот 11).

# %%
import copy
import time

import numpy as np
import torch
import torch.nn.functional as F

from utils import assert_close
from utils.checkpoints import load_shakespeare_gpt

base, tokenizer = load_shakespeare_gpt()
print(f"предобученная GPT: {base.num_parameters():,} параметров, слоёв: {base.config.n_layer}, "
      f"контекст {base.config.block_size} символов")

# %% [markdown]
# ## 2. Комедия или трагедия? Данные
#
# Наша задача классификации: по началу реплики определить, написана она для **комедии** или для
# **трагедии**. Метки взяты из Первого фолио 1623 года, где пьесы разделены на комедии, хроники и
# трагедии (`utils.data`; хроники мы здесь не берём).
#
# Два правила делают проверку честной:
#
# - **Делим по пьесам.** У реплик одной пьесы общие имена, места и сюжет. Если бы реплики одной
#   пьесы попали и в обучающие, и в тестовые данные, модель могла бы набирать очки, узнавая *пьесу*,
#   а не жанр. Поэтому пьесы откладываются целиком: 4 комедии и 3 трагедии.
# - **Незнакомый текст.** Ни одна из 22 пьес не входит в те 8, на которых модель предобучалась.
#
# Отрывок — это первые 64 символа реплики длиной не меньше 40 символов, без имени говорящего
# (имя вроде HAMLET выдаёт пьесу, а не жанр).

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: почему делим по пьесам, а не по репликам? (Модель могла бы узнавать пьесу, а не жанр.)
# > Итог: любой классификатор должен обойти самый частый класс, здесь около 57 %.

# %%
from utils.finetune import GENRES, encode_passages, genre_passages

LENGTH = 64
train_texts, train_labels, train_plays = genre_passages("train", max_chars=LENGTH)
test_texts, test_labels, test_plays = genre_passages("test", max_chars=LENGTH)
if utils.is_fast():  # в быстром тестовом прогоне отрывков меньше; код тот же
    rng = np.random.default_rng(0)
    keep = rng.permutation(len(train_texts))[:3000]
    train_texts, train_labels, train_plays = ([x[i] for i in keep] for x in (train_texts, train_labels, train_plays))
    keep = rng.permutation(len(test_texts))[:900]
    test_texts, test_labels, test_plays = ([x[i] for i in keep] for x in (test_texts, test_labels, test_plays))

assert not set(train_plays) & set(test_plays), "пьеса попала и в обучающие, и в тестовые данные"
for split, plays, labels in (("обучение", train_plays, train_labels), ("тест", test_plays, test_labels)):
    print(f"{split}: {len(labels):,} отрывков из {len(set(plays))} пьес, "
          f"{np.mean(np.array(labels) == 0):.1%} из комедий")
print("тестовые пьесы:", ", ".join(sorted(set(test_plays))))
for text, label in list(zip(train_texts, train_labels))[:4]:
    print(f"  {GENRES[label]:8} {text!r}")

# %% [markdown]
# Классификатор должен обойти **самый частый класс** (majority class): ответ, который всегда называет
# самую частую метку тестовой выборки. Точность ниже этой ничего не стоит.

# %%
train_ids, train_lengths = encode_passages(train_texts, tokenizer, LENGTH)
test_ids, test_lengths = encode_passages(test_texts, tokenizer, LENGTH)
train_y, test_y = torch.tensor(train_labels), torch.tensor(test_labels)
majority = max(np.mean(test_labels), 1 - np.mean(test_labels))
print(f"точность самого частого класса на тестовых пьесах: {majority:.1%}")

# %% [markdown]
# ## 3. Новая голова на предобученном теле
#
# GPT заканчивается головой (head), которая превращает скрытый вектор каждой позиции $h_t \in \mathbb{R}^{128}$
# в 76 оценок следующего символа. Для классификации мы оставляем тело и ставим на него новую голову:
#
# $$ \text{logits} = W\,\bar h + b, \qquad \bar h = \frac{1}{T}\sum_{t=1}^{T} h_t, \qquad W \in \mathbb{R}^{2\times 128}. $$
#
# $\bar h$ — среднее скрытых состояний по всему отрывку. (GPT-1 брала вместо него последнюю позицию,
# [Radford et al., 2018](https://cdn.openai.com/research-covers/language-unsupervised/language_understanding_paper.pdf);
# среднее использует состояния всех позиций, а не только той, что прочла весь отрывок.) `GPTClassifier` из
# `utils.finetune` устроен ровно так: `backbone.hidden_states(ids)`, среднее и один `nn.Linear`.
#
# Сравним четыре способа получить классификатор — на одних и тех же данных и с одним и тем же числом шагов:
#
# | | тело | что обучается | обучаемых параметров |
# |---|---|---|---|
# | **замороженное тело** | предобученное | только голова | 258 |
# | **полное дообучение** | предобученное | всё | 0.8 M |
# | **LoRA** (раздел 4) | предобученное | маленькие адаптеры + голова | 66 k |
# | **с нуля** | случайное | всё | 0.8 M |

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: какой из четырёх классификаторов окажется лучше? Соберите догадки до запуска.
# > В полном режиме обучение занимает заметное время: пока ждёте, объясните среднее по позициям.

# %%
from utils.finetune import GPTClassifier
from utils.lora import count_parameters


@torch.no_grad()
def predict(model, ids, lengths, batch=128):  # батчи по 128: на CPU быстрее больших (помещаются в его кэш)
    model.eval()
    return torch.cat([model(ids[i:i + batch], lengths[i:i + batch]).argmax(-1) for i in range(0, len(ids), batch)])


def accuracy(model):
    return (predict(model, test_ids, test_lengths) == test_y).float().mean().item()


def fine_tune(model, steps, lr, batch_size=32, seed=0):
    """AdamW по параметрам, которым нужны градиенты; возвращает потери и секунды на шаг."""
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    generator = torch.Generator().manual_seed(seed)            # одни и те же батчи для каждой модели
    model.train()
    losses, start = [], time.perf_counter()
    for _ in range(steps):
        i = torch.randint(len(train_ids), (batch_size,), generator=generator)
        loss = F.cross_entropy(model(train_ids[i], train_lengths[i]), train_y[i])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    return losses, (time.perf_counter() - start) / steps


# %%
STEPS = 300                      # длина по рецепту (utils.finetune.CLASSIFIER_RECIPE)
LIVE_STEPS = utils.fast(30, 10)  # здесь идут первые шаги каждого прогона; остальное загружается
RUN_LIVE = False  # True: обучить здесь все прогоны этого ноутбука целиком (ещё около 7 минут)
results = {"самый частый класс": majority}

# %% [markdown]
# **Замороженное тело.** Раз тело заморожено, его признаки не меняются: вычислим их один раз и
# обучим на них только голову (это логистическая регрессия). Так предобученную модель использовать
# дешевле всего.

# %%
torch.manual_seed(0)
frozen = GPTClassifier(copy.deepcopy(base))
for p in frozen.backbone.parameters():
    p.requires_grad_(False)
start = time.perf_counter()
with torch.no_grad():
    features = torch.cat([frozen.features(train_ids[i:i + 128], train_lengths[i:i + 128])
                          for i in range(0, len(train_ids), 128)])
head_optimizer = torch.optim.AdamW(frozen.head.parameters(), lr=1e-2, weight_decay=0.0)
for _ in range(500):  # шаги по всей выборке на сохранённых признаках: дёшево
    loss = F.cross_entropy(frozen.head(features), train_y)
    head_optimizer.zero_grad()
    loss.backward()
    head_optimizer.step()
results["замороженное тело + новая голова"] = accuracy(frozen)
print(f"обучается {count_parameters(frozen):,} параметров · {time.perf_counter() - start:.0f} с · "
      f"точность на тесте {results['замороженное тело + новая голова']:.1%}")
assert count_parameters(frozen) == 2 * 128 + 2

# %% [markdown]
# **Полное дообучение** размораживает всё. Начинаем с только что обученной головы: случайная голова
# в первые же шаги послала бы в предобученное тело большие случайные градиенты и испортила бы
# признаки, которые мы хотим сохранить («сначала линейная проба, потом дообучение», [Kumar et al.,
# 2022](https://arxiv.org/abs/2202.10054)). По той же причине скорость обучения маленькая (10⁻⁴).
#
# **С нуля**: та же архитектура со случайными весами, обученная столько же шагов с большей скоростью
# обучения (10⁻³) — такая нужна модели, которая раньше не читала Шекспира.
#
# 300 шагов каждого прогона заняли бы минуты занятия, а урок их — в результате. Поэтому ячейка
# делает здесь **первые 30 шагов** полного дообучения (чтобы увидеть, как оно идёт, и засечь время
# шага), а остальное загружает **посчитанным заранее**: тот же код и тот же рецепт один раз запустил
# `tools/finetune_runs.py` (`make finetune-runs`), веса лежат в `data/finetune_models.pt`, потери и
# точности — в `data/finetune_runs.json`, всё проверяется при загрузке (данные, рецепт, чекпоинт,
# контрольная сумма). Ячейка проверяет, что её 30 значений потерь — это первые 30 у сохранённого
# прогона, и сама меряет точность на тесте. Прогон с нуля загружается целиком. Чтобы обучить всё
# здесь, поставьте выше `RUN_LIVE = True`.

# %%
from utils.finetune import load_finetune_models, load_scratch_run
from utils.models import GPT

full = copy.deepcopy(frozen)
for p in full.parameters():
    p.requires_grad_(True)
full_losses, full_step_s = fine_tune(full, STEPS if RUN_LIVE else LIVE_STEPS, lr=1e-4)
if not RUN_LIVE:  # прогон на 300 шагов, сделанный заранее tools/finetune_runs.py (`make finetune-runs`) и проверенный при загрузке
    shipped_runs, shipped_weights = load_finetune_models()
    shipped_losses = shipped_runs["full fine-tuning"]["losses"]
    if not utils.is_fast():  # тот же прогон: шаги, сделанные здесь, — его первые шаги (быстрый тест берёт меньше данных)
        assert_close(f"наши {LIVE_STEPS} значений потерь и первые {LIVE_STEPS} у сохранённого прогона",
                     torch.tensor(full_losses), torch.tensor(shipped_losses[:LIVE_STEPS]), atol=1e-3, rtol=0)
    full.load_state_dict(shipped_weights["full fine-tuning"])
    full_losses = shipped_losses
full_predictions = predict(full, test_ids, test_lengths)   # сохраним: ниже по ним считается точность по пьесам
results["полное дообучение"] = (full_predictions == test_y).float().mean().item()

if RUN_LIVE:
    torch.manual_seed(0)
    scratch = GPTClassifier(GPT(base.config))
    scratch_losses, scratch_step_s = fine_tune(scratch, STEPS, lr=1e-3)
    results["с нуля"] = accuracy(scratch)
else:  # тот же прогон, сделанный заранее tools/finetune_runs.py (`make finetune-runs`) и проверенный при загрузке
    scratch_run = load_scratch_run()
    scratch_losses, results["с нуля"] = scratch_run["losses"], scratch_run["accuracy"]
for name in ("полное дообучение", "с нуля"):
    print(f"{name:17} точность на тесте {results[name]:.1%}")
print(f"{STEPS} шагов по 32 отрывка, {full_step_s * 1000:.0f} мс на шаг (полное дообучение; "
      + ("всё обучено здесь)" if RUN_LIVE else f"{LIVE_STEPS} сделаны здесь, остальное загружено из data/finetune_models.pt)"))

# %%
# Проверяем идею: предобученное тело помогает. Дообученная модель обходит ответ «всегда самый
# частый класс» и ту же модель, обученную с нуля на тех же данных.
assert results["полное дообучение"] > majority + 0.02, results
assert results["полное дообучение"] > results["с нуля"] + 0.02, results
assert results["замороженное тело + новая голова"] > majority, results

# %% [markdown]
# У модели, обучаемой с нуля, есть лишь несколько тысяч отрывков и несколько сотен шагов, чтобы
# выучить английскую орфографию, словарь Шекспира *и* жанр; она остаётся на уровне самого частого
# класса или ниже. Предобученная модель первые два уже знает, и учить ей остаётся только третье.
#
# И всё же задача трудная: около 62 %. Начало реплики мало что выдаёт. Какие тестовые пьесы
# труднее всего?

# %%
predictions = full_predictions.numpy()
plays_arr, labels_arr = np.array(test_plays), np.array(test_labels)
per_play = {slug: float(np.mean(predictions[plays_arr == slug] == labels_arr[plays_arr == slug]))
            for slug in sorted(set(test_plays))}
from IPython.display import display

from utils.figures import new_figure

ordered = sorted(per_play, key=per_play.get)   # сначала самые трудные
genre_of = {slug: GENRES[labels_arr[plays_arr == slug][0]] for slug in ordered}
genre_style = {GENRES[0]: ("#e69f00", ""), GENRES[1]: ("#56b4e9", "//")}   # цвет и штриховка: два признака
play_fig = new_figure(560, 260)
ax = play_fig.add_subplot()
for row, slug in enumerate(ordered):
    colour, hatch = genre_style[genre_of[slug]]
    ax.barh(row, per_play[slug], color=colour, hatch=hatch, edgecolor="#333", lw=0.5, label=genre_of[slug])
    ax.text(per_play[slug] + 0.01, row, f"{per_play[slug]:.0%}", va="center", fontsize=8)
ax.axvline(majority, color="black", lw=0.8, ls="--")
ax.text(majority, len(ordered) - 0.45, " уровень самого частого класса", fontsize=8, va="bottom")
handles, labels = ax.get_legend_handles_labels()
unique = dict(zip(labels, handles))
ax.legend(unique.values(), unique.keys(), fontsize=8, loc="lower right")
ax.set_yticks(range(len(ordered)), ordered, fontsize=8)
ax.set(xlim=(0, 1), ylim=(-0.6, len(ordered) - 0.1), xlabel="точность полного дообучения на отрывках пьесы",
       title="Какие незнакомые пьесы труднее всего?")
ax.title.set_fontsize(10)
play_fig.tight_layout()
display(play_fig)
if not utils.is_fast():  # числа, которые приводит текст, из полного прогона
    assert round(majority, 3) == 0.567 and 0.60 < results["замороженное тело + новая голова"] < 0.62
    assert 0.61 < results["полное дообучение"] < 0.63 and 0.42 < results["с нуля"] < 0.45  # «около 62 %», «43 %»
    assert [round(per_play[slug], 2) for slug in ("the-tempest", "hamlet", "othello")] == [0.39, 0.51, 0.57]

# %% [markdown]
# «Буря» (39 %) — комедия, написанная торжественным стихом; «Гамлет» (51 %) и «Отелло» (57 %) —
# трагедии, полные прозы, острот и перебранок, которые читаются как комедия. Жанр — свойство пьесы
# целиком, а не каждой её строки.
#
# **Осторожнее со скоростью обучения.** С большей скоростью или гораздо большим числом шагов полное
# дообучение может оказаться *хуже* замороженной модели: оно подгоняется под обучающие пьесы и теряет
# то, что делало его признаки общими. Дообучение умеет забывать.

# %% [markdown]
# ## 4. LoRA с нуля
#
# Полное дообучение меняет каждый вес, поэтому для каждой задачи приходится хранить полную копию
# модели, а при обучении держать градиенты и два момента Adam для каждого параметра. **LoRA**
# (Low-Rank Adaptation, низкоранговая адаптация, [Hu et al., 2021](https://arxiv.org/abs/2106.09685))
# замораживает каждую матрицу весов $W \in \mathbb{R}^{d_\text{out}\times d_\text{in}}$ и обучает рядом
# с ней низкоранговую поправку:
#
# $$ y = W x + \frac{\alpha}{r}\, B A x, \qquad A \in \mathbb{R}^{r\times d_\text{in}},\quad B \in \mathbb{R}^{d_\text{out}\times r},\quad r \ll d. $$
#
# - Обучаемых параметров на матрицу: $r\,(d_\text{in} + d_\text{out})$ вместо $d_\text{in} d_\text{out}$.
# - $B$ в начале **нулевая**, поэтому на старте модель в точности совпадает с предобученной.
# - $\alpha/r$ масштабирует поправку, так что от выбора $r$ не зависит, насколько велика она в начале.
# - После обучения $W' = W + \frac{\alpha}{r} BA$ — обычная матрица: слитая модель работает так же
#   быстро, как исходная.
#
# (В исходных материалах сказано, что LoRA «дообучает лишь несколько маленьких слоёв». Не совсем так:
# она оставляет замороженными *все* слои и добавляет небольшую обучаемую поправку *внутрь* выбранных.)

# %% [markdown]
# ![LoRA для матрицы весов 128 × 128: x проходит через замороженную W (серая, заштрихованная) и рядом — через обучаемые A (4 × 128) и B (128 × 4, в начале нулевая); два результата складываются. 1 024 обучаемых числа вместо 16 384](../images/lora.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: почему $B$ в начале нулевая? (Тогда модель стартует в точности как предобученная.)
# > Итог: $r(d_\text{in} + d_\text{out})$ параметров вместо $d_\text{in} d_\text{out}$; дайте студенту подвигать ползунок ранга.

# %%
class LoRA(torch.nn.Module):
    def __init__(self, base_linear, rank, alpha):
        super().__init__()
        self.base = base_linear
        self.base.weight.requires_grad_(False)                          # W остаётся замороженной
        d_out, d_in = base_linear.weight.shape
        self.A = torch.nn.Parameter(torch.randn(rank, d_in) / d_in ** 0.5)
        self.B = torch.nn.Parameter(torch.zeros(d_out, rank))          # ноль: сначала ничего не меняется
        self.scale = alpha / rank

    def forward(self, x):
        return self.base(x) + (x @ self.A.T @ self.B.T) * self.scale

    def merged_weight(self):
        return self.base.weight + self.scale * self.B @ self.A


layer = copy.deepcopy(base.blocks[0].attn.qkv)                         # матрица 128 → 384 нашей GPT
lora_layer = LoRA(copy.deepcopy(layer), rank=4, alpha=8)
x = torch.randn(3, 10, 128)
assert_close("LoRA с B = 0 и исходный слой", lora_layer(x), layer(x))
print("обучается:", sum(p.numel() for p in lora_layer.parameters() if p.requires_grad),
      "= r·(d_in + d_out) =", 4 * (128 + 384), "вместо", 128 * 384)

# %% [markdown]
# **Проверка.** Зададим $B$ ненулевые значения (как сделало бы обучение): слитая матрица должна
# вычислять то же, что пара без слияния, а наш класс — совпадать с `utils.lora.LoRALinear` из курса.

# %%
from utils.lora import LoRALinear

with torch.no_grad():
    lora_layer.B.normal_(std=0.1)
merged = torch.nn.functional.linear(x, lora_layer.merged_weight())
assert_close("слитая W + (α/r)·BA и пара без слияния", merged, lora_layer(x), atol=1e-5)

course_lora = LoRALinear(copy.deepcopy(layer), rank=4, alpha=8)
course_lora.load_state_dict(lora_layer.state_dict())
assert_close("наш класс и utils.lora.LoRALinear", course_lora(x), lora_layer(x))
assert_close("merged() из utils и наша слитая матрица", course_lora.merged()(x), merged, atol=1e-5);

# %% [markdown]
# `utils.lora.add_lora(model, rank, alpha)` замораживает модель и оборачивает в `LoRALinear` каждую
# матрицу внутри её блоков ($W_{QKV}$ и $W_O$ внимания, обе матрицы MLP). Возьмём наш классификатор
# и ранг 8 и посчитаем обучаемые параметры — по формуле и прямым подсчётом.

# %%
from utils.lora import add_lora, merge_lora

RANK, ALPHA = 8, 16
lora_model = copy.deepcopy(frozen)                      # предобученное тело и обученная голова
torch.manual_seed(0)                                    # случайные A адаптеров: как в сохранённом прогоне
wrapped = add_lora(lora_model.backbone, RANK, ALPHA)    # замораживает тело, добавляет адаптеры
for p in lora_model.head.parameters():
    p.requires_grad_(True)                              # голова тоже обучается

per_layer = sum(RANK * (d_in + d_out) for d_in, d_out in [(128, 384), (128, 128), (128, 512), (512, 128)])
formula = base.config.n_layer * per_layer + (2 * 128 + 2)
print(f"обёрнуто матриц: {len(wrapped)}, например {wrapped[:4]}")
print(f"обучается: {count_parameters(lora_model):,} (по формуле {formula:,}) = "
      f"{count_parameters(lora_model) / count_parameters(full):.1%} от {count_parameters(full):,} при полном дообучении")
assert count_parameters(lora_model) == formula
assert 65_000 < formula < 67_000  # в таблице раздела 3 сказано «66 k»
assert_close("модель с LoRA до обучения и замороженная модель",
             lora_model(test_ids[:64], test_lengths[:64]), frozen(test_ids[:64], test_lengths[:64]), atol=1e-5);

# %% [markdown]
# Теперь обучим модель с LoRA столько же шагов, сколько полное дообучение. Адаптеры стартуют с нуля
# и меняются только через $A$ и $B$, поэтому выдерживают (и требуют) большую скорость обучения: 10⁻³.
# Как и выше, первые 30 шагов идут здесь, а остальное от прогона на 300 шагов (его адаптеры и голова)
# загружается.

# %%
lora_losses, lora_step_s = fine_tune(lora_model, STEPS if RUN_LIVE else LIVE_STEPS, lr=1e-3)
if not RUN_LIVE:  # адаптеры и голова прогона на 300 шагов (tools/finetune_runs.py)
    if not utils.is_fast():
        assert_close(f"наши {LIVE_STEPS} значений потерь LoRA и первые {LIVE_STEPS} у сохранённого прогона", torch.tensor(lora_losses),
                     torch.tensor(shipped_runs["LoRA (rank 8)"]["losses"][:LIVE_STEPS]), atol=1e-3, rtol=0)
    adapters = shipped_weights["LoRA (rank 8)"]   # ровно обучаемые тензоры: A, B и голова
    assert set(adapters) == {name for name, p in lora_model.named_parameters() if p.requires_grad}
    lora_model.load_state_dict(adapters, strict=False)
results["LoRA (ранг 8)"] = accuracy(lora_model)
print(f"LoRA {results['LoRA (ранг 8)']:.1%} против {results['полное дообучение']:.1%} у полного дообучения · "
      f"{lora_step_s * 1000:.0f} мс на шаг против {full_step_s * 1000:.0f} мс")
if not utils.is_fast():  # в итогах сказано «LoRA ≈ 62 %»
    assert 0.61 < results["LoRA (ранг 8)"] < 0.63

# После обучения сливаем: снова обычные слои Linear, те же предсказания, адаптеров не осталось.
before_merge = lora_model(test_ids[:64], test_lengths[:64])
assert merge_lora(lora_model) == len(wrapped)
assert_close("классификатор с LoRA после слияния и до него", lora_model(test_ids[:64], test_lengths[:64]), before_merge, atol=1e-4)
assert count_parameters(lora_model, trainable_only=False) == count_parameters(full, trainable_only=False)
assert abs(results["LoRA (ранг 8)"] - results["полное дообучение"]) < 0.04, results

# %% [markdown]
# LoRA обучила 8 % параметров и оказалась в пределах одного-двух пунктов от полного дообучения.
# Заметьте, что она здесь **не** сэкономила: время. Каждый шаг по-прежнему прогоняет всю модель вперёд
# и назад, да ещё и адаптеры; на процессоре и с такой маленькой моделью лишние произведения матриц
# стоят больше, чем экономит уменьшившийся оптимизатор. LoRA экономит **память** (ни градиентов, ни
# моментов Adam для замороженных весов) и **место на диске** (по маленькому адаптеру на задачу вместо
# копии модели); это важно, когда модель большая.

# %%
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(7, 2.8))
names = ["самый частый класс", "с нуля", "замороженное тело + новая голова", "LoRA (ранг 8)", "полное дообучение"]
colors = ["#bbbbbb", "#8d99ae", "#90be6d", "#e76f51", "#2a9d8f"]
ax.barh(names, [results[n] for n in names], color=colors)
for i, n in enumerate(names):
    ax.text(results[n] + 0.005, i, f"{results[n]:.1%}", va="center", fontsize=9)
ax.axvline(majority, color="black", lw=0.8, ls="--")
ax.text(majority, len(names) - 0.45, " уровень самого частого класса", fontsize=8, va="bottom")
# От нуля, чтобы длина столбика и была точностью (обрезанная ось раздула бы маленькие разрывы).
ax.set(xlim=(0, 0.85), ylim=(-0.6, len(names) - 0.1), xlabel="точность на 7 незнакомых пьесах",
       title="Комедия или трагедия? Те же данные, те же шаги")
fig.tight_layout()
plt.show()

# %% [markdown]
# ### Что LoRA экономит на настоящих моделях
#
# Ползунок ниже делает ту же арифметику для настоящих моделей. Память — это то, что обучение со
# смешанной точностью (mixed precision) и Adam должно хранить на каждый параметр: 16 байтов на каждый
# *обучаемый* параметр (вес и градиент в fp16, копия веса в fp32 и два момента; [Rajbhandari et al., 2020](https://arxiv.org/abs/1910.02054),
# §3.1) и 2 байта на каждый замороженный; активации не учитываются.
#
# Hu et al. (2021, таблица 5) адаптируют GPT-3 175B, обучая 18 M параметров: ранг 8 только на $W_Q$
# или ранг 4 на $W_Q$ и $W_V$. Наша формула даёт то же число:

# %%
from utils.lora import MODEL_SHAPES, lora_parameter_count

gpt3 = MODEL_SHAPES["GPT-3 175B"]
for rank, matrices in ((8, ("q",)), (4, ("q", "v")), (2, ("q", "k", "v", "o"))):
    count = lora_parameter_count(gpt3, rank, matrices)
    print(f"ранг {rank} на {'+'.join(matrices):8}: обучается {count / 1e6:.1f} M = {count / gpt3.parameters:.4%} от 175 B")
    assert round(count / 1e6) in (18, 19)   # «18M» у Hu et al., таблица 5
print(f"файл адаптера в fp16: {2 * lora_parameter_count(gpt3, 4, ('q', 'v')) / 1e6:.0f} МБ "
      f"(Hu et al. сообщают о 35 МБ вместо чекпойнта в 350 ГБ)")

# %%
from utils.widgets import LoRARankView

lora_view = LoRARankView(model="our Shakespeare GPT", rank=8)
lora_view

# %% [markdown]
# Попробуйте: наша GPT с рангом 128. Теперь LoRA обучает *больше*, чем полное дообучение: $r(d_\text{in} + d_\text{out})$
# превышает $d_\text{in} d_\text{out}$, как только $r > d_\text{in} d_\text{out} / (d_\text{in} + d_\text{out})$ (96 для
# матрицы 128 → 384). Низкий ранг экономит, только пока $r$ мал по сравнению с размерами матрицы.
# Затем GPT-3 175B с рангом 4 только на внимании; затем ранг 256 вместе с MLP. Как число параметров
# растёт с $r$? (Линейно: вдвое больший $r$ — вдвое больше параметров.) Почему у GPT-3 память почти не
# меняется с $r$? (Основную долю дают 2 байта на каждый замороженный вес: саму модель LoRA уменьшить
# не может; это умеет квантование, как в QLoRA, [Dettmers et al., 2023](https://arxiv.org/abs/2305.14314).)

# %%
# Проверяем виджет: его подсчёт — это формула; вдвое больший ранг — вдвое больше обучаемых параметров.
lora_view.model_box.value, lora_view.rank_slider.value = "our Shakespeare GPT", 8
lora_view.attention_box.value = lora_view.mlp_box.value = True
assert lora_view.numbers["lora_trainable"] == formula - (2 * 128 + 2)
lora_view.rank_slider.value = 16
assert lora_view.numbers["lora_trainable"] == 2 * (formula - (2 * 128 + 2))

# %% [markdown]
# ## 5. Дообучение на инструкциях
#
# Предобученная модель продолжает текст, но не *отвечает*. При дообучении на инструкциях (instruction
# tuning) ей показывают пары (инструкция, ответ) в фиксированном **шаблоне промпта** (prompt
# template), чтобы потом тот же шаблон заставлял её отвечать. Наш шаблон короткий, потому что в
# контекст помещается всего 128 символов. Модель читает английский текст, поэтому и шаблон английский:
#
# ```
# Task: Which play is this from?
# Text: PAULINA: As she lived peerless,
# Answer: A Winter's Tale
# ```
#
# Из восьми пьес предобучения мы строим три задачи: **из какой пьесы** реплика, **прокричать**
# строку (написать её заглавными буквами) и **продолжить** строку. Обучающие примеры берутся из
# первых 90 % каждой пьесы, отложенные промпты — из последних 10 %.
#
# Функция потерь учитывает только символы **ответа** (и завершающий его перевод строки): модель должна
# учиться отвечать, а не писать промпты. Позиции промпта получают метку −100, которую
# `F.cross_entropy` пропускает.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: почему потери считаются только по символам ответа?
# > Итог: дообучение на инструкциях учит формату; знания пришли из предобучения. Попробуйте один промпт вживую.

# %%
from utils.instruct import CONTEXT, TASKS, answer, instruction_examples

sft_train, sft_val = instruction_examples("train"), instruction_examples("val")
print(f"обучающих примеров: {len(sft_train):,}, отложенных: {len(sft_val):,}")
print(sft_train[0].prompt + sft_train[0].response)


def encode_examples(examples):
    """Входы и цели (n, CONTEXT); цели равны -100 везде, кроме ответа и его перевода строки."""
    x = torch.zeros(len(examples), CONTEXT, dtype=torch.long)
    y = torch.full((len(examples), CONTEXT), -100)
    for row, example in enumerate(examples):
        prompt, reply = tokenizer.encode(example.prompt), tokenizer.encode(example.response + "\n")
        ids = prompt + reply
        x[row, :len(ids) - 1] = torch.tensor(ids[:-1])
        y[row, len(prompt) - 1:len(ids) - 1] = torch.tensor(reply)   # предсказать каждый символ ответа
    return x, y


sft_x, sft_y = encode_examples(sft_train)
row = sft_y[0]
print("символы, которые учитывает функция потерь в примере 0:", repr(tokenizer.decode(row[row >= 0].tolist())))
assert tokenizer.decode(row[row >= 0].tolist()) == sft_train[0].response + "\n"

# %% [markdown]
# Отложенные промпты, по 40 на задачу, и три меры: как часто **пьеса** названа точно, какая доля
# букв в **прокричанном** ответе заглавные, и потери (в натах на символ) на эталонных ответах
# (чем ниже, тем вероятнее модель считает правильный ответ).

# %%
held_out = {task: [e for e in sft_val if e.instruction == task][:utils.fast(40, 16)] for task in TASKS}


def answer_loss(model, examples):
    x, y = encode_examples(examples)
    with torch.no_grad():
        logits, _ = model(x)
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), ignore_index=-100).item()


def capital_share(text):
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / max(1, len(letters))


def instruction_scores(model):
    plays = held_out[TASKS[0]]
    shouts = held_out[TASKS[1]]
    return {"пьеса названа": np.mean([answer(model, tokenizer, e.prompt) == e.response for e in plays]),
            "заглавные в крике": np.mean([capital_share(answer(model, tokenizer, e.prompt)) for e in shouts]),
            "потери на ответах": answer_loss(model, [e for task in TASKS for e in held_out[task]])}


before_scores = instruction_scores(base)
print({k: round(float(v), 3) for k, v in before_scores.items()})

# %% [markdown]
# Теперь само дообучение: вся модель, AdamW, скорость обучения 3·10⁻⁴, батчи по 16 примеров,
# 600 шагов. Первые 100 идут здесь; потом ячейка загружает остальные 500 шагов того же прогона,
# который один раз сделал `tools/finetune_runs.py` по тому же рецепту (`RUN_LIVE = True` проводит
# здесь все 600, это ещё несколько минут), проверив, что её 100 значений потерь — первые 100 того прогона.

# %%
from utils.widgets import LossCurves

SFT_STEPS = 600                    # длина по рецепту (utils.instruct.SFT_RECIPE)
SFT_LIVE = utils.fast(100, 50)     # шаги здесь; остальное загружается, если не RUN_LIVE
tuned = copy.deepcopy(base).train()
optimizer = torch.optim.AdamW(tuned.parameters(), lr=3e-4, weight_decay=0.0)
generator = torch.Generator().manual_seed(0)
held_out_all = [e for task in TASKS for e in held_out[task]]
curves = LossCurves(title="дообучение на инструкциях: потери на ответах", total_steps=SFT_STEPS)
curves.add(0, answer_loss(tuned, sft_train[:64]), answer_loss(tuned, held_out_all))
curves.widget   # живой виджет; готовую картинку сохраним ниже

# %%
sft_losses, start = [], time.perf_counter()
for step in range(SFT_STEPS if RUN_LIVE else SFT_LIVE):
    i = torch.randint(len(sft_x), (16,), generator=generator)
    logits, _ = tuned(sft_x[i])
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), sft_y[i].reshape(-1), ignore_index=-100)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    sft_losses.append(loss.item())
    if (step + 1) % 25 == 0:  # отложенные ответы — каждые 100 шагов
        val = answer_loss(tuned, held_out_all) if (step + 1) % 100 == 0 or step + 1 == SFT_STEPS else None
        curves.add(step + 1, float(np.mean(sft_losses[-25:])), val, train_window=25)
print(f"{len(sft_losses)} шагов здесь за {time.perf_counter() - start:.0f} с")
if not RUN_LIVE:  # шаги 101–600: сохранённый прогон (tools/finetune_runs.py), тот же рецепт и те же батчи
    sft_run = shipped_runs["instruction-tuned"]
    assert_close(f"наши {SFT_LIVE} значений потерь и первые {SFT_LIVE} у сохранённого прогона", torch.tensor(sft_losses),
                 torch.tensor(sft_run["losses"][:SFT_LIVE]), atol=1e-3, rtol=0)
    tuned.load_state_dict(shipped_weights["instruction-tuned"])
    for step in range(SFT_LIVE + 25, SFT_STEPS + 1, 25):   # остаток его кривой
        val = sft_run["val_losses"][step // 100 - 1] if step % 100 == 0 else None
        curves.add(step, float(np.mean(sft_run["losses"][step - 25:step])), val, train_window=25)
    sft_losses = sft_run["losses"]
tuned.eval()
print(f"всего {len(sft_losses)} шагов; потери на отложенных ответах "
      f"{curves.state.val_losses[0]:.2f} → {curves.state.val_losses[-1]:.2f}")
curves.figure   # итоговая картинка; видна и там, где виджеты не работают (GitHub)

# %%
after_scores = instruction_scores(tuned)
for key in before_scores:
    print(f"{key:24} до {before_scores[key]:.3f} → после {after_scores[key]:.3f}")

# Проверяем идею: дообученная модель следует шаблону, а предобученная — нет.
assert curves.render_count > 2, "кривые должны были перерисовываться во время обучения"
assert after_scores["потери на ответах"] < before_scores["потери на ответах"] - 0.3
assert after_scores["заглавные в крике"] > before_scores["заглавные в крике"] + 0.2
assert after_scores["пьеса названа"] > before_scores["пьеса названа"]

# %% [markdown]
# Те же отложенные промпты рядом. Выберите пример или впишите свой текст (только из символов,
# которые встречаются в пьесах) и выберите задачу.

# %%
from utils.widgets import BeforeAfterView

examples = [e for task in TASKS for e in held_out[task][:6]]
before_after = BeforeAfterView({"предобученная (до)": base, "после инструкций (после)": tuned}, tokenizer, examples)
before_after

# %% [markdown]
# Что изменилось, а что нет:
#
# - **Формат** изменился сразу: через несколько сотен шагов модель отвечает коротко, одной строкой и
#   в той форме, которую просит задача (название пьесы; заглавные буквы). До этого она просто
#   продолжала писать слова, похожие на шекспировские.
# - **Из какой пьесы** — выучено отчасти: имена персонажей и манеру речи модель знала ещё с
#   предобучения; дообучение научило её *называть* пьесу.
# - **Крик** выучен как стиль, а не как умение: ответы написаны заглавными, но редко повторяют ту же
#   строку. Скопировать строку буква за буквой — больше, чем модель на 0.8 M параметров выучит за
#   несколько сотен шагов. А **продолжение** строки почти не улучшается: это была работа предобучения.
#
# Так же бывает и в больших масштабах: дообучение на инструкциях в основном учит *тому, как отвечать*;
# знания и умения приходят из предобучения (LIMA, [Zhou et al., 2023](https://arxiv.org/abs/2305.11206):
# модель на 65 B параметров дообучили всего на 1 000 примерах).

# %%
# Проверяем виджет: выбор другого примера заново получает ответы обеих моделей.
count = before_after.render_count
before_after.example.value = len(examples) - 1
assert before_after.render_count == count + 1 and set(before_after.answers) == {"предобученная (до)", "после инструкций (после)"}
assert before_after.expected() == examples[-1].response

# %% [markdown]
# ## 6. Промпт, поиск, дообучение или обучение с нуля?
#
# Дообучение — один из четырёх способов заставить модель делать вашу работу (исходный урок: Microsoft,
# *Generative AI for Beginners*, урок 2). Начинайте сверху; спускайтесь ниже, только когда предыдущего
# шага не хватает.
#
# | подход | что меняется | что нужно | для чего хорош | цена |
# |---|---|---|---|---|
# | **промпт** (zero-shot и few-shot) | ничего; вы пишете в промпте инструкции и примеры | способная модель | для большинства задач — в первую очередь; быстрые пробы | дешевле всего; длинные промпты дороже при каждом вызове |
# | **RAG** (генерация с поиском, retrieval-augmented generation, блокнот 12) | промпт: к нему добавляются найденные отрывки | ваши документы, поисковый индекс | факты, которых модель не видела, закрытые или свежие данные; ссылки на источники | индекс нужно построить и поддерживать в актуальном состоянии |
# | **дообучение** (полное или LoRA) | веса | от сотен до тысяч размеченных примеров, немного времени GPU | постоянный формат, стиль или задача; короче промпты и меньше задержка; маленькая модель, которая хорошо делает одно дело | обучение и оценка; переобучать, когда меняются данные |
# | **обучение с нуля** | всё | огромный корпус, большой бюджет | новые языки или области, которые не покрывает ни одна модель | несравнимо дороже всего (блокнот 09) |
#
# Два замечания. «Zero-shot» значит *без примеров в промпте* и вообще без обучения, а вовсе не
# «обучение с нуля» (в переводе исходного урока они перепутаны). И дообучение — плохой способ добавить
# **факты**: модель, дообученная на документах, всё равно может ответить неверно и не может указать
# источник; поиск может.
#
# Почему же в этом блокноте мы не обошлись *промптом*? Потому что для этого нужна модель, которая
# научилась учиться по своему промпту. Обучение в контексте (in-context learning) появилось с ростом
# масштаба (GPT-3, [Brown et al., 2020](https://arxiv.org/abs/2005.14165), рис. 1.2). У нашей модели
# на 0.8 M параметров его нет: дадим ей размеченные примеры в промпте и сравним, насколько вероятными
# она считает " comedy" и " tragedy".

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите группу: нужен чат-бот, который знает расписание вашей школы, — промпт, RAG или дообучение?
# > Итог: начинайте с верхней строки таблицы и спускайтесь, только когда нужно.

# %%
rng = np.random.default_rng(1)
comedies, tragedies = (np.flatnonzero(np.array(train_labels) == label) for label in (0, 1))
shot_rows = [rng.choice(comedies), rng.choice(tragedies), rng.choice(comedies), rng.choice(tragedies)]
few_shot = "".join(f"Text: {' '.join(train_texts[i].split())[:40]}\nGenre: {GENRES[train_labels[i]]}\n"
                   for i in shot_rows)
print(few_shot)


@torch.no_grad()
def few_shot_guess(text):
    """Жанр, название которого модель считает более вероятным после примеров и нового текста."""
    scores = []
    for genre in GENRES:
        prompt = few_shot + f"Text: {' '.join(text.split())[:40]}\nGenre:"
        ids = torch.tensor([tokenizer.encode(prompt + " " + genre)[-CONTEXT:]])
        logits, _ = base(ids[:, :-1])
        logp = torch.log_softmax(logits[0], -1)
        n = len(genre) + 1
        scores.append(sum(logp[-n + k, ids[0, -n + k]].item() for k in range(n)))
    return int(np.argmax(scores))


sample = rng.permutation(len(test_texts))[:utils.fast(300, 60)]   # случайная выборка из тестовых пьес
guesses = np.array([few_shot_guess(test_texts[i]) for i in sample])
truth = np.array(test_labels)[sample]
prompt_acc = np.mean(guesses == truth)
tuned_acc = np.mean(predictions[sample] == truth)
print(f"на {len(sample)} тестовых отрывках: промпт с примерами {prompt_acc:.1%} (ответ 'comedy' "
      f"в {np.mean(guesses == 0):.0%} случаев), дообученная модель {tuned_acc:.1%}, "
      f"самый частый класс {max(truth.mean(), 1 - truth.mean()):.1%}")
assert prompt_acc < tuned_acc

# %% [markdown]
# ## Итоги
#
# - Предобучение учит языку; дообучение приспосабливает модель к одной задаче по небольшим данным.
# - Классификация: новая голова на среднем скрытом состоянии. На 7 незнакомых пьесах: самый частый
#   класс 56.7 %, с нуля 43 % (хуже самого частого класса), замороженное тело 61 %, полное дообучение
#   и LoRA 62 %. Начинайте с обученной головы, держите скорость обучения маленькой и делите данные
#   по пьесам.
# - LoRA: $W + \frac{\alpha}{r}BA$, причём $B = 0$ в начале; здесь 8 % параметров, у GPT-3 — 0.01 %;
#   после обучения вливается обратно в $W$. Она экономит память и место на диске, но не вычисления
#   на шаг.
# - Дообучение на инструкциях учит формату ответов; знания приходят из предобучения.
# - Сначала промпт, потом RAG для фактов, дообучение для формата и задачи, обучение с нуля — редко.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: что LoRA экономит, а что нет? (Память и место на диске; не вычисления на шаг.)

# %% [markdown]
# ## Упражнения
#
# ★ проверяет понимание, ★★ требует поменять код, ★★★ — маленькое исследование. Замените каждое `...`,
# выполните ячейку, а затем проверку под ней: она скажет ✓ и почему, или даст подсказку. Эталонные решения —
# в [solutions/10_fine_tuning.py](../solutions/10_fine_tuning.py); сначала попробуйте сами.
# (Сообщения проверок пока на английском.)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Упражнения 1 и 2 — на подсчёт, в классе они быстрые. Упражнение 3 — хороший повод обсудить, что значит метка.

# %%
from utils.exercises import check

# %% [markdown]
# **1. Ранг 1 ★.** Сколько параметров обучает LoRA ранга 1 на каждой матрице тела нашей GPT (голову
# не считаем)? Посчитайте по размерам матриц из раздела 4, затем проверьте с помощью `add_lora` на
# копии `base` и `count_parameters`.

# %%
rank1_parameters = ...  # число

# %%
check("10.1", rank1_parameters);

# %% [markdown]
# **2. Только внимание ★★.** Hu et al. адаптировали только матрицы внимания. Примените LoRA ранга 8
# только к `("attn.qkv", "attn.proj")` (аргумент `targets` функции `add_lora`) и посчитайте обучаемые параметры.

# %%
attention_parameters = ...  # число

# %%
check("10.2", attention_parameters);

# %% [markdown]
# **3. Самая трудная пьеса ★★★.** Какая тестовая пьеса в `per_play` труднее всего для полностью
# дообученной модели? Комедия это или трагедия? Прочтите несколько её тестовых отрывков, на которых
# модель ошибается: чем они могут её сбивать?

# %%
hardest = ...  # ключ пьесы в per_play

# %%
check("10.3", hardest, per_play=per_play);
