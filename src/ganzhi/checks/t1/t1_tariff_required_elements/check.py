"""资费方案应列明资费结构、收费项目、资费标准、计费原则、对应服务、办理条件、有效期限 (2018 notice)."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t1.tariff_common import label
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.tariff import TariffCatalogue


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome per on-sale plan: FAIL naming the elements it does not state."""
    return fields_outcomes(evidence, params.strings("required_elements"), "七项要素", "required elements")


def fields_outcomes(evidence: EvidenceSet, required: list[str], zh_what: str, en_what: str,
                    open_ended: list[str] | None = None) -> list[Outcome]:  # fmt: skip
    """Per on-sale plan, PASS when every field in `required` has text, else FAIL naming the missing ones;
    `open_ended` fields (e.g. 下线日期) may be blank on an on-sale plan."""
    catalogue = evidence.one(TariffCatalogue)
    optional = set(open_ended or ())
    outcomes: list[Outcome] = []
    for plan in catalogue.plans:
        if not plan.on_sale:
            continue
        missing = [name for name in required if name not in optional and not plan.has_field(name)]
        facts = {"plan_id": plan.plan_id, "missing": missing, "row": plan.row}
        if missing:
            outcomes.append(Outcome.failed(
                f"{label(plan)}未列明{zh_what}：{'、'.join(missing)}。",
                f"{plan.plan_id} does not state {en_what}: {', '.join(missing)}.",
                **facts,
            ))  # fmt: skip
        else:
            outcomes.append(Outcome.passed(
                f"{label(plan)}已列明全部{zh_what}。", f"{plan.plan_id} states all {en_what}.", **facts
            ))
    if not outcomes:
        outcomes.append(Outcome.not_applicable("目录中没有在售资费方案。", "No on-sale plan in the catalogue.",
                                               plan_id="none"))  # fmt: skip
    return outcomes
