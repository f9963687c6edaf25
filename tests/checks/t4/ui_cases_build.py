"""Regenerate the UI check cases from forged bundles run through the real analyser.

Run: `.venv/bin/python tests/checks/t4/ui_cases_build.py` (rewrites the cases/*.json of the T4 checks and
of t3_ui_permission_purpose). Each case's evidence is exactly what `ganzhi ui check` would produce.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ganzhi.collect.ui.analyze import bundle_evidence
from ganzhi.collect.ui.detect import Detector
from ganzhi.collect.ui.importers import import_screenshots
from ganzhi.collect.ui.lexicon import load_lexicon
from ganzhi.collect.ui.ocr import TextLine
from ganzhi.collect.ui.ranking import load_ranker
from ganzhi.collect.ui.recognise import load_recogniser
from ganzhi.collect.ui.templates import glyph_templates
from ganzhi.evidence.base import Evidence
from ganzhi.forge.ui import navigation, scenarios
from ganzhi.forge.ui.screens import popup_png

CHECKS = Path(__file__).resolve().parents[3] / "src" / "ganzhi" / "checks"
Maker = Callable[[Path], Path]


def fast_detector() -> Detector:
    """Lexicon only: forged screens carry their controls in the tree."""
    return Detector(load_lexicon(), ())


def evidence_of(make: Maker) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        item = bundle_evidence(make(Path(tmp) / "bundle"), fast_detector())
    data: dict[str, Any] = json.loads(item.model_dump_json())
    data["collected_at"] = "2026-01-01T00:00:00Z"
    data["source"] = "ui-bundle:forged"
    return data


def _shake_fail(below: list[str]) -> dict[str, Any]:
    """The FAIL a sub-threshold shake must give: the one shake, the thresholds it missed, where it jumped."""
    shake = {"bundle": "bundle", "t_ms": 500, "below": below, "jump_target": "com.taobao.taobao"}
    return {"status": "FAIL", "data": {"scope": "shake", "shakes": [shake]}}


CASES: dict[str, list[tuple[str, str, Maker, dict[str, Any], list[dict[str, Any]]]]] = {
    "t4/t4_close_control_findable": [
        (
            "large_clear_first_frame.pass",
            "48dp、对比度4.5、首帧出现 / 48 dp, 4.5:1, from the first frame",
            scenarios.cold_start,
            {},
            [],
        ),
        (
            "tiny_close.fail",
            "关闭控件仅20dp / a 20 dp close control",
            lambda r: scenarios.cold_start(r, close_dp=20),
            {},
            [{"status": "FAIL", "data": {"aspect": "size", "min_side_dp": 20}}],
        ),
        (
            "low_contrast.fail",
            "对比度1.9:1 / contrast 1.9:1",
            lambda r: scenarios.cold_start(r, contrast=1.9),
            {},
            [{"status": "FAIL", "data": {"aspect": "contrast"}}],
        ),
        (
            "late_close.fail",
            "关闭控件3.5秒后才出现 / close appears after 3.5 s",
            lambda r: scenarios.cold_start(r, close_delay_ms=3500),
            {},
            [{"status": "FAIL", "data": {"aspect": "presence", "delay_s": 3.5}}],
        ),
        (
            "no_close.fail",
            "没有关闭控件 / no close control",
            lambda r: scenarios.cold_start(r, with_close=False, tap=None),
            {},
            [
                {
                    "status": "FAIL",
                    "data": {"aspect": "presence", "frames": 1},
                    "message": "no close or skip control found",
                }
            ],
        ),
    ],
    "t4/t4_close_control_effective": [
        (
            "one_tap_closes.pass",
            "一次点击500ms内关闭 / one tap closes within 500 ms",
            scenarios.cold_start,
            {},
            [],
        ),
        (
            "close_jumps.fail",
            "点击关闭跳转应用市场 / tapping close opens the app market",
            lambda r: scenarios.cold_start(r, tap="jump"),
            {},
            [{"status": "FAIL", "data": {"aspect": "no_jump"}}],
        ),
        (
            "two_taps.fail",
            "需点击两次 / two taps needed",
            lambda r: scenarios.cold_start(r, tap="nothing", second_tap_closes=True),
            {},
            [{"status": "FAIL", "data": {"aspect": "one_tap", "taps": 2}}],
        ),
        (
            "slow_close.fail",
            "3秒后才关闭（超过2秒） / the ad goes after 3 s (limit 2 s)",
            lambda r: scenarios.cold_start(r, settle_ms=3000),
            {},
            [
                {
                    "status": "FAIL",
                    "data": {"aspect": "one_tap", "taps": 1},
                    "message": "ad still shown 2 s after 1 close taps",
                }
            ],
        ),
        (
            "popup_pops_again.fail",
            "关闭后同页再次弹出 / pops up again on the same page",
            lambda r: scenarios.popup_repop(r, repop=True),
            {},
            [{"status": "FAIL", "data": {"aspect": "re_pop"}}],
        ),
        (
            "popup_once.pass",
            "弹窗关闭后不再出现 / closed pop-up stays closed",
            lambda r: scenarios.popup_repop(r, repop=False),
            {},
            [],
        ),
    ],
    "t4/t4_fullscreen_jump": [
        (
            "small_creative.pass",
            "可点击区域占20% / 20 % clickable",
            lambda r: scenarios.cold_start(r, jump_share=0.2),
            {},
            [],
        ),
        (
            "fullscreen_creative.fail",
            "可点击区域占60% / 60 % clickable",
            lambda r: scenarios.cold_start(r, jump_share=0.6),
            {},
            [{"status": "FAIL", "data": {"jump_share": 0.6}}],
        ),
        (
            "probe_jumps.fail",
            "点击画面中央跳转浏览器 / a tap mid-creative opens the browser",
            lambda r: scenarios.cold_start(r, jump_share=0.2, probe_jump=True),
            {},
            [
                {
                    "status": "FAIL",
                    "data": {"jump_share": 0.2, "probes": [[540, 240]], "jump_target": "com.android.browser"},
                }
            ],
        ),
        (
            "override_limit.fail",
            "活动把上限调到15% / campaign lowers the limit to 15 %",
            lambda r: scenarios.cold_start(r, jump_share=0.2),
            {"max_clickable_area_share": 0.15, "warn_clickable_area_share": 0.1},
            [
                {
                    "status": "FAIL",
                    "data": {"jump_share": 0.2, "jump_texts": []},
                    "message": "jump zone covers 20% of the screen",
                }
            ],
        ),
    ],
    "t6/t6_collected_list_location": [
        (
            "second_level.pass",
            "我的→设置中可见已收集清单入口 / entry two taps from home",
            lambda r: navigation.navigation(r, collected_level=2, shared_level=3),
            {},
            [{"status": "PASS", "data": {"list_kind": "collected", "entry_level": 2}}],
        ),
        (
            "third_level.fail",
            "入口在我的→设置→隐私设置之下 / entry three taps from home",
            lambda r: navigation.navigation(r, collected_level=3, shared_level=2),
            {},
            [
                {
                    "status": "FAIL",
                    "data": {"list_kind": "collected", "entry_level": 3, "path": ["我的", "设置", "隐私设置"]},
                }
            ],
        ),
    ],
    "t7/t7_shared_list_location": [
        (
            "second_level_after_back.pass",
            "先进入又返回，再经我的→设置见共享清单 / a back detour is not depth",
            lambda r: navigation.navigation(r, collected_level=3, shared_level=2, back_detour=True),
            {},
            [{"status": "PASS", "data": {"list_kind": "shared", "entry_level": 2}}],
        ),
        (
            "third_level.fail",
            "共享清单入口位于第3级 / the sharing list three taps from home",
            lambda r: navigation.navigation(r, collected_level=2, shared_level=3),
            {},
            [{"status": "FAIL", "data": {"list_kind": "shared", "entry_level": 3}}],
        ),
    ],
    "t4/t4_shake_sensitivity": [
        (
            "strong_shake_jumps.pass",
            "16m/s²、40°、3.5秒后跳转 / jump after 16 m/s², 40°, 3.5 s",
            lambda r: scenarios.shakes(r, acceleration=16, rotation_deg=40, duration_ms=3500, jumps=True),
            {},
            [],
        ),
        (
            "weak_shake_no_jump.pass",
            "弱摇动未跳转 / weak shake, no jump",
            lambda r: scenarios.shakes(r, acceleration=10, rotation_deg=30, duration_ms=1000, jumps=False),
            {},
            [],
        ),
        (
            "weak_shake_jumps.fail",
            "10m/s²、30°、1秒即跳转 / jump after 10 m/s², 30°, 1 s",
            lambda r: scenarios.shakes(r, acceleration=10, rotation_deg=30, duration_ms=1000, jumps=True),
            {},
            [_shake_fail(["acceleration 10 m/s²", "rotation 30°", "duration 1 s"])],
        ),
        (
            "short_shake_jumps.fail",
            "力度够但仅2.9秒 / strong but only 2.9 s",
            lambda r: scenarios.shakes(r, acceleration=20, rotation_deg=50, duration_ms=2900, jumps=True),
            {},
            [_shake_fail(["duration 2.9 s"])],
        ),
    ],
    "t3/t3_ui_permission_purpose": [
        (
            "same_screen.pass",
            "系统弹窗同屏顶栏说明位置用途 / banner with the dialog",
            lambda r: scenarios.permission_request(r, notice="same"),
            {},
            [],
        ),
        (
            "preceding_rationale.pass",
            "紧接弹窗前的说明 / rationale just before",
            lambda r: scenarios.permission_request(r, notice="before"),
            {},
            [{"status": "PASS", "data": {"note": "preceding"}}],
        ),
        (
            "no_notice.fail",
            "无任何说明 / no notice",
            lambda r: scenarios.permission_request(r, notice="none"),
            {},
            [
                {
                    "status": "FAIL",
                    "data": {"permission_class": "位置", "start_ms": 2000},
                    "message": "no purpose shown when 位置 was requested",
                }
            ],
        ),
        (
            "preceding_not_accepted.fail",
            "活动不接受预先告知 / campaign refuses preceding rationales",
            lambda r: scenarios.permission_request(r, notice="before"),
            {"accept_preceding_rationale": False},
            [
                {
                    "status": "FAIL",
                    "data": {
                        "permission_class": "位置",
                        "offset_ms": -1000,
                        "notice": "获取位置信息，用于为你推荐附近的门店",
                    },
                    "message": "purpose shown only before the dialog",
                }
            ],
        ),
    ],
}


class _PlacedReader:
    """The OCR lines a screenshot case places on its drawn screen (what the real OCR would read there)."""

    def __init__(self, lines: list[TextLine]) -> None:
        self.lines = lines

    def read(self, rgb: object) -> list[TextLine]:
        return self.lines


def screenshot_evidence(*, with_close: bool, dismiss: str | None) -> dict[str, Any]:
    """A drawn pop-up imported as a bare screenshot and analysed with the shipped pop-up model and close ranker;
    the reader returns the texts a real OCR would read on the drawn card (Ad mark, INSTALL, the dismiss label).
    (Screenshot-only MANUAL outcomes of the effectiveness and jump checks are pinned in
    tests/collect/ui/test_ui_screenshot_check.py: a pass case must contain a PASS.)"""
    drawn = popup_png(with_close=with_close)
    assert drawn.card is not None and drawn.accept is not None and drawn.dismiss is not None
    card = drawn.card
    lines = [
        TextLine((card[0] + 20, card[1] + 20, card[0] + 80, card[1] + 60), "Ad", 0.95),
        TextLine(drawn.accept, "INSTALL", 0.98),
    ]
    if dismiss is not None:
        lines.append(TextLine(drawn.dismiss, dismiss, 0.97))
    detector = Detector(
        load_lexicon(),
        tuple(glyph_templates()),
        reader=_PlacedReader(lines),
        recogniser=load_recogniser(),
        ranker=load_ranker(),
    )
    with tempfile.TemporaryDirectory() as tmp:
        shot = Path(tmp) / "popup.png"
        shot.write_bytes(drawn.png)
        import_screenshots([shot], Path(tmp) / "bundle", package=scenarios.PACKAGE, density_dpi=scenarios.DPI)
        item = bundle_evidence(Path(tmp) / "bundle", detector)
    data: dict[str, Any] = json.loads(item.model_dump_json())
    data["collected_at"] = "2026-01-01T00:00:00Z"
    data["source"] = "ui-bundle:forged-screenshot"
    return data


SCREENSHOT_CASES: dict[str, list[tuple[str, str, dict[str, Any], list[dict[str, Any]]]]] = {
    "t4/t4_close_control_findable": [
        (
            "screenshot_countdown_only.manual",
            "仅截图：只读到“5秒后可关闭”倒计时、未找到关闭控件——需人工确认 / screenshot only: a countdown and no "
            "close control found → MANUAL",
            {"with_close": False, "dismiss": "5秒后可关闭"},
            [{"status": "MANUAL", "data": {"aspect": "presence", "countdown": True, "screenshot_only": True}}],
        ),
        (
            "screenshot_no_close.manual",
            "仅截图：识别为弹窗广告但未找到关闭控件——检测器漏检不能证明没有，需人工确认 / screenshot only: no close "
            "control found is not proof of absence → MANUAL",
            {"with_close": False, "dismiss": None},
            [{"status": "MANUAL", "data": {"aspect": "presence", "screenshot_only": True}}],
        ),
    ],
}

#: A 14 dp close control (40 px at 440 dpi) as the screenshot ranker would report it, without a view tree.
TINY_CLOSE: dict[str, Any] = {
    "bounds": [1000, 180, 1040, 220],
    "source": "template",
    "score": 0.93,
    "label": "",
    "first_seen_ms": 0,
    "min_side_dp": 14,
    "area_share": 0.00077,
    "contrast_ratio": 4.8,
    "in_safe_area": True,
    "overlapped": False,
    "enabled": True,
    "exposed": False,
    "tree_known": False,
    "safe_area_basis": "assumed 24 dp status bar, 48 dp navigation bar",
    "countdown_label": False,
}
SIZE_FAIL = {"aspect": "size", "min_side_dp": 14}
#: Screenshot-only windows with a planted close control: (name, description, recognition score, close score, expect).
SCREENSHOT_CONFIDENCE_CASES = [
    (
        "screenshot_tiny_close_confident.fail",
        "仅截图：模型确信是广告、确信找到关闭控件，其短边仅14dp / screenshot only, confident recognition and close "
        "control: 14 dp → FAIL",
        0.97,
        0.93,
        [{"status": "FAIL", "data": SIZE_FAIL}],
    ),
    (
        "screenshot_tiny_close_unsure.manual",
        "仅截图：关闭控件把握不足（0.55）时14dp不判不合规，列为人工确认 / screenshot only, unsure close control → "
        "MANUAL with the measurement",
        0.97,
        0.55,
        [{"status": "MANUAL", "data": SIZE_FAIL}],
    ),
    (
        "screenshot_unsure_ad.manual",
        "仅截图：是否广告把握不足（0.62）时不判不合规 / screenshot only, unsure the screen is an ad → MANUAL",
        0.62,
        0.93,
        [{"status": "MANUAL", "data": SIZE_FAIL}],
    ),
]


def planted_close_evidence(recognition: float, close_score: float, **close: object) -> dict[str, Any]:
    """The analysed screenshot without a close control, with `TINY_CLOSE` (and `close` changes) planted at the given
    confidences."""
    data = screenshot_evidence(with_close=False, dismiss=None)
    window = data["data"]["ad_windows"][0]
    window["recognition_score"] = recognition
    window["close"] = {**TINY_CLOSE, "score": close_score, **close}
    return data


def _write(target: Path, name: str, body: dict[str, Any]) -> None:
    Evidence.model_validate(body["evidence"][0])
    (target / f"{name}.json").write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(target / f"{name}.json")


def main() -> None:
    for folder, screenshot_cases in SCREENSHOT_CASES.items():
        target = CHECKS / folder / "cases"
        for name, description, knobs, expect in screenshot_cases:
            shot: dict[str, Any] = {
                "description": description,
                "evidence": [screenshot_evidence(**knobs)],
                "expect": expect,
            }
            _write(target, name, shot)
    target = CHECKS / "t4/t4_close_control_findable" / "cases"
    for name, description, recognition, close_score, expect in SCREENSHOT_CONFIDENCE_CASES:
        planted: dict[str, Any] = {
            "description": description,
            "evidence": [planted_close_evidence(recognition, close_score)],
            "expect": expect,
        }
        _write(target, name, planted)
    glyph: dict[str, Any] = {
        "description": "仅截图：OCR读到的文字关闭控件“不感兴趣”只能测得字形高度14dp，点击区域需在设备上测量 / "
        "screenshot only: an OCR'd text control gives only its glyph height → MANUAL, not a size FAIL",
        "evidence": [planted_close_evidence(0.97, 0.93, source="ocr", label="不感兴趣")],
        "expect": [{"status": "MANUAL", "data": {"aspect": "size", "min_side_dp": 14, "glyph_only": True}}],
    }
    _write(target, "screenshot_text_glyph.manual", glyph)
    for folder, cases in CASES.items():
        target = CHECKS / folder / "cases"
        target.mkdir(parents=True, exist_ok=True)
        for name, description, make, overrides, expect in cases:
            body: dict[str, Any] = {"description": description, "evidence": [evidence_of(make)]}
            if overrides:
                body["overrides"] = overrides
            if expect:
                body["expect"] = expect
            _write(target, name, body)


if __name__ == "__main__":
    main()
