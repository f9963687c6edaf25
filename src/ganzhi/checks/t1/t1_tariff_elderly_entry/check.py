"""面向老年人、残疾人的优惠资费套餐查询入口: each channel type offers the separate elderly/disabled entry,
and the catalogue's elderly/disabled discount plans are queryable there."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t1.t1_tariff_channel_entry.check import no_channel_evidence
from ganzhi.checks.t1.tariff_common import sample
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.tariff import CHANNEL_LABELS, ChannelType, TariffCatalogue


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """Per channel type: PASS with an entry, FAIL without, MANUAL when the listing does not say."""
    catalogue = evidence.one(TariffCatalogue)
    discount = sorted(p.plan_id for p in catalogue.on_sale_public() if p.for_elderly_or_disabled)
    if not catalogue.channels:
        return [no_channel_evidence("老年人、残疾人优惠套餐查询入口", "elderly/disabled discount-plan entry",
                                    discount_plans=len(discount))]  # fmt: skip
    outcomes: list[Outcome] = []
    if not discount:
        outcomes.append(Outcome.failed(
            "资费目录中没有面向老年人、残疾人的在售优惠套餐。",
            "The catalogue has no on-sale discount plan for elderly or disabled users.",
            channel="catalogue", discount_plans=0,
        ))  # fmt: skip
    #: No listing says anything about the elderly entry: a channel type with no listing is unknown, not absent.
    silent = all(c.elderly_entry is None for c in catalogue.channels)
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
        elif unknown or silent:
            outcomes.append(Outcome.manual(
                f"{zh}：展示清单未说明是否设有老年人、残疾人优惠套餐入口，无法判断；需要该渠道老年人、残疾人专区的核查记录或截图。",
                f"{en}: the listing does not say whether an elderly/disabled entry exists; cannot tell. Needs a review "
                "record or screenshot of the channel's elderly/disabled section.",
                needs="渠道展示清单中的“老年人残疾人专区”列或核查截图", **facts,
            ))  # fmt: skip
        else:
            outcomes.append(Outcome.failed(
                f"{zh}：未提供老年人、残疾人优惠套餐查询入口。",
                f"{en}: no elderly/disabled discount-plan query entry.",
                **facts,
            ))  # fmt: skip
    return outcomes
