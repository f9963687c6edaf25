"""Builders for the supervision tests: demo enterprises, results and issues on their subjects."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ganzhi.catalog.schema import EnterpriseType
from ganzhi.evidence.base import Subject
from ganzhi.evidence.status import Severity, Status
from ganzhi.findings.models import Issue, IssueState, Result
from ganzhi.i18n import Text
from ganzhi.supervision.models import Enterprise, SubjectLink, SubjectRole
from ganzhi.supervision.uscc import complete_uscc

T0 = dt.datetime(2022, 2, 18, 9, 0, tzinfo=dt.UTC)


def uscc(n: int) -> str:
    """A valid, fictional USCC numbered `n`."""
    return complete_uscc(f"91110108{n:08d}")


def enterprise(
    eid: str, n: int, type_: EnterpriseType = EnterpriseType.INTERNET_COMPANY, *apps: str, stores: tuple[str, ...] = ()
) -> Enterprise:
    """An enterprise operating `apps` and distributing `stores` apps."""
    links = [SubjectLink(subject_type="app", subject_id=a) for a in apps]
    links += [SubjectLink(subject_type="app", subject_id=a, role=SubjectRole.DISTRIBUTES) for a in stores]
    return Enterprise(id=eid, name=f"示例企业{n}", uscc=uscc(n), type=type_, subjects=links)


def result(
    fp: str,
    app: str,
    *,
    task: str = "T4",
    requirements: tuple[str, ...] = ("T4.close-control",),
    severity: Severity = Severity.HIGH,
    status: Status = Status.FAIL,
    run_id: str = "run-1",
) -> Result:
    """A result about app `app` (version 1.0) with fingerprint `fp`."""
    return Result(
        run_id=run_id,
        check_id=f"{task.lower()}_demo",
        task=task,
        requirement_ids=list(requirements),
        subject=Subject(type="app", id=app, version="1.0"),
        status=status,
        severity=severity,
        title=Text(zh="示例检查"),
        message=Text(zh="示例问题"),
        fingerprint=fp,
    )


def issue(fp: str, app: str, state: IssueState = IssueState.OPEN, **update: Any) -> Issue:
    """An issue from `result(fp, app)` in `state`, with any field overridden."""
    r = result(fp, app, **{k: update.pop(k) for k in ("task", "requirements", "severity") if k in update})
    base = Issue(
        fingerprint=fp,
        check_id=r.check_id,
        task=r.task,
        requirement_ids=r.requirement_ids,
        subject=r.subject,
        severity=r.severity,
        state=state,
        title=r.title,
        message=r.message,
        opened_at=T0,
        updated_at=T0,
        first_run_id="run-1",
        last_run_id="run-1",
    )
    return base.model_copy(update=update)
