"""开屏不得整屏跳转: the largest clickable (non-close) area of a splash as a share of the screen, and probe
taps away from the close control that led to a jump (the decisive, dynamic evidence).
"""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.ui import UiEpisode


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """Per splash window: FAIL on a jumping probe tap or a jump zone at or above the share limit."""
    limit = params.number("max_clickable_area_share")
    warn = params.number("warn_clickable_area_share")
    outcomes: list[Outcome] = []
    for episode in evidence.all(UiEpisode):
        for window in episode.ad_windows:
            if window.screenshot_only:
                outcomes.append(
                    Outcome.manual(
                        "仅有截图：开屏是否整屏跳转须点击关闭控件以外区域验证",
                        "screenshots only: whether the screen jumps on a tap away from the close control "
                        "needs probe taps on a device",
                        window=f"{window.kind}:{window.activity}",
                        bundle=episode.bundle,
                        screenshot_only=True,
                        recognised_kind=window.recognised_kind,
                    )
                )
                continue
            if window.kind != "splash":
                continue
            share = window.max_jump_share
            facts = {
                "window": f"{window.kind}:{window.activity}",
                "bundle": episode.bundle,
                "jump_share": share,
                "jump_texts": window.jump_texts,
            }
            probes = [t for t in window.taps if not t.on_close and t.jump_after_ms is not None]
            if probes:
                where = [[t.x, t.y] for t in probes]
                outcomes.append(
                    Outcome.failed(
                        f"点击关闭控件以外区域即跳转（{len(probes)}处）",
                        f"taps away from the close control jumped ({len(probes)})",
                        **facts,
                        probes=where,
                        jump_target=probes[0].jump_target,
                    )
                )
            elif share >= limit:
                outcomes.append(
                    Outcome.failed(
                        f"可点击跳转区域占屏幕{share:.0%}，属整屏跳转",
                        f"jump zone covers {share:.0%} of the screen",
                        **facts,
                    )
                )
            elif share >= warn:
                outcomes.append(
                    Outcome.warned(f"可点击跳转区域占屏幕{share:.0%}", f"jump zone covers {share:.0%}", **facts)
                )
            else:
                outcomes.append(
                    Outcome.passed(f"可点击跳转区域占屏幕{share:.0%}", f"jump zone covers {share:.0%}", **facts)
                )
    if not outcomes:
        return [Outcome.not_applicable("采集中没有开屏广告", "no splash ad in the capture", window="none")]
    return outcomes
