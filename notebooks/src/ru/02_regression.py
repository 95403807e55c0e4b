# %% [markdown]
# # 02 · Регрессия: учим прямую, потом кривую, градиентным спуском
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/ru/02_regression.ipynb)
#
# **Чему вы научитесь**
# - что такое **функция потерь**: среднеквадратичная ошибка (MSE) прямой, проведённой наугад через цены квартир;
# - **градиентный спуск**: производные сначала выписываем вручную, потом их считает autograd
#   из PyTorch, и оба пути приходят к ответу точной формулы метода наименьших квадратов;
# - почему важна **скорость обучения** (слишком малая ползёт, слишком большая взрывается) и зачем входы **нормализуют**;
# - как небольшой **многослойный перцептрон** (MLP) приближает кривую, которую не передаст ни одна прямая;
# - как считать параметры: «модель = архитектура + веса», и что могут значить «393 параметра».
#
# **Время:** около 60 минут. **Нужно знать:** блокнот 01; производную $x^2$ (мы её напомним).

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
# ## 1. Цены квартир: данные
#
# Самое простое, что делает нейронная сеть, — **регрессия**: предсказать число по другим числам.
# Наш пример: цена квартиры по её площади.
#
# Настоящий рынок мы не берём: цены зависят от города и года. Вместо этого мы *создаём* данные
# по известному правилу и проверяем, найдёт ли его обучение (price — цена, area — площадь):
#
# $$ \text{price [k€]} = 50 + 3.0 \cdot \text{area [m}^2\text{]} + \varepsilon, \qquad
#    \varepsilon \sim \mathcal{N}(0,\ 30^2), $$
#
# то есть 3 000 € за квадратный метр плюс 50 000 €, плюс шум около ±30 000 € (вид из окна, этаж,
# настроение продавца). Площади лежат между 20 и 150 м².
#
# Чтобы числа были порядка 1, в коде площадь $x$ измеряется в **сотнях м²**, а цена $y$ —
# в **сотнях тысяч €**. Правило становится таким: $y = 0.5 + 3.0\,x + \varepsilon$, шум
# $\sigma = 0.3$. (Зачем нужны числа порядка 1, покажет раздел 5.)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: зачем придумывать данные по известному правилу, а не брать настоящие цены? (Чтобы проверить, что найдёт обучение.)
# > Итог: единицы измерения мы меняем, чтобы числа были порядка 1; почему — в разделе 5.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from utils.regression import apartment_prices

x, y = apartment_prices(n=100, seed=0)   # x: (100,) площадь / 100 м², y: (100,) цена / 100 тыс. €
print(f"{len(x)} квартир; первые три: " + ", ".join(f"{a * 100:.0f} м² → {p * 100:.0f} тыс. €" for a, p in zip(x[:3], y[:3])))

fig, ax = plt.subplots(figsize=(5.5, 3.6))
ax.scatter(x * 100, y * 100, s=14, alpha=0.7)
ax.set(xlabel="площадь (м²)", ylabel="цена (тыс. €)", title="100 придуманных квартир")
plt.show()

# %% [markdown]
# ## 2. Угадаем прямую и измерим, насколько она ошибается
#
# Модель для этих данных — прямая $\hat y = w x + b$ с двумя **параметрами**: наклоном $w$
# (цена за единицу площади) и свободным членом $b$ (базовая цена). Возьмём несколько значений
# наугад и посмотрим:

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Попросите группу предложить свои $w$ и $b$ и вместе посчитайте MSE.
# > Итог: функция потерь превращает «насколько неверно» в одно число; у истинного правила она равна шуму, около 0.09.

# %%
def predict(w, b, x):
    return w * x + b


def mse(w, b, x, y):
    """Среднеквадратичная ошибка прямой w·x + b на точках (x, y)."""
    return np.mean((predict(w, b, x) - y) ** 2)


guesses = {"догадка A: w=2, b=1": (2.0, 1.0), "догадка B: w=4, b=0": (4.0, 0.0), "догадка C: w=3, b=0.5": (3.0, 0.5)}
fig, ax = plt.subplots(figsize=(5.5, 3.6))
ax.scatter(x * 100, y * 100, s=14, alpha=0.5, color="grey")
line_x = np.linspace(0.15, 1.55, 2)
for (name, (w, b)), style in zip(guesses.items(), ["-", "--", ":"]):  # a line style beside the colour
    ax.plot(line_x * 100, predict(w, b, line_x) * 100, style, lw=2, label=f"{name}: MSE {mse(w, b, x, y):.3f}")
ax.set(xlabel="площадь (м²)", ylabel="цена (тыс. €)")
# Единицы в коде (площадь в сотнях м², цена в сотнях тыс. €): w в тыс. € за м², b в сотнях тыс. €, MSE в (100 тыс. €)².
ax.legend(fontsize=8, title="w в тыс. €/м², b в 100 тыс. €, MSE в (100 тыс. €)²", title_fontsize=8)
plt.show()

# %% [markdown]
# Чтобы сравнивать догадки, нужно одно число, которое говорит, насколько прямая ошибается:
# **функция потерь**. Для регрессии чаще всего берут **среднеквадратичную ошибку**
#
# $$ L(w, b) = \frac{1}{n} \sum_{i=1}^{n} \big(w x_i + b - y_i\big)^2 . $$
#
# Квадрат делает каждую ошибку положительной и наказывает большие ошибки сильнее малых.
# Догадка C — это истинное правило, поэтому её MSE примерно равна дисперсии шума $0.3^2 = 0.09$:
# на зашумлённых данных ни одна прямая не сделает заметно лучше.
#
# **Проверка.** Наша `mse` совпадает с `mse_loss` из PyTorch и с векторной версией курса
# (`utils.regression.mse`, ею пользуется виджет ниже), а истинное правило лучше остальных догадок.

# %%
import torch.nn.functional as F

from utils import assert_close, regression

losses = {name: mse(w, b, x, y) for name, (w, b) in guesses.items()}
assert_close("mse и torch mse_loss", mse(2.0, 1.0, x, y),
             F.mse_loss(torch.tensor(predict(2.0, 1.0, x)), torch.tensor(y)))
assert_close("mse и utils.regression.mse", mse(2.0, 1.0, x, y), regression.mse(2.0, 1.0, x, y))
assert losses["догадка C: w=3, b=0.5"] < min(losses["догадка A: w=2, b=1"], losses["догадка B: w=4, b=0"])
assert abs(losses["догадка C: w=3, b=0.5"] - 0.3**2) < 0.03

# %% [markdown]
# ## 3. Градиентный спуск, производные вручную
#
# Представим $L(w, b)$ как рельеф над плоскостью $(w, b)$. Нам нужна его самая низкая точка.
# **Градиент** $(\partial L/\partial w,\ \partial L/\partial b)$ смотрит в гору, поэтому мы делаем
# маленький шаг в обратную сторону и повторяем:
#
# $$ w \leftarrow w - \eta\, \frac{\partial L}{\partial w}, \qquad b \leftarrow b - \eta\, \frac{\partial L}{\partial b}. $$
#
# $\eta$ — **скорость обучения**. По цепному правилу ($\frac{d}{du}u^2 = 2u$, а у ошибки
# $e_i = w x_i + b - y_i$ производные $\partial e_i/\partial w = x_i$, $\partial e_i/\partial b = 1$):
#
# $$ \frac{\partial L}{\partial w} = \frac{2}{n}\sum_i e_i\, x_i, \qquad
#    \frac{\partial L}{\partial b} = \frac{2}{n}\sum_i e_i . $$

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: куда смотрит градиент и почему мы шагаем в обратную сторону?
# > Итог: градиенты вручную, autograd и точная формула дают одну и ту же прямую.

# %%
def gradients_by_hand(w, b, x, y):
    error = predict(w, b, x) - y
    return 2 * np.mean(error * x), 2 * np.mean(error)


def gradient_descent(x, y, learning_rate, steps, w=0.0, b=0.0):
    """Возвращает итоговые (w, b) и значение функции потерь перед каждым шагом."""
    history = []
    for _ in range(steps):
        history.append(mse(w, b, x, y))
        dw, db = gradients_by_hand(w, b, x, y)
        w, b = w - learning_rate * dw, b - learning_rate * db
    history.append(mse(w, b, x, y))
    return w, b, history


steps = 2000   # дёшево (100 точек, 2 числа): в быстром режиме столько же
w_gd, b_gd, history = gradient_descent(x, y, learning_rate=0.3, steps=steps)
print(f"после {steps} шагов: w = {w_gd:.4f}, b = {b_gd:.4f}, MSE {history[0]:.3f} → {history[-1]:.5f}")
print(f"то есть цена ≈ {w_gd * 1000:.0f} € за м² · площадь + {b_gd * 100:.0f} тыс. € (правило: 3000 € за м², 50 тыс. €)")

# %% [markdown]
# ### Те же градиенты от autograd
#
# Выписывать производные вручную для сетей с миллионами весов невозможно. PyTorch запоминает
# вычисления и сам применяет цепное правило в обратном порядке (**autograd**). Пометьте
# параметры `requires_grad=True`, вычислите функцию потерь, вызовите `loss.backward()` и читайте `.grad`.
#
# ### Ответ по формуле
#
# Для прямой минимум можно найти и напрямую: приравнять обе производные к нулю. Это решение
# **методом наименьших квадратов**:
#
# $$ w^* = \frac{\operatorname{cov}(x, y)}{\operatorname{var}(x)}, \qquad b^* = \bar y - w^* \bar x . $$
#
# **Проверка.** Градиенты вручную и от autograd совпадают в нескольких точках; градиентный спуск
# приходит к решению метода наименьших квадратов с точностью $10^{-6}$ по $w$ и $b$; функция потерь уменьшилась.

# %%
x_t, y_t = torch.tensor(x), torch.tensor(y)
for w0, b0 in [(0.0, 0.0), (2.0, 1.0), (-1.0, 3.0)]:
    w_param = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b_param = torch.tensor(b0, dtype=torch.float64, requires_grad=True)
    loss = ((w_param * x_t + b_param - y_t) ** 2).mean()
    loss.backward()
    assert_close(f"dL/dw, dL/db в точке ({w0}, {b0})", gradients_by_hand(w0, b0, x, y),
                 [w_param.grad, b_param.grad], atol=1e-10)

w_star = np.mean((x - x.mean()) * (y - y.mean())) / np.var(x)
b_star = y.mean() - w_star * x.mean()
assert_close("МНК и numpy polyfit", [w_star, b_star], np.polyfit(x, y, 1), atol=1e-10)
assert_close("градиентный спуск и МНК", [w_gd, b_gd], [w_star, b_star], atol=1e-6, rtol=0)
utils.assert_decreased("MSE при градиентном спуске", history, by=0.9)

# %% [markdown]
# Теперь тот же цикл в привычном для PyTorch виде: параметры живут в модели, обновление делает
# **оптимизатор**. Эти четыре строки (`loss`, `zero_grad`, `backward`, `step`) — сердце каждого
# цикла обучения в курсе, вплоть до GPT из блокнота 08.

# %%
model = torch.nn.Linear(1, 1, dtype=torch.float64)
torch.nn.init.zeros_(model.weight)
torch.nn.init.zeros_(model.bias)
optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
for _ in range(steps):
    loss = F.mse_loss(model(x_t.unsqueeze(1)).squeeze(1), y_t)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
assert_close("torch SGD и наш градиентный спуск", [model.weight.item(), model.bias.item()], [w_gd, b_gd], atol=1e-9);

# %% [markdown]
# ## 4. Скорость обучения: мала, в самый раз, велика
#
# Те же 30 шагов с тремя скоростями обучения. Слишком малая: каждый шаг крошечный, и функция
# потерь еле ползёт. Слишком большая: каждый шаг перескакивает через долину, попадает выше на
# другом склоне, и функция потерь **растёт** без предела (спуск *расходится*).

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Пока не сдвинули ползунок, попросите группу предсказать, что будет при скорости обучения 0.55.
# > Итог: малая ползёт, большая расходится; граница (около 0.52) задаётся кривизной.

# %%
from utils.plots import plot_curves

rates = {"слишком малая (η = 0.01)": 0.01, "в самый раз (η = 0.3)": 0.3, "слишком большая (η = 0.6)": 0.6}
runs = {name: gradient_descent(x, y, lr, steps=30)[2] for name, lr in rates.items()}
for name, hist in runs.items():
    print(f"{name:<22} MSE {hist[0]:.3f} → {hist[-1]:.4g}")
plot_curves(runs, xlabel="шаг", ylabel="MSE ((100 тыс. €)², логарифмическая шкала)", title="Три скорости обучения, 30 шагов", logy=True)

# %% [markdown]
# **Проверка.** При большой скорости функция потерь растёт; при малой она всё ещё намного выше,
# чем при хорошей.

# %%
small, right, big = runs.values()
assert big[-1] > big[0] * 100, "слишком большая скорость обучения должна расходиться"
utils.assert_decreased("MSE при η = 0.3", right, by=0.9)
assert small[-1] > 2 * right[-1], "при слишком малой скорости обучения минимум ещё далеко"

# %% [markdown]
# ### Попробуйте: посмотрите, как идёт градиентный спуск
#
# Справа: поверхность $L(w, b)$ в виде линий уровня (каждое кольцо — уровень одинаковой функции
# потерь; звезда — минимум по методу наименьших квадратов). Красный путь — градиентный спуск
# из $(0, 0)$. Слева: прямая после заданного числа шагов.
#
# 1. Двигайте **шаги** от 0 до 200 при скорости обучения 0.1: путь сначала сбегает по крутому
#    склону длинной узкой долины, затем ползёт по её дну.
# 2. Поднимите **скорость обучения** до 0.5, потом до 0.55: путь мечется зигзагом поперёк
#    долины, а примерно после 0.52 уходит за край картинки. Откуда это число и узкая долина,
#    объясняет раздел 5.

# %%
from utils.widgets import GradientDescentView

descent_view = GradientDescentView(x, y, learning_rate=0.1, steps=30)
descent_view

# %% [markdown]
# ## 5. Несколько признаков и зачем нормализовать
#
# Цена зависит не только от площади. Новое правило с четырьмя **признаками** (rooms — комнаты,
# distance to centre — расстояние до центра, age — возраст дома):
#
# $$ \text{price [k€]} = 40 + 2.5\cdot\text{area [m}^2] + 15\cdot\text{rooms}
#    - 8\cdot\text{distance to centre [km]} - 0.8\cdot\text{age [years]} + \varepsilon,\quad \sigma = 25 . $$
#
# Модель устроена так же, только вес у каждого признака свой: $\hat y = w_1 x_1 + \dots + w_4 x_4 + b$,
# в PyTorch это `nn.Linear(4, 1)`. Но признаки живут в очень разных масштабах (площадь до 150,
# комнат до 5). Тогда долина функции потерь получается крайне длинной и узкой. Скорость обучения,
# достаточно малая, чтобы не взорваться вдоль крутого направления «площадь», слишком мала для остальных.
#
# Лекарство — **нормализовать** каждый признак: вычесть среднее и разделить на стандартное
# отклонение, чтобы все были «около ±1». Наибольшая устойчивая скорость обучения равна
# $2/\lambda_{\max}$, где $\lambda_{\max}$ — наибольшее собственное значение матрицы кривизны
# функции потерь (гессиана) $\frac{2}{n} X^\top X$ (со столбцом единиц для смещения). В обоих
# запусках берём $1/\lambda_{\max}$.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: почему одна скорость обучения не подходит и для «площади» (до 150), и для «комнат» (до 5)?
# > Итог: нормализация делает долину круглой, и один размер шага годится для всех направлений.

# %%
rng = np.random.default_rng(1)
n_flats = 400
area = rng.uniform(20, 150, n_flats)
rooms = np.clip(np.round(area / 30 + rng.normal(0, 0.6, n_flats)), 1, 5)
distance = rng.uniform(0.5, 20, n_flats)
age = rng.uniform(0, 80, n_flats)
features = np.stack([area, rooms, distance, age], axis=1)             # (400, 4)
price = 40 + 2.5 * area + 15 * rooms - 8 * distance - 0.8 * age + rng.normal(0, 25, n_flats)

normalised = (features - features.mean(axis=0)) / features.std(axis=0)


def max_curvature(inputs):
    with_ones = np.hstack([inputs, np.ones((len(inputs), 1))])
    return np.linalg.eigvalsh(2 / len(inputs) * with_ones.T @ with_ones).max()


def fit_linear(inputs, targets, learning_rate, steps):
    """Градиентный спуск для линейной модели (nn.Linear) с MSE; возвращает историю функции потерь."""
    inputs = torch.tensor(inputs, dtype=torch.float64)
    targets = torch.tensor(targets, dtype=torch.float64)
    model = torch.nn.Linear(inputs.shape[1], 1, dtype=torch.float64)
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    history = []
    for _ in range(steps):
        loss = F.mse_loss(model(inputs).squeeze(1), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append(loss.item())
    return model, history


steps_multi = 200   # дёшево: в быстром режиме столько же
raw_model, raw_history = fit_linear(features, price, 1 / max_curvature(features), steps_multi)
norm_model, norm_history = fit_linear(normalised, price, 1 / max_curvature(normalised), steps_multi)

# Лучшая возможная функция потерь линейной модели, по точной формуле (МНК через numpy):
design = np.hstack([features, np.ones((n_flats, 1))])
best_loss = np.mean((design @ np.linalg.lstsq(design, price, rcond=None)[0] - price) ** 2)
print(f"наибольшая устойчивая скорость обучения: исходные {2 / max_curvature(features):.2g}, нормализованные {2 / max_curvature(normalised):.2g}")
print(f"после {steps_multi} шагов: MSE на исходных признаках {raw_history[-1]:,.0f}, на нормализованных {norm_history[-1]:,.1f}; "
      f"МНК {best_loss:,.1f} (дисперсия шума 25² = 625)")
plot_curves({"исходные признаки": raw_history, "нормализованные признаки": norm_history}, ylabel="MSE (тыс. €²)",
            title="Та же модель, то же число шагов", logy=True)

# %% [markdown]
# **Проверка.** На нормализованных признаках градиентный спуск достигает функции потерь метода
# наименьших квадратов (с точностью 1 %); на исходных после того же числа шагов он ещё далеко.
# Выученные веса, пересчитанные обратно в исходные единицы ($w_j / \text{std}_j$), примерно
# воспроизводят 2.5, 15, −8 и −0.8 из правила (шум и связь площади с числом комнат их размывают).

# %%
assert norm_history[-1] < 1.01 * best_loss, "нормализованные признаки должны дойти до функции потерь МНК"
assert raw_history[-1] > 1.5 * best_loss, "на исходных признаках минимум ещё далеко"
raw_units = norm_model.weight.detach().numpy()[0] / features.std(axis=0)
print("веса в исходных единицах (площадь, комнаты, расстояние, возраст):", np.round(raw_units, 2))
assert_close("найденная цена за м² и за км", raw_units[[0, 2]], [2.5, -8.0], atol=0.6, rtol=0);

# %% [markdown]
# ## 6. Когда прямой мало: небольшой MLP приближает кривую
#
# Цена квадратного метра в зависимости от расстояния до центра — не прямая. Она быстро падает
# за пределами центра, а в 12 км от него, у пригородного узла, снова поднимается горбом. Наше
# правило (price per m² — цена за м²):
#
# $$ \text{price per m}^2\ [\text{k€}] = 2 + 4\,e^{-d/3} + 1.5\,e^{-(d-12)^2/4} + \varepsilon,\qquad \sigma = 0.25 . $$
#
# Прямая не умеет изгибаться. **Многослойный перцептрон** умеет: это слои нейронов из блокнота 01,
# только вместо ступеньки гладкая функция активации (здесь $\tanh$), чтобы работал градиентный
# спуск. Каждый скрытый нейрон даёт одну гладкую ступеньку, а их взвешенная сумма может пройти
# почти по любой кривой. Обучаем сеть с помощью **Adam** — градиентного спуска, который подбирает
# размер шага для каждого параметра отдельно (обычный выбор по умолчанию).

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: как сумма гладких ступенек может пройти по кривой с горбом?
# > MLP обучается несколько секунд; тем временем нарисуйте на доске две ступеньки tanh, которые вместе дают горб.

# %%
from tqdm.auto import tqdm

distance_km = rng.uniform(0, 20, 300)
price_m2 = 2 + 4 * np.exp(-distance_km / 3) + 1.5 * np.exp(-((distance_km - 12) ** 2) / 4) + rng.normal(0, 0.25, 300)
d_t = torch.tensor(distance_km / 10, dtype=torch.float32).unsqueeze(1)   # (300, 1), примерно 0..2
p_t = torch.tensor(price_m2, dtype=torch.float32).unsqueeze(1)           # (300, 1)

line_w, line_b = np.polyfit(distance_km / 10, price_m2, 1)
line_loss = np.mean((line_w * distance_km / 10 + line_b - price_m2) ** 2)

utils.seed_everything(0)
mlp = torch.nn.Sequential(torch.nn.Linear(1, 32), torch.nn.Tanh(),
                          torch.nn.Linear(32, 32), torch.nn.Tanh(),
                          torch.nn.Linear(32, 1))
optimizer = torch.optim.Adam(mlp.parameters(), lr=0.01)
mlp_history = []
for _ in tqdm(range(utils.fast(3000, 800)), desc="обучаем MLP", mininterval=1):
    loss = F.mse_loss(mlp(d_t), p_t)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    mlp_history.append(loss.item())
mlp_loss = F.mse_loss(mlp(d_t), p_t).item()

grid_km = np.linspace(0, 20, 200)
with torch.no_grad():
    mlp_curve = mlp(torch.tensor(grid_km / 10, dtype=torch.float32).unsqueeze(1)).squeeze(1).numpy()
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.scatter(distance_km, price_m2, s=10, alpha=0.5, color="grey", label="квартиры")
ax.plot(grid_km, line_w * grid_km / 10 + line_b, "--", lw=2, label=f"лучшая прямая: MSE {line_loss:.3f}")
ax.plot(grid_km, mlp_curve, lw=2, label=f"MLP 1→32→32→1: MSE {mlp_loss:.3f}")
ax.set(xlabel="расстояние до центра (км)", ylabel="цена за м² (тыс. €)")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# **Проверка.** Функция потерь MLP намного ниже, чем у лучшей возможной прямой (меньше трети),
# и близка к уровню шума $0.25^2 \approx 0.06$.

# %%
print(f"MSE лучшей прямой {line_loss:.3f}, MSE MLP {mlp_loss:.3f}, дисперсия шума {0.25**2:.4f}")
utils.assert_decreased("функция потерь MLP при обучении", mlp_history, by=0.5)
assert mlp_loss < line_loss / 3, "MLP должен приблизить кривую гораздо лучше прямой"
assert mlp_loss < 2 * 0.25**2

# %% [markdown]
# ## 7. Модель = архитектура + веса: считаем параметры
#
# Каждая модель выше — это **архитектура** (какие слои, какого размера, какая функция активации)
# плюс числа, найденные градиентным спуском (**веса**, или параметры). Линейный слой с $n$ входами
# и $m$ выходами хранит $m\cdot n$ весов и $m$ смещений, всего $m(n+1)$ параметров.
#
# | модель | архитектура | параметры |
# |---|---|---|
# | цена по площади | 1 → 1 | $1\cdot 2 = 2$ |
# | цена по 4 признакам | 4 → 1 | $1 \cdot 5 = 5$ |
# | MLP для кривой | 1 → 32 → 32 → 1 | $32\cdot 2 + 32 \cdot 33 + 1 \cdot 33 = 1153$ |
#
# В исходных материалах курса сказано, что у «простой модели» **393 параметра**, но не сказано,
# у какой. Число 393 ничем не особенное: ровно столько параметров у многих маленьких архитектур.
# Для одного скрытого слоя из $h$ нейронов, $n$ входов и одного выхода параметров
# $h(n+1) + (h+1) = h(n+2) + 1$, значит, нужно $h(n+2) = 392 = 2^3\cdot 7^2$. Например, **6
# признаков → 49 скрытых → 1 выход**: $49\cdot 7 + 50 = 393$. Перебор находит все такие сети
# с одним или двумя скрытыми слоями:

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Прежде чем показать таблицу, попросите группу посчитать параметры MLP для кривой (1153).
# > Итог: «393 параметра» не называет модель; без архитектуры число параметров мало что говорит.

# %%
def count_parameters(layer_sizes):
    """Параметры полносвязной сети, например [1, 32, 32, 1] -> 1153 (блокнот 01)."""
    return sum(m * (n + 1) for n, m in zip(layer_sizes[:-1], layer_sizes[1:]))


def torch_parameters(model):
    return sum(p.numel() for p in model.parameters())


def make_mlp(layer_sizes):
    layers = []
    for n, m in zip(layer_sizes[:-1], layer_sizes[1:]):
        layers += [torch.nn.Linear(n, m), torch.nn.Tanh()]
    return torch.nn.Sequential(*layers[:-1])


one_hidden = [[n, h, 1] for n in range(1, 11) for h in range(1, 400) if count_parameters([n, h, 1]) == 393]
two_hidden = [[n, h1, h2, 1] for n in range(1, 7) for h1 in range(1, 60) for h2 in range(1, 60)
              if count_parameters([n, h1, h2, 1]) == 393]
print("один скрытый слой, ≤10 входов:", one_hidden)
print(f"два скрытых слоя, ≤6 входов: архитектур {len(two_hidden)}, например {two_hidden[:4]}")

# %% [markdown]
# **Проверка.** Формула и PyTorch сходятся для каждой модели этого блокнота и для каждой
# найденной архитектуры с 393 параметрами.

# %%
assert count_parameters([1, 1]) == torch_parameters(model) == 2
assert count_parameters([4, 1]) == torch_parameters(norm_model) == 5
assert count_parameters([1, 32, 32, 1]) == torch_parameters(mlp) == 1153
assert [6, 49, 1] in one_hidden
for sizes in one_hidden + two_hidden:
    assert torch_parameters(make_mlp(sizes)) == 393, sizes
print(f"проверено архитектур: {len(one_hidden) + len(two_hidden)}; у каждой и в PyTorch ровно 393 параметра")

# %% [markdown]
# Для масштаба: у GPT-3 175 миллиардов параметров ([Brown et al., 2020](https://arxiv.org/abs/2005.14165)).
# Её обучали тем же циклом, что и нашу модель (функция потерь, градиенты, шаг), только на текстах,
# а не на квартирах.
#
# ## Итоги
#
# - **Функция потерь** превращает вопрос «насколько ошибается модель?» в одно число; для регрессии
#   это среднеквадратичная ошибка.
# - **Градиентный спуск** повторяет $\theta \leftarrow \theta - \eta\,\nabla L(\theta)$. Мы вывели
#   градиенты вручную, autograd посчитал те же числа, и оба пришли к прямой метода наименьших квадратов.
# - **Скорость обучения** должна соответствовать кривизне: слишком малая ползёт, выше
#   $2/\lambda_{\max}$ спуск расходится. **Нормализация** признаков делает долину круглой,
#   и одна скорость подходит для всех направлений.
# - Прямая не изгибается; **MLP** с гладкой функцией активации приближает кривые.
# - Модель — это **архитектура плюс её веса**; у слоя $n \to m$ параметров $m(n+1)$.
#   «393 параметра» подходят многим архитектурам, например 6 → 49 → 1.
#
# **Дальше:** блокнот 03 заглядывает внутрь `loss.backward()`: обратное распространение ошибки
# на собственном движке autograd, который мы сверим с PyTorch.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: что происходит выше $2/\lambda_{\max}$ и что меняет нормализация? По одному предложению на вопрос.

# %% [markdown]
# ## Упражнения
#
# ★ — проверка понимания, ★★ — нужно изменить код, ★★★ — небольшое исследование. Замените каждое `...`,
# запустите ячейку, затем запустите проверку под ней: она ответит ✓ и объяснит почему или даст подсказку
# Образцы решений — в
# [solutions/02_regression.py](../solutions/02_regression.py); сначала попробуйте сами.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Упражнение 1 помещается в урок (5 минут); упражнения 2 и 3 хороши для дома.

# %%
from utils.exercises import check

# %% [markdown]
# **1. Найдите границу ★.** Какова наибольшая скорость обучения, при которой градиентный спуск для прямой
# на данных о квартирах из раздела 1 ещё сходится? Выведите её из `max_curvature(x[:, None])` (раздел 5),
# затем проверьте своё значение и значение на 5 % больше с помощью `gradient_descent(x, y, eta, steps=200)`.

# %%
edge = ...  # скорость обучения

# %%
check("02.1", edge, x=x);

# %% [markdown]
# **2. Изогните прямую вручную ★★.** Приблизьте кривую из раздела 6 *линейной* моделью на признаках
# $d, d^2, d^3$ (где $d$ = `distance_km / 10`), найдя её методом наименьших квадратов через `np.linalg.lstsq`.
# Какова её среднеквадратичная ошибка? Где она оказывается между прямой (`line_loss`) и MLP (`mlp_loss`) и почему?

# %%
cubic_loss = ...  # среднеквадратичная ошибка вашей кубической модели

# %%
check("02.2", cubic_loss, distance_km=distance_km, price_m2=price_m2);

# %% [markdown]
# **3. Насколько маленьким может быть MLP? ★★★** Обучите MLP для кривой с одним скрытым слоем из 3 нейронов
# (`make_mlp([1, 3, 1])`) тем же оптимизатором и столько же шагов, сколько большой. Укажите число его
# параметров и итоговое значение функции потерь. Обходит ли он прямую? А большой MLP? Попробуйте также 1 и 2 нейрона.

# %%
narrow_result = ...  # (число параметров, итоговая MSE)

# %%
check("02.3", narrow_result, line_loss=line_loss);
