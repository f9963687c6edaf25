"""Every T9 check's cases, evaluated with hand-built params (independent of the shipped catalog)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checks.t9.t9_support import DEFAULT_MIN_DAYS, DEFAULT_PREFIXES, T9_DIR, run_checks, t9_specs
from ganzhi.evidence.base import Evidence
from ganzhi.evidence.status import Status

EXPECTED_CHECKS = {
    "t9_port_real_name",
    "t9_port_normal_status",
    "t9_port_fees_settled",
    "t9_port_contract_lock",
    "t9_port_min_interval",
    "t9_port_number_range",
    "t9_port_operator_decision",
}
CASES = sorted(T9_DIR.glob("t9_port_*/cases/*.json"))


def test_all_seven_checks_exist_with_pass_and_fail_cases() -> None:
    assert set(t9_specs()) == EXPECTED_CHECKS
    for check_id in EXPECTED_CHECKS:
        names = [p.name for p in (T9_DIR / check_id / "cases").glob("*.json")]
        assert any(n.endswith(".pass.json") for n in names), check_id
        assert any(n.endswith(".fail.json") for n in names), check_id


def test_metadata_follows_the_contract() -> None:
    for check_id, spec in t9_specs().items():
        meta = spec.metadata
        assert meta.task == "T9"
        assert meta.subject_types == ["phone_number"]
        assert meta.evidence_kinds == ["portability_case"]
        if check_id == "t9_port_operator_decision":
            assert meta.creates_issues is True
            assert meta.severity.value == "high"
            assert meta.requirements == ["T9.operator-decision"]
            assert meta.fingerprint_fields == ["violation"]
        else:
            assert meta.creates_issues is False
            assert meta.severity.value == "info"
            assert len(meta.requirements) == 1
            assert meta.requirements[0].startswith("T9.eligibility.")


def _matches(expected: dict[str, Any], data: dict[str, Any]) -> bool:
    return all(data.get(key) == value for key, value in expected.items())


@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.parent.name}/{p.name}" for p in CASES])
def test_case(path: Path) -> None:
    check_id = path.parent.parent.name
    case = json.loads(path.read_text(encoding="utf-8"))
    assert case["description"]
    evidence = [Evidence.model_validate(item) for item in case["evidence"]]
    overrides = case.get("overrides", {})
    run = run_checks(
        evidence,
        check_ids=[check_id],
        min_days=overrides.get("min_days", DEFAULT_MIN_DAYS),
        prefixes=overrides.get("non_portable_prefixes", DEFAULT_PREFIXES),
    )
    statuses = [r.status for r in run.results]
    assert not run.errors, run.errors
    if path.name.endswith(".pass.json"):
        assert Status.FAIL not in statuses, statuses
        assert Status.PASS in statuses, statuses
    else:
        assert path.name.endswith(".fail.json")
        assert Status.FAIL in statuses, statuses
    for expected in case.get("expect", []):
        wanted = expected.get("data", {})
        assert any(r.status.value == expected["status"] and _matches(wanted, r.data) for r in run.results), (
            f"{path.name}: no result matches {expected}; got {[(r.status, r.data) for r in run.results]}"
        )


def test_every_eligibility_fail_case_names_its_reason() -> None:
    for path in CASES:
        if path.parent.parent.name == "t9_port_operator_decision" or not path.name.endswith(".fail.json"):
            continue
        expect = json.loads(path.read_text(encoding="utf-8")).get("expect", [])
        assert any("reason" in item.get("data", {}) for item in expect), path
