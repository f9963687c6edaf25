"""Feed validated events to the numpy crossing kernel, one subscriber partition at a time, on every core.

The id and time ranges come from the Parquet footers (or, failing that, one scan: `plan_layout`).
Then a pool of `AuditConfig.threads` workers runs the whole pipeline (`scan.py`): each worker reads one
Parquet row group with pyarrow (or takes one batch of DuckDB's scan when pyarrow cannot read the input
directly), checks its rows, packs each event into one integer key (`kernel.KeyLayout`) and splits the batch
by partition. The split batches stay in memory (one `scan.Arena` array per column) when all partitions fit
`MEMORY_SHARE` of `memory_limit` (18 bytes per event), else they go to one raw file per partition under the
audit's temp directory (`spill.py`). The same workers then hand each partition to `kernel.crossings` (numpy
sorts and gathers release the GIL); each partition is sized to a share of `AuditConfig.partition_rows`, so
the kernel's working memory stays bounded by `partition_rows` events (about 100 bytes each) in flight.
The per-(subscriber, cycle) rows come back as the Arrow table `cycles`, the same table the SQL path builds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ganzhi.collect.usage.config import BEIJING_OFFSET_MS, AuditConfig
from ganzhi.collect.usage.ingest import is_integer_type
from ganzhi.collect.usage.kernel import KeyLayout, crossings, cycles_schema
from ganzhi.collect.usage.months import MONTH_SQL, month_of
from ganzhi.collect.usage.scan import Arena, ArrowReader, Batch, PlanCodes, arrow_scan, duckdb_batch, ordered_map
from ganzhi.collect.usage.sources import Source
from ganzhi.collect.usage.spill import PartitionBatches, PartitionFiles, PartitionStore
from ganzhi.collect.usage.workspace import ThreadWorkspaces

BATCH_ROWS = 1 << 19
#: Spilled partitions aim at this many events: small sorts and gathers stay in cache and a worker's buffers
#: stay small (on the 10M sample, 256K-event partitions took 15 % less CPU than 2M-event ones) ...
SORT_ROWS = 1 << 18
#: ... unless that would make more than this many partitions (one open spill file each).
SPILL_FILES = 512
#: Spill column → numpy dtype (`pidx` narrows to int16 when the plans allow: `_columns`).
COLUMNS: dict[str, Any] = {"key": np.int64, "bytes": np.int64, "pidx": np.int32}
#: Share of `AuditConfig.memory_limit` the kernel's partitions may hold in memory before they spill to disk.
MEMORY_SHARE = 0.75
#: Up to this many cycles, the month is found by comparisons rather than calendar arithmetic.
CASE_MONTHS = 16
#: Read Parquet events with pyarrow when their types allow (`scan.arrow_scan`); False: always the DuckDB scan.
ARROW_SCAN = True


def _quotas(con: duckdb.DuckDBPyConnection) -> np.ndarray[Any, np.dtype[np.int64]]:
    rows = con.execute("SELECT pidx, quota_bytes FROM plans_ok_t").fetchall()
    quotas = np.zeros(max((int(p) for p, _ in rows), default=0) + 1, dtype=np.int64)
    for pidx, quota in rows:
        quotas[int(pidx)] = int(quota)
    return quotas


def _parquet_bounds(src: Source) -> tuple[int, int, int, int, int] | None:
    """(rows, min id, max id, min ts, max ts) from the Parquet footers, without a scan; None when an id or
    ts column is not an integer or a row group has no statistics. Bounds include rows validation rejects."""
    integers = is_integer_type(src.type_of("subscriber_id")) and is_integer_type(src.type_of("ts"))
    if src.fmt != "parquet" or not integers:
        return None
    rows = 0
    lows: dict[str, list[int]] = {"subscriber_id": [], "ts": []}
    highs: dict[str, list[int]] = {"subscriber_id": [], "ts": []}
    for file in src.files:
        meta = pq.ParquetFile(file).metadata
        names = {meta.schema.column(i).name.strip().lower(): i for i in range(meta.num_columns)}
        rows += meta.num_rows
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            if not group.num_rows:
                continue
            for column, low in lows.items():
                stats = group.column(names[column]).statistics
                if stats is None or not stats.has_min_max or stats.min is None or stats.max is None:
                    return None
                low.append(int(stats.min))
                highs[column].append(int(stats.max))
    if not lows["ts"]:
        return None
    return rows, min(lows["subscriber_id"]), max(highs["subscriber_id"]), min(lows["ts"]), max(highs["ts"])


def _month(ts_ms: int) -> int:
    return int(month_of([ts_ms])[0])


def _workers(cfg: AuditConfig) -> int:
    """Partitions processed at once: one per DuckDB thread."""
    return max(1, int(cfg.threads))


def _rows_per_partition(cfg: AuditConfig, rows: int) -> int:
    """`partition_rows` when all events fit one partition; else a share of it per worker (so the partitions
    in flight together still hold at most `partition_rows` events), and no more than `SORT_ROWS` unless
    there would be more than `SPILL_FILES` partitions."""
    if rows <= cfg.partition_rows:
        return cfg.partition_rows
    share = max(1, cfg.partition_rows // _workers(cfg))
    return min(share, max(SORT_ROWS, -(-rows // SPILL_FILES)))


def plan_layout(con: duckdb.DuckDBPyConnection, cfg: AuditConfig, src: Source) -> KeyLayout | None:
    """The key layout from Parquet statistics, or from one scan of the valid events; None when none are valid.

    Statistics bound the raw values, so the time range is clamped to what validation accepts.
    """
    bounds = _parquet_bounds(src)
    if bounds is not None:
        rows, sub_lo, sub_hi, ts_lo, ts_hi = bounds
        ts_lo, ts_hi = max(ts_lo, cfg.min_ts_ms), min(ts_hi, cfg.max_ts_ms)
        if ts_lo > ts_hi:
            return None
        return KeyLayout.plan(sub_lo, sub_hi, _month(ts_lo), _month(ts_hi), rows, _rows_per_partition(cfg, rows),
                              BEIJING_OFFSET_MS)  # fmt: skip
    ((rows, sub_lo, sub_hi, month_lo, month_hi),) = con.execute(f"""
        SELECT count(*), min(sub), max(sub), min(m), max(m)
        FROM (SELECT sub, {MONTH_SQL} AS m FROM events_ok)
    """).fetchall()
    if not rows:
        return None
    return KeyLayout.plan(int(sub_lo), int(sub_hi), int(month_lo), int(month_hi), int(rows),
                          _rows_per_partition(cfg, int(rows)),
                          BEIJING_OFFSET_MS)  # fmt: skip


def _month_sql(layout: KeyLayout) -> str:
    """The month number of `ts_ms`: comparisons with the few cycle starts, else calendar arithmetic."""
    starts = layout.month_starts[1:]
    if len(starts) > CASE_MONTHS:
        return MONTH_SQL
    whens = " ".join(f"WHEN ts_ms < {s} THEN {layout.month_lo + i}" for i, s in enumerate(starts))
    return f"CASE {whens} ELSE {layout.month_lo + len(starts)} END"


def _columns(quotas: np.ndarray[Any, Any]) -> dict[str, Any]:
    """The spill columns' dtypes: plan indices as int16 when every plan index fits it."""
    return {**COLUMNS, "pidx": np.int16 if len(quotas) <= np.iinfo(np.int16).max else np.int32}


def _stream(con: duckdb.DuckDBPyConnection, layout: KeyLayout, columns: dict[str, Any]) -> pa.RecordBatchReader:
    pidx_type = "SMALLINT" if columns["pidx"] == np.int16 else "INTEGER"
    reader: pa.RecordBatchReader = con.sql(f"""
        SELECT {layout.key_sql("sub", "m", "ts_ms")} AS key, bytes, CAST(pidx AS {pidx_type}) AS pidx,
               {layout.partition_sql("sub")} AS part
        FROM (SELECT sub, ts_ms, bytes, pidx, {_month_sql(layout)} AS m FROM events_ok)
    """).to_arrow_reader(BATCH_ROWS)
    return reader


@contextmanager
def small_pages() -> Iterator[None]:
    """Let numpy and Arrow back large arrays with ordinary pages while the audit runs.

    numpy asks for transparent huge pages on large arrays; where THP faults stall on compaction (as on
    the 2-core VM the benchmark runs on: 320 MB took 1.4 s to touch with huge pages, 0.2 s without)
    that dominates the kernel. `NUMPY_MADVISE_HUGEPAGE=0` does the same for a whole process. Arrow's
    default pool (mimalloc) has the same cost on fresh memory (320 MB: 1.5 s vs 0.2 s with the system
    allocator; concatenating the 10^8 benchmark's `cycles` took 2.6 s), so Arrow uses the system pool here.
    """
    setter = getattr(getattr(np, "_core", None), "multiarray", None)
    setter = getattr(setter, "_set_madvise_hugepage", None)
    previous = setter(False) if setter is not None else None
    pool = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(pool)
        if setter is not None:
            setter(previous)


@contextmanager
def reading_pool() -> Iterator[None]:
    """Arrow allocates the scan's decoded row groups from mimalloc, which reuses freed memory.

    Why: those buffers live for one row group each; the system allocator returned them to the kernel and
    faulted fresh pages for the next (on the 10^8 benchmark, 380,000 page faults, about a second of CPU),
    while mimalloc kept reusing the same few hundred MB. Outside the scan, the system pool stays
    (`small_pages`: mimalloc is slow on large fresh allocations there). Unchanged when pyarrow lacks mimalloc.
    """
    try:
        mimalloc = pa.mimalloc_memory_pool()
    except (NotImplementedError, AttributeError):
        yield
        return
    previous = pa.default_memory_pool()
    pa.set_memory_pool(mimalloc)
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


def _memory_bytes(limit: str) -> int | None:
    """Bytes of a DuckDB-style memory limit ('3GB', '512MiB', '2.5 GB'); None when it is not one."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?I?B)?\s*", limit.upper())
    if match is None:
        return None
    unit = match[2] or "B"
    power = "BKMGT".index(unit[0]) if unit != "B" else 0
    return int(float(match[1]) * (1024 if "I" in unit else 1000) ** power)


def _store(cfg: AuditConfig, layout: KeyLayout, columns: dict[str, Any], temp_dir: Path) -> PartitionStore:
    """In memory when the partitions fit `MEMORY_SHARE` of `memory_limit` (or there is one partition, which
    `partition_rows` bounds); else spill files under the audit's temp directory."""
    rows = layout.rows
    row_bytes = sum(np.dtype(d).itemsize for d in columns.values())
    budget = _memory_bytes(cfg.memory_limit)
    if layout.partitions == 1 or (budget is not None and rows * row_bytes <= budget * MEMORY_SHARE):
        return PartitionBatches(columns)
    return PartitionFiles(temp_dir / "partitions", columns)


def build_cycles_partitioned(
    con: duckdb.DuckDBPyConnection, cfg: AuditConfig, src: Source, temp_dir: Path
) -> tuple[pa.Table, int]:
    """The `cycles` table (as `audit.build_cycles` builds it) through the numpy kernel, and the number of
    valid events it read.

    ValueError when the ids or months cannot be packed into a key; the caller then uses the SQL path.
    """
    with small_pages(), ThreadPoolExecutor(max_workers=_workers(cfg)) as pool:
        return _build(con, cfg, src, temp_dir, pool)


def _batches(con: duckdb.DuckDBPyConnection, cfg: AuditConfig, src: Source, layout: KeyLayout,
             columns: dict[str, Any], pool: ThreadPoolExecutor, ahead: int,
             arena: Arena | None) -> Iterator[Batch]:  # fmt: skip
    """The split batches: row groups read by pyarrow in `pool` when `src` allows (`scan.arrow_scan`), else the
    DuckDB reader's batches split in `pool`; into `arena` when given."""
    scan = arrow_scan(src) if ARROW_SCAN else None
    if scan is not None:
        reader = ArrowReader(scan, layout, cfg, PlanCodes(con), columns, arena)
        for batches in ordered_map(pool, reader.read, scan.tasks(), ahead):
            yield from batches
        return
    workspaces = ThreadWorkspaces()

    def placed() -> Iterator[tuple[pa.RecordBatch, int]]:
        at = 0
        for batch in _stream(con, layout, columns):
            yield batch, at
            at += batch.num_rows

    def one(item: tuple[pa.RecordBatch, int]) -> Batch:
        batch, at = item
        out = arena.view(at, batch.num_rows) if arena is not None else None
        return duckdb_batch(batch, layout.partitions, columns, workspaces.workspace, out)

    yield from ordered_map(pool, one, placed(), ahead)


def _build(con: duckdb.DuckDBPyConnection, cfg: AuditConfig, src: Source, temp_dir: Path,
           pool: ThreadPoolExecutor) -> tuple[pa.Table, int]:  # fmt: skip
    layout = plan_layout(con, cfg, src)
    quotas = _quotas(con)
    columns = _columns(quotas)
    if layout is None:
        return cycles_schema(len(cfg.thresholds)).empty_table(), 0
    store = _store(cfg, layout, columns, temp_dir)
    arena = Arena(layout.rows, columns) if isinstance(store, PartitionBatches) else None
    valid = 0
    try:
        # Batches in flight: enough to keep every worker busy while the store takes one (files: in this thread).
        with reading_pool():
            for batch in _batches(con, cfg, src, layout, columns, pool, 2 * _workers(cfg), arena):
                valid += batch.rows
                store.add(batch)
    finally:
        store.close()
    workspaces = ThreadWorkspaces()

    def one(part: int) -> pa.Table:
        work = workspaces.workspace
        a = store.load(part, work)
        return crossings(a["key"], a["bytes"], a["pidx"], part, layout, quotas, cfg.thresholds, work).to_arrow()

    # numpy releases the GIL in sorts and gathers: `workers` partitions at a time, each sized so that
    # together they stay within `partition_rows` (see `plan_layout`).
    tables = list(pool.map(one, store.parts()))
    if not tables:
        return cycles_schema(len(cfg.thresholds)).empty_table(), valid
    return pa.concat_tables(tables), valid
