"""以清单方式公示在售资费方案: every published on-sale record carries the 公示 fields (configurable list)."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t1.t1_tariff_required_elements.check import fields_outcomes
from ganzhi.evidence.base import EvidenceSet


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome per on-sale plan: FAIL naming the 公示 fields it leaves empty (an on-sale plan may leave an
    open-ended field such as 下线日期 blank: no offline date is set yet)."""
    return fields_outcomes(evidence, params.strings("publication_fields"), "公示字段", "publication fields",
                           open_ended=params.strings("open_ended_fields"))
