"""The course's own diagrams, drawn with matplotlib from code, in one visual language (``style.py``).

``images/make_figures.py`` saves them to images/*.png, which the notebooks and the README show.
Notebooks 01 and 05 also draw theirs live. Each module holds the diagrams of the notebook that
introduces it, and loads lazily: notebook 01 never imports the transformer diagrams.
"""

from __future__ import annotations

from ..lazy import lazy_exports

INTRODUCED_IN = "01"

# name -> module that defines it (the module's INTRODUCED_IN is the notebook that first shows it)
_WHERE = {
    "neuron_vs_perceptron": "neurons",
    "backprop_chain_rule": "networks", "multilayer_perceptron": "networks",
    "rnn_unrolled": "recurrent",
    "tokenisation": "tokens",
    "attention_one_query": "attention", "causal_mask": "attention", "multi_head_attention": "attention",
    "transformer_families": "gpt", "gpt_architecture": "gpt", "kv_cache": "gpt",
    "lora": "adapting", "training_pipeline": "adapting", "rag": "adapting",
}
__all__ = sorted(_WHERE)

__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
