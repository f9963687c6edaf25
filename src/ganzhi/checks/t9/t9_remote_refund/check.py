"""T9 remote refund: declared by the operator and confirmed by test records (see services_common)."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t9.services_common import service_outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.halls import PortingServices


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome for the operator's remote refund service."""
    return [service_outcome(evidence.one(PortingServices), "remote_refund")]
