"""Command-line start-up: wall time of short `ganzhi` invocations, each in a fresh interpreter.

Run `python -m benchmarks.cli_startup`; prints the median of RUNS runs of each command (the bare
interpreter first, as the floor) and writes benchmarks/results/cli_startup-<time>.json. The budget for
`ganzhi --help` is 0.3 s: groups load lazily, and help screens import none of the heavy libraries.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from benchmarks._result import write_result

RUNS = 5
BUDGET_HELP_S = 0.3
#: (label, arguments after the interpreter).
COMMANDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("python -c pass", ("-c", "pass")),
    ("ganzhi --help", ("-m", "ganzhi", "--help")),
    ("ganzhi scan --help", ("-m", "ganzhi", "scan", "--help")),
    ("ganzhi catalog validate", ("-m", "ganzhi", "catalog", "validate")),
)


def wall_seconds(args: tuple[str, ...]) -> float:
    """Seconds one run takes, start to exit; a failing command is an error, not a figure."""
    started = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    """Time each command RUNS times, print the medians, write JSON."""
    figures: dict[str, dict[str, float]] = {}
    for label, args in COMMANDS:
        wall_seconds(args)  # warm the file cache and the .pyc files first
        runs = [wall_seconds(args) for _ in range(RUNS)]
        figures[label] = {"median_s": round(statistics.median(runs), 3), "min_s": round(min(runs), 3)}
    width = max(len(label) for label in figures)
    print(f"{'command':<{width}}  median (s)  min (s)   [median of {RUNS} runs]")
    for label, row in figures.items():
        print(f"{label:<{width}}  {row['median_s']:>10.3f}  {row['min_s']:>7.3f}")
    help_s = figures["ganzhi --help"]["median_s"]
    verdict = "within" if help_s <= BUDGET_HELP_S else "OVER"
    print(f"`ganzhi --help` {help_s:.3f} s: {verdict} the {BUDGET_HELP_S} s budget")
    path = write_result("cli_startup", {"runs": RUNS, "budget_help_s": BUDGET_HELP_S, "commands": figures})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
