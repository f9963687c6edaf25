"""Long fuzz run of every importer and parser: inputs tried, crashes, hangs and peak RSS per parser.

Each parser's loop runs in its own child process (so one parser's memory cannot hide another's); the parent
reads the child's peak RSS with `resource.getrusage(RUSAGE_CHILDREN)` (the running maximum over finished
children, so each child's own VmHWM is printed too). Inputs are the seeds of `tests/fuzz/harness.py` and their
mutations (byte flips, truncation, inflated declared sizes, zip entry rewrites, zip bombs, deep nesting,
huge strings); a crash is any exception other than the project's `GanzhiError` (or the parser's documented
error), a hang an input that runs past `--input-timeout` seconds.
Target: 0 crashes, 0 hangs over 10^4 inputs per parser, peak RSS ≤ 512 MB.
Run: `python -m benchmarks.fuzz --minutes N [--only NAME ...] [--max-inputs 10000]`.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FUZZ_DIR = HERE.parent / "tests" / "fuzz"


def _harness() -> Any:
    sys.path.insert(0, str(FUZZ_DIR))
    import harness

    return harness


def child(name: str, seconds: float, max_inputs: int, seed: int, input_timeout: float) -> None:
    """Fuzz one target and print one JSON line."""
    from benchmarks._child import peak_rss_mb

    harness = _harness()
    target = harness.by_name()[name]
    started = time.perf_counter()
    tally = harness.fuzz(target, seconds=seconds, max_inputs=max_inputs, seed=seed, time_limit_s=input_timeout)
    print(
        json.dumps(
            {
                "tried": tally.tried,
                "crashes": tally.crashes,
                "hangs": tally.hangs,
                "slowest_s": round(tally.slowest_s, 3),
                "seconds": round(time.perf_counter() - started, 1),
                "child_rss_mb": round(peak_rss_mb(), 1),
                "samples": tally.samples,
            }
        )
    )


def _children_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=2.0, help="total wall time, shared by the parsers")
    parser.add_argument("--only", nargs="*", default=None, help="parser names (default: all)")
    parser.add_argument("--max-inputs", type=int, default=10_000, help="stop a parser after this many inputs")
    parser.add_argument("--input-timeout", type=float, default=10.0, help="seconds before an input counts as a hang")
    parser.add_argument("--seed", type=int, default=524)
    parser.add_argument("--child", nargs=1, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.seconds, args.max_inputs, args.seed, args.input_timeout)
        return
    names = args.only or sorted(_harness().by_name())
    unknown = sorted(set(names) - set(_harness().by_name()))
    if unknown:
        raise SystemExit(f"unknown parsers {unknown}; available: {sorted(_harness().by_name())}")
    share = args.minutes * 60 / len(names)
    rows: dict[str, dict[str, Any]] = {}
    header = f"{'parser':16} {'inputs':>7} {'crashes':>7} {'hangs':>5} {'slowest s':>9} {'peak RSS MB':>11}"
    print(header, flush=True)
    for name in names:
        before = _children_rss_mb()
        command = [
            sys.executable,
            "-m",
            "benchmarks.fuzz",
            "--child",
            name,
            "--seconds",
            str(share),
            "--max-inputs",
            str(args.max_inputs),
            "--seed",
            str(args.seed),
            "--input-timeout",
            str(args.input_timeout),
        ]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=share + 600, check=False)
        after = _children_rss_mb()
        if proc.returncode != 0 or not proc.stdout.strip():
            rows[name] = {
                "tried": 0,
                "crashes": 1,
                "hangs": 0,
                "slowest_s": 0.0,
                "child_rss_mb": after if after > before else None,
                "samples": [{"kind": "child died", "recipe": "", "error": proc.stderr[-1500:], "trace": ""}],
            }
        else:
            rows[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        row = rows[name]
        rss = row.get("child_rss_mb") or 0.0
        rows[name]["children_maxrss_mb"] = round(after, 1)
        print(
            f"{name:16} {row['tried']:>7} {row['crashes']:>7} {row['hangs']:>5} {row['slowest_s']:>9} {rss:>11}",
            flush=True,
        )
    print("\nfindings (first sample per distinct failure):")
    for name, row in rows.items():
        for sample in row["samples"]:
            print(f"- {name} {sample['kind']}: {sample['recipe']}\n  {sample['error'][:300]}")
            last = [line for line in sample["trace"].strip().splitlines() if line.strip().startswith("File")][-2:]
            for line in last:
                print(f"    {line.strip()}")
    totals = {
        "inputs": sum(r["tried"] for r in rows.values()),
        "crashes": sum(r["crashes"] for r in rows.values()),
        "hangs": sum(r["hangs"] for r in rows.values()),
        "peak_rss_mb": max((r.get("child_rss_mb") or 0.0) for r in rows.values()),
        "children_maxrss_mb": round(_children_rss_mb(), 1),
    }
    print(f"\ntotal: {totals}")
    from benchmarks._result import write_result

    figures = {
        "minutes": args.minutes,
        "input_timeout_s": args.input_timeout,
        "parsers": rows,
        "totals": totals,
        "target": "0 crashes, 0 hangs over 10^4 inputs per parser, peak RSS <= 512 MB",
    }
    print(f"result: {write_result('fuzz', figures)}")


if __name__ == "__main__":
    main()
