"""Screenshot-only bundles (no view tree): recognised pop-ups become T4 subjects judged from pixels."""

from __future__ import annotations

from pathlib import Path

from ganzhi.collect.ui.analyze import bundle_evidence
from ganzhi.collect.ui.detect import Detector
from ganzhi.collect.ui.image import RGB, load_rgb
from ganzhi.collect.ui.importers import import_screenshots
from ganzhi.collect.ui.lexicon import load_lexicon
from ganzhi.collect.ui.ocr import TextLine
from ganzhi.collect.ui.overlay import Mark, draw_overlay, window_picture
from ganzhi.collect.ui.ranking import load_ranker
from ganzhi.collect.ui.recognise import load_recogniser
from ganzhi.collect.ui.templates import glyph_templates
from ganzhi.engine.runner import evaluate
from ganzhi.evidence.status import Status
from ganzhi.evidence.ui import UiEpisode
from ganzhi.forge.ui.screens import DrawnPopup, popup_png


class PlacedReader:
    """Reads the lines a test placed on each drawn screen (by the screen's top-left pixel), as OCR would."""

    def __init__(self, lines: dict[tuple[int, int, int], list[TextLine]]) -> None:
        self.lines = lines

    def read(self, rgb: RGB) -> list[TextLine]:
        key = (int(rgb[1000, 540, 0]), int(rgb[1000, 540, 1]), int(rgb[1000, 540, 2]))
        return self.lines.get(key, [])


def _detector(reader: PlacedReader) -> Detector:
    return Detector(
        load_lexicon(),
        tuple(glyph_templates()),
        reader=reader,
        recogniser=load_recogniser(),
        ranker=load_ranker(),
    )


def _bundle(tmp_path: Path, drawn: list[DrawnPopup]) -> Path:
    shots = []
    for position, item in enumerate(drawn):
        path = tmp_path / f"s{position}.png"
        path.write_bytes(item.png)
        shots.append(path)
    out = tmp_path / "bundle"
    import_screenshots(shots, out, package="com.example.app", density_dpi=440)
    return out


def _key(drawn: DrawnPopup) -> tuple[int, int, int]:
    rgb = load_rgb(drawn.png)
    return int(rgb[1000, 540, 0]), int(rgb[1000, 540, 1]), int(rgb[1000, 540, 2])


def test_a_recognised_popup_is_judged_from_pixels_and_interaction_is_manual(tmp_path: Path) -> None:
    popup = popup_png()
    assert popup.dismiss is not None and popup.accept is not None and popup.card is not None
    ad = TextLine((popup.card[0] + 20, popup.card[1] + 20, popup.card[0] + 80, popup.card[1] + 60), "Ad", 0.95)
    lines = [ad, TextLine(popup.dismiss, "NO THANKS", 0.97), TextLine(popup.accept, "INSTALL", 0.98)]
    reader = PlacedReader({_key(popup): lines})
    item = bundle_evidence(_bundle(tmp_path, [popup]), _detector(reader))
    window = item.payload(UiEpisode).ad_windows[0]
    assert window.screenshot_only and window.recognised_kind and window.recognition_score is not None
    assert window.ad_label and "ad_mark" in window.cues and window.first_frame == 0
    close = window.close
    assert close is not None and not close.tree_known and close.safe_area_basis.startswith("assumed 24 dp")
    cx, cy = (close.bounds[0] + close.bounds[2]) / 2, (close.bounds[1] + close.bounds[3]) / 2
    hits_dismiss = popup.dismiss[0] <= cx <= popup.dismiss[2] and popup.dismiss[1] <= cy <= popup.dismiss[3]
    assert popup.close is not None
    hits_icon = popup.close[0] - 20 <= cx <= popup.close[2] + 20 and popup.close[1] - 20 <= cy <= popup.close[3] + 20
    assert hits_dismiss or hits_icon, close
    results = evaluate([item], tasks=("T4",)).results
    statuses = {(r.check_id, r.data.get("aspect")): r.status for r in results}
    assert statuses[("t4_close_control_findable", "presence")] is Status.PASS
    assert statuses[("t4_close_control_findable", "size")] in {Status.PASS, Status.WARN, Status.FAIL}
    assert statuses[("t4_close_control_findable", "contrast")] in {Status.PASS, Status.WARN, Status.FAIL}
    assert statuses[("t4_close_control_effective", "closes")] is Status.MANUAL
    jump = [r for r in results if r.check_id == "t4_fullscreen_jump"]
    assert [r.status for r in jump] == [Status.MANUAL] and jump[0].data["screenshot_only"] is True
    assert not any(r.status is Status.NOT_APPLICABLE for r in results if r.check_id != "t4_shake_sensitivity")
    position = next(r for r in results if r.data.get("aspect") == "position")
    assert "exposed" not in position.message.zh and "无障碍" not in position.message.zh
    picture = window_picture(tmp_path / "bundle", item.payload(UiEpisode), 0, [("PASS", "presence: ok")])
    assert picture is not None and picture.startswith(b"\x89PNG")


def test_an_app_screen_is_not_an_ad_and_says_which_cues_were_missing(tmp_path: Path) -> None:
    plain = popup_png(with_popup=False)
    reader = PlacedReader({_key(plain): [TextLine((100, 300, 600, 340), "Inbox", 0.99)]})
    item = bundle_evidence(_bundle(tmp_path, [plain]), _detector(reader))
    episode = item.payload(UiEpisode)
    assert episode.ad_windows == [] and episode.unrecognised
    assert episode.unrecognised[0].startswith("frame 0 (t_ms 0): 未识别为弹窗/广告，缺少：")
    results = evaluate([item], check_ids=["t4_close_control_findable"]).results
    assert results[0].status is Status.NOT_APPLICABLE and results[0].data["unrecognised"] == episode.unrecognised


def test_draw_overlay_adds_a_verdict_band_and_keeps_the_width() -> None:
    rgb = load_rgb(popup_png().png)
    plain = load_rgb(draw_overlay(rgb, [], []))
    marked = load_rgb(draw_overlay(rgb, [Mark((900, 560, 960, 620), "× 22dp", "FAIL")], ["FAIL size: 22 dp"]))
    assert plain.shape[1] == marked.shape[1] == 720  # scaled to MAX_SIDE 1280 on the long side
    assert marked.shape[0] > plain.shape[0]
    # the FAIL box is drawn in red around the scaled control
    assert tuple(marked[round(560 * 2 / 3) - 3, round(930 * 2 / 3)]) == (220, 38, 38)


def test_a_caption_at_the_right_edge_stays_inside_the_picture() -> None:
    rgb = load_rgb(popup_png().png)
    caption = "跳过 20dp FAIL"
    marked = load_rgb(draw_overlay(rgb, [Mark((1040, 560, 1078, 598), caption, "FAIL")], []))
    # the caption's red label is moved left so that it ends inside the picture: red pixels reach the last columns
    # on the caption row only when it was not cut (it would start at x = 1040 * 2/3 ≈ 693 of 720 and run off)
    row = marked[round(560 * 2 / 3) - 20 : round(560 * 2 / 3) - 6]
    red = (row[..., 0] == 220) & (row[..., 1] == 38) & (row[..., 2] == 38)
    columns = red.any(axis=0).nonzero()[0]
    assert columns.size and columns.min() < 693 - 20, "the caption starts left of the control so it fits"
