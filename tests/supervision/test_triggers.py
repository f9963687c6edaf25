from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sv_factory import T0, issue

from ganzhi.catalog.loader import default_catalog
from ganzhi.catalog.schema import EnterpriseType
from ganzhi.errors import InputError
from ganzhi.evidence.status import Severity
from ganzhi.findings.models import IssueState, Transition
from ganzhi.supervision.ladder import Ladder
from ganzhi.supervision.ranking import RankEntry
from ganzhi.supervision.triggers import TriggerInput, load_rules, propose
from ganzhi.workdays.calendar import default_calendar

LADDER = Ladder.from_catalog(default_catalog())
TODAY = dt.date(2022, 3, 10)
OWNERS = {"app:com.a@1.0": "ent-a", "app:com.b@1.0": "ent-b"}


def _input(issues: list, transitions: list | None = None, rankings: dict | None = None) -> TriggerInput:
    return TriggerInput(
        issues=issues,
        transitions=transitions or [],
        enterprise_of=lambda i: OWNERS.get(i.subject.key),
        today=TODAY,
        calendar=default_calendar(),
        rankings=rankings or {},
    )


def test_shipped_rules_are_configurable_defaults() -> None:
    rules = load_rules()
    assert {r.kind.value for r in rules} == {"overdue", "reopened", "ranking_bottom"}
    assert all(p.basis.value == "configurable default" for r in rules for p in r.params)


def test_overdue_severe_issue_proposes_the_next_rung() -> None:
    items = [
        issue("late-high", "com.a", deadline=dt.date(2022, 2, 25)),
        issue("late-low", "com.b", deadline=dt.date(2022, 2, 25), severity=Severity.LOW),
        issue("not-yet", "com.b", deadline=dt.date(2022, 3, 20)),
    ]
    proposals = propose(load_rules(), _input(items), LADDER, {"ent-a": "interview"})
    assert [(p.enterprise_id, p.current_step, p.proposed_step) for p in proposals] == [
        ("ent-a", "interview", "public_criticism")
    ]
    assert proposals[0].fingerprints == ["late-high"]
    assert "逾期" in proposals[0].hits[0].reason.zh


def test_reopened_within_lookback() -> None:
    items = [issue(f"r{k}", "com.b", IssueState.REOPENED) for k in range(3)]
    moves = [
        Transition(
            fingerprint="r0",
            from_state=IssueState.FIXED,
            to_state=IssueState.REOPENED,
            actor="s",
            at=dt.datetime(2022, 3, 1, tzinfo=dt.UTC),
            reason="x",
        ),
        Transition(
            fingerprint="r1",
            from_state=IssueState.FIXED,
            to_state=IssueState.REOPENED,
            actor="s",
            at=dt.datetime(2022, 3, 2, tzinfo=dt.UTC),
            reason="x",
        ),
        Transition(
            fingerprint="r2",
            from_state=IssueState.FIXED,
            to_state=IssueState.REOPENED,
            actor="s",
            at=T0 - dt.timedelta(days=400),
            reason="too old",
        ),
    ]
    proposals = propose(load_rules(), _input(items, moves), LADDER, {})
    assert [(p.enterprise_id, p.proposed_step, p.fingerprints) for p in proposals] == [
        ("ent-b", "interview", ["r0", "r1"])
    ]


def test_bottom_of_ranking_only_when_enough_enterprises() -> None:
    def entry(eid: str, rank: int, score: float) -> RankEntry:
        return RankEntry(rank, eid, eid, EnterpriseType.INTERNET_COMPANY, score, 0)

    three = {EnterpriseType.INTERNET_COMPANY: [entry("x", 1, 99), entry("y", 2, 90), entry("z", 3, 80)]}
    assert [p.enterprise_id for p in propose(load_rules(), _input([], rankings=three), LADDER, {})] == ["z"]
    two = {EnterpriseType.INTERNET_COMPANY: [entry("x", 1, 99), entry("y", 2, 90)]}
    assert propose(load_rules(), _input([], rankings=two), LADDER, {}) == []


def test_bad_rules_file_names_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - id: x\n    kind: overdue\n    title: {zh: 测试}\n    params: []\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"lacks params \['min_count', 'min_severity'\]"):
        load_rules(path)
