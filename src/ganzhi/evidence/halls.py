"""携号转网 halls (T9): the hall registry, the operator's published list, layout metrics and test records.

Collectors (`ganzhi.collect.halls`) build these payloads from outside files; checks read them. Coordinates
are WGS-84 degrees; a hall whose registry row had none is placed at its county's centroid and says
so in `location_source`, so no report presents a guessed position as a surveyed one.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ganzhi.evidence.base import evidence_kind

#: Subject type of a hall registry (one file, possibly several operators).
REGISTRY_SUBJECT_TYPE = "hall_registry"
#: Subject type of per-operator porting service facts and mystery-shopper visits.
OPERATOR_SUBJECT_TYPE = "operator"

#: Basic telecom operators by code, with the names registries use for them.
OPERATOR_NAMES: dict[str, str] = {
    "china_mobile": "中国移动",
    "china_unicom": "中国联通",
    "china_telecom": "中国电信",
    "china_broadnet": "中国广电",
}

LocationSource = Literal["registry", "county_centroid", "prefecture_centroid"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Hall(_Frozen):
    """One business hall (营业厅) as the registry describes it."""

    id: str = Field(min_length=1, max_length=128)
    operator: str
    name: str = Field(min_length=1, max_length=256)
    address: str = Field(default="", max_length=512)
    adcode: str = Field(pattern=r"^\d{6}$")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    location_source: LocationSource = "registry"
    port_out: bool
    port_in: bool
    listed: bool | None = None
    opened_on: dt.date | None = None


@evidence_kind("hall_registry")
class HallRegistry(_Frozen):
    """Every hall of one registry file; `placed_at_centroid` counts halls without coordinates."""

    halls: list[Hall]
    placed_at_centroid: int = Field(default=0, ge=0)
    rejected_rows: int = Field(default=0, ge=0)


class PublishedHall(_Frozen):
    """One entry of an operator's public list of port-out halls."""

    id: str | None = None
    operator: str
    name: str = Field(min_length=1, max_length=256)
    address: str = Field(default="", max_length=512)
    port_out: bool = True


@evidence_kind("hall_public_list")
class HallPublicList(_Frozen):
    """The public list as published (web page or file), and when it was read."""

    entries: list[PublishedHall]
    rejected_rows: int = Field(default=0, ge=0, description="rows of the list that could not be read")
    published_on: dt.date | None = None
    url: str | None = None


class CountyDistance(_Frozen):
    """Distance from one county centroid to the nearest port-out hall (None: no hall at all)."""

    adcode: str = Field(pattern=r"^\d{6}$")
    name: str
    km: float | None = Field(default=None, ge=0)


class ProvinceDensity(_Frozen):
    """Port-out halls per million people in one province (7th census population)."""

    code: str = Field(pattern=r"^\d{2}$")
    name: str
    halls: int = Field(ge=0)
    population: int = Field(gt=0)


@evidence_kind("hall_layout")
class HallLayout(_Frozen):
    """Layout measured from the registry: per-county nearest distances and per-province density."""

    counties: list[CountyDistance]
    provinces: list[ProvinceDensity]
    port_out_halls: int = Field(ge=0)
    centroid_source: str


ServiceName = Literal["online_port_in", "remote_refund"]


class ServiceTest(_Frozen):
    """One test of a porting service (a real attempt by an inspector)."""

    date: dt.date
    province: str = Field(min_length=1)
    channel: str = Field(min_length=1)
    succeeded: bool
    note: str = ""


class ServiceFact(_Frozen):
    """What the operator declares about one service, and the tests that try it."""

    service: ServiceName
    declared: bool
    channels: list[str] = Field(default_factory=list)
    tests: list[ServiceTest] = Field(default_factory=list)


@evidence_kind("porting_services")
class PortingServices(_Frozen):
    """携入网上办理 and 异地营业厅余额退还: declared facts and test records of one operator."""

    operator: str
    services: list[ServiceFact]


#: What a mystery shopper can record the staff saying or doing; each maps to a rule (see checks/t9).
Observation = Literal[
    "refused_eligible",
    "delayed",
    "reasons_not_all_at_once",
    "retention_pressure",
    "lock_in_claimed_without_contract",
    "promotion_treated_as_lock_in",
    "quality_degradation_threatened",
    "named_competitor",
    "disparaged_competitor",
    "misleading_claim",
    "porting_only_tariff_offered",
    "applied_without_consent",
    "number_kept_after_exit",
    "risks_not_explained",
]


class ShopperVisit(_Frozen):
    """One 暗访 visit or call: who, where, when, and what was observed."""

    id: str = Field(min_length=1, max_length=128)
    date: dt.date
    hall_id: str | None = None
    channel: str = "hall"
    user_eligible: bool
    ported: bool | None = None
    wait_minutes: float | None = Field(default=None, ge=0)
    observations: list[Observation] = Field(default_factory=list)
    statements: list[str] = Field(default_factory=list, max_length=100)


@evidence_kind("porting_mystery_shop")
class MysteryShop(_Frozen):
    """Mystery-shopper records about one operator's porting service."""

    operator: str
    visits: list[ShopperVisit]


#: Operator of a published entry whose list and name name no operator (see `collect.halls.importers`).
UNKNOWN_OPERATOR = "unknown"
_NAME_NOISE = re.compile(r"[\s·•\-—()（）【】\[\]<>《》\"'“”]+")
_OPERATOR_PREFIX = re.compile(r"^(?:中国)?(?:移动|联通|电信|广电)(?:公司|集团)?")


def hall_name_key(name: str) -> str:
    """A hall name for matching: NFKC, lower case, without spaces, brackets or a leading operator name."""
    text = _NAME_NOISE.sub("", unicodedata.normalize("NFKC", name)).lower()
    return _OPERATOR_PREFIX.sub("", text) or text


def same_hall_name(a: str, b: str, *, min_chars: int = 4) -> bool:
    """Whether two hall names name one hall: equal keys, or one key ending the other (a city or district
    prefix left out: 南京新街口营业厅 / 新街口营业厅) with at least `min_chars` characters in common."""
    key_a, key_b = hall_name_key(a), hall_name_key(b)
    if key_a == key_b:
        return True
    short, long = sorted((key_a, key_b), key=len)
    return len(short) >= min_chars and long.endswith(short)
