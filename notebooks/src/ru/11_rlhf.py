# %% [markdown]
# # 11 · RLHF с нуля: предпочтения, модель вознаграждения, поводок KL, DPO
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/ru/11_rlhf.ipynb)
#
# **Чему вы научитесь**
# - почему модель, обученная подражать тексту, ещё ничего не *предпочитает*, и из каких трёх шагов состоит InstructGPT;
# - как предпочтения становятся данными: пары ответов, один из которых помечен как лучший;
# - как с нуля обучить модель вознаграждения (reward model) с функцией потерь Брэдли — Терри;
# - как оптимизировать политику (REINFORCE с базовой линией) по этому вознаграждению, удерживая её рядом с исходной моделью штрафом за KL, и что бывает без него (взлом вознаграждения);
# - как DPO учится на тех же парах без модели вознаграждения и без цикла сэмплирования.
#
# **Время:** около 60 минут. **Нужно знать:** блокнот 08 (GPT, сэмплирование).

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
# ## 1. Подражать — не значит предпочитать
#
# Предобученный GPT (блокнот 08) научился одному: предсказывать следующий символ текста, похожего на
# обучающий. Он одинаково копирует и удачные строки, и неудачные: в данных есть и те и другие.
# Дообучение на инструкциях (SFT, блокнот 10) показывает ему примеры хороших ответов, но тоже учит
# только *подражать*. Ничто не говорит модели, что один ответ **лучше** другого.
#
# InstructGPT ([Ouyang et al., 2022](https://arxiv.org/abs/2203.02155)) — рецепт, на котором построен
# ChatGPT, — добавляет этот сигнал за три шага:
#
# 1. **SFT**: дообучить предобученную модель на ответах, написанных людьми;
# 2. **модель вознаграждения**: люди *ранжируют* несколько ответов модели на один и тот же промпт;
#    сеть учится ставить предпочтительным ответам более высокую оценку;
# 3. **RL**: оптимизировать модель так, чтобы она получала высокое вознаграждение (алгоритмом PPO,
#    [Schulman et al., 2017](https://arxiv.org/abs/1707.06347)), со штрафом за уход далеко от модели SFT.
#
# В оценке людьми ответы InstructGPT с 1,3 млрд параметров понравились больше, чем ответы GPT-3
# со 175 млрд (Ouyang et al., 2022, аннотация). Заметьте, чем RLHF *не* является: модель не
# разговаривает с людьми, пока учится. Люди один раз размечают сравнения; дальше модель обучают по
# модели вознаграждения, которая их заменяет.
#
# Шаги 2 и 3 мы построим в масштабе ноутбука. Отправная точка — **предобученный** шекспировский GPT
# из блокнота 08, а не модель из блокнота 10, дообученная на инструкциях: та выучила три жёстких
# формата ответа, а наш разметчик оценивает свободные продолжения реплики — именно их пишет
# предобученная модель. Она будет и нашей **политикой** (policy, модель, которую мы меняем), и
# замороженной **эталонной моделью** (reference).

# %% [markdown]
# ![Конвейер обучения из четырёх блоков: предобучение (блокнот 09) даёт базовую модель, SFT (блокнот 10) подражает ответам, написанным людьми, модель вознаграждения учится на ранжированиях людей, RL с PPO максимизирует вознаграждение на поводке KL; ниже — DPO, который по тем же парам предпочтений заменяет два последних шага](../images/training_pipeline.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: модель, обученная подражать всем своим данным, одинаково копирует удачные и неудачные строки; как сказать ей, какие лучше?
# > Итог: три шага — SFT, модель вознаграждения, RL.

# %%
import copy
import re

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from utils.checkpoints import load_shakespeare_gpt
from utils.models import generate

reference, tokenizer = load_shakespeare_gpt()
for p in reference.parameters():
    p.requires_grad_(False)  # эталонная модель никогда не меняется

PROMPTS = ["ROMEO:\n", "JULIET:\n", "HAMLET:\n", "PORTIA:\n"]
COMPLETION = 32  # сколько символов модель пишет после имени персонажа


def sample(model, prompt, n, generator):
    """n продолжений одного промпта: полные номера токенов (n, промпт+COMPLETION) и тексты продолжений."""
    ids = torch.tensor([tokenizer.encode(prompt)] * n)
    full = generate(model, ids, COMPLETION, temperature=1.0, generator=generator)
    return full, [tokenizer.decode(row[ids.shape[1]:].tolist()) for row in full]


full, texts = sample(reference, "ROMEO:\n", 4, torch.Generator().manual_seed(0))
for text in texts:
    print(repr(text))
assert full.shape == (4, len("ROMEO:\n") + COMPLETION) and len(set(texts)) == 4

# %% [markdown]
# ## 2. Предпочтения как пары
#
# В настоящем RLHF **людей** спрашивают, какой из двух ответов лучше. Людей у нас нет, поэтому их
# роль играет **имитация разметчика** с явно заданным правилом. Ему нравятся продолжения, которые
# звучат *тепло и не обрываются*:
#
# $$ \text{score} = \#\{\text{distinct warm words}\} - \#\{\text{distinct dark words}\} - 0.5\cdot\#\{\text{line breaks}\} $$
#
# (оценка = число разных «тёплых» слов − число разных «мрачных» − 0,5 × число переносов строки;
# тёплые: *love, sweet, fair, joy, gentle, dear...*; мрачные: *death, blood, kill, hate...*; перенос
# строки часто означает, что реплика закончилась). Из двух продолжений разметчик выбирает то, у
# которого оценка выше; ничьи отбрасываются. Модель никогда не видит этого правила — только пары.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: зачем сравнивать два ответа, а не оценивать один? (В сравнениях люди чаще согласны друг с другом.)
# > Итог: наш разметчик — явное правило вместо людей; модель видит только пары.

# %%
WARM = {"love", "loves", "loved", "sweet", "fair", "joy", "gentle", "dear", "kind", "heart", "happy",
        "good", "grace", "merry", "honour", "beauty"}
DARK = {"death", "dead", "die", "blood", "kill", "grave", "hate", "foul", "villain", "murder", "woe",
        "curse", "war", "slain", "tears"}


def words(text):
    return re.findall(r"[a-z]+", text.lower())


def labeller_score(text):
    """Вкус имитированного человека (скрыт от всех моделей)."""
    found = set(words(text))
    return len(found & WARM) - len(found & DARK) - 0.5 * text.count("\n")


generator = torch.Generator().manual_seed(4)
batches = utils.fast(6, 2)  # батчи по 64 образца на каждый промпт
all_full, all_texts = [], []
for _ in tqdm(range(batches), desc="сэмплирование"):
    for prompt in PROMPTS:
        full, texts = sample(reference, prompt, 64, generator)
        all_full.append(full[:, -COMPLETION:])  # храним продолжение; признаки ниже видят и промпт
        all_texts += texts
prompt_of = [p for _ in range(batches) for p in PROMPTS for _ in range(64)]

# соседние образцы одного промпта образуют пару; разметчик выбирает победителя
chosen, rejected = [], []
for i in range(0, len(all_texts), 2):
    a, b = labeller_score(all_texts[i]), labeller_score(all_texts[i + 1])
    if a != b:
        chosen.append(i if a > b else i + 1)
        rejected.append(i + 1 if a > b else i)
chosen, rejected = torch.tensor(chosen), torch.tensor(rejected)
print(f"{len(all_texts)} образцов → {len(chosen)} размеченных пар (ничьи отброшены)")
for c, r in list(zip(chosen, rejected))[:3]:
    print(f"  лучше  {all_texts[c]!r}\n  чем    {all_texts[r]!r}\n")
assert all(labeller_score(all_texts[c]) > labeller_score(all_texts[r]) for c, r in zip(chosen, rejected))

# %% [markdown]
# ## 3. Модель вознаграждения и функция потерь Брэдли — Терри
#
# Модель вознаграждения $r(x)$ ставит продолжению одно число. Брэдли и Терри
# ([1952](https://doi.org/10.2307/2334029)) описали вероятность того, что $x_w$ предпочтут $x_l$, так:
#
# $$ P(x_w \succ x_l) = \sigma\big(r(x_w) - r(x_l)\big), \qquad
#    \mathcal{L}_\text{RM} = -\log \sigma\big(r(x_w) - r(x_l)\big). $$
#
# Значение имеют только разности вознаграждений. Как и в InstructGPT, наша модель вознаграждения
# берёт признаки самой языковой модели: замороженный GPT читает промпт и продолжение, небольшая
# голова-MLP оценивает каждую позицию продолжения, а вознаграждение — среднее этих оценок.
# 20 % пар мы откладываем для проверки.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: если оба вознаграждения вырастут на 10, изменится ли функция потерь Брэдли — Терри? (Нет: важны только разности.)
# > Итог: модель вознаграждения усвоила вкус неточно; с этого зазора и начинаются неприятности.

# %%
def features(model, full):
    """Последние скрытые состояния GPT (после его последнего LayerNorm): full (batch, time) -> (batch, time, channels)."""
    x = model.token_embedding(full) + model.position_embedding(torch.arange(full.shape[1]))
    for block in model.blocks:
        x = block(x)
    return model.ln_f(x)


prompt_ids = {p: torch.tensor(tokenizer.encode(p)) for p in PROMPTS}
with torch.no_grad():
    sample_features = torch.cat([
        features(reference, torch.cat([prompt_ids[prompt_of[i]].expand(64, -1), completions], 1))[:, -COMPLETION:]
        for i, completions in zip(range(0, len(all_texts), 64), all_full)])

torch.manual_seed(4)
reward_head = torch.nn.Sequential(torch.nn.Linear(128, 64), torch.nn.GELU(), torch.nn.Linear(64, 1))


def reward_of(feats):
    """feats: (batch, COMPLETION, channels) -> одно вознаграждение на продолжение (batch,)."""
    return reward_head(feats).squeeze(-1).mean(-1)


n_train = int(0.8 * len(chosen))
train_c, train_r, held_c, held_r = chosen[:n_train], rejected[:n_train], chosen[n_train:], rejected[n_train:]
optimizer = torch.optim.Adam(reward_head.parameters(), lr=1e-2, weight_decay=1e-3)
rm_losses = []
train_features_c, train_features_r = sample_features[train_c], sample_features[train_r]  # собраны один раз, а не на каждом шаге
for _ in range(200):
    margin = reward_of(train_features_c) - reward_of(train_features_r)
    loss = -F.logsigmoid(margin).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    rm_losses.append(loss.item())
for p in reward_head.parameters():
    p.requires_grad_(False)

with torch.no_grad():
    held_accuracy = (reward_of(sample_features[held_c]) > reward_of(sample_features[held_r])).float().mean().item()
    train_accuracy = (reward_of(sample_features[train_c]) > reward_of(sample_features[train_r])).float().mean().item()
    all_rewards = reward_of(sample_features)
    rm_mean, rm_std = all_rewards.mean(), all_rewards.std()
print(f"потери Брэдли — Терри {rm_losses[0]:.3f} → {rm_losses[-1]:.3f}; точность на парах: обучающих {train_accuracy:.0%}, "
      f"отложенных {held_accuracy:.0%} из {len(held_c)} пар (наугад: 50%)")
assert abs(rm_losses[0] - 0.6931) < 0.05  # необученная голова даёт почти равные вознаграждения: -log σ(0) = ln 2
assert rm_losses[-1] < rm_losses[0] * 0.8
assert held_accuracy > 0.6, "модель вознаграждения должна упорядочивать новые пары заметно лучше монетки"

# %% [markdown]
# Модель вознаграждения усвоила вкус разметчика по нескольким сотням пар, но неточно: новые пары она
# упорядочивает гораздо лучше случайного, хотя и далеко не всегда верно. С этого зазора и начинаются
# неприятности. Её выход мы стандартизируем на образцах эталонной модели (среднее 0, стандартное
# отклонение 1), чтобы «вознаграждение +1» означало «на одно стандартное отклонение лучше, чем модель
# была исходно».

# %%
def learned_reward(full):
    """Стандартизированная оценка модели вознаграждения для каждого продолжения: full (batch, time) -> (batch,)."""
    with torch.no_grad():
        return (reward_of(features(reference, full)[:, -COMPLETION:]) - rm_mean) / rm_std


# %% [markdown]
# ## 4. Оптимизация политики на поводке KL
#
# Теперь будем менять политику $\pi_\theta$, чтобы получать больше вознаграждения. Для продолжения
# $y$ промпта $x$ цель InstructGPT (вслед за [Ziegler et al., 2019](https://arxiv.org/abs/1909.08593))
# такова:
#
# $$ R(x, y) = r(x, y) - \beta \sum_t \log\frac{\pi_\theta(y_t \mid x, y_{<t})}{\pi_\text{ref}(y_t \mid x, y_{<t})}. $$
#
# Сумма — это **штраф за KL** по токенам: её среднее по образцам равно расхождению
# Кульбака — Лейблера (KL divergence) между политикой и замороженной эталонной моделью. Это и есть
# поводок: модель вознаграждения обучена на текстах, похожих на тексты эталонной модели, и доверять
# ей можно только рядом с ними.
#
# Максимизируем $\mathbb{E}[R]$ алгоритмом **REINFORCE** ([Williams, 1992](https://doi.org/10.1007/BF00992696)):
# сэмплируем продолжения и поднимаем логарифм вероятности каждого пропорционально его *преимуществу*
# (advantage) $A = R - b$, где базовая линия (baseline) $b$ — среднее по батчу (она уменьшает шум,
# но не меняет направление):
#
# $$ \mathcal{L} = -\frac{1}{B}\sum_i A_i \sum_t \log \pi_\theta(y_{i,t} \mid \dots). $$
#
# PPO добавляет обрезанное отношение вероятностей, чтобы несколько обновлений могли использовать
# один и тот же батч; REINFORCE — та же идея в простейшем виде.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: зачем держать политику рядом с эталонной моделью?
# > Запуск рисует вознаграждение и KL вживую и идёт какое-то время: комментируйте обе кривые, пока они движутся.

# %%
def token_logprobs(model, full):
    """log π(y_t | ...) для каждого токена продолжения: full (batch, time) -> (batch, COMPLETION)."""
    logits, _ = model(full[:, :-1])
    logprobs = torch.log_softmax(logits[:, -COMPLETION:], dim=-1)
    return logprobs.gather(-1, full[:, -COMPLETION:, None]).squeeze(-1)


def distinct_ngrams(texts, n=4):
    """Доля различных символьных n-грамм в батче: 1 — все разные, около 0 — повторы."""
    grams = [t[i:i + n] for t in texts for i in range(len(t) - n + 1)]
    return len(set(grams)) / max(1, len(grams))


def rows(full, texts):
    rewards = learned_reward(full)
    return [(t, float(r), labeller_score(t)) for t, r in zip(texts, rewards)]


# %%
# Образцы эталонной модели («до») одинаковы для всех запусков: берём их один раз.
before_rows = rows(*sample(reference, "ROMEO:\n", 64, torch.Generator().manual_seed(99)))


def rl_finetune(beta, steps, batch_size, lr, seed=4, live=None):
    """REINFORCE с базовой линией — средним по батчу — и штрафом за KL по токенам; возвращает историю запуска."""
    policy = copy.deepcopy(reference)
    for p in policy.parameters():
        p.requires_grad_(True)
    optimizer = torch.optim.Adam(policy.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    history = {"beta": beta, "reward": [], "kl": [], "true": [], "distinct": []}
    for step in tqdm(range(steps), desc=f"RL, β={beta:g}", mininterval=1.0):
        full, texts = sample(policy, PROMPTS[step % len(PROMPTS)], batch_size, generator)
        reward = learned_reward(full)
        with torch.no_grad():
            reference_logprobs = token_logprobs(reference, full)
        logprobs = token_logprobs(policy, full)
        kl = (logprobs.detach() - reference_logprobs).sum(-1)        # на последовательность, сумма по токенам
        total = reward - beta * kl
        advantage = (total - total.mean()) / (total.std() + 1e-6)    # базовая линия; масштаб — для ровного шага
        loss = -(advantage * logprobs.sum(-1)).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history["reward"].append(reward.mean().item())
        history["kl"].append(kl.mean().item())
        history["true"].append(sum(map(labeller_score, texts)) / len(texts))
        history["distinct"].append(distinct_ngrams(texts))
        if live is not None:
            live(history)
    eval_generator = torch.Generator().manual_seed(99)
    full, texts = sample(policy, "ROMEO:\n", 64, eval_generator)
    history["after"] = rows(full, texts)
    history["final_distinct"] = distinct_ngrams(texts)
    history["final_true"] = sum(map(labeller_score, texts)) / len(texts)
    history["final_reward"] = learned_reward(full).mean().item()
    history["before"] = before_rows
    history["policy"] = policy
    return history


# %% [markdown]
# Один запуск; вознаграждение и KL рисуются вживую, пока он обучается:

# %%
import ipywidgets as widgets
from IPython.display import display

from utils.widgets import figure_to_png, new_figure

RL_STEPS, RL_BATCH, RL_LR = utils.fast(40, 6), utils.fast(16, 8), utils.fast(3e-4, 1e-3)
live_fig = new_figure(640, 260)
ax_reward, ax_kl = live_fig.add_subplot(1, 2, 1), live_fig.add_subplot(1, 2, 2)
(reward_line,) = ax_reward.plot([], [], color="#d95f02", label="выученное вознаграждение (левая ось)")
(kl_line,) = ax_kl.plot([], [], color="#1b9e77")
ax_true = ax_reward.twinx()   # собственная оценка разметчика на своей шкале: идёт ли она за вознаграждением?
(true_line,) = ax_true.plot([], [], color="#7570b3", ls="--", label="истинная оценка разметчика (правая ось)")
ax_true.set_ylabel("истинная оценка", color="#7570b3")
ax_true.grid(False)
ax_reward.legend(handles=[reward_line, true_line], fontsize=7, loc="lower left", bbox_to_anchor=(-0.02, 1.0),
                 frameon=False)  # над кривыми, а не поверх них
ax_reward.set(xlim=(0, RL_STEPS), xlabel="шаг", ylabel="выученное вознаграждение\n(в ст. откл.)")
ax_kl.set(xlim=(0, RL_STEPS), xlabel="шаг", ylabel="KL до эталона (наты)")
live_fig.tight_layout()
live_image = widgets.Image(format="png")
display(live_image)


def draw_live(history):
    steps = range(1, len(history["reward"]) + 1)
    reward_line.set_data(steps, history["reward"])
    kl_line.set_data(steps, history["kl"])
    true_line.set_data(steps, history["true"])
    for ax in (ax_reward, ax_kl, ax_true):
        ax.relim()
        ax.autoscale_view(scalex=False)
    live_image.value = figure_to_png(live_fig)


BETA = 0.1
leashed = rl_finetune(BETA, RL_STEPS, RL_BATCH, RL_LR, live=draw_live)
first, last = slice(0, 3), slice(-3, None)
mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
print(f"β={BETA}: выученное вознаграждение {mean(leashed['reward'][first]):+.2f} → {mean(leashed['reward'][last]):+.2f}, "
      f"KL {mean(leashed['kl'][first]):.2f} → {mean(leashed['kl'][last]):.2f} нат, "
      f"оценка разметчика {mean(leashed['true'][first]):+.2f} → {mean(leashed['true'][last]):+.2f}")
assert mean(leashed["reward"][last]) > mean(leashed["reward"][first]), "вознаграждение должно расти"
assert leashed["final_reward"] > mean([r for _, r, _ in leashed["before"]]), "политика должна обойти эталонную модель"
live_fig  # noqa: B018

# %% [markdown]
# ## 5. Взлом вознаграждения: снимаем поводок
#
# Модель вознаграждения — всего лишь *модель* разметчика. Если оптимизировать её достаточно сильно,
# вдали от текстов, на которых она обучена, политика найдёт то, что модель вознаграждения любит по
# ошибке. Это называют взломом вознаграждения (reward hacking). При $\beta = 0$ политику ничто не
# удерживает. Обучим тот же цикл при нескольких β и сравним.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** До запуска попросите группу предсказать, что будет при $\beta = 0$.
# > Запуски при нескольких β в полном режиме занимают минуты; если времени мало, покажите виджет со следующего слайда.

# %%
BETAS = [0.0, BETA, utils.fast(0.5, 0.5)]
runs = {BETA: leashed}
for beta in BETAS:
    if beta not in runs:
        runs[beta] = rl_finetune(beta, RL_STEPS, RL_BATCH, RL_LR)
before_distinct = distinct_ngrams([t for t, _, _ in leashed["before"]])
before_true = mean([s for _, _, s in leashed["before"]])
print(f"эталон: выученное вознаграждение +0.00 (по построению)  разметчик {before_true:+.2f}  различных 4-грамм {before_distinct:.2f}")
for text, rm, true in runs[0.0]["after"][:4]:
    print(f"  образец при β=0: {text!r}  RM {rm:+.1f}, разметчик {true:+.1f}")

# Итоговая политика каждого β: как далеко она ушла от эталонной модели (KL) и что думают о её образцах
# модель вознаграждения и разметчик. Взлом вознаграждения — это разрыв: выученное вознаграждение растёт, истинная оценка — нет.
beta_fig = new_figure(560, 280)
ax_learned, ax_labeller = beta_fig.subplots(1, 2, sharex=True)
for ax, key, colour, marker, name in ((ax_learned, "final_reward", "#d95f02", "o", "выученное вознаграждение (в ст. откл.)"),
                                      (ax_labeller, "final_true", "#7570b3", "s", "истинная оценка разметчика")):
    ax.scatter([0], [0.0 if key == "final_reward" else before_true], color="black", marker=marker, zorder=3)
    ax.annotate("эталон", (0, 0.0 if key == "final_reward" else before_true), xytext=(5, 5),
                textcoords="offset points", fontsize=8)
    for b in BETAS:
        ax.scatter(runs[b]["kl"][-1], runs[b][key], color=colour, marker=marker, s=50, zorder=3)
        ax.annotate(f"β={b:g}", (runs[b]["kl"][-1], runs[b][key]), xytext=(5, 5), textcoords="offset points", fontsize=8)
    ax.set(xlabel="KL до эталона в конце (наты)", title=name)
    ax.title.set_fontsize(10)
beta_fig.tight_layout()
beta_fig

# %%
hacked = runs[0.0]
assert hacked["final_distinct"] < before_distinct, "без поводка политика повторяется"
assert hacked["kl"][-1] > runs[BETAS[-1]]["kl"][-1], "больший β должен держать политику ближе к эталонной модели"

# %% [markdown]
# ## 6. Запуски рядом друг с другом
#
# Ползунок выбирает β. Слева сверху — выученное вознаграждение по шагам и истинная оценка
# разметчика (пунктир, правая ось); слева снизу — KL до эталонной модели (серым — остальные запуски,
# у каждого подписан его β). Справа — образцы эталонной модели («до») и политики этого запуска
# («после») с оценкой модели вознаграждения (RM, в стандартных отклонениях) и собственной оценкой
# разметчика (истинной). Прочитайте образцы при β = 0 вместе с обеими оценками: где RM высокая, а
# истинная нет, политика нашла то, что модель вознаграждения любит по ошибке. Это и есть взлом
# вознаграждения.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Пусть кто-нибудь из группы двигает ползунок β и читает образцы вслух, сравнивая оценку RM с истинной оценкой разметчика.
# > Итог: выученное вознаграждение растёт, а истинная оценка падает — это и есть взлом вознаграждения.

# %%
from utils.widgets import RLHFRunsView

slider_runs = [{k: v for k, v in runs[b].items() if k != "policy"} for b in BETAS]
RLHFRunsView(slider_runs, beta=0.0)

# %% [markdown]
# ## 7. DPO: те же пары, без модели вознаграждения и без сэмплирования
#
# Рафаилов и соавторы ([2023](https://arxiv.org/abs/2305.18290)) показали, что у KL-регуляризованной
# цели выше есть наилучшая политика в замкнутом виде и что вознаграждение можно записать через саму
# политику: $r(x, y) = \beta \log \frac{\pi_\theta(y\mid x)}{\pi_\text{ref}(y\mid x)} + \text{const}$.
# Подставим это в функцию потерь Брэдли — Терри, и модель вознаграждения исчезнет:
#
# $$ \mathcal{L}_\text{DPO} = -\log\sigma\Big(\beta\big[\log\tfrac{\pi_\theta(y_w)}{\pi_\text{ref}(y_w)} - \log\tfrac{\pi_\theta(y_l)}{\pi_\text{ref}(y_l)}\big]\Big). $$
#
# В начале $\pi_\theta = \pi_\text{ref}$, скобка равна 0, и потери равны ровно $\ln 2$.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: чему равны потери DPO в начале, когда политика совпадает с эталонной моделью? ($\ln 2$.)
# > Итог: DPO оптимизирует ту же цель прямо по парам, без модели вознаграждения и без сэмплирования.

# %%
def sequence_logprob(model, prompts, completions):
    """Сумма log π по токенам продолжения: prompts list[str], completions (batch, COMPLETION) -> (batch,)."""
    result = torch.zeros(len(prompts))
    lengths = [len(prompt_ids[p]) for p in prompts]
    for length in set(lengths):  # позиции должны совпадать: по батчу на длину промпта
        rows_of = torch.tensor([i for i, n in enumerate(lengths) if n == length])
        full = torch.cat([torch.stack([prompt_ids[prompts[i]] for i in rows_of]), completions[rows_of]], dim=1)
        result = result.index_put((rows_of,), token_logprobs(model, full).sum(-1))
    return result


all_completions = torch.cat(all_full)
train_prompts = [prompt_of[i] for i in train_c.tolist()]  # оба продолжения пары написаны к одному промпту
assert train_prompts == [prompt_of[i] for i in train_r.tolist()]


def pair_logprobs(model, pairs):
    """log π предпочтённого и отвергнутого продолжений обучающих пар: pairs (batch,) -> два (batch,)."""
    prompts = [train_prompts[i] for i in pairs]
    both = sequence_logprob(model, prompts + prompts,
                            torch.cat([all_completions[train_c[pairs]], all_completions[train_r[pairs]]]))
    return both[:len(pairs)], both[len(pairs):]


with torch.no_grad():
    ref_c, ref_r = pair_logprobs(reference, torch.arange(len(train_c)))

DPO_BETA, DPO_STEPS = 0.1, utils.fast(40, 8)
dpo_policy = copy.deepcopy(reference)
for p in dpo_policy.parameters():
    p.requires_grad_(True)
optimizer = torch.optim.Adam(dpo_policy.parameters(), lr=utils.fast(1e-4, 3e-4))
dpo_losses, dpo_margins = [], []
batch_generator = torch.Generator().manual_seed(4)
for _ in tqdm(range(DPO_STEPS), desc="DPO", mininterval=1.0):
    batch = torch.randint(0, len(train_c), (min(32, len(train_c)),), generator=batch_generator)
    pol_c, pol_r = pair_logprobs(dpo_policy, batch)  # на шаге 0 политика = эталон: потери ровно ln 2 на любом батче
    margin = (pol_c - ref_c[batch]) - (pol_r - ref_r[batch])
    loss = -F.logsigmoid(DPO_BETA * margin).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    dpo_losses.append(loss.item())

with torch.no_grad():
    pol_c, pol_r = pair_logprobs(dpo_policy, torch.arange(len(train_c)))
    margin_after = (pol_c - ref_c) - (pol_r - ref_r)
    full, texts = sample(dpo_policy, "ROMEO:\n", 64, torch.Generator().manual_seed(99))
dpo_true = mean([labeller_score(t) for t in texts])
print(f"потери DPO {dpo_losses[0]:.4f} (ln 2 = {torch.log(torch.tensor(2.0)):.4f}) → {mean(dpo_losses[-5:]):.4f}; "
      f"прирост log-вероятности предпочтённых относительно отвергнутых {margin_after.mean():+.2f} нат; оценка разметчика "
      f"образцов {before_true:+.2f} → {dpo_true:+.2f}; различных 4-грамм {distinct_ngrams(texts):.2f}")
assert abs(dpo_losses[0] - torch.log(torch.tensor(2.0)).item()) < 1e-5, "политика = эталон даёт ln 2"
assert margin_after.mean() > 0, "предпочтённые продолжения должны набрать log-вероятность относительно отвергнутых"

# %% [markdown]
# **RL против DPO.** Циклу RL нужны модель вознаграждения, свежие образцы на каждом шаге (генерация —
# самая медленная часть) и эталонная модель в памяти; он может исследовать то, чего нет в размеченных
# парах, — так же он и взламывает вознаграждение. DPO — обычное обучение с учителем на парах: один
# прямой проход на продолжение для политики и для эталонной модели, без сэмплирования и без модели
# вознаграждения, и он остаётся близко к данным ему парам. Так выравнивали и открытые модели,
# например Zephyr-7B ([Tunstall et al., 2023](https://arxiv.org/abs/2310.16944)).
#
# ## Итоги
#
# - Предобучение и SFT учат подражанию; предпочтения (A лучше B) учат тому, что *нужно*.
# - Модель вознаграждения превращает пары в оценку с помощью функции потерь Брэдли — Терри $-\log\sigma(r_w - r_l)$.
# - RL (здесь REINFORCE, в InstructGPT — PPO) поднимает эту оценку; штраф за KL по токенам держит
#   политику рядом с эталонной моделью, где модели вознаграждения можно доверять.
# - Без поводка (β = 0) политика взламывает модель вознаграждения: вознаграждение растёт, а текст
#   превращается в повторы.
# - DPO оптимизирует ту же цель прямо по парам; его потери начинаются с $\ln 2$.
#
# **Дальше:** в блокноте 12 — настоящие большие модели, дообученные на инструкциях.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Спросите: что идёт не так без поводка KL и как DPO обходится без модели вознаграждения?

# %% [markdown]
# ## Упражнения
#
# ★ проверяет понимание, ★★ меняет код, ★★★ — небольшое исследование. Замените каждое `...`,
# запустите ячейку, затем проверку под ней: она скажет ✓ и почему — или даст подсказку. Решения —
# в [solutions/11_rlhf.py](../solutions/11_rlhf.py); сначала попробуйте сами.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Преподавателю:** Упражнения 1 и 2 быстро решаются в классе на бумаге; упражнение 3 заново обучает модель, поэтому задайте его на дом.

# %%
from utils.exercises import check

# %% [markdown]
# **1. DPO до обучения ★.** Чему равны потери DPO самой *эталонной* модели на любых парах? Выведите это
# из формулы раздела 7, затем вычислите на отложенных парах (`held_c`, `held_r`) с помощью
# `sequence_logprob` и убедитесь.

# %%
dpo_at_reference = ...  # число

# %%
check("11.1", dpo_at_reference);

# %% [markdown]
# **2. Брэдли — Терри вручную ★.** Модель вознаграждения ставит выбранному ответу 2,0, а отвергнутому 0,5.
# Какую вероятность она даёт событию «выбранный ответ предпочтён» и каковы потери Брэдли — Терри на этой
# паре? Что станет с тем и другим, если прибавить 10 к обоим вознаграждениям?

# %%
preference = ...  # (вероятность, потери)

# %%
check("11.2", preference);

# %% [markdown]
# **3. Поводок покороче ★★★.** Запустите `rl_finetune(2.0, RL_STEPS, RL_BATCH, RL_LR)` и сравните итоговый KL
# с KL запуска при β = 0 (`runs[0.0]["kl"][-1]`). Сравните также вознаграждения и образцы: чего стоил
# поводок и от чего он уберёг?

# %%
final_kls = ...  # (итоговый KL при β = 0, итоговый KL при β = 2)

# %%
check("11.3", final_kls);
