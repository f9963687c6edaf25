"""The usage-reminder audit beyond one machine: subscriber-hash partitions as tasks on Dask distributed.

Why partitions by subscriber: every verdict depends on one subscriber's events and reminders only, so a
partition (all rows whose `hash(subscriber_id) % N` is k) is audited by the ordinary `run_audit` with no
exchange between tasks, and the per-row results of all partitions together are the results of one run.

Layout of a partitioned data set (local path or any fsspec URL such as `s3://bucket/usage/2024-01`):

    dataset.json                      {"partitions": N, "rows": {...}}
    plans.parquet
    events/part-00007.parquet         one file per partition (empty files for empty partitions)
    reminders/part-00007.parquet

Layout of the output (same kinds of location):

    results/part-00007.parquet        per-row results of partition 7 (written whole, then renamed)
    rejected/part-00007-events.csv    its quarantined rows, if any
    done/part-00007.json              commit marker: the partition's summary, written last
    runs/part-00007-<uuid>.json       one record per completed execution (audit trail)
    summary.json                      merged summary of all partitions

Resumable: a task whose commit marker exists returns it without auditing again; a worker killed mid-task
leaves at most a result file without a marker, which the re-run task overwrites. So after any number of
killed workers there is exactly one result file per partition and no row twice. Dask re-runs the tasks of
a lost worker by itself; re-running the command after a crashed driver resumes at the missing markers.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ganzhi.collect.usage.config import AuditConfig, ReminderStatus
from ganzhi.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa
    from fsspec import AbstractFileSystem

#: `hash(...) % N` of the subscriber id as text, so integer and text ids of the same subscriber agree.
PART_SQL = "CAST(hash(trim(CAST(subscriber_id AS VARCHAR))) % {n} AS INTEGER)"
#: Upper bound on partitions (files per kind; tasks per run).
MAX_PARTITIONS = 65_536
MANIFEST = "dataset.json"
#: Columns a partition file adds: the row's original file and 1-based row.
ORIGIN = ("origin_file", "origin_row")
#: Dask tasks per worker thread: each task audits a group of partitions (`audit_partitions`); two per slot
#: let a fast worker take over part of a slow one's share.
TASKS_PER_SLOT = 2


def _fs(url: str, storage_options: Mapping[str, Any] | None = None) -> tuple[AbstractFileSystem, str]:
    import fsspec

    fs, root = fsspec.core.url_to_fs(url, **dict(storage_options or {}))
    return fs, root.rstrip("/")


def _is_local(fs: AbstractFileSystem) -> bool:
    protocol = fs.protocol
    return "file" in (protocol if isinstance(protocol, tuple | list) else (protocol,))


def part_name(part: int) -> str:
    return f"part-{part:05d}"


def partition_dataset(
    plans: Path, events: Path, reminders: Path, dest: str, partitions: int,
    storage_options: Mapping[str, Any] | None = None, cfg: AuditConfig | None = None,
) -> dict[str, object]:  # fmt: skip
    """Split `events` and `reminders` (Parquet files or directories of them; CSV exports are converted first by
    `exports.py`) into `partitions` subscriber-hash partitions under `dest`; copy `plans`. Rows are not validated
    here (each partition's audit quarantines its bad rows, named by their original file and row through the
    `ORIGIN` columns). Returns the manifest (also written as dataset.json)."""
    import duckdb

    from ganzhi.collect.usage.sources import list_files, sql_str

    if not 1 <= partitions <= MAX_PARTITIONS:
        raise ValueError(f"partitions: expected 1 … {MAX_PARTITIONS}, got {partitions}")
    cfg = cfg or AuditConfig()
    fs, root = _fs(dest, storage_options)
    rows: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="ganzhi-usage-part-", dir=cfg.temp_dir) as tmp:
        local = Path(root) if _is_local(fs) else Path(tmp) / "dataset"
        con = duckdb.connect(":memory:")
        con.execute(f"SET memory_limit = {sql_str(cfg.memory_limit)}")
        con.execute(f"SET threads = {int(cfg.threads)}")
        con.execute(f"SET temp_directory = {sql_str(str(Path(tmp) / 'spill'))}")
        con.execute("SET preserve_insertion_order = false")
        for kind, path in (("events", events), ("reminders", reminders)):
            files, fmt = list_files(path, kind)
            if fmt != "parquet":
                raise InputError(str(path), f"{kind}: expected Parquet to partition (convert CSV exports first with "
                                 "`ganzhi usage import-cdr` / `import-sms`)")  # fmt: skip
            names = "[" + ", ".join(sql_str(str(f)) for f in files) + "]"
            # Each row keeps its original file and row, so results and quarantined rows name them, not the partition.
            reader = (f"(SELECT * EXCLUDE (filename, file_row_number), filename AS {ORIGIN[0]}, "
                      f"file_row_number + 1 AS {ORIGIN[1]} FROM read_parquet({names}, union_by_name=true, "
                      "filename=true, file_row_number=true))")  # fmt: skip
            out = local / kind
            out.mkdir(parents=True, exist_ok=True)
            try:
                con.execute(f"""COPY (SELECT *, {PART_SQL.format(n=partitions)} AS part FROM {reader})
                    TO {sql_str(str(out / "hive"))} (FORMAT parquet, PARTITION_BY (part), OVERWRITE_OR_IGNORE)""")
                rows[kind] = int(con.execute(f"SELECT count(*) FROM {reader}").fetchall()[0][0])
                schema = f"SELECT * FROM {reader} LIMIT 0"
                for k in range(partitions):
                    written = sorted((out / "hive" / f"part={k}").glob("*.parquet"))
                    target = out / f"{part_name(k)}.parquet"
                    if not written:
                        con.execute(f"COPY ({schema}) TO {sql_str(str(target))} (FORMAT parquet)")
                    elif len(written) == 1:
                        written[0].replace(target)
                    else:
                        glob = sql_str(str(out / "hive" / f"part={k}" / "*.parquet"))
                        con.execute(f"COPY (SELECT * EXCLUDE (part) FROM read_parquet({glob}, hive_partitioning=false)"
                                    f") TO {sql_str(str(target))} (FORMAT parquet)")  # fmt: skip
            except duckdb.Error as exc:
                raise InputError(str(path), f"{kind}: cannot partition ({str(exc).splitlines()[0]})") from exc
            _remove_tree(out / "hive")
        con.close()
        plan_files, _ = list_files(plans, "plans")
        if len(plan_files) != 1 or not plan_files[0].name.lower().endswith((".parquet", ".pq")):
            raise InputError(str(plans), "plans: expected one Parquet file for a partitioned data set")
        (local / "plans.parquet").write_bytes(plan_files[0].read_bytes())
        manifest: dict[str, object] = {"partitions": partitions, "rows": rows, "hash": PART_SQL.format(n=partitions)}
        (local / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        if not _is_local(fs):
            fs.put(str(local) + "/", root, recursive=True)
    return manifest


def _remove_tree(path: Path) -> None:
    """Delete DuckDB's emptied hive directories (the files were moved or merged)."""
    if not path.exists():
        return
    for sub in sorted(path.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if sub.is_dir():
            sub.rmdir()
        else:
            sub.unlink()
    path.rmdir()


def read_manifest(dataset: str, storage_options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The data set's dataset.json; InputError when absent or malformed."""
    fs, root = _fs(dataset, storage_options)
    path = f"{root}/{MANIFEST}"
    try:
        raw = fs.cat_file(path)
    except FileNotFoundError:
        raise InputError(
            dataset, f"not a partitioned data set: {MANIFEST} not found (run `ganzhi usage partition`)"
        ) from None
    if len(raw) > 1_000_000:
        raise InputError(path, "manifest larger than 1 MB")
    try:
        manifest = json.loads(raw)
        n = int(manifest["partitions"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(path, f"malformed manifest ({exc})") from None
    if not 1 <= n <= MAX_PARTITIONS:
        raise InputError(path, f"partitions: expected 1 … {MAX_PARTITIONS}, got {n}")
    return dict(manifest)


def audit_partition(dataset: str, part: int, out: str, cfg: AuditConfig,
                    storage_options: Mapping[str, Any] | None = None) -> dict[str, object]:  # fmt: skip
    """Audit one partition (also callable directly) and commit it; its summary.

    Idempotent: returns the commit marker when the partition is already done.
    """
    import duckdb

    from ganzhi.collect.usage.audit import run_audit

    in_fs, in_root = _fs(dataset, storage_options)
    out_fs, out_root = _fs(out, storage_options)
    name = part_name(part)
    marker = f"{out_root}/done/{name}.json"
    if out_fs.exists(marker):
        done: dict[str, object] = json.loads(out_fs.cat_file(marker))
        return done
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"ganzhi-usage-{name}-", dir=cfg.temp_dir) as tmp:
        work = Path(tmp)
        inputs = {"plans": f"{in_root}/plans.parquet", "events": f"{in_root}/events/{name}.parquet",
                  "reminders": f"{in_root}/reminders/{name}.parquet"}  # fmt: skip
        local: dict[str, Path] = {}
        for kind, path in inputs.items():
            if not in_fs.exists(path):
                raise InputError(f"{dataset}: {path}", f"{kind} of partition {part} not found")
            if _is_local(in_fs):
                local[kind] = Path(path)
            else:
                local[kind] = work / "in" / f"{kind}.parquet"
                local[kind].parent.mkdir(parents=True, exist_ok=True)
                in_fs.get_file(path, str(local[kind]))
        report = run_audit(local["plans"], local["events"], local["reminders"], work / "out",
                           replace(cfg, temp_dir=str(work)),
                           results_hook=origin_mapper(local["reminders"]))  # fmt: skip
        try:
            _restore_origin(report.rejected_paths, local)
        except duckdb.Error as exc:
            raise InputError(f"{dataset}: partition {part}", f"cannot map rows to their origin ({exc})") from None
        out_fs.makedirs(f"{out_root}/results", exist_ok=True)
        _commit_file(out_fs, report.results_path, f"{out_root}/results/{name}.parquet")
        rejected: dict[str, str] = {}
        for kind, quarantined in report.rejected_paths.items():
            out_fs.makedirs(f"{out_root}/rejected", exist_ok=True)
            target = f"{out_root}/rejected/{name}-{kind}.csv"
            _commit_file(out_fs, quarantined, target)
            rejected[kind] = target
    summary = {**report.summary, "partition": part, "outputs": {"results": f"{out_root}/results/{name}.parquet",
               **{f"rejected_{k}": v for k, v in rejected.items()}}}  # fmt: skip
    body = json.dumps(summary, ensure_ascii=False).encode()
    run = {"partition": part, "host": os.uname().nodename, "pid": os.getpid(),
           "seconds": round(time.perf_counter() - started, 3)}  # fmt: skip
    out_fs.makedirs(f"{out_root}/runs", exist_ok=True)
    out_fs.pipe_file(f"{out_root}/runs/{name}-{uuid.uuid4().hex}.json", json.dumps(run).encode())
    out_fs.makedirs(f"{out_root}/done", exist_ok=True)
    _commit_bytes(out_fs, body, marker)
    return summary


def audit_partitions(dataset: str, parts: Sequence[int], out: str, cfg: AuditConfig,
                     storage_options: Mapping[str, Any] | None = None) -> list[dict[str, object]]:  # fmt: skip
    """Audit several partitions one after the other (a Dask task); their summaries.

    Why group them: a task has fixed costs (scheduling, a worker's first imports and allocations), and few
    larger tasks amortise them while each partition is still committed (and skipped on resume) by itself.
    """
    return [audit_partition(dataset, part, out, cfg, storage_options) for part in parts]


def origin_mapper(reminders: Path) -> Callable[[pa.Table], pa.Table] | None:
    """A `run_audit` results hook that puts the original (file, row) of each reminder into `reminder_file` /
    `reminder_row`, from the partition file's `ORIGIN` columns; None when the file has none (partitioned by
    other tools: the partition file is the origin).

    Why in pyarrow: rewriting each partition's result file with a DuckDB join cost a read and a second write
    of every result row; this is one gather per column before the only write.
    """
    import pyarrow.parquet as pq

    if not set(ORIGIN) <= set(pq.read_schema(reminders).names):
        return None

    def remap(results: pa.Table) -> pa.Table:
        import numpy as np
        import pyarrow as arrow

        from ganzhi.collect.usage import arrow_numpy as an

        origin = pq.read_table(reminders, columns=list(ORIGIN))
        if len(origin) == 0:  # no reminders: no result row names one
            return results
        files = an.flat(origin[ORIGIN[0]]).cast(arrow.string()).dictionary_encode()
        part_row = results["reminder_row"]
        missing = ~an.valid(part_row)
        at = np.where(missing, 0, an.values(part_row, np.int64) - 1)  # its 1-based row in the partition file
        file_missing = missing | ~an.valid(files.indices)[at]
        row_missing = missing | ~an.valid(origin[ORIGIN[1]])[at]
        mapped_file = arrow.DictionaryArray.from_arrays(
            an.array(an.values(files.indices, np.int64)[at], arrow.int32(), file_missing), files.dictionary
        )
        mapped_row = an.array(an.values(origin[ORIGIN[1]], np.int64)[at], arrow.int64(), row_missing)
        names = results.column_names
        results = results.set_column(names.index("reminder_file"), results.schema.field("reminder_file"), mapped_file)
        return results.set_column(names.index("reminder_row"), results.schema.field("reminder_row"), mapped_row)

    return remap


def _restore_origin(rejected: Mapping[str, Path], inputs: Mapping[str, Path]) -> None:
    """Replace partition-file rows by the original (file, row) in the quarantined rows (rare: a DuckDB join over
    the small CSV), so every finding still names the file and row the operator exported."""
    import duckdb
    import pyarrow.parquet as pq

    from ganzhi.collect.usage.sources import sql_str

    if not rejected:
        return
    con = duckdb.connect(":memory:")
    try:
        for kind, path in rejected.items():
            if kind not in inputs or not set(ORIGIN) <= set(pq.read_schema(inputs[kind]).names):
                continue  # partitioned by other tools: the partition file is the origin
            origin = (f"(SELECT {ORIGIN[0]}, {ORIGIN[1]}, file_row_number + 1 AS part_row FROM "
                      f"read_parquet({sql_str(str(inputs[kind]))}, file_row_number=true))")  # fmt: skip
            source = f"read_csv({sql_str(str(path))}, header=true, all_varchar=true)"
            select = (f"SELECT coalesce(o.{ORIGIN[0]}, r.file) AS file, coalesce(CAST(o.{ORIGIN[1]} AS VARCHAR), "
                      f"r.row) AS row, r.* EXCLUDE (file, row) FROM {source} r LEFT JOIN {origin} o "
                      "ON try_cast(r.row AS BIGINT) = o.part_row ORDER BY 1, try_cast(row AS BIGINT)")  # fmt: skip
            staged = path.with_name(f"origin-{path.name}")
            con.execute(f"COPY ({select}) TO {sql_str(str(staged))} (HEADER, DELIMITER ',')")
            staged.replace(path)
    finally:
        con.close()


def _commit_file(fs: AbstractFileSystem, local: Path, target: str) -> None:
    """Upload `local` to `target` under a temporary name, then rename: readers never see half a file."""
    partial = f"{target}.partial-{uuid.uuid4().hex}"
    fs.put_file(str(local), partial)
    fs.mv(partial, target)


def _commit_bytes(fs: AbstractFileSystem, data: bytes, target: str) -> None:
    partial = f"{target}.partial-{uuid.uuid4().hex}"
    fs.pipe_file(partial, data)
    fs.mv(partial, target)


def _add(into: dict[str, Any], item: Mapping[str, Any]) -> None:
    """Sum the integers of `item` into `into`, recursively."""
    for key, value in item.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            into[key] = int(into.get(key, 0)) + value
        elif isinstance(value, Mapping):
            _add(into.setdefault(key, {}), value)


def merge_summaries(parts: list[dict[str, Any]], out: str, cfg: AuditConfig,
                    storage_options: Mapping[str, Any] | None = None) -> dict[str, object]:  # fmt: skip
    """One summary for all partitions: counts summed; per-plan and per-province statistics (latency quantiles
    included) recomputed by DuckDB over all partitions' result files."""
    import duckdb

    from ganzhi.collect.usage.config import REQUIREMENT_ID, STATUS_LABELS
    from ganzhi.collect.usage.sources import sql_str
    from ganzhi.collect.usage.summary import GROUP_COLUMNS, TITLE, _group_stats

    fs, root = _fs(out, storage_options)
    totals: dict[str, Any] = {}
    quality: dict[str, Any] = {}
    by_status: dict[str, Any] = {}
    inputs: dict[str, Any] = {}
    cycles: set[str] = set()
    for part in parts:
        _add(totals, part.get("totals", {}))
        _add(quality, part.get("data_quality", {}))
        _add(by_status, part.get("by_status", {}))
        for kind, info in part.get("inputs", {}).items():
            _add(inputs.setdefault(kind, {}), {k: v for k, v in info.items() if k in ("rows", "rejected", "files")})
            _add(inputs[kind].setdefault("rejected_by_problem", {}), info.get("rejected_by_problem", {}))
        cycles.update(str(c) for c in part.get("cycles", []))
    totals.pop("subscribers", None)  # partitions are disjoint by subscriber, so the sum is right ...
    totals["subscribers"] = sum(int(p.get("totals", {}).get("subscribers", 0)) for p in parts)  # ... said explicitly
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"SET memory_limit = {sql_str(cfg.memory_limit)}")
        con.execute(f"SET threads = {int(cfg.threads)}")
        if not _is_local(fs):
            con.register_filesystem(fs)
        protocol = fs.protocol[0] if isinstance(fs.protocol, tuple | list) else fs.protocol
        prefix = root if _is_local(fs) else f"{protocol}://{root}"
        files = [f"{prefix}/results/{part_name(int(p['partition']))}.parquet" for p in parts]
        listing = "[" + ", ".join(sql_str(f) for f in files) + "]"
        empty = "CREATE TABLE results (plan_id VARCHAR, province VARCHAR, status VARCHAR, latency_s DOUBLE)"
        con.execute(f"CREATE VIEW results AS SELECT * FROM read_parquet({listing})" if files else empty)
        by_plan = _group_stats(con, GROUP_COLUMNS["by_plan"])
        by_province = _group_stats(con, GROUP_COLUMNS["by_province"])
    finally:
        con.close()
    return {
        "requirement": REQUIREMENT_ID, "title": TITLE, "params": cfg.describe(), "inputs": inputs,
        "data_quality": quality, "totals": totals, "cycles": sorted(cycles),
        "by_status": {str(s): int(by_status.get(str(s), 0)) for s in ReminderStatus},
        "status_labels": {str(s): dict(label) for s, label in STATUS_LABELS.items()},
        "by_plan": by_plan, "by_province": by_province, "partitions": len(parts),
    }  # fmt: skip


def partition_groups(total: int, tasks: int) -> list[list[int]]:
    """Partitions 0 … total-1 dealt into at most `tasks` groups of near-equal size (k, k + tasks, …): one Dask task
    each. Dealt rather than cut in runs, so a group's partitions are spread over the hash range."""
    count = max(1, min(total, tasks))
    return [list(range(k, total, count)) for k in range(count)]


@dataclass(frozen=True, slots=True)
class ClusterSpec:
    """Where tasks run: an existing scheduler (`tcp://host:8786`), or a LocalCluster of `workers` processes.

    `worker_memory`: the LocalCluster's per-worker memory limit (Dask's nanny restarts a worker above it).
    """

    scheduler: str | None = None
    workers: int = 2
    threads_per_worker: int = 1
    worker_memory: str = "4GB"


def run_distributed(
    dataset: str, out: str, cfg: AuditConfig, cluster: ClusterSpec,
    storage_options: Mapping[str, Any] | None = None,
    on_done: Callable[[int, int], None] | None = None,
) -> dict[str, object]:  # fmt: skip
    """Audit every partition of `dataset` on Dask and write the merged `summary.json` under `out`.

    Partitions already committed under `out` are not audited again. `on_done(done, total)` reports progress.
    ImportError when Dask distributed is not installed (the `dask` extra).
    """
    import distributed

    client_type: Any = distributed.Client
    cluster_type: Any = distributed.LocalCluster
    as_completed: Any = distributed.as_completed
    manifest = read_manifest(dataset, storage_options)
    total = int(manifest["partitions"])
    task_cfg = replace(cfg, threads=cluster.threads_per_worker)
    started = time.perf_counter()
    local = None
    if cluster.scheduler is None:
        local = cluster_type(n_workers=cluster.workers, threads_per_worker=cluster.threads_per_worker,
                             processes=True, memory_limit=cluster.worker_memory, dashboard_address=None)  # fmt: skip
    try:
        with client_type(cluster.scheduler or local) as client:
            groups = partition_groups(total, cluster.workers * cluster.threads_per_worker * TASKS_PER_SLOT)
            futures = client.map(audit_partitions, [dataset] * len(groups), groups, out=out, cfg=task_cfg,
                                 storage_options=storage_options, pure=False)  # fmt: skip
            parts: list[dict[str, Any]] = []
            for future in as_completed(futures):
                parts.extend(future.result())
                if on_done is not None:
                    on_done(len(parts), total)
    finally:
        if local is not None:
            local.close()
    parts.sort(key=lambda p: int(p["partition"]))
    summary = merge_summaries(parts, out, cfg, storage_options)
    summary["elapsed_s"] = round(time.perf_counter() - started, 3)
    summary["cluster"] = {"scheduler": cluster.scheduler or "LocalCluster", "workers": cluster.workers,
                          "threads_per_worker": cluster.threads_per_worker}  # fmt: skip
    fs, root = _fs(out, storage_options)
    fs.pipe_file(f"{root}/summary.json", json.dumps(summary, ensure_ascii=False, indent=2).encode())
    return summary
