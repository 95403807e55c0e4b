"""Draw the course's diagrams (``utils.diagrams``) to images/*.png, which notebooks and README show.

Run: .venv/bin/python images/make_figures.py        (all of them, in every language)
     .venv/bin/python images/make_figures.py kv_cache  (one, by name)

English goes to images/<name>.png; another language to images/<lang>/<name>.png, drawn by the same
code with that language's strings (utils/locales/), and only where it differs from the English
picture. A notebook links to ../images/<name>.png in every language; tools/build_notebooks.py
attaches images/<lang>/<name>.png to a Russian notebook where there is one.

Idempotent: the same code gives the same bytes (no date or version in the PNG), and each file is
written to a temporary name and renamed (``utils.files.atomic_write``), so an interrupted run never
leaves half a picture.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from utils import diagrams, i18n
from utils.diagrams.style import SAVE_DPI
from utils.files import atomic_write

HERE = Path(__file__).resolve().parent

# images/<name>.png <- utils.diagrams.<name>(), in the order the course shows them
NAMES = ("neuron_vs_perceptron", "backprop_chain_rule", "multilayer_perceptron", "rnn_unrolled", "tokenisation",
         "attention_one_query", "causal_mask", "multi_head_attention", "transformer_families", "gpt_architecture",
         "kv_cache", "lora", "training_pipeline", "rag")
# PNG metadata without the matplotlib version, so an upgrade alone does not rewrite every file
METADATA = {"Software": None}


def png_bytes(name: str, lang: str = i18n.DEFAULT_LANG) -> bytes:
    """The PNG of diagram ``name`` in language ``lang`` exactly as this script writes it."""
    if name not in NAMES:
        raise ValueError(f"unknown diagram {name!r}; choose from {', '.join(NAMES)}.")
    buffer = io.BytesIO()
    with i18n.speaking(lang):
        figure = getattr(diagrams, name)()
    figure.savefig(buffer, format="png", dpi=SAVE_DPI, metadata=METADATA)
    return buffer.getvalue()


def path_of(name: str, lang: str = i18n.DEFAULT_LANG) -> Path:
    """images/<name>.png for English, images/<lang>/<name>.png for another language."""
    return HERE / f"{name}.png" if lang == i18n.DEFAULT_LANG else HERE / lang / f"{name}.png"


def write(name: str, lang: str = i18n.DEFAULT_LANG) -> Path | None:
    """Write one diagram in one language; None where that language draws it exactly as English does."""
    path = path_of(name, lang)
    data = png_bytes(name, lang)
    if lang != i18n.DEFAULT_LANG and data == png_bytes(name):
        path.unlink(missing_ok=True)  # nothing translated: the notebook falls back to the English picture
        return None
    if path.exists() and path.read_bytes() == data:
        return path  # unchanged: leave the file (and its timestamp) alone
    path.parent.mkdir(exist_ok=True)
    with atomic_write(path) as file:
        file.write(data)
    print("wrote", path.relative_to(HERE.parent))
    return path


if __name__ == "__main__":
    for name in sys.argv[1:] or NAMES:
        for lang in i18n.languages():
            write(name, lang)
