from __future__ import annotations

import datetime as dt

import pytest
from sv_factory import issue

from ganzhi.findings.models import IssueState
from ganzhi.supervision.reminders import UNASSIGNED, deadline_status, overdue, reminders


def test_deadline_status_counts_working_days() -> None:
    item = issue("fp1", "com.a", deadline=dt.date(2021, 10, 8))
    status = deadline_status(item, dt.date(2021, 9, 30))
    assert status is not None
    assert status.working_days_left == 1  # the National Day week is not counted
    assert not status.overdue


def test_overdue_even_when_the_following_days_are_holidays() -> None:
    item = issue("fp1", "com.a", deadline=dt.date(2021, 9, 30))
    status = deadline_status(item, dt.date(2021, 10, 2))
    assert status is not None
    assert status.overdue
    assert status.working_days_left == -1


def test_closed_or_undated_issues_have_no_status() -> None:
    assert deadline_status(issue("fp1", "com.a"), dt.date(2022, 1, 1)) is None
    fixed = issue("fp2", "com.a", IssueState.FIXED, deadline=dt.date(2021, 1, 4))
    assert deadline_status(fixed, dt.date(2022, 1, 1)) is None


def test_reminders_group_by_enterprise() -> None:
    today = dt.date(2022, 2, 21)  # Monday
    items = [
        issue("late", "com.a", deadline=dt.date(2022, 2, 18)),
        issue("soon", "com.a", deadline=dt.date(2022, 2, 23)),
        issue("later", "com.a", deadline=dt.date(2022, 3, 4)),
        issue("orphan", "com.z", deadline=dt.date(2022, 2, 22)),
    ]
    owners = {"app:com.a@1.0": "ent-a"}
    grouped = reminders(items, today, 2, lambda i: owners.get(i.subject.key))
    assert {k: [s.issue.fingerprint for s in v] for k, v in grouped.items()} == {
        "ent-a": ["late", "soon"],
        UNASSIGNED: ["orphan"],
    }
    assert [s.issue.fingerprint for s in overdue(items, today)] == ["late"]
    with pytest.raises(ValueError, match="within_working_days must be >= 0"):
        reminders(items, today, -1, lambda i: None)
