from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ganzhi.errors import InputError
from ganzhi.workdays.calendar import default_calendar, load_calendar
from ganzhi.workdays.rectification import rectification_deadline

CAL = default_calendar()


def test_covers_2020_to_2026_with_sources() -> None:
    assert set(range(2020, 2027)) <= CAL.years
    assert all("国务院办公厅" in CAL.sources[year] for year in range(2020, 2027))
    assert not CAL.covers(dt.date(2019, 6, 1))


def test_known_arrangements() -> None:
    assert not CAL.is_working_day(dt.date(2021, 10, 4))  # National Day, a Monday
    assert CAL.is_working_day(dt.date(2021, 10, 9))  # 调休 Saturday
    assert not CAL.is_working_day(dt.date(2020, 1, 31))  # Spring Festival extended to 2 Feb 2020
    assert not CAL.is_working_day(dt.date(2022, 12, 31))  # 2023 元旦 starts on 31 Dec 2022 (Saturday)
    assert not CAL.is_working_day(dt.date(2023, 1, 2))
    assert CAL.is_working_day(dt.date(2023, 1, 28))  # 调休 Saturday after Spring Festival


def test_published_notice_deadlines_are_five_working_days() -> None:
    # Two of the 通报 in supervision.yaml whose published deadline is exactly 5 working days later
    # (the others gave 4: the default is a configurable default, not a rule).
    pairs = [
        ((2021, 1, 22), (2021, 1, 29)),
        ((2022, 2, 18), (2022, 2, 25)),
    ]
    for issued, due in pairs:
        assert rectification_deadline(dt.date(*issued), 5) == dt.date(*due)


def test_deadline_skips_the_national_day_week() -> None:
    # Thursday 30 Sep 2021 + 5 working days: 8 Oct (Fri), 9 Oct (调休 Sat), 11, 12, 13 Oct.
    assert CAL.add_working_days(dt.date(2021, 9, 30), 5) == dt.date(2021, 10, 13)
    assert CAL.working_days_between(dt.date(2021, 9, 30), dt.date(2021, 10, 13)) == 5
    assert CAL.working_days_between(dt.date(2021, 10, 13), dt.date(2021, 9, 30)) == -5


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 12, 1)), st.integers(0, 40))
def test_deadline_is_a_working_day_with_exactly_n_between(start: dt.date, n: int) -> None:
    end = CAL.add_working_days(start, n)
    assert CAL.working_days_between(start, end) == n
    if n:
        assert CAL.is_working_day(end)
        # No earlier date reaches n working days.
        assert CAL.working_days_between(start, end - dt.timedelta(days=1)) == n - 1


def test_matches_the_chinese_calendar_package() -> None:
    cc = pytest.importorskip("chinese_calendar", reason="chinese-calendar not installed: used only as an oracle")
    day = dt.date(2020, 1, 1)
    mismatches = []
    while day <= dt.date(2026, 12, 31):
        if CAL.is_working_day(day) != cc.is_workday(day):
            mismatches.append(day.isoformat())
        day += dt.timedelta(days=1)
    assert mismatches == []


def test_users_extend_the_calendar(tmp_path: Path) -> None:
    extra = tmp_path / "2027.yaml"
    extra.write_text(
        "basis: test\nyears:\n  2027:\n    source: 测试\n    holidays:\n"
        "      - {name: 元旦, from: 2027-01-01, to: 2027-01-03}\n    adjusted_workdays: []\n",
        encoding="utf-8",
    )
    cal = load_calendar(extra=[extra])
    assert cal.covers(dt.date(2027, 1, 1))
    assert not cal.is_working_day(dt.date(2027, 1, 1))  # a Friday
    assert not cal.is_working_day(dt.date(2021, 10, 4))  # shipped years kept


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "basis: x\nyears:\n  2027:\n    source: s\n    holidays: []\n    adjusted_workdays: [2027-01-04]\n",
            "is a weekday",
        ),
        (
            "basis: x\nyears:\n  2027:\n    source: s\n    holidays:\n"
            "      - {name: a, from: 2027-02-02, to: 2027-02-01}\n",
            "before 'from'",
        ),
        ("years: [", "not valid YAML"),
    ],
)
def test_bad_calendar_files_name_the_problem(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        load_calendar(path)
    assert str(path) in str(info.value)
