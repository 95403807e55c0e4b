"""The README's screenshots: one live widget each, cropped to its output, taken in a real JupyterLab.

    .venv/bin/python tools/readme_screenshots.py        # all four (full mode, a few minutes on 2 cores)
    .venv/bin/python tools/readme_screenshots.py 08     # only notebook 08's

Each notebook runs top to bottom in full mode (as a class runs it) in headless Chromium, through the
same JupyterLab set-up as tools/browser_test.py; then the output of the cell that builds the widget is
photographed alone, at twice the pixel density, so the controls stay readable at README size. A shot
may first set the widget up (the next-token view gets a prompt whose next character is uncertain).
Written to images/screenshots/<notebook>.png (to a temporary name, then renamed).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_test import (  # noqa: E402
    CHROMIUM,
    KERNEL_IDLE_JS,
    ROOT,
    lab_session,
    run_all,
    select,
    shutdown_kernels,
)

OUT = ROOT / "images" / "screenshots"

# notebook prefix -> (text in the source of the cell that shows the widget, prompt to type or None,
#                     text of a button to press before the shot or None)
SHOTS = {
    "01": ("playground = PerceptronPlayground(", None, None),
    "04": ("game = TicTacToeView(", None, None),
    "07": ("attention_view = AttentionView(", None, None),
    # "I love th": the model spreads its bet over thee / this / that / those / thy (0.36, 0.27, 0.12...)
    "08": ("next_token_view = NextTokenView(", "ROMEO:\nI love th", "generate"),
}
# Only what the widget draws: the union of its pictures, controls and texts (its boxes may be taller).
CONTENT_BOX_JS = """area => {
    const parts = area.querySelectorAll('img, input, textarea, button, select, .widget-label, .widget-readout,'
                                        + ' .widget-html-content, .jp-RenderedText, .widget-label-basic');
    let box = null;
    for (const el of parts) {
        // A text box may be taller than its text: measure the text itself.
        const range = document.createRange();
        range.selectNodeContents(el);
        const textual = el.matches('.widget-html-content, .jp-RenderedText');
        const r = textual ? range.getBoundingClientRect() : el.getBoundingClientRect();
        if (!r.width || !r.height) continue;
        box = box ? {left: Math.min(box.left, r.left), top: Math.min(box.top, r.top),
                     right: Math.max(box.right, r.right), bottom: Math.max(box.bottom, r.bottom)}
                  : {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
    }
    return box;
}"""
PAD = 8


def widget_output(page, marker: str):
    """The output area of the (first) code cell whose source contains ``marker``."""
    cell = page.locator(".jp-CodeCell", has=page.locator(".jp-InputArea", has_text=marker)).first
    cell.scroll_into_view_if_needed()
    return cell.locator(".jp-OutputArea-output:has(.jupyter-widgets)").first


def take(page, name: str, marker: str, prompt: str | None, button: str | None) -> Path:
    output = widget_output(page, marker)
    if prompt is not None:
        box = output.locator("textarea").first
        before = output.locator("img").first.get_attribute("src")
        box.fill(prompt)
        box.press("Tab")  # boxes with continuous_update=False send their value on blur
        page.wait_for_function("([el, src]) => el.getAttribute('src') !== src",
                               arg=[output.locator("img").first.element_handle(), before], timeout=30_000)
        page.wait_for_timeout(500)
    if button is not None:
        output.locator("button", has_text=button).first.click()
        page.wait_for_function(KERNEL_IDLE_JS, timeout=60_000)
        page.wait_for_timeout(1000)
    box = output.evaluate(CONTENT_BOX_JS)
    if box is None:
        raise RuntimeError(f"{name}: the widget's output shows nothing to photograph")
    clip = {"x": box["left"] - PAD, "y": box["top"] - PAD,
            "width": box["right"] - box["left"] + 2 * PAD, "height": box["bottom"] - box["top"] + 2 * PAD}
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / (Path(name).stem + ".png")
    temporary = target.with_suffix(".tmp.png")
    page.screenshot(path=str(temporary), clip=clip)
    os.replace(temporary, target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help=f"number prefixes among {', '.join(SHOTS)} (default: all)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to run one notebook")
    args = parser.parse_args()
    unknown = [n for n in args.notebooks if n not in SHOTS]
    if unknown:
        print(f"no README screenshot for {unknown}: choose among {list(SHOTS)}", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found: install Debian's chromium (make browser-deps does)", file=sys.stderr)
        return 2
    prefixes = args.notebooks or list(SHOTS)
    names = select(prefixes, everything=False)
    with lab_session(names, sys.executable, fast=False) as (browser, port, _root):
        for name in names:
            marker, prompt, button = SHOTS[name[:2]]
            page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=2)
            try:
                run_all(page, port, name, args.timeout)
                print("wrote", take(page, name, marker, prompt, button).relative_to(ROOT))
            finally:
                page.close()
                shutdown_kernels(port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
