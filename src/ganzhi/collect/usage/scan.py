"""Validated, keyed and split event batches for the numpy kernel: from Parquet through pyarrow, or from DuckDB.

Why pyarrow: the DuckDB scan that validated and keyed every event ran its Parquet decoding, casts and
expressions in DuckDB threads but handed each batch to one Python thread that split it by partition, so
about half the audit's CPU time ran on one core. Here a pool of `AuditConfig.threads` workers each takes
one Parquet row group at a time and does all of it: pyarrow decodes only the four needed columns (GIL
released), numpy checks the rows (the same rules as `ingest.prepare_events`), packs the key
(`kernel.KeyLayout`) and splits the batch by partition (a radix argsort on the 16-bit partition number).

The pyarrow path applies when every events file is Parquet with integer `subscriber_id`, `ts` and
`bytes` and text `plan_id` (`arrow_scan`); otherwise the DuckDB reader streams the keyed events and the
same workers split its batches. Plan ids are resolved by DuckDB itself (`PlanCodes`), so the text rules
(trimming, empty ids) are those of the SQL path, and rows the rules reject are counted, not kept: when
any are, the audit's rejected-row export scans `events_bad` as before.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from ganzhi.collect.usage import arrow_numpy as an
from ganzhi.collect.usage.config import AuditConfig
from ganzhi.collect.usage.kernel import OFFSET_BITS, KeyLayout
from ganzhi.collect.usage.sources import Source
from ganzhi.collect.usage.workspace import ThreadWorkspaces, Workspace

I64 = npt.NDArray[np.int64]
T = TypeVar("T")
R = TypeVar("R")

#: Up to this many cycles, an event's month is found by comparisons rather than a binary search.
CASE_MONTHS = 16
#: Plan indices looked up at once (`ArrowReader._plan_index`).
TAKE_ROWS = 1 << 16
#: Rows a worker reads at once from a row group larger than this (bounds a worker's memory).
READ_ROWS = 1 << 20
#: Integer Arrow types whose values DuckDB casts to BIGINT without error (uint64 may not fit).
_INTS = (pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint16(), pa.uint32())


@dataclass(frozen=True, slots=True)
class Batch:
    """Valid events of one input batch ordered by partition: partition p's rows are `[bounds[p], bounds[p+1])`
    of every column (`key`, `bytes`, `pidx`); `read` counts the rows read, valid or not."""

    columns: dict[str, np.ndarray[Any, Any]]
    bounds: I64
    read: int

    @property
    def rows(self) -> int:
        return int(self.bounds[-1])


class Arena:
    """One array per column for all the batches kept in memory: batch rows `[at, at + n)` go to `[at, at + n)`,
    where `at` counts the rows of the batches before it (read or not valid: a slot may stay unused).

    Why: the kept batches are most of the audit's memory. One array per column, sized by the Parquet footers,
    keeps them compact (a fresh array per batch and column, between the reads' transient buffers, left the
    10^8 benchmark's peak RSS about 300 MB higher).
    """

    def __init__(self, rows: int, columns: dict[str, Any]) -> None:
        self.rows = rows
        self.arrays = {name: np.empty(rows, dtype) for name, dtype in columns.items()}

    def view(self, at: int | None, n: int) -> dict[str, np.ndarray[Any, Any]] | None:
        """The slots of a batch of `n` rows at row `at`; None when there is no room (the batch gets its own)."""
        if at is None or at < 0 or at + n > self.rows:
            return None
        return {name: array[at : at + n] for name, array in self.arrays.items()}


def split(key: I64, nbytes: I64, pidx: np.ndarray[Any, Any], part: I64, parts: int, columns: dict[str, Any],
          read: int, work: Workspace, out: dict[str, np.ndarray[Any, Any]] | None = None) -> Batch:  # fmt: skip
    """Order one batch's rows by partition, into `out` (an `Arena` view of the batch's size) or new arrays.

    Why not `argsort(part, kind="stable")`: sorting `part << row_bits | row` as plain integers (numpy's AVX-512
    sort) took a third of the radix argsort's time on the benchmark VM, and the partition bounds are then a
    binary search in the sorted array rather than another pass (`bincount`).
    """
    n = len(key)
    arrays = {"key": key, "bytes": nbytes, "pidx": pidx}
    if out is None:
        out = {name: np.empty(n, dtype) for name, dtype in columns.items()}
    if parts == 1 or n == 0:  # a copy: the inputs may be a worker's reused buffers
        bounds = np.zeros(parts + 1, dtype=np.int64)
        bounds[1:] = n
        for name in columns:
            out[name][:n] = arrays[name]
        return Batch({name: out[name][:n] for name in columns}, bounds, read)
    row_bits = max(1, (n - 1).bit_length())
    wide = row_bits + (parts - 1).bit_length() > 32
    packed = np.left_shift(part, row_bits, out=work.array("packed", n, np.int64 if wide else np.uint32),
                           casting="unsafe")  # fmt: skip
    packed |= work.iota(n, packed.dtype)
    packed.sort()
    bounds = np.searchsorted(packed, np.arange(parts + 1, dtype=packed.dtype) << row_bits).astype(np.int64)
    packed &= (1 << row_bits) - 1
    order = work.array("order", n, np.intp)
    order[:] = packed
    for name, dtype in columns.items():
        np.take(np.asarray(arrays[name], dtype), order, out=out[name][:n])
    return Batch({name: out[name][:n] for name in columns}, bounds, read)


def ordered_map(pool: ThreadPoolExecutor, fn: Callable[[T], R], items: Iterable[T], ahead: int) -> Iterator[R]:
    """`map(fn, items)` on `pool`, results in input order, at most `ahead` items in flight (bounded memory)."""
    pending: deque[Future[R]] = deque()
    try:
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


class PlanCodes:
    """Plan index (`plans_ok_t.pidx`) of each distinct `plan_id` text, resolved by DuckDB with the SQL path's
    rule (`nullif(trim(plan_id), '')` joined to the valid plans) and cached; -1 for unknown or empty ids."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._known: dict[str | None, int] = {}
        self._lock = threading.Lock()

    def codes(self, dictionary: pa.Array[Any]) -> npt.NDArray[np.int32]:
        """The plan index of every entry of `dictionary` (strings)."""
        texts: list[str | None] = dictionary.to_pylist()
        with self._lock:
            if any(t not in self._known for t in texts):
                self._resolve(dictionary, texts)
            return np.fromiter((self._known[t] for t in texts), dtype=np.int32, count=len(texts))

    def _resolve(self, dictionary: pa.Array[Any], texts: list[str | None]) -> None:
        # Built from buffers: `pa.array`/`pa.table` on Python lists would import pandas (see `arrow_numpy`).
        index = an.array(np.arange(len(texts), dtype=np.int64), pa.int64())
        self._con.register("ganzhi_plan_texts", pa.Table.from_arrays([index, dictionary], names=["i", "v"]))
        try:
            rows = self._con.execute(
                "SELECT d.i, p.pidx FROM ganzhi_plan_texts d LEFT JOIN plans_ok_t p "
                "ON nullif(trim(d.v), '') = p.plan_id"
            ).fetchall()
        finally:
            self._con.unregister("ganzhi_plan_texts")
        for i, pidx in rows:
            self._known[texts[int(i)]] = -1 if pidx is None else int(pidx)


@dataclass(frozen=True, slots=True)
class ArrowScan:
    """The events' Parquet files, each with its actual names of the four columns, read by pyarrow."""

    files: tuple[tuple[Path, tuple[str, str, str, str]], ...]

    def tasks(self) -> list[tuple[int, int, int]]:
        """(file index, row group, rows before it) of every non-empty row group."""
        out: list[tuple[int, int, int]] = []
        at = 0
        for i, (path, _) in enumerate(self.files):
            meta = pq.ParquetFile(path).metadata
            for g in range(meta.num_row_groups):
                if meta.row_group(g).num_rows:
                    out.append((i, g, at))
                    at += meta.row_group(g).num_rows
        return out


def _is_text(typ: pa.DataType) -> bool:
    if pa.types.is_dictionary(typ):
        return pa.types.is_string(typ.value_type) or pa.types.is_large_string(typ.value_type)
    return pa.types.is_string(typ) or pa.types.is_large_string(typ)


def arrow_scan(src: Source) -> ArrowScan | None:
    """The pyarrow path for `src` when every file has integer id, ts and bytes and text plan ids; else None."""
    if src.fmt != "parquet":
        return None
    files: list[tuple[Path, tuple[str, str, str, str]]] = []
    wanted = ("subscriber_id", "ts", "bytes", "plan_id")
    for path in src.files:
        schema = pq.read_schema(path)
        by_name: dict[str, pa.Field[Any]] = {}
        for f in schema:
            by_name.setdefault(f.name.strip().lower(), f)
        if not all(name in by_name for name in wanted):
            return None  # a file without a column: DuckDB's union by name fills NULLs
        fields = [by_name[name] for name in wanted]
        if not all(f.type in _INTS for f in fields[:3]) or not _is_text(fields[3].type):
            return None
        files.append((path, (fields[0].name, fields[1].name, fields[2].name, fields[3].name)))
    return ArrowScan(tuple(files))


class ArrowReader:
    """Reads, checks, keys and splits the events of one row group (`read`); safe to call from several threads."""

    def __init__(self, scan: ArrowScan, layout: KeyLayout, cfg: AuditConfig, plans: PlanCodes,
                 columns: dict[str, Any], arena: Arena | None = None) -> None:  # fmt: skip
        self.scan = scan
        self.arena = arena
        self.layout = layout
        self.cfg = cfg
        self.plans = plans
        self.columns = columns
        self._handles = threading.local()
        self._workspaces = ThreadWorkspaces()

    def _file(self, index: int) -> pq.ParquetFile:
        """This thread's handle on file `index` (a handle is not shared between threads)."""
        handles: dict[int, pq.ParquetFile] | None = getattr(self._handles, "files", None)
        if handles is None:
            handles = self._handles.files = {}
        handle = handles.get(index)
        if handle is None:
            path, names = self.scan.files[index]
            # Not memory-mapped: mapped file pages count as the process's resident memory (its whole size, read once).
            handle = handles[index] = pq.ParquetFile(path, read_dictionary=[names[3]], memory_map=False)
        return handle

    def read(self, task: tuple[int, int, int]) -> list[Batch]:
        """The split batches of row group `task` = (file index, row group, rows before it)."""
        index, group, at = task
        handle = self._file(index)
        names = list(self.scan.files[index][1])
        meta = handle.metadata.row_group(group)
        proven = self._in_range(meta, names)
        if meta.num_rows <= READ_ROWS:
            tables = [handle.read_row_group(group, columns=names, use_threads=False)]
        else:
            tables = [pa.Table.from_batches([b]) for b in
                      handle.iter_batches(READ_ROWS, row_groups=[group], columns=names, use_threads=False)]  # fmt: skip
        batches = []
        for table in tables:
            batches.append(self._batch(table.rename_columns(["sub", "ts", "bytes", "plan"]), proven, at))
            at += table.num_rows
        return batches

    def _in_range(self, meta: pq.RowGroupMetaData, names: list[str]) -> bool:
        """True when the row group's statistics prove that no id, ts or bytes is null or out of range (then only
        the plan ids need checking)."""
        lowest, highest = -(1 << 63), (1 << 63) - 1
        bounds = ((lowest, highest), (self.cfg.min_ts_ms, self.cfg.max_ts_ms), (0, self.cfg.max_event_bytes))
        paths = {meta.column(i).path_in_schema: i for i in range(meta.num_columns)}
        for name, (lo, hi) in zip(names[:3], bounds, strict=True):
            column = paths.get(name)
            stats: Any = meta.column(column).statistics if column is not None else None  # stubs lack has_null_count
            if stats is None or not stats.has_min_max or not stats.has_null_count or stats.null_count:
                return False
            if stats.min is None or stats.max is None or stats.min < lo or stats.max > hi:
                return False
        return True

    def _plan_index(self, column: pa.ChunkedArray[Any], dtype: npt.DTypeLike) -> tuple[np.ndarray[Any, Any], bool]:
        """Per row, the plan index of its `plan_id` as `dtype` (-1: unknown, empty or null), in this thread's
        buffer `pidx`; and whether every row's plan is known."""
        pidx = self._workspaces.workspace.array("pidx", len(column), dtype)
        known = True
        at = 0
        for chunk in column.chunks:
            encoded: Any = chunk if pa.types.is_dictionary(chunk.type) else chunk.dictionary_encode()
            codes = self.plans.codes(encoded.dictionary).astype(dtype)
            index = an.values(encoded.indices, np.int32 if encoded.indices.type.bit_width <= 32 else np.int64)
            out = pidx[at : at + len(index)]
            if len(codes) == 0:
                out.fill(-1)
            for lo in range(0, len(index) if len(codes) else 0, TAKE_ROWS):  # numpy copies the indices as intp:
                np.take(codes, index[lo : lo + TAKE_ROWS], out=out[lo : lo + TAKE_ROWS])  # a small copy, reused
            if encoded.null_count:
                out[~an.valid(encoded.indices)] = -1
            known = known and not encoded.null_count and bool(len(codes) == 0 or codes.min() >= 0)
            at += len(index)
        return pidx, known

    def _batch(self, table: pa.Table, proven: bool, at: int) -> Batch:
        """`proven`: the statistics showed ids, ts and bytes present and in range (`_in_range`); `at`: the
        batch's first row in the input (its place in the arena)."""
        cfg, layout, work = self.cfg, self.layout, self._workspaces.workspace
        n = table.num_rows
        sub = an.values(table["sub"], np.int64)
        ts = an.values(table["ts"], np.int64)
        nbytes = an.values(table["bytes"], np.int64)
        pidx, known = self._plan_index(table["plan"], self.columns["pidx"])
        if not (proven and known):
            ok = work.array("ok", n, np.bool_)
            np.greater_equal(pidx, 0, out=ok)
            if not proven:
                ok &= ts >= cfg.min_ts_ms
                ok &= ts <= cfg.max_ts_ms
                ok &= nbytes >= 0
                ok &= nbytes <= cfg.max_event_bytes
                for name in ("sub", "ts", "bytes"):
                    if table[name].null_count:
                        ok &= an.valid(table[name])
            if not ok.all():
                sub, ts, nbytes, pidx = sub[ok], ts[ok], nbytes[ok], pidx[ok]
        out = self.arena.view(at, len(sub)) if self.arena is not None else None
        return keyed(sub, ts, nbytes, pidx, layout, self.columns, n, work, out)


def keyed(sub: I64, ts: I64, nbytes: I64, pidx: np.ndarray[Any, Any], layout: KeyLayout, columns: dict[str, Any],
          read: int, work: Workspace, out: dict[str, np.ndarray[Any, Any]] | None = None) -> Batch:  # fmt: skip
    """Pack valid events into keys (`KeyLayout.key_sql`, in numpy) and split them by partition.

    The key `((sub_id << month_bits | rel) << 32) | (ts - starts[rel])` is computed as the sum
    `(sub_id << (month_bits + 32)) + ts + adjust[rel]` with `adjust[k] = (k << 32) - starts[k]` (the offset
    is below 2^32, so the sum has no carries): fewer passes over the batch. `sub` and `ts` must lie within
    the layout's ids and months (they do: the layout bounds all rows).
    """
    n = len(sub)
    starts = np.asarray(layout.month_starts, dtype=np.int64)
    adjust = (np.arange(len(starts), dtype=np.int64) << OFFSET_BITS) - starts
    key, part = work.array("key", n, np.int64), work.array("part", n, np.int64)
    _key_into(sub, ts, key, part, layout, starts, adjust, work)
    return split(key, nbytes, pidx, part, layout.partitions, columns, read, work, out)


def _key_into(sub: I64, ts: I64, key: I64, part: I64, layout: KeyLayout, starts: I64, adjust: I64,
              work: Workspace) -> None:  # fmt: skip
    """Fill `key` and `part` (see `keyed`)."""
    n = len(sub)
    if len(starts) <= CASE_MONTHS:  # comparisons with the few month starts (ascending: the last one true wins)
        np.copyto(key, adjust[0])
        above = work.array("above", n, np.bool_)
        for start, adj in zip(starts[1:].tolist(), adjust[1:].tolist(), strict=True):
            np.copyto(key, adj, where=np.greater_equal(ts, start, out=above))
    else:
        np.take(adjust, np.searchsorted(starts[1:], ts, side="right"), out=key)
    key += ts
    np.subtract(sub, layout.sub_lo, out=part)
    sub_id = np.floor_divide(part, layout.partitions, out=work.array("sub_id", n, np.int64))
    if layout.partitions > 1:  # part - sub_id * partitions: cheaper than `remainder` (libdivide serves `//`)
        part -= np.multiply(sub_id, layout.partitions, out=work.array("multiple", n, np.int64))
    sub_id <<= layout.month_bits + OFFSET_BITS
    key += sub_id


def duckdb_batch(batch: pa.RecordBatch, parts: int, columns: dict[str, Any], work: Workspace,
                 out: dict[str, np.ndarray[Any, Any]] | None = None) -> Batch:  # fmt: skip
    """Split one batch of the DuckDB reader (`key`, `bytes`, `pidx`, `part`: keyed and valid already)."""
    part = an.values(batch.column("part"), np.int64)
    return split(an.values(batch.column("key"), np.int64), an.values(batch.column("bytes"), np.int64),
                 an.values(batch.column("pidx"), columns["pidx"]), part, parts, columns, len(part), work,
                 out)  # fmt: skip
