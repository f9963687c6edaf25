"""⑤ 入网满120日（自然日）: also the minimum interval between two ports; the number comes from `min_days`."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t9.eligibility import condition_outcome, min_days_param, min_interval
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.portability import PortabilityCase


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """PASS when as_of − max(joined_on, last_ported_on) >= min_days; FAIL with TOO_SOON otherwise."""
    case = evidence.one(PortabilityCase)
    return [condition_outcome(min_interval(case, min_days_param(params)))]
