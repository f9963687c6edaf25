"""Non-portable ranges (卫星, 移动转售, 物联网): the prefixes come from `non_portable_prefixes`."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t9.eligibility import condition_outcome, number_range, prefixes_param
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.portability import PortabilityCase


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """PASS when no non-portable prefix matches; FAIL with NON_PORTABLE_RANGE otherwise."""
    case = evidence.one(PortabilityCase)
    return [condition_outcome(number_range(case, prefixes_param(params)))]
