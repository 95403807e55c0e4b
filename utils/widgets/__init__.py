"""Live views: controls that move, a picture that follows. See ``base.py`` for the pattern."""

from .attention import AttentionView, show_attention
from .backprop import BackpropView, show_backprop, show_graph
from .base import LiveView, figure_to_png, fixed_layout, new_figure
from .diffusion import DenoisingTimeline, PromptGrid, show_prompt_grid, show_timeline
from .digits import DigitProbabilities, HiddenUnitsTrainer, LatentExplorer
from .finetune import BeforeAfterView, LoRARankView
from .llm import ChatBox, CostCalculator, RetrievalView
from .next_token import NextTokenView, show_next_token_probs
from .perceptron import PerceptronPlayground
from .regression import GradientDescentView
from .rlhf import RLHFRunsView, show_rlhf_runs
from .rnn import HiddenStateView, TemperatureSampler
from .tictactoe import TicTacToeView
from .tokens import EmbeddingMap, TokenView
from .training import LossCurves, ScalingView, show_scaling

__all__ = [
    "AttentionView",
    "BackpropView",
    "BeforeAfterView",
    "ChatBox",
    "CostCalculator",
    "DenoisingTimeline",
    "DigitProbabilities",
    "EmbeddingMap",
    "GradientDescentView",
    "HiddenStateView",
    "HiddenUnitsTrainer",
    "LatentExplorer",
    "LiveView",
    "LoRARankView",
    "LossCurves",
    "NextTokenView",
    "PerceptronPlayground",
    "PromptGrid",
    "RLHFRunsView",
    "RetrievalView",
    "ScalingView",
    "TemperatureSampler",
    "TicTacToeView",
    "TokenView",
    "figure_to_png",
    "fixed_layout",
    "new_figure",
    "show_attention",
    "show_backprop",
    "show_graph",
    "show_next_token_probs",
    "show_prompt_grid",
    "show_rlhf_runs",
    "show_scaling",
    "show_timeline",
]
