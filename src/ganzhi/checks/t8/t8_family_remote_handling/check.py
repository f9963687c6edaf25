"""亲情网可在外省营业厅或线上办理: province coverage (see checks/t8/matrix)."""

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
            service="family_network",
            operations=params.strings("family_remote_operations"),
            channels=("hall_other_province", "online"),
            what_zh="亲情网可在外省营业厅或线上办理",
            what_en="Family network handled outside the home province or online",
        )
    ]
