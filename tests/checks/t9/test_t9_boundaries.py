"""Boundary decisions of the T9 rules, pinned: 119 vs 120 days, leap years, anchors, lock end date."""

from __future__ import annotations

import pytest

from checks.t9.t9_support import case_evidence, params_for_check, run_checks
from ganzhi.catalog.params import Params
from ganzhi.checks.t9.eligibility import (
    EligibilityParams,
    interval_anchor,
    matching_prefix,
    min_days_param,
    prefixes_param,
)
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.portability import PortabilityCase
from ganzhi.evidence.status import Status


def _status(check_id: str, **changes: object) -> tuple[Status, dict[str, object]]:
    run = run_checks([case_evidence(**changes)], check_ids=[check_id])
    assert len(run.results) == 1, run.results
    return run.results[0].status, run.results[0].data


@pytest.mark.parametrize(
    ("joined_on", "as_of", "days", "status"),
    [
        ("2024-01-01", "2024-04-29", 119, Status.FAIL),  # leap year, one day short
        ("2024-01-01", "2024-04-30", 120, Status.PASS),  # leap year, exactly 120
        ("2023-01-01", "2023-04-30", 119, Status.FAIL),  # same calendar dates, no 29 February
        ("2023-01-01", "2023-05-01", 120, Status.PASS),
        ("2023-12-01", "2024-03-30", 120, Status.PASS),  # across the year end and 29 February
        ("2024-06-01", "2024-06-01", 0, Status.FAIL),  # joined today
    ],
)
def test_min_interval_counts_natural_days(joined_on: str, as_of: str, days: int, status: Status) -> None:
    got, data = _status("t9_port_min_interval", joined_on=joined_on, as_of=as_of)
    assert (got, data["days"]) == (status, days)
    if status is Status.FAIL:
        assert data["reason"] == "TOO_SOON"


def test_the_later_of_joining_and_last_port_anchors_the_interval() -> None:
    got, data = _status("t9_port_min_interval", joined_on="2020-01-01", last_ported_on="2024-02-03")
    assert got is Status.FAIL
    assert (data["anchor_field"], data["anchor"], data["days"]) == ("last_ported_on", "2024-02-03", 119)
    got, data = _status("t9_port_min_interval", joined_on="2020-01-01", last_ported_on="2024-02-03", as_of="2024-06-02")
    assert (got, data["days"]) == (Status.PASS, 120)
    # A port recorded before joining (recycled number) does not restart the clock.
    case = PortabilityCase.model_validate(
        {**case_evidence().data, "joined_on": "2024-01-01", "last_ported_on": "2019-05-05"}
    )
    assert interval_anchor(case) == ("joined_on", case.joined_on)


def test_min_days_comes_from_params() -> None:
    evidence = case_evidence(joined_on="2024-03-01", as_of="2024-06-01")  # 92 days
    check = ["t9_port_min_interval"]
    assert run_checks([evidence], check_ids=check).results[0].status is Status.FAIL
    assert run_checks([evidence], check_ids=check, min_days=90).results[0].status is Status.PASS


@pytest.mark.parametrize(
    ("until", "status"),
    [
        (None, Status.PASS),
        ("2024-05-31", Status.PASS),
        ("2024-06-01", Status.FAIL),  # as_of == contract_lock_until: still bound
        ("2024-06-02", Status.FAIL),
    ],
)
def test_contract_lock_binds_through_its_end_date(until: str | None, status: Status) -> None:
    assert _status("t9_port_contract_lock", contract_lock_until=until)[0] is status


@pytest.mark.parametrize(
    ("fees", "status"), [(0, Status.PASS), (0.0, Status.PASS), (0.01, Status.FAIL), (1234.5, Status.FAIL)]
)
def test_any_billed_amount_blocks(fees: float, status: Status) -> None:
    assert _status("t9_port_fees_settled", unpaid_billed_fees=fees)[0] is status


@pytest.mark.parametrize(
    ("number", "prefix"),
    [
        ("13800138000", None),
        ("13412345678", None),
        ("13490012345", "1349"),
        ("17412345678", "174"),
        ("16212345678", "162"),
        ("16712345678", "167"),
        ("14012345678", "140"),
        ("14412345678", "144"),
        ("14512345678", None),  # 145 is not listed
        ("1064812345678", "1064"),
        ("1440123456789", "144"),
    ],
)
def test_number_ranges(number: str, prefix: str | None) -> None:
    got, data = _status("t9_port_number_range", number=number)
    assert data["prefix"] == prefix
    assert got is (Status.PASS if prefix is None else Status.FAIL)


def test_longest_prefix_is_reported() -> None:
    assert matching_prefix("13490012345", ["134", "1349"]) == "1349"
    assert matching_prefix("13800138000", ["", "134"]) is None


@pytest.mark.parametrize("status", ["lost", "suspended"])
def test_abnormal_status(status: str) -> None:
    got, data = _status("t9_port_normal_status", status=status)
    assert (got, data["reason"], data["status"]) == (Status.FAIL, "ABNORMAL_STATUS", status)


def test_bad_params_are_refused_with_their_name() -> None:
    with pytest.raises(ValueError, match="min_days"):
        min_days_param(params_for_check("t9_port_min_interval", min_days=-1))
    with pytest.raises(ValueError, match="non_portable_prefixes"):
        prefixes_param(params_for_check("t9_port_number_range", prefixes=["17x"]))
    with pytest.raises(KeyError, match="min_days"):
        EligibilityParams.from_params(Params())


def test_a_check_with_bad_params_becomes_an_error_record_not_a_crash() -> None:
    run = run_checks([case_evidence()], check_ids=["t9_port_number_range"], prefixes=["1 3"])
    assert [r.status for r in run.results] == [Status.ERROR]
    assert run.errors
    assert "non_portable_prefixes" in run.errors[0].message


def test_operator_check_not_applicable_without_a_decision() -> None:
    got, _ = _status("t9_port_operator_decision")
    assert got is Status.NOT_APPLICABLE


def _operator(changes: dict[str, object], eligible: bool, reasons: list[str]) -> dict[str, Status]:
    evidence = case_evidence(**changes, operator_decision={"eligible": eligible, "reasons": reasons})
    run = run_checks([evidence], check_ids=["t9_port_operator_decision"])
    return {str(r.data.get("violation")): r.status for r in run.results}


def test_operator_violations() -> None:
    ineligible = {"real_name_registered": False, "status": "lost"}
    assert _operator({}, True, []) == {"None": Status.PASS}
    assert _operator(ineligible, False, ["ABNORMAL_STATUS", "NOT_REAL_NAME"]) == {"None": Status.PASS}
    assert _operator({}, False, []) == {"refused_eligible": Status.FAIL}
    assert _operator({}, False, ["TOO_SOON"]) == {
        "refused_eligible": Status.FAIL,
        "unfounded_reason": Status.FAIL,
    }
    assert _operator(ineligible, False, []) == {"incomplete_reasons": Status.FAIL}
    assert _operator(ineligible, False, ["NOT_REAL_NAME", "UNPAID_FEES"]) == {
        "incomplete_reasons": Status.FAIL,
        "unfounded_reason": Status.FAIL,
    }
    assert _operator(ineligible, True, []) == {"accepted_ineligible": Status.WARN}


def test_operator_check_uses_the_same_min_days() -> None:
    evidence = case_evidence(joined_on="2024-03-01", operator_decision={"eligible": False, "reasons": ["TOO_SOON"]})
    strict = run_checks([evidence], check_ids=["t9_port_operator_decision"])
    assert [r.status for r in strict.results] == [Status.PASS]
    relaxed = run_checks([evidence], check_ids=["t9_port_operator_decision"], min_days=60)
    assert {r.data["violation"] for r in relaxed.results} == {"refused_eligible", "unfounded_reason"}


def test_checks_are_pure_functions_of_evidence_and_params() -> None:
    from checks.t9.t9_support import t9_specs

    evidence = case_evidence(status="lost", operator_decision={"eligible": False, "reasons": []})
    for check_id, spec in t9_specs().items():
        params = params_for_check(check_id)
        first = spec.evaluate(EvidenceSet(evidence.subject, [evidence]), params)
        second = spec.evaluate(EvidenceSet(evidence.subject, [evidence]), params)
        assert first == second
