"""T5 速率用语: every 极速/限速/… claim (the `claim_terms` param) states how the rate is provided."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.netdisk import NetdiskDisclosure


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One FAIL per unexplained claim (by term); a PASS when every claim is explained or none is made."""
    terms = params.strings("claim_terms")
    outcomes: list[Outcome] = []
    explained = 0
    for page in evidence.all(NetdiskDisclosure):
        for claim in page.claims:
            term = max((t for t in terms if t in claim.sentence), key=len, default=None)
            if term is None:
                continue
            if claim.mechanism_stated:
                explained += 1
                continue
            outcomes.append(
                Outcome.failed(
                    f"宣传用语“{term}”未注明服务速率供给机制：{claim.sentence}",
                    f"The claim {term!r} does not state how the rate is provided: {claim.sentence}",
                    term=term,
                    sentence=claim.sentence,
                )
            )
    if not outcomes:
        outcomes.append(
            Outcome.passed(
                f"速率宣传用语均已注明速率机制（{explained}处）。"
                if explained
                else "页面未使用“极速”“限速”等速率宣传用语。",
                f"All {explained} speed claims explain the rate mechanism."
                if explained
                else "The page makes no speed claims.",
                term="*",
                explained=explained,
            )
        )
    return outcomes
