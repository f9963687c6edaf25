"""The numpy crossing kernel gives exactly the SQL window's results, in memory and partitioned on disk."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from usage_fixtures import bj, read_rows, write_csv

from ganzhi.collect.usage import AuditConfig, run_audit
from ganzhi.collect.usage import partitioned as partitioned_module
from ganzhi.collect.usage.config import BEIJING_OFFSET_MS
from ganzhi.collect.usage.kernel import KeyLayout, _sorted
from ganzhi.collect.usage.partitioned import SORT_ROWS, SPILL_FILES, _memory_bytes, _rows_per_partition, _workers
from ganzhi.collect.usage.workspace import Workspace
from ganzhi.errors import InputError

QUOTAS = [1000, 2000, 1500]


def _data(d: Path, ids: np.ndarray, seed: int) -> tuple[Path, Path, Path]:
    """Random events over 3 Beijing months with planted duplicates, same-ms ties and plan switches."""
    rng = np.random.default_rng(seed)
    n = 6000
    d.mkdir(parents=True, exist_ok=True)
    plans = write_csv(d / "plans.csv", ["plan_id", "quota_bytes", "cycle", "province"],
                      [[f"P{i}", q, "month", "江苏"] for i, q in enumerate(QUOTAS)])  # fmt: skip
    start, end = bj(2024, 1, 1), bj(2024, 4, 1)
    sub = rng.choice(ids, size=n)
    ts = rng.integers(start, end, size=n)
    ts[:200] = start + 500  # many events at one instant: ties on (subscriber, ts)
    ts[200:220] = bj(2024, 2, 1) - 1  # the last millisecond of January
    nbytes = rng.integers(0, 120, size=n)
    plan = np.asarray([f"P{(s % 3) if rng.random() > 0.02 else (s + 1) % 3}" for s in sub.tolist()])
    dup = rng.integers(0, n, size=300)  # exact duplicates (same plan), and near-duplicates with other bytes
    near = rng.integers(0, n, size=100)
    sub = np.concatenate([sub, sub[dup], sub[near]])
    ts = np.concatenate([ts, ts[dup], ts[near]])
    nbytes = np.concatenate([nbytes, nbytes[dup], nbytes[near] + 1])
    plan = np.concatenate([plan, plan[dup], plan[near]])
    shuffle = rng.permutation(len(sub))
    events = d / "events.parquet"
    columns = {"subscriber_id": sub[shuffle], "ts": ts[shuffle], "bytes": nbytes[shuffle], "plan_id": plan[shuffle]}
    pq.write_table(pa.table({name: pa.array(values) for name, values in columns.items()}), events)
    m = 900
    rem_ts = rng.integers(start, end + 86_400_000, size=m)
    reminders = d / "reminders.parquet"
    thresholds = rng.choice([0.5, 0.8, 1.0, 0.9], size=m)
    rem = {"subscriber_id": rng.choice(ids, size=m), "ts": rem_ts, "threshold": thresholds}
    pq.write_table(pa.table({name: pa.array(values) for name, values in rem.items()}), reminders)
    return plans, events, reminders


def _run(paths: tuple[Path, Path, Path], out: Path, **cfg: object) -> list[dict[str, object]]:
    config = AuditConfig(thresholds=(0.5, 0.8, 1.0), **cfg)  # type: ignore[arg-type]
    report = run_audit(*paths, out, config)
    return sorted(read_rows(report.results_path), key=_order)


def _order(row: dict[str, object]) -> tuple[object, ...]:
    """Parquet results are unordered: compare them sorted."""
    return tuple(
        (row[c] is not None, row[c])
        for c in ("subscriber_id", "cycle", "threshold", "status", "reminded_at_ms", "reminder_row")
    )


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("dense", np.arange(1, 120, dtype=np.int64)),
        ("phone numbers", np.asarray([13_800_000_000 + 7_919 * i for i in range(120)] + [19_999_999_999])),
        ("negative", np.arange(-60, 60, dtype=np.int64) * 3),
    ],
)
def test_numpy_kernel_equals_sql_window(tmp_path: Path, name: str, ids: np.ndarray) -> None:
    paths = _data(tmp_path / "in", ids, seed=len(name))
    sql = _run(paths, tmp_path / "sql", kernel="sql")
    in_memory = _run(paths, tmp_path / "np", kernel="numpy")
    partitioned = _run(paths, tmp_path / "np-parts", kernel="numpy", partition_rows=700)
    with pytest.MonkeyPatch.context() as patch:  # no memory budget: the partitions go through spill files
        patch.setattr(partitioned_module, "MEMORY_SHARE", 0.0)
        spilled = _run(paths, tmp_path / "np-spill", kernel="numpy", partition_rows=700)
    assert len(sql) > 400
    statuses = {r["status"] for r in sql}
    assert {"on_time", "late", "missing", "spurious"} <= statuses
    assert in_memory == sql
    assert partitioned == sql
    assert spilled == sql


@pytest.mark.parametrize("span", [1 << 20, 1 << 62])
def test_sorting_keys_gives_a_sorting_permutation(span: int) -> None:
    """With row numbers packed into the keys (small span) or by argsort (span too wide to pack)."""
    rng = np.random.default_rng(span % 97)
    key = rng.integers(0, span, size=5000, dtype=np.int64)
    key[:300] = key[300:600]  # ties
    order, ordered = _sorted(key, Workspace())
    assert ordered.tolist() == sorted(key.tolist())
    assert (key[order] == ordered).all()
    assert sorted(order.tolist()) == list(range(len(key)))
    assert _sorted(key[:0], Workspace())[0].size == 0


def test_memory_limits_parse_like_duckdb() -> None:
    assert _memory_bytes("3GB") == 3 * 10**9
    assert _memory_bytes("512 MiB") == 512 * 2**20
    assert _memory_bytes("2.5gb") == 2_500_000_000
    assert _memory_bytes("lots") is None


def test_layout_packs_sparse_ids_into_more_partitions() -> None:
    dense = KeyLayout.plan(0, 2_000_000, 24_288, 24_289, 100_000_000, 12_000_000, BEIJING_OFFSET_MS)
    assert (dense.partitions, dense.month_bits) == (9, 1)
    assert dense.month_starts[0] == bj(2024, 1, 1)
    phones = KeyLayout.plan(13_000_000_000, 19_999_999_999, 24_288, 24_299, 1000, 12_000_000, BEIJING_OFFSET_MS)
    assert phones.partitions == 53 and phones.month_bits == 4  # 7e9 ids / 2^27 per partition
    with pytest.raises(ValueError, match="too sparse"):
        KeyLayout.plan(0, 2**62, 24_288, 24_289, 10, 12_000_000, BEIJING_OFFSET_MS)
    with pytest.raises(ValueError, match="cycles do not fit"):
        KeyLayout.plan(0, 10, 0, 2**31, 10, 12_000_000, BEIJING_OFFSET_MS)


@pytest.mark.parametrize(("rows", "threads", "expected"), [(3_000, 2, 4_000), (10_000, 2, 2_000), (10_000, 1, 4_000),
                                                         (10_000, 3, 1_333)])  # fmt: skip
def test_parallel_partitions_share_the_row_bound(rows: int, threads: int, expected: int) -> None:
    cfg = AuditConfig(partition_rows=4_000, threads=threads)
    per_partition = _rows_per_partition(cfg, rows)
    assert per_partition == expected
    if rows > cfg.partition_rows:  # partitions processed at once hold at most partition_rows events together
        assert per_partition * _workers(cfg) <= cfg.partition_rows


@pytest.mark.parametrize(("rows", "expected"), [(3_000_000, 4_000_000), (10_000_000, SORT_ROWS),
                                              (10**9, -(-(10**9) // SPILL_FILES))])  # fmt: skip
def test_spilled_partitions_stay_small_unless_there_would_be_too_many(rows: int, expected: int) -> None:
    per_partition = _rows_per_partition(AuditConfig(partition_rows=4_000_000, threads=2), rows)
    assert per_partition == expected
    assert per_partition <= 2_000_000 or rows <= 4_000_000  # the memory bound still holds


def test_text_ids_use_sql_or_fail_clearly(tmp_path: Path) -> None:
    plans = write_csv(tmp_path / "p.csv", ["plan_id", "quota_bytes"], [["P1", 100]])
    events = write_csv(tmp_path / "e.csv", ["subscriber_id", "ts", "bytes", "plan_id"],
                       [["U1", bj(2024, 1, 2), 90, "P1"]])  # fmt: skip
    reminders = write_csv(tmp_path / "r.csv", ["subscriber_id", "ts", "threshold"], [["U1", bj(2024, 1, 2), 0.8]])
    auto = run_audit(plans, events, reminders, tmp_path / "auto", AuditConfig())
    assert auto.summary["by_status"]["on_time"] == 1  # type: ignore[index]
    with pytest.raises(InputError, match="expected integer subscriber_id"):
        run_audit(plans, events, reminders, tmp_path / "np", AuditConfig(kernel="numpy"))


def test_sparse_ids_fall_back_to_sql_in_auto_mode(tmp_path: Path) -> None:
    ids = np.asarray([1, 2**61], dtype=np.int64)
    paths = _data(tmp_path / "in", ids, seed=3)
    auto = _run(paths, tmp_path / "auto")
    assert auto == _run(paths, tmp_path / "sql", kernel="sql")
    with pytest.raises(ValueError, match="too sparse"):
        _run(paths, tmp_path / "np", kernel="numpy")


@pytest.mark.parametrize("statistics", [True, False])
def test_bad_rows_still_rejected_with_and_without_parquet_statistics(tmp_path: Path, statistics: bool) -> None:
    plans = write_csv(tmp_path / "p.csv", ["plan_id", "quota_bytes"], [["P1", 1000]])
    ts = [bj(2024, 1, 2), bj(2024, 1, 3), bj(2024, 1, 4) // 1000, bj(2024, 1, 5)]  # the third is epoch seconds
    events = tmp_path / "e.parquet"
    pq.write_table(pa.table({"subscriber_id": [7, 7, 7, 8], "ts": ts, "bytes": [500, 400, 900, -1],
                             "plan_id": ["P1"] * 4}), events, write_statistics=statistics)  # fmt: skip
    reminders = tmp_path / "r.parquet"
    pq.write_table(pa.table({"subscriber_id": [7], "ts": [bj(2024, 1, 3, 0, 30)], "threshold": [0.8]}), reminders)
    results = {}
    for kernel in ("numpy", "sql"):
        config = AuditConfig(kernel="numpy") if kernel == "numpy" else AuditConfig(kernel="sql")
        report = run_audit(plans, events, reminders, tmp_path / kernel, config)
        assert report.summary["inputs"]["events"]["rejected"] == 2  # type: ignore[index]
        rejected = read_rows(report.rejected_paths["events"])
        assert [(r["row"], r["problems"]) for r in rejected] == [(3, "ts:out_of_range"), (4, "bytes:negative")]
        results[kernel] = sorted(read_rows(report.results_path), key=_order)
    assert results["numpy"] == results["sql"]
    assert [(r["status"], r["threshold"]) for r in results["numpy"]] == [("on_time", 0.8), ("missing", 1.0)][:1]


def test_csv_results_show_beijing_iso_text(tmp_path: Path) -> None:
    paths = _data(tmp_path / "in", np.arange(1, 20, dtype=np.int64), seed=9)
    report = run_audit(*paths, tmp_path / "out", AuditConfig(), results_format="csv")
    with report.results_path.open(encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["crossed_at_ms"])
    expected = np.datetime64(int(row["crossed_at_ms"]) + BEIJING_OFFSET_MS, "ms").astype(str) + "+08:00"
    assert row["crossed_at"] == expected
