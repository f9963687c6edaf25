"""未经用户同意不得擅自开通5G套餐、升级包: every activation has a consent record dated no later than it."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.marketing import FiveGOrders

_SAMPLE = 20


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """One FAIL per order without consent or with consent after activation; one PASS when all are consented."""
    orders = [o for batch in evidence.all(FiveGOrders) for o in batch.orders]
    outcomes: list[Outcome] = []
    for order in orders:
        problem = None
        if order.consent == "none" or order.consent_at is None:
            problem = ("无用户同意记录", "no consent record")
        elif order.consent_at > order.activated_at:
            problem = (f"同意时间{order.consent_at.isoformat()}晚于开通时间", "consent recorded after activation")
        if problem:
            outcomes.append(Outcome.failed(
                f"订单{order.order_id}为用户{order.subscriber}开通“{order.product}”：{problem[0]}。",
                f"Order {order.order_id} opened {order.product!r} for {order.subscriber}: {problem[1]}.",
                order_id=order.order_id, subscriber=order.subscriber, product=order.product,
                activated_at=order.activated_at.isoformat(), consent=order.consent, row=order.row,
            ))  # fmt: skip
    if not outcomes:
        outcomes.append(Outcome.passed(
            f"{len(orders)}笔5G开通订单均有开通前的用户同意记录。",
            f"All {len(orders)} 5G activations have consent recorded before activation.",
            order_id="all", orders=len(orders),
        ))  # fmt: skip
    return outcomes
