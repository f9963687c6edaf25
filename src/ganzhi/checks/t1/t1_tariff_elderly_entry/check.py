"""面向老年人、残疾人的优惠资费套餐查询入口: each channel type offers the separate elderly/disabled entry,
and the catalogue's elderly/disabled discount plans are queryable there."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t1.tariff_common import sample
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.tariff import CHANNEL_LABELS, ChannelType, TariffCatalogue


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """Per channel type: PASS with an entry, FAIL without, MANUAL when the listing does not say."""
    catalogue = evidence.one(TariffCatalogue)
    discount = sorted(p.plan_id for p in catalogue.on_sale_public() if p.for_elderly_or_disabled)
    outcomes: list[Outcome] = []
    if not discount:
        outcomes.append(Outcome.failed(
            "资费目录中没有面向老年人、残疾人的在售优惠套餐。",
            "The catalogue has no on-sale discount plan for elderly or disabled users.",
            channel="catalogue", discount_plans=0,
        ))  # fmt: skip
    for ctype in ChannelType:
        zh, en = CHANNEL_LABELS[ctype]
        listings = [c for c in catalogue.channels if c.channel is ctype]
        with_entry = [c for c in listings if c.elderly_entry]
        unknown = [c for c in listings if c.elderly_entry is None]
        facts = {"channel": ctype.value, "channels": len(listings), "with_entry": len(with_entry)}
        if with_entry:
            shown = {pid for c in with_entry for pid in c.plan_ids}
            missing = sorted(set(discount) - shown) if any(c.plan_ids for c in with_entry) else []
            if missing:
                outcomes.append(Outcome.failed(
                    f"{zh}：设有老年人、残疾人专区，但{len(missing)}个优惠套餐查询不到"
                    f"（如{'、'.join(sample(missing, 5))}）。",
                    f"{en}: the elderly/disabled entry misses {len(missing)} discount plans.",
                    **facts, missing=sample(missing),
                ))  # fmt: skip
            else:
                outcomes.append(Outcome.passed(
                    f"{zh}：提供老年人、残疾人优惠套餐查询入口。",
                    f"{en}: offers the elderly/disabled discount-plan entry.",
                    **facts,
                ))  # fmt: skip
        elif unknown:
            outcomes.append(Outcome.manual(
                f"{zh}：展示清单未说明是否设有老年人、残疾人优惠套餐入口，请人工核实。",
                f"{en}: the listing does not say whether an elderly/disabled entry exists; verify by hand.",
                **facts,
            ))  # fmt: skip
        else:
            outcomes.append(Outcome.failed(
                f"{zh}：未提供老年人、残疾人优惠套餐查询入口。",
                f"{en}: no elderly/disabled discount-plan query entry.",
                **facts,
            ))  # fmt: skip
    return outcomes
