"""固移融合业务线上可办理: province coverage (see checks/t8/matrix)."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t8.matrix import coverage_outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.crossregion import CrossRegionMatrix


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One coverage outcome for this operator."""
    return [
        coverage_outcome(
            evidence.one(CrossRegionMatrix),
            params,
            service="converged",
            operations=params.strings("converged_operations"),
            channels=("online",),
            what_zh="固移融合业务线上可办理",
            what_en="Fixed-mobile bundle changes online",
        )
    ]
