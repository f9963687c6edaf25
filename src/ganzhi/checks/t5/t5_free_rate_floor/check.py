"""T5 免费用户最低速率: free-tier sustained rates (warm-up excluded) reach the `min_free_rate` floor."""

from __future__ import annotations

import statistics

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.netdisk import NetdiskProbe, TransferMeasure

_NAMES = {"download": ("下载", "download"), "upload": ("上传", "upload")}


def _sustained(measures: list[TransferMeasure]) -> list[float]:
    """The floor counts the slower of the sustained and post-warm-up mean rate of each probe."""
    return [min(m.sustained_kbyte_s, m.mean_kbyte_s) for m in measures if m.seconds > 0]


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """Per direction: MANUAL below `min_measurements`; else the median probe rate against the floor."""
    floor = params.number("min_free_rate")
    needed = int(params.number("min_measurements"))
    free = [p for p in evidence.all(NetdiskProbe) if p.tier == "free"]
    outcomes: list[Outcome] = []
    for direction in ("download", "upload"):
        zh, en = _NAMES[direction]
        measures = [m for p in free if (m := getattr(p, direction)) is not None]
        if not measures:
            continue
        rates = _sustained(measures)
        if len(rates) < needed:
            outcomes.append(
                Outcome.manual(
                    f"免费用户{zh}有效测量仅{len(rates)}次，少于{needed}次。",
                    f"Only {len(rates)} valid free-tier {en} measurements; {needed} needed.",
                    direction=direction,
                    measurements=len(rates),
                )
            )
            continue
        rate = statistics.median(rates)
        data = {
            "direction": direction,
            "rate_kbyte_s": round(rate, 3),
            "floor_kbyte_s": floor,
            "measurements": len(rates),
        }
        if rate >= floor:
            outcomes.append(
                Outcome.passed(
                    f"免费用户持续{zh}速率中位数{rate:.0f}KB/s，不低于{floor:g}KB/s。",
                    f"Free-tier sustained {en} median {rate:.0f} KB/s meets {floor:g} KB/s.",
                    **data,
                )
            )
        else:
            outcomes.append(
                Outcome.failed(
                    f"免费用户持续{zh}速率中位数仅{rate:.0f}KB/s，低于{floor:g}KB/s（已剔除预热期）。",
                    f"Free-tier sustained {en} median {rate:.0f} KB/s is below {floor:g} KB/s (warm-up excluded).",
                    **data,
                )
            )
    if not outcomes:
        outcomes.append(
            Outcome.manual(
                "没有免费用户的传输测量，无法判定。",
                "No free-tier transfer measurements; cannot decide.",
                direction="*",
            )
        )
    return outcomes
