"""② 正常使用状态: a number reported lost or suspended cannot be ported."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t9.eligibility import condition_outcome, normal_status
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.portability import PortabilityCase


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """PASS when the status is normal; FAIL with reason ABNORMAL_STATUS when lost or suspended."""
    case = evidence.one(PortabilityCase)
    return [condition_outcome(normal_status(case))]
