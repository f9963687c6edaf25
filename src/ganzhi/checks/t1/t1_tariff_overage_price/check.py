"""合理设置套餐外流量单价: the out-of-package data price, normalised to 元/GB, against a configurable
ceiling and against the plan's own in-plan unit price; legacy per-KB pricing is flagged."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t1.tariff_common import label
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.tariff import PriceUnit, TariffCatalogue, TariffPlan


def in_plan_unit_price(plan: TariffPlan) -> float | None:
    """Monthly fee per GB of general data included (None when either is unknown or zero)."""
    gb = plan.services.general_data_gb
    if plan.throttle and plan.throttle.after_gb and plan.services.unlimited_data:
        gb = plan.throttle.after_gb
    if not plan.monthly_fee or not gb:
        return None
    return plan.monthly_fee / gb


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """Per on-sale plan with data: FAIL above the ceiling, above the ratio to the in-plan price, or per KB."""
    catalogue = evidence.one(TariffCatalogue)
    ceiling = params.number("max_unit_price")
    max_ratio = params.number("max_price_ratio")
    outcomes: list[Outcome] = []
    for plan in catalogue.plans:
        price = plan.overage_data_price
        has_data = plan.services.general_data_gb is not None or plan.services.unlimited_data
        no_charge = plan.throttle is not None or plan.services.unlimited_data
        if not plan.on_sale or (price is None and (not has_data or no_charge)):
            continue  # no data, or unlimited / throttled instead of charged: there is no out-of-package price
        if price is None:
            outcomes.append(Outcome.manual(
                f"{label(plan)}未写明可读的套餐外流量单价，请人工核实超出资费说明。",
                f"{plan.plan_id}: no readable out-of-package data price; check the overage terms.",
                plan_id=plan.plan_id, overage_text=plan.fields.get("超出资费说明", ""),
            ))  # fmt: skip
            continue
        unit_price = in_plan_unit_price(plan)
        ratio = price.yuan_per_gb / unit_price if unit_price else None
        reasons: list[str] = []
        if price.yuan_per_gb > ceiling:
            reasons.append(f"折合{price.yuan_per_gb:g}元/GB，高于参考上限{ceiling:g}元/GB")
        if ratio is not None and ratio > max_ratio:
            reasons.append(f"为套内单价{unit_price:.2f}元/GB的{ratio:.1f}倍（上限{max_ratio:g}倍）")
        if price.unit is PriceUnit.PER_KB:
            reasons.append("仍按KB计价的传统标准资费")
        facts = {
            "plan_id": plan.plan_id, "unit": price.unit.value, "published": price.text,
            "yuan_per_gb": price.yuan_per_gb, "in_plan_yuan_per_gb": round(unit_price, 4) if unit_price else None,
            "ratio": round(ratio, 3) if ratio is not None else None,
            "legacy_per_kb": price.unit is PriceUnit.PER_KB, "reasons": reasons,
        }  # fmt: skip
        if reasons:
            outcomes.append(Outcome.failed(
                f"{label(plan)}套餐外流量“{price.text}”：{'；'.join(reasons)}。",
                f"{plan.plan_id}: out-of-package data at {price.yuan_per_gb:g} yuan/GB is not reasonable "
                f"({len(reasons)} reason(s)).",
                **facts,
            ))  # fmt: skip
        else:
            outcomes.append(Outcome.passed(
                f"{label(plan)}套餐外流量折合{price.yuan_per_gb:g}元/GB，未超过参考上限{ceiling:g}元/GB。",
                f"{plan.plan_id}: out-of-package data at {price.yuan_per_gb:g} yuan/GB is within {ceiling:g}.",
                **facts,
            ))  # fmt: skip
    if not outcomes:
        outcomes.append(Outcome.not_applicable("目录中没有含流量的在售方案。", "No on-sale plan with data.",
                                               plan_id="none"))  # fmt: skip
    return outcomes
