"""Usage-reminder audit evidence (T1 及时提醒用户套餐内流量使用情况): verdict counts per plan and province.

The audit itself runs out of core over millions of usage events (`ganzhi.collect.usage.audit`); only
its aggregate — how many threshold crossings were reminded on time, late or not at all, and how many
reminders had no crossing — becomes evidence, together with the params the audit ran with, so the
check can tell whether the counts were produced under the params it is judging with.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ganzhi.evidence.base import evidence_kind

SUBJECT_TYPE = "usage_reminder_audit"
MAX_GROUPS = 100_000


class UsageAuditGroup(BaseModel):
    """Verdict counts of one (plan, province) group."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    plan_id: str = Field(min_length=1, max_length=200)
    province: str = Field(min_length=1, max_length=100)
    on_time: int = Field(default=0, ge=0)
    late: int = Field(default=0, ge=0)
    missing: int = Field(default=0, ge=0)
    spurious: int = Field(default=0, ge=0)
    repeat: int = Field(default=0, ge=0)
    latency_p95_s: float | None = Field(default=None, ge=0)

    @property
    def crossings(self) -> int:
        """Threshold crossings judged in this group (each is on time, late or missing)."""
        return self.on_time + self.late + self.missing

    @property
    def violations(self) -> int:
        """Crossings reminded late or not at all."""
        return self.late + self.missing


@evidence_kind("usage_audit_summary")
class UsageAuditSummary(BaseModel):
    """One audit run: the params it used, input sizes and the per (plan, province) verdict counts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    thresholds: list[float] = Field(min_length=1, max_length=20)
    latency_s: float = Field(ge=0)
    early_tolerance_s: float = Field(ge=0)
    attribution_grace_s: float = Field(ge=0)
    cycles: list[str] = Field(default_factory=list, max_length=1200, description="billing cycles 'YYYY-MM'")
    events_counted: int = Field(default=0, ge=0)
    rejected_rows: dict[str, int] = Field(default_factory=dict)
    groups: list[UsageAuditGroup] = Field(default_factory=list, max_length=MAX_GROUPS)


class OverageNoticeExample(BaseModel):
    """One overage notice that states no unit price: where it is and what it says."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str = Field(max_length=1000)
    row: int = Field(ge=1)
    text: str = Field(max_length=500)


@evidence_kind("usage_overage_notices")
class UsageOverageNotices(BaseModel):
    """Overage notices (SMS saying the allowance is used up) read from an SMS-gateway log, and what they state.

    Produced by `ganzhi usage import-sms --evidence`; the threshold and the unit price are read from each
    message's text, so the check can tell how many notices leave the out-of-package price unsaid.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    messages: int = Field(default=0, ge=0, description="rows read from the log")
    reminders: int = Field(default=0, ge=0, description="messages recognised as usage reminders")
    notices: int = Field(default=0, ge=0, description="reminders at or above 100 % of the quota")
    with_unit_price: int = Field(default=0, ge=0)
    with_speed_terms: int = Field(default=0, ge=0)
    examples_without_price: list[OverageNoticeExample] = Field(default_factory=list, max_length=50)
