"""Optional offline OCR of short text lines on a screenshot (extra `ocr`: rapidocr-onnxruntime).

The wheel ships its PP-OCRv4 detection and recognition ONNX models inside the package, so nothing is
downloaded at run time. Text lines are detected on a copy whose short side is `det_width` (a 1080×1920 screen
at a third: button labels are still 10 px high there); only button-shaped lines (short, not wider than
`MAX_LINE_SHARE` of the short side, not in the status bar) are recognised — those inside the caller's focus (a
pop-up's card) first, then label-shaped ones, lowest first — until the recognition budget (`rec_budget` pixels
of line width at REC_HEIGHT) or `max_lines` is spent,
one line at a time at its own width from the full-resolution pixels (about 0.08 s detection + 0.1 s
recognition on one core for a 1080-wide screen; the ONNX sessions run on one thread and are made once per
reader). Without the extra, `load_reader` raises `OcrUnavailable` with the install hint and callers degrade to
template matching.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
from PIL import Image

from ganzhi.collect.ui.image import RGB
from ganzhi.errors import GanzhiError

OCR_PACKAGE = "rapidocr_onnxruntime"
INSTALL_HINT = "pip install 'ganzhi[ocr]'  (rapidocr-onnxruntime, models bundled in the wheel)"
#: Text detection runs with the short side at this many pixels (a 1080×1920 screen at a third: the detector's cost
#: grows with the pixels, 0.23 s at 540, 0.1 s at 360 on one core). Configurable (`det_width`).
DET_WIDTH = 360
#: When fewer button-like lines than this are found at `det_width`, detection runs again with the short side at
#: RETRY_WIDTH: such a screen is either textless (a picture ad) or its text is small (a letterboxed or tablet
#: capture); about one screen in fifty, so the mean cost barely moves. Configurable (`retry_below`, 0 = never).
RETRY_BELOW = 3
RETRY_WIDTH = 540
#: A close/skip label is a short line: at most this share of the screen's short side ...
MAX_LINE_SHARE = 0.6
#: ... and at most this many times as wide as it is high ("MAYBE LATER" is about 7).
MAX_LINE_ASPECT = 10.0
#: Lines at most this many times as wide as high look like a label ("Skip", "NO THANKS", "Ad", "INSTALL") and
#: are recognised before longer ones (sentences, store captions).
LABEL_ASPECT = 6.0
#: Lines lying wholly in the top band this high (share of the short side, Android's 24 dp status bar) are the
#: clock and status icons; they are not recognised.
STATUS_BAR_SHARE = 0.06
#: Lines recognised per screen at most; configurable (`max_lines`).
MAX_LINES = 16
#: Recognition budget per screen: the summed width of the recognised lines once scaled to REC_HEIGHT (the
#: recogniser's time grows with it, about 0.08 ms a pixel on one core, so ~0.1 s). Lines that do not fit are
#: skipped, smaller ones after them may still fit. Configurable (`rec_budget`).
REC_BUDGET = 1500
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


Bounds = tuple[int, int, int, int]


class TextReader(Protocol):
    """Anything that reads text lines off a screenshot (the real OCR, or a fake in tests)."""

    def read(self, rgb: RGB) -> list[TextLine]: ...


@runtime_checkable
class FocusedReader(Protocol):
    """A reader that recognises the lines inside `focus` first and says how many button-like lines it detected
    (read or not: the budget must not hide how much text a screen carries)."""

    def read_focused(self, rgb: RGB, focus: Bounds | None) -> tuple[list[TextLine], int]: ...


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


def reading_order(
    boxes: list[Bounds], short_side: int, *, budget: int, max_lines: int, focus: Bounds | None = None
) -> list[Bounds]:
    """The lines worth recognising: status-bar lines dropped; lines centred inside `focus` (a pop-up's card: its
    title and buttons say what it is, where the bottom-first order would spend the budget on a keyboard or a tab
    bar below it) first; then label-shaped lines (aspect ≤ LABEL_ASPECT) first, lowest first (a dialog's or a
    screen's action row is its bottom line; titles and body text sit above), while their summed width at
    REC_HEIGHT stays within `budget`, at most `max_lines`."""
    usable = [b for b in boxes if b[3] > STATUS_BAR_SHARE * short_side]

    def cost(box: Bounds) -> float:
        return REC_HEIGHT * (box[2] - box[0]) / max(1, box[3] - box[1])

    def outside(box: Bounds) -> bool:
        if focus is None:
            return True
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        return not (focus[0] <= cx <= focus[2] and focus[1] <= cy <= focus[3])

    usable.sort(key=lambda b: (outside(b), cost(b) > REC_HEIGHT * LABEL_ASPECT, -b[3], -b[1], b[0]))
    chosen: list[tuple[int, int, int, int]] = []
    spent = 0.0
    for box in usable:
        if len(chosen) >= max_lines:
            break
        if spent + cost(box) <= budget:
            chosen.append(box)
            spent += cost(box)
    return chosen


class RapidOcrReader:
    """rapidocr-onnxruntime on one thread: detect lines on a scaled copy, recognise the button-like ones."""

    def __init__(
        self,
        *,
        det_width: int = DET_WIDTH,
        max_lines: int = MAX_LINES,
        rec_budget: int = REC_BUDGET,
        retry_below: int = RETRY_BELOW,
    ) -> None:
        try:
            engine_class = importlib.import_module(OCR_PACKAGE).RapidOCR
        except ImportError as exc:
            raise OcrUnavailable(f"OCR is not installed ({exc}); {INSTALL_HINT}") from None
        try:
            self._engine: Any = engine_class(
                intra_op_num_threads=1,
                inter_op_num_threads=1,
                det_limit_side_len=2 * max(det_width, RETRY_WIDTH),
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
        self.rec_budget = rec_budget
        self.retry_below = retry_below

    def detect(self, rgb: RGB) -> list[tuple[int, int, int, int]]:
        """Bounds (screenshot pixels) of every button-like text line, from detection on the scaled copy (again at
        RETRY_WIDTH when fewer than `retry_below` were found)."""
        found = self._detect(rgb, self.det_width)
        if len(found) < self.retry_below and self.det_width < RETRY_WIDTH < min(rgb.shape[:2]):
            found = self._detect(rgb, RETRY_WIDTH)
        return found

    def _detect(self, rgb: RGB, det_width: int) -> list[tuple[int, int, int, int]]:
        height, width = rgb.shape[:2]
        scale = min(1.0, det_width / min(width, height))
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
        return found

    def read(self, rgb: RGB) -> list[TextLine]:
        """Button-like text lines of `rgb` (those `reading_order` keeps), each with its text and confidence."""
        return self.read_focused(rgb, None)[0]

    def read_focused(self, rgb: RGB, focus: Bounds | None) -> tuple[list[TextLine], int]:
        """The lines `reading_order` keeps (those inside `focus` first), and how many button-like lines were
        detected in all."""
        found = self.detect(rgb)
        lines = reading_order(found, min(rgb.shape[:2]), budget=self.rec_budget, max_lines=self.max_lines, focus=focus)
        return self._recognise(rgb, lines), len(found)

    def _recognise(self, rgb: RGB, lines: list[Bounds]) -> list[TextLine]:
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
