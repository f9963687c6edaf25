"""关联启动 FAILs only for background starts: the same hard-coded start with an unknown trigger is a WARN."""

from __future__ import annotations

import json
from pathlib import Path

from ganzhi.engine.runner import evaluate
from ganzhi.evidence.base import Evidence
from ganzhi.evidence.status import Status

CASE = (
    Path(__file__).resolve().parents[3]
    / "src/ganzhi/checks/t11/t11_associated_start/cases/sdk_wakes_other_app.fail.json"
)


def _statuses(trigger: str) -> set[Status]:
    case = json.loads(CASE.read_text(encoding="utf-8"))
    for envelope in case["evidence"]:
        for item in envelope["data"]["associated_start"]:
            item["trigger"] = trigger
    evidence = [Evidence.model_validate(e) for e in case["evidence"]]
    run = evaluate(evidence, check_ids=["t11_associated_start"], overrides=None)
    return {r.status for r in run.results}


def test_background_start_of_another_app_fails() -> None:
    assert Status.FAIL in _statuses("background")


def test_unknown_trigger_is_a_warning_not_a_fail() -> None:
    assert _statuses("unknown") == {Status.WARN}


def test_user_initiated_start_passes_with_a_note() -> None:
    assert _statuses("user") == {Status.PASS}
