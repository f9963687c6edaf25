"""Screenshots of pop-ups drawn by code, with their ground truth (card and close-control bounds).

A pop-up is an app screen under a dimmed scrim with a light card in front of it: the shape the pop-up
recogniser's pixel cues measure. The close × sits at the card's top-right corner; the button row at its
bottom holds a dismiss button and an accept button, so a reader (real OCR or a fake one) can place text.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

Bounds = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class DrawnPopup:
    """The PNG and where things are on it (screenshot pixels)."""

    png: bytes
    card: Bounds | None
    close: Bounds | None
    dismiss: Bounds | None
    accept: Bounds | None


def app_screen(draw: ImageDraw.ImageDraw, width: int, height: int, seed: int) -> None:
    """A plain list screen: status bar, toolbar, rows of grey text blocks and thumbnails."""
    rng = np.random.default_rng(seed)
    draw.rectangle((0, 0, width, round(0.03 * height)), fill=(30, 60, 120))
    draw.rectangle((0, round(0.03 * height), width, round(0.09 * height)), fill=(40, 90, 170))
    row = round(0.08 * height)
    for top in range(round(0.1 * height), height - row, row):
        shade = int(rng.integers(150, 210))
        draw.rectangle((round(0.04 * width), top + 10, round(0.2 * width), top + row - 10), fill=(shade, 120, 90))
        draw.rectangle((round(0.25 * width), top + 14, round(0.9 * width), top + 34), fill=(120, 120, 120))
        draw.rectangle((round(0.25 * width), top + 44, round(0.7 * width), top + 60), fill=(170, 170, 170))


def popup_png(
    width: int = 1080, height: int = 1920, *, with_popup: bool = True, with_close: bool = True, seed: int = 0
) -> DrawnPopup:
    """An app screen, optionally under a scrim with a card, a × and two buttons."""
    image = Image.new("RGB", (width, height), (245, 245, 245))
    draw = ImageDraw.Draw(image)
    app_screen(draw, width, height, seed)
    if not with_popup:
        return DrawnPopup(_png(image), None, None, None, None)
    dimmed = (np.asarray(image, dtype=np.float64) * 0.3).astype(np.uint8)
    image = Image.fromarray(dimmed, mode="RGB")
    draw = ImageDraw.Draw(image)
    card = (round(0.1 * width), round(0.28 * height), round(0.9 * width), round(0.72 * height))
    draw.rectangle(card, fill=(255, 255, 255))
    draw.rectangle((card[0] + 40, card[1] + 120, card[2] - 40, card[1] + 520), fill=(90, 160, 220))
    button_h = round(0.05 * height)
    dismiss = (card[0] + 40, card[3] - button_h - 40, (card[0] + card[2]) // 2 - 20, card[3] - 40)
    accept = ((card[0] + card[2]) // 2 + 20, card[3] - button_h - 40, card[2] - 40, card[3] - 40)
    draw.rectangle(accept, fill=(30, 130, 70))
    close = None
    if with_close:
        side = round(0.045 * width)
        close = (card[2] - side - 24, card[1] + 24, card[2] - 24, card[1] + 24 + side)
        stroke = max(3, side // 8)
        m = side // 4
        draw.line((close[0] + m, close[1] + m, close[2] - m, close[3] - m), fill=(60, 60, 60), width=stroke)
        draw.line((close[0] + m, close[3] - m, close[2] - m, close[1] + m), fill=(60, 60, 60), width=stroke)
    return DrawnPopup(_png(image), card, close, dismiss, accept)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
