"""Live views: controls that move, a picture that follows. See ``base.py`` for the pattern."""

from .attention import AttentionView, show_attention
from .base import LiveView, figure_to_png, fixed_layout, new_figure
from .next_token import NextTokenView, show_next_token_probs
from .perceptron import PerceptronPlayground

__all__ = ["AttentionView", "LiveView", "NextTokenView", "PerceptronPlayground", "figure_to_png", "fixed_layout",
           "new_figure", "show_attention", "show_next_token_probs"]
