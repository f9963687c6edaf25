"""The tariff catalogue fixtures: built by `ganzhi.demo.tariff` (shared with the demo platform)."""

from __future__ import annotations

from ganzhi.demo.tariff import (
    CHANNELS,
    COMMON,
    PLANS,
    plan_records,
    write_channels_csv,
    write_csv,
    write_json,
    write_xlsx,
)

__all__ = [
    "CHANNELS",
    "COMMON",
    "PLANS",
    "plan_records",
    "write_channels_csv",
    "write_csv",
    "write_json",
    "write_xlsx",
]
