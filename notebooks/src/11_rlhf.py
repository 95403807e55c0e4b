# %% [markdown]
# # 11 · RLHF from scratch: preferences, a reward model, a KL leash, DPO
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/11_rlhf.ipynb)
#
# **What you will learn**
# - why a model trained to imitate text does not yet *prefer* anything, and the three steps of InstructGPT;
# - how preferences become data: pairs of answers, one marked better;
# - a reward model trained with the Bradley–Terry loss, from scratch;
# - policy optimisation (REINFORCE with a baseline) against that reward, held near the original model by a KL penalty, and what happens without it (reward hacking);
# - DPO, which learns from the same pairs with no reward model and no sampling loop.
#
# **Time:** about 60 minutes. **Needs:** notebook 08 (GPT, sampling).

# %%
# Setup (the same cell in every notebook): on Colab it first installs the course's `utils` package.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "nn-course @ git+https://github.com/nn-course/nn-course"], check=True)
import utils

utils.setup()

# %% [markdown]
# ## 1. Imitating is not preferring
#
# A pretrained GPT (notebook 08) learned one thing: to predict the next character of text like its
# training text. It copies good lines and bad lines alike, because both are in the data. Instruction
# fine-tuning (SFT, notebook 10) shows it examples of good answers, but still only teaches it to
# *imitate*. Nothing tells the model that one answer is **better** than another.
#
# InstructGPT ([Ouyang et al., 2022](https://arxiv.org/abs/2203.02155)), the recipe behind ChatGPT,
# adds that signal in three steps:
#
# 1. **SFT**: fine-tune the pretrained model on answers written by people;
# 2. **reward model**: people *rank* several answers of the model to the same prompt; a network learns
#    to give preferred answers a higher score;
# 3. **RL**: optimise the model to get a high reward (with PPO, [Schulman et al., 2017](https://arxiv.org/abs/1707.06347)),
#    with a penalty for drifting far from the SFT model.
#
# In their human evaluation, outputs of the 1.3 B-parameter InstructGPT were preferred to those of
# the 175 B GPT-3 (Ouyang et al., 2022, abstract). Note what RLHF is *not*: the model does not chat
# with people while it learns. People label comparisons once; the model is then trained against
# the reward model, which stands in for them.
#
# We build steps 2 and 3 at laptop scale. Our starting point is the **pretrained** Shakespeare GPT
# of notebook 08, not notebook 10's instruction-tuned model: that one learned three fixed answer
# formats, while our labeller judges free continuations of a speech, which is what the pretrained
# model writes. It is both our **policy** (the model we change) and the frozen **reference**.

# %% [markdown]
# ![The training pipeline as four boxes: pretraining (notebook 09) gives a base model, SFT (notebook 10) imitates answers written by people, a reward model learns from people's rankings, RL with PPO maximises the reward on a KL leash; below, DPO uses the same preference pairs to replace the last two steps](../images/training_pipeline.png)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: a model trained to imitate all of its data copies good and bad lines alike; how would you tell it which is better?
# > Land: the three steps, SFT, reward model, RL.

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
    p.requires_grad_(False)  # the reference never changes

PROMPTS = ["ROMEO:\n", "JULIET:\n", "HAMLET:\n", "PORTIA:\n"]
COMPLETION = 32  # characters the model writes after a speaker's name


def sample(model, prompt, n, generator):
    """n completions of one prompt: full token ids (n, prompt+COMPLETION) and the completion texts."""
    ids = torch.tensor([tokenizer.encode(prompt)] * n)
    full = generate(model, ids, COMPLETION, temperature=1.0, generator=generator)
    return full, [tokenizer.decode(row[ids.shape[1]:].tolist()) for row in full]


full, texts = sample(reference, "ROMEO:\n", 4, torch.Generator().manual_seed(0))
for text in texts:
    print(repr(text))
assert full.shape == (4, len("ROMEO:\n") + COMPLETION) and len(set(texts)) == 4

# %% [markdown]
# ## 2. Preferences as pairs
#
# Real RLHF asks **people** which of two answers is better. We have no people in the loop, so a
# **simulated labeller** with a stated rule plays their part. It prefers completions that are
# *warm and keep talking*:
#
# $$ \text{score} = \#\{\text{distinct warm words}\} - \#\{\text{distinct dark words}\} - 0.5\cdot\#\{\text{line breaks}\} $$
#
# (warm: *love, sweet, fair, joy, gentle, dear...*; dark: *death, blood, kill, hate...*; a line break
# often means the speech ends). Of two completions it prefers the one with the higher score; ties
# are dropped. The model never sees this rule, only the pairs.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: why compare two answers instead of scoring one? (People agree more on comparisons.)
# > Land: our labeller is a stated rule standing in for people; the model only ever sees the pairs.

# %%
WARM = {"love", "loves", "loved", "sweet", "fair", "joy", "gentle", "dear", "kind", "heart", "happy",
        "good", "grace", "merry", "honour", "beauty"}
DARK = {"death", "dead", "die", "blood", "kill", "grave", "hate", "foul", "villain", "murder", "woe",
        "curse", "war", "slain", "tears"}


def words(text):
    return re.findall(r"[a-z]+", text.lower())


def labeller_score(text):
    """The simulated person's taste (hidden from every model)."""
    found = set(words(text))
    return len(found & WARM) - len(found & DARK) - 0.5 * text.count("\n")


generator = torch.Generator().manual_seed(4)
batches = utils.fast(6, 2)  # batches of 64 samples per prompt
all_full, all_texts = [], []
for _ in tqdm(range(batches), desc="sampling"):
    for prompt in PROMPTS:
        full, texts = sample(reference, prompt, 64, generator)
        all_full.append(full[:, -COMPLETION:])  # keep the completion; features below see the prompt too
        all_texts += texts
prompt_of = [p for _ in range(batches) for p in PROMPTS for _ in range(64)]

# consecutive samples of the same prompt form a pair; the labeller picks the winner
chosen, rejected = [], []
for i in range(0, len(all_texts), 2):
    a, b = labeller_score(all_texts[i]), labeller_score(all_texts[i + 1])
    if a != b:
        chosen.append(i if a > b else i + 1)
        rejected.append(i + 1 if a > b else i)
chosen, rejected = torch.tensor(chosen), torch.tensor(rejected)
print(f"{len(all_texts)} samples → {len(chosen)} labelled pairs (ties dropped)")
for c, r in list(zip(chosen, rejected))[:3]:
    print(f"  preferred {all_texts[c]!r}\n  over      {all_texts[r]!r}\n")
assert all(labeller_score(all_texts[c]) > labeller_score(all_texts[r]) for c, r in zip(chosen, rejected))

# %% [markdown]
# ## 3. A reward model with the Bradley–Terry loss
#
# The reward model $r(x)$ gives a completion one number. Bradley and Terry
# ([1952](https://doi.org/10.2307/2334029)) modelled the chance that $x_w$ is preferred to $x_l$ as
#
# $$ P(x_w \succ x_l) = \sigma\big(r(x_w) - r(x_l)\big), \qquad
#    \mathcal{L}_\text{RM} = -\log \sigma\big(r(x_w) - r(x_l)\big). $$
#
# Only differences of rewards matter. Like InstructGPT, our reward model reuses the language
# model's own features: the frozen GPT reads prompt + completion, and a small MLP head scores each
# completion position; the reward is the mean of those scores. We hold out 20 % of the pairs.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: if both rewards rise by 10, does the Bradley–Terry loss change? (No: only differences count.)
# > Land: the reward model learned the taste imperfectly; that gap is where trouble starts.

# %%
def features(model, full):
    """Final hidden states of the GPT (its last LayerNorm): full (batch, time) -> (batch, time, channels)."""
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
    """feats: (batch, COMPLETION, channels) -> one reward per completion (batch,)."""
    return reward_head(feats).squeeze(-1).mean(-1)


n_train = int(0.8 * len(chosen))
train_c, train_r, held_c, held_r = chosen[:n_train], rejected[:n_train], chosen[n_train:], rejected[n_train:]
optimizer = torch.optim.Adam(reward_head.parameters(), lr=1e-2, weight_decay=1e-3)
rm_losses = []
train_features_c, train_features_r = sample_features[train_c], sample_features[train_r]  # gathered once, not at every step
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
print(f"Bradley–Terry loss {rm_losses[0]:.3f} → {rm_losses[-1]:.3f}; pair accuracy: train {train_accuracy:.0%}, "
      f"held-out {held_accuracy:.0%} of {len(held_c)} pairs (chance: 50%)")
assert abs(rm_losses[0] - 0.6931) < 0.05  # an untrained head gives ~equal rewards: -log σ(0) = ln 2
assert rm_losses[-1] < rm_losses[0] * 0.8
assert held_accuracy > 0.6, "the reward model should rank unseen pairs clearly better than a coin"

# %% [markdown]
# The reward model learned the labeller's taste from a few hundred pairs, imperfectly: it ranks
# unseen pairs well above chance but far from always right. That gap is where trouble starts.
# We standardise its output on the reference model's samples (mean 0, standard deviation 1), so
# that "reward +1" means "one standard deviation better than the model as it was".

# %%
def learned_reward(full):
    """Standardised reward-model score of each completion: full (batch, time) -> (batch,)."""
    with torch.no_grad():
        return (reward_of(features(reference, full)[:, -COMPLETION:]) - rm_mean) / rm_std


# %% [markdown]
# ## 4. Policy optimisation with a KL leash
#
# Now we change the policy $\pi_\theta$ to get higher reward. For a completion $y$ of prompt $x$ the
# objective of InstructGPT (following [Ziegler et al., 2019](https://arxiv.org/abs/1909.08593)) is
#
# $$ R(x, y) = r(x, y) - \beta \sum_t \log\frac{\pi_\theta(y_t \mid x, y_{<t})}{\pi_\text{ref}(y_t \mid x, y_{<t})}. $$
#
# The sum is a per-token **KL penalty**: its average over samples is the KL divergence between the
# policy and the frozen reference. It is the leash: the reward model was trained on text like the
# reference's, and is only trustworthy near it.
#
# We maximise $\mathbb{E}[R]$ with **REINFORCE** ([Williams, 1992](https://doi.org/10.1007/BF00992696)):
# sample completions, and push up the log-probability of each in proportion to its *advantage*
# $A = R - b$, where the baseline $b$ is the batch mean (it lowers the noise, not the direction):
#
# $$ \mathcal{L} = -\frac{1}{B}\sum_i A_i \sum_t \log \pi_\theta(y_{i,t} \mid \dots). $$
#
# PPO adds a clipped ratio so that several updates can reuse one batch; REINFORCE is the same idea
# in its simplest form.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: why keep the policy near the reference model?
# > The run draws reward and KL live and takes a while: narrate the two curves as they move.

# %%
def token_logprobs(model, full):
    """log π(y_t | ...) of each completion token: full (batch, time) -> (batch, COMPLETION)."""
    logits, _ = model(full[:, :-1])
    logprobs = torch.log_softmax(logits[:, -COMPLETION:], dim=-1)
    return logprobs.gather(-1, full[:, -COMPLETION:, None]).squeeze(-1)


def distinct_ngrams(texts, n=4):
    """Share of distinct character n-grams across a batch: 1 = all different, near 0 = repetition."""
    grams = [t[i:i + n] for t in texts for i in range(len(t) - n + 1)]
    return len(set(grams)) / max(1, len(grams))


def rows(full, texts):
    rewards = learned_reward(full)
    return [(t, float(r), labeller_score(t)) for t, r in zip(texts, rewards)]


# %%
# The reference's samples ("before") are the same for every run: draw them once.
before_rows = rows(*sample(reference, "ROMEO:\n", 64, torch.Generator().manual_seed(99)))


def rl_finetune(beta, steps, batch_size, lr, seed=4, live=None):
    """REINFORCE with a batch-mean baseline and a per-token KL penalty; returns the run's history."""
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
        kl = (logprobs.detach() - reference_logprobs).sum(-1)        # per sequence, summed over tokens
        total = reward - beta * kl
        advantage = (total - total.mean()) / (total.std() + 1e-6)    # baseline; scale for a steady step
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
# One run, with the reward and the KL drawn live while it trains:

# %%
import ipywidgets as widgets
from IPython.display import display

from utils.widgets import figure_to_png, new_figure

RL_STEPS, RL_BATCH, RL_LR = utils.fast(40, 6), utils.fast(16, 8), utils.fast(3e-4, 1e-3)
live_fig = new_figure(640, 260)
ax_reward, ax_kl = live_fig.add_subplot(1, 2, 1), live_fig.add_subplot(1, 2, 2)
(reward_line,) = ax_reward.plot([], [], color="#d95f02", label="learned reward (left axis)")
(kl_line,) = ax_kl.plot([], [], color="#1b9e77")
ax_true = ax_reward.twinx()   # the labeller's own score, on its own scale: does it follow the reward?
(true_line,) = ax_true.plot([], [], color="#7570b3", ls="--", label="labeller's true score (right axis)")
ax_true.set_ylabel("labeller's true score", color="#7570b3")
ax_true.grid(False)
ax_reward.legend(handles=[reward_line, true_line], fontsize=7, loc="lower left", bbox_to_anchor=(-0.02, 1.0),
                 frameon=False)  # above the curves, not on them
ax_reward.set(xlim=(0, RL_STEPS), xlabel="step", ylabel="learned reward\n(std units)")
ax_kl.set(xlim=(0, RL_STEPS), xlabel="step", ylabel="KL to reference (nats)")
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
print(f"β={BETA}: learned reward {mean(leashed['reward'][first]):+.2f} → {mean(leashed['reward'][last]):+.2f}, "
      f"KL {mean(leashed['kl'][first]):.2f} → {mean(leashed['kl'][last]):.2f} nats, "
      f"labeller score {mean(leashed['true'][first]):+.2f} → {mean(leashed['true'][last]):+.2f}")
assert mean(leashed["reward"][last]) > mean(leashed["reward"][first]), "reward should rise"
assert leashed["final_reward"] > mean([r for _, r, _ in leashed["before"]]), "policy should beat the reference"
live_fig  # noqa: B018

# %% [markdown]
# ## 5. Reward hacking: drop the leash
#
# The reward model is only a *model* of the labeller. Optimise it hard enough, far from the text it
# was trained on, and the policy finds whatever the reward model likes by mistake. With $\beta = 0$
# nothing holds it back. We train the same loop at several β and compare.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask the class to predict what happens with $\beta = 0$ before running.
# > The runs at several β take minutes in full mode; show the next slide's widget if time is short.

# %%
BETAS = [0.0, BETA, utils.fast(0.5, 0.5)]
runs = {BETA: leashed}
for beta in BETAS:
    if beta not in runs:
        runs[beta] = rl_finetune(beta, RL_STEPS, RL_BATCH, RL_LR)
before_distinct = distinct_ngrams([t for t, _, _ in leashed["before"]])
before_true = mean([s for _, _, s in leashed["before"]])
print(f"reference: learned reward +0.00 (by construction)  labeller {before_true:+.2f}  distinct 4-grams {before_distinct:.2f}")
for text, rm, true in runs[0.0]["after"][:4]:
    print(f"  β=0 sample: {text!r}  RM {rm:+.1f}, labeller {true:+.1f}")

# Each β's final policy: how far it moved from the reference (KL) against what the reward model and
# the labeller think of its samples. Reward hacking is the gap: the learned reward rises, the true score does not.
beta_fig = new_figure(560, 280)
ax_learned, ax_labeller = beta_fig.subplots(1, 2, sharex=True)
for ax, key, colour, marker, name in ((ax_learned, "final_reward", "#d95f02", "o", "learned reward (std units)"),
                                      (ax_labeller, "final_true", "#7570b3", "s", "labeller's true score")):
    ax.scatter([0], [0.0 if key == "final_reward" else before_true], color="black", marker=marker, zorder=3)
    ax.annotate("reference", (0, 0.0 if key == "final_reward" else before_true), xytext=(5, 5),
                textcoords="offset points", fontsize=8)
    for b in BETAS:
        ax.scatter(runs[b]["kl"][-1], runs[b][key], color=colour, marker=marker, s=50, zorder=3)
        ax.annotate(f"β={b:g}", (runs[b]["kl"][-1], runs[b][key]), xytext=(5, 5), textcoords="offset points", fontsize=8)
    ax.set(xlabel="KL to reference at the end (nats)", title=name)
    ax.title.set_fontsize(10)
beta_fig.tight_layout()
beta_fig

# %%
hacked = runs[0.0]
assert hacked["final_distinct"] < before_distinct, "without the leash the policy repeats itself"
assert hacked["kl"][-1] > runs[BETAS[-1]]["kl"][-1], "a larger β must keep the policy closer to the reference"

# %% [markdown]
# ## 6. Watch the runs side by side
#
# The slider picks β. Top left: learned reward per step, with the labeller's true score (dashed,
# right axis); bottom left: KL to the reference (grey: the other runs, each labelled with its β).
# Right: samples of the reference ("before") and of that run's policy ("after"), with the reward
# model's score (RM, in standard deviations) and the labeller's own score (true). Read the β = 0
# samples with their two scores: where RM is high and true is not, the policy has found what the
# reward model likes by mistake. That is reward hacking.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Let a student move the β slider and read the samples aloud, RM score against the labeller's true score.
# > Land: rising learned reward with falling true score is reward hacking.

# %%
from utils.widgets import RLHFRunsView

slider_runs = [{k: v for k, v in runs[b].items() if k != "policy"} for b in BETAS]
RLHFRunsView(slider_runs, beta=0.0)

# %% [markdown]
# ## 7. DPO: the same pairs, no reward model, no sampling
#
# Rafailov et al. ([2023](https://arxiv.org/abs/2305.18290)) showed that the KL-regularised objective
# above has a closed-form best policy, and that its reward can be written through the policy itself:
# $r(x, y) = \beta \log \frac{\pi_\theta(y\mid x)}{\pi_\text{ref}(y\mid x)} + \text{const}$. Put that
# into the Bradley–Terry loss and the reward model disappears:
#
# $$ \mathcal{L}_\text{DPO} = -\log\sigma\Big(\beta\big[\log\tfrac{\pi_\theta(y_w)}{\pi_\text{ref}(y_w)} - \log\tfrac{\pi_\theta(y_l)}{\pi_\text{ref}(y_l)}\big]\Big). $$
#
# At the start $\pi_\theta = \pi_\text{ref}$, the bracket is 0 and the loss is exactly $\ln 2$.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what is the DPO loss at the start, when policy = reference? ($\ln 2$.)
# > Land: DPO optimises the same objective from the pairs, with no reward model and no sampling.

# %%
def sequence_logprob(model, prompts, completions):
    """Sum of log π over the completion tokens: prompts list[str], completions (batch, COMPLETION) -> (batch,)."""
    result = torch.zeros(len(prompts))
    lengths = [len(prompt_ids[p]) for p in prompts]
    for length in set(lengths):  # positions must line up: one batch per prompt length
        rows_of = torch.tensor([i for i, n in enumerate(lengths) if n == length])
        full = torch.cat([torch.stack([prompt_ids[prompts[i]] for i in rows_of]), completions[rows_of]], dim=1)
        result = result.index_put((rows_of,), token_logprobs(model, full).sum(-1))
    return result


all_completions = torch.cat(all_full)
train_prompts = [prompt_of[i] for i in train_c.tolist()]  # a pair's two completions share its prompt
assert train_prompts == [prompt_of[i] for i in train_r.tolist()]


def pair_logprobs(model, pairs):
    """log π of the chosen and of the rejected completion of training pairs: pairs (batch,) -> two (batch,)."""
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
    pol_c, pol_r = pair_logprobs(dpo_policy, batch)  # at step 0 policy = reference: the loss is exactly ln 2 on any batch
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
print(f"DPO loss {dpo_losses[0]:.4f} (ln 2 = {torch.log(torch.tensor(2.0)):.4f}) → {mean(dpo_losses[-5:]):.4f}; "
      f"chosen vs rejected log-prob gain {margin_after.mean():+.2f} nats; labeller score of samples "
      f"{before_true:+.2f} → {dpo_true:+.2f}; distinct 4-grams {distinct_ngrams(texts):.2f}")
assert abs(dpo_losses[0] - torch.log(torch.tensor(2.0)).item()) < 1e-5, "policy = reference gives ln 2"
assert margin_after.mean() > 0, "preferred completions should gain log-probability relative to rejected"

# %% [markdown]
# **RL vs DPO.** The RL loop needs a reward model, fresh samples at every step (generation is the
# slow part) and a reference model in memory; it can explore beyond the labelled pairs, which is
# also how it hacks the reward. DPO is plain supervised learning on the pairs: one forward pass per
# completion for policy and reference, no sampling, no reward model, and it stays close to the pairs
# it was given. Open models have been aligned this way, e.g. Zephyr-7B
# ([Tunstall et al., 2023](https://arxiv.org/abs/2310.16944)).
#
# ## Recap
#
# - Pretraining and SFT teach imitation; preferences (A is better than B) teach what is *wanted*.
# - A reward model turns pairs into a score with the Bradley–Terry loss $-\log\sigma(r_w - r_l)$.
# - RL (REINFORCE here, PPO in InstructGPT) raises that score; a per-token KL penalty keeps the policy
#   near the reference, where the reward model can be trusted.
# - Without the leash (β = 0) the policy hacks the reward model: its reward climbs while its text
#   repeats itself.
# - DPO optimises the same objective straight from the pairs; its loss starts at $\ln 2$.
#
# **Next:** notebook 12 uses real, large instruction-tuned models.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: what goes wrong without the KL leash, and how does DPO avoid a reward model?

# %% [markdown]
# ## Exercises
#
# ★ checks your understanding, ★★ changes the code, ★★★ is a small investigation. Replace each `...`,
# run the cell, then run the check below it: it says ✓ and why, or gives a hint. Reference solutions are
# in [solutions/11_rlhf.py](solutions/11_rlhf.py); try first.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Exercises 1 and 2 are quick in class on paper; exercise 3 retrains, so set it as homework.

# %%
from utils.exercises import check

# %% [markdown]
# **1. DPO before training ★.** What is the DPO loss of the *reference* model itself, on any pairs? Derive it
# from the formula of section 7, then compute it on the held-out pairs (`held_c`, `held_r`) with
# `sequence_logprob` to confirm.

# %%
dpo_at_reference = ...  # a number

# %%
check("11.1", dpo_at_reference);

# %% [markdown]
# **2. Bradley–Terry by hand ★.** A reward model scores the chosen reply 2.0 and the rejected one 0.5. What
# probability does it give to "the chosen reply is preferred", and what is the Bradley–Terry loss of this
# pair? What happens to both if you add 10 to both rewards?

# %%
preference = ...  # (probability, loss)

# %%
check("11.2", preference);

# %% [markdown]
# **3. A tighter leash ★★★.** Run `rl_finetune(2.0, RL_STEPS, RL_BATCH, RL_LR)` and compare its final KL with
# the β = 0 run's (`runs[0.0]["kl"][-1]`). Compare the rewards and samples too: what did the leash cost,
# and what did it save?

# %%
final_kls = ...  # (final KL with β = 0, final KL with β = 2)

# %%
check("11.3", final_kls);
