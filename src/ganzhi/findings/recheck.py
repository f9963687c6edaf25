"""The recheck: sort a run's results against the tracked issues, then apply the state changes.

`diff` is a pure function of (previous issues, this run's results), so it can be tested exhaustively;
`apply` turns the diff into new issues and audited transitions. Matching is by fingerprint only.

Classes (each in-scope fingerprint lands in exactly one):

- ``new``: an issue-creating FAIL with no previous issue;
- ``persisting``: a FAIL on an active issue (OPEN, RECTIFYING, REOPENED);
- ``reopened``: an issue-creating FAIL on a closed issue (FIXED, VERIFIED);
- ``suppressed``: a FAIL on a WAIVED or FALSE_POSITIVE issue (recorded, no state change);
- ``fixed``: an active issue in scope whose check reached a verdict on the same subject in this run
  without failing for that fingerprint.

"Reached a verdict" is strict, because closing an issue that was not really rechecked is the worst
recheck bug: the (check, subject) pair must have at least one PASS, WARN, NOT_APPLICABLE or FAIL result,
no ERROR result (a check that crashed proves nothing about the findings it did not report), and no
MANUAL result with the issue's fingerprint. Active in-scope issues that were not rechecked are listed
in ``unchecked`` so a look-back can report them; they change nothing.

`scope` only limits which previous issues may be closed as fixed (a partial run must not close issues
of other campaigns). A FAIL always matches its previous issue by fingerprint, whatever the scope, so an
issue is never duplicated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ganzhi.evidence.status import Status
from ganzhi.findings.lifecycle import (
    ACTIVE_STATES,
    CLOSED_STATES,
    SUPPRESSED_STATES,
    SYSTEM_ACTOR,
    expire_waivers,
    open_issue,
    transition,
)
from ganzhi.findings.models import Issue, IssueState, Result, Transition

BaselineState = Literal["new", "unchanged", "absent"]

_VERDICTS = frozenset({Status.PASS, Status.WARN, Status.NOT_APPLICABLE, Status.FAIL})


@dataclass(frozen=True, slots=True)
class Match:
    """A failing result of this run paired with the issue it belongs to."""

    issue: Issue
    result: Result


@dataclass(frozen=True, slots=True)
class RecheckDiff:
    """How this run's results relate to the tracked issues (see the module docstring)."""

    new: list[Result] = field(default_factory=list)
    persisting: list[Match] = field(default_factory=list)
    fixed: list[Issue] = field(default_factory=list)
    reopened: list[Match] = field(default_factory=list)
    suppressed: list[Match] = field(default_factory=list)
    unchecked: list[Issue] = field(default_factory=list)

    def fingerprints(self) -> dict[str, set[str]]:
        """Fingerprints per class, for reports and partition checks."""
        return {
            "new": {r.fingerprint for r in self.new},
            "persisting": {m.issue.fingerprint for m in self.persisting},
            "fixed": {i.fingerprint for i in self.fixed},
            "reopened": {m.issue.fingerprint for m in self.reopened},
            "suppressed": {m.issue.fingerprint for m in self.suppressed},
            "unchecked": {i.fingerprint for i in self.unchecked},
        }

    def baseline_states(self) -> dict[str, BaselineState]:
        """SARIF ``baselineState`` per fingerprint: reopened counts as new (absent from the last run)."""
        states: dict[str, BaselineState] = {}
        for result in self.new:
            states[result.fingerprint] = "new"
        for match in self.reopened:
            states[match.issue.fingerprint] = "new"
        for match in (*self.persisting, *self.suppressed):
            states[match.issue.fingerprint] = "unchanged"
        for issue in self.fixed:
            states[issue.fingerprint] = "absent"
        return states


def _pair(result: Result) -> tuple[str, str]:
    return result.check_id, result.subject.key


@dataclass(slots=True)
class _RunIndex:
    """What this run says, indexed: failures by fingerprint and which (check, subject) got a verdict."""

    failing: dict[str, Result] = field(default_factory=dict)
    verdicts: set[tuple[str, str]] = field(default_factory=set)
    errored: set[tuple[str, str]] = field(default_factory=set)
    manual: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, results: Sequence[Result]) -> _RunIndex:
        index = cls()
        for result in results:
            if result.status is Status.ERROR:
                index.errored.add(_pair(result))
            elif result.status is Status.MANUAL:
                index.manual.add(result.fingerprint)
            if result.status in _VERDICTS:
                index.verdicts.add(_pair(result))
            if result.status is Status.FAIL:
                # Several FAILs with one fingerprint: the first that creates issues stands for all.
                known = index.failing.get(result.fingerprint)
                if known is None or (result.creates_issues and not known.creates_issues):
                    index.failing[result.fingerprint] = result
        return index

    def rechecked(self, issue: Issue) -> bool:
        """The issue's check reached a verdict on its subject, without ERROR or MANUAL for it."""
        pair = (issue.check_id, issue.subject.key)
        return pair in self.verdicts and pair not in self.errored and issue.fingerprint not in self.manual


def _classify_failure(out: RecheckDiff, issue: Issue | None, result: Result) -> None:
    if issue is None:
        if result.creates_issues:
            out.new.append(result)
    elif issue.state in ACTIVE_STATES:
        out.persisting.append(Match(issue, result))
    elif issue.state in SUPPRESSED_STATES:
        out.suppressed.append(Match(issue, result))
    elif issue.state in CLOSED_STATES and result.creates_issues:
        out.reopened.append(Match(issue, result))


def diff(
    previous: Mapping[str, Issue],
    results: Sequence[Result],
    scope: Callable[[Issue], bool] | None = None,
) -> RecheckDiff:
    """Classify this run's results against `previous` (fingerprint → issue); pure, no state change."""
    out = RecheckDiff()
    index = _RunIndex.of(results)
    for fp, result in index.failing.items():
        _classify_failure(out, previous.get(fp), result)
    for fp, issue in previous.items():
        if fp in index.failing or issue.state not in ACTIVE_STATES:
            continue
        if scope is not None and not scope(issue):
            continue
        (out.fixed if index.rechecked(issue) else out.unchecked).append(issue)
    return out


@dataclass(frozen=True, slots=True)
class RecheckOutcome:
    """The diff plus what it changed: new or updated issues and their audit records."""

    diff: RecheckDiff
    issues: list[Issue]
    transitions: list[Transition]


def _seen(issue: Issue, run_id: str, at: dt.datetime) -> Issue | None:
    """The issue with `last_run_id` moved to this run, or None when it already is there."""
    if issue.last_run_id == run_id:
        return None
    return issue.model_copy(update={"last_run_id": run_id, "updated_at": at})


def apply(
    previous: Mapping[str, Issue],
    results: Sequence[Result],
    *,
    run_id: str,
    at: dt.datetime,
    deadline_for: Callable[[Result], dt.date | None],
    scope: Callable[[Issue], bool] | None = None,
) -> RecheckOutcome:
    """Diff, then: new → OPEN, closed + FAIL → REOPENED, active + not failing → FIXED, seen → last run.

    Expired waivers are reopened first (at `at`), so a FAIL on them persists instead of being
    suppressed. Applying the same results twice changes nothing the second time.
    """
    current: dict[str, Issue] = dict(previous)
    changed: dict[str, Issue] = {}
    transitions: list[Transition] = []

    for issue, record in expire_waivers(current.values(), at):
        current[issue.fingerprint] = changed[issue.fingerprint] = issue
        transitions.append(record)

    found = diff(current, results, scope)

    for result in found.new:
        issue, record = open_issue(result, at=at, deadline=deadline_for(result))
        changed[issue.fingerprint] = issue
        transitions.append(record)

    for match in found.reopened:
        issue, record = transition(
            match.issue,
            IssueState.REOPENED,
            actor=SYSTEM_ACTOR,
            reason=f"复查运行 {run_id} 再次检出 (run {run_id}: {match.result.check_id} failed again)",
            at=at,
            run_id=run_id,
        )
        issue = issue.model_copy(update={"deadline": deadline_for(match.result), "message": match.result.message})
        changed[issue.fingerprint] = issue
        transitions.append(record)

    for fixed in found.fixed:
        issue, record = transition(
            fixed,
            IssueState.FIXED,
            actor=SYSTEM_ACTOR,
            reason=f"复查运行 {run_id} 未再检出 (run {run_id}: {fixed.check_id} ran on "
            f"{fixed.subject.key} and did not fail)",
            at=at,
            run_id=run_id,
        )
        changed[issue.fingerprint] = issue
        transitions.append(record)

    for match in (*found.persisting, *found.suppressed):
        base = changed.get(match.issue.fingerprint, match.issue)
        seen = _seen(base, run_id, at)
        if seen is not None:
            changed[seen.fingerprint] = seen

    return RecheckOutcome(diff=found, issues=list(changed.values()), transitions=transitions)
