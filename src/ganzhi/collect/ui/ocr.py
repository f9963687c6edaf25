"""Optional offline OCR of short text lines on a screenshot (extra `ocr`: rapidocr-onnxruntime).

The wheel ships its PP-OCRv4 detection and recognition ONNX models inside the package, so nothing is
downloaded at run time. Text lines are detected on a copy whose short side is `det_width`, and only
button-shaped lines (short, not wider than `MAX_LINE_SHARE` of the short side) are recognised, at most
`max_lines` of them (tallest first), from the full-resolution pixels, one line at a time at its own width
(about 0.2 s detection + 0.015 s a line on one core for a 1080-wide screen).
Without the extra, `load_reader` raises `OcrUnavailable` with the install hint and callers degrade to
template matching.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from PIL import Image

from ganzhi.collect.ui.image import RGB
from ganzhi.errors import GanzhiError

OCR_PACKAGE = "rapidocr_onnxruntime"
INSTALL_HINT = "pip install 'ganzhi[ocr]'  (rapidocr-onnxruntime, models bundled in the wheel)"
#: Text detection runs with the short side at this many pixels (a 1080×1920 screen is halved); button
#: labels stay legible. Landscape screens are scaled by their short side too.
DET_WIDTH = 540
#: A close/skip label is a short line: at most this share of the screen's short side ...
MAX_LINE_SHARE = 0.6
#: ... and at most this many times as wide as it is high ("MAYBE LATER" is about 7).
MAX_LINE_ASPECT = 10.0
#: Lines recognised per screen, tallest first (button labels are set larger than fine print); bounds the
#: recognition time (about 40 ms a line on one core).
MAX_LINES = 16
#: Lines lower than this share of the short side are noise at DET_WIDTH.
MIN_LINE_HEIGHT_SHARE = 0.012
MAX_TEXT_CHARS = 40
#: The recogniser reads lines scaled to this height. rapidocr pads every batch of 6 lines to the widest one
#: and to at least 320 px (PaddleOCR's alignment), so a short "OK" or "Skip" cost as much as a sentence.
#: Each line is read on its own at its own width instead: recognition takes about half the CPU time on the
#: AidUI screens (0.27 → 0.15 s for ~10 lines), and a line's text no longer depends on its batch-mates.
REC_HEIGHT = 48
REC_BATCH = 1


class OcrUnavailable(GanzhiError):
    """The OCR extra is not installed (or its engine could not start); the message says how to fix it."""


@dataclass(frozen=True, slots=True)
class TextLine:
    """A recognised line in screenshot pixels with the recogniser's confidence (0..1)."""

    bounds: tuple[int, int, int, int]
    text: str
    confidence: float


class TextReader(Protocol):
    """Anything that reads text lines off a screenshot (the real OCR, or a fake in tests)."""

    def read(self, rgb: RGB) -> list[TextLine]: ...


def ocr_installed() -> bool:
    """Whether the OCR extra is importable (cheap: no model is loaded)."""
    return importlib.util.find_spec(OCR_PACKAGE) is not None


def button_like(box: tuple[int, int, int, int], short_side: int) -> bool:
    """A detected line that could be a button label: not a paragraph, not a sliver."""
    width, height = box[2] - box[0], box[3] - box[1]
    if width <= 0 or height <= 0:
        return False
    return (
        width <= MAX_LINE_SHARE * short_side
        and width / height <= MAX_LINE_ASPECT
        and height >= MIN_LINE_HEIGHT_SHARE * short_side
    )


class RapidOcrReader:
    """rapidocr-onnxruntime on one thread: detect lines on a scaled copy, recognise the button-like ones."""

    def __init__(self, *, det_width: int = DET_WIDTH, max_lines: int = MAX_LINES) -> None:
        try:
            engine_class = importlib.import_module(OCR_PACKAGE).RapidOCR
        except ImportError as exc:
            raise OcrUnavailable(f"OCR is not installed ({exc}); {INSTALL_HINT}") from None
        try:
            self._engine: Any = engine_class(
                intra_op_num_threads=1,
                inter_op_num_threads=1,
                det_limit_side_len=2 * det_width,
                det_limit_type="max",
            )
        except Exception as exc:  # any engine start-up failure means "no OCR", said clearly
            raise OcrUnavailable(f"OCR engine could not start: {type(exc).__name__}: {exc}") from None
        recogniser = getattr(self._engine, "text_rec", None)
        if recogniser is not None and hasattr(recogniser, "rec_image_shape"):
            recogniser.rec_image_shape = [3, REC_HEIGHT, REC_HEIGHT]
            recogniser.rec_batch_num = REC_BATCH
        self.det_width = det_width
        self.max_lines = max_lines

    def _lines(self, rgb: RGB) -> list[tuple[int, int, int, int]]:
        height, width = rgb.shape[:2]
        scale = min(1.0, self.det_width / min(width, height))
        small = rgb
        if scale < 1.0:
            size = (round(width * scale), round(height * scale))
            small = np.asarray(Image.fromarray(rgb, mode="RGB").resize(size, Image.Resampling.BILINEAR))
        boxes, _ = self._engine.text_det(np.ascontiguousarray(small[:, :, ::-1]))
        found: list[tuple[int, int, int, int]] = []
        for quad in boxes if boxes is not None else ():
            low, high = np.asarray(quad).min(axis=0) / scale, np.asarray(quad).max(axis=0) / scale
            box = (
                max(0, int(low[0])),
                max(0, int(low[1])),
                min(width, int(np.ceil(high[0]))),
                min(height, int(np.ceil(high[1]))),
            )
            if button_like(box, min(width, height)):
                found.append(box)
        found.sort(key=lambda b: (b[1] - b[3], b[1]))
        return found[: self.max_lines]

    def read(self, rgb: RGB) -> list[TextLine]:
        """Button-like text lines of `rgb`, each with its text and confidence."""
        lines = self._lines(rgb)
        if not lines:
            return []
        crops = [np.ascontiguousarray(rgb[top:bottom, left:right, ::-1]) for left, top, right, bottom in lines]
        results, _ = self._engine.text_rec(crops)
        read: list[TextLine] = []
        for box, (raw, confidence) in zip(lines, results, strict=True):
            text = str(raw).strip()[:MAX_TEXT_CHARS]
            if text:
                read.append(TextLine(box, text, round(float(confidence), 4)))
        return read


def load_reader(**options: int) -> RapidOcrReader:
    """The offline OCR reader; OcrUnavailable (with the install hint) when the extra is missing."""
    return RapidOcrReader(**options)
