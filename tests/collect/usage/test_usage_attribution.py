"""Reminder attribution in numpy: ASOF with early tolerance, the deadline, and ranking per crossing."""

from __future__ import annotations

import numpy as np
import pytest

from ganzhi.collect.usage.attribution import Crossings, Reminders, attribute, sort_by_group_time

EARLY = 60


def _i(values: list[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


# Crossings: subscriber 1 crosses threshold 0 at t=1000 (cycle deadline 5000) and again at t=10000 (deadline 20000);
# subscriber 1 crosses threshold 1 at t=2000; subscriber 2 crosses threshold 0 at t=1000.
CROSSINGS = Crossings(sub=_i([1, 1, 1, 2]), threshold=_i([0, 0, 1, 0]), at=_i([1000, 10000, 2000, 1000]),
                      deadline=_i([5000, 20000, 5000, 5000]))  # fmt: skip


def _reminders(rows: list[tuple[int, int, int]], file: list[int] | None = None) -> Reminders:
    """(sub, threshold, ts) per reminder; rows numbered in order."""
    n = len(rows)
    return Reminders(sub=_i([r[0] for r in rows]), threshold=_i([r[1] for r in rows]), ts=_i([r[2] for r in rows]),
                     file=_i(file or [0] * n), row=np.arange(1, n + 1, dtype=np.int64))  # fmt: skip


def test_latest_crossing_at_or_before_ts_plus_tolerance() -> None:
    rem = _reminders([
        (1, 0, 1000 - EARLY),  # exactly the tolerance early: crossing 0
        (1, 0, 1000 - EARLY - 1),  # one ms earlier: nothing
        (1, 0, 10000 - 30),  # the later crossing, within tolerance
        (1, 1, 2500),  # the other threshold's crossing
        (2, 1, 2500),  # subscriber 2 never crossed threshold 1
        (3, 0, 2500),  # unknown subscriber
    ])  # fmt: skip
    found = attribute(CROSSINGS, rem, thresholds=2, early_ms=EARLY)
    assert found.crossing.tolist() == [0, -1, 1, 2, -1, -1]
    assert found.first.tolist() == [0, 2, 3, -1]
    assert found.repeats.tolist() == []


def test_deadline_is_exclusive() -> None:
    rem = _reminders([(1, 0, 4999), (2, 0, 5000)])
    found = attribute(CROSSINGS, rem, thresholds=2, early_ms=EARLY)
    assert found.crossing.tolist() == [0, -1]
    assert found.first.tolist() == [0, -1, -1, -1]


def test_a_reminder_past_the_deadline_is_not_moved_to_an_earlier_crossing() -> None:
    # 6000 is past crossing 0's deadline and before crossing 1: the latest crossing decides, so it is spurious.
    found = attribute(CROSSINGS, _reminders([(1, 0, 6000)]), thresholds=2, early_ms=EARLY)
    assert found.crossing.tolist() == [-1]


def test_first_by_time_then_file_then_row_decides_the_rest_repeat() -> None:
    rem = _reminders([(1, 0, 1500), (1, 0, 1200), (1, 0, 1200), (1, 0, 1200), (2, 0, 1100)], file=[0, 1, 1, 0, 0])
    found = attribute(CROSSINGS, rem, thresholds=2, early_ms=EARLY)
    assert found.crossing.tolist() == [0, 0, 0, 0, 3]
    assert found.first.tolist() == [3, -1, -1, 4]  # ts 1200 in file 0 beats file 1 (rows 2, 3)
    assert found.repeats.tolist() == [0, 1, 2]


def test_no_crossings_or_no_reminders() -> None:
    empty = Crossings(*(np.zeros(0, dtype=np.int64) for _ in range(4)))
    found = attribute(empty, _reminders([(1, 0, 10)]), thresholds=1, early_ms=0)
    assert (found.crossing.tolist(), found.first.tolist()) == ([-1], [])
    found = attribute(CROSSINGS, _reminders([]), thresholds=2, early_ms=0)
    assert (found.crossing.tolist(), found.first.tolist()) == ([], [-1, -1, -1, -1])


@pytest.mark.parametrize("span", [10**3, 2**62])  # packs into one key / falls back to a lexsort
def test_sort_by_group_then_time(span: int) -> None:
    rng = np.random.default_rng(1)
    group = rng.integers(0, 50, 2000)
    time = rng.integers(0, span, 2000, dtype=np.int64)
    order = sort_by_group_time(group, time)
    assert sorted(order.tolist()) == list(range(2000))
    pairs = list(zip(group[order].tolist(), time[order].tolist(), strict=True))
    assert pairs == sorted(pairs)
