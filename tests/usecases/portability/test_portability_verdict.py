"""Verdicts from T9 results: eligible iff no reason, fixed order, never 'eligible' when undecided."""

from __future__ import annotations

import pytest

from checks.t9.t9_support import case_evidence, run_checks
from ganzhi.evidence.status import Status
from ganzhi.i18n import Text
from ganzhi.usecases.portability.verdict import (
    ELIGIBILITY_CHECKS,
    OPERATOR_CHECK,
    VerdictError,
    verdict_for,
)


def test_eligible_case() -> None:
    run = run_checks([case_evidence(id="ok")])
    assert verdict_for("ok", run.results).to_json() == {"id": "ok", "eligible": True, "reasons": []}


def test_all_six_reasons_in_the_fixed_order() -> None:
    evidence = case_evidence(
        id="bad",
        number="17012345678",
        real_name_registered=False,
        status="suspended",
        unpaid_billed_fees=3,
        contract_lock_until="2024-06-01",
        joined_on="2024-05-01",
    )
    verdict = verdict_for("bad", run_checks([evidence]).results)
    assert verdict.to_json() == {
        "id": "bad",
        "eligible": False,
        "reasons": [
            "NOT_REAL_NAME",
            "ABNORMAL_STATUS",
            "UNPAID_FEES",
            "CONTRACT_LOCK",
            "TOO_SOON",
            "NON_PORTABLE_RANGE",
        ],
    }


def test_results_of_other_subjects_are_ignored() -> None:
    run = run_checks([case_evidence(id="a", status="lost"), case_evidence(id="b")])
    assert verdict_for("b", run.results).eligible
    assert verdict_for("a", run.results).reasons[0].value == "ABNORMAL_STATUS"


def test_operator_review_is_added_only_when_a_decision_was_recorded() -> None:
    told = {"eligible": False, "reasons": ["UNPAID_FEES"]}
    run = run_checks([case_evidence(id="x", operator_decision=told)])
    body = verdict_for("x", run.results).to_json()
    assert body["eligible"] is True
    violations = ["refused_eligible", "unfounded_reason"]
    assert body["operator_review"] == {"status": "FAIL", "violations": violations}
    agreed = run_checks([case_evidence(id="y", operator_decision={"eligible": True, "reasons": []})])
    review = verdict_for("y", agreed.results).to_json()["operator_review"]
    assert review == {"status": "PASS", "violations": []}


def test_missing_check_means_undecided_not_eligible() -> None:
    partial = [c for c in (*ELIGIBILITY_CHECKS.values(), OPERATOR_CHECK) if c != "t9_port_min_interval"]
    run = run_checks([case_evidence(id="p")], check_ids=partial)
    with pytest.raises(VerdictError, match="t9_port_min_interval: no result"):
        verdict_for("p", run.results)


def test_an_erroring_check_means_undecided() -> None:
    run = run_checks([case_evidence(id="e")], prefixes=["bad prefix"])
    with pytest.raises(VerdictError, match="t9_port_number_range: ERROR"):
        verdict_for("e", run.results)


def test_operator_check_error_does_not_hide_the_verdict() -> None:
    told = {"eligible": True, "reasons": []}
    evidence = case_evidence(id="o", operator_decision=told)
    run = run_checks([evidence], check_ids=list(ELIGIBILITY_CHECKS.values()))
    assert "operator_review" not in verdict_for("o", run.results).to_json()
    full = run_checks([evidence]).results
    message = Text(zh="检查执行出错", en="the check failed to run: KeyError")
    error = {"status": Status.ERROR, "message": message}
    broken = [r.model_copy(update=error) if r.check_id == OPERATOR_CHECK else r for r in full]
    body = verdict_for("o", broken).to_json()
    assert body["eligible"] is True
    assert body["operator_review"] == {
        "status": "ERROR",
        "violations": [],
        "error": "the check failed to run: KeyError",
    }


def test_a_fail_with_a_foreign_reason_is_refused() -> None:
    run = run_checks([case_evidence(id="f", status="lost")])
    tampered = [
        r.model_copy(update={"data": {"reason": "TOO_SOON"}}) if r.check_id == "t9_port_normal_status" else r
        for r in run.results
    ]
    with pytest.raises(VerdictError, match="expected reason 'ABNORMAL_STATUS'"):
        verdict_for("f", tampered)
    assert [r.status for r in tampered if r.check_id == "t9_port_normal_status"] == [Status.FAIL]
