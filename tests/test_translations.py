"""The translations keep in lock-step with the English notebooks (tools/translation_status.py).

For every translated source (notebooks/src/ru/NN_name.py) that exists: the same cells in the same
order and of the same types as notebooks/src/NN_name.py; code cells with the same syntax tree once
string constants are set aside (comments are not in the tree; ``utils.setup(lang="ru")`` is the one
allowed difference); markdown cells written in Russian with the English formulas and link targets.
A change to an English notebook fails this test until the translation follows; the tool prints
which cells to fix.
"""

import copy
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks  # noqa: E402
import translation_status  # noqa: E402

TRANSLATIONS = translation_status.translations()


def test_there_is_a_translation():
    assert any(lang == "ru" for _, _, lang in TRANSLATIONS)


@pytest.mark.parametrize("english, translated, lang", TRANSLATIONS,
                         ids=[f"{lang}/{t.stem}" for _, t, lang in TRANSLATIONS])
def test_translation_in_step_with_english(english, translated, lang):
    problems = translation_status.source_problems(english, translated, lang)
    assert not problems, (f"{translated.relative_to(ROOT)} is out of step with {english.name} "
                          f"(see `python tools/translation_status.py --lang {lang} {english.name[:2]}`):\n"
                          + "\n".join(str(p) for p in problems))


# ---- The comparison can fail: small notebooks with one planted difference each ----------------------
def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) if kind == "code" else nbformat.v4.new_markdown_cell(src)
                for kind, src in cells]
    return nb


ENGLISH = notebook(
    ("markdown", "# 01 · Title\n\n[badge](https://colab.research.google.com/github/x/y/blob/main/notebooks/NN_example.ipynb)"),
    ("code", "import utils\n\nutils.setup()"),
    ("markdown", "## 1. Sums\n\nThe sum $z = w x + b$ is [explained](https://example.org/a) here."),
    ("code", "# add them\nz = 2 + 3\nprint(f'total {z:.1f} of {z}', 'tab:blue')"),
)
RUSSIAN = notebook(
    ("markdown", "# 01 · Заголовок\n\n[значок](https://colab.research.google.com/github/x/y/blob/main/notebooks/ru/NN_example.ipynb)"),
    ("code", "import utils\n\nutils.setup(lang=\"ru\")"),
    ("markdown", "## 1. Суммы\n\nСумма $z = w x + b$ [объяснена](https://example.org/a) здесь."),
    ("code", "# складываем\nz = 2 + 3\nprint(f'всего {z} из {z:.1f}', 'tab:blue')"),
)


def planted(cell: int, source: str):
    nb = copy.deepcopy(RUSSIAN)
    nb.cells[cell].source = source
    return nb


def reasons(translated) -> list[str]:
    return [f"{p.index}: {p.reason}" for p in translation_status.compare(ENGLISH, translated, "ru")]


def test_a_faithful_translation_passes():
    # Comments, strings, f-string field order, the setup call's lang= and the badge's ru/ path may differ.
    assert reasons(RUSSIAN) == []


def test_changed_code_is_caught():
    assert reasons(planted(3, "# складываем\nz = 2 + 4\nprint(f'всего {z} из {z:.1f}', 'tab:blue')")) == \
        ["3: changed in English (code, formulas, heading or metadata differ)"]
    assert reasons(planted(1, "import utils\n\nutils.setup(lang=\"ru\", seed=1)"))
    assert reasons(planted(3, "z = 2 + 3\nprint(f'всего {z} из {z:.2f}', 'tab:blue')")), "format spec changed"


def test_a_string_changed_but_not_translated_is_caught():
    assert reasons(planted(3, "# складываем\nz = 2 + 3\nprint(f'всего {z} из {z:.1f}', 'tab:red')")) == \
        ["3: string 'tab:blue' changed to 'tab:red' (keep it, or translate it)"]


def test_untranslated_comments_are_caught():
    assert reasons(planted(3, "# add them\nz = 2 + 3\nprint(f'всего {z} из {z:.1f}', 'tab:blue')")) == \
        ["3: comments not translated"]


def test_markdown_formulas_links_and_language_are_checked():
    assert reasons(planted(2, "## 1. Суммы\n\nСумма $z = wx + b$ [объяснена](https://example.org/a).")) == \
        ["2: changed in English (code, formulas, heading or metadata differ)"]
    assert reasons(planted(2, "## 1. Суммы\n\nСумма $z = w x + b$ объяснена здесь.")) == \
        ["2: link targets missing: ['https://example.org/a']"]
    assert reasons(planted(2, "## 1. Sums\n\nThe sum $z = w x + b$ is [explained](https://example.org/a) here.")) == \
        ["2: not translated (no prose in the language)"]


def test_a_formula_wrapped_over_two_lines_is_one_formula():
    text = "after $k$ steps, $a =\nb$. A product of $k$ terms"
    assert translation_status.formulas(text) == {"$k$": 2, "$a =\nb$": 1}
    assert translation_status.formulas("costs $5 and $10 today") == {}  # dollars, not a formula
    assert translation_status.formulas("one $x$\n\nand $y$") == {"$x$": 1, "$y$": 1}


def test_added_and_removed_cells_are_caught():
    english = copy.deepcopy(ENGLISH)
    english.cells.insert(3, nbformat.v4.new_code_cell("assert z == 5"))
    found = [f"{p.index}: {p.reason}" for p in translation_status.compare(english, RUSSIAN, "ru")]
    assert found == ["3: new in English: translate it"]
    russian = copy.deepcopy(RUSSIAN)
    russian.cells.insert(2, nbformat.v4.new_code_cell("assert z == 5"))
    assert reasons(russian) == ["2: only in the translation (removed from English?)"]


def test_speaker_notes_metadata_must_match():
    nb = copy.deepcopy(RUSSIAN)
    nb.cells[2].metadata["slideshow"] = {"slide_type": "notes"}
    assert reasons(nb)


def test_translated_sources_build_to_their_folder():
    english, translated, lang = TRANSLATIONS[0]
    assert build_notebooks.language_of(translated) == lang and build_notebooks.language_of(english) == "en"
    assert build_notebooks.output_path(translated) == ROOT / "notebooks" / lang / (translated.stem + ".ipynb")
    assert build_notebooks.output_path(english) == ROOT / "notebooks" / (english.stem + ".ipynb")
