"""加固检测: build irregularities are never tampering (a permission requested twice once FAILed a real APK)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.checks.t11.packer_cases import CASES_DIR, build, render

from ganzhi.engine.runner import evaluate
from ganzhi.evidence.apk import ApkStatic
from ganzhi.evidence.base import Evidence
from ganzhi.evidence.status import Status
from shared_data import shared_path

CHECK = "t11_packer_detected"


def _clean() -> dict[str, Any]:
    case: dict[str, Any] = json.loads((CASES_DIR / "clean.pass.json").read_text(encoding="utf-8"))
    return case


def _results(data: dict[str, Any]) -> list[tuple[Status, dict[str, Any]]]:
    case = _clean()
    case["evidence"][0]["data"].update(data)
    run = evaluate([Evidence.model_validate(e) for e in case["evidence"]], check_ids=[CHECK], overrides=None)
    return [(r.status, r.data) for r in run.results]


def test_case_files_are_what_the_builder_makes() -> None:
    for name, case in build().items():
        assert (CASES_DIR / name).read_text(encoding="utf-8") == render(case), f"rerun packer_cases.py: {name}"


def test_old_evidence_without_the_field_still_loads() -> None:
    data = _clean()["evidence"][0]["data"]
    assert "irregularities" not in data
    assert ApkStatic.model_validate(data).irregularities == []


def test_irregularities_alone_pass_with_a_note() -> None:
    [(status, data)] = _results({"irregularities": ["permission a.B is requested more than once"]})
    assert status is Status.PASS
    assert data["irregularities"] == ["permission a.B is requested more than once"]


def test_anomalies_still_fail() -> None:
    statuses = {s for s, _ in _results({"anomalies": ["entry 'x' is hidden"]})}
    assert Status.FAIL in statuses


def test_implicit_export_below_target_31_is_installable() -> None:
    comp = {"kind": "activity", "name": "a.B", "exported": False, "intent_filters": [{"actions": ["x"]}]}
    assert [s for s, _ in _results({"target_sdk": 30, "components": [comp]})] == [Status.PASS]
    assert Status.WARN in {s for s, _ in _results({"target_sdk": 31, "components": [comp]})}
    declared = {**comp, "exported_declared": False}
    assert [s for s, _ in _results({"target_sdk": 31, "components": [declared]})] == [Status.PASS]


@pytest.mark.shared_data
def test_miiad_duplicate_permissions_do_not_fail() -> None:
    from ganzhi.collect.apk.analyze import analyze_apk
    from ganzhi.collect.apk.reader import apk_evidence

    path = shared_path("apk", "apks", "cn", "miiad_pangle_gdt_0817.apk")
    facts = analyze_apk(path)
    assert any("more than once" in i for i in facts.static.irregularities)
    assert not any("more than once" in a for a in facts.static.anomalies)
    run = evaluate([apk_evidence(facts)], check_ids=[CHECK], overrides=None)
    assert Status.FAIL not in {r.status for r in run.results}
