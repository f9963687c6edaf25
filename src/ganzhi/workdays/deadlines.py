"""Rectification deadlines counted in working days.

Weekends are rest days; `holidays` adds public holidays and `adjusted_workdays` adds the weekend days
that China's holiday arrangements turn into working days (调休). The calendars themselves are data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection


def is_working_day(
    day: dt.date,
    holidays: Collection[dt.date] = frozenset(),
    adjusted_workdays: Collection[dt.date] = frozenset(),
) -> bool:
    """True when `day` is a working day under the given calendar."""
    if day in adjusted_workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


def add_working_days(
    start: dt.date,
    days: int,
    holidays: Collection[dt.date] = frozenset(),
    adjusted_workdays: Collection[dt.date] = frozenset(),
) -> dt.date:
    """The date `days` working days after `start` (the start day itself is not counted)."""
    if days < 0:
        raise ValueError(f"days must be >= 0 (got {days})")
    current = start
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if is_working_day(current, holidays, adjusted_workdays):
            remaining -= 1
    return current
