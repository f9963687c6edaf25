"""Broadband contract evidence (T2): the rates a contract states and what the user was told about speed.

Subject type `broadband_line` is shared with `speedtest_result`, so a line's contract and its speed
tests meet in one evidence set and the delivered-rate check can compare them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ganzhi.evidence.base import evidence_kind

SUBJECT_TYPE = "broadband_line"
MAX_TEXT_CHARS = 20_000


@evidence_kind("broadband_contract")
class BroadbandContract(BaseModel):
    """One broadband service contract: stated theoretical rates (None when not stated) and the disclosure."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    contract_id: str = Field(min_length=1, max_length=200)
    row: str = ""
    down_mbps: float | None = Field(default=None, gt=0, le=100_000)
    up_mbps: float | None = Field(default=None, gt=0, le=100_000)
    access: str | None = Field(default=None, max_length=50)
    contract_text: str = Field(default="", max_length=MAX_TEXT_CHARS)
    disclosure_text: str = Field(default="", max_length=MAX_TEXT_CHARS)
