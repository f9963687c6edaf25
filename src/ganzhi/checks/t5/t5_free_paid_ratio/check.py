"""T5 无差别速率: on the same network, the free tier's sustained rate is close to the paid tier's."""

from __future__ import annotations

import statistics
from collections import defaultdict

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.netdisk import NetdiskProbe

_NAMES = {"download": ("下载", "download"), "upload": ("上传", "upload")}


def _rates(probes: list[NetdiskProbe], direction: str) -> list[float]:
    return [min(m.sustained_kbyte_s, m.mean_kbyte_s) for p in probes if (m := getattr(p, direction)) and m.seconds > 0]


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """Per network and direction with both tiers measured: FAIL when free/paid < `min_free_to_paid_ratio`."""
    minimum = params.number("min_free_to_paid_ratio")
    by_network: dict[str, dict[str, list[NetdiskProbe]]] = defaultdict(lambda: defaultdict(list))
    for probe in evidence.all(NetdiskProbe):
        by_network[probe.network][probe.tier].append(probe)
    outcomes: list[Outcome] = []
    for network, tiers in sorted(by_network.items()):
        for direction in ("download", "upload"):
            zh, en = _NAMES[direction]
            free, paid = _rates(tiers["free"], direction), _rates(tiers["paid"], direction)
            if not free or not paid:
                continue
            paid_rate = statistics.median(paid)
            if paid_rate <= 0:
                continue
            free_rate = statistics.median(free)
            ratio = free_rate / paid_rate
            data = {
                "network": network,
                "direction": direction,
                "ratio": round(ratio, 4),
                "min_ratio": minimum,
                "free_kbyte_s": round(free_rate, 3),
                "paid_kbyte_s": round(paid_rate, 3),
            }
            if ratio >= minimum:
                outcomes.append(
                    Outcome.passed(
                        f"网络“{network}”上免费/付费{zh}速率比{ratio:.2f}，不低于{minimum:g}。",
                        f"On {network!r} the free/paid {en} ratio is {ratio:.2f} (≥{minimum:g}).",
                        **data,
                    )
                )
            else:
                outcomes.append(
                    Outcome.failed(
                        f"网络“{network}”上免费用户{zh}{free_rate:.0f}KB/s，仅为付费用户{paid_rate:.0f}KB/s的"
                        f"{ratio:.0%}，未提供无差别速率。",
                        f"On {network!r} free {en} {free_rate:.0f} KB/s is {ratio:.0%} of paid {paid_rate:.0f} KB/s.",
                        **data,
                    )
                )
    if not outcomes:
        outcomes.append(
            Outcome.manual(
                "缺少同一网络下免费与付费账户的对比测量。",
                "No free and paid measurements on the same network; cannot compare.",
                network="*",
                direction="*",
            )
        )
    return outcomes
