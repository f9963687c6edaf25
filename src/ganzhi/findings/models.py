"""Results belong to one run; issues are tracked across runs by a stable fingerprint."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ganzhi.evidence.base import Subject
from ganzhi.evidence.status import Severity, Status
from ganzhi.i18n import Text


class Result(BaseModel):
    """One outcome of one check about one subject in one run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_id: str
    check_id: str
    task: str
    requirement_ids: list[str]
    subject: Subject
    status: Status
    severity: Severity
    title: Text
    message: Text
    data: dict[str, Any] = Field(default_factory=dict)
    location: str | None = None
    fingerprint: str
    evidence_ids: list[str] = Field(default_factory=list)
    params: dict[str, dict[str, Any]] = Field(default_factory=dict)
    creates_issues: bool = True
    duration_ms: float = 0.0

    @property
    def is_finding(self) -> bool:
        """True when this result should open or keep an issue."""
        return self.creates_issues and self.status is Status.FAIL


class IssueState(StrEnum):
    """The one state of a tracked issue."""

    OPEN = "OPEN"
    RECTIFYING = "RECTIFYING"
    FIXED = "FIXED"
    VERIFIED = "VERIFIED"
    REOPENED = "REOPENED"
    WAIVED = "WAIVED"
    FALSE_POSITIVE = "FALSE_POSITIVE"


class Issue(BaseModel):
    """A non-compliance tracked across runs; its identity is the fingerprint."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fingerprint: str
    check_id: str
    task: str
    requirement_ids: list[str]
    subject: Subject
    severity: Severity
    state: IssueState
    title: Text
    message: Text
    opened_at: dt.datetime
    updated_at: dt.datetime
    first_run_id: str
    last_run_id: str
    deadline: dt.date | None = None
    waiver_expires: dt.datetime | None = None


class Transition(BaseModel):
    """An audited change of an issue's state: who, when, why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fingerprint: str
    from_state: IssueState | None
    to_state: IssueState
    actor: str = Field(min_length=1)
    at: dt.datetime
    reason: str = Field(min_length=1)
    run_id: str | None = None
