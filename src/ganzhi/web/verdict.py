"""The store service's verdict: `pass`, `review` or `block`, decided by the rule in the web config.

The rule is data (`web/data/verdict_rule.yaml`), so a regulator can tighten it without code changes.
Findings are every result that is not a PASS or NOT_APPLICABLE, worst first, in the shape the API
returns and the webhook sends.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from ganzhi.checks.outcome import Severity, Status
from ganzhi.findings.models import Result
from ganzhi.web.config import VerdictRule

_SEVERITY_ORDER = {s: i for i, s in enumerate(Severity)}
_QUIET = frozenset({Status.PASS, Status.NOT_APPLICABLE})
_STATUS_ORDER = {Status.FAIL: 0, Status.ERROR: 1, Status.WARN: 2, Status.MANUAL: 3}


class Verdict(StrEnum):
    PASS = "pass"
    REVIEW = "review"
    BLOCK = "block"


def decide(results: Sequence[Result], rule: VerdictRule) -> Verdict:
    """block when any result matches the block rule, else review when any matches review, else pass."""
    if any(rule.block.matches(r.status, r.severity) for r in results):
        return Verdict.BLOCK
    if any(rule.review.matches(r.status, r.severity) for r in results):
        return Verdict.REVIEW
    return Verdict.PASS


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
