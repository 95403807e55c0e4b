"""Cross-references between the course's files stay true when notebooks are added or renumbered.

Checks every tracked text file (sources, utils, tests, tools, README, Makefile): a path to a
notebook, source or image must exist, and every "notebook NN" must name a notebook the course has.
Each notebook's "Needs:" line may only name earlier notebooks.
"""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_NUMBERS = {p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
# "notebook 07", "notebooks 07–09", "Notebooks 01 and 06", "notebook 8's": every number in the run.
NUMBER = r"\d{1,2}"
SEPARATOR = r"\s*(?:,|and|or|–|-|/|to|&)\s*"
NOTEBOOK_REFERENCE = re.compile(rf"\b[Nn]otebooks?\s+\(?({NUMBER}(?:{SEPARATOR}{NUMBER})*)(?![\d.])")
FILE_REFERENCE = re.compile(r"(?:notebooks/(?:src/)?|images/(?:screenshots/)?)[\w./-]+\.(?:ipynb|py|png)")
NEEDS = re.compile(r"\*\*Needs:\*\*([^\n]*)")


def tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    files = []
    for name in names:
        path = ROOT / name
        if path.suffix in {".py", ".md", ".txt", ".yml", ".toml", ".cfg"} or path.name in {"Makefile", "run"}:
            if path.is_file():
                files.append(path)
    return files


FILES = tracked_text_files()


def test_the_scan_sees_the_course():
    names = {p.relative_to(ROOT).as_posix() for p in FILES}
    assert {"README.md", "Makefile", "utils/models.py"} <= names
    assert len(NOTEBOOK_NUMBERS) >= 11


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(ROOT).as_posix() for p in FILES])
def test_notebook_numbers_exist(path):
    text = path.read_text(encoding="utf-8")
    stale = []
    for match in NOTEBOOK_REFERENCE.finditer(text):
        for number in re.findall(NUMBER, match.group(1)):
            if f"{int(number):02d}" not in NOTEBOOK_NUMBERS:
                line = text.count("\n", 0, match.start()) + 1
                stale.append(f"line {line}: {match.group(0)!r}")
    assert not stale, "references to notebooks the course does not have:\n" + "\n".join(stale)


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(ROOT).as_posix() for p in FILES])
def test_file_references_exist(path):
    text = path.read_text(encoding="utf-8")
    missing = sorted({m.group(0) for m in FILE_REFERENCE.finditer(text)
                      if "*" not in m.group(0) and "NN_" not in m.group(0) and not (ROOT / m.group(0)).exists()})
    assert not missing, f"{path.name} points to files that do not exist: {missing}"


SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_needs_only_earlier_notebooks(path):
    own = int(path.name[:2])
    for line in NEEDS.findall(path.read_text(encoding="utf-8")):
        for match in NOTEBOOK_REFERENCE.finditer(line):
            earlier = [int(n) for n in re.findall(NUMBER, match.group(1))]
            assert all(n < own for n in earlier), f"{path.name} needs a later notebook: {line.strip()}"


def test_the_reference_pattern_reads_runs_of_numbers():
    found = [m.group(1) for m in NOTEBOOK_REFERENCE.finditer("notebooks 07–09 and notebook 12's; Notebooks 01 and 06")]
    assert found == ["07–09", "12", "01 and 06"]
    assert not NOTEBOOK_REFERENCE.search("notebook 2.5 of something"), "a decimal is not a notebook number"
