"""Synthetic usage data with planted reminder violations and their ground truth.

Writes, under one directory: `plans.parquet`, `events.parquet`, `reminders.parquet`, `truth.parquet`
(one row per expected verdict: subscriber_id, cycle 'YYYY-MM', threshold, status) and
`manifest.json`. Subscribers are generated in chunks, each written as Parquet row groups, so memory is
bounded by the chunk size and 100M events fit. Everything is vectorised numpy; the same seed gives
the same files.

Planting follows the audit's semantics (see `audit.py`): for each crossing, with probability
`violation_rate` the reminder is late or missing (half each), otherwise on time; a fraction
`violation_rate` of the (subscriber, cycle, threshold) combinations without a crossing get a spurious
reminder, and half that fraction of crossings also get a spurious reminder well before the crossing.
Planted reminders stay inside their cycle (minus the early tolerance) so attribution is unambiguous.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from ganzhi.collect.usage.config import AuditConfig, ReminderStatus

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

BEIJING = timezone(timedelta(hours=8))
GIB = 1 << 30
PROVINCES = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏",
    "陕西", "甘肃", "青海", "宁夏", "新疆",
)  # fmt: skip
QUOTAS_GIB = (1, 2, 5, 10, 20, 30, 40, 60, 100)
MAX_LATE_EXTRA_MS = 6 * 3600 * 1000
MAX_EARLY_MS = 6 * 3600 * 1000

_EVENT_FIELDS: list[pa.Field[Any]] = [
    pa.field("subscriber_id", pa.int64()), pa.field("ts", pa.int64()), pa.field("bytes", pa.int64()),
    pa.field("plan_id", pa.dictionary(pa.int32(), pa.string())),
]  # fmt: skip
EVENT_SCHEMA = pa.schema(_EVENT_FIELDS)
_REMINDER_FIELDS: list[pa.Field[Any]] = [
    pa.field("subscriber_id", pa.int64()), pa.field("ts", pa.int64()), pa.field("threshold", pa.float64()),
]  # fmt: skip
REMINDER_SCHEMA = pa.schema(_REMINDER_FIELDS)
_TRUTH_FIELDS: list[pa.Field[Any]] = [
    pa.field("subscriber_id", pa.int64()), pa.field("cycle", pa.string()), pa.field("threshold", pa.float64()),
    pa.field("status", pa.string()),
]  # fmt: skip
TRUTH_SCHEMA = pa.schema(_TRUTH_FIELDS)


@dataclass(frozen=True, slots=True)
class GeneratorSpec:
    """What to generate; the audit config supplies thresholds, latency and tolerances."""

    subscribers: int
    events: int
    violation_rate: float = 0.05
    seed: int = 0
    start_month: str = "2024-01"
    months: int = 2
    plans: int = 24
    duplicate_rate: float = 0.001
    chunk_events: int = 2_000_000

    def __post_init__(self) -> None:
        if self.subscribers < 1:
            raise ValueError(f"subscribers: expected >= 1, got {self.subscribers}")
        if self.events < 0:
            raise ValueError(f"events: expected >= 0, got {self.events}")
        if not 0 <= self.violation_rate <= 1:
            raise ValueError(f"violation_rate: expected within [0, 1], got {self.violation_rate}")
        if not 0 <= self.duplicate_rate < 1:
            raise ValueError(f"duplicate_rate: expected within [0, 1), got {self.duplicate_rate}")
        if self.months < 1 or self.plans < 1 or self.chunk_events < 1:
            raise ValueError("months, plans and chunk_events: expected >= 1")


def cycle_bounds(start_month: str, months: int) -> tuple[I64, list[str]]:
    """UTC epoch ms of Beijing midnight on the 1st of each month (months + 1 bounds) and labels."""
    try:
        first = datetime.strptime(start_month, "%Y-%m").replace(tzinfo=BEIJING)
    except ValueError:
        raise ValueError(f"start_month: expected 'YYYY-MM', got {start_month!r}") from None
    bounds, labels = [], []
    year, month = first.year, first.month
    for _ in range(months + 1):
        day = datetime(year, month, 1, tzinfo=BEIJING)
        bounds.append(int(day.timestamp() * 1000))
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return np.asarray(bounds, dtype=np.int64), labels[:-1]


def generate(spec: GeneratorSpec, out_dir: Path, config: AuditConfig | None = None) -> dict[str, object]:
    """Write the data set to `out_dir` and return the manifest (also written as manifest.json)."""
    cfg = config or AuditConfig()
    out_dir.mkdir(parents=True, exist_ok=True)
    bounds, labels = cycle_bounds(spec.start_month, spec.months)
    plan_ids = [f"P{i:03d}" for i in range(spec.plans)]
    quotas = np.asarray([QUOTAS_GIB[i % len(QUOTAS_GIB)] * GIB for i in range(spec.plans)], dtype=np.int64)
    plans = pa.table({
        "plan_id": plan_ids,
        "quota_bytes": pa.array(quotas),
        "cycle": ["month"] * spec.plans,
        "province": [PROVINCES[(i * 7) % len(PROVINCES)] for i in range(spec.plans)],
    })  # fmt: skip
    pq.write_table(plans, out_dir / "plans.parquet")

    counts: dict[str, int] = {"events": 0, "duplicates": 0, "reminders": 0}
    counts.update({s.value: 0 for s in ReminderStatus})
    subs_per_chunk = max(1, int(spec.subscribers * spec.chunk_events / max(spec.events, 1)))
    with (
        pq.ParquetWriter(out_dir / "events.parquet", EVENT_SCHEMA) as ev_w,
        pq.ParquetWriter(out_dir / "reminders.parquet", REMINDER_SCHEMA) as rem_w,
        pq.ParquetWriter(out_dir / "truth.parquet", TRUTH_SCHEMA) as truth_w,
    ):
        for chunk, s0 in enumerate(range(0, spec.subscribers, subs_per_chunk)):
            s1 = min(spec.subscribers, s0 + subs_per_chunk)
            m = spec.events * s1 // spec.subscribers - spec.events * s0 // spec.subscribers
            rng = np.random.default_rng([spec.seed, chunk])
            _ChunkBuilder(spec, cfg, rng, s0, s1, m, bounds, labels, quotas, plan_ids).write(
                ev_w, rem_w, truth_w, counts
            )
    manifest: dict[str, object] = {
        "spec": {k: getattr(spec, k) for k in spec.__dataclass_fields__},
        "audit_config": cfg.describe(),
        "cycles": labels,
        "counts": counts,
        "files": ["plans.parquet", "events.parquet", "reminders.parquet", "truth.parquet"],
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


class _ChunkBuilder:
    """Events, reminders and truth for subscribers [s0, s1)."""

    def __init__(
        self, spec: GeneratorSpec, cfg: AuditConfig, rng: np.random.Generator, s0: int, s1: int, m: int,
        bounds: I64, labels: list[str], quotas: I64, plan_ids: list[str],
    ) -> None:  # fmt: skip
        self.spec, self.cfg, self.rng = spec, cfg, rng
        self.s0, self.n_sub, self.m = s0, s1 - s0, m
        self.bounds, self.labels, self.quotas, self.plan_ids = bounds, labels, quotas, plan_ids
        self.n_cyc = len(labels)
        self.sub_plan = rng.integers(len(plan_ids), size=self.n_sub)

    def _events(self) -> tuple[I64, I64, I64]:
        """(group = local_sub * n_cycles + cycle, ts, bytes) with planted duplicates, unsorted."""
        rng, n_cyc = self.rng, self.n_cyc
        sub = rng.integers(self.n_sub, size=self.m)
        cyc = rng.integers(n_cyc, size=self.m)
        lengths = np.diff(self.bounds)
        ts = self.bounds[cyc] + (rng.random(self.m) * lengths[cyc]).astype(np.int64)
        group = sub * n_cyc + cyc
        factor = rng.uniform(0.2, 1.6, size=self.n_sub * n_cyc)
        weight = rng.exponential(size=self.m)
        wsum = np.bincount(group, weights=weight, minlength=self.n_sub * n_cyc)
        quota = self.quotas[self.sub_plan[sub]].astype(np.float64)
        nbytes = np.floor(weight / wsum[group] * factor[group] * quota).astype(np.int64)
        n_dup = int(rng.binomial(self.m, self.spec.duplicate_rate)) if self.m else 0
        dup = rng.integers(self.m, size=n_dup) if n_dup else np.zeros(0, dtype=np.int64)
        return (np.concatenate([group, group[dup]]), np.concatenate([ts, ts[dup]]),
                np.concatenate([nbytes, nbytes[dup]]))  # fmt: skip

    def _crossings(self, group: I64, ts: I64, nbytes: I64) -> dict[float, tuple[I64, I64]]:
        """Per threshold: (groups that crossed, crossing ts), with duplicates counted once."""
        order = np.lexsort((nbytes, ts, group))
        g, t, b = group[order], ts[order], nbytes[order]
        keep = np.ones(len(g), dtype=bool)
        keep[1:] = (g[1:] != g[:-1]) | (t[1:] != t[:-1]) | (b[1:] != b[:-1])
        g, t, b = g[keep], t[keep], b[keep]
        csum = np.cumsum(b)
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if len(g) else np.zeros(0, dtype=np.int64)
        run = np.cumsum(np.r_[True, g[1:] != g[:-1]]) - 1 if len(g) else np.zeros(0, dtype=np.int64)
        cum = csum - (csum[starts] - b[starts])[run]
        quota = self.quotas[self.sub_plan[g // self.n_cyc]].astype(np.float64)
        out: dict[float, tuple[I64, I64]] = {}
        for thr in self.cfg.thresholds:
            hit = np.flatnonzero(cum >= thr * quota)
            first_groups, first_idx = np.unique(g[hit], return_index=True)
            out[thr] = (first_groups.astype(np.int64), t[hit[first_idx]])
        return out

    def write(self, ev_w: pq.ParquetWriter, rem_w: pq.ParquetWriter, truth_w: pq.ParquetWriter,
              counts: dict[str, int]) -> None:  # fmt: skip
        group, ts, nbytes = self._events()
        crossings = self._crossings(group, ts, nbytes)
        shuffle = self.rng.permutation(len(group))
        group, ts, nbytes = group[shuffle], ts[shuffle], nbytes[shuffle]
        sub_local = group // self.n_cyc
        plan_idx = self.sub_plan[sub_local].astype(np.int32)
        ev_w.write_table(pa.table({
            "subscriber_id": pa.array(sub_local + self.s0), "ts": pa.array(ts), "bytes": pa.array(nbytes),
            "plan_id": pa.DictionaryArray.from_arrays(plan_idx, pa.array(self.plan_ids)),
        }, schema=EVENT_SCHEMA), row_group_size=1 << 20)  # fmt: skip
        counts["events"] += len(group)
        counts["duplicates"] += len(group) - self.m
        rem_parts: list[tuple[I64, I64, F64]] = []
        truth_parts: list[tuple[I64, I64, F64, list[str]]] = []
        for thr, (crossed, cross_ts) in crossings.items():
            self._plant(thr, crossed, cross_ts, rem_parts, truth_parts)
        for sub, rts, thr_arr in rem_parts:
            rem_w.write_table(
                pa.table(
                    {"subscriber_id": pa.array(sub), "ts": pa.array(rts), "threshold": pa.array(thr_arr)},
                    schema=REMINDER_SCHEMA,
                )
            )
            counts["reminders"] += len(sub)
        for sub, cyc, thr_arr, statuses in truth_parts:
            truth_w.write_table(pa.table({
                "subscriber_id": pa.array(sub), "cycle": [self.labels[c] for c in cyc], "threshold": pa.array(thr_arr),
                "status": statuses,
            }, schema=TRUTH_SCHEMA))  # fmt: skip
            for s in statuses:
                counts[s] += 1

    def _plant(self, thr: float, crossed: I64, cross_ts: I64, rem_parts: list[tuple[I64, I64, F64]],
               truth_parts: list[tuple[I64, I64, F64, list[str]]]) -> None:  # fmt: skip
        rng, cfg, n = self.rng, self.cfg, len(crossed)
        rate = self.spec.violation_rate
        cyc = crossed % self.n_cyc
        start, end = self.bounds[cyc], self.bounds[cyc + 1]
        safe_end = end - cfg.early_tolerance_ms - 1
        violated = rng.random(n) < rate
        late_wanted = violated & (rng.random(n) < 0.5)
        room = safe_end - cross_ts
        on_time = ~violated & (room >= 0)
        late = late_wanted & (room > cfg.latency_ms)
        delay = np.zeros(n, dtype=np.int64)
        on_time_room = np.minimum(cfg.latency_ms, room[on_time]) + 1
        delay[on_time] = (rng.random(int(on_time.sum())) * on_time_room).astype(np.int64)
        late_room = np.minimum(MAX_LATE_EXTRA_MS, room[late] - cfg.latency_ms)
        delay[late] = cfg.latency_ms + 1 + (rng.random(int(late.sum())) * late_room).astype(np.int64)
        sent = on_time | late
        status = np.where(on_time, ReminderStatus.ON_TIME.value,
                          np.where(late, ReminderStatus.LATE.value, ReminderStatus.MISSING.value))  # fmt: skip
        sent_sub = crossed[sent] // self.n_cyc + self.s0
        rem_parts.append((sent_sub, cross_ts[sent] + delay[sent], np.full(len(sent_sub), thr)))
        truth_parts.append((crossed // self.n_cyc + self.s0, cyc, np.full(n, thr), [str(s) for s in status]))

        # Spurious, kind 1: well before a crossing of the same cycle (and after last cycle's grace).
        early = rng.random(n) < rate / 2
        early_ts = cross_ts - cfg.early_tolerance_ms - 1 - (rng.random(n) * MAX_EARLY_MS).astype(np.int64)
        early &= early_ts >= start + cfg.attribution_grace_ms
        # Spurious, kind 2: in a cycle where the threshold was never crossed.
        all_groups = np.arange(self.n_sub * self.n_cyc, dtype=np.int64)
        uncrossed = all_groups[~np.isin(all_groups, crossed)]
        uncrossed = uncrossed[rng.random(len(uncrossed)) < rate]
        u_cyc = uncrossed % self.n_cyc
        u_lo = self.bounds[u_cyc] + cfg.attribution_grace_ms
        u_hi = self.bounds[u_cyc + 1] - cfg.early_tolerance_ms - 1
        ok = u_hi > u_lo
        uncrossed, u_cyc, u_lo, u_hi = uncrossed[ok], u_cyc[ok], u_lo[ok], u_hi[ok]
        u_ts = u_lo + (rng.random(len(uncrossed)) * (u_hi - u_lo)).astype(np.int64)
        spur_groups = np.concatenate([crossed[early], uncrossed])
        spur_ts = np.concatenate([early_ts[early], u_ts])
        spur_sub = spur_groups // self.n_cyc + self.s0
        rem_parts.append((spur_sub, spur_ts, np.full(len(spur_groups), thr)))
        truth_parts.append((spur_sub, spur_groups % self.n_cyc, np.full(len(spur_groups), thr),
                            [ReminderStatus.SPURIOUS.value] * len(spur_groups)))  # fmt: skip
