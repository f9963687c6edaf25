"""典型案例 / good practice: what an enterprise did well on a task, with its evidence, published once approved.

The action asks regulators to publicise good practice as well as problems. A record is drafted by one
regulator and approved by another (the same four-eyes rule as 通报); only approved records reach the
public portal.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ganzhi.supervision.models import SLUG, TASK_ID


class PracticeStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"


class GoodPractice(BaseModel):
    """One 典型案例 record."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    enterprise_id: str
    task: str
    title: str = Field(min_length=1, max_length=200)
    practice: str = Field(min_length=1, max_length=20_000)
    evidence: str = Field(min_length=1, max_length=20_000)
    status: PracticeStatus = PracticeStatus.DRAFT
    created_by: str = Field(min_length=1, max_length=128)
    created_at: dt.datetime
    approved_by: str | None = None
    approved_at: dt.datetime | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError(f"case id must be a lowercase slug like 'case-2022-01' (got {value!r})")
        return value

    @field_validator("task")
    @classmethod
    def _task(cls, value: str) -> str:
        if not TASK_ID.match(value):
            raise ValueError(f"task must be one of T1..T11 (got {value!r})")
        return value


def approve(record: GoodPractice, approver: str, at: dt.datetime) -> GoodPractice:
    """The approved record; the drafter may not approve their own record, an approved one stays as it is.

    Raises:
        ValueError: already approved, or approver is the drafter.
    """
    if record.status is PracticeStatus.APPROVED:
        raise ValueError(f"case {record.id!r} is already approved (by {record.approved_by})")
    if approver == record.created_by:
        raise ValueError(f"case {record.id!r} was recorded by {approver}; a second regulator must approve it")
    return record.model_copy(update={"status": PracticeStatus.APPROVED, "approved_by": approver, "approved_at": at})
