"""The regulator's records: campaigns and rounds, enterprises and their subjects, interviews, ladder events.

Plain frozen pydantic models; the store maps them to rows and the CLI prints them. Identifiers are
short slugs chosen by the regulator (`campaign-2022q1`, `ent-demo-video`), so that part 2's
publications can reference a campaign, round, enterprise and issues by stable keys.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ganzhi.catalog.schema import EnterpriseType
from ganzhi.supervision.uscc import validate_uscc

SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
TASK_ID = re.compile(r"^T(?:[1-9]|1[01])$")
SUBJECT_TYPE = re.compile(r"^[a-z][a-z0-9_]*$")


def _slug(value: str, what: str) -> str:
    if not SLUG.match(value):
        raise ValueError(f"{what} must be a lowercase slug like 'campaign-2022q1' (got {value!r})")
    return value


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RoundKind(StrEnum):
    """What a round is for; look-back rounds re-test fixed issues (part 2 runs them)."""

    INSPECTION = "inspection"
    LOOKBACK = "lookback"


class Campaign(_Frozen):
    """A supervision campaign: a window, the tasks it inspects and its validated param overrides."""

    id: str
    name: str = Field(min_length=1, max_length=200)
    starts: dt.date
    ends: dt.date
    tasks: list[str] = Field(min_length=1)
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)
    key_lists: list[str] = Field(default_factory=list)
    description: str | None = None
    created_at: dt.datetime

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return _slug(value, "campaign id")

    @field_validator("tasks")
    @classmethod
    def _tasks(cls, value: list[str]) -> list[str]:
        bad = [t for t in value if not TASK_ID.match(t)]
        if bad:
            raise ValueError(f"tasks must be ids T1..T11 (got {bad})")
        if len(set(value)) != len(value):
            raise ValueError(f"tasks listed twice in {value}")
        return value

    @model_validator(mode="after")
    def _window(self) -> Campaign:
        if self.ends < self.starts:
            raise ValueError(f"campaign {self.id!r}: ends {self.ends} is before starts {self.starts}")
        return self


class CampaignRound(_Frozen):
    """One inspection (or look-back) round of a campaign, numbered from 1; runs attach to it."""

    campaign_id: str
    number: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=200)
    kind: RoundKind = RoundKind.INSPECTION
    starts: dt.date
    ends: dt.date | None = None
    run_ids: list[str] = Field(default_factory=list)

    @property
    def key(self) -> str:
        """`campaign:number`, the round's reference in reports and publications."""
        return f"{self.campaign_id}:{self.number}"

    @model_validator(mode="after")
    def _window(self) -> CampaignRound:
        if self.ends is not None and self.ends < self.starts:
            raise ValueError(f"round {self.key}: ends {self.ends} is before starts {self.starts}")
        return self


class SubjectRole(StrEnum):
    """How an enterprise relates to a subject: it runs it, or (an app store) distributes it."""

    OPERATES = "operates"
    DISTRIBUTES = "distributes"


class SubjectLink(_Frozen):
    """A subject (app, hotline, hall, cloud-drive service...) that belongs to an enterprise."""

    subject_type: str
    subject_id: str = Field(min_length=1, max_length=512)
    role: SubjectRole = SubjectRole.OPERATES
    name: str | None = None

    @field_validator("subject_type")
    @classmethod
    def _type(cls, value: str) -> str:
        if not SUBJECT_TYPE.match(value):
            raise ValueError(f"subject type must be snake_case like 'app' or 'hotline' (got {value!r})")
        return value

    @property
    def key(self) -> str:
        """The subject key without version (`type:id`), as evidence subjects start."""
        return f"{self.subject_type}:{self.subject_id}"


class Enterprise(_Frozen):
    """An enterprise under supervision, identified by its 统一社会信用代码."""

    id: str
    name: str = Field(min_length=1, max_length=200)
    uscc: str
    type: EnterpriseType
    province: str | None = None
    subjects: list[SubjectLink] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return _slug(value, "enterprise id")

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, value: str) -> str:
        return validate_uscc(value)

    @model_validator(mode="after")
    def _unique_subjects(self) -> Enterprise:
        keys = [(s.key, s.role) for s in self.subjects]
        dupes = sorted({f"{k} ({r.value})" for k, r in keys if keys.count((k, r)) > 1})
        if dupes:
            raise ValueError(f"enterprise {self.id!r} lists subjects {dupes} more than once")
        return self


class AssignmentBasis(StrEnum):
    """Why an enterprise must do a task in a campaign."""

    TYPE = "type"
    KEY_LIST = "key_list"


class Assignment(_Frozen):
    """One task one enterprise must do in one campaign, and why."""

    campaign_id: str
    enterprise_id: str
    task: str
    basis: AssignmentBasis
    list_id: str | None = None


class Commitment(_Frozen):
    """What an enterprise promised in an interview, by when."""

    text: str = Field(min_length=1, max_length=2000)
    due: dt.date
    fingerprints: list[str] = Field(default_factory=list)


class Interview(_Frozen):
    """A 约谈 record: when, who attended, the minutes and the commitments made."""

    id: str
    enterprise_id: str
    held_on: dt.date
    attendees: list[str] = Field(min_length=1)
    minutes: str = Field(min_length=1, max_length=100_000)
    commitments: list[Commitment] = Field(default_factory=list)
    campaign_id: str | None = None
    fingerprints: list[str] = Field(default_factory=list)
    rule_ids: list[str] = Field(default_factory=list)
    recorded_by: str = Field(min_length=1)
    recorded_at: dt.datetime

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return _slug(value, "interview id")

    @model_validator(mode="after")
    def _commitments_after_meeting(self) -> Interview:
        early = [c.due.isoformat() for c in self.commitments if c.due < self.held_on]
        if early:
            raise ValueError(f"interview {self.id!r}: commitments due {early} before the interview on {self.held_on}")
        return self


class LadderEvent(_Frozen):
    """One audited move of an enterprise on the enforcement ladder (None = not on the ladder)."""

    enterprise_id: str
    from_step: str | None
    to_step: str | None
    actor: str = Field(min_length=1)
    at: dt.datetime
    reason: str = Field(min_length=1)
    skip_reason: str | None = None
    interview_id: str | None = None
    campaign_id: str | None = None
