from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ganzhi.workdays.deadlines import add_working_days, is_working_day


def test_five_working_days_over_a_weekend() -> None:
    # Friday 2022-02-18 (a real 通报 date) + 5 working days = Friday 2022-02-25, the published deadline.
    assert add_working_days(dt.date(2022, 2, 18), 5) == dt.date(2022, 2, 25)


def test_holidays_and_adjusted_workdays() -> None:
    national_day = {dt.date(2021, 10, d) for d in range(1, 8)}
    adjusted = {dt.date(2021, 9, 26), dt.date(2021, 10, 9)}
    # Thursday 2021-09-30 + 1 working day skips the holiday week (Friday 10-08); + 2 is Saturday 10-09 (调休).
    assert add_working_days(dt.date(2021, 9, 30), 1, national_day, adjusted) == dt.date(2021, 10, 8)
    assert add_working_days(dt.date(2021, 9, 30), 2, national_day, adjusted) == dt.date(2021, 10, 9)
    assert is_working_day(dt.date(2021, 9, 26), national_day, adjusted)


def test_negative_days_rejected() -> None:
    with pytest.raises(ValueError, match="days must be >= 0"):
        add_working_days(dt.date(2022, 1, 3), -1)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)), st.integers(0, 60))
def test_deadline_is_a_working_day_with_exactly_n_between(start: dt.date, n: int) -> None:
    end = add_working_days(start, n)
    assert end >= start
    if n:
        assert is_working_day(end)
    between = sum(is_working_day(start + dt.timedelta(days=k)) for k in range(1, (end - start).days + 1))
    assert between == n
