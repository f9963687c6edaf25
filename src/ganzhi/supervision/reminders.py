"""Overdue detection and reminders: which active issues are past, or close to, their deadline.

Deadlines are counted in working days on the Chinese calendar (`calendar.WorkCalendar`), so "due
within 2 working days" on the Thursday before National Day means the Friday after it, not Saturday.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ganzhi.findings.lifecycle import ACTIVE_STATES
from ganzhi.findings.models import Issue
from ganzhi.workdays.calendar import WorkCalendar, default_calendar

#: Key used for issues whose subject no enterprise claims.
UNASSIGNED = "-"


@dataclass(frozen=True, slots=True)
class DeadlineStatus:
    """An active issue with a deadline, seen from `today`."""

    issue: Issue
    deadline: dt.date
    working_days_left: int

    @property
    def overdue(self) -> bool:
        """True once the deadline day has passed."""
        return self.working_days_left < 0


def deadline_status(issue: Issue, today: dt.date, calendar: WorkCalendar | None = None) -> DeadlineStatus | None:
    """The issue's position against its deadline; None when it has no deadline or is no longer active."""
    if issue.deadline is None or issue.state not in ACTIVE_STATES:
        return None
    cal = calendar or default_calendar()
    if today > issue.deadline:
        # Overdue by at least one day even when the days after the deadline are holidays.
        left = min(-1, -cal.working_days_between(issue.deadline, today))
    else:
        left = cal.working_days_between(today, issue.deadline)
    return DeadlineStatus(issue=issue, deadline=issue.deadline, working_days_left=left)


def overdue(issues: Iterable[Issue], today: dt.date, calendar: WorkCalendar | None = None) -> list[DeadlineStatus]:
    """Active issues whose deadline is before `today`, most overdue first."""
    found = [s for s in (deadline_status(i, today, calendar) for i in issues) if s is not None and s.overdue]
    return sorted(found, key=lambda s: (s.deadline, s.issue.fingerprint))


def reminders(
    issues: Iterable[Issue],
    today: dt.date,
    within_working_days: int,
    enterprise_of: Callable[[Issue], str | None],
    calendar: WorkCalendar | None = None,
) -> dict[str, list[DeadlineStatus]]:
    """Per enterprise: active issues overdue or due within `within_working_days` working days of `today`."""
    if within_working_days < 0:
        raise ValueError(f"within_working_days must be >= 0 (got {within_working_days})")
    grouped: dict[str, list[DeadlineStatus]] = {}
    for issue in issues:
        status = deadline_status(issue, today, calendar)
        if status is None or status.working_days_left > within_working_days:
            continue
        grouped.setdefault(enterprise_of(issue) or UNASSIGNED, []).append(status)
    return {
        key: sorted(items, key=lambda s: (s.deadline, s.issue.fingerprint)) for key, items in sorted(grouped.items())
    }
