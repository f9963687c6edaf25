"""The rectification deadline of a new issue: the catalog's window in working days on China's calendar."""

from __future__ import annotations

import datetime as dt

from ganzhi.catalog.schema import Catalog
from ganzhi.errors import CatalogError
from ganzhi.workdays.calendar import default_calendar


def rectification_days(catalog: Catalog) -> int:
    """The window (configurable default 5 working days, from the 6–7 calendar days of MIIT's 通报)."""
    days = catalog.supervision.rectification_working_days.value
    if isinstance(days, bool) or not isinstance(days, int):
        raise CatalogError(f"supervision.rectification_working_days must be an integer (got {days!r})")
    return days


def rectification_deadline(start: dt.date, days: int) -> dt.date:
    """`days` working days after `start` (holidays and 调休 from the shipped calendar data)."""
    return default_calendar().add_working_days(start, days)


def deadline_from(catalog: Catalog, start: dt.date) -> dt.date:
    """The deadline of an issue opened on `start` under `catalog`'s rectification window."""
    return rectification_deadline(start, rectification_days(catalog))
