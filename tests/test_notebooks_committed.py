"""Hygiene of the committed notebooks: what a learner opens on GitHub or Colab before running.

(nbval runs the notebooks themselves; this checks the files in the repository.)
"""

import base64
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks  # noqa: E402

from utils import i18n  # noqa: E402

NOTEBOOKS_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))
# The translations: notebooks/src/<lang>/NN_name.py -> notebooks/<lang>/NN_name.ipynb (README.ru.md).
TRANSLATED = sorted(NOTEBOOKS_DIR.glob("*/[0-9][0-9]_*.ipynb"))
TRANSLATED_SOURCES = [p for lang in i18n.languages()[1:] for p in build_notebooks.source_paths(lang=lang)]
ALL_NOTEBOOKS = NOTEBOOKS + TRANSLATED
COURSE_NAMES = {
    "01_perceptron", "02_regression", "03_backpropagation", "04_deep_networks", "05_recurrent_networks", "06_tokens_embeddings",
    "07_attention", "08_gpt", "09_pretraining_scaling", "10_fine_tuning", "11_rlhf", "12_using_llms",
    "13_pictures_from_a_prompt", "14_your_own_gpt",
}
MAX_BYTES = 2_500_000
ABSOLUTE_PATH = re.compile(r"(/(work|home|tmp|root|Users)/[A-Za-z0-9_.-]+/|[A-Z]:\\\\Users)")
# Notebook 01 is the model: every notebook's second cell is its setup cell, to the letter (in each language).
SETUP_CELL = build_notebooks.read_source(ROOT / "notebooks" / "src" / "01_perceptron.py").cells[1].source


def language(path: Path) -> str:
    return i18n.DEFAULT_LANG if path.parent == NOTEBOOKS_DIR else path.parent.name


def setup_cell(lang: str) -> str:
    return build_notebooks.read_source(build_notebooks.sources_dir(lang) / "01_perceptron.py").cells[1].source


def test_there_are_notebooks_and_sources():
    assert NOTEBOOKS, "no notebooks found"
    assert [p.stem for p in NOTEBOOKS] == [p.stem for p in SOURCES], "every notebook needs its src/*.py and vice versa"
    assert {p.stem for p in NOTEBOOKS} <= COURSE_NAMES
    assert {p.relative_to(NOTEBOOKS_DIR) for p in TRANSLATED} == \
        {build_notebooks.output_path(p).relative_to(NOTEBOOKS_DIR) for p in TRANSLATED_SOURCES}, \
        "every translated notebook needs its src/<lang>/*.py and vice versa"
    assert {language(p) for p in TRANSLATED} <= set(i18n.languages()) and {p.stem for p in TRANSLATED} <= COURSE_NAMES


def test_in_sync_with_sources():
    assert build_notebooks.check(SOURCES + TRANSLATED_SOURCES) == []


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=[str(p.relative_to(NOTEBOOKS_DIR)) for p in ALL_NOTEBOOKS])
def test_committed_notebook_is_clean(path):
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size / 1e6:.1f} MB"
    assert "widgets" not in nb["metadata"], "widget state saved: run `make execute`"
    assert not ABSOLUTE_PATH.search(text), f"absolute path in {path.name}: {ABSOLUTE_PATH.search(text).group(0)}"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "not executed top to bottom in one run"
    for cell in code:
        for output in cell["outputs"]:
            assert output["output_type"] != "error", f"error output committed: {output.get('ename')}"
            assert build_notebooks.WIDGET_MIME not in output.get("data", {}), "widget view committed"
            if output["output_type"] == "stream":
                assert "Traceback" not in output["text"]


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=[str(p.relative_to(NOTEBOOKS_DIR)) for p in ALL_NOTEBOOKS])
def test_notebook_follows_the_course_form(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    lang = language(path)
    cells = nb["cells"]
    first = "".join(cells[0]["source"])
    assert cells[0]["cell_type"] == "markdown" and first.startswith(f"# {path.stem[:2]} ")
    colab_path = path.relative_to(NOTEBOOKS_DIR).as_posix()
    assert "colab.research.google.com/github/" in first and f"notebooks/{colab_path})" in first
    assert i18n.t_in(lang, "notebook.what_you_will_learn") in first and i18n.t_in(lang, "notebook.time") in first
    assert "".join(cells[1]["source"]).strip() == setup_cell(lang).strip(), "cell 2 must be the shared setup cell"
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert i18n.t_in(lang, "notebook.recap") in markdown and i18n.t_in(lang, "notebook.exercises") in markdown
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert sum("assert" in c for c in code) >= 3, "each idea needs an assert cell"
    # Exercises: a check call per exercise, solutions out of sight (tests/test_exercises.py checks them).
    assert not any(c["metadata"].get("jupyter", {}).get("source_hidden") for c in cells), \
        "solutions live in notebooks/solutions/, not in hidden cells (Colab shows them)"
    assert 3 <= sum("check(\"" in c for c in code) <= 5, "3-5 exercises, each with a check call"

# ---- Diagrams travel inside the notebooks (Colab, a notebook downloaded alone: no images/ beside it) ----
ATTACHMENT_LINK = re.compile(r"!\[[^\]]*\]\(attachment:([^)\s]+)\)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_diagrams_are_attached_not_linked(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        assert "](../images/" not in source, f"{path.name} links to images/: rebuild it with tools/build_notebooks.py"
        attached = cell.get("attachments", {})
        assert set(ATTACHMENT_LINK.findall(source)) == set(attached), f"{path.name}: links and attachments differ"
        for name, bundle in attached.items():
            assert base64.b64decode(bundle["image/png"]) == (ROOT / "images" / name).read_bytes(), (
                f"{path.name} carries an old {name}: rebuild it with tools/build_notebooks.py --keep-outputs")


def test_the_build_attaches_each_local_image():
    nb = build_notebooks.read_source(ROOT / "notebooks" / "src" / "11_rlhf.py")
    cells = [c for c in nb.cells if "attachments" in c]
    assert len(cells) == 1 and "](attachment:training_pipeline.png)" in cells[0].source
    assert "../images/" not in cells[0].source
    png = base64.b64decode(cells[0].attachments["training_pipeline.png"]["image/png"])
    assert png == (ROOT / "images" / "training_pipeline.png").read_bytes()


def test_a_link_to_a_missing_image_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(build_notebooks, "IMAGES", tmp_path)  # an empty images/ folder
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("![a picture](../images/lora.png)")])
    with pytest.raises(ValueError, match="99_example.py shows images/lora.png, which is not a PNG in images/"):
        build_notebooks.attach_images(nb, Path("99_example.py"))


def test_a_redrawn_diagram_puts_the_notebook_out_of_sync(tmp_path, monkeypatch):
    source = ROOT / "notebooks" / "src" / "11_rlhf.py"
    nb = nbformat.read(ROOT / "notebooks" / "11_rlhf.ipynb", as_version=4)
    monkeypatch.setattr(build_notebooks, "NOTEBOOKS", tmp_path)
    nbformat.write(nb, tmp_path / "11_rlhf.ipynb")
    assert build_notebooks.check([source]) == [], "the committed notebook should be in sync"
    cell = next(c for c in nb.cells if "attachments" in c)
    cell.attachments["training_pipeline.png"]["image/png"] = base64.b64encode(b"\x89PNG an older drawing").decode()
    nbformat.write(nb, tmp_path / "11_rlhf.ipynb")
    problems = build_notebooks.check([source])
    assert len(problems) == 1 and "old copy of training_pipeline.png" in problems[0] and "--keep-outputs --lang en 11" in problems[0]
