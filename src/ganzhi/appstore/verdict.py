"""The store service's verdict: `pass`, `review` or `block`, decided by the rule in the web config.

The rule is data (`appstore/data/verdict_rule.yaml`), so a regulator can tighten it without code changes.
Findings are every result that is not a PASS or NOT_APPLICABLE, worst first, in the shape the API
returns and the webhook sends.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from ganzhi.errors import GanzhiError
from ganzhi.evidence.apk import ApkStatic
from ganzhi.evidence.base import Evidence, EvidenceKindError, kind_of
from ganzhi.evidence.status import Severity, Status
from ganzhi.findings.models import Result

VERDICT_RULE_FILE = Path(__file__).resolve().parent / "data" / "verdict_rule.yaml"


class VerdictRuleError(GanzhiError):
    """The verdict rule file is malformed; the message names the file and the field."""


class Match(BaseModel):
    """Results that match: any of `statuses` with any of `severities`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    statuses: frozenset[Status]
    severities: frozenset[Severity] = frozenset(Severity)

    def matches(self, status: Status, severity: Severity) -> bool:
        return status in self.statuses and severity in self.severities


class VerdictRule(BaseModel):
    """block wins over review; an APK matching neither passes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    block: Match
    review: Match


def load_verdict_rule(path: Path = VERDICT_RULE_FILE) -> VerdictRule:
    """Read the verdict rule; a malformed file is a VerdictRuleError naming the file and the field."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise VerdictRuleError(f"{path}: cannot read the verdict rule: {exc}") from None
    try:
        return VerdictRule.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise VerdictRuleError(f"{path}: verdict rule does not validate: {problems}") from None


_SEVERITY_ORDER = {s: i for i, s in enumerate(Severity)}
_QUIET = frozenset({Status.PASS, Status.NOT_APPLICABLE})
_STATUS_ORDER = {Status.FAIL: 0, Status.ERROR: 1, Status.WARN: 2, Status.MANUAL: 3}


#: The value of a result's `data["confidence"]` that caps the store verdict at review.
LOW_CONFIDENCE = "low"


class Verdict(StrEnum):
    PASS = "pass"
    REVIEW = "review"
    BLOCK = "block"


def decide(results: Sequence[Result], rule: VerdictRule, *, complete: bool = True) -> Verdict:
    """block when any result matches the block rule, else review when any matches review, else pass.

    `complete=False` (some code of the APK could not be read) never passes: what was not read may
    hold the findings, so a person reviews it — whatever the rule file says. A finding its check marks
    as low confidence (`data["confidence"] == "low"`) never blocks on its own: it can only send the APK
    to review, because a block removes a listing on the strength of that finding alone.
    """
    if any(rule.block.matches(r.status, r.severity) and not low_confidence(r) for r in results):
        return Verdict.BLOCK
    if not complete or any(rule.review.matches(r.status, r.severity) for r in results):
        return Verdict.REVIEW
    return Verdict.PASS


def low_confidence(result: Result) -> bool:
    """True when the check itself says the finding rests on uncertain evidence."""
    return str(result.data.get("confidence", "")).lower() == LOW_CONFIDENCE


def analysis_complete(evidence: Sequence[Evidence]) -> bool:
    """False when any `apk_static` evidence records code it could not read (or cannot itself be read)."""
    for item in evidence:
        if item.kind != kind_of(ApkStatic):
            continue
        try:
            if not item.payload(ApkStatic).code_complete:
                return False
        except EvidenceKindError:
            return False
    return True


def findings(results: Sequence[Result]) -> list[dict[str, Any]]:
    """Non-passing results as plain JSON: failures first, then by severity (worst first)."""
    chosen = sorted(
        (r for r in results if r.status not in _QUIET),
        key=lambda r: (_STATUS_ORDER.get(r.status, 9), _SEVERITY_ORDER[r.severity], r.check_id, r.fingerprint),
    )
    return [
        {
            "check_id": r.check_id,
            "task": r.task,
            "requirement_ids": list(r.requirement_ids),
            "status": r.status.value,
            "severity": r.severity.value,
            "title": r.title.model_dump(mode="json"),
            "message": r.message.model_dump(mode="json"),
            "data": r.data,
            "fingerprint": r.fingerprint,
        }
        for r in chosen
    ]
