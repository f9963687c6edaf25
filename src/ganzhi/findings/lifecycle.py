"""The issue lifecycle: one state enum, one table of allowed transitions, every change audited.

DefectDojo keeps eight independent status flags and its tracker fills with impossible states; here an
issue has exactly one `IssueState` and may only move along `ALLOWED`. Each move returns a new frozen
`Issue` and a `Transition` record (actor, reason, time, run) to store in the audit log.

The table::

    OPEN           → RECTIFYING, FIXED, WAIVED, FALSE_POSITIVE
    RECTIFYING     → FIXED, WAIVED, FALSE_POSITIVE     (not back to OPEN: a failed rectification is
                                                        still being rectified, and a recheck that
                                                        still fails leaves it RECTIFYING)
    FIXED          → VERIFIED, REOPENED
    VERIFIED       → REOPENED
    REOPENED       → RECTIFYING, FIXED, WAIVED, FALSE_POSITIVE
    WAIVED         → REOPENED                           (waiver expiry or revocation)
    FALSE_POSITIVE → REOPENED                           (the judgement is revoked)

An issue is only created by `open_issue` (no state → OPEN).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from ganzhi.errors import TransitionError
from ganzhi.findings.models import Issue, IssueState, Result, Transition

S = IssueState

ALLOWED: Mapping[IssueState, frozenset[IssueState]] = {
    S.OPEN: frozenset({S.RECTIFYING, S.FIXED, S.WAIVED, S.FALSE_POSITIVE}),
    S.RECTIFYING: frozenset({S.FIXED, S.WAIVED, S.FALSE_POSITIVE}),
    S.FIXED: frozenset({S.VERIFIED, S.REOPENED}),
    S.VERIFIED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.RECTIFYING, S.FIXED, S.WAIVED, S.FALSE_POSITIVE}),
    S.WAIVED: frozenset({S.REOPENED}),
    S.FALSE_POSITIVE: frozenset({S.REOPENED}),
}

#: The enterprise still has to act: a recheck that does not fail closes these as FIXED.
ACTIVE_STATES: frozenset[IssueState] = frozenset({S.OPEN, S.RECTIFYING, S.REOPENED})
#: Closed by a recheck or a look-back: a new failure reopens these.
CLOSED_STATES: frozenset[IssueState] = frozenset({S.FIXED, S.VERIFIED})
#: A person decided the failure does not count (for now): new failures are recorded, not reopened.
SUPPRESSED_STATES: frozenset[IssueState] = frozenset({S.WAIVED, S.FALSE_POSITIVE})

SYSTEM_ACTOR = "system"


def allowed_targets(state: IssueState) -> frozenset[IssueState]:
    """The states an issue in `state` may move to."""
    return ALLOWED[state]


def _names(states: Iterable[IssueState]) -> str:
    return ", ".join(sorted(s.value for s in states)) or "none"


def _require_text(value: str, what: str, fp: str) -> str:
    text = value.strip()
    if not text:
        raise TransitionError(f"issue {fp}: {what} must be non-empty text (got {value!r})")
    return text


def _same_clock(a: dt.datetime, b: dt.datetime, fp: str, what: str) -> None:
    if (a.tzinfo is None) != (b.tzinfo is None):
        raise TransitionError(
            f"issue {fp}: {what} mixes a timezone-aware and a naive time ({a.isoformat()} vs {b.isoformat()})"
        )


def transition(
    issue: Issue,
    to: IssueState,
    *,
    actor: str,
    reason: str,
    at: dt.datetime,
    run_id: str | None = None,
    waiver_expires: dt.datetime | None = None,
) -> tuple[Issue, Transition]:
    """Move `issue` to `to` if the table allows it; returns the new issue and its audit record.

    WAIVED needs a `waiver_expires` later than `at` (waivers must expire); leaving WAIVED clears it.
    Raises `TransitionError` naming the fingerprint, the states and the allowed targets.
    """
    fp = issue.fingerprint
    allowed = ALLOWED[issue.state]
    if to not in allowed:
        raise TransitionError(
            f"issue {fp}: transition {issue.state.value} → {to.value} is not allowed; "
            f"from {issue.state.value} the allowed targets are: {_names(allowed)}"
        )
    actor = _require_text(actor, "actor", fp)
    reason = _require_text(reason, "reason", fp)
    if to is S.WAIVED:
        if waiver_expires is None:
            raise TransitionError(f"issue {fp}: WAIVED needs waiver_expires (a time after {at.isoformat()})")
        _same_clock(waiver_expires, at, fp, "waiver_expires")
        if waiver_expires <= at:
            raise TransitionError(
                f"issue {fp}: waiver_expires must be after the transition time {at.isoformat()} "
                f"(got {waiver_expires.isoformat()})"
            )
    elif waiver_expires is not None:
        raise TransitionError(f"issue {fp}: waiver_expires is only valid for WAIVED (got it for {to.value})")
    updated = issue.model_copy(
        update={
            "state": to,
            "updated_at": at,
            "waiver_expires": waiver_expires if to is S.WAIVED else None,
            "last_run_id": run_id or issue.last_run_id,
        }
    )
    record = Transition(
        fingerprint=fp,
        from_state=issue.state,
        to_state=to,
        actor=actor,
        at=at,
        reason=reason,
        run_id=run_id,
    )
    return updated, record


def open_issue(result: Result, *, at: dt.datetime, deadline: dt.date | None) -> tuple[Issue, Transition]:
    """A new OPEN issue from a failing result (no previous state), opened by the system."""
    if not result.is_finding:
        raise TransitionError(
            f"result {result.fingerprint} of {result.check_id} on {result.subject.key}: only an "
            f"issue-creating FAIL opens an issue (got status {result.status.value}, "
            f"creates_issues={result.creates_issues})"
        )
    issue = Issue(
        fingerprint=result.fingerprint,
        check_id=result.check_id,
        task=result.task,
        requirement_ids=list(result.requirement_ids),
        subject=result.subject,
        severity=result.severity,
        state=S.OPEN,
        title=result.title,
        message=result.message,
        opened_at=at,
        updated_at=at,
        first_run_id=result.run_id,
        last_run_id=result.run_id,
        deadline=deadline,
    )
    record = Transition(
        fingerprint=result.fingerprint,
        from_state=None,
        to_state=S.OPEN,
        actor=SYSTEM_ACTOR,
        at=at,
        reason=f"运行 {result.run_id} 检出不合规 (run {result.run_id}: {result.check_id} failed)",
        run_id=result.run_id,
    )
    return issue, record


def waiver_expired(issue: Issue, now: dt.datetime) -> bool:
    """True for a WAIVED issue whose waiver has run out (or that never had an expiry)."""
    if issue.state is not S.WAIVED:
        return False
    if issue.waiver_expires is None:
        return True
    _same_clock(issue.waiver_expires, now, issue.fingerprint, "waiver expiry check")
    return issue.waiver_expires <= now


def expire_waivers(issues: Iterable[Issue], now: dt.datetime) -> list[tuple[Issue, Transition]]:
    """Reopen every WAIVED issue whose waiver expired at or before `now`; others are left out."""
    changes: list[tuple[Issue, Transition]] = []
    for issue in issues:
        if not waiver_expired(issue, now):
            continue
        if issue.waiver_expires is None:
            reason = "豁免没有到期时间，重新打开 (waiver had no expiry)"
        else:
            stamp = issue.waiver_expires.isoformat()
            reason = f"豁免已于 {stamp} 到期 (waiver expired at {stamp})"
        changes.append(transition(issue, S.REOPENED, actor=SYSTEM_ACTOR, reason=reason, at=now))
    return changes
