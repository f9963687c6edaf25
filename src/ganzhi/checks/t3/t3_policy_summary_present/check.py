"""T3.summary.exists: a 隐私政策摘要 exists (a separate document or a 摘要/简明版 section)."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.policy import PolicyAnalysis


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """PASS naming where the summary was found; FAIL when no analyzed document has one."""
    analyses = evidence.all(PolicyAnalysis)
    for analysis in analyses:
        if analysis.summary is not None:
            return [
                Outcome.passed(
                    f"找到隐私政策摘要：《{analysis.summary.title}》（{analysis.summary.how}）",
                    f"Privacy-policy summary found: {analysis.summary.title!r} ({analysis.summary.how})",
                    how=analysis.summary.how,
                    source=analysis.source,
                )
            ]
    return [
        Outcome.failed(
            "未找到隐私政策摘要（独立文档或“摘要/简明版”章节）",
            "No privacy-policy summary found (neither a separate document nor a 摘要/简明版 section)",
            reason="NO_SUMMARY",
            sources=[a.source for a in analyses],
        )
    ]
