"""T6.list.consistent-with-policy: every PI type on the collected list is stated (not denied) by the policy."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.pi_lists import PiList
from ganzhi.evidence.policy import PolicyAnalysis
from ganzhi.rules.policy.consistency import list_vs_policy, policy_claims


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One FAIL per listed category the policy denies (CONTRADICTED) or never names (NOT_IN_POLICY); MANUAL when
    the policy names it only outside any sentence read as processing it (ONLY_MENTIONED)."""
    lists = [x for x in evidence.all(PiList) if x.kind == "collected"]
    full = [a for a in evidence.all(PolicyAnalysis) if a.summary is None or a.summary.how == "section"]
    if not lists or not full:
        return [Outcome.not_applicable("未同时提供已收集清单和隐私政策", "Collected list and policy not both supplied")]
    findings = list_vs_policy(lists, policy_claims(full[0]))
    out = []
    for f in findings:
        if f.problem == "ONLY_MENTIONED":
            out.append(
                Outcome.manual(
                    f"清单列出“{f.item}”，隐私政策提到该类信息但未能确认其说明了收集；无法自动判断，需要人工阅读政策相关段落",
                    f"The list names {f.item!r}; the policy mentions it but no sentence was read as collecting it — "
                    "cannot tell automatically; needs a reading of the policy passage",
                    needs="人工核对隐私政策中该类信息的表述 / a person reading the policy passage",
                    reason=f.problem,
                    category=f.item,
                    list_row=f.quote,
                )
            )
            continue
        if f.problem == "CONTRADICTED":
            zh = f"清单列出“{f.item}”，隐私政策却声明不收集"
            en = f"The list names {f.item!r} but the policy says it is not collected"
        else:
            zh = f"清单列出“{f.item}”，隐私政策未说明收集该类信息"
            en = f"The list names {f.item!r} but the policy never states collecting it"
        out.append(
            Outcome.failed(zh, en, reason=f.problem, category=f.item, list_row=f.quote, policy_sentence=f.other_quote)
        )
    if not out:
        n = len({c for x in lists for r in x.rows for c in r.pi_categories})
        out.append(
            Outcome.passed(
                f"清单所列{n}类个人信息均在隐私政策中说明",
                f"All {n} PI categories on the list are stated in the policy",
                reason="CONSISTENT",
                category="*",
            )
        )
    return out
