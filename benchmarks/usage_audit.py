"""Benchmark: the DuckDB usage-reminder audit at scale vs a straightforward pandas baseline.

    python -m benchmarks.usage_audit --events 100000000

Generates synthetic data (not timed), runs each audit in its own child process (wall time, CPU time
and peak RSS from `os.wait4`), checks the DuckDB verdicts against the generator's ground truth,
runs DuckDB and pandas on the same sample (default 10M events) and asserts identical per-row
results, then prints a table and writes JSON under `benchmarks/results/`.
Targets on a 2-core machine: 100M events <= 60 s, peak RSS <= 6 GB, pandas >= 10x slower per event.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True, slots=True)
class Run:
    """One timed child process."""

    name: str
    events: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float

    @property
    def events_per_s(self) -> float:
        return self.events / self.wall_s if self.wall_s else float("inf")


def _child(args: list[str]) -> tuple[float, float, float]:
    """Run `python -m benchmarks.usage_audit --child ...`; (wall s, cpu s, peak RSS MB)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.usage_audit", "--child", *args])
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"child {args} failed with exit code {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _run_child(argv: list[str]) -> None:
    """Child side: run one implementation on one data set and write its per-row results."""
    kind, data, out, memory_limit, threads = argv
    data_dir, out_dir = Path(data), Path(out)
    from ganzhi.telecom.usage import AuditConfig

    cfg = AuditConfig(memory_limit=memory_limit, threads=int(threads))
    files = (data_dir / "plans.parquet", data_dir / "events.parquet", data_dir / "reminders.parquet")
    if kind == "duckdb":
        from ganzhi.telecom.usage import run_audit

        run_audit(*files, out_dir, cfg)
    else:
        from benchmarks.usage_audit_pandas import audit_pandas

        out_dir.mkdir(parents=True, exist_ok=True)
        audit_pandas(*files, cfg).to_parquet(out_dir / "results.parquet")


def _generate(events: int, subscribers: int, rate: float, seed: int, out: Path) -> int:
    from ganzhi.telecom.usage import GeneratorSpec, generate

    manifest = generate(GeneratorSpec(subscribers=subscribers, events=events, violation_rate=rate, seed=seed), out)
    counts = manifest["counts"]
    assert isinstance(counts, dict)
    return int(counts["events"])


def _check_truth(results: Path, truth: Path) -> int:
    """Rows where the DuckDB verdicts differ from the planted ground truth (must be 0)."""
    import duckdb

    rows = (
        duckdb.connect()
        .execute(f"""
        SELECT count(*) FROM (
          (SELECT subscriber_id, cycle, threshold, status FROM '{results}' WHERE status <> 'repeat'
           EXCEPT ALL SELECT * FROM '{truth}')
          UNION ALL
          (SELECT * FROM '{truth}' EXCEPT ALL
           SELECT subscriber_id, cycle, threshold, status FROM '{results}' WHERE status <> 'repeat'))
    """)
        .fetchall()
    )
    return int(rows[0][0])


def _compare(duck: Path, pandas_results: Path) -> int:
    """Assert identical per-row results; returns the row count."""
    import pandas as pd

    from benchmarks.usage_audit_pandas import normalise

    left = normalise(pd.read_parquet(duck))
    right = normalise(pd.read_parquet(pandas_results))
    pd.testing.assert_frame_equal(left, right, check_dtype=True)
    return len(left)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--events-per-subscriber", type=int, default=50)
    parser.add_argument("--pandas-events", type=int, default=10_000_000, help="sample size for the pandas baseline")
    parser.add_argument("--violation-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--memory-limit", default="3GB")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--work-dir", type=Path, default=None, help="keep data here (default: a temp dir)")
    parser.add_argument("--child", nargs=5, metavar=("KIND", "DATA", "OUT", "MEM", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _run_child(args.child)
        return

    with tempfile.TemporaryDirectory(prefix="usage-bench-", dir=args.work_dir) as tmp:
        work = Path(tmp)
        big, sample = work / "big", work / "sample"
        sample_events = min(args.pandas_events, args.events)
        print(f"generating {args.events:,} events (not timed) …", flush=True)
        big_n = _generate(args.events, max(1, args.events // args.events_per_subscriber), args.violation_rate,
                          args.seed, big)  # fmt: skip
        if sample_events == args.events:
            sample, sample_n = big, big_n
        else:
            print(f"generating the {sample_events:,}-event sample (not timed) …", flush=True)
            sample_n = _generate(sample_events, max(1, sample_events // args.events_per_subscriber),
                                 args.violation_rate, args.seed + 1, sample)  # fmt: skip
        common = [args.memory_limit, str(args.threads)]
        load_before = os.getloadavg()
        runs = [Run("duckdb", big_n, *_child(["duckdb", str(big), str(work / "out-big"), *common]))]
        truth_diff = _check_truth(work / "out-big" / "results.parquet", big / "truth.parquet")
        assert truth_diff == 0, f"{truth_diff} verdicts differ from the generator's ground truth"
        if sample is big:
            duck_sample = runs[0]
        else:
            duck_sample = Run(
                "duckdb (sample)", sample_n, *_child(["duckdb", str(sample), str(work / "out-sample"), *common])
            )
            runs.append(duck_sample)
        runs.append(
            Run("pandas (sample)", sample_n, *_child(["pandas", str(sample), str(work / "out-pandas"), *common]))
        )
        load_after = os.getloadavg()
        compared = _compare(
            (work / ("out-big" if sample is big else "out-sample")) / "results.parquet",
            work / "out-pandas" / "results.parquet",
        )

    pandas_run = runs[-1]
    ratio_same = duck_sample.events_per_s / pandas_run.events_per_s
    ratio_big = runs[0].events_per_s / pandas_run.events_per_s
    print(f"\n{'run':<18}{'events':>14}{'wall s':>10}{'cpu s':>10}{'events/s':>14}{'peak RSS MB':>14}")
    for r in runs:
        print(
            f"{r.name:<18}{r.events:>14,}{r.wall_s:>10.2f}{r.cpu_s:>10.2f}{r.events_per_s:>14,.0f}{r.peak_rss_mb:>14,.0f}"
        )
    print(f"\nground truth: 0 differences; DuckDB == pandas on {compared:,} result rows")
    print(f"pandas is {ratio_same:.1f}x slower per event on the same sample ({ratio_big:.1f}x vs the full run)")
    print(f"load average before/after: {load_before[0]:.2f} / {load_after[0]:.2f} on {os.cpu_count()} cores")

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    result = {
        "benchmark": "usage_audit",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_before": load_before,
            "load_after": load_after,
        },
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "child"},
        "runs": [{**asdict(r), "events_per_s": round(r.events_per_s)} for r in runs],
        "pandas_slowdown_same_sample": round(ratio_same, 2),
        "pandas_slowdown_vs_full_run": round(ratio_big, 2),
        "identical_rows": compared,
        "ground_truth_differences": 0,
        "targets": {"events_100m_wall_s": 60, "peak_rss_gb": 6, "pandas_slowdown": 10},
    }
    path = RESULTS_DIR / f"usage_audit-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
