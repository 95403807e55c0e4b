"""Reference solutions for notebook 04 (deeper networks). Try the exercises first.

Each function returns the answer its exercise's check expects; parameters are named after the
notebook's own objects. `make solutions NB=04` shows the notebook with these filled in.
"""

import math

import torch
import torch.nn.functional as F

import utils
from utils.tictactoe import EMPTY_BOARD, is_over, play, winner


def solve_04_1():
    logits, label = [2.0, 0.0, -1.0], 0
    exps = [math.exp(z) for z in logits]
    return -math.log(exps[label] / sum(exps))


def solve_04_2(network_move):
    board = EMPTY_BOARD
    while not is_over(board):
        board = play(board, network_move(board))
    return winner(board)


def solve_04_3(train_images, val_images, train_steps):
    errors = []
    for k in (1, 2, 4, 8):
        utils.seed_everything(0)
        autoencoder = torch.nn.Sequential(
            torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, k)),
            torch.nn.Sequential(torch.nn.Linear(k, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.Sigmoid()))
        train_steps(autoencoder, torch.optim.Adam(autoencoder.parameters(), lr=3e-3), train_images, train_images,
                    F.mse_loss, utils.fast(4000, 800), 64, torch.Generator().manual_seed(0))
        with torch.no_grad():
            errors.append(F.mse_loss(autoencoder(val_images), val_images).item())
    return errors
