"""④ 无在网约定期限: a minimum-term agreement blocks the port while it binds (including its end date)."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t9.eligibility import condition_outcome, contract_lock
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.portability import PortabilityCase


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """PASS when no lock binds on as_of; FAIL with reason CONTRACT_LOCK when as_of <= contract_lock_until."""
    case = evidence.one(PortabilityCase)
    return [condition_outcome(contract_lock(case))]
