"""全面梳理在售套餐名称，避免引发理解歧义: misleading terms ('不限量' on a throttled plan) and numbers in the
name that disagree with the plan's content ('99元' in the name of a 109元 plan)."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t1.tariff_common import label, name_numbers
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.tariff import TariffCatalogue, TariffPlan


def _limits(plan: TariffPlan) -> list[str]:
    """What actually limits a plan's data: a throttling quota, or a finite allowance."""
    found: list[str] = []
    if plan.throttle is not None:
        after = f"{plan.throttle.after_gb:g}GB" if plan.throttle.after_gb else "达量"
        speed = f"至{plan.throttle.kbps:g}kbps" if plan.throttle.kbps else ""
        found.append(f"{after}后降速{speed}")
    elif plan.services.general_data_gb is not None:
        found.append(f"通用流量{plan.services.general_data_gb:g}GB")
    return found


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """Per on-sale plan: FAIL for a misleading term with a limit behind it or a name number that disagrees."""
    catalogue = evidence.one(TariffCatalogue)
    terms = params.strings("misleading_name_terms")
    outcomes: list[Outcome] = []
    for plan in catalogue.plans:
        if not plan.on_sale:
            continue
        reasons: list[str] = []
        hits = [t for t in terms if t in plan.name]
        limits = _limits(plan)
        if hits and limits:
            reasons.append(f"名称含“{'、'.join(hits)}”，但实际{'；'.join(limits)}")
        doubts: list[str] = []
        for number in name_numbers(plan):
            if number.in_content is not None and abs(number.in_name - number.in_content) > 1e-6:
                text = f"名称中的{number.quantity}{number.in_name:g}与资费内容{number.in_content:g}不符"
                (reasons if number.certain else doubts).append(text)
        facts = {"plan_id": plan.plan_id, "name": plan.name, "terms": hits, "reasons": reasons, "doubts": doubts}
        if doubts and not reasons:
            outcomes.append(Outcome.manual(
                f"{label(plan)}名称中的数字含义无法判断（{'；'.join(doubts)}，也可能指5G网络），"
                "需要核实宣传材料中该名称的含义。",
                f"{plan.plan_id}: cannot tell whether a number in the name is a data volume or a network "
                "generation; needs the plan's promotional material.",
                needs="该套餐的宣传页或营销话术，说明名称中数字的含义", **facts,
            ))  # fmt: skip
        elif reasons:
            outcomes.append(Outcome.failed(
                f"{label(plan)}名称易引发歧义：{'；'.join(reasons)}。",
                f"{plan.plan_id}: the name may mislead ({len(reasons)} reason(s)).",
                **facts,
            ))  # fmt: skip
        elif hits:
            outcomes.append(Outcome.warned(
                f"{label(plan)}名称含“{'、'.join(hits)}”，目录未写明限制条件，请核实是否确无限制。",
                f"{plan.plan_id}: the name uses {hits} and the catalogue states no limit; verify.",
                **facts,
            ))  # fmt: skip
        else:
            outcomes.append(Outcome.passed(f"{label(plan)}名称未见歧义。", f"{plan.plan_id}: name is clear.", **facts))
    if not outcomes:
        outcomes.append(Outcome.not_applicable("目录中没有在售资费方案。", "No on-sale plan.", plan_id="none"))
    return outcomes
