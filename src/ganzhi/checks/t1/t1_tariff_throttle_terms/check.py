"""宣传“不限量”等套餐时明示达量降速阈值及降速后速率: a plan sold as unlimited, or throttled after a quota,
states both the quota and the reduced speed."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t1.tariff_common import label
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.tariff import TariffCatalogue


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """Per on-sale plan that is 'unlimited' or throttled: FAIL naming the missing term."""
    catalogue = evidence.one(TariffCatalogue)
    outcomes: list[Outcome] = []
    for plan in catalogue.plans:
        if not plan.on_sale or not (plan.services.unlimited_data or plan.throttle):
            continue
        missing: list[str] = []
        if plan.throttle is None or plan.throttle.after_gb is None:
            missing.append("达量降速阈值")
        if plan.throttle is None or plan.throttle.kbps is None:
            missing.append("降速后速率")
        facts = {"plan_id": plan.plan_id, "missing": missing,
                 "after_gb": plan.throttle.after_gb if plan.throttle else None,
                 "kbps": plan.throttle.kbps if plan.throttle else None}  # fmt: skip
        throttle = plan.throttle
        if missing or throttle is None:
            outcomes.append(Outcome.failed(
                f"{label(plan)}为“不限量”/达量降速套餐，但未写明{'、'.join(missing)}。",
                f"{plan.plan_id} is 'unlimited' or throttled but does not state: {', '.join(missing)}.",
                **facts,
            ))  # fmt: skip
        else:
            outcomes.append(Outcome.passed(
                f"{label(plan)}写明{throttle.after_gb}GB后降速至{throttle.kbps}kbps。",
                f"{plan.plan_id} states throttling to {throttle.kbps} kbps after {throttle.after_gb} GB.",
                **facts,
            ))  # fmt: skip
    if not outcomes:
        outcomes.append(Outcome.not_applicable(
            "目录中没有“不限量”或达量降速的在售套餐。", "No 'unlimited' or throttled plan on sale.", plan_id="none"
        ))
    return outcomes
