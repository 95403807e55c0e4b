"""Notebook 04's game: play tic-tac-toe against the trained network on 3×3 buttons; the picture
shows the score the network gave each square when it chose its last move."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..i18n import t
from ..tictactoe import (
    EMPTY_BOARD,
    O,
    X,
    check_board,
    is_over,
    legal_moves,
    play,
    player_to_move,
    winner,
)
from .base import LiveView, fixed_layout, new_figure

INTRODUCED_IN = "04"

MARKS = {X: "X", O: "O", 0: ""}
ScoreFn = Callable[[tuple[int, ...]], np.ndarray]


@dataclass
class GameState:
    """The game in one object a test can set and compare."""

    board: tuple[int, ...] = EMPTY_BOARD
    human: int = X
    scores: list[float] | None = None  # the network's score per square at its last move
    scored_board: tuple[int, ...] = EMPTY_BOARD  # the board it scored
    network_square: int | None = None  # the square it then played
    moves: list[int] = field(default_factory=list)


def network_title() -> str:
    """The board's title once the network has scored it."""
    return t("tictactoe.network_title")


def _draw_static(ax) -> dict:
    image = ax.imshow(np.zeros((3, 3)), cmap="RdBu_r", vmin=-1, vmax=1)
    texts = [ax.text(i % 3, i // 3, "", ha="center", va="center", fontsize=13) for i in range(9)]
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for k in (0.5, 1.5):
        ax.axhline(k, color="black", lw=1.5)
        ax.axvline(k, color="black", lw=1.5)
    played = ax.add_patch(Rectangle((-0.5, -0.5), 1, 1, fill=False, lw=4, ec="gold", visible=False, zorder=3))
    title = ax.set_title(network_title(), fontsize=9)  # the longest title, so tight_layout leaves room
    cbar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    cbar.set_label(t("tictactoe.score_label"), fontsize=8)
    return {"image": image, "texts": texts, "title": title, "played": played}


def _update_artists(artists: dict, board: Sequence[int], scores: Sequence[float] | None, title: str,
                    played: int | None = None) -> None:
    values = np.zeros(9) if scores is None else np.asarray(scores, dtype=float)
    shown = np.where(np.asarray(board) == 0, values, np.nan) if scores is not None else np.full(9, np.nan)
    artists["image"].set_data(shown.reshape(3, 3))
    for i, text in enumerate(artists["texts"]):
        if board[i] != 0:
            text.set_text(MARKS[int(board[i])])
            text.set_fontsize(26)
            text.set_color("black")
        elif scores is not None:
            text.set_text(f"{values[i]:+.2f}")
            text.set_fontsize(12)
            text.set_color("white" if abs(values[i]) > 0.6 else "black")
        else:
            text.set_text("")
    artists["title"].set_text(title)
    artists["played"].set_visible(played is not None)
    if played is not None:
        artists["played"].set_xy((played % 3 - 0.5, played // 3 - 0.5))


def show_move_scores(board: Sequence[int], scores: Sequence[float]) -> Figure:
    """Static fallback: a board with the network's score written on each empty square."""
    board = check_board(board)
    scores = np.asarray(scores, dtype=float)
    if scores.shape != (9,):
        raise ValueError(f"scores must be 9 numbers (one per square), got shape {scores.shape}.")
    fig = new_figure(330, 300)
    artists = _draw_static(fig.add_subplot())
    _update_artists(artists, board, scores, t("tictactoe.scores_for", player=MARKS[player_to_move(board)]))
    fig.tight_layout()
    return fig


class TicTacToeView(LiveView):
    """Play against ``score_moves`` (board -> 9 scores from the mover's view; it plays the best legal one).

    In tests: ``view.squares[i].click()`` plays square ``i``; ``view.new_x.click()`` /
    ``view.new_o.click()`` start a game as X or O; read ``view.state`` and ``view.status.value``.
    """

    def __init__(self, score_moves: ScoreFn, human: int = X):
        if not callable(score_moves):
            raise TypeError("score_moves must be a function: board (tuple of 9) -> 9 scores.")
        if human not in (X, O):
            raise ValueError(f"human must be 1 (play X, move first) or -1 (play O), got {human!r}.")
        self.score_moves = score_moves
        self.state = GameState(human=human)
        figure = new_figure(330, 300)
        self._artists = _draw_static(figure.add_subplot())
        figure.tight_layout()
        self.squares = []
        for i in range(9):
            button = widgets.Button(description="", layout=fixed_layout(64, 64))
            button.on_click(self.guarded(lambda _, square=i: self.human_move(square)))
            self.squares.append(button)
        rows = [widgets.HBox(self.squares[r * 3 : r * 3 + 3]) for r in range(3)]
        self.new_x = widgets.Button(description=t("tictactoe.new_game", mark="X"), layout=fixed_layout(196))
        self.new_o = widgets.Button(description=t("tictactoe.new_game", mark="O"), layout=fixed_layout(196))
        self.new_x.on_click(self.guarded(lambda _: self.new_game(X)))
        self.new_o.on_click(self.guarded(lambda _: self.new_game(O)))
        self.status = widgets.HTML(layout=fixed_layout(196, 60))
        super().__init__(figure, controls=[], side=[*rows, self.new_x, self.new_o, self.status])
        if human == O:
            self.new_game(O)

    def _network_move(self) -> None:
        board = self.state.board
        scores = np.asarray(self.score_moves(board), dtype=float)
        if scores.shape != (9,):
            raise ValueError(f"score_moves must return 9 scores, got shape {scores.shape}.")
        square = max(legal_moves(board), key=lambda m: scores[m])
        self.state.scores = [float(s) for s in scores]
        self.state.scored_board = board
        self.state.network_square = square
        self.state.board = play(board, square)
        self.state.moves.append(square)

    def human_move(self, square: int) -> None:
        """Play ``square`` for the human, then let the network answer."""
        s = self.state
        if is_over(s.board) or player_to_move(s.board) != s.human or square not in legal_moves(s.board):
            return
        with self.hold():
            s.board = play(s.board, square)
            s.moves.append(square)
            if not is_over(s.board):
                self._network_move()
            self.refresh()

    def new_game(self, human: int) -> None:
        with self.hold():
            self.state = GameState(human=human)
            if human == O:
                self._network_move()
            self.refresh()

    @property
    def result(self) -> str:
        """'playing', 'you win', 'network wins' or 'draw'."""
        b = self.state.board
        if not is_over(b):
            return "playing"
        w = winner(b)
        return "draw" if w == 0 else ("you win" if w == self.state.human else "network wins")

    def draw(self) -> None:
        s = self.state
        over = is_over(s.board)
        for i, button in enumerate(self.squares):
            button.description = MARKS[s.board[i]]
            button.disabled = over or s.board[i] != 0
        title = network_title() if s.scores is not None else t("tictactoe.your_move_title")
        _update_artists(self._artists, s.scored_board, s.scores, title, s.network_square)
        you = MARKS[s.human]
        key = {"playing": "playing", "you win": "you_win", "network wins": "network_wins", "draw": "draw"}[self.result]
        self.status.value = f"<b>{t('tictactoe.status.' + key, you=you)}</b>"
