"""Benchmark: the usage-reminder audit against the SQL and dataframe code a data team would write.

    python -m benchmarks.usage_audit --events 10000000 --repeat 3 --data-dir /tmp/usage10m
    python -m benchmarks.usage_audit --events 100000000 --repeat 1 --data-dir /tmp/usage-bench --pandas-events 0

On the same generated data (not timed; reused from `--data-dir` when its manifest matches), each run in its
own child process (wall time, CPU time and peak RSS from `os.wait4`, 1-minute load average before and after):

- `ganzhi CLI`: `ganzhi usage audit` exactly as a user runs it (start-up, catalog params, summary, files);
- `ganzhi engine`: `run_audit` alone;
- `duckdb SQL`: the anchor `../shared/anchors/usage_duckdb.py`, run as shipped with `--threads`;
- `polars`: the idiomatic lazy/streaming Polars anchor `benchmarks/_usage_polars.py`, `--threads` threads;
- `pandas (sample)`: the in-memory pandas baseline on a sample (`--pandas-events`, 0 skips it).

Every implementation is checked row by row against the generator's truth (ganzhi's per-row results and
the pandas baseline are also compared with each other). Every child runs with NUMPY_MADVISE_HUGEPAGE=0.
Targets (issue 21, 2-core machine): ganzhi CLI >= 3x faster than the faster anchor by wall clock and
<= 1/2 of its peak RSS at 10^7 and 10^8 events; 10^8 events <= 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks._result import write_result

ROOT = Path(__file__).resolve().parents[1]
ANCHOR = ROOT.parent / "shared" / "anchors" / "usage_duckdb.py"
_AGREE = re.compile(r"agree_with_truth (\d+)/(\d+)")
_ROWS = re.compile(r" rows (\d+) ")


@dataclass(frozen=True, slots=True)
class Run:
    """One timed child process."""

    name: str
    events: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    load_before: float
    load_after: float

    @property
    def events_per_s(self) -> float:
        return self.events / self.wall_s if self.wall_s else float("inf")


def _env(threads: int) -> dict[str, str]:
    return {**os.environ, "NUMPY_MADVISE_HUGEPAGE": "0", "POLARS_MAX_THREADS": str(threads)}


def _measure(name: str, events: int, cmd: list[str], threads: int) -> tuple[Run, str]:
    """Run `cmd` as a child; its Run and stdout. Exits when the child fails."""
    before = os.getloadavg()[0]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, env=_env(threads), stdout=out, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{name}: {cmd} failed with exit code {code}\n{text[-2000:]}")
    run = Run(name, events, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
              round(before, 2), round(os.getloadavg()[0], 2))  # fmt: skip
    print(f"  {name}: {run.wall_s:.2f} s wall, {run.cpu_s:.2f} s cpu, {run.peak_rss_mb:,.0f} MB, "
          f"load {run.load_before:.2f}→{run.load_after:.2f}", flush=True)  # fmt: skip
    return run, text


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
    """Generate the data set into `out`, or reuse it when its manifest was made with the same spec.

    Generation runs in a child: a child's peak RSS (`ru_maxrss`) starts at its parent's RSS at fork time on
    Linux, so the harness itself must stay small (no numpy, pyarrow or duckdb before the timed runs)."""
    manifest_path = out / "manifest.json"
    wanted = {"subscribers": subscribers, "events": events, "violation_rate": rate, "seed": seed}
    found = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    if all(found.get("spec", {}).get(k) == v for k, v in wanted.items()):
        print(f"reusing {out}", flush=True)
    else:
        print(f"generating {events:,} events into {out} (not timed) …", flush=True)
        subprocess.run([sys.executable, "-m", "benchmarks.usage_audit", "--generate", json.dumps(wanted), str(out)],
                       check=True, cwd=ROOT)  # fmt: skip
        found = json.loads(manifest_path.read_text(encoding="utf-8"))
    return int(found["counts"]["events"])


def _generate_child(spec_json: str, out: str) -> None:
    from ganzhi.collect.usage import GeneratorSpec, generate

    generate(GeneratorSpec(**json.loads(spec_json)), Path(out))


def _check_truth(results: Path, truth: Path) -> int:
    """Rows where ganzhi's verdicts differ from the planted ground truth (must be 0)."""
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


def _check_anchor(name: str, stdout: str) -> int:
    """An anchor's own row-by-row agreement with the truth (its printed `agree_with_truth a/t`, rows == t)."""
    agree, rows = _AGREE.search(stdout), _ROWS.search(stdout)
    if agree is None or rows is None:
        raise SystemExit(f"{name}: no agreement line in its output: {stdout[-500:]!r}")
    got, truth, verdicts = int(agree[1]), int(agree[2]), int(rows[1])
    assert got == truth == verdicts, f"{name}: {got}/{truth} truth rows agree, {verdicts} verdict rows"
    return truth


def _compare(duck: Path, pandas_results: Path) -> int:
    """Assert identical per-row results; returns the row count."""
    import pandas as pd

    from benchmarks._usage_audit_pandas import normalise

    left = normalise(pd.read_parquet(duck))
    right = normalise(pd.read_parquet(pandas_results))
    pd.testing.assert_frame_equal(left, right, check_dtype=True)
    return len(left)


def _median(runs: list[Run]) -> Run:
    first = runs[0]
    return Run(first.name, first.events, statistics.median(r.wall_s for r in runs),
               statistics.median(r.cpu_s for r in runs), max(r.peak_rss_mb for r in runs),
               min(r.load_before for r in runs), max(r.load_after for r in runs))  # fmt: skip


def _ganzhi_cli() -> list[str]:
    """The installed `ganzhi` console script next to this interpreter (as a user runs it)."""
    script = Path(sys.executable).with_name("ganzhi")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ganzhi"]


def _suite(args: argparse.Namespace, data: Path, events: int, work: Path) -> dict[str, list[Run]]:
    """All implementations on one data set, `--repeat` rounds (interleaved, so load drifts hit all alike)."""
    files = ["--plans", str(data / "plans.parquet"), "--events", str(data / "events.parquet"),
             "--reminders", str(data / "reminders.parquet")]  # fmt: skip
    t = str(args.threads)
    cmds = {
        "ganzhi CLI": [*_ganzhi_cli(), "usage", "audit", *files, "-o", str(work / "out-cli"), "-f", "json",
                       "--threads", t, "--memory-limit", args.memory_limit],
        "ganzhi engine": [sys.executable, "-m", "benchmarks.usage_audit", "--child", "duckdb", str(data),
                          str(work / "out-engine"), args.memory_limit, t],
        "duckdb SQL": [sys.executable, str(ANCHOR), str(data), t],
        "polars": [sys.executable, "-m", "benchmarks._usage_polars", str(data), t],
    }  # fmt: skip
    if args.skip_polars:
        del cmds["polars"]
    raw: dict[str, list[Run]] = {name: [] for name in cmds}
    for i in range(args.repeat):
        print(f"round {i + 1}/{args.repeat} on {events:,} events", flush=True)
        for name, cmd in cmds.items():
            run, stdout = _measure(name, events, cmd, args.threads)
            raw[name].append(run)
            if name in ("duckdb SQL", "polars"):
                _check_anchor(name, stdout)
    return raw


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--events-per-subscriber", type=int, default=50)
    parser.add_argument("--pandas-events", type=int, default=10_000_000,
                        help="sample size for the pandas baseline (0: skip it)")  # fmt: skip
    parser.add_argument("--violation-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--memory-limit", default="3GB")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; medians are reported")
    parser.add_argument("--skip-polars", action="store_true", help="leave out the Polars anchor (slow at 10^8)")
    parser.add_argument("--data-dir", type=Path, default=None, help="keep and reuse generated data here")
    parser.add_argument("--child", nargs=5, metavar=("KIND", "DATA", "OUT", "MEM", "THREADS"), help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=2, metavar=("SPEC", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _run_child(args.child)
        return
    if args.generate:
        _generate_child(*args.generate)
        return
    if not ANCHOR.exists():
        raise SystemExit(f"DuckDB anchor not found at {ANCHOR} (expected ../shared/anchors/usage_duckdb.py)")

    with tempfile.TemporaryDirectory(prefix="usage-bench-") as tmp:
        work = Path(tmp)
        data = args.data_dir or work
        big = data / f"big-{args.events}-{args.seed}"
        big_n = _generate(args.events, max(1, args.events // args.events_per_subscriber), args.violation_rate,
                          args.seed, big)  # fmt: skip
        raw = _suite(args, big, big_n, work)
        compared, pandas_pair = 0, None
        if args.pandas_events:
            sample_events = min(args.pandas_events, args.events)
            sample = big if sample_events == args.events else data / f"sample-{sample_events}-{args.seed + 1}"
            sample_n = big_n if sample is big else _generate(
                sample_events, max(1, sample_events // args.events_per_subscriber), args.violation_rate,
                args.seed + 1, sample)  # fmt: skip
            ours = work / "out-engine"
            if sample is not big:
                ours = work / "out-sample"
                run, _ = _measure("ganzhi engine (sample)", sample_n, [sys.executable, "-m", "benchmarks.usage_audit",
                                  "--child", "duckdb", str(sample), str(ours), args.memory_limit, str(args.threads)],
                                  args.threads)  # fmt: skip
                raw["ganzhi engine (sample)"] = [run]
            run, _ = _measure("pandas (sample)", sample_n, [sys.executable, "-m", "benchmarks.usage_audit", "--child",
                              "pandas", str(sample), str(work / "out-pandas"), args.memory_limit, str(args.threads)],
                              args.threads)  # fmt: skip
            raw["pandas (sample)"] = [run]
            pandas_pair = (ours / "results.parquet", work / "out-pandas" / "results.parquet")
        # Checks import duckdb and pandas into this process: only after every timed run.
        for out in ("out-cli", "out-engine"):
            diff = _check_truth(work / out / "results.parquet", big / "truth.parquet")
            assert diff == 0, f"{out}: {diff} verdicts differ from the generator's ground truth"
        if pandas_pair is not None:
            compared = _compare(*pandas_pair)
    _report(args, raw, compared)


def _report(args: argparse.Namespace, raw: dict[str, list[Run]], compared: int) -> None:
    """Print the side-by-side table and the targets; write the JSON result."""
    medians = {name: _median(runs) for name, runs in raw.items()}
    print(f"\nmedians of {args.repeat} round(s); every implementation agrees with the generator's truth row by row")
    print(f"{'run':<24}{'events':>14}{'wall s':>9}{'cpu s':>9}{'events/s':>13}{'peak RSS MB':>13}{'load':>13}")
    for r in medians.values():
        print(f"{r.name:<24}{r.events:>14,}{r.wall_s:>9.2f}{r.cpu_s:>9.2f}{r.events_per_s:>13,.0f}"
              f"{r.peak_rss_mb:>13,.0f}{f'{r.load_before:.2f}–{r.load_after:.2f}':>13}")  # fmt: skip
    anchors = [medians[n] for n in ("duckdb SQL", "polars") if n in medians]
    fastest = min(anchors, key=lambda r: r.wall_s)
    cli, engine = medians["ganzhi CLI"], medians["ganzhi engine"]
    speedup, engine_speedup = fastest.wall_s / cli.wall_s, fastest.wall_s / engine.wall_s
    rss_ratio = cli.peak_rss_mb / fastest.peak_rss_mb
    cpu_ratio = fastest.cpu_s / cli.cpu_s  # less sensitive than wall time to other load on the machine
    print(f"\nfaster anchor: {fastest.name}; ganzhi CLI is {speedup:.2f}x faster (engine alone {engine_speedup:.2f}x), "
          f"uses {cpu_ratio:.2f}x less CPU, peak RSS {rss_ratio:.2f} of the anchor's")  # fmt: skip
    targets = {"speedup_vs_faster_anchor_min": 3.0, "rss_ratio_max": 0.5}
    if args.events >= 100_000_000:
        targets["events_1e8_wall_s_max"] = 10.0
    verdicts = {"speedup": speedup >= 3.0, "rss": rss_ratio <= 0.5}
    if "events_1e8_wall_s_max" in targets:
        verdicts["wall_1e8"] = cli.wall_s <= 10.0
    print("targets: " + ", ".join(f"{k} {'met' if ok else 'NOT met'}" for k, ok in verdicts.items()))
    if compared:
        print(f"ganzhi == pandas on {compared:,} result rows")
    loads = [x for r in medians.values() for x in (r.load_before, r.load_after)]
    print(f"1-min load average during the runs: {min(loads):.2f} … {max(loads):.2f} on {os.cpu_count()} cores")
    path = write_result("usage_audit", {
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "child"},
        "env": {"NUMPY_MADVISE_HUGEPAGE": "0", "POLARS_MAX_THREADS": args.threads},
        "runs": {name: [asdict(r) for r in runs] for name, runs in raw.items()},
        "medians": [{**asdict(r), "events_per_s": round(r.events_per_s)} for r in medians.values()],
        "faster_anchor": fastest.name,
        "speedup_cli_vs_faster_anchor": round(speedup, 2),
        "speedup_engine_vs_faster_anchor": round(engine_speedup, 2),
        "cpu_ratio_faster_anchor_over_cli": round(cpu_ratio, 2),
        "rss_ratio_cli_vs_faster_anchor": round(rss_ratio, 3),
        "targets": targets,
        "targets_met": verdicts,
        "identical_rows_vs_pandas": compared,
        "ground_truth_differences": 0,
    })  # fmt: skip
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
