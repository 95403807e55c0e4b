"""Hygiene of the committed notebooks: what a learner opens on GitHub or Colab before running.

(nbval runs the notebooks themselves; this checks the files in the repository.)
"""

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))
COURSE_NAMES = {
    "01_perceptron", "02_regression", "03_backpropagation", "04_deep_networks", "05_recurrent_networks", "06_tokens_embeddings",
    "07_attention", "08_gpt", "09_pretraining_scaling", "10_fine_tuning", "11_rlhf", "12_using_llms",
    "13_pictures_from_a_prompt",
}
MAX_BYTES = 2_500_000
ABSOLUTE_PATH = re.compile(r"(/(work|home|tmp|root|Users)/[A-Za-z0-9_.-]+/|[A-Z]:\\\\Users)")
# Notebook 01 is the model: every notebook's second cell is its setup cell, to the letter.
SETUP_CELL = build_notebooks.read_source(ROOT / "notebooks" / "src" / "01_perceptron.py").cells[1].source


def test_there_are_notebooks_and_sources():
    assert NOTEBOOKS, "no notebooks found"
    assert [p.stem for p in NOTEBOOKS] == [p.stem for p in SOURCES], "every notebook needs its src/*.py and vice versa"
    assert {p.stem for p in NOTEBOOKS} <= COURSE_NAMES


def test_in_sync_with_sources():
    assert build_notebooks.check(SOURCES) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_follows_the_course_form(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb["cells"]
    first = "".join(cells[0]["source"])
    assert cells[0]["cell_type"] == "markdown" and first.startswith(f"# {path.stem[:2]} ")
    assert "colab.research.google.com/github/" in first and f"notebooks/{path.name})" in first
    assert "What you will learn" in first and "Time:" in first
    assert "".join(cells[1]["source"]).strip() == SETUP_CELL.strip(), "cell 2 must be the shared setup cell"
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert "## Recap" in markdown and "## Exercises" in markdown
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert sum("assert" in c for c in code) >= 3, "each idea needs an assert cell"
    # Exercises: a check call per exercise, solutions out of sight (tests/test_exercises.py checks them).
    assert not any(c["metadata"].get("jupyter", {}).get("source_hidden") for c in cells), \
        "solutions live in notebooks/solutions/, not in hidden cells (Colab shows them)"
    assert 3 <= sum("check(\"" in c for c in code) <= 5, "3-5 exercises, each with a check call"
