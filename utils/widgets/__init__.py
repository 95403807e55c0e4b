"""Live views: controls that move, a picture that follows. See ``base.py`` for the pattern."""

from .base import LiveView, figure_to_png, fixed_layout, new_figure
from .digits import DigitProbabilities, HiddenUnitsTrainer, LatentExplorer
from .perceptron import PerceptronPlayground
from .regression import GradientDescentView
from .rnn import HiddenStateView, TemperatureSampler
from .tictactoe import TicTacToeView
from .tokens import EmbeddingMap, TokenView

__all__ = [
    "DigitProbabilities", "EmbeddingMap", "GradientDescentView", "HiddenStateView", "HiddenUnitsTrainer",
    "LatentExplorer", "LiveView", "PerceptronPlayground", "TemperatureSampler", "TicTacToeView", "TokenView",
    "figure_to_png", "fixed_layout", "new_figure",
]
