"""The per-row results table: one row per crossing, per repeated reminder and per spurious reminder.

Built as Arrow from the `cycles` table, the valid plans and the audited reminders, with the numpy
attribution (`attribution.py`) in between, so no SQL join or window runs per crossing or reminder;
DuckDB only sees the finished table (for the summary and the CSV export).
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ganzhi.collect.usage import arrow_numpy as an
from ganzhi.collect.usage.attribution import Attribution, Crossings, Reminders, attribute
from ganzhi.collect.usage.config import AuditConfig, ReminderStatus
from ganzhi.collect.usage.months import month_labels, month_of, month_start_ms

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

STATUSES = tuple(ReminderStatus)
_CODE = {s: i for i, s in enumerate(STATUSES)}
_TS = pa.timestamp("us", tz="UTC")
#: Text columns are dictionary arrays in memory (cheap to build from a few labels); the file says string.
_TEXT = pa.dictionary(pa.int32(), pa.string())


#: (name, type, nullable) of the result columns, after `subscriber_id` (integer or text, as in the input).
_COLUMNS = [("cycle", _TEXT, False), ("plan_id", _TEXT, False), ("province", _TEXT, False),
            ("quota_bytes", pa.int64(), True), ("threshold", pa.float64(), False), ("status", _TEXT, False),
            ("crossed_at_ms", pa.int64(), True), ("reminded_at_ms", pa.int64(), True),
            ("latency_s", pa.float64(), True), ("crossed_at", _TS, True), ("reminded_at", _TS, True),
            ("reminder_file", _TEXT, True), ("reminder_row", pa.int64(), True)]  # fmt: skip
#: The text columns, by name (written dictionary-encoded).
TEXT_COLUMNS = [name for name, typ, _ in _COLUMNS if typ == _TEXT]


def result_schema(sub_type: pa.DataType) -> pa.Schema:
    """Columns of the results; `crossed_at`/`reminded_at` are UTC instants, `*_ms` the same as epoch ms."""
    fields = [pa.field("subscriber_id", sub_type, nullable=False)]
    return pa.schema(fields + [pa.field(name, typ, nullable=nullable) for name, typ, nullable in _COLUMNS])


def _at(values: I64, index: I64) -> I64:
    """`values[index]` where index -1 means "none" (the value read there is hidden by a mask later)."""
    if len(values) == 0:
        return np.zeros(len(index), dtype=np.int64)
    return values[index]


@dataclass(frozen=True, slots=True)
class Rows:
    """Result rows as indices. `cycle`: row of `cycles` (-1: none); `sub`: into the cycles' then the reminders'
    subscriber ids; `month`: month number; `threshold`: index; `status`: index into `STATUSES`; `crossed`:
    crossing time (unused for spurious rows); `reminder`: row of the reminders (-1: none)."""

    cycle: I64
    sub: I64
    month: I64
    threshold: I64
    status: I64
    crossed: I64
    reminder: I64


def _concat(parts: list[Rows]) -> Rows:
    return Rows(*(np.concatenate([getattr(p, f.name) for p in parts]).astype(np.int64) for f in fields(Rows)))


def sub_codes(subs: pa.Array[Any]) -> I64:
    """Small non-negative integer codes of subscriber ids (integer or text), equal for equal ids.

    Integer ids spanning at most a few times their count are their own codes (offset by the minimum);
    others are dictionary-encoded (a hash pass, slower).
    """
    if pa.types.is_integer(subs.type) and len(subs):
        ids = an.values(subs, np.int64)
        lo, hi = int(ids.min()), int(ids.max())
        if hi - lo < 4 * len(ids) + 1024:
            return ids - lo
    return an.values(subs.dictionary_encode().indices, np.int64)


def cycle_lookup(cycle_sub: I64, cycle_month: I64, sub: I64, month: I64) -> I64:
    """Per (subscriber code, month): that month's cycles row, else the subscriber's latest cycle's, else -1."""
    if len(cycle_sub) == 0:
        return np.full(len(sub), -1, dtype=np.int64)
    lo = int(min(cycle_month.min(), month.min(initial=int(cycle_month.min()))))
    span = int(max(cycle_month.max(), month.max(initial=int(cycle_month.max())))) - lo + 1
    keys = cycle_sub * span + (cycle_month - lo)
    order = np.argsort(keys)
    ordered = keys[order]
    wanted = sub * span + (month - lo)
    pos = np.minimum(np.searchsorted(ordered, wanted), len(ordered) - 1)
    latest = np.searchsorted(ordered, sub * span + span) - 1  # the last cycle of codes <= sub
    latest_is_own = (latest >= 0) & (ordered[latest] // span == sub)
    return np.where(ordered[pos] == wanted, order[pos], np.where(latest_is_own, order[latest], -1))


def _crossings(cross: list[tuple[I64, Bools]]) -> tuple[I64, I64, I64]:
    """(cycles row, threshold index, time) of every crossing, threshold by threshold; `cross` holds each
    threshold's crossing times and whether the cycle crossed it."""
    rows = [np.flatnonzero(crossed) for _, crossed in cross]
    times = [at[hit] for (at, _), hit in zip(cross, rows, strict=True)]
    index = np.repeat(np.arange(len(cross), dtype=np.int64), [len(r) for r in rows])
    return np.concatenate(rows).astype(np.int64), index, np.concatenate(times).astype(np.int64)


def _reminders(reminders: pa.Table, codes: I64, cfg: AuditConfig) -> Reminders:
    value = an.values(reminders["threshold"], np.float64)
    index = np.full(len(value), -1, dtype=np.int64)
    for i, t in enumerate(cfg.thresholds):
        index[value == float(t)] = i
    return Reminders(codes, index, an.values(reminders["ts_ms"], np.int64), an.values(reminders["file"], np.int64),
                     an.values(reminders["src_row"], np.int64))  # fmt: skip


def _judged(c_row: I64, c_thr: I64, c_at: I64, month: I64, found: Attribution, ts: I64, latency_ms: int) -> Rows:
    """One row per crossing: missing, or on time / late by its first attributed reminder."""
    latency = _at(ts, found.first) - c_at
    status = np.where(found.first < 0, _CODE[ReminderStatus.MISSING],
                      np.where(latency <= latency_ms, _CODE[ReminderStatus.ON_TIME], _CODE[ReminderStatus.LATE]))
    return Rows(c_row, c_row, month[c_row], c_thr, status, c_at, found.first)  # fmt: skip


def _repeats(c_row: I64, c_thr: I64, c_at: I64, month: I64, found: Attribution) -> Rows:
    of = found.crossing[found.repeats]
    status = np.full(len(of), _CODE[ReminderStatus.REPEAT])
    return Rows(c_row[of], c_row[of], month[c_row[of]], c_thr[of], status, c_at[of], found.repeats)


def _spurious(rem: Reminders, found: Attribution, cycle_sub: I64, cycle_month: I64) -> Rows:
    """Unattributed reminders, with the plan of their cycle, else of the subscriber's latest cycle."""
    spurious = np.flatnonzero(found.crossing < 0)
    month = month_of(rem.ts[spurious])
    return Rows(cycle_lookup(cycle_sub, cycle_month, rem.sub[spurious], month), len(cycle_sub) + spurious, month,
                rem.threshold[spurious], np.full(len(spurious), _CODE[ReminderStatus.SPURIOUS]),
                np.zeros(len(spurious), dtype=np.int64), spurious)  # fmt: skip


def _rows(cycle_sub: I64, month: I64, cross: list[tuple[I64, Bools]], rem: Reminders, cfg: AuditConfig) -> Rows:
    """The result rows of some subscribers' cycles and reminders; indices are into these arrays (`Rows`)."""
    c_row, c_thr, c_at = _crossings(cross)
    deadline = month_start_ms(month[c_row] + 1) + cfg.attribution_grace_ms
    found = attribute(Crossings(cycle_sub[c_row], c_thr, c_at, deadline), rem, len(cfg.thresholds),
                      cfg.early_tolerance_ms)  # fmt: skip
    return _concat([_judged(c_row, c_thr, c_at, month, found, rem.ts, cfg.latency_ms),
                    _repeats(c_row, c_thr, c_at, month, found), _spurious(rem, found, cycle_sub, month)])  # fmt: skip


def _chunk_rows(cycle_sub: I64, month: I64, cross: list[tuple[I64, Bools]], rem: Reminders, cfg: AuditConfig,
                c: I64, r: I64) -> Rows:  # fmt: skip
    """`_rows` of the cycles `c` and reminders `r` (all those of some subscribers), with indices mapped back."""
    part = _rows(cycle_sub[c], month[c], [(at[c], crossed[c]) for at, crossed in cross],
                 Reminders(*(getattr(rem, f.name)[r] for f in fields(Reminders))), cfg)  # fmt: skip
    own = part.sub < len(c)  # rows of a cycle; the others (spurious) index the reminders' ids after the cycles'
    sub = np.empty(len(own), dtype=np.int64)
    sub[own] = c[part.sub[own]]
    sub[~own] = len(cycle_sub) + r[part.sub[~own] - len(c)]
    return Rows(_mapped(c, part.cycle), sub, part.month, part.threshold, part.status, part.crossed,
                _mapped(r, part.reminder))  # fmt: skip


def _mapped(rows: I64, local: I64) -> I64:
    """`rows[local]`, keeping -1 (none) as -1."""
    out = np.full(len(local), -1, dtype=np.int64)
    has = local >= 0
    out[has] = rows[local[has]]
    return out


def _chunks(codes: I64, chunks: int, span: int) -> list[I64]:
    """Row indices of each of `chunks` contiguous ranges of subscriber codes in [0, span)."""
    which = codes * chunks // max(span, 1)
    return [np.flatnonzero(which == k) for k in range(chunks)]


def build_results(cycles: pa.Table, plans: pa.Table, reminders: pa.Table, files: list[str], cfg: AuditConfig,
                  pool: Executor | None = None, chunks: int = 1) -> pa.Table:  # fmt: skip
    """The results table (`result_schema`) of one audit.

    `cycles`: sub, m (month number), pidx, quota_bytes and cross_<i> per threshold (null: not crossed);
    `plans`: pidx, plan_id, province; `reminders`: the audited ones (sub, ts_ms, threshold, file, src_row),
    where `file` indexes `files`, the reminder file names in text order.

    With a `pool`, the subscribers are cut into `chunks` ranges, audited and materialised in parallel (every
    verdict depends on one subscriber's cycles and reminders only); the table then has one chunk per range and
    its rows come in another order (results are unordered), with the same rows.
    """
    cycles, reminders = cycles.combine_chunks(), reminders.combine_chunks()
    subs = pa.concat_arrays([an.flat(cycles["sub"]), an.flat(reminders["sub"])])
    codes = sub_codes(subs)
    cycle_sub, reminder_sub = codes[: cycles.num_rows], codes[cycles.num_rows :]
    month = an.values(cycles["m"], np.int64)
    cross = [(an.values(cycles[f"cross_{i}"], np.int64), an.valid(cycles[f"cross_{i}"]))
             for i in range(len(cfg.thresholds))]  # fmt: skip
    rem = _reminders(reminders, reminder_sub, cfg)
    parts = _Parts(subs, cycles, plans, an.strings(files), rem, cfg, month)
    if pool is None or chunks <= 1:
        return parts.table(_rows(cycle_sub, month, cross, rem, cfg))
    span = int(codes.max(initial=0)) + 1
    c_chunks, r_chunks = _chunks(cycle_sub, chunks, span), _chunks(reminder_sub, chunks, span)

    def one(k: int) -> pa.Table:
        return parts.table(_chunk_rows(cycle_sub, month, cross, rem, cfg, c_chunks[k], r_chunks[k]))

    return pa.concat_tables(list(pool.map(one, range(chunks))))


def _pick(values: pa.Array[Any], index: I64) -> pa.Array[Any]:
    """`values[index]`: integer ids through numpy, text ids through Arrow."""
    if pa.types.is_integer(values.type):
        return an.array(an.values(values, np.int64)[index], values.type)
    import pyarrow.compute as pc  # ~0.1 s of imports, needed only for text ids

    return pc.take(values, an.array(index, pa.int64()))


def _labels(dictionary: pa.Array[Any], index: I64, missing: Bools | None = None) -> pa.Array[Any]:
    """`dictionary[index]` (null where `missing`) as a dictionary array: no text is copied."""
    return pa.DictionaryArray.from_arrays(an.array(index, pa.int32(), missing), dictionary)


class _Parts:
    """What every chunk's result columns share: the inputs and the label dictionaries (built once, so all
    chunks' dictionary columns use the same dictionaries)."""

    def __init__(self, subs: pa.Array[Any], cycles: pa.Table, plans: pa.Table, files: pa.Array[Any], rem: Reminders,
                 cfg: AuditConfig, month: I64) -> None:  # fmt: skip
        self.subs, self.rem, self.cfg = subs, rem, cfg
        pidx = an.values(plans["pidx"], np.int64)
        slot = np.zeros(int(pidx.max(initial=0)) + 1, dtype=np.int64)  # pidx → 1 + its row of `plans` (0: unknown)
        slot[pidx] = np.arange(1, len(pidx) + 1)
        self.plan_slot = slot[an.values(cycles["pidx"], np.int64)]
        self.quota = an.values(cycles["quota_bytes"], np.int64)
        unknown = an.strings(["unknown"])
        self.plan_ids = pa.concat_arrays([unknown, an.flat(plans["plan_id"])])
        self.provinces = pa.concat_arrays([unknown, an.flat(plans["province"])])
        self.statuses = an.strings([str(s) for s in STATUSES])
        self.files = files
        # Every month a row can have: the cycles' and those of the reminders (spurious rows); month is monotone.
        ends = [int(month.min()), int(month.max())] if len(month) else []
        ends += month_of([rem.ts.min(), rem.ts.max()]).tolist() if len(rem.ts) else []
        self.month_lo = min(ends, default=0)
        self.months = an.strings([str(m) for m in month_labels(np.arange(self.month_lo, max(ends, default=0) + 1))])

    def table(self, rows: Rows) -> pa.Table:
        """Materialise `rows` as the result columns; plan and province 'unknown' when a row has no cycle."""
        rem, cfg = self.rem, self.cfg
        no_cycle, no_reminder = rows.cycle < 0, rows.reminder < 0
        no_crossing = rows.status == _CODE[ReminderStatus.SPURIOUS]
        plan = np.where(no_cycle, 0, _at(self.plan_slot, rows.cycle))
        reminded = _at(rem.ts, rows.reminder)
        columns = [
            _pick(self.subs, rows.sub),
            _labels(self.months, rows.month - self.month_lo),
            _labels(self.plan_ids, plan),
            _labels(self.provinces, plan),
            an.array(_at(self.quota, rows.cycle), pa.int64(), no_cycle),
            an.array(np.asarray(cfg.thresholds, dtype=np.float64)[rows.threshold], pa.float64()),
            _labels(self.statuses, rows.status),
            an.array(rows.crossed, pa.int64(), no_crossing),
            an.array(reminded, pa.int64(), no_reminder),
            an.array((reminded - rows.crossed) / 1000.0, pa.float64(), no_crossing | no_reminder),
            an.array(rows.crossed * 1000, _TS, no_crossing),
            an.array(reminded * 1000, _TS, no_reminder),
            _labels(self.files, _at(rem.file, rows.reminder), no_reminder),
            an.array(_at(rem.row, rows.reminder), pa.int64(), no_reminder),
        ]
        return pa.Table.from_arrays(columns, schema=result_schema(self.subs.type))
