"""The generator's planted ground truth is recovered exactly by the audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from usage_fixtures import query

from ganzhi.collect.usage import AuditConfig, GeneratorSpec, generate, run_audit
from ganzhi.collect.usage.generate import cycle_bounds


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("usage-gen")
    spec = GeneratorSpec(subscribers=1_000, events=50_000, violation_rate=0.2, seed=11, duplicate_rate=0.01,
                         chunk_events=20_000)  # fmt: skip
    generate(spec, out)
    return out


def test_files_and_manifest(dataset: Path) -> None:
    events = pq.read_table(dataset / "events.parquet")
    assert events.num_rows >= 50_000
    assert (
        events.num_rows - 50_000
        == query(f"SELECT count(*) - count(DISTINCT (subscriber_id, ts, bytes)) FROM '{dataset / 'events.parquet'}'")[
            0
        ][0]
    )
    truth = query(f"SELECT status, count(*) FROM '{dataset / 'truth.parquet'}' GROUP BY 1")
    counts = dict(truth)
    assert set(counts) == {"on_time", "late", "missing", "spurious"}
    assert all(n > 20 for n in counts.values())


def test_ground_truth_recovered_exactly(dataset: Path, tmp_path: Path) -> None:
    report = run_audit(dataset / "plans.parquet", dataset / "events.parquet", dataset / "reminders.parquet",
                       tmp_path / "out", AuditConfig())  # fmt: skip
    diff = query(f"""
        WITH got AS (SELECT subscriber_id, cycle, threshold, status FROM '{report.results_path}'
                     WHERE status <> 'repeat'),
             want AS (SELECT * FROM '{dataset / "truth.parquet"}')
        SELECT 'unexpected', * FROM (SELECT * FROM got EXCEPT ALL SELECT * FROM want)
        UNION ALL SELECT 'not found', * FROM (SELECT * FROM want EXCEPT ALL SELECT * FROM got)
    """)
    assert diff == []
    summary: Any = report.summary
    assert summary["by_status"]["repeat"] == 0
    assert summary["data_quality"]["duplicate_events"] > 0


def test_same_seed_same_data(tmp_path: Path) -> None:
    spec = GeneratorSpec(subscribers=50, events=2_000, seed=5)
    generate(spec, tmp_path / "a")
    generate(spec, tmp_path / "b")
    for name in ("events.parquet", "reminders.parquet", "truth.parquet"):
        assert pq.read_table(tmp_path / "a" / name).equals(pq.read_table(tmp_path / "b" / name))


def test_cycle_bounds_are_beijing_midnights() -> None:
    bounds, labels = cycle_bounds("2023-12", 2)
    assert labels == ["2023-12", "2024-01"]
    assert list(bounds) == [1701360000000, 1704038400000, 1706716800000]  # 2023-11-30T16:00Z, …
    with pytest.raises(ValueError, match="start_month"):
        cycle_bounds("2024/01", 1)
