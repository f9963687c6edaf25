"""Look-back: selection of closed issues, the verdict per issue (property-based), and a run on the store."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker
from sv_factory import T0, enterprise, issue, result

from ganzhi.catalog.loader import default_catalog
from ganzhi.demo.campaign import stage_evidence
from ganzhi.evidence.base import Subject
from ganzhi.evidence.status import Status
from ganzhi.findings.models import Issue, IssueState, Result
from ganzhi.store import publication_repo as prepo
from ganzhi.store import repositories as repo
from ganzhi.store import supervision_repo as srepo
from ganzhi.store.db import session_scope
from ganzhi.supervision.campaigns import new_campaign
from ganzhi.supervision.lookback import (
    LookbackSelection,
    Verdict,
    judge,
    latest_per_kind,
    select_closed,
)
from ganzhi.supervision.ownership import Ownership
from ganzhi.supervision.registry_io import DEMO_ENTERPRISES, read_enterprises
from ganzhi.usecases.inspection import inspect
from ganzhi.usecases.lookback_run import NothingToLookBack, run_lookback

OWNERS = Ownership.build([enterprise("dev-a", 1), enterprise("dev-b", 2)])

APPS = ["app.a", "app.b"]
TASKS = ["T4", "T6"]
STATUSES = [Status.PASS, Status.FAIL, Status.ERROR, Status.MANUAL, Status.WARN, Status.NOT_APPLICABLE]


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Issue], list[Result]]:
    pairs = [(t, a) for t in TASKS for a in APPS]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=4, unique=True))
    selected = [
        issue(f"fp-{t}-{a}", a, draw(st.sampled_from([IssueState.FIXED, IssueState.VERIFIED])), task=t)
        for t, a in chosen
    ]
    results = []
    for t, a in pairs:
        for status in draw(st.lists(st.sampled_from(STATUSES), max_size=3)):
            fp = f"fp-{t}-{a}" if status in (Status.FAIL, Status.MANUAL) and draw(st.booleans()) else f"other-{t}-{a}"
            results.append(result(fp, a, task=t, status=status, run_id="lb"))
    return selected, results


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_every_selected_issue_gets_one_consistent_verdict(scenario: tuple[list[Issue], list[Result]]) -> None:
    selected, results = scenario
    lines = judge(selected, results, OWNERS, {})
    assert [line.fingerprint for line in lines] == [i.fingerprint for i in selected]
    for line in lines:
        same = [r for r in results if r.fingerprint == line.fingerprint]
        pair = [r for r in results if r.check_id == line.check_id and r.subject.key == line.subject_key]
        failed_again = any(r.status is Status.FAIL for r in same)
        assert (line.verdict is Verdict.REOPENED) == failed_again
        if line.verdict is Verdict.CONFIRMED:
            assert not any(r.status is Status.ERROR for r in pair)
            assert not any(r.status is Status.MANUAL for r in same)
            assert any(r.status in (Status.PASS, Status.WARN, Status.NOT_APPLICABLE, Status.FAIL) for r in pair)
        if not pair:
            assert line.verdict in (Verdict.NOT_RECHECKED, Verdict.RECURRED)


def test_recurred_on_a_new_version() -> None:
    (old,) = [issue("fp-old", "app.a", IssueState.FIXED)]
    new = result("fp-new", "app.a").model_copy(update={"subject": Subject(type="app", id="app.a", version="2.0")})
    (line,) = judge([old], [new], OWNERS, {})
    assert line.verdict is Verdict.RECURRED and line.related == ("fp-new",)


def test_select_closed_by_task_state_and_date() -> None:
    issues = [
        issue("a", "app.a", IssueState.FIXED, task="T4", updated_at=T0),
        issue("b", "app.a", IssueState.VERIFIED, task="T6", updated_at=T0 + dt.timedelta(days=30)),
        issue("c", "app.b", IssueState.OPEN, task="T4"),
    ]
    every = select_closed(issues, LookbackSelection(), OWNERS)
    assert [i.fingerprint for i in every] == ["a", "b"]
    assert [i.fingerprint for i in select_closed(issues, LookbackSelection(tasks=["T6"]), OWNERS)] == ["b"]
    later = LookbackSelection(closed_from=(T0 + dt.timedelta(days=1)).date())
    assert [i.fingerprint for i in select_closed(issues, later, OWNERS)] == ["b"]
    assert select_closed(issues, LookbackSelection(enterprise_ids=["dev-a"]), OWNERS) == []


def test_latest_per_kind_keeps_the_newest_item() -> None:
    old, new = stage_evidence("inspection"), stage_evidence("lookback")
    kept = latest_per_kind([*old, *new])
    assert len(kept) == len(new) and {e.id for e in kept} == {e.id for e in new}


def _seed_demo(sessions: sessionmaker[Session]) -> None:
    imported = read_enterprises(DEMO_ENTERPRISES)
    with session_scope(sessions) as session:
        for item in imported.enterprises:
            srepo.upsert_enterprise(session, item)
        campaign = new_campaign(
            default_catalog(), campaign_id="c2022", name="演示", starts=dt.date(2022, 1, 1), ends=dt.date(2022, 12, 31)
        )
        srepo.save_campaign(session, campaign)
    inspect(stage_evidence("inspection"), sessions, tasks=["T6", "T7"])
    inspect(stage_evidence("recheck"), sessions, tasks=["T6", "T7"])


def test_lookback_reopens_with_new_deadline_verifies_the_rest_and_records_a_round(
    sessions: sessionmaker[Session],
) -> None:
    _seed_demo(sessions)
    with session_scope(sessions) as session:
        assert {i.state for i in repo.get_issues(session)} == {IssueState.FIXED}
    outcome = run_lookback(
        sessions, "lb-1", LookbackSelection(), actor="王五", evidence=stage_evidence("lookback"), campaign_id="c2022"
    )
    counts = outcome.report.counts
    assert counts == {"reopened": 1, "recurred": 0, "confirmed": 2, "not_rechecked": 0}
    assert outcome.inspection.diff.fingerprints()["reopened"] == {
        line.fingerprint for line in outcome.report.lines if line.verdict is Verdict.REOPENED
    }
    (reopened,) = [line for line in outcome.report.lines if line.verdict is Verdict.REOPENED]
    assert reopened.enterprise_id == "demo-video" and reopened.deadline is not None
    assert outcome.round_key == "c2022:1"
    with session_scope(sessions) as session:
        states = {i.fingerprint: i.state for i in repo.get_issues(session)}
        assert states[reopened.fingerprint] is IssueState.REOPENED
        assert sorted(s.value for s in states.values()) == ["REOPENED", "VERIFIED", "VERIFIED"]
        assert srepo.get_round(session, "c2022", 1).run_ids == [outcome.report.run_id]
        assert [t.fingerprint for t in srepo.reopenings_since(session, T0)] == [reopened.fingerprint]
        stored = prepo.get_lookback(session, "lb-1")
        assert stored["report"]["counts"] == counts
    # a second look-back on the stored (newest) evidence: only VERIFIED issues remain closed, and they hold
    again = run_lookback(sessions, "lb-2", LookbackSelection(states=[IssueState.VERIFIED]), actor="王五")
    assert again.report.counts["confirmed"] == 2 and again.report.counts["reopened"] == 0


def test_nothing_to_look_back(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(NothingToLookBack, match="no closed"):
        run_lookback(sessions, "lb-x", LookbackSelection(), actor="王五")
