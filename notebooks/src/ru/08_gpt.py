# %% [markdown]
# # 08 · GPT: трансформер с нуля, обученный на Шекспире
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/ru/08_gpt.ipynb)
#
# **Чему вы научитесь**
# - чем отличаются GPT, BERT и трансформеры «энкодер–декодер» — без путаницы;
# - как устроен блок декодера (LayerNorm, внимание, MLP, остаточные связи) и весь GPT; напишем их с нуля;
# - как посчитать параметры трансформера по формуле — от нашей игрушки до GPT-2 и GPT-3;
# - как обучить модель на Шекспире и сэмплировать из неё: жадно, с температурой, top-k, top-p;
# - что такое KV-кэш и почему при генерации не нужно пересчитывать прошлое.
#
# **Время:** около 75 минут. **Нужно знать:** блокнот 07 (внимание).

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
# ## 1. Три вида трансформеров
#
# Исходный трансформер (transformer, [Vaswani et al., 2017](https://arxiv.org/abs/1706.03762)) создавали
# для машинного перевода, и у него две половины. Более поздние модели оставили одну из них или обе:
#
# | семейство | внимание | чему учится | примеры |
# |---|---|---|---|
# | **только декодер** (decoder-only) | каузальное: каждый токен видит только предыдущие | предсказывать следующий токен | GPT ([Radford et al., 2018](https://cdn.openai.com/research-covers/language-unsupervised/language_understanding_paper.pdf)), GPT-2, GPT-3, Llama |
# | **только энкодер** (encoder-only) | двунаправленное: каждый токен видит весь вход | восстанавливать замаскированные токены | BERT ([Devlin et al., 2019](https://arxiv.org/abs/1810.04805)), RoBERTa |
# | **энкодер–декодер** (encoder–decoder) | в энкодере двунаправленное; в декодере каузальное + перекрёстное внимание к энкодеру | превращать входной текст в выходной | исходный трансформер, T5 ([Raffel et al., 2020](https://arxiv.org/abs/1910.10683)), BART |
#
# BERT — это **только энкодер**, а не «энкодер–декодер» (B в названии значит *bidirectional*,
# «двунаправленный», E — *encoder*, «энкодер»): он читает весь текст сразу и нужен, чтобы понимать
# и классифицировать текст, а не чтобы его порождать. GPT — только декодер: одна стопка блоков
# с каузальной маской, которая пишет токен за токеном. Именно его мы и построим.
#
# Рецепт записан в самом названии. **G**enerative, генеративный: модель пишет новый текст по одному
# токену, и каждый выбирается по предсказанным ею вероятностям. **P**re-trained, предобученный: сначала
# модель учат предсказывать следующий токен на большом объёме неразмеченного текста и только потом
# приспосабливают к задаче (блокноты 09–11). **T**ransformer, трансформер: архитектура из блокнота 07,
# здесь в варианте «только декодер».

# %% [markdown]
# ![Три семейства трансформеров рядом: «только энкодер» (BERT) с двунаправленным вниманием восстанавливает замаскированное слово; «только декодер» (GPT, Llama) с каузальным вниманием предсказывает следующий токен; у «энкодера–декодера» (исходный трансформер, T5) двунаправленный энкодер передаёт информацию каузальному декодеру через перекрёстное внимание](../images/transformer_families.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: BERT — это энкодер–декодер? (Нет: только энкодер.) Какое семейство пишет текст по одному токену?
# > Итог: GPT — только декодер, одна каузальная стопка блоков.

# %% [markdown]
# ## 2. Из чего состоит блок
#
# Блок GPT (как в GPT-2, [Radford et al., 2019](https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf))
# делает две вещи; каждая обёрнута в **остаточную связь** (residual connection), и перед каждой
# стоит **LayerNorm** (нормализация слоя):
#
# $$ x \leftarrow x + \operatorname{Attention}(\operatorname{LN}(x)), \qquad
#    x \leftarrow x + \operatorname{MLP}(\operatorname{LN}(x)). $$
#
# - **Внимание** (блокнот 07): токены обмениваются информацией.
# - **MLP**: каждый токен «думает» сам по себе: $d \to 4d \to d$, а между слоями GELU.
# - **Остаточная связь** ($x + \dots$): каждый подслой только *прибавляет* поправку, поэтому глубокая
#   стопка блоков поначалу близка к тождественному отображению, а градиенты свободно проходят через сложения.
# - **LayerNorm**: приводит вектор каждого токена к среднему 0 и дисперсии 1 (а затем умножает на
#   обучаемый коэффициент), чтобы числа оставались в диапазоне, где обучение устойчиво:
#   $\operatorname{LN}(x) = \gamma \odot \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}$.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: зачем *прибавлять* выход подслоя к $x$, а не заменять им $x$?
# > Итог: благодаря остаточным связям стопка начинает почти с тождественного отображения, а LayerNorm держит числа в разумном диапазоне.

# %%
import math

import torch
import torch.nn.functional as F
from torch import nn

from utils import assert_close
from utils.models import CausalSelfAttention, GPTConfig


class LayerNorm(nn.Module):
    """Нормализует каждый вектор по его каналам, затем умножает на обучаемый коэффициент (без смещения, как в нашем GPT)."""

    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        mean = x.mean(-1, keepdim=True)
        var = x.var(-1, keepdim=True, unbiased=False)
        return self.weight * (x - mean) / torch.sqrt(var + self.eps)


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        d = config.n_embd
        self.ln1 = LayerNorm(d)
        self.attn = CausalSelfAttention(config)       # многоголовое внимание из блокнота 07
        self.ln2 = LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d, bias=False), nn.GELU(), nn.Linear(4 * d, d, bias=False))

    def forward(self, x):                             # x: (батч, время, каналы)
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


# %%
x = torch.randn(2, 5, 32) * 3 + 1
ln = LayerNorm(32)
assert_close("наш LayerNorm и torch", ln(x), F.layer_norm(x, (32,)), atol=1e-5)
assert_close("у каждого вектора среднее 0", ln(x).mean(-1), torch.zeros(2, 5), atol=1e-5)
print("форма выхода блока:", tuple(Block(GPTConfig(n_embd=32, n_head=4))(x).shape))

# %% [markdown]
# ## 3. GPT целиком
#
# Номера токенов → **эмбеддинг токена** + **позиционный эмбеддинг** (обучаемый, блокнот 07) → $L$ блоков →
# последний LayerNorm → линейный слой, дающий по одной оценке (**логиту**, logit) на каждый элемент
# словаря. Softmax от логитов в позиции $t$ — это догадка модели о токене $t+1$. Как и в GPT-2,
# выходной слой повторно использует матрицу эмбеддингов токенов (**связывание весов**, weight tying):
# один и тот же вектор на входе говорит «это токен *i*», а на выходе — «предскажи токен *i*».

# %% [markdown]
# ![GPT целиком снизу вверх: номера токенов (B, T); эмбеддинги токенов и позиций складываются в (B, T, 128); 4 блока; последний LayerNorm; линейный слой, связанный с эмбеддингом токенов, даёт логиты (B, T, 76). Рядом один блок в раскрытом виде: LayerNorm, каузальное многоголовое внимание из 4 голов по 32 канала, сложение с остаточной связью, LayerNorm, MLP 128 → 512 → 128, сложение с остаточной связью. В нашей модели 813 696 параметров; у GPT-2 small 12 блоков, 768 каналов, 12 голов и 124 439 808 параметров](../images/gpt_architecture.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: почему выходной слой может повторно использовать матрицу эмбеддингов токенов?
# > Итог: эмбеддинги, блоки, LayerNorm и один линейный слой — вот и весь GPT.

# %%
class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.token_embedding = nn.Embedding(config.vocab_size, config.n_embd)
        self.position_embedding = nn.Embedding(config.block_size, config.n_embd)
        self.blocks = nn.ModuleList([Block(config) for _ in range(config.n_layer)])
        self.ln_f = LayerNorm(config.n_embd)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.token_embedding.weight          # связывание весов

    def forward(self, idx, targets=None):             # idx: (батч, время), номера токенов
        T = idx.shape[1]
        x = self.token_embedding(idx) + self.position_embedding(torch.arange(T))
        for block in self.blocks:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))           # (батч, время, словарь)
        loss = None if targets is None else F.cross_entropy(logits.flatten(0, 1), targets.flatten())
        return logits, loss


# %% [markdown]
# **Проверка.** С теми же весами наш GPT вычисляет в точности то же, что и `utils.models.GPT` из
# пакета курса (там добавлены dropout, необязательные смещения, KV-кэш и запись весов внимания).
# Дальше мы пользуемся версией из utils, и блокноты 09–11 тоже.

# %%
import utils.models

config = GPTConfig(vocab_size=76, block_size=32, n_layer=2, n_head=4, n_embd=32)
utils.seed_everything(0)
ours = GPT(config)
course_gpt = utils.models.GPT(config)
course_gpt.load_state_dict(ours.state_dict())
idx = torch.randint(76, (2, 20))
assert_close("наш GPT и utils.models.GPT", ours(idx)[0], course_gpt(idx)[0], atol=1e-5);

# %% [markdown]
# ## 4. Сколько параметров?
#
# На один блок при $d$ каналах: у внимания есть $W_Q, W_K, W_V, W_O$ — четыре матрицы $d \times d$
# ($4d^2$); у MLP — $d \times 4d$ и $4d \times d$ ($8d^2$); плюс два коэффициента LayerNorm ($2d$).
# Со смещениями (в GPT-2 они есть) добавляются $4d$ (внимание), $4d + d$ (MLP) и $2d$ (смещения LayerNorm).
# Вне блоков: эмбеддинги токенов $V d$ (общие с выходным слоем), позиции $T d$ и
# последний LayerNorm $d$ (+ $d$). Итого
#
# $$ N = L\,(12 d^2 + 2d) + (V + T)\,d + d \quad\text{(no biases)}, \qquad
#    N = L\,(12 d^2 + 13 d) + (V + T)\,d + 2d \quad\text{(with biases)}. $$
#
# (no biases — без смещений, with biases — со смещениями.) У больших моделей преобладает слагаемое
# $12 L d^2$: число параметров растёт как глубина, умноженная на квадрат ширины.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: что добавит больше параметров — удвоить ширину или удвоить глубину? (Ширину: $d^2$.)
# > Итог: $12 L d^2$ даёт 124 млн у GPT-2 и 175 млрд у GPT-3.

# %%
def parameter_count(V, T, d, L, bias=False):
    if bias:
        return L * (12 * d * d + 13 * d) + (V + T) * d + 2 * d
    return L * (12 * d * d + 2 * d) + (V + T) * d + d


def counted(model):
    return sum(p.numel() for p in model.parameters())   # связанная матрица считается один раз


for cfg in (config, GPTConfig(vocab_size=76, block_size=128, n_layer=4, n_head=4, n_embd=128, bias=True)):
    formula = parameter_count(cfg.vocab_size, cfg.block_size, cfg.n_embd, cfg.n_layer, cfg.bias)
    code = counted(utils.models.GPT(cfg))
    print(f"L={cfg.n_layer} d={cfg.n_embd} смещения={cfg.bias}: по формуле {formula:,}  в коде {code:,}")
    assert formula == code == utils.models.gpt_parameter_count(cfg)

# %% [markdown]
# Та же формула для настоящих моделей. GPT-2 small: 12 слоёв, $d=768$, словарь 50 257, контекст
# 1024, со смещениями ([Radford et al., 2019](https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf)).
# В статье указано округлённо «117M», а в опубликованном чекпойнте ровно 124 439 808 параметров.
# GPT-3: 96 слоёв, $d = 12{,}288$, контекст 2048, тот же словарь: «175B»
# ([Brown et al., 2020](https://arxiv.org/abs/2005.14165), таблица 2.1).

# %%
gpt2_small = parameter_count(V=50257, T=1024, d=768, L=12, bias=True)
gpt3 = parameter_count(V=50257, T=2048, d=12288, L=96, bias=True)
print(f"GPT-2 small: {gpt2_small:,}")
print(f"GPT-3:       {gpt3:,}  ≈ {gpt3 / 1e9:.1f} млрд")
assert gpt2_small == 124_439_808
assert abs(gpt3 / 175e9 - 1) < 0.01

# %% [markdown]
# ## 5. Обучаем на Шекспире
#
# Модель читает символы. Словарь — все символы, которые встречаются хотя бы в одной из пьес
# (их 76, так что модель может прочитать любую строку любой пьесы); обучающий текст — подмножество
# `utils.data` размером около 1,1 млн символов (пьесы из Tiny Shakespeare Карпатого): 90 % для обучения,
# 10 % отложено для проверки.
#
# Обучающий пример — случайное окно из `block_size` символов; целевые ответы — то же окно, сдвинутое
# на один символ. Так одно окно даёт сразу `block_size` предсказаний, и каждое видит только своё
# прошлое: это и даёт каузальная маска.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: какие потери должны быть у необученной модели при 76 символах? ($\ln 76 \approx 4.33$.)
# > В полном режиме обучение занимает время; раздел 6 загружает готовую модель, обученную дольше, так что дальше ничего не ждёт этого запуска.

# %%
from utils.data import CharTokenizer, shakespeare, shakespeare_split

tokenizer = CharTokenizer(shakespeare("full"))
train_data = torch.tensor(tokenizer.encode(shakespeare_split("tiny", "train")))
val_data = torch.tensor(tokenizer.encode(shakespeare_split("tiny", "val")))
print(f"словарь: {tokenizer.vocab_size} символов; обучающих {len(train_data):,}, валидационных {len(val_data):,}")


def get_batch(data, block_size, batch_size, generator):
    starts = torch.randint(len(data) - block_size - 1, (batch_size,), generator=generator)
    x = torch.stack([data[s : s + block_size] for s in starts])
    y = torch.stack([data[s + 1 : s + block_size + 1] for s in starts])
    return x, y


x, y = get_batch(train_data, 24, 1, torch.Generator().manual_seed(0))
print("вход :", repr(tokenizer.decode(x[0].tolist())))
print("цель :", repr(tokenizer.decode(y[0].tolist())))

# %% [markdown]
# До обучения модель ничего не знает: все символы для неё равновероятны, а функция потерь (loss)
# равна $\ln 76 \approx 4.33$. Цикл обучения тот же, что в блокнотах 02–05, с AdamW и обрезкой
# градиентов; скорость обучения сначала постоянна, а затем линейно падает до нуля (в блокноте 09 мы
# разберём цикл по частям). Для измерения `evaluate` усредняет потери по *всему* валидационному
# отрезку, нарезанному на неперекрывающиеся окна, так что каждый символ предсказывается ровно один раз
# (по случайным окнам сравнивать было бы слишком шумно). Полоса прогресса показывает потери во время обучения.
# У модели два блока по 128 каналов: при малом бюджете два блока учатся за секунду больше, чем четыре
# (`benchmarks/train_gpt.py` сравнивает этот рецепт с четырёхблочным CPU-рецептом nanoGPT).

# %%
from tqdm.auto import tqdm


@torch.no_grad()
def evaluate(model, data, batch_size=64):
    """Средние потери предсказания следующего токена по всем `data` в неперекрывающихся окнах: каждый токен предсказывается один раз."""
    block = model.config.block_size
    n_windows = (len(data) - 1) // block
    x_all = data[: n_windows * block].view(n_windows, block)
    y_all = data[1 : n_windows * block + 1].view(n_windows, block)
    model.eval()   # без dropout во время измерения
    total = 0.0
    for i in range(0, n_windows, batch_size):
        _, loss = model(x_all[i : i + batch_size], y_all[i : i + batch_size])
        total += loss.item() * len(x_all[i : i + batch_size])
    model.train()
    return total / n_windows


utils.seed_everything(0)
demo_config = GPTConfig(vocab_size=tokenizer.vocab_size, block_size=64, n_layer=2, n_head=4, n_embd=128)
model = utils.models.GPT(demo_config)
steps, batch_size, peak_lr = utils.fast(300, 30), 16, 4e-3
optimizer = torch.optim.AdamW(model.parameters(), lr=peak_lr, betas=(0.9, 0.99), weight_decay=0.1)
generator = torch.Generator().manual_seed(0)
loss_before = evaluate(model, val_data[:20_000])
losses = []
bar = tqdm(range(steps), desc="обучение", mininterval=1.0)
for step in bar:
    lr = peak_lr * min(1.0, (step + 1) / 30, (steps - step) / (0.4 * steps))   # разогрев, постоянная, спад
    for group in optimizer.param_groups:
        group["lr"] = lr
    xb, yb = get_batch(train_data, demo_config.block_size, batch_size, generator)
    _, loss = model(xb, yb)
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    losses.append(loss.item())
    if step % 20 == 0:
        bar.set_postfix(loss=f"{sum(losses[-20:]) / len(losses[-20:]):.3f}")
loss_after = evaluate(model, val_data[:20_000])
print(f"потери на валидации {loss_before:.3f} → {loss_after:.3f} (ln V = {math.log(tokenizer.vocab_size):.3f})")

# %%
from utils.plots import plot_curves
from utils.rnn import bigram_loss

# Каждая точка — среднее по 20 шагам вокруг неё (окно по центру, чтобы кривая не запаздывала).
smooth = [sum(losses[max(0, i - 10) : i + 10]) / len(losses[max(0, i - 10) : i + 10]) for i in range(len(losses))]
plot_curves({"потери на обучении": smooth}, ylabel="кросс-энтропия (нат на символ)",
            title="Наш GPT учит Шекспира (потери на обучении, среднее по 20 шагам)",
            references={f"ln V = {math.log(tokenizer.vocab_size):.2f}: равномерная догадка": math.log(tokenizer.vocab_size),
                        "биграммная модель (один символ контекста)": bigram_loss(train_data, val_data, tokenizer.vocab_size)})

# %% [markdown]
# **Проверка.** Необученная модель близка к $\ln V$ (она ничего не знает), а обучение снизило
# потери на валидации — на тексте, которого модель не видела.

# %%
assert abs(loss_before - math.log(tokenizer.vocab_size)) < 0.3, "необученная модель должна быть около ln V"
utils.assert_decreased("потери на валидации", [loss_before, loss_after], by=utils.fast(0.4, 0.1))

# %% [markdown]
# Несколько сотен шагов дают модель, которая выучила орфографию и то, как выглядит реплика. В курсе
# есть модель, обученная дольше (тот же рецепт, контекст 128, четыре слоя; `make checkpoint` обучает
# её заново; в `data/shakespeare_gpt.json` записано 1003 с обучения, около 17 минут, на одном потоке
# процессора). Её карточка:

# %%
from utils.checkpoints import checkpoint_info, load_shakespeare_gpt

trained, tokenizer = load_shakespeare_gpt()
info = checkpoint_info()
print(f"{info['parameters']:,} параметров, {info['file_bytes'] / 1e6:.1f} МБ (fp16), "
      f"{info['recipe']['steps']} шагов, seed {info['seed']}")
print(f"потери на валидации {info['val_loss']} (вся валидационная часть) · как пересобрать: {info['rebuild']}")
assert trained.num_parameters() == info["parameters"]
assert round(info["train_seconds"]) == 1003, "время обучения, указанное выше, взято из этой карточки"

# %% [markdown]
# ## 6. Сэмплирование: жадное, с температурой, top-k, top-p
#
# **Обучение и инференс.** До сих пор мы *обучали* модель: меняли веса, чтобы снизить потери,
# и на каждом батче делали прямой проход, обратный проход и шаг оптимизатора. Использование обученной
# модели с зафиксированными весами называется **инференсом** (inference): только прямые проходы, здесь —
# чтобы писать текст. В пересчёте на токен обучение обходится примерно втрое дороже инференса (около $6N$
# против $2N$ операций с плавающей точкой для $N$ параметров, [Kaplan et al., 2020](https://arxiv.org/abs/2001.08361)),
# но модель обучают один раз, а инференс запускают потом на каждый запрос.
#
# Модель выдаёт вероятность для каждого следующего символа. От того, как мы выбираем один из них,
# текст сильно меняется:
#
# - **жадно** (greedy): всегда самый вероятный. Детерминированно, и текст быстро зацикливается.
# - **температура** (temperature) $\tau$: делим логиты на $\tau$ перед softmax. При $\tau < 1$ распределение
#   острее (надёжнее, но скучнее), при $\tau > 1$ — площе (неожиданнее, но больше ошибок); $\tau \to 0$ — это жадный выбор.
# - **top-k**: оставляем только $k$ самых вероятных токенов и заново нормируем.
# - **top-p** (ядерное сэмплирование, nucleus, [Holtzman et al., 2020](https://arxiv.org/abs/1904.09751)):
#   оставляем наименьший набор самых вероятных токенов, вероятности которых в сумме дают не меньше $p$.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Прежде чем двигать ползунок, попросите группу предсказать текст при температуре 0.1 и 1.5.
# > Итог: модель даёт вероятности, а способ сэмплирования решает, насколько смелым будет текст.

# %%
def sampling_probs(logits, temperature=1.0, top_k=None, top_p=None):
    """logits: (vocab,) -> вероятности, из которых мы на самом деле сэмплируем."""
    if temperature == 0:
        return F.one_hot(logits.argmax(), len(logits)).float()
    logits = logits / temperature
    if top_k is not None:
        kth_largest = torch.topk(logits, top_k).values[-1]
        logits = torch.where(logits < kth_largest, float("-inf"), logits)
    probs = torch.softmax(logits, -1)
    if top_p is not None:
        sorted_probs, order = probs.sort(descending=True)
        mass_before = sorted_probs.cumsum(0) - sorted_probs     # вероятность токенов, стоящих выше в списке
        keep = torch.zeros_like(probs, dtype=torch.bool)
        keep[order] = mass_before < top_p
        probs = torch.where(keep, probs, 0.0)
        probs = probs / probs.sum()
    return probs


prompt = "ROMEO:\nWhat light through yonder window "
with torch.no_grad():
    logits = trained(torch.tensor([tokenizer.encode(prompt)]))[0][0, -1]
for name, kwargs in {"температура 1": {}, "температура 0.5": {"temperature": 0.5}, "top-k 3": {"top_k": 3},
                     "top-p 0.9": {"top_p": 0.9}, "жадно": {"temperature": 0}}.items():
    p = sampling_probs(logits, **kwargs)
    top = torch.topk(p, 4)
    shown = ", ".join(f"{tokenizer.decode([int(i)])!r} {v:.2f}" for v, i in zip(top.values, top.indices))
    print(f"{name:>15}: возможных токенов: {int((p > 0).sum()):>2} · {shown}")

# %% [markdown]
# **Проверка.** Наше сэмплирование при любых настройках совпадает с `utils.models.next_token_probs`
# из пакета курса (им пользуются виджеты и `generate`); top-k оставляет ровно k токенов; чем холоднее,
# тем острее распределение.

# %%
from utils.models import next_token_probs

for kwargs in ({}, {"temperature": 0.5}, {"temperature": 1.7, "top_k": 5}, {"top_p": 0.8}, {"temperature": 0},
               {"temperature": 0.8, "top_k": 10, "top_p": 0.9}):
    assert_close(f"сэмплирование {kwargs}", sampling_probs(logits, **kwargs), next_token_probs(logits[None], **kwargs)[0],
                 atol=1e-6)
assert int((sampling_probs(logits, top_k=3) > 0).sum()) == 3
assert sampling_probs(logits, 0.5).max() > sampling_probs(logits, 1.0).max() > sampling_probs(logits, 2.0).max()

# %% [markdown]
# Послушаем. Тот же промпт, тот же seed, три настройки:

# %%
from utils.models import generate

samples = {}
for name, kwargs in {"жадно": {"temperature": 0}, "температура 0.8, top-k 20": {"temperature": 0.8, "top_k": 20},
                     "температура 1.5": {"temperature": 1.5}}.items():
    out = generate(trained, torch.tensor([tokenizer.encode("JULIET:\n")]), 250,
                   generator=torch.Generator().manual_seed(0), **kwargs)
    samples[name] = tokenizer.decode(out[0].tolist())
    print(f"──── {name} ────\n{samples[name]}\n")

# %% [markdown]
# **Проверка.** Образцы похожи на пьесу: новые имена персонажей заглавными буквами с двоеточием,
# затем строки текста и слова, которые употреблял Шекспир, — в отличие от необученной модели того же
# размера. (Жадный выбор склонен повторяться; температура 1.5 выдумывает слова.)

# %%
import re

known_words = set(re.findall(r"[a-z]+", shakespeare_split("tiny", "train").lower()))


def real_word_fraction(text):
    words = re.findall(r"[a-z]+", text.lower())
    return sum(w in known_words for w in words) / max(1, len(words))


written = samples["температура 0.8, top-k 20"][len("JULIET:\n"):]        # без промпта
speakers = re.findall(r"^[A-Z][A-Z ]+:$", written, flags=re.MULTILINE)
untrained = utils.models.GPT(trained.config)
noise = tokenizer.decode(generate(untrained, torch.tensor([tokenizer.encode("JULIET:\n")]), 250,
                                  generator=torch.Generator().manual_seed(0))[0].tolist())
print(f"новые персонажи: {speakers[:4]}; слов, которые есть в пьесах: {real_word_fraction(written):.0%} "
      f"(у необученной модели: {real_word_fraction(noise):.0%})")
assert real_word_fraction(written) > real_word_fraction(noise) + 0.3
assert len(set(samples.values())) == 3
assert speakers, "в пьесе сменяются персонажи"

# %% [markdown]
# ### Попробуйте: вероятности следующего символа
#
# Наберите промпт (prompt). Серые столбики — вероятности модели; синие — то, из чего сэмплирование
# выбирает после температуры, top-k и top-p. Затем нажмите **сгенерировать**. Попробуйте: температуру 0
# (жадный выбор) и сгенерировать дважды; top-k 1; температуру 2; промпт, который обрывается посреди
# слова ("ROMEO:\nO gentle Jul").

# %%
from utils.widgets import NextTokenView

next_token_view = NextTokenView(trained, tokenizer, prompt="ROMEO:\nO gentle Jul", temperature=0.8, top_k=20)
next_token_view

# %% [markdown]
# ### Внимание обученной модели вживую
#
# Виджет внимания из блокнота 07 на той же модели: куда смотрит каждый символ?

# %%
from utils.widgets import AttentionView

AttentionView(trained, tokenizer, text="ROMEO:\nO gentle Juliet", layer=2, head=1)

# %% [markdown]
# ## 7. KV-кэш
#
# Чтобы сгенерировать токен $t+1$, нужны запросы, ключи и значения всех токенов до него. Без кэша
# на каждом шаге весь префикс из $t$ токенов заново прогоняется через модель: проекции и MLP для всех
# $t$ токенов и внимание между всеми ними, $O(t^2)$, ради шага, который добавляет всего один токен.
# Но ключи и значения прежних токенов не меняются (из-за каузальной маски они никогда не видят
# новый токен). Поэтому мы их **кэшируем**: на каждом шаге считаем $q, k, v$ и MLP только для нового
# токена, дописываем $k, v$ в кэш, и один новый запрос смотрит на все $t$ ключей из кэша: $O(t)$.
#
# Сначала в миниатюре: одна голова внимания, шаг за шагом, в сравнении с полным вычислением.

# %% [markdown]
# ![Генерация пятого символа 'To be': через W_Q, W_K, W_V проходит только новый токен; его ключ и значение дописываются в кэши K и V, где уже хранятся четыре прежних; его единственный запрос встречается со всеми пятью ключами, и взвешенные значения дают выход. Для нашего GPT кэш хранит 2 × 4 × 128 × 128 = 131 072 числа на последовательность](../images/kv_cache.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: когда мы добавляем один токен, какие ключи и значения меняются? (Только у нового токена.)
# > Итог: с кэшем каждый шаг прогоняет слои только для нового токена (его внимание всё равно читает все ключи из кэша), а текст тот же, что и без кэша.

# %%
utils.seed_everything(0)
d = 8
W_q, W_k, W_v = (torch.randn(d, d) for _ in range(3))
sequence = torch.randn(10, d)                                   # 10 векторов токенов


def full_attention(xs):                                        # все токены сразу, каузально
    q, k, v = xs @ W_q, xs @ W_k, xs @ W_v
    scores = (q @ k.T / math.sqrt(d)).masked_fill(torch.triu(torch.ones(len(xs), len(xs), dtype=torch.bool), 1),
                                                   float("-inf"))
    return torch.softmax(scores, -1) @ v


k_cache, v_cache, cached_outputs = [], [], []
for x_t in sequence:                                           # по одному токену за шаг
    k_cache.append(x_t @ W_k)
    v_cache.append(x_t @ W_v)
    K, V = torch.stack(k_cache), torch.stack(v_cache)          # (t, d): все ключи и значения на данный момент
    weights = torch.softmax((x_t @ W_q) @ K.T / math.sqrt(d), -1)  # один запрос: маска не нужна
    cached_outputs.append(weights @ V)
assert_close("шаги с кэшем и полное каузальное внимание", torch.stack(cached_outputs), full_attention(sequence),
             atol=1e-5);

# %% [markdown]
# `utils.models.GPT` делает то же самое в каждом слое и каждой голове (`KVCache`). **Проверка:** если подать
# промпт, а затем по одному токену через кэш, логиты получаются те же, что у полной модели.

# %%
from utils.models import KVCache

ids = torch.tensor([tokenizer.encode("HAMLET:\nTo be, or not to be, that is the question")])
with torch.no_grad():
    full_logits, _ = trained(ids)
    cache = KVCache(trained.config.n_layer)
    pieces = [trained(ids[:, :10], cache=cache)[0]]
    for t in range(10, ids.shape[1]):
        pieces.append(trained(ids[:, t : t + 1], cache=cache)[0])
assert_close("логиты с KV-кэшем и без", torch.cat(pieces, 1), full_logits, atol=1e-4);

# %% [markdown]
# И выигрыш: генерация с кэшем и без него (жадная, поэтому, пока контекстное окно не заполнено,
# оба способа обязаны написать один и тот же текст).

# %%
import time

n_new = utils.fast(120, 40)
start_ids = torch.tensor([tokenizer.encode("ROMEO:\n")])
timings = {}
for use_cache in (False, True):
    start = time.perf_counter()
    out = generate(trained, start_ids, n_new, temperature=0, use_cache=use_cache)
    timings[use_cache] = time.perf_counter() - start
    timings[f"text {use_cache}"] = out
print(f"без кэша {n_new / timings[False]:.0f} ток./с, с кэшем {n_new / timings[True]:.0f} ток./с "
      f"(ускорение в {timings[False] / timings[True]:.1f} раза на этой машине; benchmarks/generate.py измеряет 500 токенов)")
assert torch.equal(timings["text False"], timings["text True"])

# %% [markdown]
# ## Итоги
#
# - GPT — **только декодер** (каузальное внимание, предсказание следующего токена); BERT — **только энкодер**
#   (двунаправленное внимание, замаскированные токены); T5 и исходный трансформер — **энкодер–декодер**.
# - Блок — это $x + \operatorname{Attn}(\operatorname{LN}(x))$, затем $x + \operatorname{MLP}(\operatorname{LN}(x))$;
#   GPT — это эмбеддинги, $L$ блоков, LayerNorm и (связанный) выходной слой.
# - Параметры: $\approx 12 L d^2$ плюс эмбеддинги; отсюда 124 439 808 у GPT-2 small и
#   175 млрд у GPT-3.
# - Модель с 0,8 млн параметров, обученная предсказывать следующий символ, пишет текст, похожий на пьесу.
# - Настройки сэмплирования меняют надёжность на разнообразие; KV-кэш считает каждый шаг генерации только для нового токена (его внимание всё равно читает все ключи из кэша).
#
# **Дальше:** в блокноте 09 мы разберём цикл обучения по частям и посмотрим, как потери зависят от размера модели и объёма вычислений.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: какое слагаемое преобладает в числе параметров большой модели и почему?

# %% [markdown]
# ## Упражнения
#
# ★ проверяет понимание, ★★ требует поменять код, ★★★ — маленькое исследование. Замените каждое `...`,
# выполните ячейку, а затем проверку под ней: она скажет ✓ и почему, или даст подсказку. Эталонные решения —
# в [solutions/08_gpt.py](../solutions/08_gpt.py); сначала попробуйте сами.
#

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Упражнения 1 и 2 занимают на занятии несколько минут; упражнение 3 учит полезной привычке при отладке, его стоит обсудить.

# %%
from utils.exercises import check

# %% [markdown]
# **1. Где параметры? ★** Какая доля параметров GPT-2 small приходится на эмбеддинги токенов и позиций,
# и какая доля у GPT-3? Используйте `parameter_count(..., bias=True)` и размеры из раздела 4.

# %%
embedding_shares = ...  # (доля у GPT-2 small, доля у GPT-3), обе между 0 и 1

# %%
check("08.1", embedding_shares);

# %% [markdown]
# **2. Top-k вручную ★★.** Напишите `top_k_probs(logits, k)`: вероятности следующего токена, когда оставлены
# только `k` наибольших логитов (функция должна работать с батчем строк). Затем сравните `k = 1` с жадным
# декодированием: чем оказывается сэмплирование с top-k 1?

# %%
def top_k_probs(logits, k):
    ...  # ваш код: верните вероятности той же формы, что logits

# %%
check("08.2", top_k_probs);

# %% [markdown]
# **3. Потери до обучения ★★★.** Постройте три *необученных* GPT с размерами из `demo_config` (seed 0, 1, 2)
# и измерьте потери каждого на `val_data[:5_000]` с помощью `evaluate`. К какому числу все они близки и почему?
# Как это число может поймать ошибку ещё до того, как вы потратите час на обучение?

# %%
untrained_losses = ...  # [потери для seed 0, seed 1, seed 2]

# %%
check("08.3", untrained_losses, vocab_size=tokenizer.vocab_size);
