# %% [markdown]
# # 05 · Рекуррентные сети: читаем последовательность шаг за шагом
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/ru/05_recurrent_networks.ipynb)
#
# **Чему вы научитесь**
# - почему в последовательностях важен порядок и как рекуррентная ячейка несёт с собой память (скрытое состояние);
# - как написать рекуррентную ячейку с нуля, развернуть её во времени и сверить с `nn.RNN` из PyTorch;
# - как прогнозировать зашумлённый сезонный сигнал на один шаг и на много шагов вперёд лучше наивного прогноза;
# - как символьная LSTM, обученная на Шекспире, пишет (что-то похожее на) пьесу;
# - почему на больших расстояниях градиенты затухают или взрываются и как помогают вентили LSTM.
#
# **Время:** около 60 минут (модель на Шекспире учится минуту-две на процессоре ноутбука).
# **Нужно знать:** блокноты 01–04 (нейроны, градиентный спуск, softmax и кросс-энтропия).

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
# ## 1. Последовательности: порядок важен
#
# Текст, речь, музыка, показания датчиков и цены — это **последовательности**: те же элементы
# в другом порядке значат другое. В «dog bites man» («собака кусает человека») и «man bites dog»
# («человек кусает собаку») одни и те же слова и буквы, но новость только во второй фразе. Сеть,
# которая видит лишь мешок счётчиков (как классификатор цифр из блокнота 04 видит фиксированный
# набор пикселей), их не различит. К тому же ей нужны входы одного фиксированного размера,
# а предложения бывают любой длины.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: «dog bites man» и «man bites dog» — что упускает мешок слов?
# > Итог: скрытое состояние — это память, и на каждом шаге работают одни и те же веса.

# %%
from collections import Counter

a, b = "dog bites man", "man bites dog"
print("те же буквы:", Counter(a) == Counter(b), "| те же слова:", Counter(a.split()) == Counter(b.split()),
      "| тот же текст:", a == b)
assert Counter(a) == Counter(b) and a != b

# %% [markdown]
# **Рекуррентная нейронная сеть** (recurrent neural network, RNN) читает последовательность по
# одному элементу и хранит вектор чисел, **скрытое состояние** (hidden state) $h_t$, — свою память
# о прочитанном. На каждом шаге она смешивает новый вход $x_t$ с прежней памятью $h_{t-1}$:
#
# $$ h_t = \tanh\!\big(W_{xh}\, x_t + b_{xh} + W_{hh}\, h_{t-1} + b_{hh}\big), \qquad h_0 = 0. $$
#
# На каждом шаге работают **одни и те же** веса $W_{xh}, W_{hh}$: число параметров сети не
# зависит от длины последовательности. Выход (прогноз) можно получить из каждого $h_t$ обычным
# линейным слоем. Если нарисовать по копии ячейки на каждый шаг времени, то есть «развернуть»
# её, цикл превратится в глубокую сеть, слои которой делят одни и те же веса:

# %%
from utils.diagrams import rnn_unrolled

rnn_unrolled()

# %% [markdown]
# ## 2. Рекуррентная ячейка с нуля
#
# Вся ячейка — одна строка линейной алгебры внутри цикла по времени. Входы идут батчами:
# у `x` форма `(batch, time, features)` — (батч, время, признаки).

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: сколько параметров нужно ячейке для последовательности из 1000 шагов? (Столько же, сколько для 10.)
# > Итог: наш цикл в точности совпадает с `nn.RNN`; это одна строка алгебры в цикле.

# %%
import torch


def rnn_forward(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    """Прогоняет tanh-RNN по x: (batch, time, features). Возвращает все скрытые состояния (batch, time, hidden)."""
    batch, time_steps, _ = x.shape
    h = torch.zeros(batch, W_hh.shape[0]) if h0 is None else h0
    states = []
    for t in range(time_steps):                       # по одному шагу, на каждом шаге те же веса
        h = torch.tanh(x[:, t] @ W_xh.T + b_xh + h @ W_hh.T + b_hh)
        states.append(h)
    return torch.stack(states, dim=1)


utils.seed_everything(0)
reference = torch.nn.RNN(input_size=3, hidden_size=5, batch_first=True)
x = torch.randn(2, 7, 3)                              # 2 последовательности, 7 шагов, 3 признака
ours = rnn_forward(x, reference.weight_ih_l0, reference.weight_hh_l0, reference.bias_ih_l0, reference.bias_hh_l0)
theirs, h_last = reference(x)
print("скрытые состояния:", tuple(ours.shape), "| параметры nn.RNN:",
      [tuple(p.shape) for p in reference.parameters()])

# %% [markdown]
# **Проверка.** С теми же весами наш цикл на каждом шаге времени вычисляет ровно то же, что
# `nn.RNN` из PyTorch, а число параметров не зависит от длины последовательности.

# %%
utils.assert_close("наша RNN и nn.RNN (все шаги)", ours, theirs, atol=1e-6)
utils.assert_close("последнее скрытое состояние", ours[:, -1], h_last[0], atol=1e-6)
longer = rnn_forward(torch.randn(2, 50, 3), reference.weight_ih_l0, reference.weight_hh_l0,
                     reference.bias_ih_l0, reference.bias_hh_l0)
assert longer.shape == (2, 50, 5)
assert sum(p.numel() for p in reference.parameters()) == 5 * 3 + 5 * 5 + 5 + 5  # W_xh, W_hh и два смещения
# Для RNN порядок важен: если перевернуть последовательность, последнее состояние изменится.
assert not torch.allclose(ours[:, -1], rnn_forward(x.flip(1), reference.weight_ih_l0, reference.weight_hh_l0,
                                                   reference.bias_ih_l0, reference.bias_hh_l0)[:, -1])

# %% [markdown]
# ## 3. Прогноз временного ряда
#
# Классическая задача для RNN: предсказать следующее значение сигнала по его прошлому. В нашем
# сигнале медленный сезон (период 50 шагов), быстрый (период 12) и шум — как ежедневные продажи
# с недельным и годовым ритмом:
#
# $$ s_t = \sin(2\pi t/50) + 0.5 \sin(2\pi t/12) + \varepsilon_t, \qquad \varepsilon_t \sim \mathcal N(0, 0.1^2). $$
#
# Обучаем на первых 80 % ряда, проверяем на последних 20 %. Каждый прогноз должен обойти
# **наивный прогноз** «завтра будет как сегодня» (повторить последнее увиденное значение). На
# медленно меняющихся рядах его трудно обойти, а модель, которая этого не может, ничему полезному
# не научилась.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: какой самый простой прогноз придётся обойти? («Завтра будет как сегодня».)
# > На ноутбуке обучение займёт немного времени: обсудите, почему ошибки копятся, когда модель получает на вход свои же прогнозы.

# %%
import numpy as np

utils.seed_everything(0)
t = np.arange(2000)
signal = np.sin(2 * np.pi * t / 50) + 0.5 * np.sin(2 * np.pi * t / 12) + np.random.normal(0, 0.1, t.size)
series = torch.tensor(signal, dtype=torch.float32)
split = int(0.8 * len(series))
window = 40


def make_windows(values, window):
    """Входы (n, window, 1): `window` прошлых значений; цели (n,): значение сразу после них."""
    inputs = values.unfold(0, window, 1)[:-1]
    return inputs.unsqueeze(-1), values[window:]


x_train, y_train = make_windows(series[:split], window)
x_test, y_test = make_windows(series[split - window:], window)
print(f"обучающих окон {tuple(x_train.shape)}, тестовых окон {tuple(x_test.shape)}")


class Forecaster(torch.nn.Module):
    """tanh-RNN читает окно; линейный слой превращает её последнее скрытое состояние в следующее значение."""

    def __init__(self, hidden=32):
        super().__init__()
        self.rnn = torch.nn.RNN(1, hidden, batch_first=True)
        self.out = torch.nn.Linear(hidden, 1)

    def forward(self, x):                              # x: (batch, time, 1) — батч, время, 1 признак
        states, _ = self.rnn(x)
        return self.out(states[:, -1]).squeeze(-1)     # (batch,): по числу на последовательность


forecaster = Forecaster()
optimizer = torch.optim.Adam(forecaster.parameters(), lr=0.01)
losses = []
from tqdm.auto import tqdm

generator = torch.Generator().manual_seed(0)
for _ in tqdm(range(utils.fast(1000, 400)), desc="forecaster"):
    batch = torch.randint(0, len(x_train), (64,), generator=generator)
    loss = torch.nn.functional.mse_loss(forecaster(x_train[batch]), y_train[batch])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())

with torch.no_grad():
    one_step_mse = torch.nn.functional.mse_loss(forecaster(x_test), y_test).item()
naive_mse = torch.nn.functional.mse_loss(x_test[:, -1, 0], y_test).item()
print(f"на шаг вперёд, MSE на тесте: RNN {one_step_mse:.4f}   наивный (последнее значение) {naive_mse:.4f}   "
      f"один только шум {0.1 ** 2:.4f}")

# %% [markdown]
# **На много шагов вперёд.** Чтобы заглянуть дальше, подаём каждый прогноз обратно на вход, как
# будто это следующее наблюдение. Такой прогноз называют *авторегрессионным*; позже именно так
# будут писать текст языковые модели. Ошибки могут накапливаться, поэтому задача труднее. Мы
# прогнозируем на 50 шагов из многих начальных точек тестовой части и сравниваем с наивным
# прогнозом (последнее значение, повторённое 50 раз).

# %%
horizon = 50


def forecast(model, history, steps):
    """Авторегрессионный прогноз: история (window,) -> следующие `steps` значений."""
    values = list(history)
    with torch.no_grad():
        for _ in range(steps):
            x = torch.tensor(values[-window:]).view(1, -1, 1)
            values.append(model(x).item())
    return torch.tensor(values[-steps:])


starts = range(split, len(series) - horizon, 25)
rnn_errors, naive_errors = [], []   # квадрат ошибки на каждом шаге вперёд, по строке на старт: (starts, horizon)
for start in starts:
    truth = series[start:start + horizon]
    rnn_errors.append(((forecast(forecaster, series[start - window:start], horizon) - truth) ** 2).numpy())
    naive_errors.append(((series[start - 1] - truth) ** 2).numpy())
multi_rnn, multi_naive = [e.mean() for e in rnn_errors], [e.mean() for e in naive_errors]
multi_rnn_mse, multi_naive_mse = float(np.mean(multi_rnn)), float(np.mean(multi_naive))
print(f"на {horizon} шагов вперёд, средняя MSE по {len(multi_rnn)} стартам: RNN {multi_rnn_mse:.4f}   "
      f"наивный {multi_naive_mse:.4f}")

import matplotlib.pyplot as plt

start = split + 100
fig, (left, right, errors) = plt.subplots(1, 3, figsize=(11, 3.6), gridspec_kw={"width_ratios": [1, 2, 1.3]})
left.plot(losses, lw=1)
left.set(yscale="log", xlabel="шаг обучения", ylabel="MSE (лог. шкала)", title="функция потерь при обучении")
right.plot(range(start - 80, start + horizon), series[start - 80:start + horizon], color="grey", lw=1,
           label="сигнал (с шумом)")
right.plot(range(start, start + horizon), forecast(forecaster, series[start - window:start], horizon),
           color="tab:red", lw=2, label="RNN на 50 шагов, на входе свои прогнозы")
right.hlines(series[start - 1], start, start + horizon, color="tab:blue", ls="--", label="наивный: последнее значение")
right.axvline(start, color="black", lw=0.8)
right.set(xlabel="шаг времени", title="прогноз тестовой части")
right.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3)   # под осями: не закрывает сигнал
ahead = np.arange(1, horizon + 1)
# Те же цвета и стили линий, что на средней панели; их называет её легенда внизу, а вторая
# легенда здесь закрыла бы кривые.
errors.plot(ahead, np.mean(rnn_errors, axis=0), color="tab:red", lw=2)
errors.plot(ahead, np.mean(naive_errors, axis=0), color="tab:blue", ls="--")
errors.set(xlabel="шагов вперёд", ylabel="MSE (среднее по стартам)", title="ошибка и число шагов вперёд")
fig.tight_layout()
plt.show()

# %% [markdown]
# **Проверка.** Обученная RNN обходит наивный прогноз и на один шаг, и на 50 шагов вперёд,
# а функция потерь при обучении снизилась.

# %%
utils.assert_decreased("функция потерь прогнозной модели", [np.mean(losses[:10]), np.mean(losses[-10:])], by=0.5)
assert one_step_mse < 0.7 * naive_mse, (one_step_mse, naive_mse)
assert multi_rnn_mse < 0.5 * multi_naive_mse, (multi_rnn_mse, multi_naive_mse)

# %% [markdown]
# ## 4. Символьная языковая модель на Шекспире
#
# Теперь последовательность — это текст, а предсказать нужно **следующий символ**. Прочитав
# "ROMEO:\nBut, soft! what light through yonder window brea", хорошая модель отдаст почти всю
# вероятность букве "k". Обученная на достаточном объёме текста, такая модель умеет *писать*:
# выбрать символ, подать его обратно на вход, повторить. Так же работает и GPT (блокнот 08),
# только вместо символов у неё токены, а вместо RNN — трансформер.
#
# Данные — «маленький» корпус Шекспира: около 1,1 миллиона символов из восьми пьес, тех же, что
# в известном файле Tiny Shakespeare Андрея Карпати
# ([char-rnn, 2015](https://github.com/karpathy/char-rnn)). Последние 10 % каждой пьесы отложены
# для валидации. Каждый отдельный символ — один токен.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: что должно идти после "yonder window brea"? Итог: GPT тоже пишет, предсказывая следующий символ (у неё — токен).
# > В этом разделе обучается LSTM (800 шагов в полном режиме): пока она учится, прочитайте вслух образцы биграммной модели.

# %%
from utils.data import CharTokenizer, shakespeare, shakespeare_split

train_text, val_text = shakespeare_split("tiny", "train"), shakespeare_split("tiny", "val")
tokenizer = CharTokenizer(shakespeare("full"))  # все символы полного собрания, чтобы потом работал любой набранный текст
train_ids = torch.tensor(tokenizer.encode(train_text))
val_ids = torch.tensor(tokenizer.encode(val_text))
print(f"{len(train_text):,} обучающих и {len(val_text):,} валидационных символов; "
      f"словарь из {tokenizer.vocab_size} символов")
print(train_text[:160])

# %% [markdown]
# ### Базовая модель: биграммы
#
# Простейшая языковая модель считает в обучающем тексте, как часто каждый символ идёт за каждым
# другим, и предсказывает только по предыдущему символу. Модели мы сравниваем по **перекрёстной
# энтропии** (cross-entropy) на валидационном тексте, $-\frac1N\sum \ln p(\text{actual next character})$,
# в натах на символ (блокнот 04). Равномерная догадка среди 76 символов даёт
# $\ln 76 \approx 4.33$.

# %%
def bigram_loss_by_hand(train_ids, val_ids, vocab_size):
    counts = torch.ones(vocab_size, vocab_size)  # сглаживание «плюс один»: ни одна пара не бывает невозможной
    counts.index_put_((train_ids[:-1], train_ids[1:]), torch.ones(len(train_ids) - 1), accumulate=True)
    log_probs = torch.log(counts / counts.sum(dim=1, keepdim=True))  # строка a: p(следующий | предыдущий = a)
    return float(-log_probs[val_ids[:-1], val_ids[1:]].mean())


from utils.rnn import bigram_loss, uniform_loss

bigram_val = bigram_loss_by_hand(train_ids, val_ids, tokenizer.vocab_size)
assert bigram_val == bigram_loss(train_ids, val_ids, tokenizer.vocab_size)  # копия из пакета курса, дальше берём её
print(f"потери на валидации: равномерная догадка {uniform_loss(tokenizer.vocab_size):.3f}, биграммы {bigram_val:.3f} нат/символ")
assert bigram_val < uniform_loss(tokenizer.vocab_size)

# %% [markdown]
# ### Ячейка LSTM
#
# Простая RNN быстро забывает (почему — покажет раздел 5). **LSTM** (long short-term memory, «долгая
# краткосрочная память», [Hochreiter & Schmidhuber, 1997](https://doi.org/10.1162/neco.1997.9.8.1735))
# добавляет вторую память, **состояние ячейки** (cell state) $c_t$. Меняют его только *вентили*
# (gates): числа от 0 до 1, вычисленные по входу и прежнему скрытому состоянию. Они решают, что
# забыть, что записать и что показать. В исходной LSTM были только входной и выходной вентили;
# **вентиль забывания** (forget gate) $f_t$ добавили
# [Gers, Schmidhuber & Cummins (2000)](https://doi.org/10.1162/089976600300015015). Формулы ниже
# (и в PyTorch) — именно этот вариант:
#
# $$
# \begin{aligned}
# i_t &= \sigma(W_i [x_t, h_{t-1}] + b_i) && \text{input gate: how much to write}\\
# f_t &= \sigma(W_f [x_t, h_{t-1}] + b_f) && \text{forget gate: how much to keep}\\
# g_t &= \tanh(W_g [x_t, h_{t-1}] + b_g) && \text{candidate content}\\
# o_t &= \sigma(W_o [x_t, h_{t-1}] + b_o) && \text{output gate: how much to show}\\
# c_t &= f_t \odot c_{t-1} + i_t \odot g_t, \qquad h_t = o_t \odot \tanh(c_t).
# \end{aligned}
# $$
#
# Подписи в формулах: input gate — входной вентиль (сколько записать), forget gate — вентиль
# забывания (сколько сохранить), candidate content — кандидат на запись, output gate — выходной
# вентиль (сколько показать).
# Состояние ячейки обновляется *умножением на вентиль и сложением*, а не сжатием через матрицу
# весов. Поэтому информация (и градиент) может уйти далеко, пока вентиль забывания близок к 1.
# Один шаг с нуля, в сравнении с `nn.LSTMCell` из PyTorch (она хранит веса четырёх вентилей
# друг под другом в порядке i, f, g, o):

# %%
def lstm_step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """Один шаг LSTM. x: (batch, features); h, c: (batch, hidden). Возвращает новые (h, c)."""
    gates = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh      # (batch, 4 * hidden): четыре вентиля разом
    i, f, g, o = gates.chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h = torch.sigmoid(o) * torch.tanh(c)
    return h, c


cell = torch.nn.LSTMCell(3, 4)
x, h, c = torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4)
h_ref, c_ref = cell(x, (h, c))
h_ours, c_ours = lstm_step(x, h, c, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
utils.assert_close("наш шаг LSTM: h", h_ours, h_ref)
utils.assert_close("наш шаг LSTM: c", c_ours, c_ref);

# %% [markdown]
# ### Обучение
#
# Модель (`utils.rnn.CharLSTM`) состоит из эмбеддинга (embedding: номер символа → обучаемый вектор
# из 48 чисел; подробно об эмбеддингах — в блокноте 06), одного слоя LSTM (быстрая версия ячейки
# выше из PyTorch) и линейного слоя. Последний выдаёт оценку (логит) для каждого из 76 возможных
# следующих символов. Учим модель на случайных отрезках по 100 символов: в каждой позиции цель —
# следующий символ. Обрезка градиентов (gradient clipping: градиенты с нормой больше 1 сжимаются
# до нормы 1) защищает от взрывающихся градиентов из раздела 5.

# %%
from utils.rnn import CharLSTM

utils.seed_everything(0)
device = utils.get_device()
hidden_size = utils.fast(128, 64)
steps = utils.fast(800, 120)
batch_size, seq_len = 32, 100
model = CharLSTM(tokenizer.vocab_size, embed_dim=48, hidden_size=hidden_size).to(device)
print(f"CharLSTM: {sum(p.numel() for p in model.parameters()):,} параметров, {steps} шагов на {device}")


def random_batch(ids, generator):
    """Входы и цели (batch, seq_len): цели — те же входы, сдвинутые на один символ."""
    starts = torch.randint(0, len(ids) - seq_len - 1, (batch_size,), generator=generator)
    x = torch.stack([ids[s:s + seq_len] for s in starts])
    y = torch.stack([ids[s + 1:s + seq_len + 1] for s in starts])
    return x.to(device), y.to(device)


def validation_loss(model, pieces=40):
    """Средняя кросс-энтропия по `pieces` фиксированным отрезкам валидационного текста (нат на символ)."""
    starts = torch.linspace(0, len(val_ids) - seq_len - 2, pieces).long()
    x = torch.stack([val_ids[s:s + seq_len] for s in starts]).to(device)
    y = torch.stack([val_ids[s + 1:s + seq_len + 1] for s in starts]).to(device)
    model.eval()
    with torch.no_grad():
        loss = torch.nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten()).item()
    model.train()
    return loss


optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.01, total_steps=steps, pct_start=0.1)
generator = torch.Generator().manual_seed(0)
train_curve, val_curve = [], [(0, validation_loss(model))]
progress = tqdm(range(1, steps + 1), desc="CharLSTM")
for step in progress:
    x, y = random_batch(train_ids, generator)
    loss = torch.nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten())
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    schedule.step()
    train_curve.append(loss.item())
    if step % max(1, steps // 10) == 0 or step == steps:
        val_curve.append((step, validation_loss(model)))
        progress.set_postfix(train=f"{np.mean(train_curve[-20:]):.3f}", val=f"{val_curve[-1][1]:.3f}")
lstm_val = val_curve[-1][1]

fig, ax = plt.subplots(figsize=(7, 3.4))
ax.plot(range(1, steps + 1), train_curve, lw=0.8, alpha=0.6, label="обучающие батчи")
ax.plot(*zip(*val_curve), marker="o", label="валидация")
ax.axhline(bigram_val, color="tab:red", ls="--", label=f"биграммная модель ({bigram_val:.2f})")
ax.set(xlabel="шаг", ylabel="кросс-энтропия (нат/символ)", ylim=(1.0, 4.5), title="CharLSTM на маленьком Шекспире")
ax.legend()
plt.show()
print(f"потери на валидации: LSTM {lstm_val:.3f}, биграммы {bigram_val:.3f}, равномерная догадка {uniform_loss(tokenizer.vocab_size):.3f}")

# %% [markdown]
# **Проверка.** Потери LSTM на валидации ниже, чем у биграммной модели (в полном режиме — с
# большим запасом: она выучила куда больше, чем то, какая буква идёт за какой), и обучение их снизило.

# %%
margin = utils.fast(0.5, 0.05)
assert lstm_val < bigram_val - margin, f"LSTM {lstm_val:.3f} должна быть ниже биграмм {bigram_val:.3f} на {margin}"
utils.assert_decreased("потери на валидации", [v for _, v in val_curve], by=0.3)

# %% [markdown]
# ### Пишем как Шекспир
#
# Чтобы генерировать текст, подаём модели промпт (начало текста), превращаем логиты следующего символа
# в вероятности, случайно выбираем один символ, подаём его обратно и повторяем. **Температура**
# $T$ делит логиты перед softmax, $p_i \propto e^{z_i / T}$: при $T < 1$ распределение острее
# (текст надёжнее, но однообразнее), при $T > 1$ — площе (больше неожиданностей и опечаток).

# %%
def sample_by_hand(model, tokenizer, prompt, length, temperature, seed):
    generator = torch.Generator().manual_seed(seed)
    device = next(model.parameters()).device
    out = []
    with torch.no_grad():
        logits, _, state = model(torch.tensor([tokenizer.encode(prompt)], device=device), return_hidden=True)
        for _ in range(length):
            probs = torch.softmax(logits[0, -1].float().cpu() / temperature, dim=-1)
            next_id = int(torch.multinomial(probs, 1, generator=generator))  # выбираем один символ
            out.append(next_id)
            logits, _, state = model(torch.tensor([[next_id]], device=device), state, return_hidden=True)  # подаём его обратно
    return tokenizer.decode(out)


# utils.rnn.sample_text: тот же цикл, в несколько раз быстрее (уравнения LSTM он считает напрямую)
from utils.rnn import sample_text

sample = sample_text(model, tokenizer, "ROMEO:\n", length=utils.fast(500, 200), temperature=0.8, seed=0)
assert sample_by_hand(model, tokenizer, "ROMEO:\n", 100, 0.8, seed=0) == sample[:100]
print("ROMEO:\n" + sample)

# %% [markdown]
# В полном режиме образец похож на пьесу по форме: имена персонажей заглавными буквами
# с двоеточием, стихотворные строки, знаки препинания на своих местах, в основном настоящие слова,
# хотя смысл блуждает. Модель примерно из 100 тысяч параметров, обученная за минуту-две, знает
# орфографию и вёрстку, но не сюжет. Трансформер из блокнота 08 на тех же данных справляется лучше.

# %%
assert len(sample) == utils.fast(500, 200) and set(sample) <= set(tokenizer.chars)
assert sample_text(model, tokenizer, "ROMEO:\n", 200, 0.8, seed=0) == sample[:200], "тот же seed — тот же текст"
greedy = sample_text(model, tokenizer, "ROMEO:\n", 200, temperature=0.05, seed=1)
hot = sample_text(model, tokenizer, "ROMEO:\n", 200, temperature=2.0, seed=1)
print("T=0.05:", greedy[:100].replace("\n", " / "))
print("T=2.0: ", hot[:100].replace("\n", " / "))
assert len(set(greedy)) < len(set(hot)), "при низкой температуре различных символов должно быть меньше, чем при высокой"
if not utils.is_fast():
    assert ":\n" in sample and sample.count(" ") > 40, "обученная модель пишет реплики из слов"
    assert 90_000 < sum(p.numel() for p in model.parameters()) < 120_000, "около 100 тысяч параметров"

# %% [markdown]
# ### Попробуйте: температура и скрытое состояние
#
# Двигайте ползунок **температура**: столбики показывают вероятности первого
# символа после промпта при этой температуре, и с ней же выбирается новый образец. Измените
# промпт (хорошо работает имя персонажа с двоеточием и переводом строки) и нажмите
# **ещё образец**, чтобы выбрать текст заново.

# %%
from utils.widgets import TemperatureSampler

sampler = TemperatureSampler(model, tokenizer, prompt="JULIET:\n", temperature=0.8)
sampler

# %% [markdown]
# Что лежит в памяти? Тепловая карта показывает 32 скрытых нейрона LSTM (строки) после каждого
# символа (столбцы) набранного вами текста: красный — положительные значения, синий —
# отрицательные. Строки упорядочены по среднему значению нейрона вдоль текста, наибольшее сверху,
# а число у строки — номер нейрона в модели. Нейроны, которые всё время включены или выключены,
# собираются вверху и внизу, поэтому те, что переключаются вслед за символами, оказываются рядом
# в середине. Там и поищите нейроны, которые переключаются на переводе строки, внутри слова
# и на пробеле или после двоеточия. В моделях побольше Карпати нашёл нейроны, следящие за кавычками
# и длиной строки ([Karpathy et al., 2015](https://arxiv.org/abs/1506.02078)). Большинство нейронов
# так просто не прочитать.

# %%
from utils.widgets import HiddenStateView

heatmap = HiddenStateView(model, tokenizer, text="ROMEO:\nBut, soft! what light through yonder window breaks?")
heatmap

# %% [markdown]
# **Проверка.** Виджеты рисуют то, что вычисляет модель: в тепловой карте — её собственные скрытые
# состояния (строка за строкой в отсортированном порядке, от наибольшего среднего), а столбики —
# softmax её логитов при выбранной температуре.

# %%
with torch.no_grad():
    ids = torch.tensor([tokenizer.encode(heatmap.state.text)], device=device)
    _, hidden_states, _ = model(ids, return_hidden=True)
utils.assert_close("тепловая карта = скрытые состояния модели", heatmap.states,
                  hidden_states[0, :, torch.as_tensor(heatmap.unit_order)].T.cpu(), atol=1e-6)
assert (np.diff(heatmap.states.mean(axis=1)) <= 1e-6).all(), "строки должны идти от наибольшего среднего вниз"
sampler.temperature.value = 0.3
sharp = sampler.next_char_probs().max().item()
sampler.temperature.value = 1.5
flat = sampler.next_char_probs().max().item()
assert sharp > flat, "более низкая температура должна делать распределение острее"
sampler.temperature.value = 0.8

# %% [markdown]
# ## 5. Затухающие и взрывающиеся градиенты
#
# Обучить RNN — значит провести обратное распространение ошибки через развёрнутую сеть. Градиент,
# который доходит до входа на $k$ шагов назад, — произведение $k$ якобианов $\partial h_t / \partial h_{t-1} =
# \operatorname{diag}(1 - h_t^2)\, W_{hh}$. Произведение $k$ похожих множителей ведёт себя как
# степень. Если множители сжимают векторы, градиент **затухает** экспоненциально по $k$; если
# растягивают — **взрывается** ([Bengio et al., 1994](https://doi.org/10.1109/72.279181);
# [Pascanu et al., 2013](https://arxiv.org/abs/1211.5063)). Сначала чистая степень — для матриц
# с наибольшим по модулю собственным значением (спектральным радиусом) 0.9 или 1.1:

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: сколько будет $0.9^{100}$ и $1.1^{100}$? (0.00003 и 13 780.)
# > Итог: градиенты во времени — это степени; аддитивное состояние ячейки LSTM помогает им выжить.

# %%
utils.seed_everything(0)
W = torch.randn(32, 32) / 32 ** 0.5
W = W / torch.linalg.eigvals(W).abs().max()             # спектральный радиус ровно 1
distances = np.arange(0, 101)
power_norms = {}
for radius in (0.9, 1.0, 1.1):
    v = torch.randn(32)
    norms = []
    for _ in distances:
        norms.append(v.norm().item())
        v = (radius * W).T @ v                          # ещё один шаг обратного распространения
    power_norms[radius] = np.array(norms)
    print(f"спектральный радиус {radius}: норма градиента через 100 шагов ×{norms[-1] / norms[0]:.2g}")
assert power_norms[0.9][-1] < 1e-2 * power_norms[0.9][0], "при радиусе < 1 градиент должен затухать"
assert power_norms[1.1][-1] > 1e2 * power_norms[1.1][0], "при радиусе > 1 градиент должен взрываться"

# %% [markdown]
# Теперь настоящие сети. Подаём 100 случайных входных векторов в простую RNN и в LSTM (обе не
# обучены, по 64 нейрона) и измеряем, насколько последнее скрытое состояние зависит от каждого
# входа: норму $\partial h_{100} / \partial x_{100-k}$ в зависимости от расстояния $k$. Потом то же
# для нашей обученной LSTM на Шекспире: насколько прогноз после 100 символов зависит от символа
# на $k$ шагов назад.
#
# Честная оговорка: у LSTM с инициализацией PyTorch по умолчанию вентили забывания близки
# к $\sigma(0) = 0.5$, так что её память тоже уменьшается вдвое на каждом шаге. Обычное лекарство —
# открыть вентили забывания положительным смещением:
# [Jozefowicz et al. (2015)](https://proceedings.mlr.press/v37/jozefowicz15.html) советуют смещение
# вентиля забывания 1. Мы добавляем 2 ($\sigma(2) \approx 0.88$) — это наш выбор, чтобы эффект был
# хорошо виден на 100 шагах; обучение может прийти к тому же само.

# %%
def sensitivity(network, length=100, features=16):
    """Норма d(последнее скрытое состояние)/d(вход k шагов назад) для k = 0 .. length-1.

    В float64: у простой RNN градиент падает ниже наименьшего числа float32 (~1e-38 относительно
    начального, он становится ровно 0), и на графике был бы внезапный обрыв, которого в сети нет."""
    x = torch.randn(1, length, features, requires_grad=True, dtype=torch.float64)
    states, _ = network.double()(x)
    states[0, -1].sum().backward()
    return x.grad[0].norm(dim=-1).flip(0).numpy()


utils.seed_everything(0)
plain_rnn = torch.nn.RNN(16, 64, batch_first=True)
lstm_default = torch.nn.LSTM(16, 64, batch_first=True)
lstm_open = torch.nn.LSTM(16, 64, batch_first=True)
with torch.no_grad():
    lstm_open.bias_hh_l0[64:128] += 2.0                 # часть смещения для вентиля забывания (порядок i, f, g, o)
curves = {"простая RNN": sensitivity(plain_rnn), "LSTM (по умолчанию)": sensitivity(lstm_default),
          "LSTM (вентили открыты)": sensitivity(lstm_open)}

# Обученная модель: d(логит прогноза после 100 символов)/d(эмбеддинг символа k шагов назад).
text_ids = val_ids[1000:1100].unsqueeze(0).to(device)
embedded = model.embedding(text_ids).detach().requires_grad_(True)
out, _ = model.lstm(embedded)
model.head(out[0, -1]).max().backward()
curves["обученная CharLSTM"] = embedded.grad[0].norm(dim=-1).flip(0).cpu().numpy()

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
for (radius, norms), style in zip(power_norms.items(), ("-", "--", "-.")):   # стиль линии: подсказка помимо цвета
    left.plot(distances, norms / norms[0], style, lw=2, label=f"радиус {radius}")
left.set(yscale="log", xlabel="шагов назад k", ylabel="норма градиента (относительная)", title="степени матрицы")
left.legend()
styles = {"простая RNN": "-", "LSTM (по умолчанию)": "--", "LSTM (вентили открыты)": "-.", "обученная CharLSTM": ":"}
for name, values in curves.items():  # стиль линии различает кривые и без цвета
    right.plot(np.arange(len(values)), values / values[0], styles[name], lw=2, label=name)
right.set(yscale="log", xlabel="расстояние k (шагов назад)", ylabel="норма градиента (относительно k = 0)",
          title="как далеко назад доходит градиент?")
right.legend(fontsize=8)
fig.tight_layout()
plt.show()
for name, values in curves.items():
    print(f"{name:>26}: относительный градиент на расстоянии 10: {values[10] / values[0]:.1e}, "
          f"на 50: {values[50] / values[0]:.1e}")

# %% [markdown]
# **Проверка.** Градиент простой RNN затухает экспоненциально: за 50 шагов назад он становится
# на много порядков меньше, чем на последнем шаге. LSTM с открытыми вентилями забывания сохраняет
# полезный градиент на расстоянии 50, в тысячи раз больший, чем у простой RNN.

# %%
rnn_curve, open_curve = curves["простая RNN"], curves["LSTM (вентили открыты)"]
assert rnn_curve[50] < 1e-6 * rnn_curve[0], "градиент простой RNN должен затухать"
assert open_curve[50] > 1e-2 * open_curve[0], "LSTM с открытыми вентилями должна сохранять градиент"
assert open_curve[50] / open_curve[0] > 1e3 * rnn_curve[50] / rnn_curve[0]

# %% [markdown]
# Наша обученная LSTM на Шекспире оказывается посередине: обучение само приоткрыло часть её
# вентилей, и прогноз всё ещё зависит (слабо) от символов 50 шагов назад — гораздо сильнее,
# чем у необученной сети.
#
# Обрезка градиентов (она есть в нашем цикле обучения) ограничивает взрывающиеся градиенты,
# а аддитивное состояние ячейки LSTM (и GRU, её облегчённой родственницы,
# [Cho et al., 2014](https://arxiv.org/abs/1406.1078)) смягчает затухание. Но RNN по-прежнему
# сжимает всё прочитанное в один вектор фиксированного размера и читает строго по порядку, шаг за
# шагом, а на длинных текстах так учиться медленно. **Внимание** (блокнот 07) позволяет каждой
# позиции напрямую заглянуть в любую более раннюю.
#
# ## Итоги
#
# - Рекуррентная ячейка читает последовательность шаг за шагом, $h_t = \tanh(W_{xh}x_t + W_{hh}h_{t-1} + b)$,
#   с одними и теми же весами на каждом шаге; в развёрнутом виде это глубокая сеть с общими весами.
# - Обученная на зашумлённом сезонном сигнале, небольшая RNN прогнозирует на один и на 50 шагов
#   вперёд гораздо лучше, чем «повторить последнее значение».
# - Символьная LSTM на 1 млн символов Шекспира с большим запасом обходит биграммную модель
#   и пишет текст, свёрстанный как пьеса; температура меняет надёжность на разнообразие.
# - Градиенты во времени — произведения якобианов: с расстоянием они экспоненциально затухают или
#   взрываются. Аддитивное состояние ячейки LSTM с вентилями сохраняет их, когда вентиль забывания открыт.
#
# **Дальше:** в блокноте 06 символы сменятся токенами, а смысл слов мы научимся представлять векторами.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: почему LSTM сохраняет градиенты там, где простая RNN их теряет?

# %% [markdown]
# ## Упражнения
#
# ★ проверяет понимание, ★★ требует поменять код, ★★★ — маленькое исследование. Замените каждое `...`,
# выполните ячейку, а затем проверку под ней: она скажет ✓ и почему, или даст подсказку. Эталонные решения —
# в [solutions/05_recurrent_networks.py](../solutions/05_recurrent_networks.py); сначала попробуйте сами.
#

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Упражнения 1 и 2 решаются на бумаге: сделайте их вместе у доски. Упражнение 3 — на дом.

# %%
from utils.exercises import check

# %% [markdown]
# **1. RNN вручную ★.** Один скрытый нейрон, $W_{xh} = 1$, $W_{hh} = 0.5$, смещения нулевые, $h_0 = 0$.
# Вычислите $h_1, h_2, h_3$ для входов $1, 0, 0$ на бумаге, потом с помощью `rnn_forward`. Что происходит
# с памятью о первом входе?

# %%
h_by_hand = ...  # [h1, h2, h3]

# %%
check("05.1", h_by_hand);

# %% [markdown]
# **2. Биграмма вручную ★.** Обучите биграммную модель из раздела 4 на тексте `"ababa"` (словарь: a, b)
# с тем же сглаживанием «плюс один», что и в `bigram_loss_by_hand`. Какую вероятность она даёт «b» после «a»?

# %%
p_b_after_a = ...  # вероятность

# %%
check("05.2", p_b_after_a);

# %% [markdown]
# **3. Сколько живёт один вход? ★★★** Та же RNN с одним нейроном, что в упражнении 1, но на входе 1, а за
# ней 19 нулей. Вычислите $h_{20}$ с помощью `rnn_forward` при $W_{hh} = 0.5$, $0.9$ и $1.5$. Какие веса
# забывают, какие помнят и что именно они помнят? Если хотите, нарисуйте $h_t$ для каждого.

# %%
h20_per_weight = ...  # [h_20 при W_hh = 0.5, 0.9, 1.5]

# %%
check("05.3", h20_per_weight);
