"""Live views: controls that move, a picture that follows. See ``base.py`` for the pattern."""

from .base import LiveView, figure_to_png, fixed_layout, new_figure
from .llm import ChatBox, CostCalculator, RetrievalView
from .perceptron import PerceptronPlayground

__all__ = ["ChatBox", "CostCalculator", "LiveView", "RetrievalView", "PerceptronPlayground", "figure_to_png", "fixed_layout", "new_figure"]
