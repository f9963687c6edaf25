"""Scores per enterprise × task, with a breakdown that says which finding cost what.

All numbers come from the catalog (configurable defaults, MIIT publishes no formula):

* a task is worth 100 points, shared among its requirements in proportion to their `weight`;
* a finding costs its requirement's points × severity factor, where the factor is the severity's
  weight over the largest severity weight (`supervision.yaml: severity_weights`; critical = 1);
  a finding tied to several requirements is charged once, to the heaviest of them;
* a requirement cannot lose more than its points: the excess comes back as a `cap` line;
* an enterprise's score is the mean of its task scores weighted by `task_weights` (default 1).

So `score = 100 + Σ line.points` holds for every breakdown: the explanation is the computation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from ganzhi.catalog.schema import Catalog
from ganzhi.evidence.status import Severity
from ganzhi.findings.models import Issue, Result

FULL_MARKS = 100.0
#: Points are shown and summed at this many decimals, so printed lines add up to the printed score.
DECIMALS = 4


@dataclass(frozen=True, slots=True)
class Finding:
    """A failure that costs points: one fingerprint of one check on one subject."""

    fingerprint: str
    check_id: str
    task: str
    requirement_ids: tuple[str, ...]
    severity: Severity
    subject_key: str
    named_enterprise: str | None = None

    @classmethod
    def of_issue(cls, issue: Issue) -> Finding:
        """The finding an issue stands for."""
        return cls(
            issue.fingerprint,
            issue.check_id,
            issue.task,
            tuple(issue.requirement_ids),
            issue.severity,
            issue.subject.key,
            issue.subject.enterprise,
        )

    @classmethod
    def of_result(cls, result: Result) -> Finding:
        """The finding a failing result stands for."""
        return cls(
            result.fingerprint,
            result.check_id,
            result.task,
            tuple(result.requirement_ids),
            result.severity,
            result.subject.key,
            result.subject.enterprise,
        )


class LineKind(StrEnum):
    """A cost of one finding, or points given back because a requirement hit zero."""

    FINDING = "finding"
    CAP = "cap"


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """One line of a breakdown; `points` is negative for a cost, positive for a cap refund."""

    kind: LineKind
    requirement_id: str
    points: float
    fingerprint: str | None = None
    check_id: str | None = None
    severity: Severity | None = None
    subject_key: str | None = None


@dataclass(frozen=True, slots=True)
class TaskScore:
    """One enterprise's score on one task and the lines that explain it."""

    enterprise_id: str
    task: str
    score: float
    lines: tuple[ScoreLine, ...] = ()

    @property
    def findings(self) -> int:
        """How many findings cost points."""
        return sum(1 for line in self.lines if line.kind is LineKind.FINDING)


@dataclass(frozen=True, slots=True)
class EnterpriseScore:
    """An enterprise's weighted score over its tasks."""

    enterprise_id: str
    score: float
    tasks: tuple[TaskScore, ...]
    task_weights: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Weights:
    """The catalog's weights, resolved once."""

    severity: Mapping[str, float]
    task: Mapping[str, float]
    requirements: Mapping[str, Mapping[str, float]]

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> Weights:
        """Severity, task and requirement weights from the catalog."""
        return cls(
            severity=dict(catalog.supervision.severity_weights),
            task=dict(catalog.supervision.task_weights),
            requirements={t.id: {r.id: r.weight for r in t.requirements} for t in catalog.tasks},
        )

    def severity_factor(self, severity: Severity) -> float:
        """Severity weight over the largest severity weight (0 when every weight is 0)."""
        top = max(self.severity.values(), default=0.0)
        return self.severity.get(severity.value, 0.0) / top if top > 0 else 0.0

    def requirement_points(self, task: str, requirement_id: str) -> float:
        """The points a requirement is worth inside its task (100 shared by weight)."""
        weights = self.requirements.get(task, {})
        total = sum(weights.values())
        if total <= 0 or requirement_id not in weights:
            return 0.0
        return FULL_MARKS * weights[requirement_id] / total

    def task_weight(self, task: str) -> float:
        """The task's weight in an enterprise score (default 1 when the catalog names none)."""
        return self.task.get(task, 1.0)


def _charged_requirement(weights: Weights, finding: Finding) -> str:
    """The heaviest known requirement of the finding, or `<task>.*` when none is known."""
    known = [r for r in finding.requirement_ids if r in weights.requirements.get(finding.task, {})]
    if not known:
        return f"{finding.task}.*"
    return max(known, key=lambda r: (weights.requirement_points(finding.task, r), r))


def _unknown_requirement_points(weights: Weights, task: str) -> float:
    """An unknown requirement is charged like an average requirement of the task."""
    count = len(weights.requirements.get(task, {}))
    return FULL_MARKS / count if count else FULL_MARKS


def score_task(weights: Weights, enterprise_id: str, task: str, findings: Iterable[Finding]) -> TaskScore:
    """Score one task from its findings (findings of other tasks are ignored; duplicates count once)."""
    unique = {f.fingerprint: f for f in findings if f.task == task}
    per_requirement: dict[str, list[Finding]] = {}
    for finding in sorted(unique.values(), key=lambda f: f.fingerprint):
        per_requirement.setdefault(_charged_requirement(weights, finding), []).append(finding)
    lines: list[ScoreLine] = []
    for requirement_id, items in sorted(per_requirement.items()):
        points = (
            _unknown_requirement_points(weights, task)
            if requirement_id.endswith(".*")
            else weights.requirement_points(task, requirement_id)
        )
        spent = 0.0
        for finding in items:
            cost = round(points * weights.severity_factor(finding.severity), DECIMALS)
            spent += cost
            lines.append(
                ScoreLine(
                    kind=LineKind.FINDING,
                    requirement_id=requirement_id,
                    points=-cost,
                    fingerprint=finding.fingerprint,
                    check_id=finding.check_id,
                    severity=finding.severity,
                    subject_key=finding.subject_key,
                )
            )
        excess = round(spent - round(points, DECIMALS), DECIMALS)
        if excess > 0:
            lines.append(ScoreLine(kind=LineKind.CAP, requirement_id=requirement_id, points=excess))
    score = round(FULL_MARKS + sum(line.points for line in lines), DECIMALS)
    if score < 0:
        # Rounding or unknown requirements can overshoot 100 points in total; a task bottoms out at 0.
        lines.append(ScoreLine(kind=LineKind.CAP, requirement_id=task, points=-score))
        score = 0.0
    return TaskScore(enterprise_id=enterprise_id, task=task, score=score, lines=tuple(lines))


def score_enterprise(
    weights: Weights, enterprise_id: str, tasks: Sequence[str], findings: Iterable[Finding]
) -> EnterpriseScore:
    """Score an enterprise on its assigned `tasks`; findings of unassigned tasks do not count."""
    items = list(findings)
    task_scores = tuple(score_task(weights, enterprise_id, task, items) for task in sorted(set(tasks)))
    used = {ts.task: weights.task_weight(ts.task) for ts in task_scores}
    total_weight = sum(used.values())
    if total_weight <= 0:
        score = FULL_MARKS
    else:
        score = round(sum(ts.score * used[ts.task] for ts in task_scores) / total_weight, DECIMALS)
    return EnterpriseScore(enterprise_id=enterprise_id, score=score, tasks=task_scores, task_weights=used)
