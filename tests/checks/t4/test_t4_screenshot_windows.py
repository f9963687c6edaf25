"""T4 judgements on windows recognised from screenshots alone (evidence built directly)."""

from __future__ import annotations

import datetime as dt

from ganzhi.engine.runner import evaluate
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.status import Status
from ganzhi.evidence.ui import AdWindow, CloseControl, UiDevice, UiEpisode


def _evidence(label: str, *, screenshot_only: bool = True) -> Evidence:
    close = CloseControl(
        bounds=(100, 1500, 400, 1600),
        source="ocr",
        score=0.9,
        label=label,
        first_seen_ms=0,
        min_side_dp=36,
        area_share=0.01,
        contrast_ratio=5.0,
        in_safe_area=True,
        exposed=False,  # seen in pixels only
        tree_known=not screenshot_only,
        safe_area_basis="assumed 24 dp status bar, 48 dp navigation bar" if screenshot_only else "",
    )
    window = AdWindow(
        kind="popup",
        start_ms=0,
        end_ms=0,
        frames=1,
        close=close,
        ad_label=True,
        screenshot_only=screenshot_only,
        recognised_kind="popup",
        recognition_score=0.97,
        cues=["ad_mark"],
        first_frame=0,
    )
    episode = UiEpisode(
        bundle="b",
        format_version=1,
        scenario="imported",
        package="com.x",
        device=UiDevice(screen_width_px=1080, screen_height_px=1920, density_dpi=480),
        frames=1,
        ad_windows=[window],
    )
    return Evidence.of(episode, Subject(type="app", id="com.x"), source="test", collected_at=dt.datetime.now(dt.UTC))


def _by_aspect(evidence: Evidence, check: str) -> dict[object, Status]:
    return {r.data.get("aspect"): r.status for r in evaluate([evidence], check_ids=[check]).results}


def test_a_label_that_makes_the_user_wait_is_a_countdown_gate() -> None:
    for label in ("Skip in 5", "5秒后可关闭", "Close after 3s"):
        assert _by_aspect(_evidence(label), "t4_close_control_findable")["countdown_gate"] is Status.FAIL
    aspects = _by_aspect(_evidence("跳过 5s"), "t4_close_control_findable")
    assert "countdown_gate" not in aspects  # a skip button shown with a countdown can be tapped now


def test_pixels_only_is_not_a_finding_about_accessibility_but_the_safe_area_basis_is_stated() -> None:
    results = evaluate([_evidence("NO THANKS")], check_ids=["t4_close_control_findable"]).results
    position = next(r for r in results if r.data.get("aspect") == "position")
    assert position.status is Status.PASS and position.data["safe_area_basis"].startswith("assumed 24 dp")
    tree = evaluate([_evidence("NO THANKS", screenshot_only=False)], check_ids=["t4_close_control_findable"]).results
    assert next(r for r in tree if r.data.get("aspect") == "position").status is Status.WARN


def test_interaction_checks_are_manual_on_screenshots() -> None:
    item = _evidence("NO THANKS")
    assert _by_aspect(item, "t4_close_control_effective") == {"closes": Status.MANUAL}
    jump = evaluate([item], check_ids=["t4_fullscreen_jump"]).results
    assert [r.status for r in jump] == [Status.MANUAL] and jump[0].data["recognised_kind"] == "popup"
