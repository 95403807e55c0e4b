# %% [markdown]
# # 04 · Глубокие сети: крестики-нолики, рукописные цифры и новые цифры
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/ru/04_deep_networks.ipynb)
#
# **Чему вы научитесь**
# - как сеть учится игре у идеального учителя: позиции крестиков-ноликов размечает минимакс, а потом сеть играет с вами;
# - как сеть распознаёт изображения: цифры как векторы, MLP из `nn.Linear`, softmax,
#   кросс-энтропия и точность; каждую часть мы пишем сами и сверяем с PyTorch;
# - как выглядит **переобучение** (на обучающей выборке ≫ на валидационной) и как его лечат ранняя остановка и больше данных;
# - чему учатся скрытые нейроны (их веса в виде картинок) и как MLP выглядит рядом с линейной моделью и маленькой CNN;
# - как крошечный **автокодировщик** создаёт новые цифры из латентного пространства из 2 чисел.
#
# **Время:** около 90 минут. **Нужно знать:** блокноты 02 (функция потерь, градиентный спуск, цикл обучения) и 03 (обратное распространение ошибки).

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
# Нейронные сети идут от простого к сложному: **игра с простыми правилами → распознавание образов →
# создание новых изображений.** Мы пройдём эту лестницу в три части, и на каждой ступеньке возьмём
# маленькую задачу, которая обучается за секунды на ноутбуке.
#
# ## Часть 1 · Крестики-нолики у идеального учителя

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: как играть в крестики-нолики идеально? Пусть группа сама придёт к мысли «считать, что соперник играет лучше всех».
# > Итог: минимакс даёт идеального учителя, поэтому ошибки сети можно измерить. Сыграйте с ней одну партию вживую.

# %% [markdown]
# ### 1.1 Идеальный игрок: минимакс
#
# Крестики-нолики настолько малы, что их можно решить полностью. **Ценность** позиции для того,
# чей ход, равна +1, если он может вынудить победу; 0, если лучшее, чего он может добиться, — ничья;
# −1, если он проигрывает, что бы ни делал. Всё следует из одного правила (**минимакс**): *моя
# ценность — лучшая по всем моим ходам ценность соперника после хода, взятая с минусом* (что хорошо
# для него, плохо для меня).
#
# $$ V(\text{board}) = \max_{\text{move}}\ \big(-V(\text{board after move})\big), \qquad
#    V = -1 \text{ if the opponent has just won}, \quad V = 0 \text{ if the board is full}. $$
#
# (Здесь board — доска, move — ход. Ценность равна −1, если соперник только что выиграл,
# и 0, если доска заполнена.) Правила игры (чей ход, какие ходы разрешены, кто выиграл) берутся из
# `utils.tictactoe`. Доска — кортеж из 9 чисел по строкам: 1 — крестик, −1 — нолик, 0 — пусто.

# %%
from functools import cache

import numpy as np
import torch

from utils.tictactoe import (
    EMPTY_BOARD,
    is_over,
    legal_moves,
    play,
    player_to_move,
    random_move,
    render,
    winner,
)


@cache        # запоминаем каждую уже решённую позицию
def value(board):
    """+1 / 0 / −1: чего может добиться отсюда при идеальной игре тот, чей ход."""
    if winner(board) != 0:      # предыдущий ход выиграл: тот, чей ход, проиграл
        return -1
    moves = legal_moves(board)
    if not moves:
        return 0                # доска заполнена, никто не выиграл: ничья
    return max(-value(play(board, move)) for move in moves)


def move_values(board):
    """Минимаксная ценность каждой из 9 клеток для того, чей ход (0 для занятых клеток)."""
    values = np.zeros(9)
    for move in legal_moves(board):
        values[move] = -value(play(board, move))
    return values


positions = set()


def collect(board):
    if board not in positions:
        positions.add(board)
        for move in legal_moves(board):
            collect(play(board, move))


collect(EMPTY_BOARD)
to_move = sorted(b for b in positions if not is_over(b))
print(f"{len(positions)} достижимых позиций, в {len(to_move)} из них есть ход")
print(f"ценность пустой доски: {value(EMPTY_BOARD)} (идеальная игра кончается ничьей)")
example = (1, 1, 0, -1, -1, 0, 0, 0, 0)
print(render(example), "\nходят крестики; минимаксные ценности клеток:", move_values(example).reshape(3, 3).tolist())

# %% [markdown]
# **Проверка.** Достижимых позиций 5 478 (известное число, см., например,
# [разбор крестиков-ноликов Шефера](https://www.se16.info/hgb/tictactoe.htm)); идеальная игра
# с начала кончается ничьей; в примере крестики выигрывают сразу, закрыв верхнюю строку.

# %%
assert len(positions) == 5478
assert value(EMPTY_BOARD) == 0
assert move_values(example)[2] == 1 and value(example) == 1
assert all(value(b) in (-1, 0, 1) for b in to_move)

# %% [markdown]
# ### 1.2 Сеть, которая оценивает ходы
#
# Сеть видит доску **глазами того, чей ход**: три плоскости по 9 входов — «мои знаки», «знаки
# соперника», «пусто», так что одна сеть играет и за крестики, и за нолики. На выходе 9 оценок,
# по одной на клетку. Сеть учится делать оценку каждой разрешённой клетки равной минимаксной
# ценности этого хода (среднеквадратичная ошибка, как в блокноте 02, только по разрешённым
# клеткам). Чтобы сыграть, она выбирает разрешённую клетку с наибольшей оценкой.
#
# Сеть учится на всех 4 520 позициях, где есть ход. Вопрос в том, достаточно ли хороши выученные
# оценки, чтобы хорошо *играть*.

# %%
import torch.nn.functional as F
from tqdm.auto import tqdm


def encode(board):
    """(27,) входов: мои знаки, знаки соперника, пустые клетки — глазами того, чей ход."""
    mine = np.asarray(board) * player_to_move(board)
    return np.concatenate([mine == 1, mine == -1, mine == 0]).astype(np.float32)


boards_t = torch.tensor(np.stack([encode(b) for b in to_move]))                                   # (4520, 27)
values_t = torch.tensor(np.stack([move_values(b) for b in to_move]), dtype=torch.float32)         # (4520, 9)
legal_t = torch.tensor([[square in legal_moves(b) for square in range(9)] for b in to_move])    # (4520, 9)

utils.seed_everything(0)
ttt_net = torch.nn.Sequential(torch.nn.Linear(27, 128), torch.nn.ReLU(),
                              torch.nn.Linear(128, 128), torch.nn.ReLU(),
                              torch.nn.Linear(128, 9), torch.nn.Tanh())   # оценки в (−1, 1)
optimizer = torch.optim.Adam(ttt_net.parameters(), lr=3e-3)
ttt_losses = []
for _ in tqdm(range(utils.fast(3000, 800)), desc="учим крестики-нолики", mininterval=1):
    batch = torch.randint(0, len(boards_t), (256,))
    squared_error = (ttt_net(boards_t[batch]) - values_t[batch]) ** 2
    loss = (squared_error * legal_t[batch]).sum() / legal_t[batch].sum()   # только разрешённые клетки
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    ttt_losses.append(loss.item())


def network_scores(board):
    with torch.no_grad():
        return ttt_net(torch.tensor(encode(board)).unsqueeze(0))[0].numpy()


def network_move(board):
    scores = network_scores(board)
    return max(legal_moves(board), key=lambda square: scores[square])


optimal = [move_values(b)[network_move(b)] == value(b) for b in to_move]
optimal_share = float(np.mean(optimal))
print(f"функция потерь на обучении {ttt_losses[0]:.3f} → {np.mean(ttt_losses[-50:]):.4f}")
print(f"сеть выбирает оптимальный по минимаксу ход в {optimal_share:.2%} из {len(to_move)} позиций")

# %% [markdown]
# ### 1.3 Хорошо ли она играет?
#
# Сыграем много партий с соперником, который ходит наугад: в половине сеть играет крестиками
# (ходит первой), в половине — ноликами. Идеальный игрок не проигрывает никому. Случайный игрок
# слаб, но умеет удивить, так что эта проверка заглядывает во все уголки игры сети.

# %%
def play_game(network_side, rng):
    board = EMPTY_BOARD
    while not is_over(board):
        mover = network_move if player_to_move(board) == network_side else (lambda b: random_move(b, rng))
        board = play(board, mover(board))
    return winner(board) * network_side      # +1 сеть выиграла, 0 ничья, −1 сеть проиграла


rng = np.random.default_rng(0)
n_games = utils.fast(2000, 400)
results = np.array([play_game(1 if game % 2 == 0 else -1, rng) for game in range(n_games)])
lost, drawn, won = (results == -1).mean(), (results == 0).mean(), (results == 1).mean()
print(f"{n_games} партий со случайным игроком: выиграно {won:.1%}, ничьих {drawn:.1%}, проиграно {lost:.2%}")

# %% [markdown]
# **Проверка.** Сеть проигрывает меньше 1 % партий и выбирает оптимальный по минимаксу ход
# не меньше чем в 95 % всех позиций; функция потерь на обучении уменьшилась.

# %%
utils.assert_decreased("функция потерь сети для крестиков-ноликов", [ttt_losses[0], np.mean(ttt_losses[-50:])], by=0.8)
assert optimal_share >= 0.95, f"оптимальных ходов только {optimal_share:.1%}"
assert lost < 0.01, f"проиграно {lost:.1%} партий против случайного игрока"
assert won > 0.8

# %% [markdown]
# ### Попробуйте: сыграйте с сетью
#
# Щёлкните по клетке, чтобы сделать ход. После каждого хода сети картинка показывает, какую оценку
# сеть дала каждой пустой клетке (красный — ждёт победы, синий — поражения); она ходит в клетку
# с наибольшей оценкой. Начните партию за нолики, чтобы сеть ходила первой. Сможете её обыграть?

# %%
from utils.widgets import TicTacToeView

game = TicTacToeView(network_scores)
game.squares[4].click()        # первый ход делаем в центр, чтобы в сохранённом блокноте была позиция
game

# %% [markdown]
# ## Часть 2 · Распознавание образов: рукописные цифры
#
# Следующая ступенька лестницы — «собака или кошка?»: понять, что изображено на картинке.
# Настоящим фотографиям нужны большие сети и большие загрузки; те же идеи работают на **рукописных
# цифрах 8×8** из scikit-learn (1 797 изображений цифр 0–9, они лежат внутри пакета, ничего
# скачивать не нужно).

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: сколько чисел видит сеть в изображении 8×8? (64, строка за строкой.)
# > Итог: выучила ли сеть задачу, говорит точность на валидационной выборке, а не на обучающей; посмотрите, как большая сеть переобучается.

# %% [markdown]
# ### 2.1 Изображения — это векторы
#
# Каждое изображение — 8×8 = 64 уровня серого. Сеть из слоёв `nn.Linear` видит его как вектор
# из 64 чисел: пиксели строка за строкой. Мы приводим их к диапазону 0..1 и откладываем 30 %
# изображений в **валидационную выборку**: на ней сеть никогда не учится, по ней только измеряют,
# как сеть справляется с изображениями, которых не видела.

# %%
import matplotlib.pyplot as plt

from utils.digits import load_digits_split

train_images, train_labels, val_images, val_labels = load_digits_split(val_fraction=0.3, seed=0)
print(f"обучающая {tuple(train_images.shape)}, валидационная {tuple(val_images.shape)}; пиксели в [0, 1]")
fig, axes = plt.subplots(2, 10, figsize=(9, 2.2))
for ax, image, label in zip(axes.flat, train_images, train_labels):
    ax.imshow(image.reshape(8, 8), cmap="gray_r")
    ax.set_title(int(label), fontsize=9)
    ax.axis("off")
plt.show()

# %% [markdown]
# ### 2.2 Классификатор MLP, softmax и кросс-энтропия
#
# Сеть переводит 64 пикселя в 10 чисел, **логиты** $z_0, \dots, z_9$, по одному на цифру.
# **Softmax** превращает их в вероятности (положительные, в сумме 1):
#
# $$ p_k = \frac{e^{z_k}}{\sum_j e^{z_j}} . $$
#
# Функция потерь для изображения цифры $y$ — **кросс-энтропия** (cross-entropy) $-\log p_y$: около 0,
# когда сеть даёт правильному классу вероятность около 1, и большая, когда сеть уверенно ошибается.
# (Если сначала вычесть из всех логитов $\max_j z_j$, математически ничего не изменится, зато не
# будет переполнения; кросс-энтропия берёт сразу $\log p_y = z_y - \log\sum_j e^{z_j}$, так что
# крошечная $p_y$ никогда не превращается в $\log 0$.)
#
# MLP — это слои `nn.Linear`, а между ними ReLU, $\max(0, x)$.

# %% [markdown]
# ![MLP 64 → 64 → 10, нарисованный как три столбца нейронов, соединённых весами: 64 входа-пикселя, 64 нейрона с ReLU, 10 логитов для цифр от 0 до 9, затем softmax; 4 160 параметров в первом слое, 650 во втором, всего 4 810](../images/multilayer_perceptron.png)

# %%
class MLP(torch.nn.Module):
    """Полносвязные слои с ReLU между ними, например MLP([64, 64, 10])."""

    def __init__(self, sizes):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(n, m) for n, m in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):                       # x: (батч, 64) -> логиты (батч, 10)
        for layer in self.layers[:-1]:
            x = torch.relu(layer(x))
        return self.layers[-1](x)


def softmax(logits):
    shifted = logits - logits.max(dim=1, keepdim=True).values
    exp = torch.exp(shifted)
    return exp / exp.sum(dim=1, keepdim=True)


def cross_entropy(logits, labels):
    """Среднее −log p_y. Берёт log p_k = shifted_k − log Σ_j exp(shifted_j), поэтому p ≈ 0 не даёт −inf."""
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_probabilities = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
    return -log_probabilities[torch.arange(len(labels)), labels].mean()


def accuracy(model, images, labels):
    with torch.no_grad():
        return (model(images).argmax(dim=1) == labels).float().mean().item()


# %%
utils.seed_everything(0)
mlp = MLP([64, 64, 10])
logits = mlp(train_images[:5])
print("вероятности необученной сети для одного изображения:", softmax(logits)[0].detach().numpy().round(2))

# %% [markdown]
# **Проверка.** Наши softmax и кросс-энтропия совпадают с версиями PyTorch (он считает их одним
# объединённым и численно аккуратным шагом, `F.cross_entropy`), в том числе на огромных логитах;
# кросс-энтропия необученной сети около $\log 10 \approx 2.3$ (равномерная догадка).

# %%
from utils import assert_close

logits = mlp(train_images)
assert_close("softmax и torch.softmax", softmax(logits), torch.softmax(logits, dim=1))
assert_close("кросс-энтропия и F.cross_entropy", cross_entropy(logits, train_labels),
             F.cross_entropy(logits, train_labels))
huge = torch.tensor([[1000.0, 0.0, -1000.0]])
assert_close("softmax огромных логитов", softmax(huge), torch.softmax(huge, dim=1))
assert abs(cross_entropy(logits, train_labels).item() - np.log(10)) < 0.3

# %% [markdown]
# ### 2.3 Обучение и точность
#
# Цикл тот же, что в блокноте 02 (функция потерь, `zero_grad`, `backward`, `step`), только теперь
# на каждом шаге берётся случайный **батч** из 64 изображений: так быстрее, чем брать на каждом
# шаге все изображения. Дальше этот цикл живёт в `utils.train.train_steps`. **Точность** (accuracy) —
# доля изображений, у которых самый вероятный класс правильный.

# %%
from utils.train import train_steps

digit_steps = utils.fast(2000, 400)
generator = torch.Generator().manual_seed(0)
optimizer = torch.optim.Adam(mlp.parameters(), lr=3e-3)
loss_before = cross_entropy(mlp(train_images), train_labels).item()
mlp_losses = train_steps(mlp, optimizer, train_images, train_labels, cross_entropy, digit_steps,
                         batch_size=64, generator=generator)
mlp_train_acc, mlp_val_acc = accuracy(mlp, train_images, train_labels), accuracy(mlp, val_images, val_labels)
print(f"кросс-энтропия {loss_before:.3f} → {cross_entropy(mlp(train_images), train_labels).item():.3f}; "
      f"точность: обучающая {mlp_train_acc:.1%}, валидационная {mlp_val_acc:.1%}")

# %% [markdown]
# **Проверка.** Функция потерь уменьшилась, и MLP узнаёт не меньше 95 % цифр валидационной выборки.

# %%
utils.assert_decreased("кросс-энтропия на цифрах", [loss_before, cross_entropy(mlp(train_images), train_labels).item()], by=0.8)
assert mlp_val_acc >= 0.95, f"точность на валидационной выборке {mlp_val_acc:.1%}"

# %% [markdown]
# ### Попробуйте: что скажет сеть?
#
# Выберите ползунком цифру из валидационной выборки и добавьте шум: посмотрите, как вероятности
# (столбики) расползаются, когда цифру всё труднее прочесть. Зелёный столбик — правильный ответ,
# красный со штриховкой и ✗ в заголовке — неправильный.

# %%
from utils.widgets import DigitProbabilities

probabilities_view = DigitProbabilities(mlp, val_images, val_labels, index=3)
probabilities_view

# %% [markdown]
# ### 2.4 Чему учатся скрытые нейроны?
#
# Каждый скрытый нейрон считает взвешенную сумму 64 пикселей, так что его 64 входных веса можно
# нарисовать картинкой 8×8. Красные пиксели включают нейрон, синие выключают (цветовая шкала
# с центром в 0). До обучения веса — случайный шум; после обучения многие похожи на штрихи или
# части цифр: это «шаблоны», на которые нейрон откликается.
#
# В виджете ниже свежая сеть начинает со случайных весов: нажимайте **обучить N шагов** и смотрите,
# как складываются шаблоны, пока растёт точность на валидационной выборке.

# %%
from utils.widgets import HiddenUnitsTrainer
from utils.widgets.digits import show_hidden_weights

utils.seed_everything(1)
fresh = MLP([64, 16, 10])
trainer = HiddenUnitsTrainer(fresh, train_images, train_labels, val_images, val_labels, units=16,
                             steps_per_click=100, learning_rate=3e-3)
untrained_weights, accuracy_before = trainer.weights(), trainer.state.val_accuracy
trainer.train_button.click()           # один щелчок заранее, чтобы в сохранённом блокноте было видно обучение
trainer

# %% [markdown]
# **Проверка.** Обучение сдвинуло веса и подняло точность на валидационной выборке далеко выше
# случайной (10 %); цветовая шкала картинок с центром в 0. Ниже — 16 самых сильных нейронов (с самыми
# большими весами) обученной сети с 64 скрытыми нейронами, у каждого своя цветовая шкала.

# %%
assert not np.allclose(untrained_weights, trainer.weights())
assert trainer.state.val_accuracy > accuracy_before + 0.3
low, high = trainer._images[0].get_clim()
assert low == -high
show_hidden_weights(mlp.layers[0].weight, units=16, strongest=True,
                    title="16 самых сильных скрытых нейронов обученного MLP (красный +, синий −)")

# %% [markdown]
# ### 2.5 Переобучение: когда большая сеть зубрит
#
# Дадим большой сети (64 → 512 → 512 → 10, $64 \cdot 512 + 512 + 512 \cdot 512 + 512 + 512 \cdot 10 + 10 = 301\,066$ параметров) всего 100 обучающих
# изображений. Она может их просто запомнить: точность на обучающей выборке доходит до 100 %,
# а на валидационной остаётся намного ниже. Этот разрыв и есть **переобучение**. Характерный
# признак во время обучения: функция потерь на валидационной выборке падает, достигает минимума
# и потом *растёт*, хотя на обучающей продолжает падать.
#
# Два лекарства: **ранняя остановка** (оставить веса с того шага, где функция потерь на
# валидационной выборке была наименьшей) и **больше данных** (та же сеть на всех обучающих изображениях).

# %%
import copy

few = 100
utils.seed_everything(0)
big = MLP([64, 512, 512, 10])
optimizer = torch.optim.Adam(big.parameters(), lr=1e-3)
generator = torch.Generator().manual_seed(0)
curves = {"потери на обучающей": [], "потери на валидационной": []}
best_val_loss, best_weights, best_step = float("inf"), None, 0
chunk = 25
for step in tqdm(range(0, utils.fast(2000, 600), chunk), desc="переобучаем нарочно", mininterval=1):
    train_steps(big, optimizer, train_images[:few], train_labels[:few], cross_entropy, chunk, 32, generator)
    with torch.no_grad():
        curves["потери на обучающей"].append(cross_entropy(big(train_images[:few]), train_labels[:few]).item())
        curves["потери на валидационной"].append(cross_entropy(big(val_images), val_labels).item())
    if curves["потери на валидационной"][-1] < best_val_loss:
        best_val_loss, best_weights, best_step = curves["потери на валидационной"][-1], copy.deepcopy(big.state_dict()), step + chunk

overfit_train_acc, overfit_val_acc = accuracy(big, train_images[:few], train_labels[:few]), accuracy(big, val_images, val_labels)
early = MLP([64, 512, 512, 10])
early.load_state_dict(best_weights)
print(f"100 изображений, {sum(p.numel() for p in big.parameters()):,} параметров: точность на обучающей {overfit_train_acc:.1%}, "
      f"на валидационной {overfit_val_acc:.1%}")
print(f"функция потерь на валидационной: наименьшая {best_val_loss:.3f} на шаге {best_step}, в конце {curves['потери на валидационной'][-1]:.3f}")
print(f"сеть с ранней остановкой: точность на валидационной {accuracy(early, val_images, val_labels):.1%}")

from utils.plots import plot_curves

plot_curves(curves, x=[chunk * (i + 1) for i in range(len(curves["потери на обучающей"]))], xlabel="шаг обучения",
            ylabel="кросс-энтропия (наты, логарифмическая шкала)", title="Большая сеть на 100 изображениях", logy=True,
            marks={"ранняя остановка: наименьшая функция потерь на валидационной": best_step})

# %% [markdown]
# Больше данных — самое сильное лекарство: та же большая сеть, обученная на всех обучающих изображениях.

# %%
utils.seed_everything(0)
big_all = MLP([64, 512, 512, 10])
train_steps(big_all, torch.optim.Adam(big_all.parameters(), lr=1e-3), train_images, train_labels, cross_entropy,
            utils.fast(2000, 600), 32, torch.Generator().manual_seed(0))
all_train_acc, all_val_acc = accuracy(big_all, train_images, train_labels), accuracy(big_all, val_images, val_labels)
print(f"все {len(train_images)} изображений: обучающая {all_train_acc:.1%}, валидационная {all_val_acc:.1%} "
      f"(разрыв {all_train_acc - all_val_acc:.1%}; на 100 изображениях: {overfit_train_acc - overfit_val_acc:.1%})")

# %% [markdown]
# Ранняя остановка здесь лечит в основном *излишнюю уверенность*: у ранних весов функция потерь
# на валидационной выборке намного ниже, а точность примерно та же, потому что 100 изображений
# просто не показывают достаточно способов написать каждую цифру. Разрыв закрывают именно новые
# данные. (Ещё одно лекарство — затухание весов: на каждом шаге оно чуть-чуть тянет каждый вес
# к нулю.)
#
# **Проверка.** На 100 изображениях сеть безупречна на них самих, но заметно хуже на новых
# (разрыв больше 5 пунктов); функция потерь на валидационной выборке после минимума выросла,
# поэтому ранняя остановка сохраняет веса с меньшей функцией потерь, чем в конце обучения;
# на всех данных разрыв сокращается больше чем вдвое.

# %%
assert overfit_train_acc == 1.0 and overfit_train_acc - overfit_val_acc > 0.05
assert curves["потери на валидационной"][-1] > best_val_loss, "после минимума функция потерь на валидационной выборке должна расти"
assert cross_entropy(early(val_images), val_labels).item() < cross_entropy(big(val_images), val_labels).item()
assert all_train_acc - all_val_acc < (overfit_train_acc - overfit_val_acc) / 2
assert all_val_acc > overfit_val_acc

# %% [markdown]
# ### 2.6 Линейная модель, MLP, CNN
#
# Стоит ли скрытый слой своих затрат? Сравним с **линейной моделью** (один `nn.Linear(64, 10)`:
# у каждого класса ровно один шаблон) и маленькой **свёрточной сетью** (CNN). Она скользит по
# изображению маленькими фильтрами 3×3, поэтому штрих узнаётся, где бы он ни оказался, и весов
# на фильтр нужно намного меньше. (С CNN начинались настоящие модели для изображений, «собака
# или кошка»: [LeCun et al., 1998](http://yann.lecun.com/exdb/publis/pdf/lecun-98.pdf).) Те же
# шаги, тот же оптимизатор, те же данные.

# %%
def train_classifier(model, steps=digit_steps, lr=3e-3):
    utils.seed_everything(0)
    train_steps(model, torch.optim.Adam(model.parameters(), lr=lr), train_images, train_labels, cross_entropy,
                steps, 64, torch.Generator().manual_seed(0))
    return accuracy(model, val_images, val_labels)


utils.seed_everything(0)
linear = torch.nn.Linear(64, 10)
cnn = torch.nn.Sequential(
    torch.nn.Unflatten(1, (1, 8, 8)),                                  # (батч, 64) -> (батч, 1, 8, 8)
    torch.nn.Conv2d(1, 16, kernel_size=3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),   # -> (16, 4, 4)
    torch.nn.Conv2d(16, 32, kernel_size=3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),  # -> (32, 2, 2)
    torch.nn.Flatten(), torch.nn.Linear(32 * 2 * 2, 10))
linear_val_acc, cnn_val_acc = train_classifier(linear), train_classifier(cnn)
for name, model, acc in (("линейная", linear, linear_val_acc), ("MLP 64→64→10", mlp, mlp_val_acc), ("маленькая CNN", cnn, cnn_val_acc)):
    print(f"{name:<14} {sum(p.numel() for p in model.parameters()):>6,} параметров   точность на валидационной {acc:.1%}")

# %% [markdown]
# Линейная модель — сильная точка отсчёта на этих крошечных цифрах, стоящих по центру: если дать
# ей достаточно шагов, она доходит примерно до 96 %, почти как MLP. MLP учится быстрее и в итоге
# впереди; лучше всех CNN, созданная для изображений.
#
# **Проверка.** MLP обходит линейную модель (хотя бы на 2 пункта в коротком прогоне быстрого
# режима, где разрыв больше всего), а CNN не хуже MLP.

# %%
margin = utils.fast(0.0, 0.02)
assert mlp_val_acc > linear_val_acc + margin, f"MLP {mlp_val_acc:.1%}, линейная {linear_val_acc:.1%}"
assert cnn_val_acc >= mlp_val_acc - 0.005
assert mlp_val_acc >= 0.95

# %% [markdown]
# ## Часть 3 · Генерация: новые цифры из автокодировщика
#
# Последняя ступенька — **создавать** изображения. **Автокодировщик** (autoencoder) — это две сети,
# которые обучаются вместе. **Энкодер** сжимает изображение (64 числа) в **латентный** код всего
# из 2 чисел; **декодер** восстанавливает по этим 2 числам все 64 пикселя. Функция потерь — ошибка
# восстановления (MSE между изображением и его восстановлением), поэтому метки не нужны. Чтобы
# справиться, энкодер должен класть похожие изображения в близкие точки, а декодер — выучить,
# как выглядят цифры.
#
# После обучения один декодер — уже **генератор**: дайте ему любую точку латентной плоскости,
# и он нарисует цифру, в том числе там, куда не попало ни одно обучающее изображение. (Генераторы
# изображений вроде Stable Diffusion тоже работают в выученном латентном пространстве, только
# в несравнимо большем масштабе: [Rombach et al., 2022](https://arxiv.org/abs/2112.10752).)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: как 2 числа могут описать целую цифру? Потом пройдитесь по латентной плоскости в виджете.
# > Итог: один декодер — уже генератор. Обучение занимает несколько секунд: пока оно идёт, объясните «бутылочное горлышко».

# %%
utils.seed_everything(0)
encoder = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 2))
decoder = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.Sigmoid())
autoencoder = torch.nn.Sequential(encoder, decoder)
ae_losses = train_steps(autoencoder, torch.optim.Adam(autoencoder.parameters(), lr=3e-3), train_images, train_images,
                        F.mse_loss, utils.fast(4000, 800), 64, torch.Generator().manual_seed(0))
with torch.no_grad():
    ae_error = F.mse_loss(autoencoder(val_images), val_images).item()
    mean_image = train_images.mean(dim=0)
    baseline_error = F.mse_loss(mean_image.expand_as(val_images), val_images).item()
    codes = encoder(train_images)
print(f"MSE восстановления на валидационной: автокодировщик {ae_error:.4f}, «всегда среднее изображение» {baseline_error:.4f}")

picks = [int((val_labels == digit).nonzero()[0, 0]) for digit in range(10)]   # по одной цифре каждого класса: видно, насколько хорошо 2 числа хранят каждую
fig, axes = plt.subplots(2, 10, figsize=(9, 2.2))
with torch.no_grad():
    rebuilt = autoencoder(val_images[picks])
for k, pick in enumerate(picks):
    axes[0, k].imshow(val_images[pick].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)   # одна шкала серого для обоих рядов
    axes[1, k].imshow(rebuilt[k].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    axes[0, k].axis("off")
    axes[1, k].axis("off")
axes[0, 0].set_title("по одной валидационной цифре каждого класса (сверху) и её восстановление по 2 числам (снизу)", loc="left", fontsize=9)
plt.show()

# %% [markdown]
# **Проверка.** Восстановление по 2 числам с заметным запасом лучше самого удачного изображения,
# которое не смотрит на вход (среднего изображения), а функция потерь на обучении уменьшилась.

# %%
utils.assert_decreased("функция потерь автокодировщика", [np.mean(ae_losses[:20]), np.mean(ae_losses[-20:])], by=0.3)
assert ae_error < 0.75 * baseline_error, f"автокодировщик {ae_error:.4f}, среднее изображение {baseline_error:.4f}"

# %% [markdown]
# ### Попробуйте: прогулка по латентному пространству
#
# Слева: каждая обучающая цифра в точке своего кода из 2 чисел, цвет — её метка, а сама цифра
# написана в середине своей группы (автокодировщик меток не видел, но цифры всё равно собираются
# в группы). Справа: что рисует декодер в точке под чёрным крестиком. Крестик начинает в середине
# нулей, поэтому декодер рисует 0. Ведите ползунки к другой группе: по пути одна цифра плавно
# перетекает в другую, а там, где группы перекрываются, рисунок — смесь обеих.

# %%
from utils.widgets import LatentExplorer

start = codes[train_labels == 0].median(dim=0).values    # середина группы нулей
latent_view = LatentExplorer(decoder, codes, train_labels, start=start.tolist())
latent_view

# %% [markdown]
# **Проверка.** В начальной точке крестика декодер рисует 0 (его изображение ближе к среднему
# обучающему нулю, чем к среднему любой другой цифры), разные латентные точки дают разные
# изображения, а декодер в точке кода обучающей цифры рисует нечто близкое к этой цифре.

# %%
class_means = torch.stack([train_images[train_labels == digit].mean(dim=0) for digit in range(10)])
at_start = torch.tensor(latent_view.generated, dtype=torch.float32).reshape(1, 64)
assert torch.cdist(at_start, class_means).argmin().item() == 0, "в середине нулей декодер должен рисовать 0"
latent_view.z1.value = latent_view.z1.min
far_left = latent_view.generated.copy()
latent_view.z1.value = latent_view.z1.max
assert np.abs(far_left - latent_view.generated).mean() > 0.05
with torch.no_grad():
    redrawn = decoder(codes[:200])
assert F.mse_loss(redrawn, train_images[:200]).item() < baseline_error

# %% [markdown]
# ## Итоги
#
# - Сеть может выучить игру у идеального учителя: минимакс размечает каждую позицию, MLP учится
#   оценивать ходы и играет почти идеально.
# - Изображения — векторы пикселей; MLP переводит их в логиты, **softmax** делает из них вероятности,
#   **кросс-энтропия** $-\log p_y$ служит функцией потерь, а **точность** — доля верных ответов на
#   отложенной **валидационной** выборке.
# - Большая сеть на малых данных **переобучается** (на обучающей ≫ на валидационной; функция
#   потерь на валидационной растёт); лечат ранняя остановка и больше данных.
# - Скрытые нейроны выучивают шаблоны, похожие на штрихи; CNN, которая применяет маленькие фильтры
#   по всему изображению, обходит MLP, а MLP обходит линейную модель.
# - **Автокодировщик** сжимает изображения в крошечный латентный код; его декодер создаёт новые
#   изображения из любой латентной точки.
#
# **Дальше:** в блокноте 05 у сетей появится память для последовательностей: рекуррентные сети.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Попросите каждый стол назвать одну ступеньку лестницы (игра, изображения, генерация) одним предложением.

# %% [markdown]
# ## Упражнения
#
# ★ проверяет понимание, ★★ требует поменять код, ★★★ — маленькое исследование. Замените каждое `...`,
# выполните ячейку, а затем проверку под ней: она скажет ✓ и почему, или даст подсказку. Эталонные решения —
# в [solutions/04_deep_networks.py](../solutions/04_deep_networks.py); сначала попробуйте сами.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Упражнения 1 и 2 быстрые и весёлые, их можно сделать в классе; в упражнении 3 учатся четыре автокодировщика, его задайте на дом.

# %%
from utils.exercises import check

# %% [markdown]
# **1. Функция потерь вручную ★.** Сеть для цифр выдаёт логиты $(2, 0, -1)$ для изображения с меткой 0.
# Чему равна её кросс-энтропия? Посчитайте с помощью `math.exp` и `math.log`, а затем сравните с
# `F.cross_entropy(torch.tensor([[2.0, 0.0, -1.0]]), torch.tensor([0]))`.

# %%
loss_by_hand = ...  # число

# %%
check("04.1", loss_by_hand);

# %% [markdown]
# **2. Сеть против себя ★★.** Пусть `network_move` играет за обе стороны с `EMPTY_BOARD`, пока партия не
# кончится. Кто победит? Дайте `winner(board)` для итоговой доски, напечатайте доску с помощью `render`
# и объясните результат.

# %%
self_play_winner = ...  # 1, -1 или 0

# %%
check("04.2", self_play_winner, network_move=network_move);

# %% [markdown]
# **3. Сколько латентных чисел? ★★★** Обучите автокодировщик из части 3 с латентным кодом из 1, 2, 4 и 8
# чисел (поменяйте `Linear(64, 2)` и `Linear(2, 64)`), каждый с тем же числом шагов и тем же seed, и измерьте
# для каждого ошибку восстановления на валидационной выборке. Что даёт каждое лишнее число? Что теряется
# после 2?

# %%
latent_errors = ...  # [ошибка с 1, 2, 4, 8 латентными числами]

# %%
check("04.3", latent_errors);
