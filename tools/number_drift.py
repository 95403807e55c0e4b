"""Report prose numbers that could drift from the outputs they quote.

A notebook's prose often quotes a number that a neighbouring code cell computes ("about 57 %",
"787,584 parameters", "in 12 s"). If the code changes, the output changes and the prose goes stale
unless an assert pins the number. This script scans every executed notebook: for each markdown
cell next to a code cell that has outputs, it finds numbers followed by a unit (%, s / seconds /
minutes, k / M / B, "parameters", "×") and lists those that no `assert` in the neighbouring code
cells mentions (as a literal, a bound around it, or in the assert's comment).

Numbers in a paragraph or list item that carries a link are taken to be cited facts about real
models, not outputs, and are skipped; so are LaTeX formulas and code spans, the sizes of real models
listed in ``FACTS`` (each with its source), and numbers the notebook's code sets as a literal
anywhere in the notebook (an input such as a 90 % / 10 % split is not an output that can drift).
A recap that repeats a number an assert pins elsewhere in the notebook (within 2 %) counts as pinned.
tests/test_number_drift.py requires zero unmatched numbers; `make lint` prints the
count, and the list shows where to look.

    python tools/number_drift.py            # the count and every unmatched number
    python tools/number_drift.py --count    # the count only
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import tokenize
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

# A number (1,234 / 0.55 / 57) followed by a unit that marks it as measured.
NUMBER = re.compile(
    r"(?<![\w.,$^_{-])(\d{1,3}(?:[, \u202f]\d{3})+(?!\d)|\d+(?:\.\d+)?)\s?"
    r"(%|×(?!\s?\d)|s\b|seconds?\b|minutes?\b|min\b|k\b|M\b|B\b|(?=\s?parameters))"
)
LATEX = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$", re.S)
CODE_SPAN = re.compile(r"`[^`\n]*`")
# Paragraphs (blank line between) and list items ("- ", "1. ") are the units a citation covers.
BLOCK = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*]|\d+\.)\s)")
ASSERT_LINE = re.compile(r"^\s*assert\b.*$", re.M)
NUMERIC = re.compile(r"\d+(?:_\d{3})*(?:\.\d+)?(?:e[-+]?\d+)?")
SCALE = {"k": 1e3, "M": 1e6, "B": 1e9, "%": 1e-2, "minutes": 60, "minute": 60, "min": 60}
# Sizes of real models the prose names again and again; cited where the notebooks first give them.
FACTS = {
    "124 M": "GPT-2 small, 124 M parameters (Radford et al. 2019; the Hugging Face model card)",
    "175 B": "GPT-3, 175 B parameters (Brown et al. 2020, table 2.1)",
    "1.3 B": "InstructGPT 1.3 B preferred over GPT-3 175 B (Ouyang et al. 2022, abstract)",
    "135 M": "SmolLM2-135M (HuggingFaceTB/SmolLM2-135M-Instruct model card)",
    "22.7 M": "all-MiniLM-L6-v2, 22.7 M parameters (sentence-transformers model card)",
    "100 k": "GPT-4's cl100k_base vocabulary, 100,277 tokens (tiktoken)",
    "200 k": "GPT-4o's o200k_base vocabulary, about 200,000 tokens (tiktoken)",
    "393": "seed 000's 'simple model with 393 parameters', a claim notebook 02 discusses, not an output",
}


def candidates(markdown: str) -> list[tuple[str, float, str]]:
    """(text as written, value, unit) for every unit-bearing number outside links and formulas."""
    found = []
    for block in BLOCK.split(markdown):
        if "](http" in block or "**Time:**" in block:
            continue
        block = CODE_SPAN.sub(" ", LATEX.sub(" ", block))
        for match in NUMBER.finditer(block):
            text, unit = match.group(1), match.group(2)
            value = float(re.sub(r"[, \u202f]", "", text))
            found.append((match.group(0).strip(), value, unit))
    return found


def assert_values(code: str) -> tuple[list[float], str]:
    """Every number in the cell's assert lines (with _ separators removed), and the lines' text."""
    lines = ASSERT_LINE.findall(code)
    values = [float(n.replace("_", "")) for line in lines for n in NUMERIC.findall(line)]
    return values, "\n".join(lines)


def matched(text: str, value: float, unit: str, values: list[float], assert_text: str,
            tolerance: float = 0.1) -> bool:
    """True when an assert quotes the number, or bounds it within ``tolerance`` (in its own or SI scale)."""
    if text in assert_text or text.replace(" ", "") in assert_text.replace(" ", ""):
        return True
    targets = {value, value * SCALE.get(unit, 1.0)}
    if unit == "%":  # "within 15 %" is asserted as a factor: ratio < 1.15
        targets.add(1 + value / 100)
    return any(abs(v - t) <= tolerance * abs(t) + 1e-12 for v in values for t in targets if t)


def code_literals(code: str) -> list[float]:
    """Every number literal written in a code cell (comments and strings left out): the cell's inputs."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
    values = []
    for token in tokens:
        if token.type == tokenize.NUMBER:
            try:
                values.append(float(token.string.replace("_", "")))
            except ValueError:
                continue
    return values


def is_input(value: float, unit: str, literals: list[float]) -> bool:
    """True when the code writes the number itself (90 % as 0.9 or 90, 8× as 8), or its complement
    (hold out 20 % when the code trains on 0.8)."""
    targets = {value, value * SCALE.get(unit, 1.0)}
    if unit == "%":
        targets.add(round(1 - value / 100, 6))
    return any(abs(literal - target) < 1e-9 for literal in literals for target in targets)


def scan(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    literals = [v for source in code for v in code_literals(source)]
    all_values, all_asserts = [], ""
    for source in code:
        v, t = assert_values(source)
        all_values += v
        all_asserts += t
    problems = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        neighbours = [cells[j] for j in (i - 1, i + 1) if 0 <= j < len(cells) and cells[j]["cell_type"] == "code"]
        if not any(c.get("outputs") for c in neighbours):
            continue
        values, assert_text = [], ""
        for c in neighbours:
            v, t = assert_values("".join(c["source"]))
            values += v
            assert_text += t
        for text, value, unit in candidates("".join(cell["source"])):
            if re.sub(r"\s", "", text) in {re.sub(r"\s", "", fact) for fact in FACTS}:
                continue
            if is_input(value, unit, literals):
                continue
            if matched(text, value, unit, values, assert_text):
                continue
            if not matched(text, value, unit, all_values, all_asserts, tolerance=0.02):
                problems.append(f"{path.name} cell {i}: {text!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", action="store_true", help="print only the number of unmatched numbers")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help="folder of executed notebooks")
    args = parser.parse_args(argv)
    problems = [p for path in sorted(args.notebooks.glob("[0-9][0-9]_*.ipynb")) for p in scan(path)]
    if not args.count:
        print("\n".join(problems))
    print(f"number drift report: {len(problems)} prose numbers next to outputs with no matching assert")
    return 0


if __name__ == "__main__":
    sys.exit(main())
