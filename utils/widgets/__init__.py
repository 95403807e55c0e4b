"""Live views: controls that move, a picture that follows. See ``base.py`` for the pattern."""

from .base import LiveView, figure_to_png, fixed_layout, new_figure
from .perceptron import PerceptronPlayground
from .regression import GradientDescentView

__all__ = ["GradientDescentView", "LiveView", "PerceptronPlayground", "figure_to_png", "fixed_layout", "new_figure"]
