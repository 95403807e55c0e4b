"""Live views: controls that move, a picture that follows. See ``base.py`` for the pattern."""

from .base import LiveView, figure_to_png, fixed_layout, new_figure
from .perceptron import PerceptronPlayground
from .rnn import HiddenStateView, TemperatureSampler
from .tokens import EmbeddingMap, TokenView

__all__ = ["EmbeddingMap", "HiddenStateView", "LiveView", "PerceptronPlayground", "TemperatureSampler",
           "TokenView", "figure_to_png", "fixed_layout", "new_figure"]
