"""The course's diagrams (utils/diagrams/, drawn to images/*.png by images/make_figures.py).

Each diagram draws at the promised size and rejects bad input with a message; each committed PNG
is what the script draws today (pixel for pixel, within rounding), is not blank, is sharp (saved
at twice the screen's dpi), and is shown by a notebook whose number is not below its module's
INTRODUCED_IN (linked as ../images/<name>.png in the source, carried as an attachment by the
built .ipynb); the numbers written on the GPT diagrams are those of the shipped checkpoint.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import matplotlib.text
import numpy as np
import pytest
from matplotlib.figure import Figure

from utils import diagrams
from utils.diagrams import style

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("make_figures", ROOT / "images" / "make_figures.py")
make_figures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_figures)
NAMES = make_figures.NAMES
# The two older diagrams keep their own widths (notebooks 01 and 05 also draw them live).
WIDTHS = {"neuron_vs_perceptron": 900, "rnn_unrolled": 920}
IMAGE_LINK = re.compile(r"!\[([^\]]+)\]\(\.\./images/(\w+)\.png\)")


def test_every_diagram_is_made_and_exported():
    assert sorted(NAMES) == sorted(diagrams.__all__), "make_figures.NAMES and utils.diagrams must list the same"
    assert len(NAMES) >= 14


@pytest.mark.parametrize("name", NAMES)
def test_diagram_draws_at_the_promised_size(name):
    fig = getattr(diagrams, name)()
    assert isinstance(fig, Figure)
    width, height = fig.get_size_inches() * fig.dpi
    assert round(width) == WIDTHS.get(name, style.WIDTH_PX)
    assert 250 <= height <= 700, f"{name} is {height:.0f} px tall: too flat or taller than a screen"
    assert fig.axes, f"{name} drew nothing"


@pytest.mark.parametrize("call, words", [
    (lambda: diagrams.multilayer_perceptron((64, 10)), "three positive integers"),
    (lambda: diagrams.multilayer_perceptron(shown=2), "shown"),
    (lambda: diagrams.rnn_unrolled(9), "steps"),
    (lambda: diagrams.tokenisation("abc"), "containing 'th'"),
    (lambda: diagrams.attention_one_query((1.0, 2.0), ("a",)), "one score per token"),
    (lambda: diagrams.causal_mask("ab"), "3-8 characters"),
    (lambda: diagrams.multi_head_attention(128, 3), "divide d_model"),
    (lambda: diagrams.gpt_architecture({"n_embd": 64}), "missing"),
    (lambda: diagrams.kv_cache(""), "2-7 characters"),
    (lambda: diagrams.lora(128, 128, 200), "rank"),
    (lambda: diagrams.rag(0), "k (passages retrieved)"),
    (lambda: style.tint("#000000", 2), "between 0 and 1"),
])
def test_bad_input_is_refused_with_a_message(call, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        call()


def test_an_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'gpt_block'"):
        diagrams.gpt_block  # noqa: B018


def test_diagrams_load_lazily():
    code = ("import sys, utils.diagrams as d; d.neuron_vs_perceptron; "
            "late = sorted(m for m in sys.modules if m.startswith('utils.diagrams.') "
            "and m.rsplit('.', 1)[1] not in ('neurons', 'style')); print(late); assert not late, late")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True)


def _pixels(png: bytes) -> np.ndarray:
    return matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3]


@functools.cache
def _drawn_png(name: str) -> bytes:
    return make_figures.png_bytes(name)


@pytest.mark.parametrize("name", NAMES)
def test_committed_png_is_what_the_script_draws(name):
    path = ROOT / "images" / f"{name}.png"
    assert path.exists(), f"{path.name} is missing: run images/make_figures.py"
    committed, drawn = _pixels(path.read_bytes()), _pixels(_drawn_png(name))
    assert committed.shape == drawn.shape, f"{path.name} is out of date: run images/make_figures.py {name}"
    differ = np.mean(np.abs(committed - drawn).max(axis=-1) > 0.1)
    assert differ < 0.002, f"{path.name} differs from the code in {differ:.1%} of pixels: run images/make_figures.py"


@pytest.mark.parametrize("name", NAMES)
def test_committed_png_is_sharp_and_not_blank(name):
    pixels = _pixels((ROOT / "images" / f"{name}.png").read_bytes())
    width_px = WIDTHS.get(name, style.WIDTH_PX)
    assert pixels.shape[1] >= 1.9 * width_px, f"{name}.png is not saved at 2× (dpi {style.SAVE_DPI})"
    inked = np.mean(pixels.min(axis=-1) < 0.9)  # share of pixels that are not (near) white
    assert 0.03 < inked < 0.6, f"{name}.png: {inked:.1%} of pixels drawn, blank or a solid block"


def _shown_in() -> dict[str, list[tuple[str, str]]]:
    """image name -> [(notebook number, alt text)] from the notebooks' markdown."""
    found: dict[str, list[tuple[str, str]]] = {}
    for source in sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py")):
        for alt, name in IMAGE_LINK.findall(source.read_text(encoding="utf-8")):
            found.setdefault(name, []).append((source.name[:2], alt))
    return found


def _introduced_in(name: str) -> str:
    module = ROOT / "utils" / "diagrams" / f"{diagrams._WHERE[name]}.py"
    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "INTRODUCED_IN":
            return ast.literal_eval(node.value)
    raise AssertionError(f"{module} declares no INTRODUCED_IN")


def _drawn_live() -> dict[str, str]:
    """diagram name -> the first notebook whose code calls it (01 and 05 draw theirs live)."""
    found: dict[str, str] = {}
    for source in sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py")):
        for name in re.findall(r"\b(\w+)\(\)", source.read_text(encoding="utf-8")):
            if name in NAMES:
                found.setdefault(name, source.name[:2])
    return found


LIVE = _drawn_live()


def test_notebooks_01_and_05_still_draw_theirs_live():
    assert LIVE == {"neuron_vs_perceptron": "01", "rnn_unrolled": "05"}


@pytest.mark.parametrize("name", NAMES)
def test_each_diagram_is_shown_where_its_module_is_introduced_or_later(name):
    shown = _shown_in().get(name, [])
    numbers = [n for n, _ in shown] + ([LIVE[name]] if name in LIVE else [])
    assert numbers, f"images/{name}.png is shown by no notebook: add ![alt](../images/{name}.png) where it is taught"
    assert min(numbers) >= _introduced_in(name), (
        f"{name} is shown in notebook {min(numbers)} but its module says INTRODUCED_IN {_introduced_in(name)}")
    for number, alt in shown:
        assert len(alt.split()) >= 12, f"the alt text of {name} should describe the picture: {alt!r}"
        assert f"{name}.png" in _attached_in(number), (
            f"notebooks/{number}_*.ipynb does not carry {name}.png: rebuild it with tools/build_notebooks.py")


def _attached_in(number: str) -> set[str]:
    """The attachment names of the built notebook ``number`` (the build stores each diagram in it)."""
    (path,) = (ROOT / "notebooks").glob(f"{number}_*.ipynb")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return {name for cell in cells for name in cell.get("attachments", {})}


def test_gpt_numbers_are_the_shipped_checkpoints():
    from utils.diagrams.gpt import GPT2_SMALL, OUR_GPT

    shipped = json.loads((ROOT / "data" / "shakespeare_gpt.json").read_text(encoding="utf-8"))
    assert {k: shipped["config"][k] for k in OUR_GPT if k != "parameters"} == \
        {k: v for k, v in OUR_GPT.items() if k != "parameters"}
    assert OUR_GPT["parameters"] == shipped["parameters"]
    # GPT-2 small, from notebook 08's formula with biases: L(12d² + 13d) + (V + T)d + 2d
    g = GPT2_SMALL
    d = g["n_embd"]
    assert g["n_layer"] * (12 * d * d + 13 * d) + (g["vocab_size"] + g["block_size"]) * d + 2 * d == g["parameters"]
    assert (g["n_layer"], d, g["n_head"]) == (12, 768, 12)


def test_make_figures_is_idempotent(tmp_path, monkeypatch):
    monkeypatch.setattr(make_figures, "HERE", tmp_path)
    first = make_figures.write("causal_mask").read_bytes()
    stamp = (tmp_path / "causal_mask.png").stat().st_mtime_ns
    assert make_figures.write("causal_mask").read_bytes() == first
    assert (tmp_path / "causal_mask.png").stat().st_mtime_ns == stamp, "an unchanged picture was rewritten"
    assert not list(tmp_path.glob(".*.tmp")), "a temporary file was left behind"


# --- Other languages (issue 21): the same code draws each diagram with utils/locales/<lang>/ strings ---
OTHER_LANGS = [lang for lang in make_figures.i18n.languages() if lang != make_figures.i18n.DEFAULT_LANG]
ENGLISH_WORD = re.compile(r"[A-Za-z]*[a-z]{3,}[A-Za-z]*")
# Latin words a Russian diagram keeps, as Russian textbooks do: function and layer names, and the
# example text being tokenised.
KEPT_IN_TRANSLATION = {"softmax", "tanh", "sigmoid", "ReLU", "GELU", "LayerNorm", "Linear", "Embedding",
                       "the", "theme", "logits_raw",
                       "MiniLM"}  # the name of the embedding model in the RAG diagram


def _texts(name: str, lang: str) -> list[str]:
    with make_figures.i18n.speaking(lang):
        figure = getattr(diagrams, name)()
    return [text.get_text() for text in figure.findobj(matplotlib.text.Text) if text.get_text().strip()]


@pytest.mark.parametrize("lang", OTHER_LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_diagram_speaks_every_language(name, lang):
    left_english = [text for text in _texts(name, lang)  # formulas ($...$) are the same in every language
                    if set(ENGLISH_WORD.findall(re.sub(r"\$[^$]*\$", "", text))) - KEPT_IN_TRANSLATION]
    assert not left_english, (f"{name} in {lang} still shows English: {left_english[:5]}; draw those "
                              f"labels with i18n.t(...) and add the keys to utils/locales/*/diagram.json")


@pytest.mark.parametrize("lang", make_figures.i18n.languages())
@pytest.mark.parametrize("name", NAMES)
def test_every_label_fits_inside_the_picture(name, lang):
    # Translations run longer than English: a title cut off at both edges is easy to miss by eye.
    with make_figures.i18n.speaking(lang):
        figure = getattr(diagrams, name)()
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    width, height = figure.bbox.width, figure.bbox.height
    hidden_ticks = {id(label) for ax in figure.axes if not ax.axison  # axis("off"): its tick labels are not drawn
                    for label in ax.get_xticklabels() + ax.get_yticklabels()}
    outside = []
    for artist in figure.findobj(matplotlib.text.Text):
        if not artist.get_text().strip() or not artist.get_visible() or id(artist) in hidden_ticks:
            continue
        box = artist.get_window_extent(renderer)
        if box.x0 < -2 or box.x1 > width + 2 or box.y0 < -2 or box.y1 > height + 2:
            outside.append(artist.get_text()[:60])
    assert not outside, f"{name} in {lang}: labels run off the picture: {outside}; shorten them or wrap with \\n"


@pytest.mark.parametrize("lang", OTHER_LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_committed_translation_is_what_the_script_draws(name, lang):
    path = make_figures.path_of(name, lang)
    drawn = make_figures.png_bytes(name, lang)
    if drawn == _drawn_png(name):
        assert not path.exists(), f"{path} is the English picture: delete it (images/make_figures.py does)"
        return
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: run images/make_figures.py {name}"
    committed, now = _pixels(path.read_bytes()), _pixels(drawn)
    assert committed.shape == now.shape and np.mean(np.abs(committed - now).max(axis=-1) > 0.1) < 0.002, \
        f"{path.relative_to(ROOT)} is out of date: run images/make_figures.py {name}"


def test_a_russian_notebook_carries_the_russian_picture(tmp_path):
    spec = importlib.util.spec_from_file_location("build_notebooks", ROOT / "tools" / "build_notebooks.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    translated = sorted((ROOT / "images" / "ru").glob("*.png"))
    if not translated:
        pytest.skip("no diagram drawn in Russian yet")
    name = translated[0].name
    import nbformat
    for source, expected in ((build.SOURCES / "ru" / "99_x.py", translated[0]),
                             (build.SOURCES / "99_x.py", ROOT / "images" / name)):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"![схема](../images/{name})")])
        cell = build.attach_images(nb, source).cells[0]
        assert cell.source == f"![схема](attachment:{name})"
        assert cell.attachments[name]["image/png"] == __import__("base64").b64encode(expected.read_bytes()).decode()
