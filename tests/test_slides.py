"""Every notebook is ready to present as RISE slides (jupyterlab-rise, `make lab` → "Render as slides").

The slide structure comes from the headings (tools/build_notebooks.py sets it): the title and each
`##` heading start a slide, each `###` a sub-slide, the setup cell and the exercise solutions are
skipped, and every `##` section carries speaker notes for the teacher. Checked on the jupytext
sources (what authors edit) and on the committed .ipynb files (what teachers open).
tools/browser_test.py --slides checks in a real browser that no slide overflows 1280×720.
"""

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks  # noqa: E402

# Every edition: the English sources and their translations (notebooks/src/<lang>/).
SOURCES = build_notebooks.source_paths(lang="all")
IDS = [p.relative_to(build_notebooks.SOURCES).with_suffix("").as_posix() for p in SOURCES]


def slide_type(cell) -> str:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "")


def sections(cells) -> list[tuple[str, list]]:
    """The ``##`` sections of a notebook: (heading, the cells from that heading to the next one)."""
    found: list[tuple[str, list]] = []
    for cell in cells:
        if build_notebooks.heading_level(cell) == 2:
            found.append((cell.source.splitlines()[0], []))
        elif found:
            found[-1][1].append(cell)
    return found


def check_notes(cells, name: str, lang: str = "en") -> None:
    # How notes read in a notebook, so a learner (Colab, GitHub) knows to skip them (the build adds it).
    notes_prefix = build_notebooks.notes_mark(lang).strip()
    for heading, body in sections(cells):
        notes = [cell for cell in body if build_notebooks.is_notes(cell)]
        assert notes, f"{name}: section {heading!r} has no speaker notes (a markdown cell marked " \
                      f"slideshow={{\"slide_type\": \"notes\"}}, see CONVENTIONS.md)"
    for cell in cells:
        if build_notebooks.is_notes(cell):
            lines = [line for line in cell.source.splitlines() if line.strip()]
            assert cell.cell_type == "markdown", f"{name}: a notes cell must be markdown"
            assert 1 <= len(lines) <= 3, f"{name}: notes are 1-3 lines for the teacher: {cell.source[:80]!r}"
            assert lines[0].startswith(notes_prefix), f"{name}: notes not marked for learners to skip: {lines[0]!r}"


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_source_has_notes_for_every_section(source):
    nb = build_notebooks.read_source(source)
    assert sections(nb.cells), f"{source.name} has no ## sections"
    check_notes(nb.cells, source.name, build_notebooks.language_of(source))


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_notebook_slides_follow_the_headings(source):
    path = build_notebooks.output_path(source)
    saved = nbformat.read(path, as_version=4)
    cells = saved.cells
    assert saved.metadata.get("rise") == build_notebooks.RISE, f"{path.name}: RISE settings missing: rebuild it"
    for index, cell in enumerate(cells):
        kind, level = slide_type(cell), build_notebooks.heading_level(cell)
        where = f"{path.name} cell {index} ({cell.source[:40]!r})"
        assert kind in ("slide", "subslide", "fragment", "-", "skip", "notes"), f"{where}: no slide type"
        if build_notebooks.is_notes(cell):
            continue
        if index == 0 or level == 2:
            assert kind == "slide", f"{where}: the title and every ## heading start a slide"
        elif level == 3:
            assert kind == "subslide", f"{where}: a ### heading starts a sub-slide"
        elif index == 1:
            assert kind == "skip", f"{where}: the setup cell is not shown on a slide"
        elif build_notebooks.is_solution(cell):
            assert kind == "skip", f"{where}: exercise solutions are not shown on a slide"
        for line in cell.source.splitlines()[1:] if cell.cell_type == "markdown" else []:
            assert not build_notebooks.HEADING.match(line), f"{where}: a heading inside a cell cannot start a slide"
    check_notes(cells, path.name, build_notebooks.language_of(source))
    # Exactly what the build script gives for this source and these outputs (so the sub-slide
    # breaks that keep a slide within 1280×720 are up to date).
    expected = build_notebooks.read_source(source)
    saved_code = iter(c for c in cells if c.cell_type == "code")
    for cell in expected.cells:
        if cell.cell_type == "code":
            cell.outputs = next(saved_code).get("outputs", [])
    build_notebooks.set_slide_types(expected)
    assert [slide_type(c) for c in cells] == [slide_type(c) for c in expected.cells], \
        f"{path.name}: slide types differ from the build's: run tools/build_notebooks.py --keep-outputs {source.name[:2]}"


def markdown(text: str, **metadata):
    return nbformat.v4.new_markdown_cell(text, metadata=metadata)


def test_headings_split_cells_and_set_slide_types():
    nb = nbformat.v4.new_notebook(cells=[
        markdown("# Title"), nbformat.v4.new_code_cell("import utils"),
        markdown("Intro.\n\n## 1. First\n\nText.\n\n### 1.1 Detail\n\nMore."),
        markdown("Ask.", slideshow={"slide_type": "notes"}),
        markdown("A point the author shows one step at a time.", slideshow={"slide_type": "fragment"}),
        nbformat.v4.new_code_cell("# Solution\nx = 1", metadata={"tags": ["solution"]}),
    ])
    nb = build_notebooks.set_slide_types(build_notebooks.mark_notes(build_notebooks.split_at_headings(nb)))
    assert [c.source.splitlines()[0] for c in nb.cells] == [
        "# Title", "import utils", "Intro.", "## 1. First", "### 1.1 Detail", "> 🗣 **Teacher:** Ask.",
        "A point the author shows one step at a time.", "# Solution"]
    assert [slide_type(c) for c in nb.cells] == ["slide", "skip", "-", "slide", "subslide", "notes", "fragment", "skip"]


def test_a_slide_that_would_overflow_gets_a_sub_slide():
    """Content that would not fit under one heading on a 1280×720 screen continues on a sub-slide."""
    paragraph = "\n\n".join(f"Paragraph {i} of a long explanation." for i in range(14))
    nb = nbformat.v4.new_notebook(cells=[markdown("# Title"), nbformat.v4.new_code_cell("import utils"),
                                         markdown("## Section"), markdown(paragraph), markdown(paragraph),
                                         markdown("Short.")])
    kinds = [slide_type(c) for c in build_notebooks.set_slide_types(nb).cells]
    assert kinds == ["slide", "skip", "slide", "-", "subslide", "-"]
    short = nbformat.v4.new_notebook(cells=[markdown("# Title"), nbformat.v4.new_code_cell("import utils"),
                                            markdown("## Section"), markdown("Short."), markdown("Short.")])
    assert [slide_type(c) for c in build_notebooks.set_slide_types(short).cells] == ["slide", "skip", "slide", "-", "-"]


def test_keep_outputs_accepts_a_cell_split_into_definitions_and_use(tmp_path, monkeypatch):
    """Splitting a long cell for the slides (definitions, then their use) keeps the saved outputs
    without executing; any other change to the code is refused."""
    monkeypatch.setattr(build_notebooks, "NOTEBOOKS", tmp_path)
    saved = nbformat.v4.new_notebook(cells=[
        markdown("# Title"), nbformat.v4.new_code_cell("import utils", execution_count=1),
        nbformat.v4.new_code_cell("def f(x):\n    return 2 * x\n\nprint(f(2))", execution_count=2,
                                  outputs=[nbformat.v4.new_output("stream", text="4\n")])])
    nbformat.write(saved, tmp_path / "01_demo.ipynb")
    source = tmp_path / "01_demo.py"
    head = "# %% [markdown]\n# # Title\n\n# %%\nimport utils\n\n# %%\ndef f(x):\n    return 2 * x\n\n"
    source.write_text(head + "# %%\nprint(f(2))\n", encoding="utf-8")
    build_notebooks.rebuild_keeping_outputs(source)
    code = [c for c in nbformat.read(tmp_path / "01_demo.ipynb", as_version=4).cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == [1, 2, 3]
    assert [len(c.outputs) for c in code] == [0, 0, 1] and code[2].outputs[0].text == "4\n"
    nbformat.write(saved, tmp_path / "01_demo.ipynb")
    source.write_text(head + "# %%\nprint(f(3))\n", encoding="utf-8")  # the code changed: run it
    with pytest.raises(ValueError, match="execute it"):
        build_notebooks.rebuild_keeping_outputs(source)
    source.write_text(head.replace("def f(x):\n    return 2 * x", "y = f = print") + "# %%\nprint(f(2))\n",
                      encoding="utf-8")
    with pytest.raises(ValueError, match="execute it"):
        build_notebooks.rebuild_keeping_outputs(source)
