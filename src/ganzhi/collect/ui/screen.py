"""Pixel cues of a pop-up or interstitial on a bare screenshot, measured on a small grey copy.

A pop-up is drawn as a bright card over a dimmed, flat backdrop (the scrim); an interstitial fills the
screen with a picture or video and hides the status bar. These are measurements only (shares of the
screen, luminance on 0..1); the learned model in `recognise` weighs them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image

from ganzhi.collect.ui.image import RGB

#: The screen is measured at this width (height in proportion): cues are coarse, and 90 px cost nothing.
SMALL_WIDTH = 90
#: A pixel belongs to the card when its grey differs this much (0..255) from the backdrop's.
CARD_DELTA = 28.0
#: Rows/columns count as card when this share of their pixels does.
CARD_FILL = 0.5
EDGE_SHARE = 0.06
BLOCK = 6
PHOTO_STD = 28.0

Bounds = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class PixelCues:
    """What the pixels say, as named numbers, and the card's bounds in screenshot pixels (if any)."""

    values: dict[str, float]
    card: Bounds | None


def _small(rgb: RGB, grey: Image.Image | None) -> npt.NDArray[np.float64]:
    height, width = rgb.shape[:2]
    size = (SMALL_WIDTH, max(8, round(height * SMALL_WIDTH / max(1, width))))
    if grey is None or grey.size != (width, height):
        grey = Image.fromarray(rgb, mode="RGB").convert("L")
    return np.asarray(grey.resize(size, Image.Resampling.BOX), dtype=np.float64)


def _longest_run(mask: npt.NDArray[np.bool_]) -> tuple[int, int]:
    """Start and end (exclusive) of the longest run of True."""
    best, start, run_start = (0, 0), -1, -1
    for position, value in enumerate([*mask.tolist(), False]):
        if value and run_start < 0:
            run_start = position
        elif not value and run_start >= 0:
            if position - run_start > best[1] - best[0]:
                best = (run_start, position)
            run_start = -1
    del start
    return best


def pixel_cues(rgb: RGB, grey: Image.Image | None = None) -> PixelCues:
    """Backdrop flatness and darkness, the card's size and centring, picture share, status-bar presence.

    `grey` is the screenshot's luma (Pillow "L", full size) when another stage made it already."""
    small = _small(rgb, grey)
    h, w = small.shape
    top, bottom = round(0.08 * h), round(0.92 * h)
    edge = max(2, round(EDGE_SHARE * w))
    strips = np.concatenate([small[top:bottom, :edge].ravel(), small[top:bottom, w - edge :].ravel()])
    backdrop = float(np.median(strips))
    mask = np.abs(small - backdrop) > CARD_DELTA
    rows = mask[:, edge : w - edge].mean(axis=1) >= CARD_FILL
    rows[:top] = False
    row_start, row_end = _longest_run(rows)
    card: Bounds | None = None
    card_h = card_w = 0.0
    card_luma = backdrop
    centre_off = 1.0
    if row_end - row_start >= 2:
        cols = mask[row_start:row_end].mean(axis=0) >= CARD_FILL
        col_start, col_end = _longest_run(cols)
        if col_end - col_start >= 2:
            card_h, card_w = (row_end - row_start) / h, (col_end - col_start) / w
            card_luma = float(small[row_start:row_end, col_start:col_end].mean())
            centre_off = abs((col_start + col_end) / 2 / w - 0.5) + abs((row_start + row_end) / 2 / h - 0.5)
            sy, sx = rgb.shape[0] / h, rgb.shape[1] / w
            card = (round(col_start * sx), round(row_start * sy), round(col_end * sx), round(row_end * sy))
    hb, wb = h // BLOCK, w // BLOCK
    blocks = small[: hb * BLOCK, : wb * BLOCK].reshape(hb, BLOCK, wb, BLOCK).std(axis=(1, 3))
    bar = small[: max(1, round(0.025 * h))]
    below = small[max(1, round(0.025 * h)) : max(2, round(0.06 * h))]
    colour = rgb[:: max(1, rgb.shape[0] // 160), :: max(1, rgb.shape[1] // 90)].astype(np.float64)
    rg = colour[..., 0] - colour[..., 1]
    yb = (colour[..., 0] + colour[..., 1]) / 2 - colour[..., 2]
    colourful = float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))
    boxed = card is not None and card_w < 0.97
    values = {
        "backdrop_luma": backdrop / 255,
        "backdrop_flat": float(1.0 - min(1.0, strips.std() / 40.0)),
        "card_height": card_h,
        "card_width": card_w,
        "card_boxed": 1.0 if boxed else 0.0,
        "card_centred": float(max(0.0, 1.0 - 2 * centre_off)) if card is not None else 0.0,
        "card_lift": (card_luma - backdrop) / 255,
        "dim_backdrop_card": 1.0 if boxed and backdrop < 110 and card_luma - backdrop > CARD_DELTA else 0.0,
        "photo_share": float((blocks > PHOTO_STD).mean()),
        "colourfulness": min(1.0, colourful / 100.0),
        "status_bar_flat": float(1.0 - min(1.0, bar.std() / 30.0)),
        "status_bar_step": min(1.0, abs(float(bar.mean()) - float(below.mean())) / 64.0),
        "mean_luma": float(small.mean()) / 255,
    }
    return PixelCues(values={k: round(v, 4) for k, v in values.items()}, card=card if boxed else None)
