"""Benchmark: the DuckDB usage-reminder audit at scale vs a straightforward pandas baseline.

    python -m benchmarks.usage_audit --events 100000000 --repeat 3 --data-dir /tmp/usage-bench

Generates synthetic data (not timed; reused from `--data-dir` when its manifest matches), runs each
audit `--repeat` times, each in its own child process (wall time, CPU time and peak RSS from
`os.wait4`, load average before and after), checks ganzhi's verdicts against the generator's ground
truth, runs ganzhi and pandas on the same sample (default 10M events) and asserts identical per-row
results, then prints medians and writes JSON under `benchmarks/results/`.
Every child runs with NUMPY_MADVISE_HUGEPAGE=0 (pandas included): on the benchmark VM, faulting in
transparent huge pages stalls on compaction and costs both implementations alike.
Targets on a 2-core machine: 100M events <= 60 s, peak RSS <= 6 GB, pandas >= 10x slower per event.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
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
    env = {**os.environ, "NUMPY_MADVISE_HUGEPAGE": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.usage_audit", "--child", *args], env=env)
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
    from ganzhi.collect.usage import AuditConfig

    cfg = AuditConfig(memory_limit=memory_limit, threads=int(threads))
    files = (data_dir / "plans.parquet", data_dir / "events.parquet", data_dir / "reminders.parquet")
    if kind == "duckdb":
        from ganzhi.collect.usage import run_audit

        run_audit(*files, out_dir, cfg)
    else:
        from benchmarks._usage_audit_pandas import audit_pandas

        out_dir.mkdir(parents=True, exist_ok=True)
        audit_pandas(*files, cfg).to_parquet(out_dir / "results.parquet")


def _generate(events: int, subscribers: int, rate: float, seed: int, out: Path) -> int:
    """Generate the data set into `out`, or reuse it when its manifest was made with the same spec."""
    from ganzhi.collect.usage import GeneratorSpec, generate

    spec = GeneratorSpec(subscribers=subscribers, events=events, violation_rate=rate, seed=seed)
    manifest_path = out / "manifest.json"
    wanted = {k: getattr(spec, k) for k in spec.__dataclass_fields__}
    if manifest_path.exists() and json.loads(manifest_path.read_text(encoding="utf-8")).get("spec") == wanted:
        print(f"reusing {out}", flush=True)
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    else:
        print(f"generating {events:,} events into {out} (not timed) …", flush=True)
        manifest = generate(spec, out)
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

    from benchmarks._usage_audit_pandas import normalise

    left = normalise(pd.read_parquet(duck))
    right = normalise(pd.read_parquet(pandas_results))
    pd.testing.assert_frame_equal(left, right, check_dtype=True)
    return len(left)


def _timed(name: str, events: int, args: list[str], repeat: int) -> list[tuple[Run, tuple[float, float]]]:
    """`repeat` child runs of one implementation, each with the 1-minute load average before and after."""
    runs = []
    for i in range(repeat):
        before = os.getloadavg()[0]
        run = Run(name, events, *_child(args))
        runs.append((run, (round(before, 2), round(os.getloadavg()[0], 2))))
        print(f"  {name} #{i + 1}: {run.wall_s:.2f} s wall, {run.cpu_s:.2f} s cpu, {run.peak_rss_mb:,.0f} MB, "
              f"load {before:.2f}", flush=True)
    return runs


def _median(name: str, runs: list[tuple[Run, tuple[float, float]]]) -> Run:
    first = runs[0][0]
    return Run(name, first.events, statistics.median(r.wall_s for r, _ in runs),
               statistics.median(r.cpu_s for r, _ in runs), max(r.peak_rss_mb for r, _ in runs))  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--events-per-subscriber", type=int, default=50)
    parser.add_argument("--pandas-events", type=int, default=10_000_000, help="sample size for the pandas baseline")
    parser.add_argument("--violation-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--memory-limit", default="3GB")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="runs per implementation; medians are reported")
    parser.add_argument("--data-dir", type=Path, default=None, help="keep and reuse generated data here")
    parser.add_argument("--child", nargs=5, metavar=("KIND", "DATA", "OUT", "MEM", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _run_child(args.child)
        return

    with tempfile.TemporaryDirectory(prefix="usage-bench-") as tmp:
        work = Path(tmp)
        data = args.data_dir or work
        big, sample = data / f"big-{args.events}-{args.seed}", data / f"sample-{args.pandas_events}-{args.seed + 1}"
        sample_events = min(args.pandas_events, args.events)
        big_n = _generate(args.events, max(1, args.events // args.events_per_subscriber), args.violation_rate,
                          args.seed, big)  # fmt: skip
        if sample_events == args.events:
            sample, sample_n = big, big_n
        else:
            sample_n = _generate(sample_events, max(1, sample_events // args.events_per_subscriber),
                                 args.violation_rate, args.seed + 1, sample)  # fmt: skip
        common = [args.memory_limit, str(args.threads)]
        raw: dict[str, list[tuple[Run, tuple[float, float]]]] = {}
        raw["ganzhi"] = _timed("ganzhi", big_n, ["duckdb", str(big), str(work / "out-big"), *common], args.repeat)
        truth_diff = _check_truth(work / "out-big" / "results.parquet", big / "truth.parquet")
        assert truth_diff == 0, f"{truth_diff} verdicts differ from the generator's ground truth"
        if sample is not big:
            raw["ganzhi (sample)"] = _timed("ganzhi (sample)", sample_n,
                                            ["duckdb", str(sample), str(work / "out-sample"), *common], args.repeat)
        raw["pandas (sample)"] = _timed("pandas (sample)", sample_n,
                                        ["pandas", str(sample), str(work / "out-pandas"), *common], args.repeat)
        compared = _compare(
            (work / ("out-big" if sample is big else "out-sample")) / "results.parquet",
            work / "out-pandas" / "results.parquet",
        )

    runs = [_median(name, items) for name, items in raw.items()]
    ours_big, ours_sample, pandas_run = runs[0], runs[-2] if len(runs) == 3 else runs[0], runs[-1]
    wall_ratio = ours_sample.events_per_s / pandas_run.events_per_s
    cpu_ratio = (pandas_run.cpu_s / pandas_run.events) / (ours_sample.cpu_s / ours_sample.events)
    big_ratio = ours_big.events_per_s / pandas_run.events_per_s
    print(f"\nmedians of {args.repeat} runs each")
    print(f"{'run':<18}{'events':>14}{'wall s':>10}{'cpu s':>10}{'events/s':>14}{'peak RSS MB':>14}")
    for r in runs:
        print(f"{r.name:<18}{r.events:>14,}{r.wall_s:>10.2f}{r.cpu_s:>10.2f}{r.events_per_s:>14,.0f}"
              f"{r.peak_rss_mb:>14,.0f}")  # fmt: skip
    print(f"\nground truth: 0 differences; ganzhi == pandas on {compared:,} result rows")
    print(f"pandas per event on the same sample: {wall_ratio:.1f}x slower (wall), {cpu_ratio:.1f}x more CPU; "
          f"{big_ratio:.1f}x slower (wall) than the full run")  # fmt: skip
    loads = [load for items in raw.values() for _, pair in items for load in pair]
    print(f"1-min load average during the runs: {min(loads):.2f} … {max(loads):.2f} on {os.cpu_count()} cores")

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    result = {
        "benchmark": "usage_audit",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "env": {"NUMPY_MADVISE_HUGEPAGE": "0"}},
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "child"},
        "runs": {name: [{**asdict(r), "load_before_after": list(load)} for r, load in items]
                 for name, items in raw.items()},
        "medians": [{**asdict(r), "events_per_s": round(r.events_per_s)} for r in runs],
        "pandas_slowdown_same_sample_wall": round(wall_ratio, 2),
        "pandas_slowdown_same_sample_cpu": round(cpu_ratio, 2),
        "pandas_slowdown_vs_full_run_wall": round(big_ratio, 2),
        "identical_rows": compared,
        "ground_truth_differences": 0,
        "targets": {"events_100m_wall_s": 60, "peak_rss_gb": 6, "pandas_slowdown": 10},
    }
    path = RESULTS_DIR / f"usage_audit-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
