"""T6.policy.consistent-with-apk: the policy states every PI category the APK reaches and denies none of them."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.pi_lists import AppPiFacts
from ganzhi.evidence.policy import PolicyAnalysis
from ganzhi.rules.policy.consistency import apk_vs_policy, policy_claims


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """FAIL per category the policy denies while the APK reaches it (e.g. "不会收集通讯录" + READ_CONTACTS);
    WARN per category the APK reaches that the policy never mentions."""
    facts = evidence.one(AppPiFacts)
    full = [a for a in evidence.all(PolicyAnalysis) if a.summary is None or a.summary.how == "section"]
    if not full:
        return [Outcome.not_applicable("未提供完整隐私政策", "No full privacy policy supplied")]
    out = []
    for f in apk_vs_policy(facts, policy_claims(full[0])):
        if f.problem == "CONTRADICTED":
            out.append(
                Outcome.failed(
                    f"隐私政策声明不收集“{f.item}”，但APP可通过{f.quote}获取",
                    f"The policy denies collecting {f.item!r} but the APK reaches it via {f.quote}",
                    reason=f.problem,
                    category=f.item,
                    via=f.quote,
                    policy_sentence=f.other_quote,
                )
            )
        else:
            out.append(
                Outcome.warned(
                    f"APP可通过{f.quote}获取“{f.item}”，隐私政策未说明",
                    f"The APK reaches {f.item!r} via {f.quote}; the policy does not mention it",
                    reason=f.problem,
                    category=f.item,
                    via=f.quote,
                )
            )
    if not out:
        out.append(
            Outcome.passed(
                "APP可获取的个人信息类别均在隐私政策中说明且无矛盾",
                "Every PI category the APK reaches is stated in the policy, without contradiction",
                reason="CONSISTENT",
                category="*",
            )
        )
    return out
