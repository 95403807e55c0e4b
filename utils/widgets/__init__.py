"""Live views: controls that move, a picture that follows. See ``base.py`` for the pattern."""

from .base import LiveView, figure_to_png, fixed_layout, new_figure
from .digits import DigitProbabilities, HiddenUnitsTrainer, LatentExplorer
from .perceptron import PerceptronPlayground
from .regression import GradientDescentView
from .tictactoe import TicTacToeView

__all__ = [
    "DigitProbabilities", "GradientDescentView", "HiddenUnitsTrainer", "LatentExplorer", "LiveView",
    "PerceptronPlayground", "TicTacToeView", "figure_to_png", "fixed_layout", "new_figure",
]
