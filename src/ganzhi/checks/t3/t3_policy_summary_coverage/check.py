"""T3.summary.complete: the summary covers the required notice items (PIPL Art.17 reading)."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.policy import PolicyAnalysis


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """FAIL listing the required items the summary does not mention."""
    required = params.strings("required_topics")
    out: list[Outcome] = []
    for analysis in evidence.all(PolicyAnalysis):
        if analysis.summary is None:
            continue
        missing = [item for item in required if item not in analysis.summary.covered_items]
        if missing:
            out.append(
                Outcome.failed(
                    "摘要缺少必要内容：" + "、".join(missing),
                    "Summary misses required items: " + ", ".join(missing),
                    reason="MISSING_ITEMS",
                    missing=missing,
                    covered=analysis.summary.covered_items,
                )
            )
        else:
            out.append(Outcome.passed("摘要涵盖全部必要内容", "Summary covers every required item", missing=[]))
    if not out:
        out.append(Outcome.not_applicable("无摘要可评估", "No summary to assess"))
    return out
