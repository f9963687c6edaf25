"""① 实名登记: the user must have registered their real identity with the current operator."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t9.eligibility import condition_outcome, real_name
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.portability import PortabilityCase


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """PASS when the number is real-name registered; FAIL with reason NOT_REAL_NAME otherwise."""
    case = evidence.one(PortabilityCase)
    return [condition_outcome(real_name(case))]
