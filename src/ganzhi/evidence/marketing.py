"""5G marketing evidence (T2): sales-flow transcripts and ad texts with explainable rule matches, and
5G activation orders with the consent recorded for each.

A match names the sentence (index and text), the rule and the cue phrase that fired, and whether a
negation in the same sentence cancelled it, so every verdict can be read back to its words.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ganzhi.evidence.base import evidence_kind

TEXT_SUBJECT_TYPE = "marketing_material"
ORDERS_SUBJECT_TYPE = "fiveg_orders"
MAX_TEXT_CHARS = 100_000


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RuleMatch(_Frozen):
    """One cue phrase of one rule found in one sentence."""

    rule_id: str
    sentence: int = Field(ge=0)
    text: str
    cue: str
    negated_by: str | None = None


@evidence_kind("marketing_text")
class MarketingText(_Frozen):
    """A transcript or ad text, split into sentences and matched against the 5G rule table."""

    material: Literal["transcript", "ad"]
    channel: str | None = None
    contract_plan: bool = False
    from_withdrawn_plan: bool = False
    sentences: list[str] = Field(default_factory=list, max_length=20_000)
    matches: list[RuleMatch] = Field(default_factory=list)
    expected_reminders: list[str] = Field(default_factory=list, description="reminder rule ids that apply")
    rules_version: str


class ActivationOrder(_Frozen):
    """A 5G plan or upgrade pack opened for a subscriber, and the consent behind it."""

    order_id: str = Field(min_length=1, max_length=200)
    subscriber: str = Field(min_length=1, max_length=200)
    product: str = Field(min_length=1, max_length=200)
    activated_at: dt.datetime
    consent: Literal["signature", "sms_reply", "verification_code", "recorded_call", "none"] = "none"
    consent_at: dt.datetime | None = None
    row: str = ""


@evidence_kind("fiveg_orders")
class FiveGOrders(_Frozen):
    """A batch of 5G activation orders (e.g. one month of one province)."""

    orders: list[ActivationOrder] = Field(default_factory=list, max_length=1_000_000)
