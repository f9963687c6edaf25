"""China's working-day calendar as data: public holidays and adjusted working days (调休) per year.

The shipped file `data/holidays.yaml` holds the State Council arrangements for the years it names;
users extend it with files of the same format. Outside the covered years only weekends are rest
days, and `covers()` tells callers when that fallback is in force, so a report can say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ganzhi.errors import InputError
from ganzhi.workdays import deadlines

DEFAULT_CALENDAR = Path(__file__).parent / "data" / "holidays.yaml"
#: A holiday file is a few kB; anything far larger is not one.
MAX_CALENDAR_BYTES = 1_000_000
#: The longest holiday the State Council has set is 10 days (2020's extended Spring Festival).
MAX_HOLIDAY_DAYS = 31


class HolidaySpan(BaseModel):
    """One holiday from `from` to `to`, both included."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1)
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> HolidaySpan:
        if self.end < self.start:
            raise ValueError(f"holiday {self.name!r}: 'to' {self.end} is before 'from' {self.start}")
        if (self.end - self.start).days >= MAX_HOLIDAY_DAYS:
            raise ValueError(f"holiday {self.name!r}: longer than {MAX_HOLIDAY_DAYS} days ({self.start}..{self.end})")
        return self

    def days(self) -> list[dt.date]:
        """Every date of the holiday."""
        return [self.start + dt.timedelta(days=k) for k in range((self.end - self.start).days + 1)]


class YearArrangement(BaseModel):
    """One year's arrangement and the notice it comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(min_length=1)
    holidays: list[HolidaySpan]
    adjusted_workdays: list[dt.date] = Field(default_factory=list)


class CalendarFile(BaseModel):
    """A holiday file: its basis and the arrangement of each year."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    basis: str = Field(min_length=1)
    years: dict[int, YearArrangement]

    @model_validator(mode="after")
    def _dates_in_their_year(self) -> CalendarFile:
        for year, arrangement in self.years.items():
            for span in arrangement.holidays:
                # 元旦 may start on 31 December of the previous year (2023's did).
                if year not in (span.start.year, span.end.year):
                    raise ValueError(
                        f"year {year}: holiday {span.name!r} ({span.start}..{span.end}) is in another year"
                    )
            for day in arrangement.adjusted_workdays:
                if day.year != year:
                    raise ValueError(f"year {year}: adjusted working day {day} is in another year")
                if day.weekday() < 5:
                    raise ValueError(f"year {year}: adjusted working day {day} is a weekday; expected a weekend day")
        return self


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Holidays and adjusted working days, with the years they are known for."""

    holidays: frozenset[dt.date] = frozenset()
    adjusted_workdays: frozenset[dt.date] = frozenset()
    years: frozenset[int] = frozenset()
    sources: Mapping[int, str] = field(default_factory=dict)

    def covers(self, day: dt.date) -> bool:
        """True when the holiday arrangement of `day`'s year is known (else weekends only)."""
        return day.year in self.years

    def is_working_day(self, day: dt.date) -> bool:
        """True when `day` is a working day."""
        return deadlines.is_working_day(day, self.holidays, self.adjusted_workdays)

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date `days` working days after `start` (the start day itself not counted)."""
        return deadlines.add_working_days(start, days, self.holidays, self.adjusted_workdays)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when `end` is before `start`."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(self.is_working_day(start + dt.timedelta(days=k)) for k in range(1, (end - start).days + 1))


def _read(path: Path) -> CalendarFile:
    try:
        size = path.stat().st_size
        if size > MAX_CALENDAR_BYTES:
            raise InputError(str(path), f"file too large ({size} bytes; expected at most {MAX_CALENDAR_BYTES})")
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read holiday calendar: {exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(str(path), f"not valid YAML: {exc}") from None
    try:
        return CalendarFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
        )
        raise InputError(str(path), f"not a holiday calendar: {problems}") from None


def build_calendar(files: Iterable[CalendarFile]) -> WorkCalendar:
    """Merge calendar files; a later file's year replaces the same year of an earlier file."""
    years: dict[int, YearArrangement] = {}
    for item in files:
        years.update(item.years)
    holidays = {day for arrangement in years.values() for span in arrangement.holidays for day in span.days()}
    adjusted = {day for arrangement in years.values() for day in arrangement.adjusted_workdays}
    clash = sorted(holidays & adjusted)
    if clash:
        raise ValueError(f"dates both holiday and adjusted working day: {[d.isoformat() for d in clash]}")
    return WorkCalendar(
        holidays=frozenset(holidays),
        adjusted_workdays=frozenset(adjusted),
        years=frozenset(years),
        sources={year: arrangement.source for year, arrangement in sorted(years.items())},
    )


def load_calendar(path: Path | None = None, extra: Sequence[Path] = ()) -> WorkCalendar:
    """The calendar from `path` (default: the shipped file), extended by `extra` files in order."""
    files = [_read(path or DEFAULT_CALENDAR), *(_read(p) for p in extra)]
    try:
        return build_calendar(files)
    except ValueError as exc:
        raise InputError(", ".join(str(p) for p in [path or DEFAULT_CALENDAR, *extra]), str(exc)) from None


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """The shipped calendar, loaded once per process."""
    return load_calendar()
