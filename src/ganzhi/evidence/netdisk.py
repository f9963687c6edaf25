"""Cloud-drive (网盘) evidence: transfer-rate probes per account tier, and product-page disclosure.

`netdisk_probe` keeps the rate curve of one sustained transfer so a free tier that starts fast and is
then throttled is visible; `sustained_kbyte_s` is the rate over the second half of the measured time.
`netdisk_disclosure` is what a product/price page states for each tier, and how it words speed claims.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ganzhi.evidence.base import evidence_kind

#: Subject type of cloud-drive evidence; the subject id names the service (e.g. the provider).
SUBJECT_TYPE = "netdisk_service"

MAX_CURVE_POINTS = 600

Tier = Literal["free", "paid"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CurvePoint(_Frozen):
    """Rate in the window ending `t` seconds after the transfer started."""

    t: float = Field(ge=0)
    kbyte_s: float = Field(ge=0)


class TransferMeasure(_Frozen):
    """One direction of a probe: rates in KB/s (1 KB = 1000 bytes) with the warm-up left out."""

    bytes: int = Field(ge=0)
    seconds: float = Field(ge=0)
    warmup_seconds: float = Field(ge=0)
    mean_kbyte_s: float = Field(ge=0, description="after the warm-up")
    sustained_kbyte_s: float = Field(ge=0, description="over the second half of the measured time")
    peak_kbyte_s: float = Field(ge=0)
    min_window_kbyte_s: float = Field(ge=0)
    curve: list[CurvePoint] = Field(default_factory=list, max_length=MAX_CURVE_POINTS)
    errors: list[str] = Field(default_factory=list, max_length=64)


@evidence_kind("netdisk_probe")
class NetdiskProbe(_Frozen):
    """One timed transfer for one account tier on a named network."""

    tier: Tier
    network: str = Field(min_length=1, max_length=200, description="label of the network the probe ran on")
    target: str = Field(min_length=1, max_length=2000, description="URL without query string")
    started_at: dt.datetime
    download: TransferMeasure | None = None
    upload: TransferMeasure | None = None
    errors: list[str] = Field(default_factory=list, max_length=64)


class TierDisclosure(_Frozen):
    """What the page says about one tier; None means the item was not found."""

    name: str = Field(min_length=1, max_length=200)
    free: bool
    storage: str | None = Field(default=None, max_length=500)
    rate: str | None = Field(default=None, max_length=500)
    rights: str | None = Field(default=None, max_length=500)
    price: str | None = Field(default=None, max_length=500)


class SpeedClaim(_Frozen):
    """A sentence using a speed term, and whether it states how the rate is provided."""

    term: str = Field(min_length=1, max_length=20)
    sentence: str = Field(max_length=1000)
    mechanism_stated: bool


@evidence_kind("netdisk_disclosure")
class NetdiskDisclosure(_Frozen):
    """A cloud-drive product/price page, as read by `ganzhi netdisk disclosure`."""

    source: str = Field(min_length=1, max_length=2000)
    tiers: list[TierDisclosure] = Field(default_factory=list, max_length=50)
    claims: list[SpeedClaim] = Field(default_factory=list, max_length=500)
