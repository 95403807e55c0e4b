"""Tic-tac-toe rules (notebook 04) and the play-against-the-network view (headless)."""

import numpy as np
import pytest

from utils.tictactoe import (
    EMPTY_BOARD,
    O,
    X,
    check_board,
    is_over,
    legal_moves,
    play,
    player_to_move,
    random_move,
    render,
    winner,
)
from utils.widgets import TicTacToeView
from utils.widgets.base import figure_to_png
from utils.widgets.tictactoe import show_move_scores

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_rules():
    assert player_to_move(EMPTY_BOARD) == X and legal_moves(EMPTY_BOARD) == list(range(9))
    board = EMPTY_BOARD
    for square in (0, 3, 1, 4, 2):  # X takes the top row
        board = play(board, square)
    assert winner(board) == X and is_over(board) and legal_moves(board) == []
    assert render(board).splitlines()[0] == "X X X"
    assert winner((O, O, O, X, X, 0, X, 0, 0)) == O
    with pytest.raises(ValueError, match="not a legal move"):
        play(play(EMPTY_BOARD, 4), 4)
    with pytest.raises(ValueError, match="X moves first"):
        check_board((O,) + (0,) * 8)
    with pytest.raises(ValueError, match="9 numbers"):
        check_board((0,) * 8)
    rng = np.random.default_rng(0)
    assert random_move(EMPTY_BOARD, rng) in range(9)


def prefer_low_squares(board):
    """A stand-in 'network': scores squares 0, 1, 2, ... from best to worst."""
    return -np.arange(9, dtype=float)


pytestmark = pytest.mark.widgets


def test_clicking_a_square_plays_and_the_network_answers():
    view = TicTacToeView(prefer_low_squares)
    before, renders = view.png(), view.render_count
    view.squares[4].click()
    assert view.state.board[4] == X and view.state.board[0] == O  # network took its best square
    assert view.render_count == renders + 1
    assert view.squares[4].description == "X" and view.squares[0].description == "O"
    assert view.squares[4].disabled and not view.squares[8].disabled
    assert view.png() != before
    assert view._artists["texts"][1].get_text() == "-1.00"  # score shown on an empty square
    assert view.state.network_square == 0 and view._artists["played"].get_visible()
    assert tuple(view._artists["played"].get_xy()) == (-0.5, -0.5)
    view.squares[4].click()  # occupied: nothing happens
    assert view.state.moves == [4, 0]


def test_game_to_the_end_and_new_game_as_o():
    view = TicTacToeView(prefer_low_squares)
    for square in (3, 4, 8):  # network plays 0, 1, 2 and wins the top row
        view.squares[square].click()
    assert view.result == "network wins" and all(b.disabled for b in view.squares)
    assert "network wins" in view.status.value
    view.new_o.click()
    assert view.state.human == O and view.state.board.count(X) == 1 and view.state.board[0] == X
    assert view.result == "playing" and "You are O" in view.status.value


def test_view_validates_and_static_fallback():
    with pytest.raises(TypeError, match="must be a function"):
        TicTacToeView(None)
    with pytest.raises(ValueError, match="human must be"):
        TicTacToeView(prefer_low_squares, human=2)
    fig = show_move_scores(play(EMPTY_BOARD, 4), np.linspace(-1, 1, 9))
    assert figure_to_png(fig).startswith(PNG_MAGIC)
    with pytest.raises(ValueError, match="9 numbers"):
        show_move_scores(EMPTY_BOARD, [0.0])
