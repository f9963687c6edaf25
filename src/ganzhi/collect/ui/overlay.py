"""Draw what the analyser found on the screenshot: the recognised card, the close control and the verdict.

`draw_overlay` returns PNG bytes, so the CLI's HTML report and the web platform's app page show the same
picture. Verdict lines are drawn with a CJK font when one is installed (Debian `fonts-noto-cjk`), else with
Pillow's built-in font (then only their ASCII part is legible, so callers pass English lines too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ganzhi.collect.ui.bundle import Frame
from ganzhi.collect.ui.image import RGB, encode_png
from ganzhi.evidence.ui import AdWindow, UiEpisode

Bounds = tuple[int, int, int, int]
#: Status → outline colour (FAIL red, WARN amber, PASS green, anything else blue).
COLOURS = {"FAIL": (220, 38, 38), "WARN": (245, 158, 11), "PASS": (22, 163, 74)}
OTHER = (37, 99, 235)
CARD = (147, 51, 234)
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)
MAX_LINES = 8
#: Screens larger than this are drawn scaled down (the picture is evidence to look at, not to measure).
MAX_SIDE = 1280


@dataclass(frozen=True, slots=True)
class Mark:
    """One box to draw with its caption and status."""

    bounds: Bounds
    caption: str
    status: str = ""


def has_cjk_font() -> bool:
    """True when a CJK font is installed, so verdict lines can be drawn in Chinese."""
    return any(Path(candidate).is_file() for candidate in FONT_CANDIDATES)


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_CANDIDATES:
        if Path(path).is_file():
            try:
                return ImageFont.truetype(path, size)
            except OSError:
                continue
    return ImageFont.load_default()


def draw_overlay(rgb: RGB, marks: Sequence[Mark], verdict: Sequence[str], *, card: Bounds | None = None) -> bytes:
    """The screenshot with `card` (dashed purple), each mark's box and caption, and up to MAX_LINES verdict
    lines in a band at the bottom; PNG bytes."""
    image = Image.fromarray(rgb, mode="RGB")
    scale = min(1.0, MAX_SIDE / max(image.size))
    if scale < 1.0:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(image)
    width = max(2, round(image.width / 270))
    font = _font(max(12, round(image.width / 30)))

    def scaled(bounds: Bounds) -> Bounds:
        return (
            round(bounds[0] * scale),
            round(bounds[1] * scale),
            round(bounds[2] * scale),
            round(bounds[3] * scale),
        )

    if card is not None:
        left, top, right, bottom = scaled(card)
        step = max(6, width * 4)
        for x in range(left, right, step * 2):
            draw.line([(x, top), (min(x + step, right), top)], fill=CARD, width=width)
            draw.line([(x, bottom), (min(x + step, right), bottom)], fill=CARD, width=width)
        for y in range(top, bottom, step * 2):
            draw.line([(left, y), (left, min(y + step, bottom))], fill=CARD, width=width)
            draw.line([(right, y), (right, min(y + step, bottom))], fill=CARD, width=width)
    for mark in marks:
        colour = COLOURS.get(mark.status, OTHER)
        left, top, right, bottom = scaled(mark.bounds)
        pad = width * 2
        draw.rectangle([left - pad, top - pad, right + pad, bottom + pad], outline=colour, width=width)
        if mark.caption:
            text_y = max(0, top - pad - font.size - 4) if hasattr(font, "size") else max(0, top - 16)
            text_width = draw.textbbox((0, 0), mark.caption, font=font)[2]
            text_x = max(0, min(left, image.width - text_width - 1))  # a control at the right edge keeps its caption
            box = draw.textbbox((text_x, text_y), mark.caption, font=font)
            draw.rectangle(box, fill=colour)
            draw.text((text_x, text_y), mark.caption, fill=(255, 255, 255), font=font)
    lines = [line for line in verdict if line][:MAX_LINES]
    if lines:
        line_height = round(draw.textbbox((0, 0), "Ag广告", font=font)[3]) + 6
        band = line_height * len(lines) + 8
        canvas = Image.new("RGB", (image.width, image.height + band), (17, 24, 39))
        canvas.paste(image, (0, 0))
        text = ImageDraw.Draw(canvas)
        for position, line in enumerate(lines):
            text.text((8, image.height + 4 + position * line_height), line, fill=(255, 255, 255), font=font)
        image = canvas
    return encode_png(np.asarray(image, dtype=np.uint8))


def close_frame(frames: Sequence[Frame], window: AdWindow) -> int | None:
    """The first frame of `window` that shows its close control (the window's first frame when unknown)."""
    if window.first_frame is None or window.close is None:
        return window.first_frame
    seen_at = window.start_ms + window.close.first_seen_ms
    return next(
        (i for i in range(window.first_frame, len(frames)) if frames[i].t_ms >= seen_at and frames[i].screenshot),
        window.first_frame,
    )


def window_picture(
    bundle_dir: Path,
    episode: UiEpisode,
    window_index: int,
    verdict: Sequence[tuple[str, str]],
    *,
    frame_index: int | None = None,
) -> bytes | None:
    """Frame `frame_index` (default: the window's first frame) of ad window `window_index` of `episode` (read
    from its bundle), its close control boxed in the colour of the worst close-control verdict and the verdict
    lines below; None without a screenshot.

    `verdict` holds (status, text) pairs, e.g. the results of the T4 checks for this window.
    """
    from ganzhi.collect.ui.bundle import load_bundle
    from ganzhi.collect.ui.image import MAX_IMAGE_BYTES, ImageError, load_rgb
    from ganzhi.errors import InputError

    window = episode.ad_windows[window_index]
    shown = window.first_frame if frame_index is None else frame_index
    if shown is None:
        return None
    try:
        bundle = load_bundle(bundle_dir)
        frame = bundle.manifest.frames[shown]
        if frame.screenshot is None:
            return None
        rgb = load_rgb(bundle.read(frame.screenshot, limit=MAX_IMAGE_BYTES))
    except (InputError, ImageError, IndexError):
        return None
    order = ("FAIL", "WARN", "MANUAL", "PASS")
    statuses = [s for s, _ in verdict]
    worst = next((s for s in order if s in statuses), "")
    marks = []
    if window.close is not None:
        caption = f"{window.close.label or window.close.source} {window.close.min_side_dp}dp"
        marks.append(Mark(window.close.bounds, caption, worst))
    head = (
        f"{window.recognised_kind or window.kind} p={window.recognition_score}"
        if window.screenshot_only
        else window.kind
    )
    lines = [head, *(f"{status} {text}" for status, text in verdict)]
    return draw_overlay(rgb, marks, lines, card=None)
