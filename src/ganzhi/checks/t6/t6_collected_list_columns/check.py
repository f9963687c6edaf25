"""T6.list.columns: the collected-PI list has the required columns, each filled on every row."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t6.columns import column_outcomes
from ganzhi.evidence.base import EvidenceSet


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """Required columns present (by role) and non-empty; recommended columns only warn."""
    return column_outcomes(
        evidence, "collected", params.strings("required_columns"), params.strings("recommended_columns")
    )
