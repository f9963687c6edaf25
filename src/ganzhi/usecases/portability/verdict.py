"""A number's eligibility answer, built from the T9 check results about it.

The six eligibility checks each decide one condition; the answer is eligible exactly when none of them
FAILs, and its reasons are their `reason` codes in the fixed order of `ReasonCode`. An answer is only
given when all six checks decided (PASS or FAIL): a missing result or an ERROR means "unknown", never
"eligible". The operator-decision check, when it applies, adds a review of what the operator said.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ganzhi.evidence.portability import SUBJECT_TYPE, ReasonCode, order_reasons
from ganzhi.evidence.status import Status
from ganzhi.findings.models import Result

#: The check deciding each reason, in the fixed reason order.
ELIGIBILITY_CHECKS: dict[ReasonCode, str] = {
    ReasonCode.NOT_REAL_NAME: "t9_port_real_name",
    ReasonCode.ABNORMAL_STATUS: "t9_port_normal_status",
    ReasonCode.UNPAID_FEES: "t9_port_fees_settled",
    ReasonCode.CONTRACT_LOCK: "t9_port_contract_lock",
    ReasonCode.TOO_SOON: "t9_port_min_interval",
    ReasonCode.NON_PORTABLE_RANGE: "t9_port_number_range",
}
OPERATOR_CHECK = "t9_port_operator_decision"


class VerdictError(ValueError):
    """The results cannot decide eligibility (a check is missing, errored or disagrees)."""


@dataclass(frozen=True, slots=True)
class OperatorReview:
    """What the operator-decision check said: its worst status and the violations it found."""

    status: Status
    violations: list[str] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form: status, violations, and the error message when the check failed to run."""
        body: dict[str, Any] = {"status": self.status.value, "violations": list(self.violations)}
        if self.error is not None:
            body["error"] = self.error
        return body


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer for one case: eligible or not, and every reason, in the fixed order."""

    id: str
    eligible: bool
    reasons: list[ReasonCode]
    operator: OperatorReview | None = None

    def to_json(self) -> dict[str, Any]:
        """`{"id", "eligible", "reasons"}`, plus `operator_review` when the input had a decision."""
        body: dict[str, Any] = {
            "id": self.id,
            "eligible": self.eligible,
            "reasons": [r.value for r in self.reasons],
        }
        if self.operator is not None:
            body["operator_review"] = self.operator.to_json()
        return body


_STATUS_RANK = {
    Status.ERROR: 5,
    Status.FAIL: 4,
    Status.WARN: 3,
    Status.MANUAL: 2,
    Status.PASS: 1,
    Status.NOT_APPLICABLE: 0,
}


def _explain(result: Result) -> str:
    return result.message.en or result.message.zh


def _reason_of(code: ReasonCode, check_id: str, results: list[Result]) -> bool:
    """True when the check found the reason, False when it passed; VerdictError when it did not decide."""
    if not results:
        raise VerdictError(f"{check_id}: no result")
    undecided = [r for r in results if r.status not in {Status.PASS, Status.FAIL}]
    if undecided:
        worst = undecided[0]
        raise VerdictError(f"{check_id}: {worst.status.value}: {_explain(worst)}")
    failed = [r for r in results if r.status is Status.FAIL]
    for result in failed:
        if result.data.get("reason") != code.value:
            raise VerdictError(
                f"{check_id}: expected reason {code.value!r} in a FAIL (got {result.data.get('reason')!r})"
            )
    return bool(failed)


def _operator_review(results: list[Result]) -> OperatorReview | None:
    if not results or all(r.status is Status.NOT_APPLICABLE for r in results):
        return None
    worst = max(results, key=lambda r: _STATUS_RANK[r.status])
    violations: list[str] = []
    for result in results:
        violation = result.data.get("violation")
        flagged = result.status in {Status.FAIL, Status.WARN}
        if flagged and isinstance(violation, str) and violation not in violations:
            violations.append(violation)
    error = _explain(worst) if worst.status is Status.ERROR else None
    return OperatorReview(status=worst.status, violations=violations, error=error)


def verdict_for(case_id: str, results: Iterable[Result]) -> Verdict:
    """The answer for case `case_id` from the results of a run; VerdictError when it cannot be decided."""
    by_check: dict[str, list[Result]] = {}
    for result in results:
        if result.subject.type == SUBJECT_TYPE and result.subject.id == case_id:
            by_check.setdefault(result.check_id, []).append(result)
    problems: list[str] = []
    found: list[ReasonCode] = []
    for code, check_id in ELIGIBILITY_CHECKS.items():
        try:
            if _reason_of(code, check_id, by_check.get(check_id, [])):
                found.append(code)
        except VerdictError as exc:
            problems.append(str(exc))
    if problems:
        raise VerdictError("eligibility undecided: " + "; ".join(problems))
    reasons = order_reasons(found)
    return Verdict(
        id=case_id,
        eligible=not reasons,
        reasons=reasons,
        operator=_operator_review(by_check.get(OPERATOR_CHECK, [])),
    )
