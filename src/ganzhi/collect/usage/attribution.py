"""Attribute reminders to threshold crossings, in numpy (point 2 of the semantics in `audit.py`).

Why not SQL: an ASOF join, a window rank and a three-way union over every crossing and reminder took a
quarter of the audit's time. Here one sort of crossings and reminders together by (subscriber, threshold,
time) and a running maximum of "last crossing seen" is the ASOF step; ranking is needed only for the few
crossings with more than one reminder. Inputs are plain arrays; subscribers are integer codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]

_MAX_KEY = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True)
class Crossings:
    """One row per crossed (subscriber, cycle, threshold)."""

    sub: I64  # subscriber code
    threshold: I64  # index of the audited threshold
    at: I64  # UTC epoch ms of the crossing
    deadline: I64  # reminders at or after this (cycle end + attribution grace) are not attributed


@dataclass(frozen=True, slots=True)
class Reminders:
    """Audited reminders: subscriber code, threshold index, UTC epoch ms, and the (file, row) tie-break."""

    sub: I64
    threshold: I64
    ts: I64
    file: I64  # rank of the source file name
    row: I64


@dataclass(frozen=True, slots=True)
class Attribution:
    """`crossing[r]`: the crossing reminder r is attributed to, or -1 (spurious); `first[c]`: the reminder that
    decides crossing c, or -1 (missing); `repeats`: attributed reminders after the first, ascending."""

    crossing: I64
    first: I64
    repeats: I64


def sort_by_group_time(group: I64, time: I64) -> I64:
    """Indices ordering rows by (group, time): one packed-key argsort when it fits 63 bits, else a lexsort.

    Rows with equal (group, time) may come in any order.
    """
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    t0 = int(time.min())
    span = int(time.max()) - t0 + 1
    if int(group.min()) >= 0 and (int(group.max()) + 1) <= _MAX_KEY // span:
        key = time - t0
        key += group * span
        return np.argsort(key).astype(np.int64, copy=False)
    return np.lexsort((time, group)).astype(np.int64, copy=False)


def _asof(crossings: Crossings, reminders: Reminders, thresholds: int, early_ms: int) -> I64:
    """Per reminder, the latest crossing of its subscriber and threshold at or before `ts + early_ms`, or -1."""
    nc = len(crossings.at)
    group = np.concatenate([crossings.sub * thresholds + crossings.threshold,
                            reminders.sub * thresholds + reminders.threshold])  # fmt: skip
    # time * 2 + kind: at equal times the crossing (0) sorts before the reminder (1), so `>=` holds.
    time = np.concatenate([crossings.at * 2, (reminders.ts + early_ms) * 2 + 1])
    order = sort_by_group_time(group, time)
    is_crossing = order < nc
    last = np.where(is_crossing, np.arange(len(order)), -1)
    np.maximum.accumulate(last, out=last)
    at = np.flatnonzero(~is_crossing)
    seen = last[at]
    same = seen >= 0
    same[same] = group[order[seen[same]]] == group[order[at[same]]]
    out = np.full(len(reminders.ts), -1, dtype=np.int64)
    out[order[at[same]] - nc] = order[seen[same]]
    return out


def attribute(crossings: Crossings, reminders: Reminders, thresholds: int, early_ms: int) -> Attribution:
    """Attribute each reminder (ASOF with early tolerance, then the deadline) and rank them per crossing.

    The first attributed reminder by (ts, file, row) decides its crossing; the others are repeats.
    """
    crossing = _asof(crossings, reminders, thresholds, early_ms)
    hit = np.flatnonzero(crossing >= 0)
    late = reminders.ts[hit] >= crossings.deadline[crossing[hit]]
    crossing[hit[late]] = -1
    hit = hit[~late]
    first = np.full(len(crossings.at), -1, dtype=np.int64)
    counts = np.bincount(crossing[hit], minlength=len(crossings.at))
    single = counts[crossing[hit]] == 1
    first[crossing[hit[single]]] = hit[single]
    several = hit[~single]
    order = np.lexsort((reminders.row[several], reminders.file[several], reminders.ts[several], crossing[several]))
    ranked = several[order]
    head = np.ones(len(ranked), dtype=np.bool_)
    head[1:] = crossing[ranked[1:]] != crossing[ranked[:-1]]
    first[crossing[ranked[head]]] = ranked[head]
    return Attribution(crossing, first, np.sort(ranked[~head]))
