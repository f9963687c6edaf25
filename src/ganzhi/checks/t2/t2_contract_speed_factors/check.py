"""采用适当方式向用户告知硬件设备、环境因素等对宽带网速的影响: the disclosure given with the contract
names each required factor (by the factor's name or one of its everyday words)."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.broadband_contract import BroadbandContract

#: Everyday words that name each factor in operators' notices (telecom.md §3.3); the factor list is a param.
FACTOR_WORDS: dict[str, tuple[str, ...]] = {
    "终端设备": ("终端设备", "电脑", "网卡", "手机终端", "设备性能"),
    "路由器": ("路由器", "路由"),
    "网线": ("网线", "五类线", "六类线", "超五类", "cat5", "cat6"),
    "光猫": ("光猫", "光调制解调器", "ONT", "LAN口"),
    "无线信号": ("无线信号", "WiFi", "Wi-Fi", "WIFI", "无线网络", "2.4G", "5G频段", "信号干扰"),
    "上网时段": ("上网时段", "高峰时段", "晚高峰", "忙时", "网络负载"),
}


def named_factors(text: str, factors: list[str]) -> dict[str, str]:
    """Factor → the word of it found in `text` (case-insensitive)."""
    lowered = text.lower()
    found: dict[str, str] = {}
    for factor in factors:
        for word in FACTOR_WORDS.get(factor, (factor,)):
            if word.lower() in lowered:
                found[factor] = word
                break
    return found


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome per contract: FAIL when the disclosure is absent or leaves required factors out."""
    required = params.strings("required_factors")
    outcomes: list[Outcome] = []
    for contract in evidence.all(BroadbandContract):
        text = contract.disclosure_text.strip()
        found = named_factors(text, required)
        missing = [f for f in required if f not in found]
        facts = {"contract_id": contract.contract_id, "found": found, "missing": missing}
        if not text:
            outcomes.append(Outcome.failed(
                f"宽带合同{contract.contract_id}未向用户告知影响网速的硬件设备、环境因素。",
                f"Contract {contract.contract_id}: the user is not told what affects broadband speed.", **facts,
            ))  # fmt: skip
        elif missing:
            outcomes.append(Outcome.failed(
                f"宽带合同{contract.contract_id}的告知内容未提及：{'、'.join(missing)}。",
                f"Contract {contract.contract_id}: the disclosure omits {', '.join(missing)}.", **facts,
            ))  # fmt: skip
        else:
            outcomes.append(Outcome.passed(
                f"宽带合同{contract.contract_id}已告知全部{len(required)}类影响网速的因素。",
                f"Contract {contract.contract_id} names all {len(required)} speed factors.", **facts,
            ))  # fmt: skip
    return outcomes
