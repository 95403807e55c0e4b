"""Checks for notebook 04 (deeper networks: tic-tac-toe, digits, an autoencoder)."""

from __future__ import annotations

import math

from utils.exercises import exercise
from utils.exercises.base import Derived, call, close, hint, number, numbers, right
from utils.i18n import t
from utils.tictactoe import EMPTY_BOARD, is_over, legal_moves, play, winner

INTRODUCED_IN = "04"

LOGITS, LABEL = (2.0, 0.0, -1.0), 0


def _softmax(logits):
    exps = [math.exp(z) for z in logits]
    return [e / sum(exps) for e in exps]


@exercise("04.1", wrong=[math.log(_softmax(LOGITS)[0]), _softmax(LOGITS)[0], -math.log10(_softmax(LOGITS)[0]),
                         -math.log(_softmax(LOGITS)[1])])
def cross_entropy_by_hand(answer):
    value = number(answer, t("exercises.nb04.what_loss"))
    p = _softmax(LOGITS)
    exact = -math.log(p[LABEL])
    if close(value, exact, rel=1e-3):
        raise right(t("exercises.nb04.cross_entropy_right", p=p[LABEL]))
    if close(value, -exact, rel=1e-3):
        raise hint(t("exercises.nb04.cross_entropy_negative"))
    if close(value, p[LABEL], rel=1e-3):
        raise hint(t("exercises.nb04.cross_entropy_probability"))
    if close(value, -math.log10(p[LABEL]), rel=1e-3):
        raise hint(t("exercises.nb04.cross_entropy_log10"))
    if any(close(value, -math.log(q), rel=1e-3) for q in p):
        raise hint(t("exercises.nb04.cross_entropy_other_class"))
    raise hint(t("exercises.nb04.cross_entropy_how"))


def self_play(network_move) -> int:
    board = EMPTY_BOARD
    while not is_over(board):
        square = call(network_move, board)
        if square not in legal_moves(board):
            raise hint(t("exercises.nb04.illegal_move", square=square))
        board = play(board, square)
    return winner(board)


@exercise("04.2", wrong=[Derived(lambda network_move: 1 if self_play(network_move) != 1 else 0),
                         Derived(lambda network_move: -1 if self_play(network_move) != -1 else 0)],
          context=("network_move",))
def network_against_itself(answer, network_move):
    value = number(answer, t("exercises.nb04.what_winner"))
    if value not in (1, 0, -1):
        raise hint(t("exercises.nb04.winner_values"))
    result = self_play(network_move)
    if value != result:
        raise hint(t("exercises.nb04.winner_replay"))
    if result == 0:
        raise right(t("exercises.nb04.winner_draw"))
    raise right(t("exercises.nb04.winner_right"))


@exercise("04.3", wrong=[[0.02, 0.03, 0.04, 0.05], [0.05, 0.05, 0.05, 0.05], [0.06, 0.04, 0.03]])
def latent_sizes(answer):
    errors = numbers(answer, 4, t("exercises.nb04.what_latent_errors"))
    if min(errors) <= 0 or max(errors) > 1:
        raise hint(t("exercises.nb04.latent_range"))
    if not errors[3] < 0.9 * errors[0]:
        raise hint(t("exercises.nb04.latent_not_better"))
    raise right(t("exercises.nb04.latent_right"))
