"""关得了: one tap on the close control removes the ad within the settle time, with no jump to another
app, browser or landing page, not gated by a countdown, and the ad does not come back on the same page.
"""

from __future__ import annotations

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.ui import AdWindow, UiEpisode


def _window(window: AdWindow, params: Params, key: dict[str, object]) -> list[Outcome]:
    settle_ms = params.number("max_settle_s") * 1000
    max_taps = int(params.number("max_taps"))
    taps = [t for t in window.taps if t.on_close]
    if not taps and window.screenshot_only:
        return [
            Outcome.manual(
                "仅有截图：关闭控件能否一次关闭、是否跳转须在真机上点击验证",
                "screenshots only: whether one tap closes the ad without a jump needs a tap on a device",
                **key,
                aspect="closes",
                screenshot_only=True,
            )
        ]
    if not taps:
        return [
            Outcome.manual(
                "未点击关闭控件，无法判定能否关闭",
                "the close control was not tapped; cannot judge",
                **key,
                aspect="closes",
            )
        ]
    outcomes: list[Outcome] = []
    jumped = next((t for t in taps if t.jump_after_ms is not None), None)
    if jumped is not None:
        outcomes.append(
            Outcome.failed(
                f"点击关闭后跳转至{jumped.jump_target}",
                f"tapping close jumped to {jumped.jump_target}",
                **key,
                aspect="no_jump",
                jump_target=jumped.jump_target,
            )
        )
    closing = next(
        (
            i
            for i, t in enumerate(taps)
            if t.ad_gone_after_ms is not None and t.ad_gone_after_ms <= settle_ms and t.jump_after_ms is None
        ),
        None,
    )
    if window.close is not None and not window.close.enabled:
        outcomes.append(
            Outcome.failed(
                "关闭控件处于不可用状态（倒计时限制）",
                "close control is disabled (countdown gate)",
                **key,
                aspect="countdown_gate",
            )
        )
    if closing is None:
        if jumped is None:
            outcomes.append(
                Outcome.failed(
                    f"点击关闭{len(taps)}次后广告仍未在{settle_ms / 1000:g}秒内消失",
                    f"ad still shown {settle_ms / 1000:g} s after {len(taps)} close taps",
                    **key,
                    aspect="one_tap",
                    taps=len(taps),
                )
            )
    elif closing + 1 > max_taps:
        gated = any(t.countdown_visible for t in taps[:closing])
        outcomes.append(
            Outcome.failed(
                f"需点击{closing + 1}次才能关闭",
                f"{closing + 1} taps needed to close",
                **key,
                aspect="countdown_gate" if gated else "one_tap",
                taps=closing + 1,
            )
        )
    if window.reappeared_after_close:
        outcomes.append(
            Outcome.failed(
                "关闭后同一页面再次弹出广告", "the ad popped up again on the same page", **key, aspect="re_pop"
            )
        )
    if not outcomes:
        gone = taps[closing or 0].ad_gone_after_ms
        outcomes.append(
            Outcome.passed(
                f"一次点击后{gone}毫秒内关闭，未跳转",
                f"closed by one tap within {gone} ms, no jump",
                **key,
                aspect="closes",
                closed_after_ms=gone,
            )
        )
    return outcomes


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """Per ad window: the outcome of tapping its close control."""
    outcomes: list[Outcome] = []
    for episode in evidence.all(UiEpisode):
        for window in episode.ad_windows:
            key: dict[str, object] = {"window": f"{window.kind}:{window.activity}", "bundle": episode.bundle}
            outcomes.extend(_window(window, params, key))
    if not outcomes:
        return [
            Outcome.not_applicable("采集中没有开屏或弹窗广告", "no splash or pop-up ad in the capture", window="none")
        ]
    return outcomes
