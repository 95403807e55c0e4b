"""Open notebooks in a real JupyterLab in headless Chromium, run them, and check the widgets.

For each notebook: run all cells (fast mode), check that no widget failed to render, then check
every widget view (each output that shows a widget): it must show something (a picture with data,
or HTML text), fit in the notebook of a 1280-pixel-wide window (nothing cut off on the right), and
if it has controls, moving one of them must change its picture or its HTML.
Views without controls (live curves that training cells draw, progress bars) only need to be
non-empty. Save a screenshot. Needs Debian's chromium (/usr/bin/chromium, or $CHROMIUM) and the
`playwright` package (`make browser-test` installs both; `make test` runs notebooks 01 and 06).

    .venv/bin/python tools/browser_test.py 01           # notebooks whose names start with 01
    .venv/bin/python tools/browser_test.py --all
"""

from __future__ import annotations

import argparse
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
BAD_TEXT = ("Error displaying widget", "Loading widget", "Click to show javascript error", "Traceback")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(port: int, config_dir: Path, root_dir: Path, python: str) -> subprocess.Popen:
    (config_dir / "labconfig").mkdir(parents=True, exist_ok=True)
    # No news pop-up, no update check: nothing that needs the internet or covers the page.
    (config_dir / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    # Render every cell (JupyterLab 4 otherwise only renders the cells in view).
    tracker = config_dir / "user-settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True, exist_ok=True)
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    env = dict(os.environ, **{FAST_ENV_VAR: "1"}, JUPYTER_CONFIG_DIR=str(config_dir), MPLBACKEND="Agg",
               JUPYTERLAB_SETTINGS_DIR=str(config_dir / "user-settings"))
    cmd = [python, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
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


def move(page, control) -> None:
    """Move one control as a learner would: a slider three steps right, new text, the next option, a click."""
    tag = control.evaluate("el => el.tagName")
    if "handle" in (control.get_attribute("class") or ""):
        control.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
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


def check_notebook(page, port: int, name: str, timeout_s: float, label: str = "") -> dict:
    notebook = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    # Cells with hidden source (exercise solutions) show no prompt, so count the others.
    code_cells = sum(c["cell_type"] == "code" and not c["metadata"].get("jupyter", {}).get("source_hidden")
                     for c in notebook["cells"])
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Console messages about failed loads do not say which URL; record it here.
    page.on("response", lambda r: errors.append(f"HTTP {r.status} for {r.url}") if r.status >= 400 else None)
    start = time.time()
    page.goto(f"http://127.0.0.1:{port}/lab/tree/{name}?reset")  # a fresh workspace: this notebook only
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    # Wait for the kernel to be idle before running, or a kernel dialog may open.
    page.wait_for_function("() => /\\bIdle\\b/.test((document.querySelector('#jp-main-statusbar') || {}).innerText || '')",
                           timeout=90_000)
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
    run_seconds = time.time() - start
    body = page.inner_text(".jp-Notebook")
    problems = [f"page shows {t!r}" for t in BAD_TEXT if t in body]
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
            if changes(page, view, before):
                changed += 1
                break
        else:
            problems.append(f"widget view {index}: no control changed its picture or HTML")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / (Path(name).stem + label + ".png")
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="number prefixes, e.g. 01 06")
    parser.add_argument("--all", action="store_true")
    # Notebook 11 takes ~75 s here, but 260 s on 2 cores shared with a training run: room for that.
    parser.add_argument("--timeout", type=float, default=600, help="seconds to run one notebook")
    parser.add_argument("--lab-python", default=sys.executable,
                        help="python of the environment that runs JupyterLab and the kernel, e.g. "
                             ".venv-lab3/bin/python for JupyterLab 3.6 with Colab's ipywidgets 7.7.1")
    parser.add_argument("--label", default="", help="suffix for screenshot names, e.g. -ipywidgets7")
    args = parser.parse_args()
    names = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")
                   if args.all or any(p.name.startswith(n) for n in args.notebooks))
    if not names:
        print("no notebooks selected", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found: install Debian's chromium (make browser-test does)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    port = free_port()
    config_dir = Path(tempfile.mkdtemp(prefix="course-lab-"))
    # The browser runs copies, so the committed notebooks are never modified.
    root_dir = config_dir / "notebooks"
    root_dir.mkdir()
    for name in names:  # without outputs, so "every cell has an execution count" means "it ran here"
        notebook = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
        (root_dir / name).write_text(json.dumps(notebook), encoding="utf-8")
    server = start_lab(port, config_dir, root_dir, os.path.abspath(args.lab_python))
    results = []
    try:
        wait_for_server(port)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"])
            for name in names:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                try:
                    result = check_notebook(page, port, name, args.timeout, args.label)
                except Exception as err:  # noqa: BLE001 - report and go on with the next notebook
                    SHOTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(SHOTS / (Path(name).stem + "-failed.png")))
                    result = {"notebook": name, "problems": [f"{type(err).__name__}: {err}"]}
                finally:
                    page.close()
                    shutdown_kernels(port)
                results.append(result)
                status = "ok" if not result["problems"] else "FAILED"
                print(f"{status:6} {name}: {json.dumps({k: v for k, v in result.items() if k != 'notebook'})}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    failed = [r for r in results if r["problems"]]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
