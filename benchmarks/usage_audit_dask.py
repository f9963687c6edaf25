"""Benchmark: the usage-reminder audit on a Dask LocalCluster vs one process, on the same data.

    python -m benchmarks.usage_audit_dask --events 100000000 --workers 2 --partitions 16 --data-dir /tmp/usage-bench

Generates the data (not timed; reused when its manifest matches), partitions it by subscriber hash
(`ganzhi usage partition`, timed separately: it is a one-off step of a deployment), then runs, each in its
own child process: `run_audit` on the whole input with `--workers` threads (one process, the baseline) and
`run_distributed` on a LocalCluster of `--workers` processes × 1 thread. Prints wall time, the scaling
(one process ÷ cluster) and each worker's peak RSS; checks that both give identical per-row results and
agree with the generator's truth. On a 2-core machine both runs use both cores, so the scaling measures the
cluster's overhead, not a speed-up; on N machines the partitions spread over N × cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._result import write_result
from benchmarks.usage_audit import Run, _check_truth, _generate, _measure

KEY = "subscriber_id, cycle, threshold, status, reminded_at_ms, reminder_row"


def _cluster_child(dataset: str, out: str, workers: int, memory: str) -> None:
    """Child: the cluster run; prints a JSON line with the workers' peak RSS."""
    import distributed

    from ganzhi.collect.usage import AuditConfig
    from ganzhi.collect.usage.distributed import ClusterSpec, run_distributed

    def peak_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    local_cluster: Any = distributed.LocalCluster
    client_type: Any = distributed.Client
    cluster = local_cluster(n_workers=workers, threads_per_worker=1, processes=True, memory_limit=memory,
                            dashboard_address=None)  # fmt: skip
    with cluster, client_type(cluster) as client:
        spec = ClusterSpec(scheduler=cluster.scheduler_address, workers=workers, threads_per_worker=1)
        started = time.perf_counter()
        run_distributed(dataset, out, AuditConfig(threads=1), spec)
        wall = time.perf_counter() - started
        rss = client.run(peak_mb)
    print(json.dumps({"audit_s": round(wall, 3), "worker_peak_rss_mb": sorted(rss.values())}))


def _partition_child(data: str, dest: str, partitions: int) -> None:
    from ganzhi.collect.usage.distributed import partition_dataset

    d = Path(data)
    partition_dataset(d / "plans.parquet", d / "events.parquet", d / "reminders.parquet", dest, partitions)


def _same_rows(single: Path, cluster: Path) -> int:
    import duckdb

    con = duckdb.connect()
    a = f"SELECT {KEY} FROM read_parquet('{single}')"
    b = f"SELECT {KEY} FROM read_parquet('{cluster}/results/*.parquet')"
    diff = con.execute(f"SELECT count(*) FROM (({a} EXCEPT ALL {b}) UNION ALL ({b} EXCEPT ALL {a}))").fetchall()
    assert diff[0][0] == 0, f"{diff[0][0]} rows differ between one process and the cluster"
    return int(con.execute(f"SELECT count(*) FROM ({a})").fetchall()[0][0])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--events-per-subscriber", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--worker-memory", default="4GB")
    parser.add_argument("--data-dir", type=Path, default=None, help="keep and reuse generated data here")
    parser.add_argument("--cluster-child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--partition-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cluster_child:
        dataset, out, workers, memory = args.cluster_child
        _cluster_child(dataset, out, int(workers), memory)
        return
    if args.partition_child:
        data, dest, parts = args.partition_child
        _partition_child(data, dest, int(parts))
        return

    with tempfile.TemporaryDirectory(prefix="usage-dask-") as tmp:
        work = Path(tmp)
        root = args.data_dir or work
        data = root / f"big-{args.events}-{args.seed}"
        n = _generate(args.events, max(1, args.events // args.events_per_subscriber), 0.05, args.seed, data)
        dataset = root / f"partitioned-{args.events}-{args.seed}-{args.partitions}"
        shutil.rmtree(dataset, ignore_errors=True)
        runs: dict[str, Run] = {}
        me = [sys.executable, "-m", "benchmarks.usage_audit_dask"]
        runs["partition"], _ = _measure("partition", n, [*me, "--partition-child", str(data), str(dataset),
                                        str(args.partitions)], args.workers)  # fmt: skip
        runs["one process"], _ = _measure("one process", n, [sys.executable, "-m", "benchmarks.usage_audit", "--child",
                                          "duckdb", str(data), str(work / "single"), "3GB", str(args.workers)],
                                          args.workers)  # fmt: skip
        runs["cluster"], stdout = _measure("cluster", n, [*me, "--cluster-child", str(dataset), str(work / "cluster"),
                                           str(args.workers), args.worker_memory], args.workers)  # fmt: skip
        cluster: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
        rows = _same_rows(work / "single" / "results.parquet", work / "cluster")
        diff = _check_truth(work / "single" / "results.parquet", data / "truth.parquet")
        assert diff == 0, f"{diff} verdicts differ from the truth"
        shutil.rmtree(dataset, ignore_errors=True)
    one, many = runs["one process"], runs["cluster"]
    print(f"\n{'run':<14}{'events':>14}{'wall s':>9}{'cpu s':>9}{'peak RSS MB':>13}{'load':>13}")
    for r in runs.values():
        print(f"{r.name:<14}{r.events:>14,}{r.wall_s:>9.2f}{r.cpu_s:>9.2f}{r.peak_rss_mb:>13,.0f}"
              f"{f'{r.load_before:.2f}–{r.load_after:.2f}':>13}")  # fmt: skip
    scaling = one.wall_s / many.wall_s
    print(f"\nLocalCluster of {args.workers} workers × 1 thread, {args.partitions} partitions: audit "
          f"{cluster['audit_s']:.2f} s inside a {many.wall_s:.2f} s process (cluster start included); one process "
          f"with {args.workers} threads {one.wall_s:.2f} s → scaling {scaling:.2f}x; "
          f"worker peak RSS {cluster['worker_peak_rss_mb']} MB")  # fmt: skip
    print(f"identical per-row results ({rows:,} rows), 0 differences from the truth; {os.cpu_count()} cores")
    path = write_result("usage_audit_dask", {
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if "child" not in k},
        "runs": {k: {"wall_s": r.wall_s, "cpu_s": r.cpu_s, "peak_rss_mb": r.peak_rss_mb,
                     "load": [r.load_before, r.load_after]} for k, r in runs.items()},
        "cluster_audit_s": cluster["audit_s"], "worker_peak_rss_mb": cluster["worker_peak_rss_mb"],
        "scaling_one_process_over_cluster": round(scaling, 3), "identical_rows": rows,
    })  # fmt: skip
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
