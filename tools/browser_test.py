"""Open notebooks in a real JupyterLab in headless Chromium, run them, and check the widgets.

For each notebook: run all cells (fast mode), check that no widget failed to render, then check
every widget view (each output that shows a widget): it must show something (a picture with data,
or HTML text), fit in the notebook of a 1280-pixel-wide window (nothing cut off on the right), and
if it has controls, moving one of them must change its picture or its HTML.
Views without controls (live curves that training cells draw, progress bars) only need to be
non-empty. Save a screenshot. Needs Debian's chromium (/usr/bin/chromium, or $CHROMIUM) and the
`playwright` package (`make browser-test` installs both; `make test` runs notebooks 01, 06 and the Russian 01).

With --slides, each notebook (once run, and saved) is then presented as RISE slides (jupyterlab-rise)
in a 1280×720 window, the page JupyterLab's "Render as slides" shows: every slide is paged through
and must fit the screen (nothing below its bottom or past its right edge), with no console error;
on the first slide with a widget view, one control is moved and must change the view (where RISE
can load live widgets; see RISE_UPSTREAM). Screenshots of the first slides and of that slide, and
the height of every cell as measured on its slide, go to build/screenshots/.

    .venv/bin/python tools/browser_test.py 01           # notebooks whose names start with 01
    .venv/bin/python tools/browser_test.py --all --slides
    .venv/bin/python tools/browser_test.py 01 06 --slides 01   # slides for 01 only
    .venv/bin/python tools/browser_test.py ru/01                # the Russian notebook 01

Every page is also read for mojibake (UTF-8 shown as Latin-1, "Ð¿", or U+FFFD) and for letters the
browser has no font for (drawn as empty boxes): each script on the page (Cyrillic, Bengali) must be
drawn by a real font. `make browser-deps` installs a Bengali font where apt-get can.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from utils.config import FAST_ENV_VAR

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SHOTS = ROOT / "build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# True when JupyterLab's status bar says the kernel is idle.
KERNEL_IDLE_JS = "() => /\\bIdle\\b/.test((document.querySelector('#jp-main-statusbar') || {}).innerText || '')"
BAD_TEXT = ("Error displaying widget", "Loading widget", "Click to show javascript error", "Traceback")
# UTF-8 bytes of Cyrillic read as Latin-1 show as "Ð"/"Ñ" followed by a Latin-1 letter or sign.
MOJIBAKE = ("Ð¾", "Ð°", "Ñ\x80", "Ñ\x81", "Ð¸", "Ðµ", "Ñ‚", "Ð½")
# Letters of each script the course shows; one with no font in the browser is drawn as an empty box.
SCRIPTS = {"Cyrillic": ("\u0400", "\u04ff", "ЖшыЯфщ"), "Bengali": ("\u0980", "\u09ff", "কখগঘঙচ")}
GLYPHS_JS = """([letters, family]) => {
  // A letter the fonts lack is drawn as the same fallback box, so all of them measure alike and
  // alike to a code point no font has (U+10FFFD); real letters differ from it and from each other.
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = '40px ' + family;
  const box = ctx.measureText('\\u{10FFFD}').width;
  const widths = [...letters].map(ch => ctx.measureText(ch).width);
  return {box, widths, missing: widths.every(w => Math.abs(w - box) < 0.5)};
}"""


def script_problems(page, text: str) -> list[str]:
    """Mojibake in ``text``, or a script in it that the browser draws without a font (empty boxes)."""
    problems = [f"page shows mojibake {bad!r}" for bad in MOJIBAKE if bad in text]
    family = page.evaluate("() => getComputedStyle(document.querySelector('.jp-RenderedHTMLCommon')"
                           " || document.body).fontFamily")
    for script, (low, high, letters) in SCRIPTS.items():
        if not any(low <= ch <= high for ch in text):
            continue
        result = page.evaluate(GLYPHS_JS, [letters, family])
        if result["missing"]:
            problems.append(f"{script} letters have no font in the browser (drawn as boxes, width "
                            f"{result['box']:.1f}); install one, e.g. fonts-lohit-beng-bengali for Bengali")
    return problems


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(port: int, config_dir: Path, root_dir: Path, python: str, fast: bool = True) -> subprocess.Popen:
    (config_dir / "labconfig").mkdir(parents=True, exist_ok=True)
    # No news pop-up, no update check: nothing that needs the internet or covers the page.
    (config_dir / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    # Render every cell (JupyterLab 4 otherwise only renders the cells in view).
    tracker = config_dir / "user-settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True, exist_ok=True)
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    env = dict(os.environ, **{FAST_ENV_VAR: "1" if fast else "0"}, JUPYTER_CONFIG_DIR=str(config_dir), MPLBACKEND="Agg",
               JUPYTERLAB_SETTINGS_DIR=str(config_dir / "user-settings"))
    cmd = [python, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
           f"--ServerApp.root_dir={root_dir}", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(config_dir / "lab.log", "w")  # noqa: SIM115 - lives as long as the server
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root_dir)


def wait_for_server(port: int, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("JupyterLab did not start")


def shutdown_kernels(port: int) -> None:
    """Stop every kernel the previous notebook started, so notebooks do not compete for the cores."""
    import urllib.request

    base = f"http://127.0.0.1:{port}/api/sessions"
    for session in json.loads(urllib.request.urlopen(base, timeout=10).read()):
        request = urllib.request.Request(f"{base}/{session['id']}", method="DELETE")
        urllib.request.urlopen(request, timeout=30)


def read_view(view) -> dict:
    """What a widget view shows: the src of each picture, the HTML of each HTML widget, and how
    many pixels its widgets reach past the right edge of the output (where they are cut off)."""
    return view.evaluate("""area => {
        const html = [...area.querySelectorAll('.widget-html-content')];
        const right = Math.max(...[...area.querySelectorAll('.jupyter-widgets')].map(el => el.getBoundingClientRect().right));
        return {images: [...area.querySelectorAll('img')].map(img => img.getAttribute('src') || ''),
                html: html.map(el => el.innerHTML), text: html.map(el => el.innerText).join('').trim(),
                cut_px: Math.round(right - area.getBoundingClientRect().right)};
    }""")


def is_slider(control) -> bool:
    return "handle" in (control.get_attribute("class") or "")


def move(page, control, direction: str = "ArrowRight") -> None:
    """Move one control as a learner would: a slider three steps right, new text, the next option, a click."""
    tag = control.evaluate("el => el.tagName")
    if is_slider(control):
        control.focus()
        for _ in range(3):
            page.keyboard.press(direction)
    elif tag in ("INPUT", "TEXTAREA"):
        control.fill("ROMEO: But soft, what light")
        control.press("Enter")
        control.press("Tab")  # boxes with continuous_update=False send their value on blur
    elif tag == "SELECT":
        options = control.evaluate("el => [...el.options].map(o => o.value)")
        current = control.evaluate("el => el.value")
        if len(options) > 1:
            control.select_option(options[(options.index(current) + 1) % len(options)])
    elif control.is_enabled():
        control.click()


def changes(page, view, before: dict, timeout_s: float = 5.0) -> bool:
    """Whether the view's picture or HTML differs from ``before`` within ``timeout_s`` (a busy kernel is slow)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        page.wait_for_timeout(100)
        now = read_view(view)
        if now["images"] != before["images"] or now["html"] != before["html"]:
            return True
    return False


def run_all(page, port: int, name: str, timeout_s: float) -> float:
    """Open the notebook in a fresh workspace, restart the kernel and run every cell; the seconds it took."""
    notebook = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    # Cells with hidden source (exercise solutions) show no prompt, so count the others.
    code_cells = sum(c["cell_type"] == "code" and not c["metadata"].get("jupyter", {}).get("source_hidden")
                     for c in notebook["cells"])
    start = time.time()
    page.goto(f"http://127.0.0.1:{port}/lab/tree/{name}?reset")  # a fresh workspace: this notebook only
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    # Wait for the kernel to be idle before running, or a kernel dialog may open.
    page.wait_for_function(KERNEL_IDLE_JS, timeout=90_000)
    # The toolbar's "restart the kernel and run all cells" button, then confirm its dialog.
    page.locator("[data-command='notebook:restart-run-all']:visible, "  # JupyterLab 4
                 "[data-command='runmenu:restart-and-run-all']:visible").first.click(timeout=20_000)  # 3.6
    page.click(".jp-Dialog-button.jp-mod-accept", timeout=20_000)
    # Done when every code cell shows an execution count (all cells are rendered: windowing is off).
    page.wait_for_function(
        """n => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                 .filter(p => /\\[\\d+\\]/.test(p.textContent)).length >= n""",
        arg=code_cells, timeout=timeout_s * 1000)
    # ...and nothing is still queued or running (hidden solution cells may show prompts too).
    page.wait_for_function(
        """() => ![...document.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('*'))
                 && /\\bIdle\\b/.test((document.querySelector('#jp-main-statusbar') || {}).innerText || '')""",
        timeout=timeout_s * 1000)
    page.wait_for_timeout(1500)  # let widget views finish rendering
    return time.time() - start


def check_notebook(page, port: int, name: str, timeout_s: float, label: str = "") -> dict:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Console messages about failed loads do not say which URL; record it here.
    page.on("response", lambda r: errors.append(f"HTTP {r.status} for {r.url}") if r.status >= 400 else None)
    run_seconds = run_all(page, port, name, timeout_s)
    body = page.inner_text(".jp-Notebook")
    problems = [f"page shows {t!r}" for t in BAD_TEXT if t in body]
    problems += script_problems(page, body)
    # One widget view per output area (areas nested in an Output widget belong to the outer view).
    views = page.query_selector_all(".jp-OutputArea-output:has(.jupyter-widgets):not(.jp-OutputArea-output *)")
    if not views:
        problems.append("no widget view found")
    pictures = html_views = changed = display_only = 0
    for index, view in enumerate(views, start=1):
        before = read_view(view)
        if before["cut_px"] > 0:  # the window is 1280 px wide, JupyterLab's file browser open
            problems.append(f"widget view {index} is {before['cut_px']} px too wide: its right side is cut off")
        if before["images"]:
            pictures += 1
            if any(len(src) < 100 and not src.startswith("blob:") for src in before["images"]):
                problems.append(f"widget view {index}: a picture is empty")
                continue
        elif before["text"]:
            html_views += 1
        else:
            problems.append(f"widget view {index} shows nothing (no picture, no HTML text)")
            continue
        # Try the controls of the view (sliders first, then boxes, lists, buttons) until one changes
        # its picture or its HTML: some controls only set up the next action (e.g. "steps per click").
        controls = [c for selector in (".noUi-handle, .ui-slider-handle", "input[type=text], textarea", "select",
                                       "button") for c in view.query_selector_all(selector)]
        if not controls:  # a display-only view, e.g. loss curves that training cells update
            display_only += 1
            continue
        for control in controls[:6]:
            move(page, control)
            moved = changes(page, view, before)
            if not moved and is_slider(control):  # a slider that starts at its maximum: try it the other way
                move(page, control, "ArrowLeft")
                moved = changes(page, view, before)
            if moved:
                changed += 1
                break
        else:
            problems.append(f"widget view {index}: no control changed its picture or HTML")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / (shot_stem(name) + label + ".png")
    first = page.query_selector(".jupyter-widgets.widget-vbox")
    if first:
        first.scroll_into_view_if_needed()
    page.screenshot(path=str(shot))
    # JupyterLab's own noise: the restart we trigger cancels its pending debug/comm requests. On
    # JupyterLab 3.6 the widget manager also opens a "jupyter.widget.control" comm, which a kernel
    # that has not imported ipywidgets yet closes at once; if the restart has already dropped it,
    # the close is logged as "Comm not found" (seen once in ~20 runs; the id was the front-end's).
    benign = ("favicon", "net::ERR", "debugger state", "font at 'about:blank'", "Canceled future for",
              "Comm not found for comm id",
              "/MathJax/fonts/")  # JupyterLab 3.6 looks for optional MathJax fonts it does not ship
    real_errors = [e for e in errors if not any(b in e for b in benign) and not e.startswith("Failed to load resource")]
    problems += [f"console error: {e[:200]}" for e in real_errors]
    return {"notebook": name, "seconds": round(run_seconds, 1), "views": len(views), "pictures": pictures,
            "html_views": html_views, "controls_moved": changed, "display_only": display_only,
            "screenshot": str(shot.relative_to(ROOT)), "problems": problems}


SLIDE_W, SLIDE_H = 1280, 720
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# RISE's slide page (jupyterlab-rise 0.43) is its own small JupyterLab app, built on JupyterLab 4.3: it
# cannot load ipywidgets 8's front end, which needs @jupyterlab/console (open upstream bug:
# https://github.com/jupyterlab-contrib/rise/issues/119). There our views show the picture they carry
# beside the live view (LiveView's image/png); where the live view does load, the test moves it.
# Its bundled web components (@jupyter/web-components 0.13 against JupyterLab's 0.16) also log
# "Maximum call stack size exceeded" from its own static bundle without visible effect.
RISE_UPSTREAM = ("Shared module @jupyterlab/console doesn't exist in shared scope",
                 "Maximum call stack size exceeded")


def read_slide(page) -> dict:
    """The present slide: its id, the notebook cells on it, how many pixels its content reaches below
    the 720-px screen or past its right edge, and its first line of text (for the report)."""
    return page.evaluate("""([w, h]) => {
        const slide = [...document.querySelectorAll('.reveal .slides section.present')].pop();
        if (!slide) return {id: null};
        let bottom = 0, right = 0;
        // Whole cells: what is inside a cell's scroll box (rise.css caps long code and outputs) is
        // clipped by it, so a picture there can reach past the screen without showing past it.
        for (const el of slide.querySelectorAll('.jp-Cell')) {
            const box = el.getBoundingClientRect();
            if (box.width && box.height) { bottom = Math.max(bottom, box.bottom); right = Math.max(right, box.right); }
        }
        // With reveal's scroll option a too-tall slide scrolls instead of being cut: that is overflow too.
        const scrolled = Math.max(0, slide.scrollHeight - slide.clientHeight);
        const cells = [...slide.querySelectorAll('.jp-Cell')].map(c => Number(c.dataset.windowedListIndex));
        const heights = [...slide.querySelectorAll('.jp-Cell')].map(c => Math.round(c.getBoundingClientRect().height));
        return {id: slide.id, cells, heights, over_px: Math.round(Math.max(bottom - h, scrolled)), wide_px: Math.round(right - w),
                live: !!slide.querySelector('.jp-OutputArea-output .jupyter-widgets'),
                title: (slide.innerText || '').trim().split('\\n')[0].slice(0, 60)};
    }""", [SLIDE_W, SLIDE_H])


def check_slides(page, port: int, name: str, saved: dict, label: str = "") -> dict:
    """Present ``name`` (run in JupyterLab and saved by check_notebook; RISE shares its kernel) as RISE
    slides in a 1280×720 window, as JupyterLab's "Render as slides" does: page through every slide, fail
    on one whose content overflows the screen or on a console error, and on the first slide with a
    widget view move one of its controls (or, where RISE cannot load live widgets, check the view's
    picture is there). Saves screenshots of the first slides and of that slide."""
    # The course's live views (LiveView): their output carries a picture beside the widget view
    # (progress bars are widgets too, but have nothing to move).
    widget_cells = {i for i, cell in enumerate(saved["cells"]) for output in cell.get("outputs", [])
                    if WIDGET_MIME in output.get("data", {}) and "image/png" in output.get("data", {})}
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    start = time.time()
    page.set_viewport_size({"width": SLIDE_W, "height": SLIDE_H})
    page.goto(f"http://127.0.0.1:{port}/rise/{name}")
    page.wait_for_selector(".reveal .slides section.present .jp-Cell", timeout=60_000)
    page.wait_for_timeout(2000)  # MathJax and the pictures
    total = page.evaluate("() => document.querySelectorAll('.reveal .slides section:not(.stack)').length")
    # Speaker notes: RISE puts each "notes" cell in an <aside class="notes"> of its slide, which
    # reveal.js shows in the speaker view (key T) and hides from the audience.
    notes_cells = sum(cell.get("metadata", {}).get("slideshow", {}).get("slide_type") == "notes" for cell in saved["cells"])
    notes_shown = page.evaluate("() => document.querySelectorAll('.reveal .slides aside.notes .jp-Cell').length")
    problems, seen, measured, widget_slides = [], [], [], {"live_moved": 0, "static_picture": 0}
    if notes_shown != notes_cells:
        problems.append(f"{notes_cells} speaker-notes cells, {notes_shown} in the slides' speaker notes")
    SHOTS.mkdir(parents=True, exist_ok=True)
    stem = shot_stem(name)
    for _ in range(total + 5):
        page.wait_for_timeout(200)  # transitions are off; this is re-layout
        slide = read_slide(page)
        if slide["id"] is None or (seen and slide["id"] == seen[-1]):
            break
        seen.append(slide["id"])
        measured.append({"cells": slide["cells"], "heights": slide["heights"], "over_px": slide["over_px"]})
        where = f"slide {len(seen)} ({slide['title']!r})"
        if slide["over_px"] > 0:
            problems.append(f"{where} overflows the 1280×720 screen by {slide['over_px']} px")
            page.screenshot(path=str(SHOTS / f"{stem}-slide{len(seen):02d}-overflow{label}.png"))
        if slide["wide_px"] > 0:
            problems.append(f"{where} is {slide['wide_px']} px too wide")
        if widget_cells & set(slide["cells"]) and not any(widget_slides.values()):
            if slide["live"]:
                if move_widget_on_slide(page):
                    widget_slides["live_moved"] += 1
                else:
                    problems.append(f"{where}: no control of its widget view changed its picture or HTML")
            elif page.evaluate("""() => [...document.querySelectorAll('.reveal .slides section.present .jp-OutputArea-output img')]
                                          .some(img => (img.getAttribute('src') || '').length > 100 && img.naturalWidth > 0)"""):
                widget_slides["static_picture"] += 1
            else:
                problems.append(f"{where}: its widget view shows neither a live view nor its picture")
            page.screenshot(path=str(SHOTS / f"{stem}-slide{len(seen):02d}{label}.png"))
        elif len(seen) <= 2:
            page.screenshot(path=str(SHOTS / f"{stem}-slide{len(seen):02d}{label}.png"))
        page.keyboard.press("Space")  # reveal.js: the next slide or sub-slide, as a presenter's clicker
    # What each cell measured on its slide: tools/build_notebooks.py's height estimates are fitted to these.
    (SHOTS / f"{stem}-slides{label}.json").write_text(json.dumps(measured), encoding="utf-8")
    if len(seen) < total:
        problems.append(f"paged through {len(seen)} of {total} slides")
    if widget_cells and not any(widget_slides.values()):
        problems.append("no slide showed a widget view")
    benign = ("favicon", "net::ERR", "Canceled future for", "Comm not found for comm id", "Failed to load resource",
              # RISE asks for rise.css and <notebook>.css beside the notebook; the course ships
              # notebooks/rise.css only, so the second is "not found" (served as an HTML page).
              "Refused to apply style from") + RISE_UPSTREAM
    problems += [f"console error: {e[:200]}" for e in errors if not any(b in e for b in benign)]
    return {"slides": len(seen), "slides_seconds": round(time.time() - start, 1), "notes": notes_shown, "widget_slide": widget_slides, "problems": problems}


def move_widget_on_slide(page) -> bool:
    """Move the controls of the first live widget view on the present slide until its picture or HTML changes."""
    view = page.query_selector(".reveal .slides section.present .jp-OutputArea-output:has(.jupyter-widgets)")
    before = read_view(view)
    controls = [c for selector in (".noUi-handle, .ui-slider-handle", "input[type=text], textarea", "select",
                                   "button") for c in view.query_selector_all(selector)]
    for control in controls[:6]:
        move(page, control)
        if changes(page, view, before):
            page.keyboard.press("Escape")  # hand the keys back to reveal.js
            return True
    return False


def shot_stem(name: str) -> str:
    """01_perceptron for notebooks/01_perceptron.ipynb, ru-01_perceptron for the Russian one."""
    return str(Path(name).with_suffix("")).replace("/", "-")


def select(prefixes: list[str], everything: bool) -> list[str]:
    """Notebook paths under notebooks/: "01" picks 01_*.ipynb, "ru/01" notebooks/ru/01_*.ipynb."""
    found = []
    for folder in [NOTEBOOKS, *sorted(p for p in NOTEBOOKS.iterdir() if p.is_dir() and p.name.isalpha())]:
        prefix = "" if folder == NOTEBOOKS else folder.name + "/"
        for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
            name = prefix + path.name
            if (everything and not prefix) or any(name.startswith(n) for n in prefixes):
                found.append(name)
    return found



@contextlib.contextmanager
def lab_session(names: list[str], python: str, fast: bool = True):
    """A JupyterLab server on copies of the notebooks (outputs removed, so the committed files are never
    modified and "every cell has an execution count" means "it ran here") and a headless Chromium:
    yields (browser, port, root_dir)."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    config_dir = Path(tempfile.mkdtemp(prefix="course-lab-"))
    root_dir = config_dir / "notebooks"
    root_dir.mkdir()
    for name in names:
        notebook = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
        (root_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (root_dir / name).write_text(json.dumps(notebook), encoding="utf-8")
    if (NOTEBOOKS / "rise.css").exists():  # the slides' stylesheet, which RISE looks for beside the notebook
        for folder in {(root_dir / name).parent for name in names}:
            (folder / "rise.css").write_text((NOTEBOOKS / "rise.css").read_text(encoding="utf-8"), encoding="utf-8")
    server = start_lab(port, config_dir, root_dir, python, fast=fast)
    try:
        wait_for_server(port)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"])
            try:
                yield browser, port, root_dir
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="number prefixes, e.g. 01 06 ru/01")
    parser.add_argument("--all", action="store_true")
    # Notebook 11 takes ~75 s here, but 260 s on 2 cores shared with a training run: room for that.
    parser.add_argument("--timeout", type=float, default=600, help="seconds to run one notebook")
    parser.add_argument("--lab-python", default=sys.executable,
                        help="python of the environment that runs JupyterLab and the kernel, e.g. "
                             ".venv-lab3/bin/python for JupyterLab 3.6 with Colab's ipywidgets 7.7.1")
    parser.add_argument("--slides", nargs="*", metavar="NN",
                        help="then present the notebooks (all selected, or these) as RISE slides at 1280×720")
    parser.add_argument("--label", default="", help="suffix for screenshot names, e.g. -ipywidgets7")
    args = parser.parse_args()
    names = select(args.notebooks, args.all)
    if not names:
        print("no notebooks selected", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found: install Debian's chromium (make browser-test does)", file=sys.stderr)
        return 2
    results = []
    with lab_session(names, os.path.abspath(args.lab_python)) as (browser, port, root_dir):
        for name in names:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            try:
                result = check_notebook(page, port, name, args.timeout, args.label)
                if args.slides == [] or any(name.startswith(n) for n in args.slides or []):
                    # Save what ran (outputs), so RISE, sharing the kernel, opens the notebook as run.
                    page.keyboard.press("Control+s")
                    page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=30_000)
                    saved = json.loads((root_dir / name).read_text(encoding="utf-8"))
                    slides = check_slides(page, port, name, saved, args.label)
                    result["problems"] += slides.pop("problems")
                    result.update(slides)
            except Exception as err:  # noqa: BLE001 - report and go on with the next notebook
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / (shot_stem(name) + "-failed.png")))
                result = {"notebook": name, "problems": [f"{type(err).__name__}: {err}"]}
            finally:
                page.close()
                shutdown_kernels(port)
            results.append(result)
            status = "ok" if not result["problems"] else "FAILED"
            print(f"{status:6} {name}: {json.dumps({k: v for k, v in result.items() if k != 'notebook'})}")
    failed = [r for r in results if r["problems"]]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
