"""Feed validated events from DuckDB to the numpy crossing kernel, one subscriber partition at a time.

The id and time ranges come from the Parquet footers (or, failing that, one scan: `plan_layout`).
One scan then validates the input (`events_ok`) and packs each event into one integer key
(`kernel.KeyLayout`), its bytes and plan, and a partition number. With one partition the batches stay
in memory; with more, each batch is split by partition and appended to raw column files under the
audit's temp directory, then the partitions are read back and handed to `kernel.crossings`, one per
DuckDB thread at a time (numpy sorts and gathers release the GIL); each is then sized to a share of
`AuditConfig.partition_rows`, so memory stays bounded by `partition_rows` events (about 100 bytes each)
in flight, not by the input.
The per-(subscriber, cycle) rows come back as the Arrow table `cycles`, the same table the SQL path builds.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ganzhi.telecom.usage import arrow_numpy as an
from ganzhi.telecom.usage.config import BEIJING_OFFSET_MS, AuditConfig
from ganzhi.telecom.usage.ingest import is_integer_type
from ganzhi.telecom.usage.kernel import KeyLayout, crossings, cycles_schema
from ganzhi.telecom.usage.months import MONTH_SQL, month_of
from ganzhi.telecom.usage.sources import Source
from ganzhi.telecom.usage.workspace import ThreadWorkspaces, Workspace

BATCH_ROWS = 1 << 20
#: Spill column → numpy dtype.
COLUMNS: dict[str, Any] = {"key": np.int64, "bytes": np.int64, "pidx": np.int32}
#: Up to this many cycles, the month is found by comparisons rather than calendar arithmetic.
CASE_MONTHS = 16


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
    """`partition_rows` when all events fit one partition; else a share of it per worker, so the partitions
    in flight together still hold at most `partition_rows` events."""
    if rows <= cfg.partition_rows:
        return cfg.partition_rows
    return max(1, cfg.partition_rows // _workers(cfg))


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


def _stream(con: duckdb.DuckDBPyConnection, layout: KeyLayout) -> pa.RecordBatchReader:
    reader: pa.RecordBatchReader = con.sql(f"""
        SELECT {layout.key_sql("sub", "m", "ts_ms")} AS key, bytes, CAST(pidx AS INTEGER) AS pidx,
               {layout.partition_sql("sub")} AS part
        FROM (SELECT sub, ts_ms, bytes, pidx, {_month_sql(layout)} AS m FROM events_ok)
    """).to_arrow_reader(BATCH_ROWS)
    return reader


def _column(batch: pa.RecordBatch, name: str) -> np.ndarray[Any, Any]:
    return an.values(batch.column(name), COLUMNS[name])


def _in_memory(reader: pa.RecordBatchReader) -> dict[str, np.ndarray[Any, Any]]:
    chunks: dict[str, list[np.ndarray[Any, Any]]] = {name: [] for name in COLUMNS}
    for batch in reader:
        for name in COLUMNS:
            chunks[name].append(_column(batch, name))
    return {name: np.concatenate(parts) if parts else np.zeros(0, COLUMNS[name]) for name, parts in chunks.items()}


def _spilled(reader: pa.RecordBatchReader, parts: int, spill_dir: Path) -> list[int]:
    """Append each batch's rows to `spill_dir/<part>.<column>`; return the non-empty partitions."""
    handles: dict[tuple[int, str], BinaryIO] = {}
    spill_dir.mkdir(parents=True, exist_ok=True)
    work = Workspace()
    try:
        for batch in reader:
            part = an.values(batch.column("part"), np.uint16)
            n = len(part)
            order = np.argsort(part, kind="stable")  # 16-bit keys: a radix sort
            ordered = np.take(part, order, out=work.array("part", n, np.uint16), mode="clip")
            bounds = np.searchsorted(ordered, np.arange(parts + 1))
            present = np.flatnonzero(bounds[1:] > bounds[:-1]).tolist()
            for name, dtype in COLUMNS.items():
                values = np.take(_column(batch, name), order, out=work.array(name, n, dtype), mode="clip")
                for p in present:
                    handle = handles.get((p, name))
                    if handle is None:
                        handle = handles[(p, name)] = (spill_dir / f"{p}.{name}").open("wb")
                    values[bounds[p] : bounds[p + 1]].tofile(handle)
    finally:
        for handle in handles.values():
            handle.close()
    return sorted({p for p, _ in handles})


def _load(spill_dir: Path, part: int, work: Workspace) -> dict[str, np.ndarray[Any, Any]]:
    """Read partition `part` back into `work`'s buffers (and delete its files)."""
    arrays = {}
    for name, dtype in COLUMNS.items():
        path = spill_dir / f"{part}.{name}"
        n = path.stat().st_size // np.dtype(dtype).itemsize
        arrays[name] = work.array(f"in_{name}", n, dtype)
        with path.open("rb") as handle:
            handle.readinto(arrays[name].data.cast("B"))
        path.unlink()
    return arrays


@contextmanager
def small_pages() -> Iterator[None]:
    """Let numpy back large arrays with ordinary pages while the kernel runs.

    numpy asks for transparent huge pages on large arrays; where THP faults stall on compaction (as on
    the 2-core VM the benchmark runs on: 320 MB took 1.4 s to touch with huge pages, 0.2 s without)
    that dominates the kernel. `NUMPY_MADVISE_HUGEPAGE=0` does the same for a whole process.
    """
    setter = getattr(getattr(np, "_core", None), "multiarray", None)
    setter = getattr(setter, "_set_madvise_hugepage", None)
    if setter is None:
        yield
        return
    previous = setter(False)
    try:
        yield
    finally:
        setter(previous)


def build_cycles_partitioned(
    con: duckdb.DuckDBPyConnection, cfg: AuditConfig, src: Source, temp_dir: Path
) -> tuple[pa.Table, int]:
    """The `cycles` table (as `audit.build_cycles` builds it) through the numpy kernel, and the number of
    valid events it read.

    ValueError when the ids or months cannot be packed into a key; the caller then uses the SQL path.
    """
    with small_pages():
        return _build(con, cfg, src, temp_dir)


def _build(con: duckdb.DuckDBPyConnection, cfg: AuditConfig, src: Source, temp_dir: Path) -> tuple[pa.Table, int]:
    layout = plan_layout(con, cfg, src)
    quotas = _quotas(con)
    tables: list[pa.Table] = []
    valid = 0
    if layout is not None and layout.partitions == 1:
        a = _in_memory(_stream(con, layout))
        valid = len(a["key"])
        if valid:
            tables.append(crossings(a["key"], a["bytes"], a["pidx"], 0, layout, quotas, cfg.thresholds).to_arrow())
    elif layout is not None:
        spill_dir = temp_dir / "partitions"
        parts = _spilled(_stream(con, layout), layout.partitions, spill_dir)

        workspaces = ThreadWorkspaces()

        def one(part: int) -> tuple[int, pa.Table]:
            work = workspaces.workspace
            a = _load(spill_dir, part, work)
            cycles = crossings(a["key"], a["bytes"], a["pidx"], part, layout, quotas, cfg.thresholds, work)
            return len(a["key"]), cycles.to_arrow()

        # numpy releases the GIL in sorts and gathers: `workers` partitions at a time, each sized so that
        # together they stay within `partition_rows` (see `plan_layout`).
        with ThreadPoolExecutor(max_workers=_workers(cfg)) as pool:
            for n, table in pool.map(one, parts):
                valid += n
                tables.append(table)
    if not tables:
        return cycles_schema(len(cfg.thresholds)).empty_table(), valid
    return pa.concat_tables(tables), valid
