"""转人工等待时间: the median time from connection to a human answer stays within `max_seconds`."""

from __future__ import annotations

import statistics

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.hotline import DialTests, IvrAnalysis


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """FAIL when the median of reached attempts exceeds the limit (or the IVR alone needs longer)."""
    tests = evidence.one(DialTests)
    ivr = evidence.maybe(IvrAnalysis)
    limit = params.number("max_seconds")
    times = [a.seconds_to_human for a in tests.attempts if a.outcome == "human" and a.seconds_to_human is not None]
    ivr_seconds = ivr.min_seconds if ivr is not None else None
    if not times:
        if ivr_seconds is not None and ivr_seconds > limit:
            return [
                Outcome.failed(
                    f"语音菜单最快也需{ivr_seconds:g}秒才能转人工，超过{limit:g}秒",
                    f"the IVR alone needs {ivr_seconds:g} s, over {limit:g} s",
                    ivr_min_seconds=ivr_seconds,
                    max_seconds=limit,
                )
            ]
        return [
            Outcome.manual(
                "没有接通人工的拨测，无法计算转人工时间",
                "no attempt reached a human; no time to measure",
                max_seconds=limit,
            )
        ]
    median = statistics.median(times)
    facts = {
        "median_seconds": round(median, 2),
        "max_observed": round(max(times), 2),
        "attempts": len(times),
        "over_limit": sum(1 for t in times if t > limit),
        "max_seconds": limit,
        "ivr_min_seconds": ivr_seconds,
    }
    if median > limit:
        return [
            Outcome.failed(
                f"转人工时间中位数{median:.1f}秒，超过{limit:g}秒",
                f"median time to a human {median:.1f} s, over {limit:g} s",
                **facts,
            )
        ]
    return [
        Outcome.passed(
            f"转人工时间中位数{median:.1f}秒，未超过{limit:g}秒",
            f"median time to a human {median:.1f} s, within {limit:g} s",
            **facts,
        )
    ]
