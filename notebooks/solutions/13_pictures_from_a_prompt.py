"""Reference solutions for notebook 13 (pictures from a prompt). Try the exercises first.

Each function returns the answer its exercise's check expects; parameters are named after the
notebook's own objects. `make solutions NB=13` shows the notebook with these filled in.
"""

import torch


def solve_13_1(alpha_bars):
    # √ᾱ < √(1 − ᾱ) exactly when ᾱ < 0.5.
    return int(torch.nonzero(alpha_bars < 0.5)[0])


def solve_13_2():
    a_bar, x0, noise = 0.64, 1.0, -0.5
    return a_bar**0.5 * x0 + (1 - a_bar) ** 0.5 * noise


def solve_13_3():
    def predict_x0(x_t, predicted_noise, a_bar):
        return (x_t - (1 - a_bar).sqrt() * predicted_noise) / a_bar.sqrt()
    return predict_x0
