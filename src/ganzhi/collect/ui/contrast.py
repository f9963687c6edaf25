"""WCAG 2.x contrast of a control measured from screenshot pixels.

Like ATF's ContrastSwatch: the crop's colours are grouped (each channel quantised to 16 levels); the most
frequent group is the background; among groups holding at least `min_share` of the pixels, the one that
contrasts most with the background is the foreground. Group colours are the mean of their real pixels,
so quantisation does not bend the ratio. On real screenshots (JPEG, anti-aliased text) the ink spreads over
many small groups, none reaching `min_share`; the foreground is then the mean colour of the `min_share` of
pixels that contrast most with the background (the ink's core), never a lone outlier pixel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ganzhi.collect.ui.image import RGB

#: A colour group must hold this share of the crop's pixels to count as foreground (ATF uses 3 %).
DEFAULT_MIN_SHARE = 0.03


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance of an sRGB colour with channels 0..255."""

    def channel(value: float) -> float:
        c = value / 255.0
        return c / 12.92 if c <= 0.04045 else float(((c + 0.055) / 1.055) ** 2.4)

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: tuple[float, float, float], second: tuple[float, float, float]) -> float:
    """WCAG contrast ratio (1..21) between two colours."""
    a, b = relative_luminance(first), relative_luminance(second)
    high, low = max(a, b), min(a, b)
    return (high + 0.05) / (low + 0.05)


@dataclass(frozen=True, slots=True)
class Swatch:
    """Background and foreground colour of a crop and their contrast ratio."""

    background: tuple[float, float, float]
    foreground: tuple[float, float, float]
    ratio: float


def swatch(rgb: RGB, bounds: tuple[int, int, int, int], *, min_share: float = DEFAULT_MIN_SHARE) -> Swatch | None:
    """The swatch of `bounds` (l, t, r, b) clipped to the image; None when the crop is empty."""
    height, width = rgb.shape[:2]
    left, top = max(0, bounds[0]), max(0, bounds[1])
    right, bottom = min(width, bounds[2]), min(height, bounds[3])
    if right <= left or bottom <= top:
        return None
    pixels = rgb[top:bottom, left:right].reshape(-1, 3)
    keys: npt.NDArray[np.int64] = (pixels.astype(np.int64) // 16) @ np.array([256, 16, 1], dtype=np.int64)
    groups, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    sums = np.zeros((len(groups), 3), dtype=np.float64)
    np.add.at(sums, inverse.ravel(), pixels.astype(np.float64))
    means = sums / counts[:, None]
    order = np.argsort(-counts)
    background = tuple(float(v) for v in means[order[0]])
    bg = (background[0], background[1], background[2])
    best = bg
    best_ratio = 1.0
    total = float(counts.sum())
    for group in order[1:]:
        if counts[group] / total < min_share:
            break
        colour = (float(means[group][0]), float(means[group][1]), float(means[group][2]))
        ratio = contrast_ratio(bg, colour)
        if ratio > best_ratio:
            best, best_ratio = colour, ratio
    if len(pixels) >= 1 / min_share:
        lum = pixels.astype(np.float64) @ np.array([0.2126, 0.7152, 0.0722]) / 255
        bg_lum = float(np.array(bg) @ np.array([0.2126, 0.7152, 0.0722]) / 255)
        count = max(1, int(len(pixels) * min_share))
        ink = pixels[np.argsort(-np.abs(lum - bg_lum))[:count]].astype(np.float64).mean(axis=0)
        colour = (float(ink[0]), float(ink[1]), float(ink[2]))
        ratio = contrast_ratio(bg, colour)
        if ratio > best_ratio:
            best, best_ratio = colour, ratio
    return Swatch(background=bg, foreground=best, ratio=round(best_ratio, 3))
