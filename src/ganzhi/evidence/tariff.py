"""Tariff catalogue evidence (T1): the plans an operator publishes and where each channel shows them.

One `tariff_catalogue` item covers one imported catalogue (an operator, usually one province): the
T1 checks need the whole catalogue at once (channel coverage, duplicate names, bundles vs single
services). Each plan keeps the published text of every 公示 field under its canonical Chinese name,
plus the quantities the importer could parse (fee, allowances, throttling, out-of-package price).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ganzhi.evidence.base import evidence_kind

#: Subject type of tariff evidence; the subject id names the catalogue (operator + region).
SUBJECT_TYPE = "tariff_catalogue"

MAX_PLANS = 20_000
MAX_FIELD_CHARS = 4_000

#: Field names that mean the same thing in different operators' 公示 pages: canonical → synonyms.
FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "资费名称": ("名称", "产品名称", "套餐名称", "方案名称"),
    "对应服务": ("服务内容", "业务内容", "包含内容"),
    "资费结构": ("收费结构",),
}


def canonical_field(name: str) -> str:
    """The canonical name of a 公示 field (`服务内容` → `对应服务`); unknown names are returned as given."""
    for canonical, synonyms in FIELD_SYNONYMS.items():
        if name == canonical or name in synonyms:
            return canonical
    return name

#: Longest channel name a listing keeps (a longer cell is a damaged row, reported, not kept).
CHANNEL_NAME_MAX = 200


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChannelType(StrEnum):
    """The five channel types the notice names."""

    BUSINESS_HALL = "business_hall"  # 自有营业厅
    APP = "app"  # 掌厅
    WEB = "web"  # 网厅
    TARIFF_ZONE = "tariff_zone"  # 资费专区
    AGENT = "agent"  # 代理渠道


CHANNEL_LABELS: dict[ChannelType, tuple[str, str]] = {
    ChannelType.BUSINESS_HALL: ("自有营业厅", "own business hall"),
    ChannelType.APP: ("掌厅", "operator app"),
    ChannelType.WEB: ("网厅", "web hall"),
    ChannelType.TARIFF_ZONE: ("资费专区", "tariff zone"),
    ChannelType.AGENT: ("代理渠道", "agent channel"),
}


class Audience(StrEnum):
    """Whom a plan is sold to."""

    PUBLIC = "public"
    ELDERLY = "elderly"
    DISABLED = "disabled"
    ENTERPRISE = "enterprise"


class PriceUnit(StrEnum):
    """The unit an out-of-package data price was published in."""

    PER_KB = "yuan/kb"
    PER_MB = "yuan/mb"
    PER_GB = "yuan/gb"
    DAILY_PACK = "daily_pack"


class DataPrice(_Frozen):
    """An out-of-package data price as published and normalised to yuan per GB (1 GB = 1024 MB)."""

    text: str = Field(max_length=MAX_FIELD_CHARS)
    unit: PriceUnit
    yuan: float = Field(ge=0, description="price as published, in yuan per `unit` (per pack for daily packs)")
    pack_gb: float | None = Field(default=None, gt=0, description="size of a daily pack")
    yuan_per_gb: float = Field(ge=0)


class Throttle(_Frozen):
    """Speed reduction after a quota (达量降速)."""

    after_gb: float | None = Field(default=None, gt=0)
    kbps: float | None = Field(default=None, gt=0)


class Services(_Frozen):
    """Allowances per month; None when the catalogue does not say."""

    voice_minutes: float | None = Field(default=None, ge=0)
    general_data_gb: float | None = Field(default=None, ge=0)
    directional_data_gb: float | None = Field(default=None, ge=0)
    sms: float | None = Field(default=None, ge=0)
    broadband_mbps: float | None = Field(default=None, ge=0)
    fixed_voice: bool = False
    unlimited_data: bool = False

    def basic_services(self) -> list[str]:
        """The basic services (2018 notice wording) this plan includes."""
        found: list[str] = []
        if self.fixed_voice:
            found.append("固定语音")
        if self.voice_minutes:
            found.append("移动语音")
        if self.sms:
            found.append("短信息")
        if self.broadband_mbps:
            found.append("宽带上网")
        if self.general_data_gb or self.unlimited_data:
            found.append("移动流量")
        return found


class TariffPlan(_Frozen):
    """One published plan: raw 公示 fields by canonical name, and what could be parsed from them."""

    plan_id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    row: str = Field(description="where the plan came from: file, sheet and row")
    fields: dict[str, str] = Field(default_factory=dict)
    plan_type: str | None = None
    on_sale: bool = True
    audiences: list[Audience] = Field(default_factory=lambda: [Audience.PUBLIC])
    monthly_fee: float | None = Field(default=None, ge=0)
    services: Services = Field(default_factory=Services)
    throttle: Throttle | None = None
    overage_data_price: DataPrice | None = None
    spending_cap_yuan: float | None = Field(default=None, ge=0)
    spending_cap_optional: bool = False
    online_date: dt.date | None = None
    offline_date: dt.date | None = None

    def has_field(self, name: str) -> bool:
        """True when the 公示 field `name` (or a synonym) has non-blank text."""
        return bool(self.fields.get(canonical_field(name), "").strip())

    @property
    def public(self) -> bool:
        """Sold to the public market (elderly/disabled discount plans are public too)."""
        return Audience.ENTERPRISE not in self.audiences

    @property
    def for_elderly_or_disabled(self) -> bool:
        """A discount plan aimed at elderly or disabled users."""
        return Audience.ELDERLY in self.audiences or Audience.DISABLED in self.audiences


class ChannelListing(_Frozen):
    """What one channel shows: the plans queryable there and whether it has the elderly/disabled entry."""

    channel: ChannelType
    name: str = Field(min_length=1, max_length=CHANNEL_NAME_MAX)
    plan_ids: list[str] = Field(default_factory=list)
    elderly_entry: bool | None = None
    row: str = ""


@evidence_kind("tariff_catalogue")
class TariffCatalogue(_Frozen):
    """An imported tariff catalogue with its channel listings."""

    operator: str | None = None
    region: str | None = None
    as_of: dt.date | None = None
    plans: list[TariffPlan] = Field(default_factory=list, max_length=MAX_PLANS)
    channels: list[ChannelListing] = Field(default_factory=list)
    import_errors: int = Field(default=0, ge=0)
    import_warnings: int = Field(default=0, ge=0)

    def on_sale_public(self) -> list[TariffPlan]:
        """Plans on sale to the public market."""
        return [p for p in self.plans if p.on_sale and p.public]
