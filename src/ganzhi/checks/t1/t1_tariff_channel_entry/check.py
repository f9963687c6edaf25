"""在自有营业厅、掌厅、网厅、资费专区、代理渠道提供公众市场在售资费套餐查询入口: every 在售 public plan is
queryable in each of the five channel types (in at least one channel of that type)."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t1.tariff_common import sample
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.tariff import CHANNEL_LABELS, ChannelType, TariffCatalogue


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome per channel type: FAIL when it has no listing or misses on-sale public plans."""
    catalogue = evidence.one(TariffCatalogue)
    on_sale = {p.plan_id for p in catalogue.on_sale_public()}
    outcomes: list[Outcome] = []
    for ctype in ChannelType:
        zh, en = CHANNEL_LABELS[ctype]
        listings = [c for c in catalogue.channels if c.channel is ctype]
        if not listings:
            outcomes.append(Outcome.failed(
                f"{zh}：未提供在售资费套餐查询入口（目录中无该渠道的展示清单）。",
                f"{en}: no query entry for on-sale plans (no listing of this channel type).",
                channel=ctype.value, channels=0, on_sale=len(on_sale), missing_count=len(on_sale),
            ))  # fmt: skip
            continue
        shown = {pid for c in listings for pid in c.plan_ids}
        missing = sorted(on_sale - shown)
        facts = {"channel": ctype.value, "channels": len(listings), "on_sale": len(on_sale),
                 "missing_count": len(missing), "missing": sample(missing)}  # fmt: skip
        if missing:
            outcomes.append(Outcome.failed(
                f"{zh}：{len(missing)}个在售公众套餐无法查询（如{'、'.join(sample(missing, 5))}）。",
                f"{en}: {len(missing)} on-sale public plans cannot be queried (e.g. {', '.join(sample(missing, 5))}).",
                **facts,
            ))  # fmt: skip
        else:
            outcomes.append(Outcome.passed(
                f"{zh}：全部{len(on_sale)}个在售公众套餐均可查询。",
                f"{en}: all {len(on_sale)} on-sale public plans can be queried.",
                **facts,
            ))  # fmt: skip
    return outcomes
