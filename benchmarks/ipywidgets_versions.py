"""Run a widget benchmark on the installed ipywidgets (8.x) and again on Colab's 7.7.1.

The 7.7.1 run is the same script in a child process with the overlay that `make setup` installs
(.venv/ipywidgets7) first on PYTHONPATH. A benchmark calls :func:`measure_on_both` from ``main``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

OVERLAY_7 = Path(__file__).resolve().parent.parent / ".venv" / "ipywidgets7"


def measure_on_both(measure: Callable[[], dict], script: str) -> list[dict]:
    """``[results on ipywidgets 8, results on 7.7.1]``; in the child, print this run's results and exit."""
    if "--child" in sys.argv:
        print(json.dumps(measure()))
        sys.exit(0)
    results = [measure()]
    if OVERLAY_7.is_dir():
        env = dict(os.environ, PYTHONPATH=str(OVERLAY_7))
        out = subprocess.run([sys.executable, script, "--child"], env=env, capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    else:
        print(f"(no {OVERLAY_7}: run `make setup` to also measure ipywidgets 7.7.1)")
    return results
