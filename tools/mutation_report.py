"""Sum up a `make mutation` run per module: mutants, killed, survived, equivalent, score.

Reads mutmut's results (``mutmut results --all true``) and the reviewed equivalent mutants in
docs/mutation-equivalent.txt (one ``mutant_name  # why it cannot be told apart`` per line).
Prints a Markdown table and the survivors still to review; exits 1 if a module is below 90 %.

    python tools/mutation_report.py            # after `make mutation`
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutant_check import mutmut_executable  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT_FILE = ROOT / "docs" / "mutation-equivalent.txt"
GOAL = 0.90
LINE = re.compile(r"^\s+(?P<name>\S+): (?P<status>.+)$")
MODULE = re.compile(r"^(?P<module>.+?)\.x[_ǁ]")


def equivalent_mutants() -> dict[str, str]:
    found = {}
    if EQUIVALENT_FILE.is_file():
        for line in EQUIVALENT_FILE.read_text(encoding="utf-8").splitlines():
            name, _, reason = line.partition("#")
            if name.strip():
                found[name.strip()] = reason.strip()
    return found


def main() -> int:
    mutmut = mutmut_executable()
    out = subprocess.run([mutmut, "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    equivalent = equivalent_mutants()
    counts: dict[str, Counter] = defaultdict(Counter)
    survivors = []
    for line in out.splitlines():
        match = LINE.match(line)
        if not match:
            continue
        name, status = match["name"], match["status"].strip()
        module = MODULE.match(name)["module"] if MODULE.match(name) else "?"
        if status in ("survived", "timeout") and name in equivalent:
            status = "equivalent"
        counts[module][status] += 1
        if status in ("survived", "no tests", "timeout"):
            survivors.append(f"{name}: {status}")
    print("| module | mutants | run | killed | survived | equivalent | no tests | timeout | score |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    below = []
    for module in sorted(counts):
        c = counts[module]
        done = c["killed"] + c["survived"] + c["equivalent"] + c["no tests"] + c["timeout"]
        # A timeout is not counted as caught: on a loaded machine it is often a slow survivor.
        caught = c["killed"]
        score = caught / (done - c["equivalent"]) if done > c["equivalent"] else float("nan")
        if done and score < GOAL:
            below.append(module)
        print(f"| {module} | {sum(c.values())} | {done} | {c['killed']} | {c['survived']} | {c['equivalent']} "
              f"| {c['no tests']} | {c['timeout']} | {score:.0%} |")
    if survivors:
        print("\nSurvivors to review (kill with a test, or list in docs/mutation-equivalent.txt with a reason):")
        print("\n".join(f"  {s}" for s in survivors))
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
