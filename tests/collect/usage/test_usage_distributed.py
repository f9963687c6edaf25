"""The audit's subscriber-hash partitions on Dask: same results as one run, resumable, nothing twice."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
from usage_fixtures import query

from ganzhi.collect.usage import AuditConfig, GeneratorSpec, generate, run_audit
from ganzhi.collect.usage.distributed import (
    audit_partition,
    audit_partitions,
    merge_summaries,
    part_name,
    partition_dataset,
    partition_groups,
    read_manifest,
)
from ganzhi.errors import InputError

PARTS = 6
KEY = "subscriber_id, cycle, threshold, status, reminded_at_ms, reminder_row"


def _dataset(tmp_path: Path, events: int = 60_000) -> tuple[Path, str]:
    data = tmp_path / "data"
    generate(GeneratorSpec(subscribers=events // 50, events=events, seed=3), data)
    dest = str(tmp_path / "ds")
    partition_dataset(data / "plans.parquet", data / "events.parquet", data / "reminders.parquet", dest, PARTS)
    return data, dest


def _rows(pattern: str) -> list[tuple[object, ...]]:
    return query(f"SELECT {KEY} FROM read_parquet('{pattern}') ORDER BY ALL")


def _single(data: Path, out: Path) -> list[tuple[object, ...]]:
    run_audit(data / "plans.parquet", data / "events.parquet", data / "reminders.parquet", out, AuditConfig())
    return _rows(str(out / "results.parquet"))


def test_partitions_cover_every_row_once(tmp_path: Path) -> None:
    data, dest = _dataset(tmp_path)
    manifest = read_manifest(dest)
    assert manifest["partitions"] == PARTS
    total = query(f"SELECT count(*) FROM read_parquet('{dest}/events/*.parquet')")[0][0]
    assert total == query(f"SELECT count(*) FROM read_parquet('{data}/events.parquet')")[0][0]
    overlap = query(f"""SELECT count(*) FROM (SELECT subscriber_id FROM read_parquet('{dest}/events/*.parquet',
        filename=true) GROUP BY subscriber_id HAVING count(DISTINCT filename) > 1)""")
    assert overlap[0][0] == 0  # a subscriber lives in exactly one partition


def test_partitioned_results_equal_one_run_and_resume_skips_done(tmp_path: Path) -> None:
    data, dest = _dataset(tmp_path)
    out = str(tmp_path / "out")
    cfg = AuditConfig(threads=1)
    parts = [audit_partition(dest, k, out, cfg) for k in range(PARTS)]
    assert _rows(f"{out}/results/*.parquet") == _single(data, tmp_path / "single")
    merged = merge_summaries(parts, out, cfg)
    single = json.loads((tmp_path / "single" / "summary.json").read_text(encoding="utf-8"))
    assert merged["by_status"] == single["by_status"]
    assert merged["by_plan"] == single["by_plan"]
    assert merged["totals"] == single["totals"]
    # A second pass returns the commit markers without auditing again.
    before = sorted(p.name for p in (tmp_path / "out" / "runs").iterdir())
    again = [audit_partition(dest, k, out, cfg) for k in range(PARTS)]
    assert again == json.loads(json.dumps(parts))
    assert sorted(p.name for p in (tmp_path / "out" / "runs").iterdir()) == before


def test_grouped_tasks_name_the_original_reminder_files(tmp_path: Path) -> None:
    """Partitions audited in groups (one task each) keep the exported file and row of every reminder."""
    data, dest = _dataset(tmp_path)
    out = str(tmp_path / "out")
    groups = partition_groups(PARTS, 4)
    assert sorted(p for g in groups for p in g) == list(range(PARTS)) and len(groups) == 4
    parts = [s for group in groups for s in audit_partitions(dest, group, out, AuditConfig(threads=1))]
    assert sorted(int(str(p["partition"])) for p in parts) == list(range(PARTS))
    _single(data, tmp_path / "single")
    origin = ("SELECT subscriber_id, cycle, threshold, status, reminder_file, reminder_row "
              "FROM read_parquet('{}') ORDER BY ALL")  # fmt: skip
    partitioned = query(origin.format(f"{out}/results/*.parquet"))
    single = query(origin.format(tmp_path / "single" / "results.parquet"))
    assert partitioned == single
    assert {r[4] for r in single if r[4] is not None} == {str(data / "reminders.parquet")}


def test_half_written_partition_is_redone(tmp_path: Path) -> None:
    """A worker killed after writing results but before the marker: the re-run overwrites, one file stays."""
    data, dest = _dataset(tmp_path)
    out = tmp_path / "out"
    cfg = AuditConfig(threads=1)
    (out / "results").mkdir(parents=True)
    (out / "results" / f"{part_name(2)}.parquet").write_bytes(b"half a file")
    for k in range(PARTS):
        audit_partition(dest, k, str(out), cfg)
    assert sorted(p.name for p in (out / "results").iterdir()) == [f"{part_name(k)}.parquet" for k in range(PARTS)]
    assert _rows(f"{out}/results/*.parquet") == _single(data, tmp_path / "single")


def test_not_a_dataset_names_the_manifest(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"dataset\.json not found"):
        read_manifest(str(tmp_path))


def test_killed_worker_gives_identical_results_and_nothing_twice(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    data, dest = _dataset(tmp_path, events=300_000)
    out = tmp_path / "out"
    cfg = AuditConfig(threads=1)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        futures = client.map(audit_partition, [dest] * PARTS, range(PARTS), out=str(out), cfg=cfg, pure=False)
        victim = None
        deadline = time.monotonic() + 120
        while victim is None and time.monotonic() < deadline:
            busy = [w for w, tasks in client.processing().items() if tasks]
            done = list((out / "done").glob("*.json")) if (out / "done").exists() else []
            if busy and done:  # one partition committed, another one running: kill the worker running it
                victim = busy[0]
            time.sleep(0.02)
        assert victim is not None, "no partition was running after the first commit"
        pid = client.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGKILL)
        parts = client.gather(futures)
    assert sorted(int(p["partition"]) for p in parts) == list(range(PARTS))
    assert _rows(f"{out}/results/*.parquet") == _single(data, tmp_path / "single")
    runs = sorted(p.name.rsplit("-", 1)[0] for p in (out / "runs").iterdir())
    assert runs == [part_name(k) for k in range(PARTS)]  # each partition completed exactly once
    assert sorted(p.name for p in (out / "results").iterdir() if p.suffix == ".parquet") == [
        f"{part_name(k)}.parquet" for k in range(PARTS)
    ]


def test_fsspec_url_dataset_and_output(tmp_path: Path) -> None:
    """An object-store URL (fsspec's in-memory filesystem standing in for s3://) for input and output."""
    fsspec = pytest.importorskip("fsspec")
    data = tmp_path / "data"
    generate(GeneratorSpec(subscribers=400, events=20_000, seed=5), data)
    bucket = f"memory://ganzhi-test-{tmp_path.name}"
    try:
        partition_dataset(data / "plans.parquet", data / "events.parquet", data / "reminders.parquet",
                          f"{bucket}/ds", 3)  # fmt: skip
        parts = [audit_partition(f"{bucket}/ds", k, f"{bucket}/out", AuditConfig(threads=1)) for k in range(3)]
        merged = merge_summaries(parts, f"{bucket}/out", AuditConfig())
        _single(data, tmp_path / "single")
        single = json.loads((tmp_path / "single" / "summary.json").read_text(encoding="utf-8"))
        assert merged["by_status"] == single["by_status"] and merged["by_province"] == single["by_province"]
    finally:
        fsspec.filesystem("memory").rm(bucket.removeprefix("memory://"), recursive=True)
