"""Name what limits a broadband speed, in plain Chinese, from the set-up facts and the measured figures.

This serves T2's "告知硬件设备、环境因素对网速的影响" and the public speed-test page. The chain from the
line to the application runs through the modem (光猫) port, the router port, the cable, the NIC or the
Wi-Fi link; the slowest segment caps the rest. Over Ethernet TCP goodput is about 94 % of the link rate
(1448-byte payload per 1538-byte frame with TCP timestamps), so a 100M NIC shows about 94 Mbit/s even on
a 1000M line — the reference's example. Wi-Fi figures are typical real-world throughputs, not PHY rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ganzhi.evidence.speedtest import EnvironmentFacts, SpeedtestResult
from ganzhi.i18n import Text

#: TCP/IPv4 goodput share of an Ethernet link (1448 / 1538 ≈ 0.941).
ETHERNET_GOODPUT = 1448 / 1538

#: Highest link rate (Mbit/s) each cable category is specified for.
CABLE_LINK_MBPS: dict[str, float] = {
    "cat5": 100,
    "cat5e": 1000,
    "cat6": 1000,
    "cat6a": 10000,
    "cat7": 10000,
    "cat8": 25000,
}
_CABLE_NAMES = {"cat5": "五类", "cat5e": "超五类", "cat6": "六类", "cat6a": "超六类", "cat7": "七类", "cat8": "八类"}

#: Typical achievable TCP throughput (Mbit/s) near the access point, by Wi-Fi standard and band.
WIFI_TYPICAL_MBPS: dict[tuple[str, str], float] = {
    ("wifi4", "2.4GHz"): 100,
    ("wifi4", "5GHz"): 200,
    ("wifi5", "5GHz"): 500,
    ("wifi5", "2.4GHz"): 100,
    ("wifi6", "2.4GHz"): 200,
    ("wifi6", "5GHz"): 900,
    ("wifi6e", "5GHz"): 900,
    ("wifi6e", "6GHz"): 1200,
    ("wifi7", "5GHz"): 1400,
    ("wifi7", "6GHz"): 2000,
    ("wifi7", "2.4GHz"): 250,
}
#: Signal levels (dBm) below which throughput typically halves / quarters.
WIFI_WEAK_DBM = -67.0
WIFI_VERY_WEAK_DBM = -75.0
#: A measured rate within this share of a cap is taken as "at the cap".
AT_CAP_TOLERANCE = 0.1

Kind = Literal["bottleneck", "limit", "advice", "ok"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One diagnosis line: what it is, how sure, and the cap it implies (Mbit/s of goodput)."""

    code: str
    kind: Kind
    message: Text
    cap_mbps: float | None = None


@dataclass(frozen=True, slots=True)
class _Cap:
    code: str
    goodput_mbps: float
    zh: str
    en: str


def _link_caps(env: EnvironmentFacts) -> list[_Cap]:
    caps: list[_Cap] = []
    wired_segments = (
        ("nic", env.nic_mbps, "网卡", "network card"),
        ("router_port", env.router_port_mbps, "路由器网口", "router port"),
        ("modem_port", env.modem_port_mbps, "光猫网口", "modem (ONT) port"),
    )
    for code, link, zh, en in wired_segments:
        if link is not None and (env.connection != "wifi" or code != "nic"):
            caps.append(
                _Cap(code, link * ETHERNET_GOODPUT, f"{zh}仅支持{link:g}Mbit/s", f"{en} links at {link:g} Mbit/s")
            )
    if env.cable_category is not None and env.connection != "wifi":
        link = CABLE_LINK_MBPS[env.cable_category]
        name = _CABLE_NAMES[env.cable_category]
        caps.append(
            _Cap(
                "cable",
                link * ETHERNET_GOODPUT,
                f"{name}网线最高{link:g}Mbit/s",
                f"{env.cable_category} cable tops out at {link:g} Mbit/s",
            )
        )
    if env.connection == "wifi" and env.wifi_standard and env.wifi_band:
        typical = WIFI_TYPICAL_MBPS.get((env.wifi_standard, env.wifi_band))
        if typical is not None:
            factor, note_zh, note_en = 1.0, "", ""
            if env.wifi_rssi_dbm is not None and env.wifi_rssi_dbm < WIFI_VERY_WEAK_DBM:
                factor, note_zh, note_en = 0.25, "，且信号很弱", ", and the signal is very weak"
            elif env.wifi_rssi_dbm is not None and env.wifi_rssi_dbm < WIFI_WEAK_DBM:
                factor, note_zh, note_en = 0.5, "，且信号偏弱", ", and the signal is weak"
            label = f"{env.wifi_standard.upper()} {env.wifi_band}"
            caps.append(
                _Cap(
                    "wifi",
                    typical * factor,
                    f"无线连接（{label}）实际通常约{typical * factor:g}Mbit/s{note_zh}",
                    f"Wi-Fi ({label}) typically carries about {typical * factor:g} Mbit/s{note_en}",
                )
            )
    return caps


def _advice(env: EnvironmentFacts) -> list[Finding]:
    found: list[Finding] = []
    if env.connection == "wifi" and env.wifi_band == "2.4GHz":
        found.append(
            Finding(
                "wifi_band",
                "advice",
                Text(
                    zh="2.4GHz频段易受微波炉、蓝牙等干扰，建议改用5GHz或Wi-Fi 6，并在距路由器3米内测速。",
                    en="2.4 GHz suffers interference (microwave, Bluetooth); "
                    "use 5 GHz or Wi-Fi 6 and test within ~3 m.",
                ),
            )
        )
    if env.connection == "wifi":
        found.append(
            Finding(
                "wired_test",
                "advice",
                Text(
                    zh="无线测速受信号和干扰影响，核对签约速率请用网线直连光猫测速。",
                    en="Wi-Fi results depend on signal and interference; "
                    "to check the contracted rate, test wired to the modem.",
                ),
            )
        )
    if env.busy_hour:
        found.append(
            Finding(
                "busy_hour",
                "advice",
                Text(
                    zh="晚高峰等忙时网络负载较高，速率可能下降，建议在闲时复测。",
                    en="Busy hours load the network; retest off-peak.",
                ),
            )
        )
    if env.other_devices_active:
        found.append(
            Finding(
                "other_devices",
                "advice",
                Text(
                    zh="其他设备正在占用带宽，请断开后复测。",
                    en="Other devices are using the line; disconnect them and retest.",
                ),
            )
        )
    return found


def diagnose(
    result: SpeedtestResult,
    environment: EnvironmentFacts | None = None,
    *,
    contract_down_mbps: float | None = None,
    target_share: float = 0.9,
) -> list[Finding]:
    """Findings, the likely bottleneck first; `target_share` is the T2 `min_share` param in practice."""
    env = environment or result.environment or EnvironmentFacts()
    contract = contract_down_mbps or result.contract_down_mbps
    measured = result.download_mbps
    findings: list[Finding] = []
    caps = sorted(_link_caps(env), key=lambda cap: cap.goodput_mbps)
    lowest = caps[0] if caps else None
    if lowest is not None and (contract is None or lowest.goodput_mbps < contract * target_share):
        at_cap = measured is not None and abs(measured - lowest.goodput_mbps) <= AT_CAP_TOLERANCE * lowest.goodput_mbps
        kind: Kind = "bottleneck" if at_cap or (measured is not None and measured <= lowest.goodput_mbps) else "limit"
        line = f"{contract:g}M宽带" if contract else "宽带"
        line_en = f"a {contract:g}M line" if contract else "the line"
        findings.append(
            Finding(
                lowest.code,
                kind,
                Text(
                    zh=f"{lowest.zh}，{line}在此设备上最多约{lowest.goodput_mbps:.0f}Mbit/s"
                    + ("（实测速率正卡在这一上限，它就是瓶颈）。" if kind == "bottleneck" else "。"),
                    en=f"The {lowest.en}: {line_en} gives at most about {lowest.goodput_mbps:.0f} Mbit/s on this device"
                    + (" (the measured rate sits at this cap: it is the bottleneck)." if kind == "bottleneck" else "."),
                ),
                cap_mbps=round(lowest.goodput_mbps, 1),
            )
        )
    if measured is not None and contract is not None:
        share = measured / contract
        if share >= target_share:
            findings.append(
                Finding(
                    "meets_contract",
                    "ok",
                    Text(
                        zh=f"实测下载{measured:.1f}Mbit/s，达到签约速率{contract:g}Mbit/s的{share:.0%}。",
                        en=f"Measured {measured:.1f} Mbit/s download, "
                        f"{share:.0%} of the contracted {contract:g} Mbit/s.",
                    ),
                )
            )
        elif not findings:
            findings.append(
                Finding(
                    "line_or_server",
                    "limit",
                    Text(
                        zh=f"实测下载{measured:.1f}Mbit/s，仅为签约速率的{share:.0%}，本机设备未见瓶颈："
                        "请用网线直连光猫、断开其他设备、重启光猫，选择最近的测速服务器测3次取平均；仍不达标可向运营商报障。",
                        en=f"Measured {measured:.1f} Mbit/s, {share:.0%} of the contract, with no local bottleneck: "
                        "wire to the modem, disconnect other devices, restart the modem, "
                        "use the nearest server, average 3 runs; then report it to the operator.",
                    ),
                )
            )
    findings.extend(_advice(env))
    return findings
