"""Cross-region handling (T8): an operator's capability matrix and the tests that try it.

A capability says whether `operation` of `service` can be done in `province` through `channel`:
`hall_other_province` (a hall outside the user's home province), `hall_other_city` (another city of
the same province), `online` (app / web hall) or `hall_home`. Provinces are 2-digit codes.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ganzhi.evidence.base import evidence_kind

SUBJECT_TYPE = "operator"
Service = Literal["family_network", "converged"]
Channel = Literal["hall_other_province", "hall_other_city", "online", "hall_home"]
SERVICES: tuple[str, ...] = ("family_network", "converged")
CHANNELS: tuple[str, ...] = ("hall_other_province", "hall_other_city", "online", "hall_home")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Capability(_Frozen):
    """One cell of the matrix as the operator declares it."""

    province: str = Field(pattern=r"^\d{2}$")
    service: Service
    operation: str = Field(min_length=1, max_length=64)
    channel: Channel
    supported: bool


class CrossRegionTest(_Frozen):
    """One mystery-shopper or inspector attempt at a cell of the matrix."""

    province: str = Field(pattern=r"^\d{2}$")
    service: Service
    operation: str = Field(min_length=1, max_length=64)
    channel: Channel
    date: dt.date
    succeeded: bool
    note: str = ""


@evidence_kind("cross_region_matrix")
class CrossRegionMatrix(_Frozen):
    """Everything known about one operator's cross-region handling."""

    operator: str
    capabilities: list[Capability]
    tests: list[CrossRegionTest] = Field(default_factory=list)
