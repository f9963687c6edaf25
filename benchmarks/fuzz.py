"""Long fuzz run of every importer and parser: inputs tried, crashes, hangs and peak RSS per parser.

Each parser runs in its own child process, `--jobs` of them at a time, so one parser's memory cannot hide
another's: a child reports its own peak RSS (`VmHWM`), and where Linux allows resetting it (`clear_refs`), the
input that needed the most memory. Every parser runs until it has tried `--inputs` inputs; the wall budget
`--minutes` is shared fairly: a child gets an equal share of the time left, a parser that reaches its count
early leaves its time to the others, and one that did not is resumed (with a fresh random stream) while time
remains. Inputs are the seeds of `tests/fuzz/harness.py` and their mutations (byte flips, truncation, inflated
declared sizes, zip entry rewrites, zip bombs, deep nesting, huge strings); a crash is any exception other than
the project's `GanzhiError` (or the parser's documented error), a hang an input that uses more than
`--input-timeout` CPU seconds or 6x that in wall time (or a child stuck in native code past its budget).
Failing inputs are written to `--save` for replay.
Target (issue 20): 0 crashes, 0 hangs over 10^4 inputs per parser, peak RSS <= 512 MB.
Run: `nice -n 10 python -m benchmarks.fuzz [--inputs 10000] [--minutes 90] [--jobs 2] [--only NAME ...]`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
FUZZ_DIR = HERE.parent / "tests" / "fuzz"
#: Configurable: a child that has not finished this long after its budget is stuck outside Python.
STUCK_GRACE_S = 120.0
#: Configurable: a parser is resumed for another round only when at least this much wall time is left.
MIN_ROUND_S = 20.0


def _harness() -> Any:
    """`tests/fuzz/harness.py` (a test helper, not part of the package)."""
    import importlib

    if str(FUZZ_DIR) not in sys.path:
        sys.path.insert(0, str(FUZZ_DIR))
    return importlib.import_module("harness")


def child(name: str, seconds: float, inputs: int, seed: int, input_timeout: float, save: Path | None) -> None:
    """Fuzz one target and print one JSON line."""
    harness = _harness()
    target = harness.by_name()[name]
    started = time.perf_counter()
    tally = harness.fuzz(
        target, seconds=seconds, max_inputs=inputs, seed=seed, time_limit_s=input_timeout, save_dir=save
    )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "tried": tally.tried,
                "crashes": tally.crashes,
                "hangs": tally.hangs,
                "harness_errors": tally.harness_errors,
                "slowest_s": round(tally.slowest_s, 3),
                "seconds": round(time.perf_counter() - started, 1),
                "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
                "peak_rss_mb": round(tally.peak_rss_mb or usage.ru_maxrss / 1024, 1),
                "peak_input_rss_mb": round(tally.peak_input_rss_mb, 1),
                "peak_input": tally.peak_input,
                "samples": tally.samples,
                "saved": tally.saved,
            }
        )
    )


@dataclass
class Row:
    """One parser's figures, summed over its rounds."""

    name: str
    tried: int = 0
    crashes: int = 0
    hangs: int = 0
    harness_errors: int = 0
    slowest_s: float = 0.0
    seconds: float = 0.0
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0
    peak_input_rss_mb: float = 0.0
    peak_input: str = ""
    rounds: int = 0

    def merge(self, part: dict[str, Any]) -> None:
        self.rounds += 1
        self.tried += part["tried"]
        self.crashes += part["crashes"]
        self.hangs += part["hangs"]
        self.harness_errors += part.get("harness_errors", 0)
        self.slowest_s = max(self.slowest_s, part["slowest_s"])
        self.seconds += part["seconds"]
        self.cpu_s += part["cpu_s"]
        self.peak_rss_mb = max(self.peak_rss_mb, part["peak_rss_mb"])
        if part.get("peak_input_rss_mb", 0.0) > self.peak_input_rss_mb:
            self.peak_input_rss_mb, self.peak_input = part["peak_input_rss_mb"], part["peak_input"]

    def figures(self) -> dict[str, Any]:
        return {
            "tried": self.tried,
            "crashes": self.crashes,
            "hangs": self.hangs,
            "harness_errors": self.harness_errors,
            "slowest_s": self.slowest_s,
            "wall_s": round(self.seconds, 1),
            "cpu_s": round(self.cpu_s, 1),
            "inputs_per_s": round(self.tried / self.seconds, 1) if self.seconds else 0.0,
            "cpu_ms_per_input": round(1000 * self.cpu_s / self.tried, 2) if self.tried else 0.0,
            "peak_rss_mb": self.peak_rss_mb,
            "peak_input_rss_mb": self.peak_input_rss_mb,
            "peak_input": self.peak_input,
            "rounds": self.rounds,
        }


@dataclass
class Running:
    name: str
    proc: Any  # subprocess.Popen[bytes]
    started: float
    budget: float
    out: IO[bytes]
    err: IO[bytes]


HEADER = (
    f"{'parser':17} {'inputs':>7} {'crash':>5} {'hang':>4} {'slowest s':>9} {'wall s':>7} {'cpu s':>7} "
    f"{'in/s':>6} {'cpu ms/in':>9} {'peak RSS MB':>11} {'rounds':>6}"
)


def _line(row: Row) -> str:
    f = row.figures()
    return (
        f"{row.name:17} {f['tried']:>7} {f['crashes']:>5} {f['hangs']:>4} {f['slowest_s']:>9} {f['wall_s']:>7} "
        f"{f['cpu_s']:>7} {f['inputs_per_s']:>6} {f['cpu_ms_per_input']:>9} {f['peak_rss_mb']:>11} {f['rounds']:>6}"
    )


def _launch(name: str, budget: float, inputs: int, seed: int, args: argparse.Namespace, scratch: Path) -> Running:
    import subprocess

    stem = scratch / f"{name}-{seed}"
    out, err = open(f"{stem}.out", "w+b"), open(f"{stem}.err", "w+b")  # noqa: SIM115 - closed in _collect
    command = [sys.executable, "-m", "benchmarks.fuzz", "--child", name, "--seconds", f"{budget:.1f}"]
    command += ["--inputs", str(inputs), "--seed", str(seed), "--input-timeout", str(args.input_timeout)]
    command += ["--save", str(args.save)]
    proc = subprocess.Popen(command, stdout=out, stderr=err, cwd=HERE.parent)
    return Running(name, proc, time.monotonic(), budget, out, err)


def _collect(run: Running, stuck: bool) -> dict[str, Any]:
    """The child's JSON line, or a failure row when it died or was killed."""
    run.out.seek(0)
    run.err.seek(0)
    stdout, stderr = run.out.read().decode(errors="replace"), run.err.read().decode(errors="replace")
    run.out.close()
    run.err.close()
    lines = stdout.strip().splitlines()
    if run.proc.returncode == 0 and lines:
        part: dict[str, Any] = json.loads(lines[-1])
        return part
    kind = "hang" if stuck else "crash"
    tail = "\n".join([x for x in stderr.splitlines() if not x.startswith("WARNING:")][-12:])
    why = f"child stuck past its {run.budget:.0f} s budget, killed" if stuck else f"child died ({run.proc.returncode})"
    return {
        "tried": 1,
        "crashes": int(not stuck),
        "hangs": int(stuck),
        "slowest_s": round(time.monotonic() - run.started, 1),
        "seconds": round(time.monotonic() - run.started, 1),
        "cpu_s": 0.0,
        "peak_rss_mb": 0.0,
        "samples": [{"kind": kind, "recipe": "(input left in the child's ganzhi-fuzz-* temp folder)",
                     "error": why, "trace": tail}],
        "saved": [],
    }  # fmt: skip


def schedule(names: list[str], args: argparse.Namespace) -> tuple[dict[str, Row], list[tuple[str, dict[str, str]]]]:
    """Run every parser to `--inputs` inputs within `--minutes`, `--jobs` children at a time."""
    rows = {name: Row(name) for name in names}
    findings: list[tuple[str, dict[str, str]]] = []
    pending: deque[str] = deque(names)
    running: list[Running] = []
    deadline = time.monotonic() + args.minutes * 60
    wall_factor = _harness().WALL_FACTOR
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory(prefix="ganzhi-fuzz-children-") as tmp:
        while pending or running:
            while pending and len(running) < args.jobs:
                name = pending.popleft()
                row = rows[name]
                left = deadline - time.monotonic()
                if row.rounds and left < MIN_ROUND_S:
                    print(_line(row), "(out of time)", flush=True)
                    continue
                share = max(left, 0.0) * args.jobs / (len(pending) + 1 + len(running))
                budget = max(min(share, left), 10.0)
                seed = args.seed + 1000 * row.rounds
                running.append(_launch(name, budget, args.inputs - row.tried, seed, args, Path(tmp)))
            time.sleep(0.5)
            for run in list(running):
                stuck = time.monotonic() > run.started + run.budget + args.input_timeout * wall_factor + STUCK_GRACE_S
                if run.proc.poll() is None and not stuck:
                    continue
                if stuck and run.proc.poll() is None:
                    run.proc.kill()
                    run.proc.wait()
                running.remove(run)
                part = _collect(run, stuck)
                row = rows[run.name]
                row.merge(part)
                findings += [(run.name, sample) for sample in part["samples"]]
                for path in part.get("saved", []):
                    print(f"  saved failing input: {path}", flush=True)
                if row.tried < args.inputs and run.proc.returncode == 0 and not stuck:
                    pending.append(run.name)
                else:
                    print(_line(row), flush=True)
    return rows, findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", "--max-inputs", type=int, default=10_000, help="inputs per parser (stop there)")
    parser.add_argument("--minutes", type=float, default=90.0, help="wall budget of the whole run")
    parser.add_argument("--jobs", type=int, default=2, help="parsers fuzzed at the same time (one child each)")
    parser.add_argument("--only", nargs="*", default=None, help="parser names (default: all)")
    parser.add_argument(
        "--input-timeout", type=float, default=10.0, help="CPU seconds before an input counts as a hang"
    )
    parser.add_argument("--rss-limit-mb", type=float, default=512.0, help="peak RSS target per parser (configurable)")
    parser.add_argument("--seed", type=int, default=524)
    parser.add_argument(
        "--save", type=Path, default=Path(tempfile.gettempdir()) / "ganzhi-fuzz-failures", help="failing inputs go here"
    )
    parser.add_argument("--child", nargs=1, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.seconds, args.inputs, args.seed, args.input_timeout, args.save)
        return
    available = sorted(_harness().by_name())
    names = args.only or available
    unknown = sorted(set(names) - set(available))
    if unknown:
        raise SystemExit(f"unknown parsers {unknown}; available: {available}")
    load_before = os.getloadavg()
    started = time.monotonic()
    rows, findings = schedule(names, args)
    wall = time.monotonic() - started
    print(f"\n{HEADER}")
    for name in names:
        print(_line(rows[name]))
    print("\nfindings (first sample per distinct failure):" if findings else "\nfindings: none")
    for name, sample in findings:
        print(f"- {name} {sample['kind']}: {sample['recipe']}\n  {sample['error'][:300]}")
        for line in [x for x in sample["trace"].strip().splitlines() if x.strip().startswith("File")][-2:]:
            print(f"    {line.strip()}")
    heavy = sorted(rows.values(), key=lambda r: -r.peak_rss_mb)[:3]
    print("\nlargest peaks (parser: child peak MB; input window MB, input):")
    for row in heavy:
        print(f"- {row.name}: {row.peak_rss_mb}; {row.peak_input_rss_mb}, {row.peak_input}")
    totals = {
        "inputs": sum(r.tried for r in rows.values()),
        "crashes": sum(r.crashes for r in rows.values()),
        "hangs": sum(r.hangs for r in rows.values()),
        "harness_errors": sum(r.harness_errors for r in rows.values()),
        "peak_rss_mb": max(r.peak_rss_mb for r in rows.values()),
        "fewest_inputs": min(rows.values(), key=lambda r: r.tried).name,
        "wall_minutes": round(wall / 60, 1),
        "cpu_minutes": round(sum(r.cpu_s for r in rows.values()) / 60, 1),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }
    met = {
        "every_parser_reached_inputs": all(r.tried >= args.inputs for r in rows.values()),
        "no_crash": totals["crashes"] == 0,
        "no_hang": totals["hangs"] == 0,
        "no_harness_error": totals["harness_errors"] == 0,
        "peak_rss_within_limit": [r.name for r in rows.values() if r.peak_rss_mb > args.rss_limit_mb] == [],
    }
    print(f"\ntotal: {totals}\ntarget: {met}")
    over = [f"{r.name} {r.peak_rss_mb} MB" for r in rows.values() if r.peak_rss_mb > args.rss_limit_mb]
    if over:
        print(f"over the {args.rss_limit_mb:g} MB peak: {over}")
    from benchmarks._result import write_result

    figures = {
        "command": " ".join(sys.argv[1:]),
        "inputs_per_parser": args.inputs,
        "minutes": args.minutes,
        "jobs": args.jobs,
        "input_timeout_s": args.input_timeout,
        "parsers": {name: rows[name].figures() for name in names},
        "findings": [{"parser": name, **sample} for name, sample in findings],
        "totals": totals,
        "target_met": met,
        "target": f"0 crashes, 0 hangs over {args.inputs} inputs per parser, peak RSS <= {args.rss_limit_mb:g} MB",
    }
    print(f"result: {write_result('fuzz', figures)}")


if __name__ == "__main__":
    main()
