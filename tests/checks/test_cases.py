"""Walk every check's `cases/*.pass.json` and `*.fail.json` through the real runner."""

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


def _cases() -> list[tuple[str, Path]]:
    registry = default_registry()
    found = []
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
    outcome = evaluate(evidence, check_ids=[check_id], overrides=overrides)
    statuses = [r.status for r in outcome.results]
    assert statuses, f"{path}: the check produced no result"
    assert Status.ERROR not in statuses, f"{path}: {[r.message.zh for r in outcome.results]}"
    if path.name.endswith(".pass.json"):
        assert Status.FAIL not in statuses, f"{path}: expected no FAIL, got {statuses}"
        assert Status.PASS in statuses, f"{path}: expected a PASS, got {statuses}"
    elif path.name.endswith(".fail.json"):
        assert Status.FAIL in statuses, f"{path}: expected a FAIL, got {statuses}"
    else:
        pytest.fail(f"{path}: case files must end in .pass.json or .fail.json")
    for expected in case.get("expect", []):
        assert any(
            r.status.value == expected["status"] and _subset(expected.get("data", {}), r.data) for r in outcome.results
        ), f"{path}: no result matches {expected}"
