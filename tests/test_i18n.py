"""The i18n layer (utils/i18n.py): every language has every string, and the views speak Russian.

The widget tests run on ipywidgets 8 and again on 7.7.1 (``-m widgets``), like tests/test_widgets.py.
"""

import string

import pytest

from utils import i18n
from utils.widgets import PerceptronPlayground
from utils.widgets.perceptron import show_perceptron

CYRILLIC = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")


def fields(template: str) -> set[tuple[str, str]]:
    """The ``{name:spec}`` placeholders of a template."""
    return {(name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name is not None}


@pytest.fixture
def russian():
    i18n.set_language("ru")
    yield
    i18n.set_language(None)


def test_there_are_english_and_russian():
    assert {"en", "ru"} <= set(i18n.languages())


@pytest.mark.parametrize("lang", [lang for lang in i18n.languages() if lang != "en"])
def test_every_key_in_every_language_with_the_same_placeholders(lang):
    english, other = i18n.strings("en"), i18n.strings(lang)
    assert [p.name for p in i18n.topic_files(lang)] == [p.name for p in i18n.topic_files("en")]
    assert set(other) == set(english), f"{lang}/: missing {set(english) - set(other)}, extra {set(other) - set(english)}"
    for key, text in english.items():
        assert fields(other[key]) == fields(text), f"{lang}/ {key!r}: placeholders differ from English"
        assert other[key].strip(), f"{lang}/ {key!r} is empty"


def test_a_key_lives_in_the_file_its_first_word_names(tmp_path, monkeypatch):
    (tmp_path / "xx").mkdir()
    (tmp_path / "xx" / "perceptron.json").write_text('{"regression.title": "oops"}', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    i18n.strings.cache_clear()
    try:
        with pytest.raises(ValueError, match="must start with 'perceptron.'"):
            i18n.strings("xx")
        (tmp_path / "xx" / "perceptron.json").write_text('{"perceptron.title": "oops",}', encoding="utf-8")
        with pytest.raises(ValueError, match="not valid JSON"):
            i18n.strings("xx")
    finally:
        i18n.strings.cache_clear()


# Strings with no Russian words: only placeholders, symbols (η for the learning rate, lg N for log₁₀ N) and names.
SAME_IN_RUSSIAN = {"setup.line", "perceptron.learning_rate", "training.slider", "llm.quoted"}  # llm.quoted: «» instead of “”, no letters


def test_russian_strings_are_translated():
    # Catches an English string copied into a Russian file and forgotten there.
    english, russian = i18n.strings("en"), i18n.strings("ru")
    untranslated = {key for key, text in russian.items() if not CYRILLIC & set(text.lower())}
    assert untranslated == SAME_IN_RUSSIAN
    assert russian["setup.line"] == english["setup.line"]


def test_unknown_language_is_refused_with_the_choices(monkeypatch):
    with pytest.raises(ValueError, match=r"'de'.*\['en', 'ru'\]"):
        i18n.set_language("de")
    monkeypatch.setenv(i18n.LANG_ENV_VAR, "russian")
    with pytest.raises(ValueError, match="choose one of"):
        i18n.language()
    monkeypatch.delenv(i18n.LANG_ENV_VAR)
    with pytest.raises(KeyError, match="no string 'nope'"):
        i18n.t("nope")


def test_the_environment_variable_and_setup_choose_the_language(monkeypatch, capsys):
    import utils

    monkeypatch.setenv(i18n.LANG_ENV_VAR, "ru")
    assert i18n.language() == "ru" and i18n.t("perceptron.reset_button") == "сбросить в 0"
    monkeypatch.delenv(i18n.LANG_ENV_VAR)
    assert i18n.language() == "en"
    try:
        utils.setup(lang="ru")
        line = capsys.readouterr().out
        assert "быстрый режим" in line or "полный режим" in line, line
        assert utils.notebook_setup.last_setup["lang"] == "ru"
    finally:
        i18n.set_language(None)
    utils.setup()
    assert " mode · " in capsys.readouterr().out
    with pytest.raises(ValueError, match="choose one of"):
        utils.setup(lang="RU")


@pytest.mark.widgets
def test_perceptron_playground_speaks_russian(russian):
    view = PerceptronPlayground(gate="AND")
    view.w1.value, view.w2.value, view.b.value = 1.0, 1.0, -1.5  # AND, all four right
    ax = view._artists["title"].axes
    assert ax.get_title() == "AND: ошибок 0 из 4 ✓ (закрашено: выход 1)"
    drawn = [text.get_text() for text in ax.texts]
    assert drawn.count("✓ цель 0 · выход 0") == 3 and drawn.count("✓ цель 1 · выход 1") == 1
    assert view.gate.description == "вентиль" and view.step_button.description == "шаг: учиться на 1 точке"
    assert view.reset_button.description == "сбросить в 0"
    assert "выход = 1, если z ≥ 0" in view.table.value and "<th>цель</th>" in view.table.value
    assert "Нажмите «шаг»" in view.arithmetic.value
    view.w1.value = view.w2.value = view.b.value = 0.0
    view.step_button.click()  # (0, 0) with z = 0 → output 1, target 0: a wrong answer
    assert "ошибка = цель − выход = -1" in view.arithmetic.value and "(шаг 1)" in view.arithmetic.value
    assert view.problem.value == "", view.problem.value
    assert view.png()[:4] == b"\x89PNG"


@pytest.mark.widgets
def test_static_perceptron_figure_speaks_russian(russian):
    fig = show_perceptron(1, 1, -0.5, gate="OR")
    assert fig.axes[0].get_title() == "OR: ошибок 0 из 4 ✓ (закрашено: выход 1)"


@pytest.mark.widgets
def test_english_is_unchanged_by_default():
    view = PerceptronPlayground(gate="OR")
    assert view.step_button.description == "step: learn from 1 point"
    assert "of 4 wrong" in view._artists["title"].get_text()


def test_neuron_diagram_speaks_russian(russian):
    from utils.diagrams import neuron_vs_perceptron

    fig = neuron_vs_perceptron()
    titles = [ax.get_title() for ax in fig.axes]
    drawn = [text.get_text() for ax in fig.axes for text in ax.texts]
    assert titles == ["Живой нейрон", "Перцептрон (искусственный нейрон)"]
    assert "смещение $b$" in drawn and any(text.startswith("дендриты") for text in drawn)


@pytest.mark.widgets
def test_gradient_descent_view_speaks_russian(russian):
    from utils.regression import apartment_prices
    from utils.widgets import GradientDescentView

    x, y = apartment_prices(n=50, seed=0)
    view = GradientDescentView(x, y, learning_rate=0.1, steps=30)
    view.steps.value = 40
    data_ax, loss_ax = view._artists["line"].axes, view._artists["path"].axes
    assert data_ax.get_xlabel() == "площадь (м²)" and loss_ax.get_ylabel() == "свободный член b (100 тыс. €)"
    assert view._artists["data_title"].get_text().startswith("после шагов: 40; цена ≈ ")
    assert view._artists["loss_title"].get_text().startswith("скорость обучения 0.1: MSE ")
    assert [text.get_text() for text in loss_ax.get_legend().get_texts()] == ["метод наименьших квадратов", "градиентный спуск"]
    view.learning_rate.value = 1.5
    assert "огромная (расходится)" in view._artists["loss_title"].get_text() or "разошёлся" in view._artists["data_title"].get_text()
    assert view.problem.value == ""


def test_loss_curve_defaults_speak_russian(russian):
    from utils.plots import plot_curves

    ax = plot_curves({"train": [3.0, 2.0, 1.5]}).axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("шаг", "потери")
    i18n.set_language("en")
    ax = plot_curves({"train": [3.0, 2.0, 1.5]}).axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("step", "loss")
