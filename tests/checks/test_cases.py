"""Walk every check's `cases/*.pass.json`, `*.fail.json` and `*.manual.json` through the real runner.

A manual case shows evidence the check cannot decide: it must give MANUAL (with the facts its `expect`
pins) and never FAIL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ganzhi.catalog.overrides import validate_overrides
from ganzhi.engine.registry import default_registry
from ganzhi.engine.runner import evaluate
from ganzhi.evidence.base import Evidence
from ganzhi.evidence.status import Status
from ganzhi.findings.models import Result


def _cases() -> list[tuple[str, Path]]:
    registry = default_registry()
    found: list[tuple[str, Path]] = []
    for spec in registry.all():
        files = sorted(spec.cases_dir.glob("*.json"))
        found.extend((spec.id, path) for path in files)
    return found


CASES = _cases()


def test_every_check_has_pass_and_fail_cases() -> None:
    registry = default_registry()
    for spec in registry.all():
        names = [p.name for p in spec.cases_dir.glob("*.json")]
        assert any(n.endswith(".pass.json") for n in names), f"{spec.id}: no *.pass.json case"
        assert any(n.endswith(".fail.json") for n in names), f"{spec.id}: no *.fail.json case"


def _subset(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    return all(actual.get(key) == value for key, value in expected.items())


EXPECT_KEYS = {"status", "data", "message"}


def expect_problems(case: dict[str, Any], is_fail: bool, pinned: Status = Status.FAIL) -> list[str]:
    """Why a case's `expect` cannot pin what it was written for (empty when it can).

    A fail (manual) case must name at least one FAIL (MANUAL), and every expected result must name data
    facts, so that a verdict for another reason than the one the case was written for does not pass it.
    """
    kind = pinned.value.lower()
    expect = case.get("expect")
    if expect is None:
        return (
            [f"no `expect`: a {kind} case must state which {pinned.value} (status and data) it shows"]
            if is_fail
            else []
        )
    if not isinstance(expect, list) or not expect:
        return ["`expect` must be a non-empty list"]
    problems: list[str] = []
    statuses = {status.value for status in Status}
    for index, item in enumerate(expect):
        if not isinstance(item, dict):
            problems.append(f"expect[{index}] is not an object")
            continue
        if unknown := set(item) - EXPECT_KEYS:
            problems.append(f"expect[{index}] has unknown keys {sorted(unknown)} (allowed: {sorted(EXPECT_KEYS)})")
        if item.get("status") not in statuses:
            problems.append(f"expect[{index}] status {item.get('status')!r} is not one of {sorted(statuses)}")
        if not isinstance(item.get("data"), dict) or not item["data"]:
            problems.append(f"expect[{index}] names no data facts, so any {item.get('status')} would match it")
        if "message" in item and (not isinstance(item["message"], str) or not item["message"]):
            problems.append(f"expect[{index}] message must be a non-empty string")
    if is_fail and not any(isinstance(i, dict) and i.get("status") == pinned.value for i in expect):
        problems.append(f"a {kind} case's `expect` must name at least one {pinned.value}")
    return problems


def _matches(expected: dict[str, Any], result: Result) -> bool:
    """The result has the expected status, every expected data fact, and the message text if one is given."""
    if result.status.value != expected["status"] or not _subset(expected.get("data", {}), result.data):
        return False
    message = expected.get("message")
    return message is None or message in result.message.zh or message in (result.message.en or "")


@pytest.mark.parametrize(("check_id", "path"), CASES, ids=[f"{c}/{p.name}" for c, p in CASES])
def test_case(check_id: str, path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    registry = default_registry()
    spec = registry.get(check_id)
    evidence = [Evidence.model_validate(item) for item in case["evidence"]]
    overrides = None
    if case.get("overrides"):
        req = spec.metadata.requirements[0]
        overrides = validate_overrides(registry.catalog, {req: case["overrides"]}, str(path))
    pinned = Status.MANUAL if path.name.endswith(".manual.json") else Status.FAIL
    problems = expect_problems(case, not path.name.endswith(".pass.json"), pinned)
    assert not problems, f"{path}: " + "; ".join(problems)
    outcome = evaluate(evidence, check_ids=[check_id], overrides=overrides)
    statuses = [r.status for r in outcome.results]
    assert statuses, f"{path}: the check produced no result"
    assert Status.ERROR not in statuses, f"{path}: {[r.message.zh for r in outcome.results]}"
    if path.name.endswith(".pass.json"):
        assert Status.FAIL not in statuses, f"{path}: expected no FAIL, got {statuses}"
        assert Status.PASS in statuses, f"{path}: expected a PASS, got {statuses}"
    elif path.name.endswith(".fail.json"):
        assert Status.FAIL in statuses, f"{path}: expected a FAIL, got {statuses}"
    elif path.name.endswith(".manual.json"):
        assert Status.FAIL not in statuses, f"{path}: expected no FAIL, got {statuses}"
        assert Status.MANUAL in statuses, f"{path}: expected a MANUAL, got {statuses}"
    else:
        pytest.fail(f"{path}: case files must end in .pass.json, .fail.json or .manual.json")
    for expected in case.get("expect", []):
        assert any(_matches(expected, r) for r in outcome.results), (
            f"{path}: no result matches {expected}; got {[(r.status.value, r.data) for r in outcome.results]}"
        )


def test_every_fail_case_pins_its_expect() -> None:
    offenders: list[str] = []
    for _check_id, path in CASES:
        case = json.loads(path.read_text(encoding="utf-8"))
        pinned = Status.MANUAL if path.name.endswith(".manual.json") else Status.FAIL
        problems = expect_problems(case, not path.name.endswith(".pass.json"), pinned)
        offenders.extend(f"{path}: {problem}" for problem in problems)
    assert not offenders, "\n".join(offenders)


def test_expect_rules_reject_vague_fail_cases() -> None:
    assert expect_problems({"evidence": []}, is_fail=True) == [
        "no `expect`: a fail case must state which FAIL (status and data) it shows"
    ]
    assert expect_problems({"evidence": []}, is_fail=False) == []
    assert expect_problems({"expect": []}, is_fail=True) == ["`expect` must be a non-empty list"]
    status_only = expect_problems({"expect": [{"status": "FAIL"}]}, is_fail=True)
    assert status_only == ["expect[0] names no data facts, so any FAIL would match it"]
    only_warn = expect_problems({"expect": [{"status": "WARN", "data": {"aspect": "x"}}]}, is_fail=True)
    assert only_warn == ["a fail case's `expect` must name at least one FAIL"]
    typo = expect_problems({"expect": [{"status": "FAIL", "datas": {"a": 1}}]}, is_fail=True)
    assert any("unknown keys ['datas']" in p for p in typo)
    assert any(
        "status 'FAILED'" in p for p in expect_problems({"expect": [{"status": "FAILED", "data": {"a": 1}}]}, True)
    )


def test_expect_tells_fail_reasons_apart() -> None:
    registry = default_registry()
    path = registry.get("t4_fullscreen_jump").cases_dir / "probe_jumps.fail.json"
    case = json.loads(path.read_text(encoding="utf-8"))
    outcome = evaluate([Evidence.model_validate(item) for item in case["evidence"]], check_ids=["t4_fullscreen_jump"])
    [result] = outcome.results
    assert _matches(case["expect"][0], result)
    assert not _matches({"status": "FAIL", "data": {"jump_share": 0.2}, "message": "of the screen"}, result)
    assert not _matches({"status": "FAIL", "data": {"jump_share": 0.6}}, result)
    assert not _matches({"status": "WARN", "data": {"jump_share": 0.2}}, result)
