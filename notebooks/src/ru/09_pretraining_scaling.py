# %% [markdown]
# # 09 · Предобучение и законы масштабирования
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/ru/09_pretraining_scaling.ipynb)
#
# **Чему вы научитесь**
# - полный цикл предобучения (pretraining): AdamW, разогрев и косинусное расписание, обрезка градиентов, оценка качества;
# - как сохранить обучение и продолжить его так, чтобы оно шло *в точности* как без остановки;
# - что даёт пониженная точность (bfloat16) на процессоре — измерим, а не будем гадать;
# - маленький закон масштабирования: семь размеров модели, потери против числа параметров и объёма вычислений, подобранный степенной закон;
# - сколько FLOP стоило обучение GPT-3 и Llama 3.1 (≈ 6·N·D) и почему масштаб раз за разом побеждает.
#
# **Время:** около 60 минут (на ноутбуке ячейки обучают модели всего около минуты).
# **Нужно знать:** блокнот 08 (GPT и его обучение).

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
# ## 1. Цикл обучения целиком
#
# В блокноте 08 мы обучили GPT коротким циклом. Настоящее предобучение использует тот же цикл с
# четырьмя добавками. Каждая дешёвая, и у каждой есть причина:
#
# - **AdamW** (Loshchilov & Hutter, [2019](https://arxiv.org/abs/1711.05101)): Adam с *отделённым*
#   затуханием весов (weight decay). Затухание применяем только к матрицам, а не к коэффициентам
#   LayerNorm и смещениям (их сжатие только вредит).
# - **Разогрев (warmup), затем косинусное убывание** скорости обучения: в первые шаги оценки моментов
#   в Adam ещё плохие, поэтому скорость линейно растёт `warmup_steps` шагов; затем она спускается по
#   половине косинуса до `min_lr`, и последние шаги делаются маленькими и осторожными:
#
#   $$\eta_t = \eta_{\min} + \tfrac12\left(1 + \cos\left(\pi\,\frac{t - t_w}{T - t_w}\right)\right)(\eta_{\max} - \eta_{\min}), \qquad t \ge t_w.$$
#
# - **Обрезка градиентов** (gradient clipping): если общая норма градиента $\lVert g\rVert$ больше $c$,
#   градиент масштабируется до $g \cdot c / \lVert g\rVert$. Тогда один неудачный батч не отбросит веса далеко.
# - **Оценка на отложенном тексте** через равные промежутки: по одним потерям на обучающей выборке
#   не отличить запоминание от обучения.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: зачем разгонять скорость обучения постепенно, а не начинать сразу с полной?
# > Итог: AdamW, разогрев и косинус, обрезка и потери на отложенном тексте — у каждого своя причина.

# %%
import math
import time

import numpy as np
import torch

from utils.data import CharTokenizer, shakespeare, shakespeare_split
from utils.models import GPT, GPTConfig
from utils.train import Recipe, evaluate, get_batch

tokenizer = CharTokenizer(shakespeare("full"))
train_data = torch.tensor(tokenizer.encode(shakespeare_split("tiny", "train")))
val_data = torch.tensor(tokenizer.encode(shakespeare_split("tiny", "val")))
print(f"обучающая выборка {len(train_data):,} символов, валидационная {len(val_data):,}")


def lr_at(step, peak_lr, min_lr, warmup_steps, total_steps):
    """Линейный разогрев, затем половина косинуса от peak_lr до min_lr."""
    if step < warmup_steps:
        return peak_lr * (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (peak_lr - min_lr)


recipe = Recipe(steps=utils.fast(150, 20), batch_size=16, lr=3e-3, min_lr=3e-4, warmup_steps=utils.fast(15, 4))
schedule = [lr_at(s, recipe.lr, recipe.min_lr, recipe.warmup_steps, recipe.steps) for s in range(recipe.steps)]

# %%
from utils.plots import plot_curves

plot_curves({"скорость обучения": schedule}, ylabel="скорость обучения", title="Разогрев, затем косинусное убывание",
            width_px=480, height_px=260)

# %% [markdown]
# Теперь сам цикл, все строки на виду. `small_config` — это GPT из 2 слоёв с 64 каналами и
# контекстом в 64 символа: достаточно большой, чтобы учиться, и достаточно маленький, чтобы
# обучиться за секунды.

# %%
small_config = GPTConfig(vocab_size=tokenizer.vocab_size, block_size=64, n_layer=2, n_head=4, n_embd=64)


def train_by_hand(config, data, recipe, seed=0):
    torch.manual_seed(seed)
    model = GPT(config)
    matrices = [p for p in model.parameters() if p.dim() >= 2]       # к ним применяем затухание весов
    others = [p for p in model.parameters() if p.dim() < 2]          # коэффициенты LayerNorm: без затухания
    optimizer = torch.optim.AdamW([{"params": matrices, "weight_decay": recipe.weight_decay},
                                   {"params": others, "weight_decay": 0.0}], lr=recipe.lr, betas=recipe.betas)
    generator = torch.Generator().manual_seed(seed)                  # порядок батчей
    losses = []
    for step in range(recipe.steps):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, recipe.lr, recipe.min_lr, recipe.warmup_steps, recipe.steps)
        x, y = get_batch(data, config.block_size, recipe.batch_size, generator)
        _, loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.grad_clip)
        optimizer.step()
        losses.append(loss.item())
    return model, losses


hand_model, hand_losses = train_by_hand(small_config, train_data, recipe)
print(f"потери на обучении {hand_losses[0]:.3f} → {np.mean(hand_losses[-10:]):.3f} за {recipe.steps} шагов")

# %% [markdown]
# **Проверка.** Теперь этот цикл живёт в `utils.train.train` (с индикатором хода, функцией обратного
# вызова для живых графиков, чекпойнтами и пониженной точностью — всё это ниже). То же зерно, тот же
# рецепт: библиотечный цикл обязан дать *те же* потери, шаг за шагом, и то же расписание скорости обучения.

# %%
from utils.train import learning_rate, train

torch.manual_seed(0)
library_model = GPT(small_config)
library_losses = train(library_model, train_data, recipe, seed=0, progress=False)
utils.assert_close("расписание: наше против utils.train", schedule, [learning_rate(s, recipe) for s in range(recipe.steps)])
utils.assert_close("потери: наш цикл против utils.train", hand_losses, library_losses, atol=1e-5)
utils.assert_decreased("потери на обучении", [hand_losses[0], np.mean(hand_losses[-10:])], by=0.1)

# %% [markdown]
# ## 2. Смотрим, как модель учится: живые кривые потерь
#
# За долгим обучением наблюдают, а не просто ждут конца. `LossCurves` перерисовывает свой график
# на месте каждые `every` шагов: потери на обучении (среднее за последние шаги) и потери на
# отложенном тексте. Если две кривые расходятся, модель начала запоминать.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: что значит, если кривые обучения и отложенного текста разошлись? (Запоминание.)
# > Кривые рисуются вживую несколько секунд: смотрите на них вместе, не ждите молча.

# %%
from utils.widgets import LossCurves

live_recipe = Recipe(steps=utils.fast(600, 40), batch_size=16, lr=3e-3, min_lr=3e-4, warmup_steps=utils.fast(30, 4))
val_slice = val_data[: utils.fast(40_000, 4_000)]
torch.manual_seed(0)
live_model = GPT(small_config)
curves = LossCurves("GPT из 2 слоёв на Шекспире", total_steps=live_recipe.steps)
curves.add(0, evaluate(live_model, val_slice), evaluate(live_model, val_slice))
curves.widget   # живой вид; готовая картинка сохраняется ниже

# %%
every = utils.fast(50, 10)


def on_progress(step, smoothed_train_loss):  # средние потери за последние `every` шагов
    curves.add(step, smoothed_train_loss, evaluate(live_model, val_slice), train_window=every)


live_losses = train(live_model, train_data, live_recipe, seed=0, callback=on_progress, every=every)
print(f"потери на валидации {curves.state.val_losses[0]:.3f} → {curves.state.val_losses[-1]:.3f}")
curves.figure   # итоговая картинка; она видна и там, где виджеты не работают (GitHub)

# %%
assert curves.render_count > 2, "график должен был перерисовываться во время обучения"
utils.assert_decreased("потери на валидации", curves.state.val_losses, by=utils.fast(0.4, 0.1))

# %% [markdown]
# ## 3. Чекпойнты: остановить, продолжить и получить то же обучение
#
# Большое обучение длится неделями, а машины ломаются, поэтому по ходу сохраняют **чекпойнты**
# (checkpoints). Чтобы продолжить *в точности*, одних весов мало: нужны моменты AdamW (по два числа
# на параметр), номер достигнутого шага (для расписания) и состояние генератора случайных чисел,
# который выбирает батчи. `utils.train.save_training_state` сохраняет все четыре. Проверка:
# остановим обучение на полпути, продолжим его в **новой** модели и сравним с обучением, которое
# никто не прерывал.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: что, кроме весов, должен хранить чекпойнт, чтобы продолжить *в точности*?
# > Итог: моменты оптимизатора, номер шага и состояние генератора; продолженное обучение совпадает бит в бит.

# %%
import tempfile
from pathlib import Path

from utils.train import save_training_state  # noqa: F401  (её вызывает train(save_to=...))

resume_recipe = Recipe(steps=utils.fast(120, 16), batch_size=16, lr=3e-3, min_lr=3e-4, warmup_steps=4)
checkpoint_file = Path(tempfile.mkdtemp()) / "run.pt"

torch.manual_seed(0)
uninterrupted = train(GPT(small_config), train_data, resume_recipe, seed=0, progress=False)

torch.manual_seed(0)
first_half = train(GPT(small_config), train_data, resume_recipe, seed=0, progress=False,
                   stop_after=resume_recipe.steps // 2, save_to=checkpoint_file)
torch.manual_seed(123)                           # другая инициализация: продолжение должно её перезаписать
resumed = train(GPT(small_config), train_data, resume_recipe, seed=0, progress=False, resume_from=checkpoint_file)
print(f"чекпойнт: {checkpoint_file.stat().st_size / 1e6:.1f} МБ для {small_config.n_layer} слоёв")

# %%
assert len(first_half) == resume_recipe.steps // 2 and len(resumed) == len(uninterrupted)
utils.assert_close("продолженное обучение против непрерывного", resumed, uninterrupted, atol=1e-6)

try:
    train(GPT(small_config), train_data, resume_recipe, progress=False, resume_from=checkpoint_file.with_name("nope.pt"))
    raise AssertionError("продолжение из несуществующего файла должно падать")
except FileNotFoundError as err:
    assert "save_to" in str(err)
    print("несуществующий чекпойнт вызывает FileNotFoundError, и сообщение подсказывает, что делать (запустить с save_to=...)")

# %% [markdown]
# ## 4. Пониженная точность: измеряем
#
# Графические процессоры перемножают 16-битные числа (bfloat16, float16) в несколько раз быстрее
# 32-битных, и памяти им нужно вдвое меньше. Поэтому большие модели обучают со «смешанной
# точностью» (mixed precision): матричные произведения в bfloat16, веса и оптимизатор во float32.
# Это переключение делает `torch.autocast`. Поможет ли оно **на центральном процессоре**, зависит от
# чипа (у новых Intel Xeon есть матричные блоки для bfloat16, у большинства ноутбуков нет), поэтому
# измерим: те же шаги той же модели во float32 и в bfloat16.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: будет ли bfloat16 быстрее на этом ноутбуке? Пусть группа проголосует, потом покажите измеренное отношение.
# > Итог: точность — вопрос железа, её измеряют; обучение выдерживает 3 значащие цифры.

# %%
# 64 канала и 20 шагов: хватает, чтобы засечь время и сравнить потери; без матричных блоков для
# bfloat16 каждое произведение эмулируется в несколько раз медленнее, и прогон побольше занял бы минуты.
precision_config = GPTConfig(vocab_size=tokenizer.vocab_size, block_size=64, n_layer=4, n_head=4, n_embd=64)
precision_recipe = Recipe(steps=utils.fast(20, 6), batch_size=16, lr=3e-3, warmup_steps=4)
timings, final_losses = {}, {}
for name, dtype in (("float32", None), ("bfloat16", torch.bfloat16)):
    torch.manual_seed(0)
    model = GPT(precision_config)
    start = time.perf_counter()
    losses = train(model, train_data, precision_recipe, seed=0, progress=False, autocast_dtype=dtype)
    timings[name] = (time.perf_counter() - start) / precision_recipe.steps
    final_losses[name] = losses
    print(f"{name:9s} {1000 * timings[name]:6.1f} мс/шаг, последние потери {losses[-1]:.4f}")
speedup = timings["float32"] / timings["bfloat16"]
print(f"ускорение от bfloat16 на этом процессоре: {speedup:.2f}×  ({'быстрее' if speedup > 1.1 else 'заметного выигрыша нет'})")

# %% [markdown]
# На машине, которая выполняла этот блокнот, bfloat16 **не дал заметного ускорения** (см. отношение
# выше; на процессоре без матричных блоков для bfloat16 он часто даже медленнее, потому что каждое
# произведение сначала преобразует свои входы). Поэтому курс обучает на процессоре во float32, а на
# GPU использовал бы `autocast_dtype=torch.bfloat16`. Чего bfloat16 *не* ломает, так это обучения: у
# него те же 8 бит порядка, что у float32, но только 7 хранимых бит мантиссы (8 с неявной ведущей
# единицей), так что каждое произведение округляется примерно до 2–3 значащих десятичных цифр, и всё
# же потери идут почти вровень с обучением во float32.

# %%
last = {name: float(np.mean(losses[-10:])) for name, losses in final_losses.items()}
difference = abs(last["float32"] - last["bfloat16"])
print(f"средние потери за последние 10 шагов: float32 {last['float32']:.4f}, bfloat16 {last['bfloat16']:.4f}")
assert difference < 0.03, "bfloat16 должен закончить в пределах нескольких сотых от float32"
assert final_losses["bfloat16"][-1] < final_losses["bfloat16"][0], "обучение в bfloat16 тоже должно учиться"

# %% [markdown]
# ## 5. Маленький закон масштабирования
#
# Kaplan и соавторы ([2020](https://arxiv.org/abs/2001.08361)) обучили языковые модели размером от 768 до
# 1,5 миллиарда параметров без учёта эмбеддингов и обнаружили, что потери на тестовой выборке падают
# по **степенному закону** (power law) от числа параметров $N$ (если данных хватает):
#
# $$L(N) = \left(\frac{N_c}{N}\right)^{\alpha_N}, \qquad \alpha_N \approx 0.076,$$
#
# то есть это прямая в логарифмических осях: $\log L = \alpha_N \log N_c - \alpha_N \log N$. Похожие
# законы выполняются для объёма данных $D$ и вычислений $C$. Посмотрим, видна ли та же форма у наших
# крошечных символьных моделей. Обучим **семь размеров** (примерно от 800 до 800 000 параметров без
# эмбеддингов, три порядка величины) на **одних и тех же** данных в одном и том же порядке и измерим
# потери каждой модели на всей валидационной выборке. Потери на обучении по ходу дела бесплатно
# дают кривые «потери против вычислений». В полном режиме блокнот показывает результаты, которые
# поставляются с курсом (их получил `tools/scaling_experiment.py` этой же функцией); в быстром режиме
# пять самых маленьких моделей обучаются несколько шагов прямо здесь.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: как выглядит степенной закон в логарифмических осях? (Прямая.)
# > Полный режим читает готовые результаты (обучение вживую займёт минуты): скажите об этом и прочитайте показатель степени.

# %%
from utils.scaling import FULL_RECIPE, SCALING_SIZES, load_scaling_results, run_scaling_experiment

# Семь обучений занимают 5-6 минут на 2 ядрах, поэтому полный режим читает результаты
# tools/scaling_experiment.py (та же функция, FULL_RECIPE, зерно 0). Поставьте RUN_LIVE = True, чтобы
# обучить их здесь; быстрый режим всегда ненадолго обучает пять самых маленьких.
RUN_LIVE = utils.fast(False, True)
scaling_recipe = utils.fast(FULL_RECIPE, Recipe(steps=100, batch_size=16, lr=3e-3, min_lr=3e-4, warmup_steps=6))
if RUN_LIVE:
    results = run_scaling_experiment(utils.fast(SCALING_SIZES, SCALING_SIZES[:5]), train_data,
                                     val_data[: utils.fast(len(val_data), 8_000)], scaling_recipe,
                                     block_size=64, vocab_size=tokenizer.vocab_size, seed=0)
else:
    results = load_scaling_results()
for r in results:
    print(f"N = {r['non_embedding']:>8,}   (слоёв: {r['n_layer']}, каналов: {r['n_embd']:>3})   "
          f"потери на валидации {r['val_loss']:.3f}   обучение {r['seconds']:.0f} с")

# %% [markdown]
# **Подгонка.** Логарифмы превращают степенной закон в прямую, поэтому обычная прямая наименьших
# квадратов через точки $(\log N, \log L)$ даёт показатель степени как её наклон со знаком минус;
# $R^2$ показывает, какую долю разброса $\log L$ объясняет прямая (1 — идеальная прямая).

# %%
def fit_power_law(x, y):
    """МНК для log y = log a - alpha · log x. Возвращает a, alpha и R² (в логарифмах)."""
    log_x, log_y = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    slope = ((log_x - log_x.mean()) * (log_y - log_y.mean())).sum() / ((log_x - log_x.mean()) ** 2).sum()
    intercept = log_y.mean() - slope * log_x.mean()
    residual = log_y - (intercept + slope * log_x)
    r2 = 1 - (residual ** 2).sum() / ((log_y - log_y.mean()) ** 2).sum()
    return math.exp(intercept), -slope, r2


params = np.array([r["non_embedding"] for r in results], dtype=float)
val_losses = np.array([r["val_loss"] for r in results])
coefficient, alpha, r2 = fit_power_law(params, val_losses)
print(f"подгонка: потери ≈ {coefficient:.2f} · N^(-{alpha:.3f}),  R² = {r2:.3f}")
print("Kaplan et al. 2020: alpha_N ≈ 0.076 (токены BPE, токенизатор GPT-2; модели обучены до сходимости)")

# %% [markdown]
# **Потери против вычислений.** Вычисления на обучение — примерно $C \approx 6ND$ FLOP: на каждый
# токен прямой проход стоит около $2N$ (одно умножение и одно сложение на вес), а обратный проход —
# примерно вдвое больше. Кривая обучения каждой модели, нарисованная против уже потраченных
# вычислений, даёт одну линию; нижняя огибающая всех линий (**граница вычислительной
# эффективности**, compute-efficient frontier) — то, о чём законы масштабирования: какой размер при
# данном бюджете достигает наименьших потерь?

# %%
import matplotlib
import matplotlib.ticker

from utils.widgets import new_figure

curves_by_size = []
for r in results:
    steps = np.arange(1, len(r["loss_curve"]) + 1) * r["curve_every"]
    tokens_seen = steps * r["tokens"] / scaling_recipe.steps
    curves_by_size.append((6.0 * r["non_embedding"] * tokens_seen, np.array(r["loss_curve"])))
all_points = sorted((c, loss) for compute, losses in curves_by_size for c, loss in zip(compute, losses))
frontier, best = [], float("inf")
for c, loss in all_points:                   # оставляем точку, если ни у одной более дешёвой потери не были ниже
    if loss < best:
        frontier.append((c, loss))
        best = loss
frontier = np.array(frontier)
c_coefficient, gamma, c_r2 = fit_power_law(frontier[:, 0], frontier[:, 1])
print(f"граница: потери ≈ {c_coefficient:.2f} · C^(-{gamma:.3f}),  R² = {c_r2:.3f}  "
      f"(Kaplan et al.: alpha_C ≈ 0.050 для границы вычислительной эффективности)")

fig = new_figure(900, 360)
ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
grid = np.logspace(np.log10(params.min()), np.log10(params.max()), 50)
ax1.loglog(params, val_losses, "o", color="black", label="измерено (валидация)")
ax1.loglog(grid, coefficient * grid ** -alpha, color="tab:blue", label=f"подгонка α = {alpha:.3f}, R² = {r2:.2f}")
ax1.set(xlabel="параметры без эмбеддингов N", ylabel="потери на валидации (нат/символ)", title="Потери против размера")
colours = matplotlib.colormaps["viridis"](np.linspace(0, 0.9, len(results)))
for (compute, losses), r, colour in zip(curves_by_size, results, colours):
    ax2.loglog(compute, losses, color=colour, lw=1.2, label=f"N = {r['non_embedding']:,}")
cgrid = np.logspace(np.log10(frontier[:, 0].min()), np.log10(frontier[:, 0].max()), 50)
ax2.loglog(cgrid, c_coefficient * cgrid ** -gamma, "--", color="tab:red", lw=2, label=f"подгонка границы γ = {gamma:.3f}")
ax2.set(xlabel="вычисления на обучение C ≈ 6·N·D (FLOP)", ylabel="потери на обучении (нат/символ)", title="Потери против вычислений")
for ax in (ax1, ax2):
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(6, steps=[1, 2, 5, 10]))  # несколько круглых значений потерь, без подписей мелких делений
    ax.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    ax.yaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.grid(alpha=0.3, which="major")  # одна линия сетки на порядок и на круглое значение потерь, без густой мелкой сетки
ax1.legend(fontsize=7)
ax2.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # сбоку от панели: внутри она закрывала кривые
fig.tight_layout()
fig

# %% [markdown]
# **Проверка.** Большая модель должна быть лучше (с небольшим допуском на шум), степенной закон
# должен хорошо описывать точки, а наша подгонка с нуля — совпадать с методом наименьших квадратов NumPy.

# %%
tolerance = 0.02
for smaller, larger in zip(results, results[1:]):
    assert larger["val_loss"] < smaller["val_loss"] + tolerance, (
        f"N={larger['non_embedding']:,} хуже, чем N={smaller['non_embedding']:,}: "
        f"{larger['val_loss']:.3f} против {smaller['val_loss']:.3f}")
assert params.max() / params.min() >= 100, "размеры должны охватывать хотя бы два порядка величины"
assert alpha > 0 and r2 > utils.fast(0.9, 0.6), f"степенной закон должен хорошо описывать точки (R² = {r2:.3f})"
if not RUN_LIVE:  # готовые результаты, которые цитирует текст ниже («787 584 параметра», «~16 млн токенов»)
    assert results[-1]["non_embedding"] == 787_584 and round(20 * 787_584 / 1e6) == 16
slope, intercept = np.polyfit(np.log(params), np.log(val_losses), 1)
utils.assert_close("показатель: наш против np.polyfit", alpha, -slope);

# %% [markdown]
# **Что говорят числа.** Наш показатель степени (напечатан выше) лежит в том же небольшом диапазоне,
# что и 0,076 у Kaplan, но это **не** тот же эксперимент: наши «токены» — символы, модели крошечные,
# и каждая видела одни и те же $D$ = 600 шагов × 16 × 64 ≈ 0,6 миллиона символов. Для больших
# моделей это слишком мало по правилу **Chinchilla**: Hoffmann и соавторы
# ([2022](https://arxiv.org/abs/2203.15556)) показали, что при фиксированном бюджете вычислений число
# параметров и число обучающих токенов должны расти вместе, примерно **20 токенов на параметр** (их
# модель на 70 млрд параметров, обученная на 1,4 трлн токенов, обошла Gopher на 280 млрд, обученный
# с теми же вычислениями на 300 млрд токенов). Нашей самой большой модели с 787 584 параметрами
# нужно ~16 млн токенов; она увидела 0,6 млн, поэтому её потери выше тех, что она достигла бы с
# большим объёмом данных, а самые маленькие модели увидели намного больше 20 токенов на параметр.
# То, как обучен каждый размер, меняет подобранный показатель (упражнение 3 показывает, насколько
# важен диапазон); поэтому же рекомендации Kaplan и Chinchilla различаются.
#
# **Поиграйте.** Ползунок двигает точку вдоль подобранного закона. Внутри измеренного диапазона
# это интерполяция; снаружи (пунктир) — экстраполяция, и именно на неё делают ставку лаборатории,
# когда планируют обучение в 100 раз больше всего, что они обучали раньше.

# %%
from utils.widgets import ScalingView

tokens_seen = results[0]["tokens"]
scaling_view = ScalingView(params, val_losses, coefficient, alpha, tokens=tokens_seen)
scaling_view

# %%
before = scaling_view.png()
scaling_view.slider.value = scaling_view.slider.max
prediction = scaling_view.prediction()
assert scaling_view.png() != before and prediction["extrapolated"]
utils.assert_close("точка на подобранной кривой", prediction["loss"], coefficient * prediction["params"] ** -alpha)
scaling_view.slider.value = float(np.log10(params).mean())

# %% [markdown]
# ## 6. Вычисления и стоимость настоящих моделей
#
# Та же формула $C \approx 6ND$ позволяет оценить настоящие модели.
#
# - **GPT-3** (Brown et al., [2020](https://arxiv.org/abs/2005.14165)): $N$ = 175 млрд параметров,
#   $D$ = 300 млрд обучающих токенов. Таблица D.1 статьи даёт 3,14 × 10²³ FLOP на обучение.
# - **Llama 3.1 405B** (Llama Team, Meta, [2024](https://arxiv.org/abs/2407.21783)): $N$ = 405 млрд,
#   $D$ ≈ 15,6 трлн токенов; в статье указано 3,8 × 10²⁵ FLOP. Её
#   [карточка модели](https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/MODEL_CARD.md)
#   сообщает о 30,84 млн GPU-часов на H100-80GB.
#
# Часто цитируемая цифра (она есть и в материалах-семенах курса, где её приписывают облаку Amazon)
# гласит, что GPT-3 потребовала бы **355 GPU-лет и $4,6 млн**. Это **оценка** Lambda Labs
# ([Chuan Li, 2020](https://lambdalabs.com/blog/demystifying-gpt-3)), а не счёт OpenAI. Её
# допущения, как их формулирует Lambda: 3,14 × 10²³ FLOP из статьи, *теоретические* 28 TFLOPS
# у V100 и самая низкая цена облака с резервированием на 3 года, которую Lambda смогла найти (почасовой
# цены в посте нет; $4,6 млн за 355 GPU-лет — это около $1,48 за час V100). OpenAI обучала модель на
# кластере V100 от Microsoft и стоимость не публиковала. Проверим арифметику и посмотрим, насколько
# она зависит от предполагаемой производительности:

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Прежде чем показать ответ, попросите группу оценить FLOP обучения GPT-3 по формуле $6ND$.
# > Итог: $C \approx 6ND$; за любой оценкой стоимости прячутся предполагаемые производительность и цена.

# %%
def training_flops(parameters, tokens):
    return 6.0 * parameters * tokens


SECONDS_PER_YEAR = 365.25 * 24 * 3600
gpt3 = training_flops(175e9, 300e9)
gpt3_paper = 3.14e23                                # Brown et al., таблица D.1: отсюда начинает Lambda
v100_flops = 28e12                                  # допущение Lambda: теоретические 28 TFLOPS у V100
gpu_years = gpt3_paper / v100_flops / SECONDS_PER_YEAR
gpu_hours = gpu_years * SECONDS_PER_YEAR / 3600
implied_price = 4.6e6 / gpu_hours                   # Lambda даёт итог, а не почасовую цену
print(f"GPT-3: 6·N·D = {gpt3:.3g} FLOP (в статье: 3.14e23)")
print(f"  3.14e23 FLOP при 28 TFLOPS на V100: {gpu_years:.0f} GPU-лет = {gpu_hours / 1e6:.2f} млн GPU-часов; "
      f"$4,6 млн у Lambda — это ${implied_price:.2f} за GPU-час")
print(f"  при 125 TFLOPS (пик тензорных ядер V100, на деле недостижимый): {gpt3_paper / 125e12 / SECONDS_PER_YEAR:.0f} GPU-лет")

llama = training_flops(405e9, 15.6e12)
llama_gpu_hours = 30.84e6
achieved = llama / (llama_gpu_hours * 3600)
print(f"Llama 3.1 405B: 6·N·D = {llama:.3g} FLOP (в статье: 3.8e25), в {llama / gpt3:.0f} раз больше GPT-3")
print(f"  {llama_gpu_hours / 1e6:.2f} млн H100-часов → {achieved / 1e12:.0f} TFLOPS в среднем на GPU "
      f"({achieved / 989e12:.0%} от пиковых 989 TFLOPS H100 в плотном bf16)")
print(f"  при условных $2 за H100-час (наше допущение, а не опубликованная стоимость): ${llama_gpu_hours * 2 / 1e6:.0f} млн")

# %%
assert abs(gpt3 / 3.14e23 - 1) < 0.01, "6·N·D должно воспроизводить опубликованные для GPT-3 3.14e23 FLOP"
assert round(gpu_years) == 355, "355 GPU-лет у Lambda получаются из 3.14e23 FLOP при 28 TFLOPS"
assert 1.45 < implied_price < 1.50, "в тексте сказано: около $1,48 за час V100"
assert abs(llama / 3.8e25 - 1) < 0.01, "6·N·D должно воспроизводить 3.8e25 FLOP для Llama 3.1 405B"
ours = training_flops(results[-1]["non_embedding"], results[-1]["tokens"])
print(f"наша самая большая модель: {ours:.2g} FLOP, GPT-3 потратила в {gpt3 / ours:.1e} раз больше")

# %% [markdown]
# Проверка на Llama поучительна: если разделить её FLOP на её GPU-часы, получится около 340 TFLOPS
# на H100, примерно 35–40 % от пика чипа. Настоящее обучение никогда не выходит на цифру из
# спецификации, поэтому любая оценка в «GPU-годах» обязана называть производительность, которую она
# предполагает. (Пиковые значения — от NVIDIA: 125 TFLOPS тензорных ядер у
# [V100](https://www.nvidia.com/en-us/data-center/v100/), 1979 TFLOPS bfloat16 *с разреженностью*
# у [H100 SXM](https://www.nvidia.com/en-us/data-center/h100/), то есть около 989 TFLOPS без неё.)
#
# **Цифры из материалов-семян, проверенные.** Русские слайды приводят три цифры об обучении:
#
# - «Llama 3.2 (90B): 10 000 GPU, 10 дней, ~$3,5 млн». Meta не публикует ни числа GPU, ни дней, ни
#   стоимости. Её [карточка модели](https://github.com/meta-llama/llama-models/blob/main/models/llama3_2/MODEL_CARD_VISION.md)
#   даёт GPU-часы: около 1,78 млн H100-часов на этапы визуальной модели 90B (предобучение,
#   дообучение на отобранных данных (annealing), SFT, RLHF) *сверх* текстовой модели Llama 3.1 70B, на
#   которой она построена и которая заняла 7,0 млн H100-часов
#   ([карточка Llama 3.1](https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/MODEL_CARD.md)).
#   10 000 GPU за 10 дней — это 2,4 млн GPU-часов; источника для цифр из семени мы не нашли.
# - Обучающие данные «в тысячи ТБ». Для текста это не так: отфильтрованный Common Crawl для GPT-3
#   занимал 570 ГБ (из 45 ТБ сжатого текста до фильтрации, Brown et al.), YaLM 100B прочитала 1,7 ТБ
#   ([README](https://github.com/yandex/YaLM-100B)), а Llama 3 — около 15 трлн токенов, то есть
#   несколько десятков ТБ при нескольких байтах на токен. Такого размера бывают сырые обходы веба;
#   текст, на котором учится модель, — нет.
# - «GPT-4: больше триллиона параметров». [Технический отчёт](https://arxiv.org/abs/2303.08774)
#   OpenAI размер не раскрывает; это слух, а не опубликованная цифра.
#
# Собственные цифры YaLM 100B в материалах-семенах (100 млрд параметров, 65 дней на 800 GPU A100,
# 1,7 ТБ) совпадают с README Яндекса.
#
# ## 7. Почему масштаб продолжает побеждать и что меняют другие идеи
#
# Уже десять лет самый надёжный путь к лучшей языковой модели — больше параметров, больше данных и
# больше вычислений в тех пропорциях, которые подсказывают законы масштабирования. Саттон назвал
# это «[горьким уроком](http://www.incompleteideas.net/IncIdeas/BitterLesson.html)» (the bitter
# lesson, 2019): в долгосрочной перспективе общие методы, которые используют больше вычислений,
# побеждают хитроумные знания, заложенные вручную. Закон масштабирования — причина, по которой
# лаборатории могут планировать: у обучения в 100 раз больше предыдущего *предсказуемые* потери.
#
# **Эмерджентные способности: спор.** Потери падают плавно, а оценки на некоторых задачах как будто
# прыгают. Wei и соавторы ([2022](https://arxiv.org/abs/2206.07682)) назвали способность
# *эмерджентной* (emergent), если её нет у моделей поменьше и она есть у больших, и перечислили
# задачи (многозначная арифметика, некоторые тесты на рассуждение), где точность при нескольких
# примерах в промпте (few-shot) держится около случайного угадывания, а после некоторого масштаба
# резко растёт. Schaeffer, Miranda и Koyejo ([2023](https://arxiv.org/abs/2304.15004)) возразили,
# что многие такие скачки порождает **метрика**: точное совпадение засчитывает ответ, только если
# верен *каждый* его токен, поэтому плавное улучшение на уровне токена выглядит внезапным рывком;
# если мерить непрерывной оценкой, те же модели улучшаются постепенно. Эффект видно в нескольких строках:

# %%
per_token = np.array([0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99])   # точность на токен, растёт равномерно
exact_match = per_token ** 10                                  # ответ из 10 токенов должен быть верен целиком
for p, em in zip(per_token, exact_match):
    print(f"точность на токен {p:.2f} → точное совпадение ответа из 10 токенов {em:.3f}")
assert exact_match[2] < 0.03 and exact_match[-1] > 0.9  # «около нуля, потом рывок»: дело в метрике, а не в модели

# %% [markdown]
# Точность на токен растёт ровными шагами; оценка по точному совпадению первую половину диапазона
# держится около нуля, а затем взлетает. У обеих точек зрения есть доводы: метрика объясняет многие
# скачки, но пользователи часто замечают именно успех по принципу «всё или ничего».
#
# Это не значит, что больше ничего не важно, и не значит, что «мы не понимаем, как обучать модели»
# (утверждение из материалов-семян): идеи ниже — настоящие достижения, но каждая меняет **что-то
# другое**, а не основное правило, по которому потери предобучения падают с ростом вычислений.
#
# - **LoRA** (Hu et al., [2021](https://arxiv.org/abs/2106.09685), блокнот 10) делает *дообучение*
#   дешёвым: рядом с замороженными весами обучаются маленькие низкоранговые матрицы. Предобученная
#   модель от этого умнее не становится; LoRA приспосабливает то, чему модель уже научилась.
# - **Дистилляция** (distillation; Hinton et al., [2015](https://arxiv.org/abs/1503.02531)) учит
#   маленькую модель подражать большой: DistilBERT сохраняет 97 % результата BERT на задачах
#   понимания языка при на 40 % меньшем числе параметров (Sanh et al., [2019](https://arxiv.org/abs/1910.01108)).
#   Она удешевляет *использование* модели, но сначала нужен большой учитель.
# - **RAG**, генерация с дополнением найденным (retrieval-augmented generation; Lewis et al.,
#   [2020](https://arxiv.org/abs/2005.11401), блокнот 12), хранит факты не в весах, а в хранилище с
#   поиском: знания свежее и их можно проверить, а параметров больше не становится. Рассуждает
#   по-прежнему модель.
# - **Смесь экспертов** (mixture-of-experts; Shazeer et al., [2017](https://arxiv.org/abs/1701.06538))
#   направляет каждый токен через несколько из множества MLP-экспертов, так что число параметров
#   растёт, а вычисления на токен — нет: у Mixtral 8×7B 46,7 млрд параметров, но на токен
#   используется 12,9 млрд ([Mistral AI, 2023](https://mistral.ai/news/mixtral-of-experts/)). Это
#   сдвигает кривую масштабирования, но не отменяет её.
# - **DPO** (Rafailov et al., [2023](https://arxiv.org/abs/2305.18290), блокнот 11) — более простой,
#   чем RLHF с PPO, способ согласовать модель с предпочтениями людей. Он меняет *поведение*, а не
#   знания модели.
# - **Цепочка рассуждений** (chain-of-thought; Wei et al., [2022](https://arxiv.org/abs/2201.11903))
#   тратит вычисления во время *инференса*: когда модель выписывает промежуточные шаги, многошаговые
#   рассуждения улучшаются, и статья обнаружила, что выигрыш появляется в основном у больших моделей
#   (около 100 млрд параметров). Вычисления во время ответа — вторая ось масштабирования, а не
#   замена первой.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: делает ли LoRA или дистилляция само предобучение лучше? (Нет: каждая меняет что-то другое.)
# > Итог: масштаб предсказуем, поэтому лаборатории могут планировать большие обучения.

# %% [markdown]
# ## Итоги
#
# - Цикл предобучения: AdamW (затухание весов только на матрицах), разогрев и косинус, обрезка
#   градиентов, оценка на отложенном тексте; теперь это `utils.train.train` с чекпойнтами, после
#   которых обучение продолжается в точности, и с необязательным bfloat16.
# - Пониженная точность — вопрос железа: её нужно измерять. На этом процессоре она не окупилась; на GPU окупается.
# - Потери падают по степенному закону от числа параметров и вычислений; наши крошечные модели
#   показывают прямую в логарифмических осях с показателем, близким к показателю Kaplan, и её изгиб
#   там, где заканчиваются данные (Chinchilla).
# - $C \approx 6ND$ оценивает любую модель: GPT-3 ≈ 3,1 × 10²³ FLOP, Llama 3.1 405B ≈ 3,8 × 10²⁵.
#   Оценки стоимости держатся на предполагаемых производительности и цене.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: что за три числа стоят в $C \approx 6ND$ и соотношение каких из них пересмотрела Chinchilla?

# %% [markdown]
# ## Упражнения
#
# ★ проверяет понимание, ★★ меняет код, ★★★ — небольшое исследование. Замените каждое `...`,
# выполните ячейку, а затем проверку под ней: она скажет ✓ и почему, или даст подсказку. Эталонные решения —
# в [solutions/09_pretraining_scaling.py](../solutions/09_pretraining_scaling.py); сначала попробуйте сами.
#

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Упражнения 1 и 2 решаются на бумаге: сделайте их вместе. Упражнение 3 — хороший повод обсудить прогнозы.

# %%
from utils.exercises import check

# %% [markdown]
# **1. Бюджет по Chinchilla ★.** При $C = 6ND$ и правиле Chinchilla $D = 20N$ сколько параметров $N$
# и обучающих токенов $D$ укладываются в бюджет $C = 10^{21}$ FLOP? Проверьте с помощью `training_flops`.

# %%
chinchilla = ...  # (N, D)

# %%
check("09.1", chinchilla);

# %% [markdown]
# **2. Расписание вручную ★.** Обучение из 100 шагов с 10 шагами разогрева, пиковой скоростью
# $3 \cdot 10^{-3}$ и минимальной $3 \cdot 10^{-4}$: какую скорость обучения использует шаг 5, а какую
# шаг 55? Сначала посчитайте по описанию из раздела 1, потом сравните с `lr_at`.

# %%
rates = ...  # (скорость на шаге 5, скорость на шаге 55)

# %%
check("09.2", rates);

# %% [markdown]
# **3. Где прямая изгибается? ★★★** Подгоните степенной закон только по трём самым маленьким моделям
# (`params[:3]`, `val_losses[:3]`), затем только по трём самым большим. Сравните оба показателя с
# подгонкой по всем моделям: что каждый из них предскажет для модели в 100 раз больше нашей самой большой?

# %%
alphas = ...  # (alpha по 3 самым маленьким, alpha по 3 самым большим)

# %%
check("09.3", alphas, params=params, val_losses=val_losses);
