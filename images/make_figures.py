"""Draw the course's diagrams (``utils.diagrams``) to images/*.png, which notebooks and README show.

Run: .venv/bin/python images/make_figures.py        (all of them)
     .venv/bin/python images/make_figures.py kv_cache  (one, by name)

Idempotent: the same code gives the same bytes (no date or version in the PNG), and each file is
written to a temporary name and renamed (``utils.files.atomic_write``), so an interrupted run never
leaves half a picture.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from utils import diagrams
from utils.diagrams.style import SAVE_DPI
from utils.files import atomic_write

HERE = Path(__file__).resolve().parent

# images/<name>.png <- utils.diagrams.<name>(), in the order the course shows them
NAMES = ("neuron_vs_perceptron", "backprop_chain_rule", "multilayer_perceptron", "rnn_unrolled", "tokenisation",
         "attention_one_query", "causal_mask", "multi_head_attention", "transformer_families", "gpt_architecture",
         "kv_cache", "lora", "training_pipeline", "rag")
# PNG metadata without the matplotlib version, so an upgrade alone does not rewrite every file
METADATA = {"Software": None}


def png_bytes(name: str) -> bytes:
    """The PNG of diagram ``name`` exactly as this script writes it."""
    if name not in NAMES:
        raise ValueError(f"unknown diagram {name!r}; choose from {', '.join(NAMES)}.")
    buffer = io.BytesIO()
    getattr(diagrams, name)().savefig(buffer, format="png", dpi=SAVE_DPI, metadata=METADATA)
    return buffer.getvalue()


def write(name: str) -> Path:
    path = HERE / f"{name}.png"
    data = png_bytes(name)
    if path.exists() and path.read_bytes() == data:
        return path  # unchanged: leave the file (and its timestamp) alone
    with atomic_write(path) as file:
        file.write(data)
    print("wrote", path.relative_to(HERE.parent))
    return path


if __name__ == "__main__":
    for name in sys.argv[1:] or NAMES:
        write(name)
