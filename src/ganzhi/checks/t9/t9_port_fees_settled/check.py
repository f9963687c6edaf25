"""③ 结清已出账费用: any billed amount still unpaid blocks the port."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t9.eligibility import condition_outcome, fees_settled
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.portability import PortabilityCase


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """PASS when no billed fee is unpaid; FAIL with reason UNPAID_FEES when any amount above 0 is."""
    case = evidence.one(PortabilityCase)
    return [condition_outcome(fees_settled(case))]
