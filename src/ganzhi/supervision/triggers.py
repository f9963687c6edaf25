"""Interview trigger rules: configurable conditions that propose the next rung of the ladder.

Rules are data (`data/triggers.yaml`, or a file of the same format) whose numbers are catalog
`Param`s, labelled `configurable default`. Three kinds exist:

* `overdue`         active issues at or above `min_severity` past their deadline (≥ `min_count`);
* `reopened`        issues reopened within `lookback_days` (≥ `min_count`);
* `ranking_bottom`  the last `bottom_count` places of an enterprise type's ranking (≥ `min_enterprises`).

`propose` returns one proposal per enterprise with every rule that fired and why; it decides
nothing — a person records the interview or the ladder move.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ganzhi.catalog.schema import EnterpriseType, Param
from ganzhi.errors import InputError
from ganzhi.evidence.status import Severity
from ganzhi.findings.models import Issue, IssueState, Transition
from ganzhi.i18n import Text
from ganzhi.supervision.ladder import Ladder
from ganzhi.supervision.ranking import RankEntry, bottom
from ganzhi.supervision.reminders import overdue
from ganzhi.workdays.calendar import WorkCalendar

DEFAULT_RULES = Path(__file__).parent / "data" / "triggers.yaml"
MAX_RULES_BYTES = 1_000_000

#: Most to least severe.
SEVERITY_ORDER = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO]


class RuleKind(StrEnum):
    """The conditions ganzhi knows how to evaluate."""

    OVERDUE = "overdue"
    REOPENED = "reopened"
    RANKING_BOTTOM = "ranking_bottom"


_REQUIRED: dict[RuleKind, set[str]] = {
    RuleKind.OVERDUE: {"min_severity", "min_count"},
    RuleKind.REOPENED: {"lookback_days", "min_count"},
    RuleKind.RANKING_BOTTOM: {"bottom_count", "min_enterprises"},
}


class TriggerRule(BaseModel):
    """One rule: its kind, title and params."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: RuleKind
    title: Text
    params: list[Param]

    @model_validator(mode="after")
    def _params_fit_kind(self) -> TriggerRule:
        have = {p.id for p in self.params}
        missing = sorted(_REQUIRED[self.kind] - have)
        if missing:
            raise ValueError(f"rule {self.id!r} ({self.kind.value}) lacks params {missing}")
        extra = sorted(have - _REQUIRED[self.kind])
        if extra:
            raise ValueError(f"rule {self.id!r} ({self.kind.value}) has unknown params {extra}")
        if self.kind is RuleKind.OVERDUE:
            severity = self.value("min_severity")
            if severity not in {s.value for s in Severity}:
                raise ValueError(f"rule {self.id!r}: min_severity must be one of {[s.value for s in Severity]}")
        return self

    def value(self, param_id: str) -> Any:
        """The value of a param of this rule."""
        return next(p.value for p in self.params if p.id == param_id)

    def number(self, param_id: str) -> int:
        """An integer param of this rule."""
        value = self.value(param_id)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"rule {self.id!r}: param {param_id!r} must be a number (got {value!r})")
        return int(value)


class RuleSet(BaseModel):
    """The rules file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rules: list[TriggerRule]


def load_rules(path: Path | None = None) -> list[TriggerRule]:
    """The trigger rules from `path` (default: the shipped file)."""
    source = path or DEFAULT_RULES
    try:
        size = source.stat().st_size
        if size > MAX_RULES_BYTES:
            raise InputError(str(source), f"file too large ({size} bytes; expected at most {MAX_RULES_BYTES})")
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(source), f"cannot read trigger rules: {exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(str(source), f"not valid YAML: {exc}") from None
    try:
        rules = RuleSet.model_validate(data).rules
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors())
        raise InputError(str(source), f"not a trigger rules file: {problems}") from None
    ids = [r.id for r in rules]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise InputError(str(source), f"rule ids {dupes} appear more than once")
    return rules


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule that fired for one enterprise, why, and the issues behind it."""

    rule_id: str
    reason: Text
    fingerprints: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposed ladder move for one enterprise (to the rung above its current one)."""

    enterprise_id: str
    current_step: str | None
    proposed_step: str | None
    hits: tuple[Hit, ...]

    @property
    def fingerprints(self) -> list[str]:
        """Every issue behind the proposal."""
        return sorted({fp for hit in self.hits for fp in hit.fingerprints})


@dataclass(frozen=True, slots=True)
class TriggerInput:
    """What the rules look at."""

    issues: Sequence[Issue]
    transitions: Sequence[Transition]
    enterprise_of: Callable[[Issue], str | None]
    today: dt.date
    calendar: WorkCalendar
    rankings: Mapping[EnterpriseType, Sequence[RankEntry]] = field(default_factory=dict)


def _at_least(severity: Severity, floor: str) -> bool:
    return SEVERITY_ORDER.index(severity) <= SEVERITY_ORDER.index(Severity(floor))


def _overdue_hits(rule: TriggerRule, data: TriggerInput) -> dict[str, Hit]:
    floor = str(rule.value("min_severity"))
    late: dict[str, list[str]] = {}
    for status in overdue(data.issues, data.today, data.calendar):
        enterprise = data.enterprise_of(status.issue)
        if enterprise and _at_least(status.issue.severity, floor):
            late.setdefault(enterprise, []).append(status.issue.fingerprint)
    count = rule.number("min_count")
    return {
        enterprise: Hit(
            rule.id,
            Text(
                zh=f"{len(fps)}个严重程度≥{floor}的问题逾期未整改（阈值{count}）",
                en=f"{len(fps)} issues of severity ≥ {floor} overdue (threshold {count})",
            ),
            tuple(sorted(fps)),
        )
        for enterprise, fps in late.items()
        if len(fps) >= count
    }


def _reopened_hits(rule: TriggerRule, data: TriggerInput) -> dict[str, Hit]:
    days = rule.number("lookback_days")
    since = data.today - dt.timedelta(days=days)
    reopened = {t.fingerprint for t in data.transitions if t.to_state is IssueState.REOPENED and t.at.date() > since}
    per: dict[str, list[str]] = {}
    for issue in data.issues:
        enterprise = data.enterprise_of(issue)
        if enterprise and issue.fingerprint in reopened:
            per.setdefault(enterprise, []).append(issue.fingerprint)
    count = rule.number("min_count")
    return {
        enterprise: Hit(
            rule.id,
            Text(
                zh=f"最近{days}天内{len(fps)}个问题整改后反弹（阈值{count}）",
                en=f"{len(fps)} issues reopened in the last {days} days (threshold {count})",
            ),
            tuple(sorted(fps)),
        )
        for enterprise, fps in per.items()
        if len(fps) >= count
    }


def _ranking_hits(rule: TriggerRule, data: TriggerInput) -> dict[str, Hit]:
    hits: dict[str, Hit] = {}
    for kind, entries in data.rankings.items():
        if len(entries) < rule.number("min_enterprises"):
            continue
        for entry in bottom(entries, rule.number("bottom_count")):
            hits[entry.enterprise_id] = Hit(
                rule.id,
                Text(
                    zh=f"{kind.value}类企业排名第{entry.rank}/{len(entries)}（得分{entry.score:.1f}）",
                    en=f"ranked {entry.rank} of {len(entries)} {kind.value} (score {entry.score:.1f})",
                ),
            )
    return hits


_EVALUATORS: dict[RuleKind, Callable[[TriggerRule, TriggerInput], dict[str, Hit]]] = {
    RuleKind.OVERDUE: _overdue_hits,
    RuleKind.REOPENED: _reopened_hits,
    RuleKind.RANKING_BOTTOM: _ranking_hits,
}


def propose(
    rules: Iterable[TriggerRule], data: TriggerInput, ladder: Ladder, current: Mapping[str, str | None]
) -> list[Proposal]:
    """One proposal per enterprise that any rule fired for; at the top rung the proposed step is None."""
    hits: dict[str, list[Hit]] = {}
    for rule in rules:
        for enterprise, hit in _EVALUATORS[rule.kind](rule, data).items():
            hits.setdefault(enterprise, []).append(hit)
    proposals = []
    for enterprise, items in sorted(hits.items()):
        step = current.get(enterprise)
        proposals.append(Proposal(enterprise, step, ladder.next_step(step), tuple(items)))
    return proposals
