"""关闭按钮明显可找到: per splash/pop-up ad window, judge the close control's presence and timing, size in
dp, contrast, position and the 广告 label against the catalog's thresholds (all configurable defaults).

A window seen in pixels alone rests on two guesses: that the screen is an ad (the pop-up model) and which
box is its close control (the ranker). A FAIL there can end up in a published 通报, so it stands only when
both are confident (catalog params); otherwise the measured fact is reported as MANUAL for a person to
confirm on the device. "No close control found" on a screenshot is never a FAIL: a detector's miss is not
proof of absence; nor is the size of a text control read by OCR (the glyphs are measured, not the tap area).
"""

from __future__ import annotations

import re

from ganzhi.catalog.params import Params
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.status import Status
from ganzhi.evidence.ui import AdWindow, CloseControl, UiEpisode

#: A label that makes the user wait ("5秒后可跳过", "Skip in 5", "Close after 3s"): the control is gated.
GATED_LABEL = re.compile(r"\d+\s*(s|秒)?\s*后|(in|after)\s*\d+|wait", re.IGNORECASE)


def _unsure(window: AdWindow, close: CloseControl | None, params: Params) -> str | None:
    """Why a FAIL on this window would be a guess (None when the evidence is firm enough to FAIL)."""
    if not window.screenshot_only:
        return None
    if close is None:
        return "仅凭截图未找到关闭控件，检测器漏检不能证明没有关闭控件"
    recognition = window.recognition_score if window.recognition_score is not None else 0.0
    if recognition < params.number("screenshot_fail_min_recognition"):
        return f"仅凭截图识别为广告的把握不足（{recognition:.2f}）"
    if close.score < params.number("screenshot_fail_min_close_score"):
        return f"仅凭截图认定的关闭控件把握不足（{close.score:.2f}）"
    return None


def _firm(outcome: Outcome, doubt: str | None) -> Outcome:
    """A FAIL resting on an unsure screenshot reading becomes MANUAL, with the measured fact and the doubt."""
    if outcome.status != Status.FAIL or doubt is None:
        return outcome
    zh = f"{outcome.message.zh}（{doubt}，需在设备上人工确认）"
    en = f"{outcome.message.en} (read from a screenshot alone, not sure enough to fail: confirm on a device)"
    return Outcome.manual(zh, en, **outcome.data, unconfirmed=doubt)


def _presence(window: AdWindow, close: CloseControl | None, params: Params, key: dict[str, object]) -> Outcome:
    if close is None:
        facts: dict[str, object] = {**key, "aspect": "presence", "frames": window.frames}
        if window.screenshot_only:
            facts.update(screenshot_only=True, cues=window.cues, recognition_score=window.recognition_score)
        if window.countdown:
            return Outcome.failed(
                "广告窗口内只有倒计时，未找到关闭/跳过控件",
                "no close or skip control found in the ad window, only a countdown",
                **facts,
                countdown=True,
            )
        return Outcome.failed(
            "广告窗口内未找到关闭/跳过控件", "no close or skip control found in the ad window", **facts
        )
    delay = close.first_seen_ms / 1000
    facts = {**key, "aspect": "presence", "delay_s": delay, "label": close.label, "source": close.source}
    if delay > params.number("max_appear_delay_s"):
        return Outcome.failed(
            f"关闭控件在广告出现{delay:.1f}秒后才出现", f"close control appears {delay:.1f} s late", **facts
        )
    if delay > params.number("warn_appear_delay_s"):
        return Outcome.warned(
            f"关闭控件在广告出现{delay:.1f}秒后出现", f"close control appears after {delay:.1f} s", **facts
        )
    return Outcome.passed("关闭控件随广告首帧出现", "close control shown from the ad's first frame", **facts)


def _text_glyph(close: CloseControl) -> bool:
    """True when the measured box is OCR'd text on a screenshot: the glyphs, not the tap target around them."""
    return not close.tree_known and close.source.split("+")[0] == "ocr"


def _size(close: CloseControl, params: Params, key: dict[str, object]) -> Outcome:
    side = close.min_side_dp
    facts = {**key, "aspect": "size", "min_side_dp": side, "area_share": close.area_share, "bounds": list(close.bounds)}
    if side < params.number("min_side_dp"):
        if _text_glyph(close):
            return Outcome.manual(
                f"文字关闭控件“{close.label}”仅能从截图测得字形高度{side}dp，点击区域（含内边距）需在设备上测量",
                f"text close control '{close.label}': a screenshot gives only its glyph height ({side} dp); the tap "
                "area (with its padding) must be measured on a device",
                **facts,
                glyph_only=True,
            )
        return Outcome.failed(
            f"关闭控件短边仅{side}dp，过小", f"close control is only {side} dp on its short side", **facts
        )
    if side < params.number("recommended_side_dp"):
        return Outcome.warned(
            f"关闭控件短边{side}dp，偏小", f"close control is {side} dp, below the recommended size", **facts
        )
    return Outcome.passed(f"关闭控件短边{side}dp", f"close control is {side} dp on its short side", **facts)


def _contrast(close: CloseControl, params: Params, key: dict[str, object]) -> Outcome:
    ratio = close.contrast_ratio
    facts = {**key, "aspect": "contrast", "contrast_ratio": ratio}
    if ratio is None:
        return Outcome.manual("无截图，无法测量关闭控件对比度", "no screenshot to measure the contrast", **facts)
    if ratio < params.number("min_contrast_ratio"):
        return Outcome.failed(
            f"关闭控件对比度{ratio:.2f}:1，不可清晰辨识", f"contrast {ratio:.2f}:1 is too low", **facts
        )
    if ratio < params.number("recommended_contrast_ratio"):
        return Outcome.warned(f"关闭控件对比度{ratio:.2f}:1，偏低", f"contrast {ratio:.2f}:1 is low", **facts)
    return Outcome.passed(f"关闭控件对比度{ratio:.2f}:1", f"contrast {ratio:.2f}:1", **facts)


def _countdown_gate(close: CloseControl, key: dict[str, object]) -> Outcome | None:
    """A close label that makes the user wait is a countdown gate, judged from the label read on screen."""
    if not GATED_LABEL.search(close.label):
        return None
    return Outcome.failed(
        f"关闭控件须等待倒计时（“{close.label}”）",
        f"the close control is gated by a countdown ('{close.label}')",
        **key,
        aspect="countdown_gate",
        label=close.label,
    )


def _position(close: CloseControl, key: dict[str, object]) -> Outcome:
    facts = {
        **key,
        "aspect": "position",
        "overlapped": close.overlapped,
        "in_safe_area": close.in_safe_area,
        "exposed": close.exposed,
    }
    if close.safe_area_basis:
        facts["safe_area_basis"] = close.safe_area_basis
    problems = []
    if close.overlapped:
        problems.append(("被其他可点击元素遮挡", "covered by another clickable element"))
    if close.in_safe_area is False:
        problems.append(("位于状态栏或导航栏区域", "under the status or navigation bar"))
    if not close.exposed and close.tree_known:
        problems.append(("仅在截图中可见，未暴露给无障碍服务", "visible only in pixels, not exposed to accessibility"))
    if problems:
        return Outcome.warned(
            "关闭控件" + "；".join(p[0] for p in problems),
            "close control " + "; ".join(p[1] for p in problems),
            **facts,
        )
    return Outcome.passed("关闭控件位置未被遮挡", "close control is not covered", **facts)


def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]:
    """Per ad window: presence and timing, size, contrast, position, 广告 label."""
    outcomes: list[Outcome] = []
    for episode in evidence.all(UiEpisode):
        for window in episode.ad_windows:
            key: dict[str, object] = {
                "window": f"{window.kind}:{window.activity}",
                "bundle": episode.bundle,
                "start_ms": window.start_ms,
            }
            close = window.close
            doubt = _unsure(window, close, params)
            judged = [_presence(window, close, params, key)]
            if close is not None:
                judged.extend([_size(close, params, key), _contrast(close, params, key), _position(close, key)])
                gate = _countdown_gate(close, key)
                if gate is not None:
                    judged.append(gate)
            outcomes.extend(_firm(outcome, doubt) for outcome in judged)
            if not window.ad_label:
                outcomes.append(
                    Outcome.warned("未发现“广告”标识", "no 广告 (ad) label found", **key, aspect="ad_label")
                )
    if not outcomes:
        missing = [note for episode in evidence.all(UiEpisode) for note in episode.unrecognised][:5]
        return [
            Outcome.not_applicable(
                "采集中没有开屏或弹窗广告" + ("；" + "；".join(missing) if missing else ""),
                "no splash or pop-up ad in the capture"
                + ("; see `unrecognised` for the missing cues" if missing else ""),
                window="none",
                unrecognised=missing,
            )
        ]
    return outcomes
