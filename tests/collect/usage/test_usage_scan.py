"""The threaded pyarrow scan gives the DuckDB scan's (and the SQL window's) results, bad rows included."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from usage_fixtures import bj, read_rows, write_csv

from ganzhi.collect.usage import AuditConfig, run_audit
from ganzhi.collect.usage import partitioned as partitioned_module
from ganzhi.collect.usage.kernel import KeyLayout
from ganzhi.collect.usage.results import build_results
from ganzhi.collect.usage.scan import arrow_scan, keyed, ordered_map, split
from ganzhi.collect.usage.sources import Source
from ganzhi.collect.usage.workspace import Workspace

ORDER = ("subscriber_id", "cycle", "threshold", "status", "reminded_at_ms", "reminder_row")


def _data(d: Path, seed: int, bad: bool) -> tuple[Path, Path, Path]:
    """Events in several row groups over 3 Beijing months, with duplicates, ties, plan ids needing a trim and
    (when `bad`) rows every rule rejects: null id, epoch seconds, negative bytes, unknown and empty plans."""
    rng = np.random.default_rng(seed)
    d.mkdir(parents=True, exist_ok=True)
    plans = write_csv(d / "plans.csv", ["plan_id", "quota_bytes", "cycle", "province"],
                      [["P0", 1000, "month", "江苏"], ["P1", 2000, "month", "浙江"],
                       ["P2", 1500, "month", "江苏"]])  # fmt: skip
    n = 5000
    sub = rng.integers(1, 150, size=n)
    ts = rng.integers(bj(2024, 1, 1), bj(2024, 4, 1), size=n)
    ts[:100] = bj(2024, 2, 1) - 1  # the last millisecond of January, many times
    nbytes = rng.integers(0, 120, size=n)
    plan = np.asarray([f"P{s % 3}" for s in sub.tolist()], dtype=object)
    plan[100:150] = " P1 "  # trimmed to P1 by the SQL rule
    dup = rng.integers(0, n, size=200)
    sub, ts, nbytes, plan = (np.concatenate([a, a[dup]]) for a in (sub, ts, nbytes, plan))
    sub_list: list[int | None] = sub.tolist()
    if bad:
        sub_list[7] = None
        ts[8] = ts[8] // 1000
        nbytes[9] = -5
        plan[10], plan[11], plan[12] = "P9", "", None
    shuffle = rng.permutation(len(ts))
    events = d / "events.parquet"
    table = pa.table({"subscriber_id": pa.array([sub_list[i] for i in shuffle], pa.int64()),
                      "ts": pa.array(ts[shuffle]), "bytes": pa.array(nbytes[shuffle]),
                      "plan_id": pa.array(plan[shuffle].tolist(), pa.string())})  # fmt: skip
    pq.write_table(table, events, row_group_size=700)
    m = 800
    reminders = d / "reminders.parquet"
    pq.write_table(pa.table({"subscriber_id": pa.array(rng.integers(1, 160, size=m)),
                             "ts": pa.array(rng.integers(bj(2024, 1, 1), bj(2024, 4, 2), size=m)),
                             "threshold": pa.array(rng.choice([0.5, 0.8, 1.0], size=m))}), reminders)  # fmt: skip
    return plans, events, reminders


def _audit(paths: tuple[Path, Path, Path], out: Path, **cfg: object) -> tuple[list[tuple[object, ...]], object]:
    """Sorted result rows and the summary's events input counts."""
    report = run_audit(*paths, out, AuditConfig(thresholds=(0.5, 0.8, 1.0), **cfg))  # type: ignore[arg-type]
    rows = read_rows(report.results_path)
    key = [tuple((r[c] is not None, r[c]) for c in ORDER) for r in rows]
    ordered = [tuple(r.values()) for _, r in sorted(zip(key, rows, strict=True), key=lambda x: x[0])]
    return ordered, report.summary["inputs"]["events"]  # type: ignore[index]


@pytest.mark.parametrize("bad", [False, True])
def test_threaded_arrow_scan_equals_duckdb_scan_and_sql(tmp_path: Path, bad: bool) -> None:
    paths = _data(tmp_path / "in", seed=4, bad=bad)
    sql, sql_events = _audit(paths, tmp_path / "sql", kernel="sql")
    runs: dict[tuple[str, int, int], tuple[list[tuple[object, ...]], object]] = {}
    for threads in (1, 2):
        for rows in (100_000, 600):  # one partition; many
            runs[("arrow", threads, rows)] = _audit(paths, tmp_path / f"a{threads}-{rows}", kernel="numpy",
                                                    threads=threads, partition_rows=rows)  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(partitioned_module, "ARROW_SCAN", False)
        runs[("duckdb", 2, 600)] = _audit(paths, tmp_path / "duck", kernel="numpy", partition_rows=600)
    assert len(sql) > 300
    assert sql_events["rejected"] == (6 if bad else 0)  # type: ignore[index]
    for name, (got, events) in runs.items():
        assert got == sql, name
        assert events == sql_events, name


def test_arrow_scan_only_for_integer_ids_times_and_bytes(tmp_path: Path) -> None:
    good, text_ts = tmp_path / "good.parquet", tmp_path / "text.parquet"
    pq.write_table(pa.table({"Subscriber_ID ": [1], "ts": [2], "bytes": [3], "plan_id": ["P"]}), good)
    pq.write_table(pa.table({"subscriber_id": [1], "ts": ["2024-01-01"], "bytes": [3], "plan_id": ["P"]}), text_ts)
    scan = arrow_scan(Source("events", good, (good,), "parquet", {}))
    assert scan is not None and scan.files[0][1] == ("Subscriber_ID ", "ts", "bytes", "plan_id")
    assert arrow_scan(Source("events", text_ts, (text_ts,), "parquet", {})) is None
    assert arrow_scan(Source("events", good, (good,), "csv", {})) is None


@pytest.mark.parametrize("parts", [1, 7, 300])
def test_split_keeps_every_row_of_each_partition(parts: int) -> None:
    rng = np.random.default_rng(parts)
    n = 5000
    key, nbytes = rng.integers(0, 1 << 40, size=n), rng.integers(0, 1000, size=n)
    pidx, part = rng.integers(0, 30, size=n).astype(np.int16), rng.integers(0, parts, size=n)
    batch = split(key, nbytes, pidx, part, parts, {"key": np.int64, "bytes": np.int64, "pidx": np.int16}, n,
                  Workspace())  # fmt: skip
    assert batch.rows == n and len(batch.bounds) == parts + 1
    for p in range(parts):
        lo, hi = int(batch.bounds[p]), int(batch.bounds[p + 1])
        want = np.flatnonzero(part == p)  # in input order: the split is stable
        assert batch.columns["key"][lo:hi].tolist() == key[want].tolist()
        assert batch.columns["bytes"][lo:hi].tolist() == nbytes[want].tolist()
        assert batch.columns["pidx"][lo:hi].tolist() == pidx[want].tolist()


def test_numpy_keys_equal_the_layout_formula() -> None:
    layout = KeyLayout.plan(100, 5000, 2024 * 12, 2024 * 12 + 2, 10_000, 1000, 8 * 3600 * 1000)
    rng = np.random.default_rng(1)
    sub = rng.integers(100, 5001, size=3000)
    ts = rng.integers(layout.month_starts[0], layout.month_starts[3], size=3000)
    batch = keyed(sub, ts, np.zeros(3000, np.int64), np.zeros(3000, np.int16), layout,
                  {"key": np.int64, "bytes": np.int64, "pidx": np.int16}, 3000, Workspace())  # fmt: skip
    starts = np.asarray(layout.month_starts)
    rel = np.searchsorted(starts, ts, side="right") - 1
    expected = ((((sub - 100) // layout.partitions) << layout.month_bits | rel) << 32) | (ts - starts[rel])
    part = (sub - 100) % layout.partitions
    for p in range(layout.partitions):
        lo, hi = int(batch.bounds[p]), int(batch.bounds[p + 1])
        assert batch.columns["key"][lo:hi].tolist() == expected[part == p].tolist()


def test_ordered_map_keeps_order_with_few_in_flight() -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        assert list(ordered_map(pool, lambda x: x * x, range(50), ahead=4)) == [x * x for x in range(50)]


def test_results_in_parallel_chunks_equal_one_chunk() -> None:
    rng = np.random.default_rng(2)
    n, m = 3000, 2500
    sub = rng.integers(0, 900, size=n)
    month = np.full(n, 2024 * 12 + 1)
    cross = rng.integers(bj(2024, 2, 1), bj(2024, 3, 1), size=n)
    columns = {"sub": pa.array(sub), "m": pa.array(month), "pidx": pa.array(rng.integers(1, 3, size=n), pa.int32()),
               "quota_bytes": pa.array(np.full(n, 1000)), "cross_0": pa.array(cross, mask=rng.random(n) < 0.2),
               "cross_1": pa.array(cross + 5000, mask=rng.random(n) < 0.5)}  # fmt: skip
    cycles = pa.table(columns).group_by("sub").aggregate([(c, "min") for c in list(columns)[1:]])  # one per sub
    cycles = cycles.rename_columns(list(columns))
    plans = pa.table({"pidx": pa.array([1, 2], pa.int32()), "plan_id": ["A", "B"], "province": ["x", "y"]})
    reminders = pa.table({"sub": pa.array(rng.integers(0, 1000, size=m)),
                          "ts_ms": pa.array(rng.integers(bj(2024, 1, 20), bj(2024, 3, 5), size=m)),
                          "threshold": pa.array(rng.choice([0.8, 1.0], size=m)),
                          "file": pa.array(np.zeros(m, np.int64)),
                          "src_row": pa.array(np.arange(1, m + 1))})  # fmt: skip
    cfg = AuditConfig()
    one = build_results(cycles, plans, reminders, ["r.parquet"], cfg)
    with ThreadPoolExecutor(max_workers=2) as pool:
        chunked = build_results(cycles, plans, reminders, ["r.parquet"], cfg, pool, chunks=5)
    assert chunked.schema == one.schema
    assert set(one["status"].to_pylist()) >= {"on_time", "missing", "spurious"}
    assert sorted(map(str, chunked.to_pylist())) == sorted(map(str, one.to_pylist()))
