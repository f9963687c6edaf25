"""Threshold crossings per (subscriber, cycle) with vectorised numpy over one packed key per event.

Why not a SQL window: `sum() OVER (PARTITION BY sub, cycle ORDER BY ts)` makes DuckDB materialise and
sort every event with its whole payload; on 2 cores that is most of the audit's time. Instead DuckDB
packs each event into one 63-bit integer — subscriber, cycle and millisecond offset in the cycle
(`KeyLayout`) — so ordering by that integer is ordering by (subscriber, cycle, ts). numpy sorts it
(`argsort`, SIMD-accelerated since numpy 1.25) and finds every crossing by binary search in the
running sum: no per-group Python code, no per-event work repeated per threshold.

Semantics are those of `audit.build_cycles` (see `audit.py`): events are ordered by (ts, bytes, plan),
exact duplicates (same subscriber, ts and bytes) are counted once, the cycle's quota is the quota of
the plan on its first event, and threshold t is crossed at the first event where
`float(cumulative bytes) >= t * quota` (float64, as SQL `DOUBLE` and pandas compare).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ganzhi.collect.usage import arrow_numpy as an
from ganzhi.collect.usage.months import month_start_ms
from ganzhi.collect.usage.workspace import Workspace

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
#: Plan indices: int16 when the plans allow (half the bytes to spill and gather), else int32.
Ints = npt.NDArray[np.int16] | npt.NDArray[np.int32]
Bools = npt.NDArray[np.bool_]

#: Bits of the within-month offset in the key: a month is < 2^32 ms (49.7 days).
OFFSET_BITS = 32
#: The key must stay a non-negative BIGINT.
KEY_BITS = 63
#: Partitions differ in size: a partition's row numbers are planned for this multiple of the mean.
ROW_SLACK = 1.25
#: More partitions than this means the ids are too sparse for packing; the SQL path is used instead.
MAX_PARTITIONS = 4096


@dataclass(frozen=True, slots=True)
class KeyLayout:
    """How a key packs an event: `((sub_id << month_bits) | rel_month) << 32 | offset_ms`.

    Subscriber `sub` goes to partition `(sub - sub_lo) % partitions` with id `(sub - sub_lo) // partitions`,
    so a partition's ids stay dense. `month_starts[rel_month]` is the UTC epoch ms of that cycle's start.
    """

    sub_lo: int
    partitions: int
    month_lo: int
    month_bits: int
    month_starts: tuple[int, ...]
    rows: int = 0  # the events planned for (an upper bound: invalid rows included)

    @classmethod
    def plan(cls, sub_lo: int, sub_hi: int, month_lo: int, month_hi: int, rows: int, rows_per_partition: int,
             offset_ms: int) -> KeyLayout:  # fmt: skip
        """The layout for subscribers [sub_lo, sub_hi] and months [month_lo, month_hi] (year*12 + month-1).

        ValueError when no packing fits (ids too sparse or too many months): use the SQL path.
        """
        month_bits = max(1, (month_hi - month_lo).bit_length())
        id_bits = KEY_BITS - OFFSET_BITS - month_bits
        if id_bits < 1:
            raise ValueError(f"{month_hi - month_lo + 1} cycles do not fit the sort key")
        by_rows = math.ceil(rows / max(1, rows_per_partition))
        by_bits = math.ceil((sub_hi - sub_lo + 1) / (1 << id_bits))
        partitions = max(1, by_rows, by_bits)
        if partitions > MAX_PARTITIONS:
            raise ValueError(f"subscriber ids span {sub_hi - sub_lo + 1} values; too sparse to pack")
        if partitions > 1:
            partitions = cls._sortable(partitions, sub_hi - sub_lo + 1, month_bits, rows)
        starts = month_start_ms(np.arange(month_lo, month_lo + (1 << month_bits), dtype=np.int64), offset_ms)
        return cls(sub_lo, partitions, month_lo, month_bits, tuple(int(s) for s in starts), rows)

    @staticmethod
    def _sortable(partitions: int, ids: int, month_bits: int, rows: int) -> int:
        """The fewest partitions, from `partitions` up to twice as many, whose keys can carry their row numbers
        through the kernel's sort (`_sorted`: about 3x cheaper than `argsort`); else `partitions` unchanged."""
        for count in range(partitions, min(2 * partitions, MAX_PARTITIONS) + 1):
            span_bits = math.ceil(ids / count).bit_length() + month_bits + OFFSET_BITS
            row_bits = math.ceil(rows / count * ROW_SLACK).bit_length()
            if span_bits + row_bits <= KEY_BITS:
                return count
        return partitions

    def key_sql(self, sub: str, month: str, ts: str) -> str:
        """DuckDB expression of the key from a subscriber, a month number and a UTC epoch-ms column."""
        starts = "[" + ", ".join(str(s) for s in self.month_starts) + "]::BIGINT[]"
        rel = f"({month} - {self.month_lo})"
        sub_id = f"(({sub} - {self.sub_lo}) // {self.partitions})"
        return (f"((({sub_id} << {self.month_bits}) | {rel}) << {OFFSET_BITS}) "
                f"| ({ts} - list_extract({starts}, {rel} + 1))")  # fmt: skip

    def partition_sql(self, sub: str) -> str:
        """DuckDB expression of a subscriber's partition number."""
        return f"CAST(({sub} - {self.sub_lo}) % {self.partitions} AS USMALLINT)"


@dataclass(slots=True)
class CycleArrays:
    """One row per (subscriber, cycle) of a partition: what `build_cycles` stores, as arrays."""

    sub: I64
    month: I64
    pidx: Ints
    quota: I64
    events: I64
    duplicates: I64
    mixed: Bools
    used: I64
    crossings: list[tuple[I64, Bools]] = field(default_factory=list)  # (ts, crossed) per threshold

    def to_arrow(self) -> pa.Table:
        """Arrow table with the `cycles` columns (`cycles_schema`)."""
        columns = [an.array(self.sub, pa.int64()), an.array(self.month, pa.int64()), an.array(self.pidx, pa.int32()),
                   an.array(self.quota, pa.int64()), an.array(self.events, pa.int64()),
                   an.array(self.duplicates, pa.int64()), an.array(self.mixed, pa.bool_()),
                   an.array(self.used, pa.int64())]  # fmt: skip
        columns += [an.array(ts, pa.int64(), ~crossed) for ts, crossed in self.crossings]
        return pa.Table.from_arrays(columns, schema=cycles_schema(len(self.crossings)))


def cycles_schema(thresholds: int) -> pa.Schema:
    """One row per (subscriber, cycle): cycle as a month number `m` (`months.py`), plan as `pidx` (the key of
    `plans_ok_t`), and `cross_<i>`, the UTC epoch ms at which threshold i was crossed (null: not crossed)."""
    columns: list[tuple[str, pa.DataType]] = [
        ("sub", pa.int64()), ("m", pa.int64()), ("pidx", pa.int32()), ("quota_bytes", pa.int64()),
        ("events", pa.int64()), ("duplicates", pa.int64()), ("mixed_plans", pa.bool_()), ("used_bytes", pa.int64()),
    ]  # fmt: skip
    return pa.schema(columns + [(f"cross_{i}", pa.int64()) for i in range(thresholds)])


def _settle_ties(key: I64, order: I64, nbytes: I64, pidx: Ints, work: Workspace) -> Bools:
    """Order runs of equal keys (same subscriber, cycle and ts) by (bytes, plan), in place; mark repeats."""
    n = len(key)
    eq = np.equal(key[1:], key[:-1], out=work.array("eq", max(n - 1, 0), np.bool_))
    dup = work.array("dup", n, np.bool_)
    dup.fill(False)
    if not eq.any():
        return dup
    in_run = work.array("in_run", n, np.bool_)
    in_run.fill(False)
    in_run[1:] |= eq
    in_run[:-1] |= eq
    idx = np.flatnonzero(in_run)
    sub_order = np.lexsort((pidx[idx], nbytes[idx], key[idx]))
    order[idx] = order[idx][sub_order]
    nbytes[idx] = nbytes[idx][sub_order]
    pidx[idx] = pidx[idx][sub_order]
    dup[1:] = eq & (nbytes[1:] == nbytes[:-1])
    return dup


def _high_halves(key: I64) -> I32:
    """`key >> 32` of non-negative keys as a strided int32 view: no copy (the kernel's memory traffic is
    its cost; every fresh array is page faults)."""
    halves = key.view(np.int32).reshape(-1, 2)
    return halves[:, 1 if sys.byteorder == "little" else 0]


def _sorted(key: I64, work: Workspace) -> tuple[I64, I64]:
    """(order, key[order]): the permutation that sorts `key`, and the sorted keys.

    Why not `argsort`: sorting plain integers is about 3x faster (numpy's AVX-512 quicksort) than sorting
    indices by them. When `key - min` and the row number fit 63 bits together, each key carries its row
    number in its low bits through one `sort`; else `argsort` (equal keys come in any order either way:
    `_settle_ties` orders them).
    """
    n = len(key)
    if n == 0:
        return np.zeros(0, dtype=np.int64), work.array("key", 0, np.int64)
    lo = int(key.min())
    row_bits = max(1, (n - 1).bit_length())
    if (int(key.max()) - lo).bit_length() + row_bits > KEY_BITS:
        order = np.argsort(key)
        return order, np.take(key, order, out=work.array("key", n, np.int64), mode="clip")
    packed = np.subtract(key, lo, out=work.array("key", n, np.int64))
    packed <<= row_bits
    packed |= work.iota(n)
    packed.sort()
    order = np.bitwise_and(packed, (1 << row_bits) - 1, out=work.array("order", n, np.int64))
    packed >>= row_bits
    packed += lo
    return order, packed


def crossings(key: I64, nbytes: I64, pidx: Ints, part: int, layout: KeyLayout, quotas: I64,
              thresholds: tuple[float, ...], work: Workspace | None = None) -> CycleArrays:  # fmt: skip
    """Per (subscriber, cycle) of partition `part`: plan, quota, counts and each threshold's crossing time.

    `quotas[pidx]` is the quota of plan `pidx`. Exact for any input order, duplicates and mixed plans.
    Scratch arrays come from `work` (reused across calls; the inputs are only read).
    """
    work = work or Workspace()
    n = len(key)
    order, key = _sorted(key, work)  # the sorted key is a fresh copy, changed in place below
    nbytes = np.take(nbytes, order, out=work.array("bytes", n, np.int64), mode="clip")
    pidx = np.take(pidx, order, out=work.array("pidx", n, pidx.dtype), mode="clip")
    dup = _settle_ties(key, order, nbytes, pidx, work)
    group = _high_halves(key)  # (subscriber, cycle)
    boundary = work.array("boundary", n, np.bool_)
    boundary[:1] = True
    np.not_equal(group[1:], group[:-1], out=boundary[1:])
    starts = np.flatnonzero(boundary)
    ends = np.append(starts[1:], len(key))
    repeats = np.flatnonzero(dup)
    nbytes[repeats] = 0  # a duplicate counts once
    first_bytes = nbytes[starts]
    running = np.cumsum(nbytes, out=nbytes)
    first_pidx = pidx[starts]
    quota = quotas[first_pidx]
    base = running[starts] - first_bytes
    head = group[starts].astype(np.int64)
    rel_month = head & ((1 << layout.month_bits) - 1)
    result = CycleArrays(
        sub=(head >> layout.month_bits) * layout.partitions + part + layout.sub_lo,
        month=rel_month + layout.month_lo, pidx=first_pidx, quota=quota, events=ends - starts,
        duplicates=np.bincount(np.searchsorted(starts, repeats, side="right") - 1, minlength=len(starts)),
        mixed=np.minimum.reduceat(pidx, starts) != np.maximum.reduceat(pidx, starts),
        used=running[ends - 1] - base,
    )  # fmt: skip
    month_starts = np.asarray(layout.month_starts, dtype=np.int64)
    quota_f = quota.astype(np.float64)
    for t in thresholds:
        # float(cum) >= t*q  <=>  cum >= ceil(t*q) for integer cum below 2^53.
        target = base + np.ceil(float(t) * quota_f).astype(np.int64)
        pos = np.searchsorted(running, target, side="left")
        crossed = pos < ends
        at = np.zeros(len(starts), dtype=np.int64)
        hit = key[pos[crossed]]
        at[crossed] = month_starts[rel_month[crossed]] + (hit & ((1 << OFFSET_BITS) - 1))
        result.crossings.append((at, crossed))
    return result
