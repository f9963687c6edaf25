"""A low-confidence finding never blocks a listing on its own; the same finding at normal confidence does."""

from __future__ import annotations

from typing import Any

from ganzhi.appstore.verdict import Verdict, decide, load_verdict_rule
from ganzhi.evidence.base import Subject
from ganzhi.evidence.status import Severity, Status
from ganzhi.findings.models import Result
from ganzhi.i18n import Text


def _fail(**data: Any) -> Result:
    return Result(
        run_id="r",
        check_id="t11_pi_before_consent",
        task="T11",
        requirement_ids=["T11.pi.before-consent"],
        subject=Subject(type="app", id="com.example.app", version="1.0"),
        status=Status.FAIL,
        severity=Severity.HIGH,
        title=Text(zh="同意前收集", en="collected before consent"),
        message=Text(zh="同意前调用", en="called before consent"),
        data=data,
        fingerprint="f" * 16,
    )


def test_a_high_severity_fail_blocks() -> None:
    assert decide([_fail()], load_verdict_rule()) is Verdict.BLOCK
    assert decide([_fail(confidence="high")], load_verdict_rule()) is Verdict.BLOCK


def test_a_low_confidence_fail_goes_to_review_not_block() -> None:
    assert decide([_fail(confidence="low")], load_verdict_rule()) is Verdict.REVIEW
    assert decide([_fail(confidence="LOW")], load_verdict_rule()) is Verdict.REVIEW


def test_one_confident_fail_still_blocks_beside_a_low_confidence_one() -> None:
    assert decide([_fail(confidence="low"), _fail()], load_verdict_rule()) is Verdict.BLOCK
