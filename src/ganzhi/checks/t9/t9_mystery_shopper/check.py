"""暗访 records checked against 《携号转网服务管理规定》: the eight prohibited practices and the duty to
explain risks.

Each visit's observations (what the staff said or did) map to a practice; some are also derived:
- an eligible user who did not get to port, or waited longer than `max_wait_minutes` → ① 拒绝/拖延;
- a statement naming another operator and comparing with or disparaging it (比…好, 不如, 信号差…) → ⑤
  比较宣传 (merely naming the operator the user ports to is not); one offering a porting-only deal → ⑥ 专项资费.
One FAIL per visit and practice; a clean visit is a PASS.
"""

from __future__ import annotations

import re

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t9.halls_common import operator_label
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.halls import OPERATOR_NAMES, MysteryShop, ShopperVisit

#: practice id → (zh, en)
PRACTICES: dict[str, tuple[str, str]] = {
    "p1_refuse_delay": ("①无正当理由拒绝、阻止、拖延", "1 refusing, blocking or delaying without reason"),
    "p2_interference": ("②干扰用户自由选择", "2 interfering with the user's choice"),
    "p3_lock_in_expansion": ("③擅自扩大在网期限协议范围", "3 stretching minimum-term agreements"),
    "p4_quality": ("④以技术手段影响通信质量", "4 degrading service quality"),
    "p5_comparative_ads": ("⑤比较宣传、误导或诋毁", "5 comparative, misleading or disparaging claims"),
    "p6_special_tariff": ("⑥为携转用户设置专项资费", "6 porting-only tariffs"),
    "p7_malicious_proxy": ("⑦恶意代客办理或申诉", "7 malicious proxy applications"),
    "p8_number_occupation": ("⑧用户退网后占用携入号码", "8 keeping the number after exit"),
    "risk_notice": ("未告知风险和损失", "risks not explained"),
}

OBSERVATION_PRACTICE: dict[str, str] = {
    "refused_eligible": "p1_refuse_delay",
    "delayed": "p1_refuse_delay",
    "reasons_not_all_at_once": "p1_refuse_delay",
    "retention_pressure": "p2_interference",
    "lock_in_claimed_without_contract": "p3_lock_in_expansion",
    "promotion_treated_as_lock_in": "p3_lock_in_expansion",
    "quality_degradation_threatened": "p4_quality",
    "named_competitor": "p5_comparative_ads",
    "disparaged_competitor": "p5_comparative_ads",
    "misleading_claim": "p5_comparative_ads",
    "porting_only_tariff_offered": "p6_special_tariff",
    "applied_without_consent": "p7_malicious_proxy",
    "number_kept_after_exit": "p8_number_occupation",
    "risks_not_explained": "risk_notice",
}

_OPERATOR_WORDS: dict[str, tuple[str, ...]] = {
    "china_mobile": ("中国移动", "移动公司", "移动的"),
    "china_unicom": ("中国联通", "联通"),
    "china_telecom": ("中国电信", "电信"),
    "china_broadnet": ("中国广电", "广电"),
}
#: Words that make naming another operator a comparison or a disparagement (比…好, 不如, 信号差, 坑…);
#: naming the operator the user ports to ("您要转到联通是吧") is not comparative advertising.
_COMPARES = re.compile(
    r"比(?!如)|不如|没有我们|没我们|更好|更差|更便宜|更贵|差|烂|不行|不好|坑|骗|垃圾|后悔|不稳定|掉线|没信号|信号弱|覆盖少"
)
_PORTING_ONLY = ("携转专享", "携号转网专享", "携入专享", "转网专享", "携转用户专属", "转网用户专属")


def _derived(visit: ShopperVisit, operator: str, max_wait: float) -> dict[str, list[str]]:
    """practice → reasons found in this visit."""
    found: dict[str, list[str]] = {}
    for item in visit.observations:
        found.setdefault(OBSERVATION_PRACTICE[item], []).append(item)
    if visit.user_eligible and visit.ported is False:
        found.setdefault("p1_refuse_delay", []).append("eligible_not_ported")
    if visit.wait_minutes is not None and visit.wait_minutes > max_wait:
        found.setdefault("p1_refuse_delay", []).append(f"waited {visit.wait_minutes:g} min > {max_wait:g}")
    for text in visit.statements:
        for other, words in _OPERATOR_WORDS.items():
            if other != operator and any(w in text for w in words) and _COMPARES.search(text):
                found.setdefault("p5_comparative_ads", []).append(f"statement compares with or disparages {other}")
                break
        if any(w in text for w in _PORTING_ONLY):
            found.setdefault("p6_special_tariff", []).append("statement offers a porting-only deal")
    return found


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One FAIL per (visit, practice) found, one PASS per clean visit."""
    shop = evidence.one(MysteryShop)
    max_wait = params.number("max_wait_minutes")
    label = operator_label(shop.operator)
    if shop.operator not in OPERATOR_NAMES:
        raise ValueError(f"operator: expected one of {sorted(OPERATOR_NAMES)} (got {shop.operator!r})")
    outcomes = []
    for visit in shop.visits:
        found = _derived(visit, shop.operator, max_wait)
        where = visit.hall_id or visit.channel
        if not found:
            outcomes.append(
                Outcome.passed(
                    f"{label}暗访{visit.id}（{where}，{visit.date}）未发现违规",
                    f"visit {visit.id}: no violation",
                    visit=visit.id,
                    practice="none",
                )
            )
            continue
        for practice, reasons in sorted(found.items()):
            zh, en = PRACTICES[practice]
            outcomes.append(
                Outcome.failed(
                    f"{label}暗访{visit.id}（{where}，{visit.date}）：{zh}（{'；'.join(reasons)}）",
                    f"visit {visit.id}: {en} ({'; '.join(reasons)})",
                    visit=visit.id,
                    practice=practice,
                    reasons=reasons,
                    hall_id=visit.hall_id,
                    date=str(visit.date),
                )
            )
    if not outcomes:
        outcomes.append(
            Outcome.manual(
                f"{label}没有暗访记录", f"no visits recorded for {shop.operator}", visit="none", practice="none"
            )
        )
    return outcomes
