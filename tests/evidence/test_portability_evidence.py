"""`portability_case` evidence: strict fields, clear messages naming field, expected and actual value."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from checks.t9.t9_support import BASE_CASE
from ganzhi.evidence.base import Evidence, EvidenceSet, kind_model
from ganzhi.evidence.portability import (
    REASON_ORDER,
    PortabilityCase,
    ReasonCode,
    describe_errors,
    order_reasons,
)

BASE: dict[str, Any] = BASE_CASE


def _error(**changes: Any) -> str:
    with pytest.raises(ValidationError) as info:
        PortabilityCase.model_validate({**BASE, **changes})
    return describe_errors(info.value)


def test_valid_case_round_trips_through_the_evidence_envelope() -> None:
    case = PortabilityCase.model_validate(
        {**BASE, "operator_decision": {"eligible": False, "reasons": ["TOO_SOON", "NOT_REAL_NAME"]}}
    )
    assert kind_model("portability_case") is PortabilityCase
    evidence = Evidence.of(case, case.subject, source="test")
    assert evidence.kind == "portability_case"
    assert evidence.subject.type == "phone_number"
    assert evidence.subject.id == "c1"
    assert evidence.data["joined_on"] == "2023-01-01"
    back = EvidenceSet(evidence.subject, [Evidence.model_validate_json(evidence.model_dump_json())]).one(
        PortabilityCase
    )
    assert back == case
    assert back.joined_on == dt.date(2023, 1, 1)
    assert back.operator_decision is not None
    assert back.operator_decision.reasons == [ReasonCode.TOO_SOON, ReasonCode.NOT_REAL_NAME]


def test_reason_order_is_fixed_and_documented() -> None:
    assert [c.value for c in REASON_ORDER] == [
        "NOT_REAL_NAME",
        "ABNORMAL_STATUS",
        "UNPAID_FEES",
        "CONTRACT_LOCK",
        "TOO_SOON",
        "NON_PORTABLE_RANGE",
    ]
    shuffled = [ReasonCode.NON_PORTABLE_RANGE, ReasonCode.NOT_REAL_NAME, ReasonCode.NON_PORTABLE_RANGE]
    assert order_reasons(shuffled) == [ReasonCode.NOT_REAL_NAME, ReasonCode.NON_PORTABLE_RANGE]


@pytest.mark.parametrize("number", ["13800138000", "19912345678", "1064812345678", "1440123456789"])
def test_accepted_numbers(number: str) -> None:
    assert PortabilityCase.model_validate({**BASE, "number": number}).number == number


@pytest.mark.parametrize(
    "number",
    ["1380013800", "138001380001", "23800138000", "1380013800a", "+8613800138000", "1234567890123", ""],
)
def test_rejected_numbers(number: str) -> None:
    assert _error(number=number).startswith("number: expected a string of 11 digits")
    assert repr(number) in _error(number=number)


def test_number_must_be_a_string() -> None:
    assert _error(number=13800138000) == (
        "number: expected a string of 11 digits starting with 1, or a 13-digit IoT number "
        "(1064…, 140–149…) (got 13800138000)"
    )


@pytest.mark.parametrize("bad", ["2024/13/01", "2024-1-01", "20240101", "2024-02-30", "2023-02-29", 20240101, ""])
def test_dates_are_yyyy_mm_dd_only(bad: Any) -> None:
    assert _error(joined_on=bad) == f"joined_on: expected YYYY-MM-DD (got {bad!r})"


def test_leap_day_is_a_valid_date() -> None:
    case = PortabilityCase.model_validate({**BASE, "joined_on": "2024-02-29"})
    assert case.joined_on == dt.date(2024, 2, 29)


def test_optional_dates_accept_null_but_not_garbage() -> None:
    expected = "contract_lock_until: expected YYYY-MM-DD or null (got 'soon')"
    assert _error(contract_lock_until="soon") == expected
    assert _error(last_ported_on=0) == "last_ported_on: expected YYYY-MM-DD or null (got 0)"


@pytest.mark.parametrize("bad", ["true", 1, 0, None])
def test_real_name_is_a_json_boolean(bad: Any) -> None:
    assert _error(real_name_registered=bad) == f"real_name_registered: expected true or false (got {bad!r})"


def test_unknown_status() -> None:
    assert _error(status="cancelled") == ("status: expected one of 'normal', 'lost', 'suspended' (got 'cancelled')")
    assert "status:" in _error(status="NORMAL")


@pytest.mark.parametrize("bad", [-0.01, float("nan"), float("inf"), True, "0", None])
def test_fees_are_a_finite_non_negative_number(bad: Any) -> None:
    expected = "unpaid_billed_fees: expected a finite number >= 0 (yuan) (got "
    assert _error(unpaid_billed_fees=bad).startswith(expected)


def test_missing_and_unknown_fields_are_named() -> None:
    data = {k: v for k, v in BASE.items() if k != "as_of"}
    with pytest.raises(ValidationError) as info:
        PortabilityCase.model_validate(data)
    assert describe_errors(info.value) == "as_of: missing (expected YYYY-MM-DD)"
    assert _error(joined="2024-01-01").startswith("joined: unknown field (expected one of id, number,")


def test_several_problems_are_all_reported() -> None:
    message = _error(status="x", joined_on="x")
    assert "status: expected" in message
    assert "joined_on: expected" in message


@pytest.mark.parametrize(("bad", "name"), [("", "''"), ("a\nb", "'a\\nb'"), (7, "7"), ("x" * 129, "'xxx")])
def test_ids(bad: Any, name: str) -> None:
    assert _error(id=bad).startswith("id: expected a non-empty string of at most 128 characters (got " + name)


def test_dates_after_as_of_are_inconsistent() -> None:
    assert _error(joined_on="2024-06-02") == (
        "joined_on: expected a date on or before as_of 2024-06-01 (got 2024-06-02)"
    )
    expected = "last_ported_on: expected a date on or before as_of"
    assert _error(last_ported_on="2025-01-01").startswith(expected)
    # A contract lock may end in the future; that is what makes it bind.
    assert PortabilityCase.model_validate({**BASE, "contract_lock_until": "2030-01-01"}).contract_lock_until


def test_operator_decision_validation() -> None:
    assert _error(operator_decision="no").startswith('operator_decision: expected an object {"eligible"')
    assert _error(operator_decision={"eligible": "no", "reasons": []}) == (
        "operator_decision.eligible: expected true or false (got 'no')"
    )
    assert _error(operator_decision={"eligible": False, "reasons": ["TOO_LATE"]}).startswith(
        "operator_decision.reasons: expected a reason code, one of NOT_REAL_NAME"
    )
    assert _error(operator_decision={"eligible": True, "reasons": ["TOO_SOON"]}) == (
        "operator_decision: reasons: expected none when eligible is true (got ['TOO_SOON'])"
    )
    assert _error(operator_decision={"eligible": False}) == (
        "operator_decision.reasons: missing (expected a list of reason codes)"
    )
    case = PortabilityCase.model_validate(
        {**BASE, "operator_decision": {"eligible": False, "reasons": ["TOO_SOON", "TOO_SOON"]}}
    )
    assert case.operator_decision is not None
    assert case.operator_decision.reasons == [ReasonCode.TOO_SOON]


def test_long_values_are_shortened_in_messages() -> None:
    message = _error(status="s" * 500)
    assert len(message) < 200
    assert message.endswith("...)")
