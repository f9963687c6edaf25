"""Look-back (回头看): re-test issues that were closed as fixed or verified, through the engine's inspection.

MIIT's practice (regulations.md §12) is to re-test previously rectified apps for the same problem. Here
a look-back selects closed issues (FIXED / VERIFIED) by task, enterprise and closing date, re-runs their
checks on new evidence (or the newest stored evidence of their subjects) with `engine.inspection.inspect`
— so the recheck reopens what fails again, gives it a new deadline and records the transition the
`reopened` trigger rule reads — and then reports each selected issue:

* ``reopened``      its check failed again with the same fingerprint (the issue is REOPENED);
* ``recurred``      the same check fails on another version of the same subject (a new issue was opened);
* ``confirmed``     its check reached a verdict on the subject and did not fail (FIXED → VERIFIED);
* ``not_rechecked`` no usable verdict (no evidence, an ERROR or a MANUAL result): nothing changes.

Whether an issue was "rechecked" is decided by the engine's own `recheck.diff`, asked how it would
judge the selected issues if they were still active; nothing here re-implements that rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ganzhi.evidence.base import Evidence
from ganzhi.evidence.status import Status
from ganzhi.findings.lifecycle import CLOSED_STATES, transition
from ganzhi.findings.models import Issue, IssueState, Result, Transition
from ganzhi.findings.recheck import diff
from ganzhi.supervision.ownership import Ownership, unversioned


class LookbackSelection(BaseModel):
    """Which closed issues to re-test (every filter given must hold; none = all closed issues)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tasks: list[str] = Field(default_factory=list)
    enterprise_ids: list[str] = Field(default_factory=list)
    closed_from: dt.date | None = None
    closed_to: dt.date | None = None
    fingerprints: list[str] = Field(default_factory=list)
    states: list[IssueState] = Field(default_factory=lambda: sorted(CLOSED_STATES))


def select_closed(issues: Iterable[Issue], selection: LookbackSelection, ownership: Ownership) -> list[Issue]:
    """Closed issues matching the selection; the closing date is the issue's last update (its closing move)."""
    states = set(selection.states) & CLOSED_STATES
    wanted_fps = set(selection.fingerprints)
    chosen = []
    for issue in issues:
        closed_on = issue.updated_at.date()
        if (
            issue.state in states
            and (not selection.tasks or issue.task in selection.tasks)
            and (not wanted_fps or issue.fingerprint in wanted_fps)
            and (not selection.enterprise_ids or ownership.operator_of(issue.subject) in selection.enterprise_ids)
            and (selection.closed_from is None or closed_on >= selection.closed_from)
            and (selection.closed_to is None or closed_on <= selection.closed_to)
        ):
            chosen.append(issue)
    return sorted(chosen, key=lambda i: (i.subject.key, i.check_id, i.fingerprint))


def scoped_evidence(evidence: Iterable[Evidence], issues: Sequence[Issue]) -> list[Evidence]:
    """Evidence about the selected issues' subjects, any version (a new version is re-tested too)."""
    keys = {unversioned(i.subject.key) for i in issues}
    return [item for item in evidence if unversioned(item.subject.key) in keys]


def latest_per_kind(evidence: Iterable[Evidence]) -> list[Evidence]:
    """The newest collection of each kind per subject: stored evidence accumulates, a re-test reads the latest.

    A kind may legitimately have several items per subject (an app's two PI lists are both `pi_list`),
    so every item collected at the newest time of its (subject, kind) is kept, older ones are dropped.
    """
    groups: dict[tuple[str, str], list[Evidence]] = {}
    for item in evidence:
        groups.setdefault((item.subject.key, item.kind), []).append(item)
    kept = []
    for items in groups.values():
        newest = max(item.collected_at for item in items)
        kept += [item for item in items if item.collected_at == newest]
    return sorted(kept, key=lambda e: (e.subject.key, e.kind, e.id))


class Verdict(StrEnum):
    """What the look-back found for one selected issue (see the module docstring)."""

    REOPENED = "reopened"
    RECURRED = "recurred"
    CONFIRMED = "confirmed"
    NOT_RECHECKED = "not_rechecked"


VERDICT_ZH = {
    Verdict.REOPENED: "整改不到位，问题复发",
    Verdict.RECURRED: "新版本仍存在同类问题",
    Verdict.CONFIRMED: "整改到位",
    Verdict.NOT_RECHECKED: "未能复测",
}


@dataclass(frozen=True, slots=True)
class LookbackLine:
    """One selected issue and what the look-back found."""

    fingerprint: str
    enterprise_id: str | None
    task: str
    check_id: str
    subject_key: str
    verdict: Verdict
    deadline: dt.date | None = None
    related: tuple[str, ...] = ()


def judge(
    selected: Sequence[Issue],
    results: Sequence[Result],
    ownership: Ownership,
    after: Mapping[str, Issue],
) -> list[LookbackLine]:
    """Classify each selected issue from the look-back run's results (pure)."""
    as_active = {i.fingerprint: i.model_copy(update={"state": IssueState.OPEN}) for i in selected}
    seen = diff(as_active, results).fingerprints()
    failing_elsewhere: dict[tuple[str, str], set[str]] = {}
    for result in results:
        if result.status is Status.FAIL and result.creates_issues:
            pair = (result.check_id, unversioned(result.subject.key))
            failing_elsewhere.setdefault(pair, set()).add(result.fingerprint)
    lines = []
    for issue in selected:
        fp = issue.fingerprint
        related: tuple[str, ...] = ()
        if fp in seen["persisting"]:
            verdict = Verdict.REOPENED
        elif fp in seen["fixed"]:
            verdict = Verdict.CONFIRMED
        else:
            others = failing_elsewhere.get((issue.check_id, unversioned(issue.subject.key)), set()) - {fp}
            verdict = Verdict.RECURRED if others else Verdict.NOT_RECHECKED
            related = tuple(sorted(others))
        now = after.get(fp, issue)
        lines.append(
            LookbackLine(
                fingerprint=fp,
                enterprise_id=ownership.operator_of(issue.subject),
                task=issue.task,
                check_id=issue.check_id,
                subject_key=issue.subject.key,
                verdict=verdict,
                deadline=now.deadline if verdict is Verdict.REOPENED else None,
                related=related,
            )
        )
    return lines


def verify_confirmed(
    lines: Sequence[LookbackLine], after: Mapping[str, Issue], *, actor: str, at: dt.datetime, run_id: str
) -> tuple[list[Issue], list[Transition]]:
    """FIXED issues the look-back confirmed move to VERIFIED (already VERIFIED ones stay)."""
    issues, records = [], []
    for line in lines:
        issue = after.get(line.fingerprint)
        if line.verdict is Verdict.CONFIRMED and issue is not None and issue.state is IssueState.FIXED:
            moved, record = transition(
                issue,
                IssueState.VERIFIED,
                actor=actor,
                reason=f"回头看运行 {run_id} 复测通过 (look-back run {run_id}: {issue.check_id} did not fail)",
                at=at,
                run_id=run_id,
            )
            issues.append(moved)
            records.append(record)
    return issues, records


@dataclass(frozen=True, slots=True)
class LookbackReport:
    """The lines, counts per verdict and per enterprise, for the report and the ladder."""

    lookback_id: str
    run_id: str
    lines: list[LookbackLine]
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, lookback_id: str, run_id: str, lines: list[LookbackLine]) -> LookbackReport:
        counts = {v.value: sum(1 for line in lines if line.verdict is v) for v in Verdict}
        return cls(lookback_id, run_id, lines, counts)

    def per_enterprise(self) -> dict[str, dict[str, int]]:
        """Verdict counts per enterprise (unregistered subjects under "")."""
        table: dict[str, dict[str, int]] = {}
        for line in self.lines:
            row = table.setdefault(line.enterprise_id or "", {v.value: 0 for v in Verdict})
            row[line.verdict.value] += 1
        return dict(sorted(table.items()))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, as stored with the look-back."""
        return {
            "lookback_id": self.lookback_id,
            "run_id": self.run_id,
            "counts": self.counts,
            "per_enterprise": self.per_enterprise(),
            "lines": [
                {
                    "fingerprint": line.fingerprint,
                    "enterprise_id": line.enterprise_id,
                    "task": line.task,
                    "check_id": line.check_id,
                    "subject_key": line.subject_key,
                    "verdict": line.verdict.value,
                    "deadline": line.deadline.isoformat() if line.deadline else None,
                    "related": list(line.related),
                }
                for line in self.lines
            ],
        }
