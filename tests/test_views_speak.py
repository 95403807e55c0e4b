"""Every view speaks the learner's language (issue 21): built with ``COURSE_LANG=ru``, nothing it shows
is left in English — control labels, dropdown choices, HTML beside the picture, and every text in
its figure (titles, axis labels, legends, annotations).

The views come from tests/test_every_control.py's ``VIEWS`` (each in a state where its controls
matter); a view not there is checked in its own widget tests with ``english_left(view)``. Words that are data, not interface (the prompt "ROMEO: but",
the words on an embedding map), and the names Russian textbooks keep in Latin letters (softmax,
ReLU, top-k), are allowed. Run on ipywidgets 8 and 7.7.1 (``-m widgets``).
"""

from __future__ import annotations

import html
import re

import ipywidgets as widgets
import pytest
from test_every_control import VIEWS, walk

from utils import i18n

pytestmark = pytest.mark.widgets

ENGLISH_WORD = re.compile(r"[A-Za-z]*[a-z]{3,}[A-Za-z]*")
# Interface words a Russian course keeps in Latin letters, and the test views' own data.
KEPT = {
    "softmax", "tanh", "sigmoid", "ReLU", "GELU", "LayerNorm", "top", "temperature_", "logits",
    "ROMEO", "JULIET", "but", "king", "queen", "lord", "lady", "Hello", "world", "the", "question",
    "that", "not", "and", "more", "soft", "what", "light", "through", "yonder", "window", "breaks",
    "base",  # tokenizer names: cl100k_base
    "Chinchilla",  # a model's name (Hoffmann et al. 2022)
    "OpenAI", "qkv", "proj",  # a company, matrix names (attn.qkv)
    "mlp", "attn",  # the names of a model's matrices (attn.qkv, mlp.0) in the LoRA view: module names in code
    "Llama",  # a model's name (Touvron et al. 2023)
}
def _strip(text: str) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\$[^$]*\$", " ", html.unescape(text))  # formulas read the same in every language
    text = re.sub(r"\b(?:gpt|cl\d+k|o\d+k|r\d+k)[\w.-]*", " ", text)  # names of real models and tokenizers: gpt-4o-mini, o200k_base
    return re.sub(r"https?://\S+|\b\w+\.(py|json|pt|png|txt|md)\b", " ", text)  # links and file names


def shown_text(view) -> list[str]:
    """Everything a learner can read in a view: control labels and choices, HTML/labels, figure text."""
    texts = []
    for widget in walk(view.widget):
        texts.append(getattr(widget, "description", "") or "")
        texts.append(getattr(widget, "placeholder", "") or "")
        texts.append(getattr(widget, "tooltip", "") or "")
        for option in getattr(widget, "options", ()) or ():
            texts.append(str(option[0] if isinstance(option, tuple) else option))
        if isinstance(widget, (widgets.HTML, widgets.Label)):
            texts.append(widget.value)
    figure = getattr(view, "figure", None) or getattr(view, "fig", None)
    if figure is not None:
        import matplotlib.text

        texts += [artist.get_text() for artist in figure.findobj(matplotlib.text.Text)]
    return [_strip(text) for text in texts if text and text.strip()]


def english_left(view, kept: set[str] = frozenset()) -> list[str]:
    """The texts of ``view`` that still hold an interface word in English; ``kept``: the test's data words."""
    return [text for text in shown_text(view) if set(ENGLISH_WORD.findall(text)) & INTERFACE_WORDS - set(kept)]


@pytest.fixture
def russian():
    with i18n.speaking("ru"):
        yield




def _interface_words() -> set[str]:
    """Every word written in a string constant of the code that draws views, and in the English strings
    of utils/locales/en/: the words an untranslated label would show (hard-coded, or moved to the
    English file and shown in Russian anyway). Generated samples and prompts are not in it."""
    import ast
    from pathlib import Path

    root = Path(i18n.__file__).parent
    words: set[str] = set()
    for path in [*root.glob("widgets/*.py"), root / "plots.py", root / "figures.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words |= set(ENGLISH_WORD.findall(node.value))
    for key, text in i18n.strings("en").items():
        if not key.startswith("exercises."):  # check messages quote learners' data ('aaa'); not shown in views
            words |= set(ENGLISH_WORD.findall(text))
    return words - KEPT


INTERFACE_WORDS = _interface_words()


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_view_speaks_russian(name, russian):
    view = VIEWS[name]()
    left = english_left(view)
    assert not left, f"{name} still shows English in Russian: {left[:6]}"


def test_an_english_label_is_caught(russian):
    view = VIEWS["perceptron"]()
    assert not english_left(view)
    view.reset_button.description = "reset the weights"
    assert english_left(view) == ["reset the weights"]


# --- views of notebooks 03-06 that tests/test_every_control.py does not build -----------------------
def test_backprop_view_speaks_russian(russian):
    from utils.widgets import BackpropView

    view = BackpropView()
    assert not english_left(view)
    view.next_button.click()
    view.next_button.click()
    view.step_button.click()
    assert not english_left(view), english_left(view)
    assert view.backward_button.description == "обратный проход"


def test_tictactoe_view_speaks_russian(russian):
    from test_tictactoe import prefer_low_squares

    from utils.widgets import TicTacToeView

    view = TicTacToeView(prefer_low_squares)
    view.squares[4].click()
    assert not english_left(view), english_left(view)
    assert view.status.value == "<b>Вы играете X. Ваш ход.</b>"


def test_hidden_units_trainer_speaks_russian(russian):
    import torch

    from utils.digits import load_digits_split
    from utils.widgets import HiddenUnitsTrainer

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 16), torch.nn.ReLU(), torch.nn.Linear(16, 10))
    view = HiddenUnitsTrainer(model, *load_digits_split(val_fraction=0.3, seed=0), units=4, steps_per_click=10)
    view.train_button.click()
    assert not english_left(view), english_left(view)
    assert "точность на валидации" in view.info.value
