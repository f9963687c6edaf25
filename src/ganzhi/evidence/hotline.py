"""Customer-service hotlines (T10): where a hotline is shown, dial-test attempts and IVR analysis.

Subject: `hotline`, id = the number (the enterprise's name when it publishes none), enterprise = who runs
it. The IVR analysis payload is computed by `ganzhi.collect.hotline.ivr` from a menu tree so checks never
parse menus themselves.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ganzhi.evidence.base import evidence_kind

SUBJECT_TYPE = "hotline"

EnterpriseType = Literal["internet_company", "basic_telecom_operator"]
Outcome = Literal["human", "no_human_option", "human_unreachable", "busy", "no_answer", "ivr_loop", "dropped"]
OUTCOMES: tuple[str, ...] = (
    "human",
    "no_human_option",
    "human_unreachable",
    "busy",
    "no_answer",
    "ivr_loop",
    "dropped",
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Placement(_Frozen):
    """Where the number is shown: an app screen reached by `path` (taps), or a web page."""

    channel: Literal["app", "website", "mini_program", "other"]
    path: list[str] = Field(default_factory=list, max_length=50)
    taps: int | None = Field(default=None, ge=0, le=100)
    url: str | None = None


@evidence_kind("hotline_listing")
class HotlineListing(_Frozen):
    """A hotline as the registry declares it."""

    enterprise: str = Field(min_length=1)
    enterprise_type: EnterpriseType
    number: str | None = Field(
        default=None, pattern=r"^[0-9+\-() ]{3,32}$", description="None: the enterprise publishes no hotline number"
    )
    shown_on: list[Placement] = Field(default_factory=list)
    elderly_direct_line: bool | None = None


class DialAttempt(_Frozen):
    """One dial test: when, which menu keys, and what happened."""

    started_at: dt.datetime
    ivr_path: list[str] = Field(default_factory=list, max_length=100)
    seconds_to_answer: float | None = Field(default=None, ge=0)
    seconds_to_human: float | None = Field(default=None, ge=0)
    outcome: Outcome
    caller_age: int | None = Field(default=None, ge=0, le=130)
    tester: str = ""


@evidence_kind("hotline_dial_tests")
class DialTests(_Frozen):
    """Every dial attempt on one hotline."""

    attempts: list[DialAttempt]


@evidence_kind("ivr_analysis")
class IvrAnalysis(_Frozen):
    """Shortest way through an IVR menu to a human, with the problems found in the tree."""

    human_reachable: bool
    min_depth: int | None = None
    min_seconds: float | None = None
    path: list[str] = Field(default_factory=list)
    cycles: list[list[str]] = Field(default_factory=list)
    dead_ends: list[str] = Field(default_factory=list)
    nodes: int = Field(ge=0)
