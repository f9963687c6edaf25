"""Schema rules added for honest automation status: planned checks, and checks that fit their task."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from ganzhi.catalog.schema import Automation, Requirement


def _requirement(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "T4.close-control",
        "title": {"zh": "关闭按钮"},
        "text": {"zh": "关闭按钮明显有效"},
        "sources": [{"document": "通知", "label": "V"}],
        "automation": "manual",
        "weight": 5,
    }
    data.update(overrides)
    return data


def test_planned_fields_accepted() -> None:
    req = Requirement.model_validate(
        _requirement(planned_automation="automated", planned_checks=["t4_close_control_findable"])
    )
    assert req.planned_automation is Automation.AUTOMATED
    assert req.checks == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"planned_checks": ["T4-close"]}, "check id must look like"),
        ({"planned_checks": ["t4_a", "t4_a"]}, "duplicate check ids"),
        ({"planned_automation": "partial"}, "plans automation 'partial' but names no planned_checks"),
        ({"checks": ["t4_a"]}, "is manual but lists checks"),
        ({"automation": "automated", "checks": ["t4_a"], "planned_checks": ["t4_a"]}, "both as checks and"),
        ({"automation": "automated", "checks": ["t9_a"]}, "must start with 't4_'"),
        ({"automation": "partial"}, "is partial but lists no checks"),
    ],
)
def test_plan_rules(overrides: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError, match=expected):
        Requirement.model_validate(_requirement(**overrides))


def test_t1_check_prefix_does_not_match_t11() -> None:
    data = _requirement(id="T11.self-start", automation="automated", checks=["t1_self_start"])
    with pytest.raises(ValidationError, match="must start with 't11_'"):
        Requirement.model_validate(data)
