"""Which cells of each translated notebook are out of step with the English source.

    python tools/translation_status.py            # every translated notebook, every language
    python tools/translation_status.py --lang ru 01

A translation (notebooks/src/ru/NN_name.py) keeps the English notebook's cells, in the same order:
- a code cell has the English cell's syntax tree once string constants are set aside (comments are
  not in the tree; the setup call's ``lang="ru"`` is the one allowed difference); each string is the
  English one or a translation (it contains the language's letters);
- a markdown cell is written in the language, has the English cell's formulas ($…$) and every one of
  its link targets and image paths (the Colab badge points to the translated notebook; a translation
  may add links, e.g. to sources in its language), and the same cell metadata (notes, solutions).

For each translated notebook this prints the cells to fix: the index of the English cell, its kind,
its first line, and what differs. tests/test_translations.py runs the same comparison; it fails
until the translation follows the English source. Exit status 1 when any cell is out of step.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import io
import json
import re
import sys
import tokenize
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import build_notebooks  # noqa: E402
import nbformat  # noqa: E402

from utils import i18n  # noqa: E402

# The letters that show a cell or a string was translated (a new language adds its script here).
SCRIPTS = {"ru": re.compile(r"[А-Яа-яЁё]")}
# Inline $…$ as Pandoc reads it: no space just inside the dollars, no digit right after the closing
# one, and it may wrap onto the next line (not across a blank line). Without the wrap, a formula
# broken over two lines paired the wrong dollars and counted the prose between formulas as one.
FORMULA = re.compile(r"\$\$.+?\$\$|\$(?=\S)(?:[^$\n]|\n(?!\n))+?(?<=\S)\$(?!\d)", re.DOTALL)
LINK_TARGET = re.compile(r"\]\(([^)\s]+)")
CODE_SPAN = re.compile(r"`[^`]*`")
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


@dataclass
class Problem:
    index: int  # the English cell's index (the translated cell's where the English has none)
    kind: str
    first_line: str
    reason: str

    def __str__(self) -> str:
        return f"  cell {self.index:>3} ({self.kind}) {self.first_line[:60]!r}: {self.reason}"


# ---- Code: the syntax tree with string constants set aside --------------------------------------------
class _SetStringsAside(ast.NodeTransformer):
    """Replace every string constant by a placeholder (collected in ``strings``), keep f-strings'
    fields (in any order: a translation may reorder them) and drop ``lang=`` from ``utils.setup``."""

    def __init__(self) -> None:
        self.strings: list[str] = []

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, str):
            self.strings.append(node.value)
            return ast.Constant(value="…")
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        self.strings.append("".join(v.value for v in node.values if isinstance(v, ast.Constant)))
        fields = [v for v in node.values if isinstance(v, ast.FormattedValue)]
        for field in fields:  # the expression inside {…}; its format spec (":.2f") stays as written
            field.value = self.visit(field.value)
        return ast.JoinedStr(values=sorted(fields, key=ast.dump))

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if ast.unparse(node.func) in ("utils.setup", "setup"):
            node.keywords = [k for k in node.keywords if k.arg != "lang"]
        return node


def code_key(source: str) -> tuple[str, list[str]]:
    """(the syntax tree without strings, the strings in order). Magics: the text without comments."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        lines = [line.split("#")[0].rstrip() for line in source.splitlines()]
        return "\n".join(line for line in lines if line), []
    visitor = _SetStringsAside()
    return ast.dump(visitor.visit(tree)), visitor.strings


def comments(source: str) -> str:
    """The comments of a code cell, joined (empty for a cell that does not tokenize)."""
    try:
        tokens = tokenize.generate_tokens(io.StringIO(source).readline)
        return "\n".join(tok.string for tok in tokens if tok.type == tokenize.COMMENT)
    except (tokenize.TokenError, SyntaxError):
        return ""


# ---- Markdown: formulas, link targets, prose ---------------------------------------------------------
def formulas(text: str) -> Counter:
    return Counter(f.strip() for f in FORMULA.findall(text))


def link_targets(text: str, lang: str, translated: bool = False) -> Counter:
    # The translated Colab badge opens notebooks/<lang>/NN.ipynb: count it as the English target. A
    # translated notebook sits one folder down (notebooks/<lang>/), so its relative link "../solutions/x"
    # is the English "solutions/x" (diagrams, "../images/...", are attached by the build: same path).
    def same_as_english(target: str) -> str:
        target = target.replace(f"/notebooks/{lang}/", "/notebooks/")
        if translated and target.startswith("../") and not target.startswith("../images/"):
            target = target[3:]
        return target

    return Counter(same_as_english(t) for t in LINK_TARGET.findall(text))


def prose(text: str) -> str:
    """The words of a markdown cell: without formulas, code spans and link targets."""
    return LINK_TARGET.sub("](", CODE_SPAN.sub("", FORMULA.sub("", text)))


def cell_key(cell: nbformat.NotebookNode) -> tuple:
    """What must be equal for two cells to be the same cell: used to line the notebooks up."""
    meta = json.dumps(cell.metadata, sort_keys=True)
    if cell.cell_type == "code":
        return ("code", meta, code_key(cell.source)[0])
    return (cell.cell_type, meta, build_notebooks.heading_level(cell), tuple(sorted(formulas(cell.source).items())))


def first_line(cell: nbformat.NotebookNode) -> str:
    return next((line.strip() for line in cell.source.splitlines() if line.strip()), "")


def cell_problems(english: nbformat.NotebookNode, translated: nbformat.NotebookNode, lang: str) -> list[str]:
    """What is out of step in a translated cell that lines up with its English cell."""
    script = SCRIPTS[lang]
    if english.cell_type == "code":
        _, english_strings = code_key(english.source)
        _, translated_strings = code_key(translated.source)
        problems = [f"string {e!r} changed to {t!r} (keep it, or translate it)"
                    for e, t in zip(english_strings, translated_strings) if e != t and not script.search(t)]
        if ENGLISH_WORD.search(comments(english.source)) and not script.search(comments(translated.source)):
            problems.append("comments not translated")
        return problems
    problems = []
    missing = link_targets(english.source, lang) - link_targets(translated.source, lang, translated=True)
    if missing:
        problems.append(f"link targets missing: {sorted(missing)}")
    if ENGLISH_WORD.search(prose(english.source)) and not script.search(prose(translated.source)):
        problems.append("not translated (no prose in the language)")
    return problems


def compare(english: nbformat.NotebookNode, translated: nbformat.NotebookNode, lang: str) -> list[Problem]:
    """Every cell where ``translated`` is out of step with ``english`` (both as read_source gives them)."""
    problems: list[Problem] = []
    english_keys = [cell_key(c) for c in english.cells]
    translated_keys = [cell_key(c) for c in translated.cells]
    matcher = difflib.SequenceMatcher(a=english_keys, b=translated_keys, autojunk=False)
    for op, e0, e1, t0, t1 in matcher.get_opcodes():
        if op == "equal":
            for i, j in zip(range(e0, e1), range(t0, t1)):
                cell = english.cells[i]
                problems += [Problem(i, cell.cell_type, first_line(cell), reason)
                             for reason in cell_problems(cell, translated.cells[j], lang)]
            continue
        for i in range(e0, e1):  # "replace": the English cell changed; "delete": it is new
            cell = english.cells[i]
            reason = "changed in English (code, formulas, heading or metadata differ)" if op == "replace" \
                else "new in English: translate it"
            problems.append(Problem(i, cell.cell_type, first_line(cell), reason))
        extra = t1 - t0 - (e1 - e0) if op == "replace" else t1 - t0 if op == "insert" else 0
        for j in range(t1 - max(extra, 0), t1):
            cell = translated.cells[j]
            problems.append(Problem(j, cell.cell_type, first_line(cell),
                                    "only in the translation (removed from English?)"))
    return problems


def translations(lang: str = "all", selected: list[str] | None = None) -> list[tuple[Path, Path, str]]:
    """(English source, translated source, language) for every translated notebook that exists."""
    langs = [x for x in i18n.languages() if x != i18n.DEFAULT_LANG] if lang == "all" else [lang]
    found = []
    for one in langs:
        for path in build_notebooks.source_paths(selected, one):
            found.append((build_notebooks.SOURCES / path.name, path, one))
    return found


def source_problems(english_path: Path, translated_path: Path, lang: str) -> list[Problem]:
    if not english_path.exists():
        return [Problem(0, "-", translated_path.name, "no English source of this name (renamed?)")]
    return compare(build_notebooks.read_source(english_path), build_notebooks.read_source(translated_path), lang)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="number prefixes, e.g. 01 03 (default: all)")
    parser.add_argument("--lang", default="all", help=f"one of {i18n.languages()[1:]} or all")
    args = parser.parse_args()
    found = translations(args.lang, args.notebooks)
    out_of_step = 0
    for english_path, translated_path, lang in found:
        problems = source_problems(english_path, translated_path, lang)
        name = translated_path.relative_to(build_notebooks.SOURCES)
        print(f"{name}: " + (f"{len(problems)} cells out of step with {english_path.name}" if problems else "in step"))
        print("\n".join(str(p) for p in problems)) if problems else None
        out_of_step += bool(problems)
    untranslated = [p.name for p in build_notebooks.source_paths(args.notebooks)
                    if not any(e == p for e, _, _ in found)]
    if untranslated:
        print(f"not translated yet: {', '.join(n[:2] for n in untranslated)}")
    return 1 if out_of_step else 0


if __name__ == "__main__":
    sys.exit(main())
