"""Small builders for `Result` and `Issue` objects used by the findings and outputs tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ganzhi.evidence.base import Subject
from ganzhi.evidence.status import Severity, Status
from ganzhi.findings.fingerprint import fingerprint
from ganzhi.findings.lifecycle import open_issue
from ganzhi.findings.models import Issue, IssueState, Result
from ganzhi.i18n import Text

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
T1 = dt.datetime(2025, 4, 1, 9, 0, tzinfo=dt.UTC)
T2 = dt.datetime(2025, 5, 1, 9, 0, tzinfo=dt.UTC)

APP = Subject(type="app", id="com.example.shop", version="3.2.1", name="示例商城", enterprise="示例科技有限公司")
HALL = Subject(type="port_hall", id="bj-0001", name="北京西单营业厅", enterprise="示例电信")

CHECK_TASKS = {"t11_sdk_inventory": "T11", "t4_close_control": "T4", "t9_port_hall_list": "T9"}
CHECK_REQUIREMENTS = {
    "t11_sdk_inventory": ["T11.sdk-inventory"],
    "t4_close_control": ["T4.close-control"],
    "t9_port_hall_list": ["T9.hall-list"],
}


def make_result(
    *,
    check_id: str = "t11_sdk_inventory",
    subject: Subject = APP,
    status: Status = Status.FAIL,
    data: dict[str, Any] | None = None,
    fields: Sequence[str] = ("sdk",),
    run_id: str = "run-1",
    severity: Severity = Severity.HIGH,
    creates_issues: bool = True,
    location: str | None = None,
    message: Text | None = None,
    params: dict[str, dict[str, Any]] | None = None,
) -> Result:
    """A result whose fingerprint is computed the documented way from `data` and `fields`."""
    data = {"sdk": "com.umeng"} if data is None else data
    return Result(
        run_id=run_id,
        check_id=check_id,
        task=CHECK_TASKS.get(check_id, "T11"),
        requirement_ids=CHECK_REQUIREMENTS.get(check_id, ["T11.sdk-inventory"]),
        subject=subject,
        status=status,
        severity=severity,
        title=Text(zh="第三方SDK清单完整", en="Third-party SDK list is complete"),
        message=message
        or Text(zh=f"状态{status.value}：SDK {data.get('sdk')} 未在共享清单中列出", en=f"{status.value}: SDK"),
        data=data,
        location=location,
        fingerprint=fingerprint(check_id, subject, data, fields),
        evidence_ids=["e" * 64],
        params=params or {},
        creates_issues=creates_issues,
        duration_ms=1.5,
    )


def make_issue(result: Result, state: IssueState = IssueState.OPEN, **update: Any) -> Issue:
    """An issue opened from `result` at T0, then forced into `state` (fixtures only, not a transition)."""
    issue, _ = open_issue(result, at=T0, deadline=dt.date(2025, 3, 31))
    changes: dict[str, Any] = {"state": state, **update}
    if state is IssueState.WAIVED and "waiver_expires" not in update:
        changes["waiver_expires"] = T2
    return issue.model_copy(update=changes)
