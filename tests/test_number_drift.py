"""Numbers the prose quotes from outputs are pinned by asserts (issue 18; tools/number_drift.py).

Every executed English notebook: a unit-bearing number in a markdown cell next to a code cell with
outputs is asserted in a neighbouring cell (or, for a recap, anywhere in the notebook), written by
the code as an input, or a cited fact in the tool's FACTS table. The Russian notebooks follow the
English cells one for one (tests/test_translations.py), so their numbers are the same.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("number_drift", ROOT / "tools" / "number_drift.py")
number_drift = importlib.util.module_from_spec(spec)
spec.loader.exec_module(number_drift)
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_no_prose_number_drifts_from_its_output(path):
    assert number_drift.scan(path) == [], "assert the number next to the sentence that quotes it"


def _notebook(tmp_path: Path, prose: str, code: str) -> Path:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": prose},
             {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": code,
              "outputs": [{"output_type": "stream", "name": "stdout", "text": "trained\n"}]}]
    path = tmp_path / "99_x.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_an_unpinned_number_is_reported_and_a_pinned_one_is_not(tmp_path):
    assert number_drift.scan(_notebook(tmp_path, "Training takes 42 s and reaches 57 %.", "run()")) == [
        "99_x.ipynb cell 0: '42 s'", "99_x.ipynb cell 0: '57 %'"]
    pinned = "run()\nassert 40 < seconds < 45\nassert abs(accuracy - 0.57) < 0.01"
    assert number_drift.scan(_notebook(tmp_path, "Training takes 42 s and reaches 57 %.", pinned)) == []
    assert number_drift.scan(_notebook(tmp_path, "We hold out 20 % of it.", "n = int(0.8 * len(data))")) == []
