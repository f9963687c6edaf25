"""Diagnosis names the bottleneck in plain Chinese."""

from __future__ import annotations

import datetime as dt

from ganzhi.collect.speedtest.diagnosis import diagnose
from ganzhi.evidence.speedtest import EnvironmentFacts, SpeedtestResult


def _result(down: float, contract: float | None = 1000.0) -> SpeedtestResult:
    return SpeedtestResult(
        server="http://x",
        started_at=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
        download_mbps=down,
        contract_down_mbps=contract,
    )


def test_100m_nic_caps_a_gigabit_line_at_about_94() -> None:
    findings = diagnose(_result(94.0), EnvironmentFacts(connection="wired", nic_mbps=100, cable_category="cat6"))
    first = findings[0]
    assert first.code == "nic" and first.kind == "bottleneck"
    assert first.cap_mbps is not None and 93 < first.cap_mbps < 95
    assert "网卡" in first.message.zh and "94" in first.message.zh and "瓶颈" in first.message.zh


def test_cat5_cable_and_weak_24ghz_wifi() -> None:
    cable = diagnose(_result(93.5), EnvironmentFacts(connection="wired", cable_category="cat5"))
    assert cable[0].code == "cable" and "五类网线" in cable[0].message.zh
    wifi = diagnose(
        _result(40.0),
        EnvironmentFacts(connection="wifi", wifi_standard="wifi4", wifi_band="2.4GHz", wifi_rssi_dbm=-80, nic_mbps=100),
    )
    codes = [f.code for f in wifi]
    assert codes[0] == "wifi" and "wifi_band" in codes and "wired_test" in codes
    assert "信号很弱" in wifi[0].message.zh


def test_meeting_the_contract_and_no_local_cause() -> None:
    ok = diagnose(_result(950.0), EnvironmentFacts(connection="wired", nic_mbps=1000))
    assert [f.kind for f in ok] == ["ok"]
    remote = diagnose(_result(400.0), EnvironmentFacts(connection="wired", nic_mbps=1000, busy_hour=True))
    assert remote[0].code == "line_or_server" and "运营商" in remote[0].message.zh
    assert any(f.code == "busy_hour" for f in remote)
