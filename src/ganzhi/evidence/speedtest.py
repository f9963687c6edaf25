"""Broadband speed-test evidence: one run of ganzhi's own probe against a broadband line.

`speedtest_result` carries the measured figures (download/upload Mbit/s after the warm-up grace,
latency, jitter, loss, stability and the rate curve), the contracted rates when known (for the T2
delivered-rate check), and the environment facts the diagnosis reads (wired or Wi-Fi, NIC, cable...).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ganzhi.evidence.base import evidence_kind

#: Subject type of speed-test evidence; the subject id names the broadband line (account or address).
SUBJECT_TYPE = "broadband_line"

MAX_CURVE_POINTS = 600


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RatePoint(_Frozen):
    """One point of a rate curve: seconds since the direction started and the rate in that window."""

    t: float = Field(ge=0)
    mbps: float = Field(ge=0)


class DirectionResult(_Frozen):
    """One direction (download or upload) of a run."""

    mbps: float = Field(ge=0, description="goodput after the grace period, Mbit/s")
    bytes: int = Field(ge=0, description="bytes counted after the grace period")
    seconds: float = Field(ge=0, description="measured seconds after the grace period")
    grace_seconds: float = Field(ge=0)
    total_seconds: float = Field(ge=0)
    streams: int = Field(ge=1)
    stability: float | None = Field(default=None, ge=0, le=1)
    curve: list[RatePoint] = Field(default_factory=list, max_length=MAX_CURVE_POINTS)
    errors: list[str] = Field(default_factory=list, max_length=64)


class EnvironmentFacts(_Frozen):
    """What the user (or the page) knows about the test set-up; every field optional."""

    connection: Literal["wired", "wifi"] | None = None
    wifi_standard: Literal["wifi4", "wifi5", "wifi6", "wifi6e", "wifi7"] | None = None
    wifi_band: Literal["2.4GHz", "5GHz", "6GHz"] | None = None
    wifi_rssi_dbm: float | None = Field(default=None, ge=-120, le=0)
    nic_mbps: float | None = Field(default=None, gt=0)
    cable_category: Literal["cat5", "cat5e", "cat6", "cat6a", "cat7", "cat8"] | None = None
    router_port_mbps: float | None = Field(default=None, gt=0)
    modem_port_mbps: float | None = Field(default=None, gt=0)
    device: str | None = Field(default=None, max_length=200)
    busy_hour: bool | None = None
    other_devices_active: bool | None = None


@evidence_kind("speedtest_result")
class SpeedtestResult(_Frozen):
    """One speed-test run; the JSON keys users script against are the four top-level figures."""

    server: str = Field(min_length=1, max_length=500)
    started_at: dt.datetime
    download_mbps: float | None = Field(default=None, ge=0)
    upload_mbps: float | None = Field(default=None, ge=0)
    latency_ms: float | None = Field(default=None, ge=0)
    jitter_ms: float | None = Field(default=None, ge=0)
    loss_ratio: float | None = Field(default=None, ge=0, le=1)
    stability: float | None = Field(default=None, ge=0, le=1)
    download: DirectionResult | None = None
    upload: DirectionResult | None = None
    contract_down_mbps: float | None = Field(default=None, gt=0)
    contract_up_mbps: float | None = Field(default=None, gt=0)
    environment: EnvironmentFacts | None = None
    errors: list[str] = Field(default_factory=list, max_length=64)
