"""Live views: controls that move, a picture that follows. See ``base.py`` for the pattern.

Views load lazily: ``utils.widgets.PerceptronPlayground`` imports only ``widgets/perceptron.py``
(and what it needs), so notebook 01 never loads the transformer code a later view is built on.
"""

from __future__ import annotations

from ..lazy import lazy_exports

INTRODUCED_IN = "01"

# name -> submodule that defines it
_WHERE = {
    "AttentionView": "attention", "show_attention": "attention",
    "CorpusPicker": "capstone", "MergesView": "capstone", "SamplerView": "capstone",
    "BackpropView": "backprop", "show_backprop": "backprop", "show_graph": "backprop",
    "LiveView": "base", "HtmlView": "base", "fixed_layout": "base",
    "figure_to_png": "base", "new_figure": "base",
    "DenoisingTimeline": "diffusion", "PromptGrid": "diffusion", "show_prompt_grid": "diffusion",
    "show_timeline": "diffusion",
    "DigitProbabilities": "digits", "HiddenUnitsTrainer": "digits", "LatentExplorer": "digits",
    "BeforeAfterView": "finetune", "LoRARankView": "finetune",
    "ChatBox": "llm", "CostCalculator": "llm", "RetrievalView": "llm",
    "NextTokenView": "next_token", "show_next_token_probs": "next_token",
    "PerceptronPlayground": "perceptron",
    "GradientDescentView": "regression",
    "RLHFRunsView": "rlhf", "show_rlhf_runs": "rlhf",
    "HiddenStateView": "rnn", "TemperatureSampler": "rnn",
    "TicTacToeView": "tictactoe",
    "EmbeddingMap": "tokens", "TokenView": "tokens",
    "LossCurves": "training", "ScalingView": "training", "show_scaling": "training",
}
__all__ = sorted(_WHERE)

__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
