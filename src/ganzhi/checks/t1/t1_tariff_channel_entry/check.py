"""在自有营业厅、掌厅、网厅、资费专区、代理渠道提供公众市场在售资费套餐查询入口: every 在售 public plan is
queryable in each of the five channel types (in at least one channel of that type)."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t1.tariff_common import sample
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.tariff import CHANNEL_LABELS, ChannelType, TariffCatalogue


def no_channel_evidence(zh_what: str, en_what: str, **facts: object) -> Outcome:
    """MANUAL for a catalogue imported without any channel listing: a 公示 table alone cannot show where
    the plans are queryable, so a missing entry must not be inferred from missing evidence."""
    return Outcome.manual(
        f"未提供任何渠道展示清单（各渠道可查询的资费方案），无法判断是否提供{zh_what}；"
        "需要自有营业厅、掌厅、网厅、资费专区、代理渠道的展示清单或核查截图。",
        f"No channel listing was imported; cannot tell whether the {en_what} exists. Needs the listings (or "
        "review screenshots) of the business halls, app, web hall, tariff zone and agent channels.",
        channel="all", needs="各渠道展示清单（--channels）", **facts,
    )


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome per channel type: FAIL when it has no listing or misses on-sale public plans."""
    catalogue = evidence.one(TariffCatalogue)
    on_sale = {p.plan_id for p in catalogue.on_sale_public()}
    if not catalogue.channels:
        return [no_channel_evidence("在售资费套餐查询入口", "query entry for on-sale plans", on_sale=len(on_sale))]
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
