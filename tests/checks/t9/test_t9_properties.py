"""Property: a generated case is eligible iff no reason is found, and reasons come in the fixed order.

The reasons are also compared with an oracle written here from the rule text, independently of
`checks/t9/eligibility.py`, and the operator review is checked against the same oracle.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.t9.t9_support import DEFAULT_MIN_DAYS, DEFAULT_PREFIXES, run_checks
from ganzhi.evidence.base import Evidence
from ganzhi.evidence.portability import REASON_ORDER, PortabilityCase
from ganzhi.evidence.status import Status
from ganzhi.usecases.portability.verdict import OPERATOR_CHECK, verdict_for

CODES = [code.value for code in REASON_ORDER]
AS_OF = dt.date(2024, 3, 1)


@st.composite
def numbers(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from([*DEFAULT_PREFIXES, "130", "134", "138", "145", "150", "186", "199"]))
    length = 13 if prefix == "1064" else 11
    return prefix + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=length - len(prefix),
                                          max_size=length - len(prefix))))  # fmt: skip


def _near(draw: st.DrawFn, days: int) -> dt.date:
    """A date up to `days` before AS_OF, biased towards the 120-day boundary."""
    back = draw(st.one_of(st.integers(0, days), st.integers(DEFAULT_MIN_DAYS - 2, DEFAULT_MIN_DAYS + 2)))
    return AS_OF - dt.timedelta(days=back)


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    joined = _near(draw, 3000)
    ported = _near(draw, 3000) if draw(st.booleans()) else None
    lock = draw(st.one_of(st.none(), st.integers(-5, 400).map(lambda d: AS_OF + dt.timedelta(days=d))))
    return {
        "id": draw(st.text(alphabet="abcxyz0189-_", min_size=1, max_size=12)),
        "number": draw(numbers()),
        "real_name_registered": draw(st.booleans()),
        "status": draw(st.sampled_from(["normal", "lost", "suspended"])),
        "unpaid_billed_fees": draw(st.sampled_from([0, 0.0, 0.01, 1, 99.9])),
        "contract_lock_until": lock.isoformat() if lock else None,
        "joined_on": joined.isoformat(),
        "last_ported_on": ported.isoformat() if ported else None,
        "as_of": AS_OF.isoformat(),
    }


def oracle(raw: dict[str, Any]) -> list[str]:
    """The rules as the regulation states them, written independently of the checks."""
    as_of = dt.date.fromisoformat(raw["as_of"])
    since = [dt.date.fromisoformat(raw["joined_on"])]
    if raw["last_ported_on"]:
        since.append(dt.date.fromisoformat(raw["last_ported_on"]))
    found = set()
    if not raw["real_name_registered"]:
        found.add("NOT_REAL_NAME")
    if raw["status"] in {"lost", "suspended"}:
        found.add("ABNORMAL_STATUS")
    if raw["unpaid_billed_fees"] > 0:
        found.add("UNPAID_FEES")
    if raw["contract_lock_until"] and dt.date.fromisoformat(raw["contract_lock_until"]) >= as_of:
        found.add("CONTRACT_LOCK")
    if any((as_of - day).days < 120 for day in since):
        found.add("TOO_SOON")
    if any(raw["number"].startswith(p) for p in DEFAULT_PREFIXES):
        found.add("NON_PORTABLE_RANGE")
    return [code for code in CODES if code in found]


def _evidence(raw: dict[str, Any]) -> Evidence:
    case = PortabilityCase.model_validate(raw)
    return Evidence.of(case, case.subject, source="hypothesis")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_eligible_iff_no_reason_and_reasons_in_fixed_order(raw: dict[str, Any]) -> None:
    run = run_checks([_evidence(raw)])
    assert not run.errors
    verdict = verdict_for(raw["id"], run.results).to_json()
    assert verdict["eligible"] == (verdict["reasons"] == [])
    assert set(verdict["reasons"]) <= set(CODES)
    assert verdict["reasons"] == [code for code in CODES if code in verdict["reasons"]]
    assert verdict["reasons"] == oracle(raw)
    assert "operator_review" not in verdict


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.booleans(), st.lists(st.sampled_from(CODES), unique=True, max_size=6))
def test_operator_review_agrees_with_the_oracle(raw: dict[str, Any], eligible: bool, reasons: list[str]) -> None:
    told = {"eligible": eligible, "reasons": [] if eligible else reasons}
    run = run_checks([_evidence({**raw, "operator_decision": told})])
    review = [r for r in run.results if r.check_id == OPERATOR_CHECK]
    expected = oracle(raw)
    violations = {r.data["violation"] for r in review if r.status in {Status.FAIL, Status.WARN}}
    want = set()
    if not eligible and not expected:
        want.add("refused_eligible")
    if not eligible and expected and set(expected) - set(told["reasons"]):
        want.add("incomplete_reasons")
    if set(told["reasons"]) - set(expected):
        want.add("unfounded_reason")
    if eligible and expected:
        want.add("accepted_ineligible")
    assert violations == want
    assert (not want) == ([r.status for r in review] == [Status.PASS])
