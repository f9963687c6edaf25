"""客服热线可找到: the number is shown on the website and in the app, within `max_taps` taps in the app.

An enterprise whose registry row gives no number (blank, 未公布, 无, —) publishes none: FAIL."""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.hotline import HotlineListing


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """FAIL when shown nowhere or only deeper than `max_taps`; WARN when the app or the website lacks it."""
    listing = evidence.one(HotlineListing)
    max_taps = params.number("max_taps")
    apps = [p for p in listing.shown_on if p.channel in {"app", "mini_program"}]
    sites = [p for p in listing.shown_on if p.channel == "website"]
    taps = min((p.taps if p.taps is not None else len(p.path) for p in apps), default=None)
    facts = {
        "number": listing.number,
        "app_taps": taps,
        "max_taps": max_taps,
        "website": bool(sites),
        "app": bool(apps),
    }
    if listing.number is None:
        return [
            Outcome.failed(
                f"{listing.enterprise}未公布客服热线号码",
                f"{listing.enterprise} publishes no customer-service hotline number",
                **facts,
            )
        ]
    if not listing.shown_on:
        return [
            Outcome.failed(
                f"{listing.enterprise}未在网站或APP公布客服热线{listing.number}",
                f"{listing.number} is shown neither on the website nor in the app",
                **facts,
            )
        ]
    if taps is not None and taps > max_taps:
        return [
            Outcome.failed(
                f"APP中需点击{taps}次才能找到客服热线，超过{max_taps:g}次",
                f"the app needs {taps} taps to show the hotline, over {max_taps:g}",
                **facts,
            )
        ]
    if not apps or not sites:
        missing = "APP" if not apps else "网站"
        return [
            Outcome.warned(
                f"客服热线未在{missing}中公布",
                f"the hotline is not shown in the {'app' if not apps else 'website'}",
                **facts,
            )
        ]
    return [
        Outcome.passed(
            f"网站和APP均公布客服热线，APP中{taps}次点击可达",
            f"shown on the website and in the app ({taps} taps)",
            **facts,
        )
    ]
