# %% [markdown]
# # 03 · Обратное распространение ошибки: как сеть учится
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/ru/03_backpropagation.ipynb)
#
# **Чему вы научитесь**
# - почему любое вычисление, в том числе работа сети, — это **вычислительный граф** из маленьких шагов;
# - что такое производная на практике: насколько сдвинется выход, если чуть сдвинуть один вход;
#   сначала мы измерим это пробным сдвигом, потом посчитаем по правилам;
# - **цепное правило** (chain rule): вдоль пути локальные влияния перемножаются, по разным путям складываются;
# - как устроен рабочий **движок autograd** примерно в 90 строк; мы сверим его с пробными сдвигами и с PyTorch;
# - как обучить им небольшую сеть: XOR из блокнота 01 и классификацию «двух лун»;
# - как выглядит тот же обратный проход на матрицах и почему фреймворки работают с тензорами;
# - почему очень глубокие сети трудно обучать: градиенты уменьшаются от слоя к слою.
#
# **Время:** около 75 минут. **Нужно знать:** блокноты 01–02 (нейроны, функция потерь, градиентный спуск).

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
# ## 1. Вычисление — это граф
#
# В блокноте 02 мы обучили прямую градиентным спуском, а потом градиенты за нас считал
# `loss.backward()` из PyTorch. В этом блокноте мы откроем этот ящик.
#
# Возьмём самую маленькую модель с функцией потерь: один вес $w$, одно смещение $b$, один пример
# $(x, y)$ и квадрат ошибки
#
# $$ L = (w x + b - y)^2 . $$
#
# Компьютер считает это выражение по маленьким шагам, и каждый шаг берёт результаты предыдущих:
# $u = w\cdot x$, затем $z = u + b$, затем $d = z - y$, затем $L = d^2$. Если нарисовать шаги
# прямоугольниками, а связи стрелками, получится **вычислительный граф** (computational graph):
# входы слева, функция потерь справа, в каждом прямоугольнике одна операция. При $w = 1.5$,
# $x = 2$, $b = 0.5$, $y = 2$ значения текут слева направо (это **прямой проход**, forward pass),
# и функция потерь равна $L = 2.25$.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: «Какой вход вы бы изменили, чтобы быстрее всего уменьшить L?» Запомните ответы: раздел 2 это измерит.

# %%
from utils.widgets.backprop import show_graph, square_loss_graph

w, x, b, y = 1.5, 2.0, 0.5, 2.0
graph = square_loss_graph(w, x, b, y)
show_graph(graph, show_grad=False, title="L = (w·x + b − y)²: прямой проход, слева направо")

# %% [markdown]
# **Проверка.** В последнем прямоугольнике графа то же число, что даёт формула.

# %%
def loss_fn(w, x, b, y):
    return (w * x + b - y) ** 2


print("L =", loss_fn(w, x, b, y), "  по графу:", graph.data)
assert loss_fn(w, x, b, y) == graph.data == 2.25

# %% [markdown]
# ## 2. Сдвинем вход и посмотрим на выход
#
# Насколько $L$ зависит от $w$? Сдвинем $w$ на крошечное $h$ и посмотрим, насколько изменится $L$:
#
# $$ \frac{\partial L}{\partial w} \approx \frac{L(w + h) - L(w - h)}{2h}. $$
#
# Это отношение и есть **производная**: на сколько единиц меняется $L$ на единицу изменения $w$
# при малых сдвигах. Производная *частная* ($\partial$), потому что остальные входы мы не трогаем.
# Сдвиг в обе стороны ($\pm h$, *центральная разность*) точнее, чем сдвиг в одну. Сделаем такой
# пробный сдвиг для каждого входа.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Сначала спросите группу: если $w$ чуть увеличить, $L$ вырастет или уменьшится и примерно на сколько? Потом пусть ответит пробный сдвиг. Главная мысль: производная — это измеренная скорость изменения, правила пока не нужны.

# %%
def nudge(f, inputs, h=1e-6):
    """Оценка df/d(вход) центральной разностью для каждого входа (inputs — список чисел)."""
    slopes = []
    for i in range(len(inputs)):
        up, down = list(inputs), list(inputs)
        up[i] += h
        down[i] -= h
        slopes.append((f(*up) - f(*down)) / (2 * h))
    return slopes


nudged = dict(zip("wxby", nudge(loss_fn, [w, x, b, y])))
for name, slope in nudged.items():
    print(f"dL/d{name} ≈ {slope:+.6f}")
print(f"при w + 0.001 функция L меняется с {loss_fn(w, x, b, y)} на {loss_fn(w + 0.001, x, b, y):.6f}")

# %% [markdown]
# Сильнее всего $L$ реагирует на $w$: сдвиг $w$ на 0.001 увеличивает $L$ примерно на 0.006,
# вшестеро больше самого сдвига. Если увеличить $y$, то $L$ *уменьшится* (производная отрицательна).
# Градиентный спуск (блокнот 02) сдвигает каждый параметр против его производной.
#
# **Проверка.** Пробные сдвиги дают те самые числа, что названы выше.

# %%
assert abs(nudged["w"] - 6.0) < 1e-6 and abs(nudged["x"] - 4.5) < 1e-6
assert abs(nudged["b"] - 3.0) < 1e-6 and abs(nudged["y"] + 3.0) < 1e-6
assert abs((loss_fn(w + 0.001, x, b, y) - loss_fn(w, x, b, y)) - 0.006) < 1e-5
assert max(nudged, key=lambda k: abs(nudged[k])) == "w"

# %% [markdown]
# Пробный сдвиг работает для чего угодно, но стоит два вычисления *на каждый вход*. Сети
# с миллионом весов понадобились бы два миллиона прямых проходов ради одного градиента.
# Обратное распространение ошибки получает все производные примерно за цену ещё одного прохода.
# Для этого нужны две идеи: локальные производные и цепное правило.
#
# ## 3. Локальные производные: каждый блок сам по себе
#
# Каждый блок делает одну простую вещь, и мы знаем, как его выход меняется с каждым входом:
#
# | блок | выход | меняется с первым входом в | со вторым в |
# |---|---|---|---|
# | умножение | $u = w \cdot x$ | $\partial u/\partial w = x = 2$ | $\partial u/\partial x = w = 1.5$ |
# | сложение | $z = u + b$ | $1$ | $1$ |
# | вычитание | $d = z - y$ | $1$ | $-1$ |
# | квадрат | $L = d^2$ | $2d = 3$ | |
#
# Это школьные правила $(a\cdot b)' = b$, $(a + b)' = 1$, $(d^2)' = 2d$, только взятые при тех
# значениях, которые прямой проход оставил в блоках. Проверим каждое, сдвигая вход одного блока.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Главная мысль: чтобы знать свою локальную производную, блоку нужны только его собственные входы. Ничего глобального.

# %%
u, z, d = w * x, w * x + b, w * x + b - y
local = {
    "du/dw": (nudge(lambda w_: w_ * x, [w])[0], x),
    "du/dx": (nudge(lambda x_: w * x_, [x])[0], w),
    "dz/du": (nudge(lambda u_: u_ + b, [u])[0], 1.0),
    "dd/dy": (nudge(lambda y_: z - y_, [y])[0], -1.0),
    "dL/dd": (nudge(lambda d_: d_**2, [d])[0], 2 * d),
}
for name, (measured, rule) in local.items():
    print(f"{name}: сдвиг {measured:+.6f}   правило {rule:+.6f}")
    assert abs(measured - rule) < 1e-6, name

# %% [markdown]
# ## 4. Цепное правило: вдоль пути умножаем, по путям складываем
#
# Сдвиг $w$ доходит до $L$ по цепочке $w \to u \to z \to d \to L$. Каждый блок умножает сдвиг
# на свою локальную производную, поэтому влияния **перемножаются**:
#
# $$ \frac{\partial L}{\partial w} = \frac{\partial L}{\partial d}\cdot\frac{\partial d}{\partial z}\cdot
#    \frac{\partial z}{\partial u}\cdot\frac{\partial u}{\partial w} = 3 \cdot 1 \cdot 1 \cdot 2 = 6, $$
#
# ровно столько, сколько намерил пробный сдвиг. Если считать от функции потерь назад, у всех
# произведений общие первые множители: $\partial L/\partial z = 3$ считается один раз и идёт
# в дело для $w$, $x$ и $b$. Такое повторное использование, от выхода назад ко входам, и есть
# **обратное распространение ошибки** (backpropagation).
#
# Если значение используется **дважды**, сдвиг доходит до выхода по двум путям, и влияния
# **складываются**. В $f = a\cdot b + a$ вход $a$ идёт и в произведение (локальная производная $b$),
# и в сумму (локальная производная 1), поэтому $\partial f/\partial a = b + 1$. При $a = 3$, $b = -2$
# это $-1$.

# %% [markdown]
# ![Граф L = (w·x + b − y)² при w = 1.5, x = 2, b = 0.5, y = 2: значения идут вперёд до L = 2.25; пунктирные стрелки несут градиент назад, у каждой подписана локальная производная, на которую она умножает, и получаются ∂L/∂w = 6, ∂L/∂x = 4.5, ∂L/∂b = 3 и ∂L/∂y = −3](../images/backprop_chain_rule.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** До запуска ячейки спросите dL/db (3·1·1 = 3). Затем: зачем в примере с двумя путями нужен «+»?

# %%
from utils.widgets.backprop import add, backward, leaf, mul

dL_dd, dd_dz, dz_du, du_dw = 2 * d, 1.0, 1.0, x
chain = {"w": dL_dd * dd_dz * dz_du * du_dw, "x": dL_dd * dd_dz * dz_du * w, "b": dL_dd * dd_dz * 1.0,
         "y": dL_dd * -1.0}
print("цепное правило:", chain)
print("пробный сдвиг: ", {k: round(v, 6) for k, v in nudged.items()})
for name in "wxby":
    assert abs(chain[name] - nudged[name]) < 1e-6, name

a_node, b_node = leaf(3.0, "a"), leaf(-2.0, "b")
f_node = add(mul(a_node, b_node, "a·b"), a_node, "f = a·b + a")
backward(f_node)
two_paths = nudge(lambda a_, b_: a_ * b_ + a_, [3.0, -2.0])[0]
print(f"df/da: сдвиг {two_paths:+.6f}, сумма по двум путям b + 1 = {b_node.data + 1:+.1f}")
assert abs(two_paths - (-1.0)) < 1e-6 and a_node.grad == -1.0
show_graph(f_node, title="a используется дважды: его градиент — сумма того, что пришло по обеим стрелкам",
           width_px=620, height_px=230)

# %% [markdown]
# ## 5. Крошечный движок autograd
#
# Теперь автоматизируем это так, как делает PyTorch. Объект `Value` хранит число (`data`),
# помнит, из каких значений оно получено (`_children`), и умеет передать им градиент
# (`_backward`). Каждая операция делает две вещи: прямое вычисление и маленькую функцию, которая
# применяет цепное правило к своим локальным производным:
#
# $$ \text{child.grad} \mathrel{+}= \frac{\partial\,\text{out}}{\partial\,\text{child}} \cdot \text{out.grad}. $$
#
# `backward()` упорядочивает граф так, чтобы каждое значение шло после всех, из которых оно
# вычислено (**топологический порядок**), ставит $\partial L/\partial L = 1$ и вызывает каждую
# `_backward` от функции потерь назад ко входам. К тому моменту, когда значение передаёт свой
# градиент дальше, все значения, которые его использовали, уже прислали свою долю.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Прочитайте вслух методы `__mul__` и `backward`; остальное устроено так же. Спросите, зачем нужна сортировка.

# %%
import math


class Value:
    """Число, которое помнит, как его вычислили, и поэтому может отправить градиенты назад."""

    def __init__(self, data, children=(), op="", label=""):
        self.data = float(data)
        self.grad = 0.0                    # dL/d(это значение), заполняет backward()
        self._children = tuple(children)   # значения, из которых вычислено это
        self._op = op
        self.label = label
        self._backward = lambda: None      # передаёт self.grad дальше, детям

    def __repr__(self):
        return f"Value({self.label + ' = ' if self.label else ''}{self.data:.4g}, grad={self.grad:.4g})"

    # Каждая операция: прямое значение и способ отправить градиент назад (цепное правило).
    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad          # локальная производная 1; += потому, что значение может использоваться дважды
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "×")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, exponent):
        assert isinstance(exponent, (int, float)), "степень может быть только постоянной"
        out = Value(self.data**exponent, (self,), f"**{exponent}")

        def _backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad   # (e^a)' = e^a
        out._backward = _backward
        return out

    def log(self):
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data  # (ln a)' = 1/a
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t * t) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(max(self.data, 0.0), (self,), "relu")

        def _backward():
            self.grad += (self.data > 0) * out.grad
        out._backward = _backward
        return out

    # Всё остальное собрано из операций выше.
    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return self**-1 * other

    def backward(self):
        """Заполняет .grad всех значений, от которых зависит это (градиенты копятся, как в PyTorch)."""
        order, seen = [], set()

        def visit(value):                  # обход в глубину: значение попадает в список после своих детей
            if value not in seen:
                seen.add(value)
                for child in value._children:
                    visit(child)
                order.append(value)
        visit(self)
        self.grad = 1.0                    # dL/dL
        for value in reversed(order):
            value._backward()

# %% [markdown]
# Весь движок — в ячейке выше. Соберём $L = (wx + b - y)^2$ из объектов `Value`, вызовем
# `backward()` и нарисуем граф самого движка той же функцией, что в разделе 1. Теперь в каждом
# блоке виден и градиент, а стрелки толще там, где течёт больше градиента.

# %%
w_v, x_v, b_v, y_v = Value(w, label="w"), Value(x, label="x"), Value(b, label="b"), Value(y, label="y")
L_v = (w_v * x_v + b_v - y_v) ** 2
L_v.label = "L"
L_v.backward()
print(w_v, x_v, b_v, y_v, L_v, sep="\n")
show_graph(L_v, title="Граф движка после L.backward(): значение и градиент в каждом блоке")

# %% [markdown]
# (Движок записывает $b - y$ как $b + (-1)\cdot y$, поэтому в его графе на несколько блоков
# больше, чем на нашем рисунке из раздела 1; градиенты $w, x, b, y$ те же.)
#
# **Проверка.** Градиенты движка равны числам из раздела 4, полученным по цепному правилу:
# 6, 4.5, 3 и −3.

# %%
assert L_v.data == 2.25
assert (w_v.grad, x_v.grad, b_v.grad, y_v.grad) == (6.0, 4.5, 3.0, -3.0)

# %% [markdown]
# ### Классическая ошибка: `=` вместо `+=`
#
# Каждая `_backward` *прибавляет* к `child.grad`. Так и хочется написать `self.grad = out.grad`.
# Это верно, пока каждое значение используется один раз, и незаметно неверно в остальных случаях:
# второй путь **затирает** первый, а не прибавляется к нему (сумма по путям из раздела 4).
# Вот `add` с такой ошибкой на примере $f = a + a$, производная которого, очевидно, равна 2.

# %%
class ForgetfulValue(Value):
    """Value с ошибкой в сложении: `=` там, где нужно `+=`."""

    def __add__(self, other):
        other = other if isinstance(other, Value) else ForgetfulValue(other)
        out = ForgetfulValue(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad = out.grad           # ОШИБКА: затирает то, что прислал другой путь
            other.grad = out.grad
        out._backward = _backward
        return out


for cls in (ForgetfulValue, Value):
    a_v = cls(3.0)
    f_v = a_v + a_v
    f_v.backward()
    print(f"{cls.__name__:>14}: f = a + a, df/da = {a_v.grad}")

# %% [markdown]
# **Проверка.** Версия с ошибкой даёт 1, правильная — 2. В сети каждый вес используется по разу
# на каждый обучающий пример, так что из-за этой ошибки остался бы только градиент последнего примера.

# %%
a_bad, a_good = ForgetfulValue(3.0), Value(3.0)
(a_bad + a_bad).backward()
(a_good + a_good).backward()
assert a_bad.grad == 1.0 and a_good.grad == 2.0 == nudge(lambda a_: a_ + a_, [3.0])[0].__round__(6)

# %% [markdown]
# ## 6. Сверяйте, а не верьте
#
# Движок autograd легко написать почти правильно. Поэтому мы проверяем его двумя независимыми
# способами на одних и тех же выражениях: **пробным сдвигом** (конечными разностями) и
# **autograd из PyTorch**, оба в двойной точности (`float64`), с точностью до $10^{-6}$.
# Сначала выражение, похожее на нейрон и использующее все операции, потом набор **случайных**
# выражений: они находят ошибки, которые пропускают подобранные вручную примеры.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Привычка, которую нужно закрепить: не доверяйте градиенту, который вы не сверили с чем-то независимым.

# %%
import numpy as np
import torch

from utils import assert_close


def everything(p, q, r, lib):
    """Использует + − × / ** exp log tanh relu; `lib` говорит, как вызывать именованные функции."""
    s = lib.tanh(p * q + r) + (p - r) ** 2 / (q * q + 1)
    return lib.log(lib.exp(s) + 1) * lib.relu(q + 2) - p / 3


class EngineOps:
    tanh, exp, log, relu = Value.tanh, Value.exp, Value.log, Value.relu


class TorchOps:
    tanh, exp, log, relu = torch.tanh, torch.exp, torch.log, torch.relu


def engine_gradients(f, inputs):
    values = [Value(v) for v in inputs]
    out = f(*values, EngineOps)
    out.backward()
    return out.data, [v.grad for v in values]


def torch_gradients(f, inputs):
    tensors = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in inputs]
    out = f(*tensors, TorchOps)
    out.backward()
    return out.item(), [0.0 if t.grad is None else t.grad.item() for t in tensors]  # None: вход не использован


point = [0.7, -0.4, 1.3]
value, grads = engine_gradients(everything, point)
torch_value, torch_grads = torch_gradients(everything, point)
nudged_grads = nudge(lambda *args: everything(*map(Value, args), EngineOps).data, point)
print(f"значение: движок {value:.10f}  torch {torch_value:.10f}")
assert_close("движок и torch", grads, torch_grads, atol=1e-6, rtol=0)
assert_close("движок и пробный сдвиг", grads, nudged_grads, atol=1e-6, rtol=0);

# %% [markdown]
# Теперь случайные выражения. Каждое — случайный рецепт из 12 операций над 3 входами (операция
# может взять любой более ранний результат, поэтому значения используются дважды и пути
# ветвятся). `exp` и `log` применяются к безопасным аргументам ($e^{\tanh a}$, $\ln(a^2 + 1)$),
# чтобы ни одно значение не переполнилось.

# %%
OPERATIONS = ("add", "sub", "mul", "square", "cube", "exp", "log", "tanh", "relu")


def random_recipe(rng, n_inputs=3, steps=12):
    return [(rng.choice(OPERATIONS), int(rng.integers(n_inputs + i)), int(rng.integers(n_inputs + i)))
            for i in range(steps)]


def apply(op, a, b, lib):
    if op in ("add", "sub", "mul"):
        return a + b if op == "add" else a - b if op == "sub" else a * b
    if op in ("square", "cube"):
        return a**2 if op == "square" else a**3
    if op == "exp":
        return lib.exp(lib.tanh(a))
    if op == "log":
        return lib.log(a * a + 1)
    return lib.tanh(a) if op == "tanh" else lib.relu(a)


def run_recipe(recipe, inputs, lib):
    values = list(inputs)
    for op, i, j in recipe:
        values.append(apply(op, values[i], values[j], lib))
    return sum(values[len(inputs):], values[0] * 0)  # в сумму входит каждый промежуточный результат, так что проверяются все


def as_function(recipe):
    """f(*inputs, lib) для engine_gradients / torch_gradients."""
    return lambda *args: run_recipe(recipe, args[:-1], args[-1])


rng = np.random.default_rng(0)
worst_torch = worst_nudge = 0.0
n_expressions = utils.fast(200, 40)
for _ in range(n_expressions):
    recipe = random_recipe(rng)
    inputs = rng.uniform(-1.5, 1.5, size=3).tolist()
    f = as_function(recipe)
    _, grads = engine_gradients(f, inputs)
    _, torch_grads = torch_gradients(f, inputs)
    nudged_grads = nudge(lambda *args, f=f: f(*map(Value, args), EngineOps).data, inputs)
    scale = max(1.0, max(abs(g) for g in torch_grads))
    worst_torch = max(worst_torch, max(abs(g - t) for g, t in zip(grads, torch_grads)) / scale)
    worst_nudge = max(worst_nudge, max(abs(g - n) for g, n in zip(grads, nudged_grads)) / scale)
print(f"{n_expressions} случайных выражений: наибольшее расхождение с torch {worst_torch:.1e}, "
      f"с пробным сдвигом {worst_nudge:.1e} (относительно наибольшего градиента)")

# %% [markdown]
# **Проверка.** Каждый градиент каждого случайного выражения совпадает с обоими эталонами
# с точностью до $10^{-6}$.

# %%
assert worst_torch < 1e-6 and worst_nudge < 1e-6

# %% [markdown]
# ## 7. Попробуйте: обратное распространение блок за блоком
#
# Виджет показывает граф одного нейрона с квадратичной функцией потерь,
# $L = (\tanh(w_1 x_1 + w_2 x_2 + b) - y)^2$.
#
# 1. Подвиньте ползунок: значения прямого прохода меняются сразу, а градиенты превращаются в «?»,
#    потому что относятся к старым значениям.
# 2. Нажимайте **след. блок ▸**: градиенты появляются по одному блоку, от $L$ назад ко входам,
#    в обратном топологическом порядке. Строка под картинкой показывает арифметику: локальная
#    производная × градиент блока, который использовал это значение. **обратный проход** заполняет всё сразу.
# 3. Нажмите **сделать шаг** несколько раз: $w_1, w_2, b$ сдвигаются против своих градиентов
#    ($w \leftarrow w - \eta\,\partial L/\partial w$), и кривая функции потерь справа идёт вниз.
#    Попробуйте скорость обучения около 1.
#
# Посмотрите, какие стрелки толстые. Когда $\tanh$ насыщается ($|z|$ велико), её локальная
# производная $1 - a^2$ крошечная, и градиент почти не проходит. Мы вернёмся к этому в разделе 10.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Покажите вживую: поставьте w1 = 3, чтобы tanh насытился, нажмите backward и покажите тонкие стрелки слева от tanh.

# %%
from utils.widgets import BackpropView

view = BackpropView()
view

# %% [markdown]
# **Проверка.** Градиенты в виджете — те же, что считает наш движок для того же нейрона.

# %%
s = view.state
x1_v, x2_v, w1_v, w2_v, bias_v = (Value(v) for v in (s.x1, s.x2, s.w1, s.w2, s.b))
neuron_loss = ((w1_v * x1_v + w2_v * x2_v + bias_v).tanh() - s.y) ** 2
neuron_loss.backward()
view.backward_button.click()
shown = view.gradients()
assert_close("виджет и движок", [shown[k] for k in ("w1", "w2", "b", "x1", "x2")],
             [v.grad for v in (w1_v, w2_v, bias_v, x1_v, x2_v)], atol=1e-12, rtol=0);

# %% [markdown]
# ## 8. Нейрон, слой, сеть
#
# Нейрон — это взвешенная сумма и функция активации (блокнот 01); слой — несколько нейронов,
# которые читают одни и те же входы; **многослойный перцептрон** (MLP) — слои, которые передают
# выход друг другу. Если собрать его из `Value`, каждый вес получит свой градиент от одного
# вызова `loss.backward()`.
#
# Для двух классов пусть сеть выдаёт оценку $s$, а функцией потерь будет **логистическая**
# $\ln(1 + e^{-t s})$ с $t = \pm 1$: она мала, когда оценка нужного знака и велика по модулю,
# и велика, когда знак неверный. (Это бинарная кросс-энтропия для $\sigma(s)$; мы снова встретим
# её в блокноте 04.) Сеть предсказывает класс 1, когда $s > 0$.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Обратите внимание: в Neuron/Layer/MLP нет ни строчки кода для градиентов, всё делает движок.

# %%
import random


class Neuron:
    def __init__(self, n_inputs, activation="tanh"):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(n_inputs)]
        self.b = Value(0.0)
        self.activation = activation

    def __call__(self, x):
        z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return z.tanh() if self.activation == "tanh" else z

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, n_inputs, n_outputs, activation="tanh"):
        self.neurons = [Neuron(n_inputs, activation) for _ in range(n_outputs)]

    def __call__(self, x):
        return [neuron(x) for neuron in self.neurons]

    def parameters(self):
        return [p for neuron in self.neurons for p in neuron.parameters()]


class MLP:
    """Слои tanh-нейронов и один линейный выходной нейрон: MLP(2, [8, 8, 1])."""

    def __init__(self, n_inputs, sizes):
        dims = [n_inputs] + sizes
        self.layers = [Layer(dims[i], dims[i + 1], "tanh" if i < len(sizes) - 1 else "linear")
                       for i in range(len(sizes))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x[0]

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0


def logistic_loss(scores, labels):
    """Среднее ln(1 + e^(-t·s)), где t = +1 для класса 1 и -1 для класса 0."""
    terms = [(1 + (-(2 * label - 1) * score).exp()).log() for score, label in zip(scores, labels)]
    return sum(terms) * (1 / len(terms))


def train(model, X, labels, steps, learning_rate, momentum=0.0, on_step=None):
    """Градиентный спуск по всей выборке с нашим движком; возвращает функцию потерь на каждом шаге.

    С импульсом каждый шаг сохраняет ещё и эту долю предыдущего шага: одно и то же направление
    от шага к шагу накапливается, и плоские участки функции потерь проходятся быстрее."""
    losses, velocity = [], [0.0] * len(model.parameters())
    for step in range(steps):
        loss = logistic_loss([model(x) for x in X.tolist()], labels.tolist())
        model.zero_grad()
        loss.backward()
        for i, p in enumerate(model.parameters()):
            velocity[i] = momentum * velocity[i] + p.grad
            p.data -= learning_rate * velocity[i]
        losses.append(loss.data)
        if on_step:
            on_step(step, model)
    return losses


def accuracy(model, X, labels):
    predictions = np.array([model(x).data > 0 for x in X.tolist()])
    return float((predictions == labels.astype(bool)).mean())

# %% [markdown]
# Сначала задача, которую не решит ни один перцептрон: XOR из блокнота 01. Сеть: 2 входа →
# 4 tanh-нейрона → 1 выход, $4 \cdot 3 + 1 \cdot 5 = 17$ параметров.

# %%
random.seed(0)
X_xor = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
t_xor = np.array([0, 1, 1, 0])
xor_net = MLP(2, [4, 1])
xor_losses = train(xor_net, X_xor, t_xor, steps=utils.fast(300, 300), learning_rate=0.5)
xor_accuracy = accuracy(xor_net, X_xor, t_xor)
print(f"{len(xor_net.parameters())} параметров; функция потерь {xor_losses[0]:.3f} → {xor_losses[-1]:.4f}; "
      f"оценки {[round(xor_net(x).data, 2) for x in X_xor.tolist()]}; точность {xor_accuracy:.0%}")

# %% [markdown]
# **Проверка.** Все четыре точки XOR классифицированы верно, а функция потерь упала больше чем на 90 %.

# %%
assert len(xor_net.parameters()) == 17
assert xor_accuracy == 1.0
utils.assert_decreased("функция потерь на XOR (движок)", xor_losses, by=0.9)

# %% [markdown]
# Теперь двумерная задача с изогнутой границей: **две луны** — два вложенных друг в друга
# полукруга с шумом, их мы генерируем прямо здесь. Сеть 2 → 8 → 8 → 1 ($2 \cdot 8 + 8 + 8 \cdot 8 + 8 + 8 + 1 = 105$ параметров) обучается
# нашим движком, на этот раз с **импульсом** (momentum) 0.9: каждый шаг сохраняет 90 % предыдущего,
# поэтому устойчивые направления ускоряются. Каждые несколько шагов мы запоминаем веса, чтобы
# нарисовать, как меняется граница решения по ходу обучения.

# %%
def make_moons(n, noise, rng):
    """n точек (n, 2) на двух вложенных полукругах и их метки 0/1 (n,)."""
    labels = np.arange(n) % 2
    angle = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    lower = np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
    points = np.where(labels[:, None] == 0, upper, lower) + rng.normal(0, noise, (n, 2))
    return (points - [0.5, 0.25]) / [1.0, 0.5], labels  # по центру, масштаб порядка 1


random.seed(1)
X_moons, t_moons = make_moons(utils.fast(100, 50), noise=0.1, rng=np.random.default_rng(1))
X_test, t_test = make_moons(400, noise=0.1, rng=np.random.default_rng(2))
moons_net = MLP(2, [8, 8, 1])
moon_steps = utils.fast(80, 50)
snapshot_steps = sorted({0, moon_steps // 10, moon_steps // 3, moon_steps - 1})
snapshots = {}


def record(step, model):
    if step in snapshot_steps:
        snapshots[step] = [[[w.data for w in n.w] + [n.b.data] for n in layer.neurons] for layer in model.layers]


moon_losses = train(moons_net, X_moons, t_moons, steps=moon_steps, learning_rate=0.5, momentum=0.9, on_step=record)
train_accuracy = accuracy(moons_net, X_moons, t_moons)
test_accuracy = accuracy(moons_net, X_test, t_test)
print(f"{len(moons_net.parameters())} параметров, {moon_steps} шагов: функция потерь {moon_losses[0]:.3f} → "
      f"{moon_losses[-1]:.3f}; точность {train_accuracy:.0%} на обучающих точках, "
      f"{test_accuracy:.1%} на 400 новых точках")

# %% [markdown]
# Чтобы нарисовать границу, нужна оценка сети в тысячах точек сетки. Скалярный движок считал бы
# их долго, поэтому `scores_on` вычисляет ту же функцию массивами NumPy по запомненным весам
# (почему так намного быстрее, объясняет раздел 9); проверка ниже следит, чтобы оба способа
# давали одни и те же оценки.

# %%
import matplotlib.pyplot as plt


def scores_on(points, weights):
    """Оценки MLP в точках (n, 2) по весам [слой][нейрон] = [w..., b], на NumPy."""
    h = points
    for i, layer in enumerate(weights):
        W = np.array([neuron[:-1] for neuron in layer]).T      # (входы, выходы)
        bias = np.array([neuron[-1] for neuron in layer])
        h = h @ W + bias
        if i < len(weights) - 1:
            h = np.tanh(h)
    return h[:, 0]


grid = np.linspace(-2.6, 2.6, 120)
gx, gy = np.meshgrid(grid, grid)
fig, axes = plt.subplots(1, len(snapshot_steps), figsize=(3.0 * len(snapshot_steps), 3.2), sharey=True)
for ax, step in zip(axes, snapshot_steps):
    score = scores_on(np.stack([gx.ravel(), gy.ravel()], axis=1), snapshots[step]).reshape(gx.shape)
    ax.contourf(gx, gy, score > 0, levels=[-0.5, 0.5, 1.5], colors=["#d6e6f4", "#fde5c8"])
    ax.contour(gx, gy, score, levels=[0], colors="black", linewidths=1.2)
    for label, marker, colour in ((0, "o", "#0072b2"), (1, "^", "#d55e00")):
        pts = X_moons[t_moons == label]
        ax.scatter(pts[:, 0], pts[:, 1], marker=marker, c=colour, s=18, edgecolors="white", linewidths=0.4,
                   label=f"класс {label}")
    step_acc = np.mean((scores_on(X_moons, snapshots[step]) > 0) == t_moons)
    ax.set(title=f"после шага {step + 1}: верно {step_acc:.0%}", xlabel="$x_1$", aspect="equal")
axes[0].set_ylabel("$x_2$")
axes[0].legend(loc="lower left", fontsize=8)
fig.suptitle("Две луны: граница решения (чёрная линия), пока учится наш движок", y=1.02)
plt.show()

# %% [markdown]
# Сначала граница — почти прямой разрез, а по ходу обучения она изгибается вокруг лун.
#
# **Проверка.** Верно классифицированы не меньше 95 % обучающих точек и 400 новых (точные числа
# печатает запуск выше), функция потерь упала, а оценки на NumPy совпадают с оценками движка.

# %%
assert train_accuracy >= 0.95 and test_accuracy >= 0.95
utils.assert_decreased("функция потерь на лунах (движок)", moon_losses, by=0.5)
engine_scores = [moons_net(x).data for x in X_moons.tolist()]
final_weights = [[[w.data for w in n.w] + [n.b.data] for n in layer.neurons] for layer in moons_net.layers]
assert_close("оценки NumPy и движка", scores_on(X_moons, final_weights), engine_scores, atol=1e-9, rtol=0);

# %% [markdown]
# ## 9. Тот же обратный проход на матрицах
#
# Наш движок создаёт по объекту Python на каждое умножение: сеть для лун строит их десятки
# тысяч за шаг. Фреймворки же считают целый слой одной операцией над **тензорами**. Возьмём
# линейный слой $Y = XW + b$ на батче ($X$: батч × входы, $W$: входы × выходы) и градиент
# $\delta = \partial L/\partial Y$, пришедший сверху (батч × выходы). Цепное правило из раздела 4,
# записанное сразу для всех элементов, даёт
#
# $$ \frac{\partial L}{\partial W} = X^\top \delta, \qquad
#    \frac{\partial L}{\partial b} = \textstyle\sum_{\text{batch}} \delta, \qquad
#    \frac{\partial L}{\partial X} = \delta\, W^\top . $$
#
# ($X^\top\delta$ суммирует по батчу произведения «вход × градиент»: это правило «по путям
# складываем», ведь $W$ используется один раз на каждый пример.) Через $h = \tanh(a)$ градиент
# умножается поэлементно на $1 - h^2$. Запишем так обратный проход сети для лун и сверим его
# с autograd из PyTorch и с нашим движком.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите, почему dL/db суммируется по батчу (b используется по разу на каждый пример: пути складываются). Лучшая проверка — размерности.

# %%
def linear_backward(X, W, delta):
    """Градиенты линейного слоя Y = X W + b: X (батч, входы), W (входы, выходы), delta = dL/dY (батч, выходы)."""
    return X.T @ delta, delta.sum(dim=0), delta @ W.T           # dL/dW, dL/db, dL/dX


def to_tensors(weights):
    """[слой][нейрон] = [w..., b] -> список пар (W (входы, выходы), b (выходы,)), тензоры float64."""
    return [(torch.tensor([n[:-1] for n in layer], dtype=torch.float64).T.contiguous(),
             torch.tensor([n[-1] for n in layer], dtype=torch.float64)) for layer in weights]


def forward_and_backward_by_hand(params, X, t):
    """Логистическая функция потерь MLP и её градиенты, слой за слоем, без autograd."""
    activations, h = [X], X
    for i, (W, b) in enumerate(params):
        h = h @ W + b
        if i < len(params) - 1:
            h = torch.tanh(h)
        activations.append(h)
    score, sign = h[:, 0], 2 * t - 1
    loss = torch.log1p(torch.exp(-sign * score)).mean()
    delta = (-sign * torch.sigmoid(-sign * score) / len(t))[:, None]     # dL/dscore, (батч, 1)
    grads = []
    for i in reversed(range(len(params))):
        if i < len(params) - 1:
            delta = delta * (1 - activations[i + 1] ** 2)                  # через tanh
        dW, db, delta = linear_backward(activations[i], params[i][0], delta)
        grads.insert(0, (dW, db))
    return loss, grads


X_t, t_t = torch.tensor(X_moons), torch.tensor(t_moons, dtype=torch.float64)
params = to_tensors(snapshots[snapshot_steps[1]])
hand_loss, hand_grads = forward_and_backward_by_hand(params, X_t, t_t)

# то же с autograd
leaves = [(W.clone().requires_grad_(), b.clone().requires_grad_()) for W, b in params]
h = X_t
for i, (W, b) in enumerate(leaves):
    h = h @ W + b
    h = torch.tanh(h) if i < len(leaves) - 1 else h
torch_loss = torch.nn.functional.softplus(-(2 * t_t - 1) * h[:, 0]).mean()
torch_loss.backward()

# и нашим движком, с теми же весами
engine_net = MLP(2, [8, 8, 1])
for layer, layer_weights in zip(engine_net.layers, snapshots[snapshot_steps[1]]):
    for neuron, numbers in zip(layer.neurons, layer_weights):
        for p, v in zip(neuron.parameters(), numbers):
            p.data = v
engine_loss = logistic_loss([engine_net(x) for x in X_moons.tolist()], t_moons.tolist())
engine_loss.backward()
engine_dW1 = torch.tensor([[w.grad for w in n.w] for n in engine_net.layers[0].neurons], dtype=torch.float64).T

assert_close("функция потерь: вручную и torch", hand_loss, torch_loss, atol=1e-12, rtol=0)
for i, ((dW, db), (W, b)) in enumerate(zip(hand_grads, leaves)):
    assert_close(f"слой {i + 1}, dL/dW: вручную и torch", dW, W.grad, atol=1e-10, rtol=0)
    assert_close(f"слой {i + 1}, dL/db: вручную и torch", db, b.grad, atol=1e-10, rtol=0)
assert_close("слой 1, dL/dW: движок и вручную", engine_dW1, hand_grads[0][0], atol=1e-10, rtol=0);

# %% [markdown]
# Три способа, одни и те же числа. Теперь скорость: один шаг обучения (прямой и обратный проход)
# той же сети 2 → 8 → 8 → 1 на тех же точках, скалярным движком и тензорами PyTorch, оба на одном
# потоке процессора.

# %%
import time


def median_seconds(action, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def engine_step():
    loss = logistic_loss([engine_net(x) for x in X_moons.tolist()], t_moons.tolist())
    engine_net.zero_grad()
    loss.backward()


def tensor_step():
    for W, b in leaves:
        W.grad = b.grad = None
    h = X_t
    for i, (W, b) in enumerate(leaves):
        h = h @ W + b
        h = torch.tanh(h) if i < len(leaves) - 1 else h
    torch.nn.functional.softplus(-(2 * t_t - 1) * h[:, 0]).mean().backward()


threads = torch.get_num_threads()
torch.set_num_threads(1)  # по одному потоку: движок — однопоточный Python, поэтому сравниваем равное с равным
engine_seconds = median_seconds(engine_step, utils.fast(5, 3))
tensor_seconds = median_seconds(tensor_step, utils.fast(50, 20))
torch.set_num_threads(threads)
speedup = engine_seconds / tensor_seconds
print(f"один шаг на {len(X_moons)} точках: движок {engine_seconds * 1000:.1f} мс, "
      f"тензоры {tensor_seconds * 1000:.2f} мс: тензоры быстрее в {speedup:.0f} раз")

# %% [markdown]
# Точное отношение зависит от машины и её загрузки (строка выше печатает его для этого запуска),
# но тензорная версия быстрее на порядки: один вызов скомпилированного кода на слой вместо
# одного объекта Python на каждое умножение. Именно поэтому, а не из-за другой математики,
# все фреймворки работают с тензорами. Начиная с блокнота 04 мы пользуемся autograd из PyTorch:
# он делает ровно то же, что наш движок, только на тензорах.
#
# **Проверка.** Шаг на тензорах быстрее (проверяем только это: время от запуска к запуску меняется).

# %%
assert tensor_seconds < engine_seconds

# %% [markdown]
# ## 10. Почему глубину трудно обучать
#
# Обратное распространение перемножает локальные производные вдоль пути. В глубокой сети путь
# проходит через каждый слой, поэтому градиент, дошедший до первого слоя, — произведение многих
# множителей. Если они в основном меньше 1, градиент **затухает**; если больше 1 — **взрывается**.
#
# Наклон сигмоиды $\sigma(z) = 1/(1+e^{-z})$ не больше $\sigma'(0) = 1/4$: каждый сигмоидный слой
# уменьшает градиент. Построим три сети по 10 слоёв (64 нейрона в слое) и после одного обратного
# прохода измерим величину (норму) $\partial L/\partial W$ в каждом слое:
#
# - сигмоида с инициализацией Glorot (дисперсия весов $2/(n_\text{in}+n_\text{out})$,
#   [Glorot & Bengio, 2010](https://proceedings.mlr.press/v9/glorot10a.html));
# - tanh с той же инициализацией (наклон 1 в нуле);
# - ReLU с инициализацией He (дисперсия $2/n_\text{in}$,
#   [He et al., 2015](https://arxiv.org/abs/1502.01852)), которая сохраняет величину сигнала
#   при прохождении через ReLU.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: «Произведение десяти чисел около 1/4 — насколько оно мало?» (около 1e-6). Потом покажите график.

# %%
def deep_net(activation, depth=10, width=64):
    utils.seed_everything(0)
    layers = []
    for _ in range(depth):
        linear = torch.nn.Linear(width, width)
        if activation == "relu":
            torch.nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        else:
            torch.nn.init.xavier_normal_(linear.weight)
        torch.nn.init.zeros_(linear.bias)
        layers += [linear, {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[activation]()]
    return torch.nn.Sequential(*layers, torch.nn.Linear(width, 1))


def gradient_norms_and_activations(activation, batch=256):
    net = deep_net(activation)
    inputs = torch.randn(batch, 64, generator=torch.Generator().manual_seed(1))
    targets = torch.randn(batch, 1, generator=torch.Generator().manual_seed(2))
    activations = []
    hooks = [m.register_forward_hook(lambda _m, _i, out: activations.append(out.detach()))
             for m in net if not isinstance(m, torch.nn.Linear)]
    loss = torch.nn.functional.mse_loss(net(inputs), targets)
    loss.backward()
    for hook in hooks:
        hook.remove()
    norms = [m.weight.grad.norm().item() for m in net if isinstance(m, torch.nn.Linear)][:-1]
    return np.array(norms), activations


results = {name: gradient_norms_and_activations(name) for name in ("sigmoid", "tanh", "relu")}
styles = {"sigmoid": ("#d55e00", "o"), "tanh": ("#0072b2", "s"), "relu": ("#009e73", "^")}
fig, ax = plt.subplots(figsize=(6.4, 3.6))
for name, (norms, _) in results.items():
    colour, marker = styles[name]
    ax.semilogy(range(1, 11), norms, marker=marker, color=colour, label=name)
ax.set(xlabel="слой (1 — ближайший ко входу)", ylabel="‖∂L/∂W‖ (логарифмическая шкала)", xticks=range(1, 11),
       title="Величина градиента по слоям после одного обратного прохода, сети из 10 слоёв")
ax.grid(alpha=0.3, which="both")
ax.legend()
plt.show()
for name, (norms, _) in results.items():
    print(f"{name:>8}: градиент слоя 1 составляет {norms[0] / norms[-1]:.1e} от градиента слоя 10")

# %% [markdown]
# В сигмоидной сети первый слой получает градиент в миллион с лишним раз меньше, чем последний:
# градиентный спуск его почти не сдвигает. Tanh и ReLU с подходящей инициализацией держат
# градиент в пределах примерно десятикратной разницы по всем десяти слоям.
#
# Активации говорят о том же. Ниже — гистограммы выходов каждого слоя на 256 случайных входах.
# Сигмоидные слои держатся около 0.5, где наклон не больше 1/4, а начиная с 5-го слоя
# гистограмма распадается на пики: каждый нейрон выдаёт почти одно и то же, каким бы ни был вход,
# так что сведения о входе угасают вместе с градиентом. У tanh значения остаются разбросанными
# вокруг 0; ReLU выключает примерно половину нейронов (столбик в нуле) и сохраняет разброс
# положительных значений.

# %%
fig, axes = plt.subplots(3, 5, figsize=(11, 5.4), sharey="row")
for row, (name, (_, activations)) in zip(axes, results.items()):
    colour, _ = styles[name]
    for ax, layer in zip(row, (0, 2, 4, 7, 9)):
        values = activations[layer].flatten().numpy()
        ax.hist(values, bins=40, color=colour, alpha=0.85)
        ax.set_title(f"{name}, слой {layer + 1}", fontsize=9)
        ax.tick_params(labelsize=7)
    row[0].set_ylabel("количество")
for ax in axes[-1]:
    ax.set_xlabel("значение активации")
fig.suptitle("Активации по слоям (256 случайных входов)", y=1.0)
fig.tight_layout()
plt.show()

# %% [markdown]
# **Проверка.** Сигмоида: градиент слоя 1 в миллион с лишним раз меньше, чем у слоя 10.
# Tanh и ReLU: по всем слоям разница не больше чем в 10 раз.

# %%
sigmoid_ratio = results["sigmoid"][0][0] / results["sigmoid"][0][-1]
assert sigmoid_ratio < 1e-6
for name in ("tanh", "relu"):
    norms = results[name][0]
    assert norms.max() / norms.min() < 10, name
assert abs(float(torch.sigmoid(torch.tensor(0.0))) * (1 - float(torch.sigmoid(torch.tensor(0.0)))) - 0.25) < 1e-12

# %% [markdown]
# Хорошая инициализация — одно из лекарств. В блокноте 05 та же беда встретится *во времени*,
# а не в глубину: рекуррентная сеть на каждом шаге умножает на одну и ту же матрицу, и на длинных
# последовательностях её градиенты затухают или взрываются. Остаточные связи и нормализация
# (GPT в блокноте 08) — другие лекарства; благодаря им у современных сетей бывает сотня слоёв.
#
# ## Итоги
#
# - Любое вычисление — это **граф** из маленьких операций; прямой проход заполняет его значениями.
# - Производная — это «насколько сдвигается выход на единицу сдвига входа»; **пробный сдвиг**
#   (конечные разности) измеряет её ценой двух вычислений на каждый вход.
# - **Цепное правило**: вдоль пути локальные производные перемножаются, по разным путям складываются.
#   **Обратное распространение ошибки** применяет его от функции потерь назад, повторно использует
#   каждое частичное произведение и получает все градиенты примерно за цену ещё одного прохода.
# - Наш движок `Value` (около 90 строк) совпадает с пробным сдвигом и с PyTorch до $10^{-6}$
#   и обучает MLP на XOR и двух лунах. Градиенты должны **накапливаться** (`+=`).
# - На тензорах тот же обратный проход — несколько матричных произведений ($X^\top\delta$, $\delta W^\top$),
#   и он быстрее на порядки.
# - В глубоких сетях произведение многих наклонов может **затухнуть** (сигмоида), если функции
#   активации и инициализацию не подобрать так, чтобы оно оставалось около 1.
#
# **Дальше:** в блокноте 04 сети станут глубже и шире, уже на PyTorch: игрок в крестики-нолики,
# распознаватель цифр и генератор новых цифр.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Попросите одного студента вслух пройти цепное правило для $\partial L/\partial b$ на $L=(wx+b-y)^2$, а другого — объяснить, почему `+=`, а не `=`.

# %% [markdown]
# ## Упражнения
#
# ★ — проверка понимания, ★★ — нужно изменить код, ★★★ — небольшое исследование. Замените каждое `...`,
# запустите ячейку, затем запустите проверку под ней: она ответит ✓ и объяснит почему или даст подсказку
# (сообщения проверок пока на английском). Образцы решений — в
# [solutions/03_backpropagation.py](../solutions/03_backpropagation.py); сначала попробуйте сами.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Упражнение 1 (один градиент вручную) хорошо идёт у доски в парах; 2–4 оставьте на дом.

# %%
from utils.exercises import check

# %% [markdown]
# **1. Один градиент вручную ★.** Для нейрона из виджета $L = (\tanh(w_1 x_1 + w_2 x_2 + b) - y)^2$ при
# $x_1 = 1$, $x_2 = -0.5$, $w_1 = 0.8$, $w_2 = -1.2$, $b = 0.3$, $y = -0.5$ запишите $\partial L/\partial w_1$
# по цепному правилу как произведение локальных производных и посчитайте его обычной арифметикой (`math.tanh`).

# %%
dL_dw1 = ...  # число

# %%
check("03.1", dL_dw1);

# %% [markdown]
# **2. Добавьте `sigmoid` в движок ★★.** Допишите `sigmoid(v)`: она возвращает новый `Value` со значением
# $\sigma(v) = 1/(1 + e^{-v})$ и `_backward`, которая передаёт градиент назад к `v`. Проверка сравнивает
# её с точной производной в нескольких точках и использует `v` дважды.

# %%
def sigmoid(v):
    ...  # ваш код: постройте `out`, задайте ему _backward, верните его

# %%
check("03.2", sigmoid, Value=Value);

# %% [markdown]
# **3. Найдите ошибку ★★.** `mystery_mul` перемножает два значения, но одна строка её обратного прохода неверна.
# С помощью проверки градиента (`nudge`) найдите, какой градиент неверен, и напишите `fixed_mul`.

# %%
def mystery_mul(a, b):
    out = Value(a.data * b.data, (a, b), "×")

    def _backward():
        a.grad += b.data * out.grad
        b.grad += b.data * out.grad
    out._backward = _backward
    return out

# %%
def fixed_mul(a, b):
    ...  # ваш код

# %%
check("03.3", fixed_mul, Value=Value);

# %% [markdown]
# **4. Насколько малым должен быть пробный сдвиг? ★★★** `nudge` сдвигает вход на шаг $h = 10^{-6}$. Для $f(x) = x^3$
# в точке $x = 1$ (точный наклон: 3) измерьте ошибку `abs(nudge(f, [1.0], h)[0] - 3)` при
# $h = 10^{-1}, 10^{-3}, 10^{-6}, 10^{-9}, 10^{-12}$. Всегда ли меньший шаг лучше? Почему нет?

# %%
nudge_errors = ...  # [ошибка при 1e-1, 1e-3, 1e-6, 1e-9, 1e-12]

# %%
check("03.4", nudge_errors);
