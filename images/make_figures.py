"""Draw the course's diagrams to images/*.png (used by the README; notebooks draw them live).

Run: .venv/bin/python images/make_figures.py
"""

from pathlib import Path

from utils import diagrams

HERE = Path(__file__).resolve().parent

FIGURES = {
    "neuron_vs_perceptron.png": diagrams.neuron_vs_perceptron,
    "rnn_unrolled.png": diagrams.rnn_unrolled,
}

if __name__ == "__main__":
    for name, draw in FIGURES.items():
        draw().savefig(HERE / name, dpi=90)
        print("wrote", HERE / name)
