"""Checks for notebook 04 (deeper networks: tic-tac-toe, digits, an autoencoder)."""

from __future__ import annotations

import math

from utils.exercises import exercise
from utils.exercises.base import Derived, call, close, hint, number, numbers, right
from utils.tictactoe import EMPTY_BOARD, is_over, legal_moves, play, winner

INTRODUCED_IN = "04"

LOGITS, LABEL = (2.0, 0.0, -1.0), 0


def _softmax(logits):
    exps = [math.exp(z) for z in logits]
    return [e / sum(exps) for e in exps]


@exercise("04.1", wrong=[math.log(_softmax(LOGITS)[0]), _softmax(LOGITS)[0], -math.log10(_softmax(LOGITS)[0]),
                         -math.log(_softmax(LOGITS)[1])])
def cross_entropy_by_hand(answer):
    value = number(answer, "the loss, one number")
    p = _softmax(LOGITS)
    exact = -math.log(p[LABEL])
    if close(value, exact, rel=1e-3):
        raise right(f"softmax gives the true class p = {p[LABEL]:.3f}, and the loss is −ln p: small when the "
                    "network is confident and right, large when it is confident and wrong.")
    if close(value, -exact, rel=1e-3):
        raise hint("a loss must be ≥ 0: cross-entropy is minus the log of the probability.")
    if close(value, p[LABEL], rel=1e-3):
        raise hint("that is the probability of the true class; the loss is −ln of it.")
    if close(value, -math.log10(p[LABEL]), rel=1e-3):
        raise hint("use the natural logarithm (math.log), as torch's cross_entropy does.")
    if any(close(value, -math.log(q), rel=1e-3) for q in p):
        raise hint("that is the loss of another class: the label is 0, the first logit.")
    raise hint("softmax first: p_i = e^(z_i) / Σ e^(z_j); then the loss is −ln p[label].")


def self_play(network_move) -> int:
    board = EMPTY_BOARD
    while not is_over(board):
        square = call(network_move, board)
        if square not in legal_moves(board):
            raise hint(f"network_move returned {square!r}, not a legal move.")
        board = play(board, square)
    return winner(board)


@exercise("04.2", wrong=[Derived(lambda network_move: 1 if self_play(network_move) != 1 else 0),
                         Derived(lambda network_move: -1 if self_play(network_move) != -1 else 0)],
          context=("network_move",))
def network_against_itself(answer, network_move):
    value = number(answer, "the winner: 1 (X), -1 (O) or 0 (a draw)")
    if value not in (1, 0, -1):
        raise hint("give winner(board) of the final board: 1, -1 or 0.")
    result = self_play(network_move)
    if value != result:
        raise hint("replaying the game gives another result: play network_move for both sides from "
                   "EMPTY_BOARD until is_over, then take winner(board).")
    if result == 0:
        raise right("a draw: with both sides playing (nearly) perfectly, nobody can force a win in tic-tac-toe.")
    raise right("right for this network; a perfect player would draw against itself, so it still makes mistakes.")


@exercise("04.3", wrong=[[0.02, 0.03, 0.04, 0.05], [0.05, 0.05, 0.05, 0.05], [0.06, 0.04, 0.03]])
def latent_sizes(answer):
    errors = numbers(answer, 4, "the validation reconstruction MSE for latent sizes 1, 2, 4 and 8")
    if min(errors) <= 0 or max(errors) > 1:
        raise hint("each error is an F.mse_loss on pixels in [0, 1]: a small positive number.")
    if not errors[3] < 0.9 * errors[0]:
        raise hint("more latent numbers should rebuild the digits clearly better: did each autoencoder get its "
                   "own size in both Linear(64, k) and Linear(k, 64), and the same training steps?")
    raise right("every extra latent number keeps more detail, with diminishing returns; 2 is the size that "
                "can still be drawn on a plane, the price of a map you can look at.")
