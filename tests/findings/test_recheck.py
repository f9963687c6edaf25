"""The recheck diff (pure) and its application (state changes), by example and by property."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from findings.finding_factory import APP, HALL, T0, T1, T2, make_issue, make_result
from ganzhi.evidence.status import Status
from ganzhi.findings.lifecycle import ACTIVE_STATES, ALLOWED, CLOSED_STATES, SUPPRESSED_STATES
from ganzhi.findings.models import Issue, IssueState, Result
from ganzhi.findings.recheck import apply, diff

S = IssueState
DEADLINE = dt.date(2025, 6, 30)


def _by_fp(*issues: Issue) -> dict[str, Issue]:
    return {issue.fingerprint: issue for issue in issues}


def _deadline(_: Result) -> dt.date:
    return DEADLINE


def test_new_persisting_reopened_suppressed() -> None:
    open_r, fixed_r, waived_r, fp_r = (make_result(data={"sdk": s}, run_id="run-2") for s in "abcd")
    new_r = make_result(data={"sdk": "e"}, run_id="run-2")
    previous = _by_fp(
        make_issue(open_r, S.RECTIFYING),
        make_issue(fixed_r, S.VERIFIED),
        make_issue(waived_r, S.WAIVED),
        make_issue(fp_r, S.FALSE_POSITIVE),
    )
    found = diff(previous, [open_r, fixed_r, waived_r, fp_r, new_r])
    assert [r.fingerprint for r in found.new] == [new_r.fingerprint]
    assert [m.issue.fingerprint for m in found.persisting] == [open_r.fingerprint]
    assert [m.issue.fingerprint for m in found.reopened] == [fixed_r.fingerprint]
    assert {m.issue.fingerprint for m in found.suppressed} == {waived_r.fingerprint, fp_r.fingerprint}
    assert found.fixed == found.unchecked == []
    assert found.baseline_states() == {
        new_r.fingerprint: "new",
        fixed_r.fingerprint: "new",
        open_r.fingerprint: "unchanged",
        waived_r.fingerprint: "unchanged",
        fp_r.fingerprint: "unchanged",
    }


def test_fixed_needs_a_verdict_on_the_same_check_and_subject() -> None:
    sdk_a = make_issue(make_result(data={"sdk": "a"}))
    sdk_b = make_issue(make_result(data={"sdk": "b"}))
    hall = make_issue(make_result(check_id="t9_port_hall_list", subject=HALL, data={"sdk": "x"}))
    results = [make_result(data={"sdk": "a"}, run_id="run-2"), make_result(status=Status.PASS, data={})]
    found = diff(_by_fp(sdk_a, sdk_b, hall), results)
    assert [i.fingerprint for i in found.fixed] == [sdk_b.fingerprint]
    assert [i.fingerprint for i in found.unchecked] == [hall.fingerprint]  # its check did not run
    assert [m.issue.fingerprint for m in found.persisting] == [sdk_a.fingerprint]
    assert found.baseline_states()[sdk_b.fingerprint] == "absent"


def test_error_and_manual_do_not_fix() -> None:
    issue = make_issue(make_result(data={"sdk": "a"}))
    other = make_issue(make_result(data={"sdk": "b"}))
    previous = _by_fp(issue, other)
    error_only = [make_result(status=Status.ERROR, data={})]
    assert diff(previous, error_only).fixed == []
    crashed_after_a_pass = [
        make_result(status=Status.PASS, data={}),
        make_result(status=Status.ERROR, data={}),
    ]
    assert diff(previous, crashed_after_a_pass).fixed == []
    manual_on_a = [
        make_result(status=Status.PASS, data={}),
        make_result(status=Status.MANUAL, data={"sdk": "a"}),
    ]
    found = diff(previous, manual_on_a)
    assert [i.fingerprint for i in found.fixed] == [other.fingerprint]
    assert [i.fingerprint for i in found.unchecked] == [issue.fingerprint]


def test_warn_and_not_applicable_are_verdicts() -> None:
    issue = make_issue(make_result(data={"sdk": "a"}))
    for status in (Status.WARN, Status.NOT_APPLICABLE, Status.PASS):
        assert diff(_by_fp(issue), [make_result(status=status, data={"sdk": "a"})]).fixed == [issue]


def test_scope_limits_what_may_be_fixed_but_not_matching() -> None:
    in_scope = make_issue(make_result(data={"sdk": "a"}))
    out_of_scope = make_issue(make_result(data={"sdk": "b"}), S.OPEN, task="T7")
    failing_out_of_scope = make_issue(make_result(data={"sdk": "c"}), S.OPEN, task="T7")
    results = [make_result(status=Status.PASS, data={}), make_result(data={"sdk": "c"})]
    found = diff(_by_fp(in_scope, out_of_scope, failing_out_of_scope), results, scope=lambda i: i.task == "T11")
    assert found.fixed == [in_scope]
    assert [m.issue for m in found.persisting] == [failing_out_of_scope]
    assert found.new == []


def test_results_that_do_not_create_issues_never_open_them() -> None:
    quiet = make_result(data={"sdk": "q"}, creates_issues=False)
    closed = make_issue(make_result(data={"sdk": "z"}), S.FIXED)
    found = diff(_by_fp(closed), [quiet, make_result(data={"sdk": "z"}, creates_issues=False)])
    assert found.new == found.reopened == []
    outcome = apply(_by_fp(closed), [quiet], run_id="run-2", at=T1, deadline_for=_deadline)
    assert outcome.issues == outcome.transitions == []


def test_apply_changes_states_with_audit() -> None:
    persisting = make_issue(make_result(data={"sdk": "p"}))
    fixed_now = make_issue(make_result(data={"sdk": "f"}), S.REOPENED)
    reopened = make_issue(make_result(data={"sdk": "r"}), S.FIXED, deadline=dt.date(2025, 1, 1))
    expired = make_issue(make_result(data={"sdk": "w"}), S.WAIVED, waiver_expires=T1 - dt.timedelta(days=1))
    waived = make_issue(make_result(data={"sdk": "v"}), S.WAIVED, waiver_expires=T2)
    results = [make_result(data={"sdk": s}, run_id="run-2") for s in ("p", "r", "w", "v", "n")]
    results.append(make_result(status=Status.PASS, data={}, run_id="run-2"))
    outcome = apply(
        _by_fp(persisting, fixed_now, reopened, expired, waived),
        results,
        run_id="run-2",
        at=T1,
        deadline_for=_deadline,
    )
    changed = {issue.fingerprint: issue for issue in outcome.issues}
    by_to = {(t.fingerprint, t.to_state): t for t in outcome.transitions}
    new_fp = results[4].fingerprint
    assert changed[new_fp].state is S.OPEN
    assert changed[new_fp].deadline == DEADLINE
    assert changed[reopened.fingerprint].state is S.REOPENED
    assert changed[reopened.fingerprint].deadline == DEADLINE
    assert changed[fixed_now.fingerprint].state is S.FIXED
    fixed_record = by_to[(fixed_now.fingerprint, S.FIXED)]
    assert fixed_record.actor == "system"
    assert "run-2" in fixed_record.reason
    assert fixed_record.run_id == "run-2"
    assert changed[expired.fingerprint].state is S.REOPENED  # waiver ran out, the FAIL now persists
    assert changed[expired.fingerprint].last_run_id == "run-2"
    assert changed[persisting.fingerprint].state is S.OPEN
    assert changed[persisting.fingerprint].last_run_id == "run-2"
    assert changed[waived.fingerprint].state is S.WAIVED  # suppressed: seen, not changed
    assert changed[waived.fingerprint].last_run_id == "run-2"
    assert [m.issue.fingerprint for m in outcome.diff.suppressed] == [waived.fingerprint]
    assert {(t.fingerprint, t.from_state, t.to_state) for t in outcome.transitions} == {
        (new_fp, None, S.OPEN),
        (reopened.fingerprint, S.FIXED, S.REOPENED),
        (fixed_now.fingerprint, S.REOPENED, S.FIXED),
        (expired.fingerprint, S.WAIVED, S.REOPENED),
    }


# --- properties -------------------------------------------------------------------------------------

CHECKS = ["t11_sdk_inventory", "t4_close_control"]
SUBJECTS = [APP, HALL]
SDKS = ["a", "b", "c"]
STATUSES = list(Status)

result_specs = st.tuples(
    st.sampled_from(CHECKS),
    st.sampled_from(SUBJECTS),
    st.sampled_from(SDKS),
    st.sampled_from(STATUSES),
    st.booleans(),
)
issue_specs = st.tuples(
    st.sampled_from(CHECKS),
    st.sampled_from(SUBJECTS),
    st.sampled_from(SDKS),
    st.sampled_from(list(S)),
    st.sampled_from([T0, T2]),
)


def _world(issue_rows, result_rows, run_id: str = "run-2") -> tuple[dict[str, Issue], list[Result]]:
    previous: dict[str, Issue] = {}
    for check, subject, sdk, state, expires in issue_rows:
        base = make_result(check_id=check, subject=subject, data={"sdk": sdk}, run_id="run-1")
        previous[base.fingerprint] = make_issue(base, state, waiver_expires=expires if state is S.WAIVED else None)
    results = [
        make_result(
            check_id=check,
            subject=subject,
            data={"sdk": sdk},
            status=status,
            creates_issues=creates,
            run_id=run_id,
        )
        for check, subject, sdk, status, creates in result_rows
    ]
    return previous, results


@settings(max_examples=300, deadline=None)
@given(st.lists(issue_specs, max_size=10), st.lists(result_specs, max_size=14), st.booleans())
def test_classes_partition_the_in_scope_fingerprints(issue_rows, result_rows, scoped: bool) -> None:
    previous, results = _world(issue_rows, result_rows)

    def scope(issue: Issue) -> bool:
        return not scoped or issue.subject.key == APP.key

    found = diff(previous, results, scope)
    classes = found.fingerprints()
    names = list(classes)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            assert not classes[first] & classes[second], (first, second)

    failing = {r.fingerprint for r in results if r.status is Status.FAIL}
    findings = {r.fingerprint for r in results if r.is_finding}
    errored = {(r.check_id, r.subject.key) for r in results if r.status is Status.ERROR}
    not_closed = {fp for fp, i in previous.items() if i.state not in CLOSED_STATES}
    active_in_scope = {fp for fp, i in previous.items() if i.state in ACTIVE_STATES and scope(i)}
    # In scope: every issue-creating FAIL, every FAIL on an active or suppressed issue, and every active
    # in-scope issue that did not fail (fixed if rechecked, else unchecked). Each lands in exactly one class.
    in_scope = (findings | (failing & not_closed)) | (active_in_scope - failing)
    assert set().union(*classes.values()) == in_scope
    assert active_in_scope - failing == classes["fixed"] | classes["unchecked"]

    assert classes["new"].isdisjoint(previous)
    assert all(previous[fp].state in ACTIVE_STATES for fp in classes["persisting"])
    assert all(previous[fp].state in CLOSED_STATES for fp in classes["reopened"])
    assert all(previous[fp].state in SUPPRESSED_STATES for fp in classes["suppressed"])
    for fp in classes["fixed"]:
        issue = previous[fp]
        assert (issue.check_id, issue.subject.key) not in errored
        assert any(r.check_id == issue.check_id and r.subject.key == issue.subject.key for r in results)


@settings(max_examples=200, deadline=None)
@given(st.lists(issue_specs, max_size=10), st.lists(result_specs, max_size=14))
def test_applying_the_same_results_twice_is_idempotent(issue_rows, result_rows) -> None:
    previous, results = _world(issue_rows, result_rows)
    first = apply(previous, results, run_id="run-2", at=T1, deadline_for=_deadline)
    after = {**previous, **{issue.fingerprint: issue for issue in first.issues}}
    second = apply(after, results, run_id="run-2", at=T1, deadline_for=_deadline)
    assert second.diff.new == second.diff.reopened == second.diff.fixed == []
    assert second.transitions == []
    assert second.issues == []


@settings(max_examples=200, deadline=None)
@given(st.lists(issue_specs, max_size=10), st.lists(result_specs, max_size=14))
def test_every_state_change_is_an_allowed_audited_transition(issue_rows, result_rows) -> None:
    previous, results = _world(issue_rows, result_rows)
    outcome = apply(previous, results, run_id="run-2", at=T1, deadline_for=_deadline)
    records: dict[str, list] = {}
    for record in outcome.transitions:
        assert record.actor == "system"
        assert record.reason.strip()
        assert record.at == T1
        if record.from_state is not None:
            assert record.to_state in ALLOWED[record.from_state]
        records.setdefault(record.fingerprint, []).append(record)
    for issue in outcome.issues:
        before = previous.get(issue.fingerprint)
        chain = records.get(issue.fingerprint, [])
        if before is None:
            assert chain[0].from_state is None
            assert issue.state is S.OPEN
        elif before.state is not issue.state:
            assert chain, f"{issue.fingerprint}: {before.state} → {issue.state} without a transition"
            assert chain[0].from_state is before.state
            assert chain[-1].to_state is issue.state
        else:
            assert not chain
        for earlier, later in itertools.pairwise(chain):
            assert earlier.to_state is later.from_state
