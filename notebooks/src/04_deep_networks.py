# %% [markdown]
# # 04 · Deep networks: tic-tac-toe, handwritten digits, and new digits
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-course/nn-course/blob/main/notebooks/04_deep_networks.ipynb)
#
# **What you will learn**
# - how a network learns a game from a perfect teacher: tic-tac-toe labelled by minimax, then played against you;
# - how a network recognises images: digits as vectors, an MLP built from `nn.Linear`, softmax,
#   cross-entropy and accuracy, each written out and checked against PyTorch;
# - what **overfitting** looks like (train ≫ validation) and how early stopping and more data cure it;
# - what hidden units learn (their weights as pictures), and how an MLP compares with a linear model and a small CNN;
# - how a tiny **autoencoder** generates new digits from a 2-number latent space.
#
# **Time:** about 90 minutes. **Needs:** notebooks 02 (loss, gradient descent, the training loop) and 03 (backpropagation).

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
# Networks climb a ladder of harder tasks: **a game with simple rules → recognising images →
# creating new images.** We climb it in three parts, with small versions of each rung that train
# in seconds on a laptop.
#
# ## Part 1 · Tic-tac-toe from a perfect teacher

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: how would you play tic-tac-toe perfectly? Let the class find "assume the opponent plays best".
# > Land: minimax gives a perfect teacher, so the network's errors are measurable. Play one game against it live.

# %% [markdown]
# ### 1.1 The perfect player: minimax
#
# Tic-tac-toe is small enough to solve completely. The **value** of a position for the player to
# move is +1 if they can force a win, 0 if the best they can force is a draw, −1 if they lose
# whatever they do. It follows from one rule (**minimax**): *my value is the best, over my moves,
# of minus my opponent's value after that move* (what is good for them is bad for me).
#
# $$ V(\text{board}) = \max_{\text{move}}\ \big(-V(\text{board after move})\big), \qquad
#    V = -1 \text{ if the opponent has just won}, \quad V = 0 \text{ if the board is full}. $$
#
# The rules of the game (whose turn it is, legal moves, who won) come from `utils.tictactoe`; a
# board is a tuple of 9 numbers, row by row: 1 for X, −1 for O, 0 for empty.

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


@cache        # remember every position already solved
def value(board):
    """+1 / 0 / −1: what the player to move can force from here with perfect play."""
    if winner(board) != 0:      # the previous move won: the player to move has lost
        return -1
    moves = legal_moves(board)
    if not moves:
        return 0                # full board, nobody won: a draw
    return max(-value(play(board, move)) for move in moves)


def move_values(board):
    """The minimax value of each of the 9 squares for the player to move (0 for occupied squares)."""
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
print(f"{len(positions)} reachable positions, {len(to_move)} of them with a move to make")
print(f"value of the empty board: {value(EMPTY_BOARD)} (perfect play is a draw)")
example = (1, 1, 0, -1, -1, 0, 0, 0, 0)
print(render(example), "\nX to move; minimax values of the squares:", move_values(example).reshape(3, 3).tolist())

# %% [markdown]
# **Check.** There are 5 478 reachable positions (a known count: e.g.
# [Schaefer's tic-tac-toe analysis](https://www.se16.info/hgb/tictactoe.htm)); perfect play from
# the start is a draw; in the example X wins at once by completing the top row.

# %%
assert len(positions) == 5478
assert value(EMPTY_BOARD) == 0
assert move_values(example)[2] == 1 and value(example) == 1
assert all(value(b) in (-1, 0, 1) for b in to_move)

# %% [markdown]
# ### 1.2 A network that scores moves
#
# The network sees the board **from the point of view of the player to move**: three planes of 9
# inputs, "my marks", "their marks", "empty", so one network plays both X and O. It outputs 9
# scores, one per square, and is trained to make each legal square's score equal that move's
# minimax value (mean squared error, as in notebook 02, over legal squares only). To play, it
# picks the legal square with the highest score.
#
# It learns from all 4 520 positions with a move to make; the question is whether the scores it
# learns are good enough to *play* well.

# %%
import torch.nn.functional as F
from tqdm.auto import tqdm


def encode(board):
    """(27,) inputs: my marks, their marks, empty squares, from the view of the player to move."""
    mine = np.asarray(board) * player_to_move(board)
    return np.concatenate([mine == 1, mine == -1, mine == 0]).astype(np.float32)


boards_t = torch.tensor(np.stack([encode(b) for b in to_move]))                                   # (4520, 27)
values_t = torch.tensor(np.stack([move_values(b) for b in to_move]), dtype=torch.float32)         # (4520, 9)
legal_t = torch.tensor([[square in legal_moves(b) for square in range(9)] for b in to_move])    # (4520, 9)

utils.seed_everything(0)
ttt_net = torch.nn.Sequential(torch.nn.Linear(27, 128), torch.nn.ReLU(),
                              torch.nn.Linear(128, 128), torch.nn.ReLU(),
                              torch.nn.Linear(128, 9), torch.nn.Tanh())   # scores in (−1, 1)
optimizer = torch.optim.Adam(ttt_net.parameters(), lr=3e-3)
ttt_losses = []
for _ in tqdm(range(utils.fast(3000, 800)), desc="learning tic-tac-toe", mininterval=1):
    batch = torch.randint(0, len(boards_t), (256,))
    squared_error = (ttt_net(boards_t[batch]) - values_t[batch]) ** 2
    loss = (squared_error * legal_t[batch]).sum() / legal_t[batch].sum()   # legal squares only
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
print(f"training loss {ttt_losses[0]:.3f} → {np.mean(ttt_losses[-50:]):.4f}")
print(f"the network picks a minimax-optimal move in {optimal_share:.2%} of the {len(to_move)} positions")

# %% [markdown]
# ### 1.3 Does it play well?
#
# Play many games against an opponent that moves at random, half with the network as X (moving
# first) and half as O. A perfect player never loses against anyone; the random player is weak
# but does surprise, so this tests every corner of the network's play.

# %%
def play_game(network_side, rng):
    board = EMPTY_BOARD
    while not is_over(board):
        mover = network_move if player_to_move(board) == network_side else (lambda b: random_move(b, rng))
        board = play(board, mover(board))
    return winner(board) * network_side      # +1 network won, 0 draw, −1 network lost


rng = np.random.default_rng(0)
n_games = utils.fast(2000, 400)
results = np.array([play_game(1 if game % 2 == 0 else -1, rng) for game in range(n_games)])
lost, drawn, won = (results == -1).mean(), (results == 0).mean(), (results == 1).mean()
print(f"{n_games} games against a random player: won {won:.1%}, drawn {drawn:.1%}, lost {lost:.2%}")

# %% [markdown]
# **Check.** The network loses under 1 % of the games and picks a minimax-optimal move in at
# least 95 % of all positions; its training loss went down.

# %%
utils.assert_decreased("tic-tac-toe training loss", [ttt_losses[0], np.mean(ttt_losses[-50:])], by=0.8)
assert optimal_share >= 0.95, f"only {optimal_share:.1%} optimal moves"
assert lost < 0.01, f"lost {lost:.1%} of games against a random player"
assert won > 0.8

# %% [markdown]
# ### Try it: play against the network
#
# Click a square to play. After each of its moves the picture shows the score the network gave
# every empty square (red: it expects to win, blue: to lose); it plays the highest. Start a game
# as O to let it move first. Can you beat it?

# %%
from utils.widgets import TicTacToeView

game = TicTacToeView(network_scores)
game.squares[4].click()        # we open in the centre, so the saved notebook shows a position
game

# %% [markdown]
# ## Part 2 · Recognising images: handwritten digits
#
# The next rung of the ladder is "cat or dog?": recognising what a picture shows. Real photos
# need big networks and big downloads; the same ideas work on scikit-learn's bundled **8×8
# handwritten digits** (1 797 images of 0–9, shipped inside the package, no download).

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: how many numbers is an 8×8 image to a network? (64, row by row.)
# > Land: validation accuracy, not training accuracy, says whether it learned; watch the big network overfit.

# %% [markdown]
# ### 2.1 Images are vectors
#
# Each image is 8×8 = 64 grey levels. A network of `nn.Linear` layers sees it as a vector of 64
# numbers, pixels row by row. We scale them to 0..1 and keep 30 % of the images aside as a
# **validation set**: never trained on, only used to measure how well the network does on
# images it has not seen.

# %%
import matplotlib.pyplot as plt

from utils.digits import load_digits_split

train_images, train_labels, val_images, val_labels = load_digits_split(val_fraction=0.3, seed=0)
print(f"train {tuple(train_images.shape)}, validation {tuple(val_images.shape)}; pixels in [0, 1]")
fig, axes = plt.subplots(2, 10, figsize=(9, 2.2))
for ax, image, label in zip(axes.flat, train_images, train_labels):
    ax.imshow(image.reshape(8, 8), cmap="gray_r")
    ax.set_title(int(label), fontsize=9)
    ax.axis("off")
plt.show()

# %% [markdown]
# ### 2.2 An MLP classifier, softmax and cross-entropy
#
# The network maps 64 pixels to 10 numbers, the **logits** $z_0, \dots, z_9$, one per digit.
# **Softmax** turns them into probabilities (positive, summing to 1):
#
# $$ p_k = \frac{e^{z_k}}{\sum_j e^{z_j}} . $$
#
# The loss for an image of digit $y$ is the **cross-entropy** $-\log p_y$: near 0 when the network
# gives the right class probability near 1, large when it is confidently wrong. (Subtracting
# $\max_j z_j$ from all logits first changes nothing mathematically and avoids overflow; the
# cross-entropy uses $\log p_y = z_y - \log\sum_j e^{z_j}$ directly, so a tiny $p_y$ never becomes $\log 0$.)
#
# The MLP is layers of `nn.Linear` with a ReLU, $\max(0, x)$, between them.

# %% [markdown]
# ![The MLP 64 → 64 → 10 drawn as three columns of neurons joined by weights: 64 pixel inputs, 64 ReLU units, 10 logits for the digits 0 to 9, then softmax; 4,160 parameters in the first layer, 650 in the second, 4,810 in total](../images/multilayer_perceptron.png)

# %%
class MLP(torch.nn.Module):
    """Fully connected layers with ReLU between them, e.g. MLP([64, 64, 10])."""

    def __init__(self, sizes):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(n, m) for n, m in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):                       # x: (batch, 64) -> logits (batch, 10)
        for layer in self.layers[:-1]:
            x = torch.relu(layer(x))
        return self.layers[-1](x)


def softmax(logits):
    shifted = logits - logits.max(dim=1, keepdim=True).values
    exp = torch.exp(shifted)
    return exp / exp.sum(dim=1, keepdim=True)


def cross_entropy(logits, labels):
    """Mean of −log p_y. Uses log p_k = shifted_k − log Σ_j exp(shifted_j), so p ≈ 0 gives no −inf."""
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
print("probabilities of an untrained network for one image:", softmax(logits)[0].detach().numpy().round(2))

# %% [markdown]
# **Check.** Our softmax and cross-entropy equal PyTorch's (which computes them in one fused,
# numerically careful step, `F.cross_entropy`), also for huge logits; an untrained network's
# cross-entropy is about $\log 10 \approx 2.3$ (a uniform guess).

# %%
from utils import assert_close

logits = mlp(train_images)
assert_close("softmax vs torch.softmax", softmax(logits), torch.softmax(logits, dim=1))
assert_close("cross-entropy vs F.cross_entropy", cross_entropy(logits, train_labels),
             F.cross_entropy(logits, train_labels))
huge = torch.tensor([[1000.0, 0.0, -1000.0]])
assert_close("softmax of huge logits", softmax(huge), torch.softmax(huge, dim=1))
assert abs(cross_entropy(logits, train_labels).item() - np.log(10)) < 0.3

# %% [markdown]
# ### 2.3 Training and accuracy
#
# The loop is notebook 02's (loss, `zero_grad`, `backward`, `step`), now on random
# **mini-batches** of 64 images per step, which is faster than using all images every step.
# From here on it lives in `utils.train.train_steps`. **Accuracy** is the share of images whose
# highest-probability class is the right one.

# %%
from utils.train import train_steps

digit_steps = utils.fast(2000, 400)
generator = torch.Generator().manual_seed(0)
optimizer = torch.optim.Adam(mlp.parameters(), lr=3e-3)
loss_before = cross_entropy(mlp(train_images), train_labels).item()
mlp_losses = train_steps(mlp, optimizer, train_images, train_labels, cross_entropy, digit_steps,
                         batch_size=64, generator=generator)
mlp_train_acc, mlp_val_acc = accuracy(mlp, train_images, train_labels), accuracy(mlp, val_images, val_labels)
print(f"cross-entropy {loss_before:.3f} → {cross_entropy(mlp(train_images), train_labels).item():.3f}; "
      f"accuracy: train {mlp_train_acc:.1%}, validation {mlp_val_acc:.1%}")

# %% [markdown]
# **Check.** The loss went down and the MLP recognises at least 95 % of the validation digits.

# %%
utils.assert_decreased("digit cross-entropy", [loss_before, cross_entropy(mlp(train_images), train_labels).item()], by=0.8)
assert mlp_val_acc >= 0.95, f"validation accuracy {mlp_val_acc:.1%}"

# %% [markdown]
# ### Try it: what does the network say?
#
# Pick a validation digit with the slider and add noise: watch how the probabilities (bars)
# spread out as the digit gets harder to read. Green bar: right answer; red and hatched, with ✗ in the
# title: a wrong answer.

# %%
from utils.widgets import DigitProbabilities

probabilities_view = DigitProbabilities(mlp, val_images, val_labels, index=3)
probabilities_view

# %% [markdown]
# ### 2.4 What do hidden units learn?
#
# Each hidden unit computes a weighted sum of the 64 pixels: its 64 input weights can be drawn
# as an 8×8 picture. Red pixels push the unit on, blue ones push it off (the colour scale is
# centred at 0). Before training they are random noise; after training many look like strokes
# or parts of digits, "templates" the unit responds to.
#
# In the view below a fresh network starts from random weights: press **train N steps** and
# watch the templates form while the validation accuracy rises.

# %%
from utils.widgets import HiddenUnitsTrainer
from utils.widgets.digits import show_hidden_weights

utils.seed_everything(1)
fresh = MLP([64, 16, 10])
trainer = HiddenUnitsTrainer(fresh, train_images, train_labels, val_images, val_labels, units=16,
                             steps_per_click=100, learning_rate=3e-3)
untrained_weights, accuracy_before = trainer.weights(), trainer.state.val_accuracy
trainer.train_button.click()           # one click in advance, so the saved notebook shows learning
trainer

# %% [markdown]
# **Check.** Training moved the weights and raised validation accuracy far above chance (10 %);
# the images are centred at 0. Below, the 16 strongest units (largest weights) of the trained
# 64-unit network, each on its own colour scale.

# %%
assert not np.allclose(untrained_weights, trainer.weights())
assert trainer.state.val_accuracy > accuracy_before + 0.3
low, high = trainer._images[0].get_clim()
assert low == -high
show_hidden_weights(mlp.layers[0].weight, units=16, strongest=True,
                    title="the 16 strongest hidden units of the trained MLP (red +, blue −)")

# %% [markdown]
# ### 2.5 Overfitting: when a big network memorises
#
# Give a big network (64 → 512 → 512 → 10, $64 \cdot 512 + 512 + 512 \cdot 512 + 512 + 512 \cdot 10 + 10 = 301\,066$ parameters) only 100 training images.
# It can simply memorise them: training accuracy reaches 100 % while validation accuracy stays far
# lower. That gap is **overfitting**. The telltale sign during training: the validation loss
# falls, reaches a minimum, and then *rises* while the training loss keeps falling.
#
# Two cures: **early stopping** (keep the weights from the step where the validation loss was
# lowest) and **more data** (the same network on all training images).

# %%
import copy

few = 100
utils.seed_everything(0)
big = MLP([64, 512, 512, 10])
optimizer = torch.optim.Adam(big.parameters(), lr=1e-3)
generator = torch.Generator().manual_seed(0)
curves = {"train loss": [], "validation loss": []}
best_val_loss, best_weights, best_step = float("inf"), None, 0
chunk = 25
for step in tqdm(range(0, utils.fast(2000, 600), chunk), desc="overfitting on purpose", mininterval=1):
    train_steps(big, optimizer, train_images[:few], train_labels[:few], cross_entropy, chunk, 32, generator)
    with torch.no_grad():
        curves["train loss"].append(cross_entropy(big(train_images[:few]), train_labels[:few]).item())
        curves["validation loss"].append(cross_entropy(big(val_images), val_labels).item())
    if curves["validation loss"][-1] < best_val_loss:
        best_val_loss, best_weights, best_step = curves["validation loss"][-1], copy.deepcopy(big.state_dict()), step + chunk

overfit_train_acc, overfit_val_acc = accuracy(big, train_images[:few], train_labels[:few]), accuracy(big, val_images, val_labels)
early = MLP([64, 512, 512, 10])
early.load_state_dict(best_weights)
print(f"100 images, {sum(p.numel() for p in big.parameters()):,} parameters: train accuracy {overfit_train_acc:.1%}, "
      f"validation {overfit_val_acc:.1%}")
print(f"validation loss: lowest {best_val_loss:.3f} at step {best_step}, at the end {curves['validation loss'][-1]:.3f}")
print(f"early-stopped network: validation accuracy {accuracy(early, val_images, val_labels):.1%}")

from utils.plots import plot_curves

plot_curves(curves, x=[chunk * (i + 1) for i in range(len(curves["train loss"]))], xlabel="training step",
            ylabel="cross-entropy (nats, log scale)", title="A big network on 100 images", logy=True,
            marks={"early stop: lowest validation loss": best_step})

# %% [markdown]
# More data is the strongest cure: the same big network trained on all the training images.

# %%
utils.seed_everything(0)
big_all = MLP([64, 512, 512, 10])
train_steps(big_all, torch.optim.Adam(big_all.parameters(), lr=1e-3), train_images, train_labels, cross_entropy,
            utils.fast(2000, 600), 32, torch.Generator().manual_seed(0))
all_train_acc, all_val_acc = accuracy(big_all, train_images, train_labels), accuracy(big_all, val_images, val_labels)
print(f"all {len(train_images)} images: train {all_train_acc:.1%}, validation {all_val_acc:.1%} "
      f"(gap {all_train_acc - all_val_acc:.1%}; with 100 images: {overfit_train_acc - overfit_val_acc:.1%})")

# %% [markdown]
# Early stopping here mainly cures the *over-confidence*: the early weights have a much lower
# validation loss, but about the same validation accuracy, because 100 images simply do not show
# enough ways to write each digit. More data is what closes the gap. (Weight decay is another
# cure: it pulls every weight towards zero a little at each step.)
#
# **Check.** With 100 images the network is perfect on them but clearly worse on new images
# (a gap over 5 points); the validation loss rose after its minimum, so early stopping keeps
# weights with a lower validation loss than the end of training; with all the data the gap
# shrinks to less than half.

# %%
assert overfit_train_acc == 1.0 and overfit_train_acc - overfit_val_acc > 0.05
assert curves["validation loss"][-1] > best_val_loss, "validation loss should rise after its minimum"
assert cross_entropy(early(val_images), val_labels).item() < cross_entropy(big(val_images), val_labels).item()
assert all_train_acc - all_val_acc < (overfit_train_acc - overfit_val_acc) / 2
assert all_val_acc > overfit_val_acc

# %% [markdown]
# ### 2.6 Linear model, MLP, CNN
#
# Is the hidden layer worth it? Compare with a **linear model** (one `nn.Linear(64, 10)`: each
# class is a single template) and a small **convolutional network** (CNN): it slides small 3×3
# filters over the image, so a stroke is recognised wherever it appears, with far fewer
# weights per filter. (CNNs are how real image models, "cat or dog", started:
# [LeCun et al., 1998](http://yann.lecun.com/exdb/publis/pdf/lecun-98.pdf).) Same steps, same
# optimizer, same data.

# %%
def train_classifier(model, steps=digit_steps, lr=3e-3):
    utils.seed_everything(0)
    train_steps(model, torch.optim.Adam(model.parameters(), lr=lr), train_images, train_labels, cross_entropy,
                steps, 64, torch.Generator().manual_seed(0))
    return accuracy(model, val_images, val_labels)


utils.seed_everything(0)
linear = torch.nn.Linear(64, 10)
cnn = torch.nn.Sequential(
    torch.nn.Unflatten(1, (1, 8, 8)),                                  # (batch, 64) -> (batch, 1, 8, 8)
    torch.nn.Conv2d(1, 16, kernel_size=3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),   # -> (16, 4, 4)
    torch.nn.Conv2d(16, 32, kernel_size=3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),  # -> (32, 2, 2)
    torch.nn.Flatten(), torch.nn.Linear(32 * 2 * 2, 10))
linear_val_acc, cnn_val_acc = train_classifier(linear), train_classifier(cnn)
for name, model, acc in (("linear", linear, linear_val_acc), ("MLP 64→64→10", mlp, mlp_val_acc), ("small CNN", cnn, cnn_val_acc)):
    print(f"{name:<14} {sum(p.numel() for p in model.parameters()):>6,} parameters   validation accuracy {acc:.1%}")

# %% [markdown]
# A linear model is a strong baseline on these tiny, centred digits: given enough steps it
# reaches about 96 %, close to the MLP. The MLP learns faster and ends ahead; the CNN, built
# for images, is best.
#
# **Check.** The MLP beats the linear model (by at least 2 points in the short fast-mode
# run, where the gap is widest), and the CNN is at least as good as the MLP.

# %%
margin = utils.fast(0.0, 0.02)
assert mlp_val_acc > linear_val_acc + margin, f"MLP {mlp_val_acc:.1%} vs linear {linear_val_acc:.1%}"
assert cnn_val_acc >= mlp_val_acc - 0.005
assert mlp_val_acc >= 0.95

# %% [markdown]
# ## Part 3 · Generation: new digits from an autoencoder
#
# The last rung: **making** images. An **autoencoder** is two networks trained together. The
# **encoder** squeezes an image (64 numbers) into a **latent** code of only 2 numbers; the
# **decoder** rebuilds the 64 pixels from those 2 numbers. The loss is the reconstruction error
# (MSE between image and rebuild), so no labels are needed. To succeed, the encoder must place
# similar images at nearby codes, and the decoder must learn what digits look like.
#
# Afterwards the decoder alone is a **generator**: give it any point of the latent plane and it
# draws a digit, also at points no training image was encoded to. (Image generators such as
# Stable Diffusion also work in a learned latent space, at a vastly larger scale:
# [Rombach et al., 2022](https://arxiv.org/abs/2112.10752).)

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask: how could 2 numbers describe a whole digit? Then walk the latent plane with the widget.
# > Land: the decoder alone is a generator. Training takes several seconds: explain the bottleneck meanwhile.

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
print(f"validation reconstruction MSE: autoencoder {ae_error:.4f}, 'always the mean image' {baseline_error:.4f}")

picks = [int((val_labels == digit).nonzero()[0, 0]) for digit in range(10)]   # one of each digit, so every class shows how well 2 numbers keep it
fig, axes = plt.subplots(2, 10, figsize=(9, 2.2))
with torch.no_grad():
    rebuilt = autoencoder(val_images[picks])
for k, pick in enumerate(picks):
    axes[0, k].imshow(val_images[pick].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)   # one grey scale for both rows
    axes[1, k].imshow(rebuilt[k].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    axes[0, k].axis("off")
    axes[1, k].axis("off")
axes[0, 0].set_title("one validation digit of each class (top) and its rebuild from 2 numbers (bottom)", loc="left", fontsize=9)
plt.show()

# %% [markdown]
# **Check.** Reconstructions from 2 numbers beat the best image that ignores the input (the mean
# image) by a clear margin, and the training loss went down.

# %%
utils.assert_decreased("autoencoder loss", [np.mean(ae_losses[:20]), np.mean(ae_losses[-20:])], by=0.3)
assert ae_error < 0.75 * baseline_error, f"autoencoder {ae_error:.4f} vs mean image {baseline_error:.4f}"

# %% [markdown]
# ### Try it: walk the latent space
#
# Left: every training digit placed at its 2-number code, coloured by its label, with the digit
# written in the middle of its cluster (the autoencoder never saw the labels, yet digits cluster).
# Right: what the decoder draws at the black cross. The cross starts in the middle of the 0s, so
# the decoder draws a 0. Move the sliders towards another cluster: on the way one digit morphs
# into the other, and where clusters overlap the drawing is a blend of both.

# %%
from utils.widgets import LatentExplorer

start = codes[train_labels == 0].median(dim=0).values    # the middle of the 0s' cluster
latent_view = LatentExplorer(decoder, codes, train_labels, start=start.tolist())
latent_view

# %% [markdown]
# **Check.** At the starting cross the decoder draws a 0 (its image is nearer the average
# training 0 than any other digit's average), different latent points generate different images,
# and the decoder at a training digit's code draws something close to that digit.

# %%
class_means = torch.stack([train_images[train_labels == digit].mean(dim=0) for digit in range(10)])
at_start = torch.tensor(latent_view.generated, dtype=torch.float32).reshape(1, 64)
assert torch.cdist(at_start, class_means).argmin().item() == 0, "at the 0s' middle the decoder should draw a 0"
latent_view.z1.value = latent_view.z1.min
far_left = latent_view.generated.copy()
latent_view.z1.value = latent_view.z1.max
assert np.abs(far_left - latent_view.generated).mean() > 0.05
with torch.no_grad():
    redrawn = decoder(codes[:200])
assert F.mse_loss(redrawn, train_images[:200]).item() < baseline_error

# %% [markdown]
# ## Recap
#
# - A network can learn a game from a perfect teacher: minimax labels every position, an MLP
#   learns to score moves, and plays almost perfectly.
# - Images are vectors of pixels; an MLP maps them to logits, **softmax** makes probabilities,
#   **cross-entropy** $-\log p_y$ is the loss, **accuracy** the share right on a held-out
#   **validation** set.
# - A big network on little data **overfits** (train ≫ validation; validation loss rises):
#   early stopping and more data cure it.
# - Hidden units learn stroke-like templates; a CNN, which reuses small filters across the
#   image, beats the MLP, which beats a linear model.
# - An **autoencoder** compresses images to a tiny latent code; its decoder generates new images
#   from any latent point.
#
# **Next:** notebook 05 gives networks a memory for sequences: recurrent networks.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Ask each table group for one rung of the ladder (game, images, generation) in one sentence.

# %% [markdown]
# ## Exercises
#
# ★ checks your understanding, ★★ changes the code, ★★★ is a small investigation. Replace each `...`,
# run the cell, then run the check below it: it says ✓ and why, or gives a hint. Reference solutions are
# in [solutions/04_deep_networks.py](solutions/04_deep_networks.py); try first.

# %% [markdown] slideshow={"slide_type": "notes"}
# > 🗣 **Teacher:** Exercises 1 and 2 are quick and fun in class; exercise 3 trains four autoencoders, so set it as homework.

# %%
from utils.exercises import check

# %% [markdown]
# **1. A loss by hand ★.** A digit network outputs the logits $(2, 0, -1)$ for an image whose label is 0.
# What is its cross-entropy loss? Compute it with `math.exp` and `math.log`, then compare with
# `F.cross_entropy(torch.tensor([[2.0, 0.0, -1.0]]), torch.tensor([0]))`.

# %%
loss_by_hand = ...  # a number

# %%
check("04.1", loss_by_hand);

# %% [markdown]
# **2. Network against itself ★★.** Let `network_move` play both sides from `EMPTY_BOARD` until the game is
# over. Who wins? Give `winner(board)` of the final board, print the board with `render`, and explain the result.

# %%
self_play_winner = ...  # 1, -1 or 0

# %%
check("04.2", self_play_winner, network_move=network_move);

# %% [markdown]
# **3. How many latent numbers? ★★★** Train the autoencoder of Part 3 with latent codes of 1, 2, 4 and 8
# numbers (change `Linear(64, 2)` and `Linear(2, 64)`), each with the same steps and seed, and measure the
# validation reconstruction error of each. What does each extra number buy? What do you lose above 2?

# %%
latent_errors = ...  # [error with 1, 2, 4, 8 latent numbers]

# %%
check("04.3", latent_errors);
