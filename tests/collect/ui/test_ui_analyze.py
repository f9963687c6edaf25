"""Forged bundles on both sides of every threshold, through the analyser and the real checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ganzhi.collect.ui.analyze import bundle_evidence
from ganzhi.collect.ui.detect import Detector
from ganzhi.collect.ui.lexicon import load_lexicon
from ganzhi.engine.runner import evaluate
from ganzhi.evidence.base import Evidence
from ganzhi.evidence.status import Status
from ganzhi.evidence.ui import UiEpisode
from ganzhi.forge.ui import scenarios

FAST = Detector(load_lexicon(), ())


def _evidence(tmp_path: Path, make: Callable[[Path], Path]) -> Evidence:
    return bundle_evidence(make(tmp_path / "bundle"), FAST)


def _status(evidence: Evidence, check: str, aspect: str | None = None) -> Status:
    results = evaluate([evidence], check_ids=[check]).results
    picked = [r for r in results if aspect is None or r.data.get("aspect") == aspect]
    assert len(picked) == 1, [(r.status, r.data) for r in results]
    return picked[0].status


@pytest.mark.parametrize("dpi", [440, 480])
@pytest.mark.parametrize(
    ("side_dp", "expected"), [(23, Status.FAIL), (24, Status.WARN), (43, Status.WARN), (44, Status.PASS)]
)
def test_close_size_in_dp(tmp_path: Path, dpi: int, side_dp: int, expected: Status) -> None:
    item = _evidence(tmp_path, lambda r: scenarios.cold_start(r, close_dp=side_dp, density_dpi=dpi))
    close = item.payload(UiEpisode).ad_windows[0].close
    assert close is not None and close.min_side_dp == side_dp
    assert _status(item, "t4_close_control_findable", "size") is expected


@pytest.mark.parametrize(
    ("ratio", "expected"), [(1.9, Status.FAIL), (2.1, Status.WARN), (2.9, Status.WARN), (3.1, Status.PASS)]
)
def test_close_contrast(tmp_path: Path, ratio: float, expected: Status) -> None:
    item = _evidence(tmp_path, lambda r: scenarios.cold_start(r, contrast=ratio))
    assert _status(item, "t4_close_control_findable", "contrast") is expected


@pytest.mark.parametrize(
    ("delay_ms", "expected"), [(900, Status.PASS), (1100, Status.WARN), (2900, Status.WARN), (3100, Status.FAIL)]
)
def test_close_appear_delay(tmp_path: Path, delay_ms: int, expected: Status) -> None:
    item = _evidence(tmp_path, lambda r: scenarios.cold_start(r, close_delay_ms=delay_ms))
    assert _status(item, "t4_close_control_findable", "presence") is expected


@pytest.mark.parametrize(
    ("share", "expected"), [(0.24, Status.PASS), (0.26, Status.WARN), (0.49, Status.WARN), (0.51, Status.FAIL)]
)
def test_fullscreen_jump_share(tmp_path: Path, share: float, expected: Status) -> None:
    item = _evidence(tmp_path, lambda r: scenarios.cold_start(r, jump_share=share))
    assert _status(item, "t4_fullscreen_jump") is expected


@pytest.mark.parametrize(("settle_ms", "expected"), [(1900, Status.PASS), (2100, Status.FAIL)])
def test_close_settle_time(tmp_path: Path, settle_ms: int, expected: Status) -> None:
    item = _evidence(tmp_path, lambda r: scenarios.cold_start(r, settle_ms=settle_ms))
    assert {r.status for r in evaluate([item], check_ids=["t4_close_control_effective"]).results} == {expected}


def test_disabled_close_is_a_countdown_gate(tmp_path: Path) -> None:
    item = _evidence(tmp_path, lambda r: scenarios.cold_start(r, enabled=False, tap="nothing"))
    aspects = {r.data["aspect"]: r.status for r in evaluate([item], check_ids=["t4_close_control_effective"]).results}
    assert aspects["countdown_gate"] is Status.FAIL


@pytest.mark.parametrize(("late_ms", "expected"), [(400, Status.PASS), (600, Status.WARN)])
def test_permission_notice_timing(tmp_path: Path, late_ms: int, expected: Status) -> None:
    item = _evidence(tmp_path, lambda r: scenarios.permission_request(r, notice="late", late_ms=late_ms))
    assert _status(item, "t3_ui_permission_purpose") is expected


def test_vague_notice_warns(tmp_path: Path) -> None:
    item = _evidence(tmp_path, lambda r: scenarios.permission_request(r, notice="no_purpose"))
    request = item.payload(UiEpisode).permission_requests[0]
    assert request.permission_class == "位置"
    assert _status(item, "t3_ui_permission_purpose") is Status.WARN


@pytest.mark.parametrize(
    ("acc", "rot", "dur", "expected"),
    [
        (14.9, 40, 3500, Status.FAIL),
        (16, 34.9, 3500, Status.FAIL),
        (16, 40, 2999, Status.FAIL),
        (15, 35, 3000, Status.PASS),
    ],
)
def test_shake_thresholds(tmp_path: Path, acc: float, rot: float, dur: int, expected: Status) -> None:
    item = _evidence(
        tmp_path, lambda r: scenarios.shakes(r, acceleration=acc, rotation_deg=rot, duration_ms=dur, jumps=True)
    )
    shake = item.payload(UiEpisode).shakes[0]
    assert shake.jumped and shake.jump_target == "com.taobao.taobao"
    assert _status(item, "t4_shake_sensitivity") is expected


def test_corrupt_frames_are_named_and_the_rest_is_analysed(tmp_path: Path) -> None:
    root = scenarios.cold_start(tmp_path / "bundle")
    (root / "frames" / "0001.png").write_bytes(b"not a png")
    (root / "frames" / "0001.xml").write_bytes(b"<hierarchy><node")
    episode = bundle_evidence(root, FAST).payload(UiEpisode)
    assert len(episode.problems) == 2
    assert any("frames/0001.png (t_ms 800): not a readable image" in p for p in episode.problems)
    assert any("bundle/frames/0001.xml" in p for p in episode.problems)
    assert episode.ad_windows and episode.ad_windows[0].close is not None


def test_screenshot_only_frames_are_kept_without_a_verdict_on_the_tree(tmp_path: Path) -> None:
    root = scenarios.cold_start(tmp_path / "bundle")
    for xml in (root / "frames").glob("*.xml"):
        xml.unlink()
    import json

    doc = json.loads((root / "bundle.json").read_text(encoding="utf-8"))
    for frame in doc["frames"]:
        frame.pop("hierarchy")
    (root / "bundle.json").write_text(json.dumps(doc), encoding="utf-8")
    episode = bundle_evidence(root, FAST).payload(UiEpisode)
    assert episode.frames == 2 and episode.problems == []
    assert episode.ad_windows[0].close is None, "no template matched and no tree: nothing is invented"
