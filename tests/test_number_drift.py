"""tools/number_drift.py finds prose numbers next to outputs that no assert pins, and only those."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("number_drift", ROOT / "tools" / "number_drift.py")
number_drift = importlib.util.module_from_spec(spec)
spec.loader.exec_module(number_drift)


def notebook(tmp_path, markdown, code, outputs=True):
    cells = [{"cell_type": "code", "source": code, "metadata": {}, "execution_count": 1,
              "outputs": [{"output_type": "stream", "name": "stdout", "text": "62.0%\n"}] if outputs else []},
             {"cell_type": "markdown", "source": markdown, "metadata": {}}]
    path = tmp_path / "99_test.ipynb"
    path.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    return path


def test_unpinned_number_is_reported(tmp_path):
    problems = number_drift.scan(notebook(tmp_path, "The task is hard: about 62 %.", "print('62.0%')"))
    assert problems == ["99_test.ipynb cell 1: '62 %'"]


def test_assert_near_the_number_pins_it(tmp_path):
    code = "acc = 0.62\nassert 0.61 < acc < 0.63  # the text says about 62 %"
    assert number_drift.scan(notebook(tmp_path, "The task is hard: about 62 %.", code)) == []


def test_cited_numbers_and_cells_without_outputs_are_skipped(tmp_path):
    cited = "GPT-3 has 175 B parameters ([Brown et al., 2020](https://arxiv.org/abs/2005.14165))."
    assert number_drift.scan(notebook(tmp_path, cited, "print(1)")) == []
    assert number_drift.scan(notebook(tmp_path, "about 62 %", "x = 1", outputs=False)) == []


def test_units_separators_formulas_and_code_spans():
    text = "787,584 parameters, 1,003 s, 2.1×, 16 M tokens, $p = 5 %$ and `10 s` and 3.14 × 10²³"
    found = [t for t, _, _ in number_drift.candidates(text)]
    assert found == ["787,584", "1,003 s", "2.1×", "16 M"]  # LaTeX, code and "× 10^n" are not measurements
