"""Any task's issues can be drafted into a 通报 (halls, hotlines, tariff plans, not only apps), and the
notice's 整改期限 is the issues' own deadline, the one the issue queue shows."""

from __future__ import annotations

import datetime as dt

import pytest

from ganzhi.evidence.base import Subject
from ganzhi.supervision.publications import (
    PublicationKind,
    build_body,
    common_deadline,
    new_draft,
    select_issues,
)
from supervision.sv_factory import issue

AT = dt.datetime(2022, 3, 1, 2, 0, tzinfo=dt.UTC)


def test_t9_halls_are_published_only_when_not_limited_to_apps() -> None:
    hall = Subject(type="port_out_hall", id="hall-1", name="示例营业厅", enterprise="示例通信")
    found = [
        issue("h1", "hall-1", task="T9", subject=hall, deadline=dt.date(2022, 3, 14)),
        issue("h2", "hall-1", task="T9", subject=hall, deadline=dt.date(2022, 3, 22)),
    ]
    assert select_issues(found, tasks=["T9"]) == []  # the classic app 通报
    chosen = select_issues(found, tasks=["T9"], apps_only=False)
    assert [i.fingerprint for i in chosen] == ["h1", "h2"]
    rectify_by = common_deadline(chosen)
    assert rectify_by == dt.date(2022, 3, 22)
    body = build_body(PublicationKind.NOTICE, issues=chosen, rectify_by=rectify_by)
    assert body.notice and body.notice[0].app_name == "示例营业厅" and "3月22日前" in body.intro
    assert new_draft("pub-t9", body, created_by="inspector", at=AT).body["notice"]
    with pytest.raises(ValueError, match="would be empty"):
        new_draft("pub-empty", build_body(PublicationKind.NOTICE, issues=[]), created_by="inspector", at=AT)


def test_no_deadline_without_issues_that_have_one() -> None:
    assert common_deadline([]) is None
    assert common_deadline([issue("a", "com.a")]) is None
