"""流量超套封顶服务，由用户选择封顶档位: the catalogue offers a user-selectable cap on out-of-package
data spending; plans that charge for overage data without any cap are listed."""

from __future__ import annotations

import re

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.checks.t1.tariff_common import sample
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.tariff import TariffCatalogue

_CAP_OFFER = re.compile(r"封顶")


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One outcome for the catalogue: PASS when a selectable cap is offered, FAIL when none is."""
    catalogue = evidence.one(TariffCatalogue)
    on_sale = [p for p in catalogue.plans if p.on_sale]
    selectable = sorted(
        p.plan_id for p in on_sale
        if p.spending_cap_optional or (_CAP_OFFER.search(p.name) and p.plan_type != "套餐")
    )  # fmt: skip
    uncapped = sorted(p.plan_id for p in on_sale if p.overage_data_price is not None and p.spending_cap_yuan is None)
    capped_fixed = sorted(p.plan_id for p in on_sale if p.spending_cap_yuan is not None and not p.spending_cap_optional)
    facts = {"scope": "catalogue", "selectable_cap_offers": sample(selectable), "uncapped_plans": len(uncapped),
             "uncapped_sample": sample(uncapped), "fixed_caps": len(capped_fixed)}  # fmt: skip
    if selectable:
        return [Outcome.passed(
            f"目录提供可由用户选择档位的超套封顶服务（{'、'.join(sample(selectable, 5))}）。",
            f"The catalogue offers a user-selectable spending cap ({', '.join(sample(selectable, 5))}).",
            **facts,
        )]  # fmt: skip
    return [Outcome.failed(
        f"目录未提供可由用户选择档位的超套封顶服务；{len(uncapped)}个在售方案按量收取套外流量费且无封顶。",
        f"No user-selectable spending cap is offered; {len(uncapped)} on-sale plans charge overage data uncapped.",
        **facts,
    )]  # fmt: skip
