"""T5 按档位明示: the page states storage, rate, rights and price for the free tier and each paid tier."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.netdisk import NetdiskDisclosure, TierDisclosure

#: The notice's four items (the `required_items` param) → the evidence field that holds each.
ITEM_FIELDS: dict[str, str] = {"存储空间": "storage", "传输速率": "rate", "功能权益": "rights", "资费水平": "price"}


def _missing(tier: TierDisclosure, items: list[str]) -> list[str]:
    return [item for item in items if item in ITEM_FIELDS and getattr(tier, ITEM_FIELDS[item]) is None]


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """FAIL when the free tier or every paid tier is absent; one outcome per tier otherwise."""
    items = params.strings("required_items")
    unknown = [item for item in items if item not in ITEM_FIELDS]
    if unknown:
        return [
            Outcome.manual(f"无法自动识别的明示项：{unknown}。", f"Items ganzhi cannot detect: {unknown}.", tier="*")
        ]
    outcomes: list[Outcome] = []
    for page in evidence.all(NetdiskDisclosure):
        if not any(t.free for t in page.tiers):
            outcomes.append(
                Outcome.failed(
                    "页面未找到免费用户档位的说明。",
                    "The page states nothing for the free tier.",
                    tier="免费",
                    missing=items,
                )
            )
        if not any(not t.free for t in page.tiers):
            outcomes.append(
                Outcome.failed(
                    "页面未找到任何付费档位的说明。",
                    "The page states nothing for any paid tier.",
                    tier="付费",
                    missing=items,
                )
            )
        for tier in page.tiers:
            missing = _missing(tier, items)
            if missing:
                outcomes.append(
                    Outcome.failed(
                        f"“{tier.name}”档位未明示：{'、'.join(missing)}。",
                        f"Tier {tier.name!r} does not state: {', '.join(missing)}.",
                        tier=tier.name,
                        missing=missing,
                    )
                )
            else:
                outcomes.append(
                    Outcome.passed(
                        f"“{tier.name}”档位已明示{'、'.join(items)}。",
                        f"Tier {tier.name!r} states {', '.join(items)}.",
                        tier=tier.name,
                        missing=[],
                    )
                )
    return outcomes
