from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from tests.shared_data import shared_path
from typer.testing import CliRunner

from ganzhi.cli import app
from ganzhi.collect.ui import ocr
from ganzhi.collect.ui.detect import Detector, detect_close, text_candidates
from ganzhi.collect.ui.image import RGB, encode_png, load_rgb
from ganzhi.collect.ui.lexicon import load_lexicon
from ganzhi.collect.ui.ocr import OcrUnavailable, TextLine, button_like

runner = CliRunner()
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc")


class FakeReader:
    """Returns fixed lines, as the real OCR would after reading them."""

    def __init__(self, lines: list[TextLine]) -> None:
        self.lines = lines
        self.calls = 0

    def read(self, rgb: RGB) -> list[TextLine]:
        self.calls += 1
        return self.lines


def _line(text: str, confidence: float = 0.99, bounds: tuple[int, int, int, int] = (800, 60, 1000, 120)) -> TextLine:
    return TextLine(bounds, text, confidence)


CLOSE_WORDS = ["跳过", "跳过 5s", "5 跳过", "跳过 3", "跳过广告", "关闭", "Skip Ad", "NO THANKS", "skip"]


@pytest.mark.parametrize("text", CLOSE_WORDS)
def test_close_words_and_countdown_forms_become_candidates(text: str) -> None:
    found = text_candidates(load_lexicon(), [_line(text)], threshold=0.8)
    assert [c.source for c in found] == ["ocr"], text
    assert found[0].bounds == (800, 60, 1000, 120) and found[0].label == text


@pytest.mark.parametrize("text", ["5s", "3", "下载", "INSTALL", "立即体验", "Install Now?", "广告"])
def test_other_words_and_bare_countdowns_are_not_candidates(text: str) -> None:
    assert text_candidates(load_lexicon(), [_line(text)], threshold=0.5) == []


def test_text_score_is_confidence_times_lexicon_strength() -> None:
    lexicon = load_lexicon()
    assert text_candidates(lexicon, [_line("跳过", confidence=0.79)], threshold=0.8) == []
    exact = text_candidates(lexicon, [_line("跳过", confidence=0.9)], threshold=0.5)[0]
    partial = text_candidates(lexicon, [_line("点击跳过", confidence=0.9)], threshold=0.5)[0]
    assert exact.score == pytest.approx(0.9) and partial.score == pytest.approx(0.81)


def test_detector_uses_the_reader_on_screenshots_only() -> None:
    reader = FakeReader([_line("跳过 5s"), _line("下载", bounds=(0, 0, 100, 40))])
    detector = Detector(load_lexicon(), (), reader=reader)
    rgb = np.full((1920, 1080, 3), 200, dtype=np.uint8)
    found = detect_close(detector, rgb=rgb, hierarchy=None)
    assert [(c.source, c.bounds) for c in found] == [("ocr", (800, 60, 1000, 120))]
    assert reader.calls == 1
    assert detect_close(Detector(load_lexicon(), ()), rgb=rgb, hierarchy=None) == []


def test_button_like_keeps_labels_and_drops_paragraphs_and_slivers() -> None:
    assert button_like((100, 100, 300, 150), 1080)
    assert not button_like((20, 100, 1000, 150), 1080), "wider than 60 % of the screen"
    assert not button_like((100, 100, 700, 140), 1080), "aspect 15: a sentence"
    assert not button_like((100, 100, 140, 105), 1080), "5 px high"
    assert not button_like((100, 100, 100, 150), 1080)


def test_missing_extra_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def refuse(name: str, package: str | None = None) -> Any:
        if name == ocr.OCR_PACKAGE:
            raise ImportError(f"No module named '{name}'")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", refuse)
    with pytest.raises(OcrUnavailable, match=r"ganzhi\[ocr\]"):
        ocr.load_reader()


def test_cli_degrades_with_a_note_or_fails_when_ocr_is_demanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    png = tmp_path / "plain.png"
    png.write_bytes(encode_png(np.full((960, 540, 3), 128, dtype=np.uint8)))
    monkeypatch.setattr(ocr, "ocr_installed", lambda: False)

    def unavailable(**_: int) -> ocr.RapidOcrReader:
        raise OcrUnavailable(f"OCR is not installed; {ocr.INSTALL_HINT}")

    monkeypatch.setattr(ocr, "load_reader", unavailable)
    auto = runner.invoke(app, ["ui", "detect-close", "--image", str(png), "--templates", str(tmp_path)])
    assert auto.exit_code == 0, auto.output
    note = " ".join(auto.stderr.split())
    assert "OCR extra not installed" in note and "ganzhi[ocr]" in note and '"ocr": false' in auto.stdout
    demanded = runner.invoke(app, ["ui", "detect-close", "--image", str(png), "--ocr", "on"])
    assert demanded.exit_code == 1 and "ganzhi[ocr]" in demanded.stderr


# --- the real OCR (extra `ocr`) -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reader() -> ocr.RapidOcrReader:
    try:
        return ocr.load_reader()
    except OcrUnavailable as exc:
        pytest.skip(f"extra `ocr` (rapidocr-onnxruntime) not usable: {exc}")


def test_models_ship_inside_the_wheel(reader: ocr.RapidOcrReader) -> None:
    package = Path(importlib.import_module(ocr.OCR_PACKAGE).__file__ or "").parent
    assert {p.name for p in (package / "models").glob("*.onnx")} >= {
        "ch_PP-OCRv4_det_infer.onnx",
        "ch_PP-OCRv4_rec_infer.onnx",
    }


def test_short_lines_are_not_padded_to_a_sentence(reader: ocr.RapidOcrReader) -> None:
    recogniser = reader._engine.text_rec
    assert recogniser.rec_image_shape == [3, ocr.REC_HEIGHT, ocr.REC_HEIGHT] and recogniser.rec_batch_num == 1
    image = Image.new("RGB", (84, 56), (255, 255, 255))
    ImageDraw.Draw(image).text((42, 28), "OK", fill=(0, 0, 0), font=ImageFont.load_default(size=44), anchor="mm")
    crop = np.asarray(image, dtype=np.uint8)
    text, confidence = recogniser([np.ascontiguousarray(crop[:, :, ::-1])])[0][0]
    assert text.strip().upper() == "OK" and confidence > 0.8


def _splash(label: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> RGB:
    image = Image.new("RGB", (1080, 1920), (40, 90, 160))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((780, 80, 1040, 170), radius=45, fill=(0, 0, 0))
    draw.text((910, 125), label, fill=(255, 255, 255), font=font, anchor="mm")
    draw.text((540, 1000), "Big summer sale", fill=(255, 255, 255), font=font, anchor="mm")
    return np.asarray(image, dtype=np.uint8)


def test_real_ocr_finds_an_english_skip_pill(reader: ocr.RapidOcrReader) -> None:
    rgb = _splash("Skip 5s", ImageFont.load_default(size=44))
    found = detect_close(Detector(load_lexicon(), (), reader=reader), rgb=rgb, hierarchy=None)
    assert found and found[0].source == "ocr", [c.as_json() for c in found]
    left, top, right, bottom = found[0].bounds
    assert 780 <= (left + right) / 2 <= 1040 and 80 <= (top + bottom) / 2 <= 170


def test_real_ocr_finds_a_chinese_countdown_skip(reader: ocr.RapidOcrReader) -> None:
    if not CJK_FONT.is_file():
        pytest.skip(f"no CJK font at {CJK_FONT} to draw 跳过")
    rgb = _splash("5 跳过", ImageFont.truetype(str(CJK_FONT), 44))
    found = detect_close(Detector(load_lexicon(), (), reader=reader), rgb=rgb, hierarchy=None)
    assert [c.source for c in found] == ["ocr"] and "跳过" in found[0].label


@pytest.mark.shared_data
def test_real_ocr_on_an_aidui_screen(reader: ocr.RapidOcrReader) -> None:
    path = shared_path("ui", "aidui", "mobile_nagging_png", "10974_07UoQn9.png")
    found = detect_close(Detector(load_lexicon(), (), reader=reader), rgb=load_rgb(path.read_bytes()), hierarchy=None)
    assert any(c.source == "ocr" and c.label.replace(" ", "").upper() == "NOTHANKS" for c in found), found
    assert not any("INSTALL" in c.label.upper() for c in found)


def test_ui_check_reads_text_buttons_on_screenshot_only_bundles(reader: ocr.RapidOcrReader, tmp_path: Path) -> None:
    """A bare screenshot of a "Skip 5s" splash is an ad window with an OCR close control only when OCR is on."""
    shot = tmp_path / "splash.png"
    shot.write_bytes(encode_png(_splash("Skip 5s", ImageFont.load_default(size=44))))
    bundle = tmp_path / "bundle"
    imported = runner.invoke(
        app, ["ui", "import", "screenshots", str(shot), "-o", str(bundle), "--package", "com.x", "--density", "480"]
    )
    assert imported.exit_code == 0, imported.output
    windows = {}
    for mode in ("on", "off"):
        evidence = tmp_path / f"{mode}.jsonl"
        checked = runner.invoke(
            app, ["ui", "check", str(bundle), "--ocr", mode, "--format", "json", "--evidence-out", str(evidence)]
        )
        assert checked.exit_code == 0, checked.output
        windows[mode] = json.loads(evidence.read_text(encoding="utf-8").splitlines()[0])["data"]["ad_windows"]
    assert [(w["countdown"], w["close"]["source"]) for w in windows["on"]] == [(True, "ocr")]
    assert windows["off"] == []


def test_reading_order_drops_the_status_bar_reads_labels_first_lowest_first_within_the_budget() -> None:
    clock = (20, 10, 180, 50)  # wholly inside the status bar of a 1080-wide screen
    title = (100, 400, 980, 470)  # aspect 12.6: a sentence, read last
    body_label = (100, 600, 300, 660)
    action = (100, 1500, 400, 1560)  # the lowest label: read first
    chosen = ocr.reading_order([clock, title, body_label, action], 1080, budget=10_000, max_lines=16)
    assert chosen == [action, body_label, title]
    cost = ocr.REC_HEIGHT * 300 / 60  # the action row's width at REC_HEIGHT
    assert ocr.reading_order([title, body_label, action], 1080, budget=round(cost), max_lines=16) == [action]
    # a line that does not fit is skipped, a smaller one after it may still fit
    assert ocr.reading_order([title, body_label, action], 1080, budget=round(cost) + 200, max_lines=16) == [
        action,
        body_label,
    ]
    assert ocr.reading_order([title, body_label, action], 1080, budget=10_000, max_lines=1) == [action]


def test_detection_looks_again_at_a_larger_size_when_almost_no_text_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    reader = object.__new__(ocr.RapidOcrReader)
    reader.det_width, reader.retry_below = ocr.DET_WIDTH, ocr.RETRY_BELOW
    widths: list[int] = []

    def fake(rgb: RGB, det_width: int) -> list[tuple[int, int, int, int]]:
        widths.append(det_width)
        return [(0, 0, 10, 10)] * (1 if det_width == ocr.DET_WIDTH else 5)

    monkeypatch.setattr(reader, "_detect", fake)
    screen = np.zeros((1920, 1080, 3), dtype=np.uint8)
    assert len(reader.detect(screen)) == 5 and widths == [ocr.DET_WIDTH, ocr.RETRY_WIDTH]
    widths.clear()
    reader.retry_below = 0
    assert len(reader.detect(screen)) == 1 and widths == [ocr.DET_WIDTH]
    widths.clear()
    reader.retry_below = ocr.RETRY_BELOW
    small = np.zeros((800, 480, 3), dtype=np.uint8)  # already below RETRY_WIDTH: nothing larger to look at
    assert len(reader.detect(small)) == 1 and widths == [ocr.DET_WIDTH]


def test_reading_order_reads_the_focused_card_first() -> None:
    """A dialog over a keyboard: bottom-first order spends the budget on the keys, the card's lines come first."""
    keys = [(40 + 100 * i, 1500, 100 + 100 * i, 1560) for i in range(8)]
    title = (120, 830, 460, 910)  # aspect 4.3
    later = (120, 1100, 260, 1150)
    card = (60, 780, 1020, 1200)
    budget = round(3 * ocr.REC_HEIGHT) + 1  # three keys (each 60 × 60, aspect 1)
    unfocused = ocr.reading_order([*keys, title, later], 1080, budget=budget, max_lines=16)
    assert len(unfocused) == 3 and set(unfocused) <= set(keys)  # the dialog is never read
    chosen = ocr.reading_order([*keys, title, later], 1080, budget=10_000, max_lines=16, focus=card)
    assert chosen[:2] == [later, title] and set(chosen[2:]) == set(keys)
    # a card line that does not fit the budget is skipped like any other
    small = ocr.reading_order(
        [*keys, title, later], 1080, budget=round(ocr.REC_HEIGHT * 140 / 50) + 1, max_lines=16, focus=card
    )
    assert small[0] == later and title not in small


def test_read_focused_reports_every_detected_line(monkeypatch: pytest.MonkeyPatch) -> None:
    reader = object.__new__(ocr.RapidOcrReader)
    reader.det_width, reader.retry_below, reader.rec_budget, reader.max_lines = ocr.DET_WIDTH, 0, 200, 16
    boxes = [(100, 300 + 100 * i, 300, 360 + 100 * i) for i in range(5)]  # each costs 160 at REC_HEIGHT
    monkeypatch.setattr(reader, "_detect", lambda rgb, width: list(boxes))
    monkeypatch.setattr(reader, "_recognise", lambda rgb, lines: [TextLine(b, "OK", 0.9) for b in lines])
    screen = np.zeros((1920, 1080, 3), dtype=np.uint8)
    lines, detected = reader.read_focused(screen, (0, 250, 1080, 380))
    assert detected == 5 and [line.bounds for line in lines] == [boxes[0]]  # the focused one, then the budget ends
    assert [line.bounds for line in reader.read(screen)] == [boxes[-1]]  # unfocused: lowest first
    assert isinstance(reader, ocr.FocusedReader) and not isinstance(FakeReader([]), ocr.FocusedReader)
