"""The issue state machine: the table, its guards, waivers, and random walks that stay inside it."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from findings.finding_factory import T0, T1, T2, make_issue, make_result
from ganzhi.errors import TransitionError
from ganzhi.evidence.status import Status
from ganzhi.findings.lifecycle import (
    ACTIVE_STATES,
    ALLOWED,
    CLOSED_STATES,
    SUPPRESSED_STATES,
    expire_waivers,
    open_issue,
    transition,
)
from ganzhi.findings.models import IssueState

S = IssueState

SPEC = {
    S.OPEN: {S.RECTIFYING, S.FIXED, S.WAIVED, S.FALSE_POSITIVE},
    S.RECTIFYING: {S.FIXED, S.WAIVED, S.FALSE_POSITIVE},
    S.FIXED: {S.VERIFIED, S.REOPENED},
    S.VERIFIED: {S.REOPENED},
    S.REOPENED: {S.RECTIFYING, S.FIXED, S.WAIVED, S.FALSE_POSITIVE},
    S.WAIVED: {S.REOPENED},
    S.FALSE_POSITIVE: {S.REOPENED},
}
ALL_PAIRS = [(a, b) for a in S for b in S]


def _move(state: IssueState, to: IssueState, at: dt.datetime = T1):
    issue = make_issue(make_result(), state)
    expires = at + dt.timedelta(days=30) if to is S.WAIVED else None
    return issue, transition(
        issue, to, actor="张三", reason="整改材料已提交", at=at, run_id="run-2", waiver_expires=expires
    )


def test_table_is_the_specified_one() -> None:
    assert {state: set(targets) for state, targets in ALLOWED.items()} == SPEC
    assert set(ALLOWED) == set(S)
    assert set(S) == ACTIVE_STATES | CLOSED_STATES | SUPPRESSED_STATES
    assert not (ACTIVE_STATES & CLOSED_STATES)
    assert not (ACTIVE_STATES & SUPPRESSED_STATES)
    assert not (CLOSED_STATES & SUPPRESSED_STATES)


@pytest.mark.parametrize(("src", "dst"), [p for p in ALL_PAIRS if p[1] in SPEC[p[0]]])
def test_allowed_transitions_are_audited(src: IssueState, dst: IssueState) -> None:
    before, (after, record) = _move(src, dst)
    assert after.state is dst
    assert after.updated_at == T1
    assert after.last_run_id == "run-2"
    assert after.fingerprint == before.fingerprint
    assert (record.from_state, record.to_state) == (src, dst)
    assert (record.actor, record.reason, record.at, record.run_id) == ("张三", "整改材料已提交", T1, "run-2")
    assert (after.waiver_expires is not None) == (dst is S.WAIVED)


@pytest.mark.parametrize(("src", "dst"), [p for p in ALL_PAIRS if p[1] not in SPEC[p[0]]])
def test_other_transitions_are_refused_with_a_clear_message(src: IssueState, dst: IssueState) -> None:
    issue = make_issue(make_result(), src)
    with pytest.raises(TransitionError) as caught:
        transition(issue, dst, actor="a", reason="r", at=T1, waiver_expires=T2 if dst is S.WAIVED else None)
    text = str(caught.value)
    assert issue.fingerprint in text
    assert f"{src.value} → {dst.value}" in text
    for target in SPEC[src]:
        assert target.value in text


def test_waiver_needs_a_future_expiry() -> None:
    issue = make_issue(make_result())
    with pytest.raises(TransitionError, match="needs waiver_expires"):
        transition(issue, S.WAIVED, actor="a", reason="r", at=T1)
    with pytest.raises(TransitionError, match="must be after"):
        transition(issue, S.WAIVED, actor="a", reason="r", at=T1, waiver_expires=T1)
    with pytest.raises(TransitionError, match="timezone-aware and a naive"):
        transition(issue, S.WAIVED, actor="a", reason="r", at=T1, waiver_expires=dt.datetime(2030, 1, 1))
    with pytest.raises(TransitionError, match="only valid for WAIVED"):
        transition(issue, S.FIXED, actor="a", reason="r", at=T1, waiver_expires=T2)
    waived, _ = transition(issue, S.WAIVED, actor="a", reason="r", at=T1, waiver_expires=T2)
    assert waived.waiver_expires == T2
    reopened, _ = transition(waived, S.REOPENED, actor="a", reason="revoked", at=T1)
    assert reopened.waiver_expires is None


@pytest.mark.parametrize(("actor", "reason"), [("", "r"), ("  ", "r"), ("a", ""), ("a", "\n")])
def test_actor_and_reason_are_required(actor: str, reason: str) -> None:
    with pytest.raises(TransitionError, match="must be non-empty"):
        transition(make_issue(make_result()), S.FIXED, actor=actor, reason=reason, at=T1)


def test_open_issue_from_a_failing_result() -> None:
    result = make_result(run_id="run-7")
    issue, record = open_issue(result, at=T0, deadline=dt.date(2025, 3, 31))
    assert issue.state is S.OPEN
    assert (issue.fingerprint, issue.first_run_id, issue.last_run_id) == (
        result.fingerprint,
        "run-7",
        "run-7",
    )
    assert issue.deadline == dt.date(2025, 3, 31)
    assert issue.message.zh == result.message.zh
    assert (record.from_state, record.to_state, record.actor, record.run_id) == (
        None,
        S.OPEN,
        "system",
        "run-7",
    )
    assert "run-7" in record.reason


@pytest.mark.parametrize(("status", "creates"), [(Status.PASS, True), (Status.WARN, True), (Status.FAIL, False)])
def test_only_issue_creating_failures_open_issues(status: Status, creates: bool) -> None:
    with pytest.raises(TransitionError, match=status.value):
        open_issue(make_result(status=status, creates_issues=creates), at=T0, deadline=None)


def test_expire_waivers_reopens_only_expired_ones() -> None:
    expired = make_issue(make_result(data={"sdk": "a"}), S.WAIVED, waiver_expires=T1)
    running = make_issue(make_result(data={"sdk": "b"}), S.WAIVED, waiver_expires=T2)
    no_expiry = make_issue(make_result(data={"sdk": "c"}), S.WAIVED, waiver_expires=None)
    open_one = make_issue(make_result(data={"sdk": "d"}), S.OPEN)
    changes = expire_waivers([expired, running, no_expiry, open_one], T1)
    assert [issue.fingerprint for issue, _ in changes] == [expired.fingerprint, no_expiry.fingerprint]
    for issue, record in changes:
        assert issue.state is S.REOPENED
        assert issue.waiver_expires is None
        assert (record.from_state, record.actor, record.at) == (S.WAIVED, "system", T1)
    assert T1.isoformat() in changes[0][1].reason
    assert "no expiry" in changes[1][1].reason


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(list(S)), st.sampled_from(["system", "李四", "auditor"])), max_size=25))
def test_random_walks_stay_inside_the_table(steps: list[tuple[IssueState, str]]) -> None:
    issue = make_issue(make_result())
    history = []
    at = T0
    for target, actor in steps:
        at = at + dt.timedelta(hours=1)
        before = issue.state
        expires = at + dt.timedelta(days=1) if target is S.WAIVED else None
        try:
            issue, record = transition(
                issue, target, actor=actor, reason=f"step to {target}", at=at, waiver_expires=expires
            )
        except TransitionError:
            assert target not in SPEC[before]
            assert issue.state is before
            continue
        assert target in SPEC[before]
        history.append(record)
        assert issue.state is target
        assert issue.state in SPEC  # a known state
    for earlier, later in itertools.pairwise(history):
        assert earlier.to_state is later.from_state
        assert earlier.at < later.at
    for record in history:
        assert record.actor
        assert record.reason
        assert record.at
        assert record.to_state in SPEC[record.from_state]  # type: ignore[index]
