"""The rules of tic-tac-toe for notebook 04 and its play-against-the-network widget.

A board is a tuple of 9 numbers, row by row: ``1`` for X, ``-1`` for O, ``0`` for empty.
X moves first. Notebook 04 writes the perfect (minimax) player itself; this module holds only
the rules, which the notebook and the widget share.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

INTRODUCED_IN = "04"

X, O, EMPTY = 1, -1, 0  # noqa: E741 - O is the name of the mark
LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))
EMPTY_BOARD: tuple[int, ...] = (0,) * 9


def check_board(board: Sequence[int]) -> tuple[int, ...]:
    """Return the board as a tuple, or raise an error that says what is wrong with it."""
    cells = tuple(int(c) for c in board)
    if len(cells) != 9 or any(c not in (X, O, EMPTY) for c in cells):
        raise ValueError(f"a board is 9 numbers, each 1 (X), -1 (O) or 0 (empty); got {tuple(board)!r}.")
    xs, os_ = cells.count(X), cells.count(O)
    if xs - os_ not in (0, 1):
        raise ValueError(f"X moves first, so X has as many marks as O or one more; got {xs} X and {os_} O.")
    return cells


def winner(board: Sequence[int]) -> int:
    """1 if X has three in a row, -1 if O has, 0 otherwise."""
    for a, b, c in LINES:
        if board[a] != EMPTY and board[a] == board[b] == board[c]:
            return int(board[a])
    return 0


def player_to_move(board: Sequence[int]) -> int:
    """X (1) when both have the same number of marks, else O (-1)."""
    return X if sum(1 for c in board if c == X) == sum(1 for c in board if c == O) else O


def legal_moves(board: Sequence[int]) -> list[int]:
    """Empty squares (0..8), or none when the game is over."""
    if winner(board) != 0:
        return []
    return [i for i, c in enumerate(board) if c == EMPTY]


def is_over(board: Sequence[int]) -> bool:
    return winner(board) != 0 or all(c != EMPTY for c in board)


def play(board: Sequence[int], square: int) -> tuple[int, ...]:
    """The board after the player to move puts a mark on ``square``."""
    board = check_board(board)
    if square not in legal_moves(board):
        raise ValueError(f"square {square} is not a legal move here; legal: {legal_moves(board)}.")
    cells = list(board)
    cells[square] = player_to_move(board)
    return tuple(cells)


def render(board: Sequence[int]) -> str:
    """The board as three lines of text, e.g. for printing."""
    marks = {X: "X", O: "O", EMPTY: "·"}
    return "\n".join(" ".join(marks[int(c)] for c in board[r * 3 : r * 3 + 3]) for r in range(3))


def random_move(board: Sequence[int], rng: np.random.Generator) -> int:
    """A uniformly random legal move (the opponent the notebook tests against)."""
    moves = legal_moves(board)
    if not moves:
        raise ValueError("the game is over: no legal moves.")
    return int(rng.choice(moves))
