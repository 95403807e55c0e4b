"""Live views: controls that move, a picture that follows. See ``base.py`` for the pattern."""

from .attention import AttentionView, show_attention
from .base import LiveView, figure_to_png, fixed_layout, new_figure
from .digits import DigitProbabilities, HiddenUnitsTrainer, LatentExplorer
from .next_token import NextTokenView, show_next_token_probs
from .perceptron import PerceptronPlayground
from .regression import GradientDescentView
from .rnn import HiddenStateView, TemperatureSampler
from .tictactoe import TicTacToeView
from .tokens import EmbeddingMap, TokenView
from .training import LossCurves, ScalingView, show_scaling

__all__ = [
    "AttentionView", "DigitProbabilities", "EmbeddingMap", "GradientDescentView", "HiddenStateView",
    "HiddenUnitsTrainer", "LatentExplorer", "LiveView", "LossCurves", "NextTokenView", "PerceptronPlayground",
    "ScalingView", "TemperatureSampler", "TicTacToeView", "TokenView", "figure_to_png", "fixed_layout", "new_figure",
    "show_attention", "show_next_token_probs", "show_scaling",
]
