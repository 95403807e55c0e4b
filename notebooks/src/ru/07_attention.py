# %% [markdown]
# # 07 · Внимание: каждый токен смотрит на все остальные
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/ru/07_attention.ipynb)
#
# **Чему вы научитесь**
# - почему сжимать целое предложение в одно скрытое состояние RNN фиксированного размера — узкое место;
# - как вручную посчитать внимание через скалярное произведение для четырёх токенов, видя каждое число, а затем — с запросами, ключами и значениями;
# - зачем оценки делят на $\sqrt{d}$ и что делает каузальная маска (causal mask);
# - что такое многоголовое внимание и почему вниманию нужна информация о позиции;
# - как читать внимание обученной модели, слой за слоем и голова за головой.
#
# **Время:** около 60 минут. **Нужно знать:** блокноты 05 (RNN) и 06 (токены и эмбеддинги).

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
# ## 1. Узкое место рекуррентной сети
#
# RNN из блокнота 05 читает предложение по одному токену и хранит **скрытое состояние** (hidden
# state): вектор фиксированного размера (скажем, 256 чисел). Всё, что сеть хочет запомнить о
# токене 1, должно пережить перезапись на токенах 2, 3, …, 500. Отсюда две проблемы:
#
# - **ёмкость**: абзац из 500 токенов и фраза из 5 токенов должны уместиться в одни и те же 256 чисел;
# - **расстояние**: информация издалека прошла через множество обновлений (а градиенты — через
#   множество умножений: это затухающие градиенты из блокнота 05).
#
# В машинном переводе Bahdanau и соавторы разрешили декодеру на каждом шаге заглядывать во *все*
# состояния энкодера и брать их взвешенную смесь. Это и есть **внимание** (attention)
# ([Bahdanau, Cho & Bengio, 2015](https://arxiv.org/abs/1409.0473)). Трансформер (transformer)
# оставляет только эту идею и отказывается от рекуррентности («Attention is all you need»,
# [Vaswani et al., 2017](https://arxiv.org/abs/1706.03762)). Каждый токен получает прямой доступ
# к каждому предыдущему токену, как бы далеко тот ни стоял.
#
# Почему это важно, видно на паре предложений вроде тех, что есть в исходных заметках курса:
#
# - *The monkey ate the banana because it was **hungry**.* ("it" — это обезьяна: она была голодна)
# - *The monkey ate the banana because it was **ripe**.* ("it" — это банан: он был спелый)
#
# Предложения различаются только последним словом, и именно оно решает, к чему относится "it".
# (По-русски подсказывает ещё и род: «обезьяна… была голодна», «банан… был спелый»; но чтобы
# воспользоваться этой подсказкой, модели тоже нужно связать слова через всё предложение.)
# Чтобы понять предложение, модель должна связать "hungry" с "monkey", а "ripe" — с "banana". RNN
# справится, только если оба кандидата уцелели в её скрытом состоянии; с вниманием токен "ripe"
# может посмотреть прямо на "banana", сколько бы слов между ними ни стояло. (Бенгальские заметки
# задают тот же вопрос о фразе *সে কলা খেয়েছে কারণ সে ক্ষুধার্ত ছিল*, «он съел банан, потому что
# был голоден»: кто такой «он»? Бенгальское সে не различает род: это и «он», и «она».)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: как 256 чисел вместят абзац из 500 токенов? Пусть группа почувствует узкое место.
# > Итог: внимание даёт каждому токену прямой доступ к каждому предыдущему токену.

# %% [markdown]
# ## 2. Внимание через скалярное произведение: считаем вручную
#
# Четыре токена, каждый — вектор из трёх чисел (придуманных так, чтобы результат легко читался):
# "the" и "a" похожи, "cat" и "dog" похожи. Токен "dog" спрашивает: *какие токены похожи на меня?*
# Ответ — **скалярное произведение** (dot product) с каждым токеном, **softmax**, превращающий эти
# оценки (scores) в положительные веса с суммой 1, и **взвешенное среднее** векторов:
#
# $$ s_j = x_{\text{query}} \cdot x_j, \qquad a_j = \frac{e^{s_j}}{\sum_k e^{s_k}}, \qquad
#    \text{output} = \sum_j a_j\, x_j . $$

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: какому токену "dog" даст больший вес и почему? Посчитайте одну оценку на доске.
# > Итог: скалярное произведение, softmax, взвешенное среднее; матричная запись делает это сразу для всех токенов.

# %%
import numpy as np
import torch

tokens = ["the", "cat", "a", "dog"]
X = torch.tensor([[1.0, 0.0, 0.2],    # the
                  [0.0, 1.0, 0.5],    # cat
                  [0.9, 0.1, 0.1],    # a
                  [0.1, 1.0, 0.6]])   # dog

query = X[3]                                  # спрашивает "dog"
scores = X @ query                            # по скалярному произведению на токен: (4,)
weights = torch.exp(scores) / torch.exp(scores).sum()
output = weights @ X                          # взвешенное среднее четырёх векторов: (3,)

print(f"{'токен':>6} {'оценка':>7} {'вес':>7}")
for t, s, w in zip(tokens, scores, weights):
    print(f"{t:>6} {s.item():7.3f} {w.item():7.3f}")
print("выход для 'dog':", [round(v, 3) for v in output.tolist()], " сумма весов", round(weights.sum().item(), 6))

# %% [markdown]
# Больше всего веса "dog" отдаёт себе и "cat": выход — смесь, смещённая к токенам-животным.
# Сделать это сразу для всех токенов — одно матричное произведение: $S = XX^\top$ (строка $i$ —
# оценки токена $i$), softmax по каждой строке и $A X$.
#
# **Проверка.** Наш ручной расчёт — одна строка матричной версии, и каждая строка весов даёт в сумме 1.

# %%
from utils import assert_close

all_weights = torch.softmax(X @ X.T, dim=-1)   # (4 запроса, 4 ключа)
all_outputs = all_weights @ X
assert_close("строка 'dog' = ручной расчёт", all_weights[3], weights)
assert_close("выход 'dog'", all_outputs[3], output)
assert_close("каждая строка в сумме 1", all_weights.sum(-1), torch.ones(4));

# %% [markdown]
# ## 3. Запросы, ключи и значения
#
# Использовать сами векторы токенов для всего сразу — слишком жёстко: «что я ищу» — не то же самое,
# что «что я предлагаю» или «что я передаю дальше». Поэтому каждый токен строит три вектора с
# помощью трёх обучаемых матриц:
#
# - **запрос** (query) $q_i = x_i W_Q$: что ищет токен $i$;
# - **ключ** (key) $k_j = x_j W_K$: по чему можно найти токен $j$;
# - **значение** (value) $v_j = x_j W_V$: что токен $j$ отдаёт, когда его выбрали.
#
# $$ \operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}}\right) V $$
#
# ($d_k$ — длина ключа; зачем делить, объясняет раздел 4.) Напишем это с нуля и сравним со
# встроенной функцией PyTorch `scaled_dot_product_attention`.

# %% [markdown]
# ![Внимание для запроса токена «рядом» по четырём токенам «Этот кот сел рядом»: скалярные произведения с каждым ключом дают оценки +0.4, +2.1, −0.6, +1.2; softmax превращает их в веса 0.11, 0.60, 0.04, 0.25; выход — сумма значений с этими весами](../images/attention_one_query.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: почему бы не взять сам вектор токена и как запрос, и как ключ, и как значение?
# > Итог: три роли — три матрицы; наша версия совпадает с `scaled_dot_product_attention` из PyTorch.

# %%
import torch.nn.functional as F


def attention(q, k, v, causal=False):
    """q, k, v: (..., time, d). Возвращает выходы (..., time, d) и веса (..., time, time)."""
    scores = q @ k.transpose(-2, -1) / k.shape[-1] ** 0.5          # (..., время, время)
    if causal:
        T = scores.shape[-1]
        future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        scores = scores.masked_fill(future, float("-inf"))            # exp(-inf) = 0, вес ровно ноль
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


utils.seed_everything(0)
d_model, d_k = 3, 4
W_Q, W_K, W_V = (torch.randn(d_model, d_k) for _ in range(3))
Q, K, V = X @ W_Q, X @ W_K, X @ W_V
out, att = attention(Q, K, V)
from utils.plots import plot_heatmap

plot_heatmap(att.numpy(), tokens, tokens, xlabel="ключ (на какой токен смотрят)", ylabel="запрос (кто смотрит)",
             title="веса внимания (каждая строка в сумме 1)", vmax=1)

# %% [markdown]
# **Проверка.** Версия с нуля совпадает с PyTorch — с каузальной маской и без неё, в том числе на случайном батче.

# %%
assert_close("наша и torch SDPA", out, F.scaled_dot_product_attention(Q, K, V))
q, k, v = torch.randn(3, 2, 7, 8).unbind(0)     # (батч 2, время 7, d 8) у каждого
assert_close("наша и torch SDPA, с маской", attention(q, k, v, causal=True)[0],
             F.scaled_dot_product_attention(q, k, v, is_causal=True))
assert_close("строки в сумме 1", attention(q, k, v)[1].sum(-1), torch.ones(2, 7));

# %% [markdown]
# ## 4. Зачем делить на $\sqrt{d}$?
#
# Если компоненты $q$ и $k$ — независимые случайные числа со средним 0 и дисперсией 1, их скалярное произведение — сумма $d$ таких
# произведений, и его дисперсия равна $d$. При $d = 512$ стандартное отклонение оценок
# $\sqrt{512} \approx 23$, две оценки в строке легко различаются на 30 и больше, и softmax
# от таких чисел практически one-hot: наибольшая оценка забирает весь вес, а градиент через
# остальные затухает. Деление на $\sqrt d$ возвращает дисперсию к 1. На графике — наибольший вес
# в строке при растущем $d$.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: какова дисперсия суммы 512 произведений с дисперсией 1? (512.)
# > Итог: без $\sqrt{d}$ softmax становится one-hot, и его градиенты затухают.

# %%
import matplotlib.pyplot as plt

dims = [4, 16, 64, 256, 1024]
n_rows = utils.fast(400, 50)
largest = {"без масштабирования": [], "делённые на √d": []}
for d in dims:
    qs, ks = torch.randn(n_rows, d), torch.randn(16, d)
    raw = qs @ ks.T
    largest["без масштабирования"].append(torch.softmax(raw, -1).max(-1).values.mean().item())
    largest["делённые на √d"].append(torch.softmax(raw / d**0.5, -1).max(-1).values.mean().item())
    print(f"d = {d:>4}: ст. откл. оценок {raw.std().item():6.1f}   средний наибольший вес "
          f"{largest['без масштабирования'][-1]:.2f} без масштаба, {largest['делённые на √d'][-1]:.2f} с масштабом")

fig, ax = plt.subplots(figsize=(5.5, 3.2))
for (name, values), style in zip(largest.items(), ["o-", "s--"]):
    ax.plot(dims, values, style, label=name)
ax.axhline(1 / 16, color="grey", ls=":", label="поровну на 16 ключей")
ax.set(xscale="log", xlabel="длина ключа d", ylabel="средний наибольший вес", ylim=(0, 1.05),
       title="Без масштабирования softmax насыщается")
ax.legend(fontsize=8)
plt.show()

# %%
# Проверка: без масштаба при большом d почти one-hot; с масштабом разброс не зависит от d.
assert largest["без масштабирования"][-1] > 0.9
assert largest["без масштабирования"][-1] > 2 * largest["делённые на √d"][-1]
assert max(largest["делённые на √d"]) - min(largest["делённые на √d"]) < 0.1

# %% [markdown]
# ## 5. Каузальная маска: в будущее не подглядывать
#
# Языковая модель предсказывает токен $t+1$ по токенам $1..t$. Если бы при обучении токен $t$ мог
# смотреть на токен $t+1$, задача свелась бы к простому копированию, и модель не научилась бы ничему
# полезному. Поэтому оценки выше диагонали перед softmax заменяют на $-\infty$: их вес становится
# ровно $e^{-\infty} = 0$, а каждая строка по-прежнему даёт в сумме 1 по разрешённым позициям.
#
# $$ \text{mask}_{ij} = \begin{cases} 0 & j \le i \\ -\infty & j > i \end{cases}, \qquad
#    \operatorname{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}} + \text{mask}\right) V $$

# %% [markdown]
# ![Две сетки 6×6 для символов 'To be,': слева оценки с −∞ в каждой клетке выше диагонали (серые, заштрихованные), справа веса после softmax: 0 выше диагонали, и каждая строка в сумме даёт 1](../images/causal_mask.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: чему научилась бы модель, если бы при обучении токен $t$ видел токен $t+1$? (Копировать.)
# > Итог: $-\infty$ даёт веса ровно 0; изменение будущего оставляет выходы прошлого такими же, бит в бит.

# %%
T = 6
x = torch.randn(1, T, 8)
out_causal, w_causal = attention(x, x, x, causal=True)
shown = w_causal[0].numpy().copy()
shown[np.triu_indices(T, 1)] = np.nan          # скрытое маской будущее рисуется серым
plot_heatmap(shown, xlabel="позиция ключа", ylabel="позиция запроса", title="каузальное внимание (серое: скрытое будущее)",
             vmax=1)

# %% [markdown]
# **Проверка.** Веса под маской ровно нулевые; изменение *будущих* токенов (позиции 4 и 5)
# оставляет выходы позиций 0–3 без изменений, бит в бит; изменение прошлого их меняет.

# %%
future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
assert (w_causal[0][future] == 0).all(), "позиции под маской должны быть ровно нулём"
assert_close("строки с маской в сумме 1", w_causal.sum(-1), torch.ones(1, T))
x_new_future = x.clone()
x_new_future[:, 4:] = torch.randn(1, 2, 8)
out_changed, _ = attention(x_new_future, x_new_future, x_new_future, causal=True)
assert torch.equal(out_changed[:, :4], out_causal[:, :4]), "прошлое не должно видеть будущее"
assert not torch.allclose(out_changed[:, 4:], out_causal[:, 4:])
x_new_past = x.clone()
x_new_past[:, 0] = torch.randn(8)
assert not torch.allclose(attention(x_new_past, x_new_past, x_new_past, causal=True)[0][:, 3], out_causal[:, 3])
print("ok    будущее невидимо, прошлое — нет")

# %% [markdown]
# ## 6. Многоголовое внимание
#
# Один softmax даёт один способ смешивания: токен может смотреть в основном в одно место. Языку
# нужно несколько сразу (предыдущая буква, начало слова, имя говорящего…). **Многоголовое
# внимание** (multi-head attention) параллельно запускает $h$ **голов** (heads). Каждая голова — это
# отдельное внимание на своём срезе из $d/h$ каналов, со своими $W_Q, W_K, W_V$; затем $h$ выходов
# склеиваются и смешиваются ещё одной матрицей $W_O$:
#
# $$ \operatorname{MultiHead}(X) = \operatorname{Concat}(\text{head}_1, \dots, \text{head}_h)\, W_O,
#    \qquad \text{head}_i = \operatorname{Attention}(X W_Q^{(i)}, X W_K^{(i)}, X W_V^{(i)}). $$
#
# В коде все головы считаются разом: одна матрица строит Q, K и V для всех голов, а изменение формы
# (reshape) даёт каждой голове её срез. Стоит это столько же, сколько одна большая голова.

# %% [markdown]
# ![Многоголовое внимание со 128 каналами и 4 головами: X проходит через одну матрицу для Q, K и V, делится на 4 головы, каждая из которых считает внимание на 32 каналах; выходы склеиваются обратно в 128 каналов и смешиваются матрицей W_O](../images/multi_head_attention.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: назовите две вещи, на которые токен мог бы захотеть посмотреть в одном и том же предложении.
# > Итог: головы — это срезы каналов; все головы вместе стоят столько же, сколько одна большая.

# %%
class MultiHeadSelfAttention(torch.nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        assert d_model % n_heads == 0
        self.n_heads = n_heads
        self.qkv = torch.nn.Linear(d_model, 3 * d_model, bias=False)   # W_Q, W_K, W_V всех голов
        self.proj = torch.nn.Linear(d_model, d_model, bias=False)      # W_O

    def forward(self, x):
        B, T, C = x.shape                                              # (батч, время, каналы)
        q, k, v = self.qkv(x).split(C, dim=2)
        # (B, T, C) -> (B, головы, T, C / головы): каждая голова видит свой срез каналов
        q, k, v = (t.view(B, T, self.n_heads, C // self.n_heads).transpose(1, 2) for t in (q, k, v))
        out, self.weights = attention(q, k, v, causal=True)           # (B, головы, T, C / головы)
        return self.proj(out.transpose(1, 2).reshape(B, T, C))        # головы бок о бок, затем W_O


mha = MultiHeadSelfAttention(d_model=16, n_heads=4)
x = torch.randn(2, 5, 16)
print("выход", tuple(mha(x).shape), "· веса", tuple(mha.weights.shape), "(батч, головы, запрос, ключ)")

# %% [markdown]
# **Проверка.** Наш модуль совпадает с `utils.models.CausalSelfAttention` из курса (им пользуются
# следующие блокноты), когда у обоих одинаковые веса: и на быстром пути (слитое ядро PyTorch, fused kernel), и на
# пути с трассировкой, который сохраняет веса каждой головы для картинок ниже.

# %%
from utils.models import CausalSelfAttention, GPTConfig

course_attention = CausalSelfAttention(GPTConfig(n_embd=16, n_head=4))
course_attention.load_state_dict(mha.state_dict())
trace = {}
assert_close("наш и utils (быстрый путь)", mha(x), course_attention(x))
assert_close("наш и utils (путь с трассировкой)", mha(x), course_attention(x, trace=trace))
assert_close("одинаковые веса внимания", mha.weights, trace["weights"]);

# %% [markdown]
# ## 7. Где же позиция?
#
# Взгляните ещё раз на формулу внимания: ничто в ней не знает порядка токенов. Без маски
# перестановка входных токенов просто так же переставляет выходы (слой **эквивариантен
# относительно перестановок**, permutation-equivariant): "dog bites man" и "man bites dog" выглядели
# бы одинаково. Поэтому перед первым слоем трансформер прибавляет к вектору каждого токена
# **вектор позиции**:
#
# - **синусоидальный** (Vaswani et al., 2017): фиксированные волны разной длины,
#   $PE_{p,2i} = \sin(p / 10000^{2i/d})$, $PE_{p,2i+1} = \cos(p / 10000^{2i/d})$;
# - **обучаемый** (GPT-2, [Radford et al., 2019](https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf),
#   и наша модель): по одному обучаемому вектору на позицию, вплоть до максимальной длины контекста.
#
# (Многие современные модели вместо этого поворачивают запросы и ключи — RoPE,
# [Su et al., 2021](https://arxiv.org/abs/2104.09864); идея та же: сделать оценки зависящими от
# позиции.)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: без позиций различает ли внимание "dog bites man" и "man bites dog"? (Нет.)
# > Итог: позиции прибавляются к векторам токенов — синусоидальные или обучаемые.

# %%
def no_mask_attention(x, layer):
    """Самовнимание с весами слоя `layer`, но без каузальной маски."""
    B, T, C = x.shape
    q, k, v = layer.qkv(x).split(C, dim=2)
    return attention(q, k, v)[0]


def sinusoidal_positions(n_positions, d):
    position = torch.arange(n_positions)[:, None]
    frequency = 10000 ** (-torch.arange(0, d, 2) / d)
    pe = torch.zeros(n_positions, d)
    pe[:, 0::2] = torch.sin(position * frequency)
    pe[:, 1::2] = torch.cos(position * frequency)
    return pe


x = torch.randn(1, 6, 16)
perm = torch.tensor([3, 0, 5, 1, 4, 2])
with torch.no_grad():
    plain, shuffled = no_mask_attention(x, mha), no_mask_attention(x[:, perm], mha)
    pe = sinusoidal_positions(6, 16)
    with_pos, shuffled_with_pos = no_mask_attention(x + pe, mha), no_mask_attention(x[:, perm] + pe, mha)
assert_close("без позиций: перестановка на входе = перестановка на выходе", shuffled, plain[:, perm])
assert not torch.allclose(shuffled_with_pos, with_pos[:, perm], atol=1e-3), "позиции должны нарушать симметрию"
print("ok    с добавленными позициями порядок важен")

# %% [markdown]
# Слева — синусоидальные векторы (каждая строка — позиция, каждый столбец — канал; чем правее
# столбец, тем медленнее волна). Справа — насколько похожи друг на друга **обучаемые** векторы позиций обученной модели
# курса (косинусное сходство). Соседние позиции выучили похожие векторы, хотя этого никто не требовал.

# %%
from utils.checkpoints import load_shakespeare_gpt

model, tokenizer = load_shakespeare_gpt()
learned = model.position_embedding.weight.detach()
learned = learned / learned.norm(dim=1, keepdim=True)
similarity = (learned @ learned.T).numpy()

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6))
im1 = ax1.imshow(sinusoidal_positions(64, 64).numpy(), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
ax1.set(title="синусоидальные позиции", xlabel="канал", ylabel="позиция")
fig.colorbar(im1, ax=ax1)
im2 = ax2.imshow(similarity[:64, :64], cmap="RdBu_r", vmin=-1, vmax=1)
ax2.set(title="обучаемые позиции: косинусное сходство", xlabel="позиция", ylabel="позиция")
fig.colorbar(im2, ax=ax2)
for ax in (ax1, ax2):
    ax.grid(False)
fig.tight_layout()
plt.show()
neighbours = float(np.mean([similarity[i, i + 1] for i in range(60)]))
far = float(np.mean([similarity[i, i + 40] for i in range(60)]))
print(f"среднее сходство соседних позиций {neighbours:.2f}, позиций в 40 шагах друг от друга {far:.2f}")
assert neighbours > far

# %% [markdown]
# ## 8. Внимание в обученной модели
#
# В курсе есть маленькая GPT, обученная на Шекспире (в блокноте 08 мы сами построим и обучим такую;
# здесь та же модель, только обученная дольше: как именно — написано в `data/shakespeare_gpt.json`). Она
# читает **символы**, так что каждый токен ниже — одна буква, пробел (␣) или перевод строки (↵).
#
# Наберите строку, выберите слой и голову. Каждая строка тепловой карты — символ, который
# спрашивает «куда мне смотреть?»; каждый столбец — символ, на который он может посмотреть. Серый
# треугольник — скрытое маской будущее. Что поискать: головы, которые смотрят на предыдущий
# символ; головы, которые смотрят назад, на начало слова или на пробел перед ним; головы слоя 0,
# которые распределяют вес поровну.
#
# Картинка нарисована по трассировке самой модели: `model(idx, trace=True)` возвращает для каждого
# слоя оценки до и после маски и веса softmax каждой головы. Вы видите ровно то, что посчитала модель.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Попросите группу найти голову, которая смотрит на один символ назад; пусть студент переключает слой и голову.
# > Итог: тепловая карта — собственная трассировка модели, а не пересчёт.

# %%
from utils.widgets import AttentionView

attention_view = AttentionView(model, tokenizer, text="ROMEO:\nBut, soft! what", layer=1, head=0)
attention_view

# %% [markdown]
# **Проверка.** Тепловая карта — это трассировка модели: строки дают в сумме 1, будущее ровно
# нулевое, а вычисление с трассировкой даёт те же предсказания, что и быстрое.

# %%
ids = torch.tensor([tokenizer.encode("ROMEO:\nBut, soft! what")])
with torch.no_grad():
    fast_logits, _ = model(ids)
    traced_logits, _, model_trace = model(ids, trace=True)
assert_close("логиты с трассировкой и быстрые", traced_logits, fast_logits, atol=1e-4)
w = model_trace[1]["weights"][0, 0]
n = w.shape[-1]
assert_close("виджет показывает слой 1, голову 0", attention_view.weights[1, 0], w)
assert (w[torch.triu(torch.ones(n, n, dtype=torch.bool), 1)] == 0).all()
assert_close("строки в сумме 1", w.sum(-1), torch.ones(n));

# %% [markdown]
# Голову, которая в основном смотрит **на один символ назад**, найти легко: для каждой головы
# измерим средний вес на предыдущей позиции.

# %%
with torch.no_grad():
    _, _, trace = model(torch.tensor([tokenizer.encode("JULIET:\nO Romeo, Romeo! wherefore art thou Romeo?")]),
                        trace=True)
previous = np.array([[t["weights"][0, h].diagonal(offset=-1).mean().item() for h in range(model.config.n_head)]
                     for t in trace])
from IPython.display import display

display(plot_heatmap(previous, xlabel="голова", ylabel="слой", vmax=1, width_px=340, height_px=280,
                     title="средний вес на предыдущем символе"))
n_chars = trace[0]["weights"].shape[-1]
uniform = np.mean([1 / (i + 1) for i in range(1, n_chars)])   # что дало бы равномерное распределение
layer, head = np.unravel_index(previous.argmax(), previous.shape)
print(f"больше всех смотрит на предыдущий символ: слой {layer}, голова {head} "
      f"(в {previous.max() / uniform:.1f} раза больше, чем при равномерном распределении)")
assert previous.max() > 2 * uniform, "какая-то голова обученной модели должна предпочитать предыдущий символ"

# %%
from utils.widgets import show_attention

show_attention(model, tokenizer, "JULIET:\nO Romeo", layer=int(layer), head=int(head))

# %% [markdown]
# ## Итоги
#
# - Внимание заменяет единственное состояние RNN прямым взвешенным доступом ко всем предыдущим токенам.
# - $\operatorname{softmax}(QK^\top/\sqrt{d_k})V$: запросы спрашивают, ключи отвечают, значения
#   передаются; веса в каждой строке положительны и в сумме дают 1.
# - Деление на $\sqrt{d_k}$ не даёт softmax насыщаться, когда векторы становятся длиннее.
# - Каузальная маска ставит оценкам будущего $-\infty$: их веса ровно 0, поэтому выход токена не может
#   зависеть от того, что идёт после него.
# - Несколько голов параллельно смотрят на разное; позиции приходится добавлять (синусоидальные,
#   обучаемые или вращения RoPE), потому что само по себе внимание порядка не замечает.
#
# **Дальше:** в блокноте 08 внимание, MLP, LayerNorm и остаточные связи складываются в GPT, и мы
# обучим её на Шекспире.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Попросите студента записать $\operatorname{softmax}(QK^\top/\sqrt{d_k})V$ по памяти и назвать каждую часть.

# %% [markdown]
# ## Упражнения
#
# ★ проверяет понимание, ★★ требует поменять код, ★★★ — маленькое исследование. Замените каждое `...`,
# выполните ячейку, а затем проверку под ней: она скажет ✓ и почему, или даст подсказку. Эталонные решения —
# в [solutions/07_attention.py](../solutions/07_attention.py); сначала попробуйте сами.
#

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Упражнение 1 занимает 2 минуты на бумаге; упражнение 3 повторяет довод раздела 4 на ваших собственных числах.

# %%
from utils.exercises import check

# %% [markdown]
# **1. Стоят ли головы параметров? ★** Сколько параметров у `MultiHeadSelfAttention(d_model=64, n_heads=8)`
# и сколько при `n_heads=2`? Выведите ответ из кода класса, затем посчитайте через `.parameters()`.

# %%
head_parameters = ...  # (с 8 головами, с 2 головами)

# %%
check("07.1", head_parameters);

# %% [markdown]
# **2. Маска вычитанием ★★.** Напишите каузальное внимание, которое вместо `masked_fill` с $-\infty$
# вычитает 1000 из оценок будущих ключей. Совпадает ли результат с
# `F.scaled_dot_product_attention(q, k, v, is_causal=True)`? Всегда ли он будет совпадать?

# %%
def minus_a_thousand(q, k, v):
    ...  # ваш код: верните выход внимания

# %%
check("07.2", minus_a_thousand);

# %% [markdown]
# **3. Насколько велики сырые оценки? ★★★** Для $d = 4, 16, 64, 256$ возьмите много случайных $q$ и $k$
# из `torch.randn` и измерьте стандартное отклонение $q \cdot k$ *до* всякого масштабирования. Как оно
# растёт с $d$? Что это сделало бы с softmax большой головы?

# %%
score_spread = ...  # [ст. откл. для d = 4, 16, 64, 256]

# %%
check("07.3", score_spread);
