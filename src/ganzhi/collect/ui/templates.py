"""Close-icon template matching: normalised cross-correlation (NCC) with numpy FFTs at a few scales.

Templates are read at run time from a folder of PNGs (UIGuard's AdClose icons in ../shared/data), plus two
× glyphs drawn by code so that icons unlike AdMob's still have a shape to match. The glyphs are matched
on |NCC| (a white × on black and a black × on white are the same shape); photos are left alone by
requiring some local contrast under the template.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.fft as sp_fft
from PIL import Image

from ganzhi.collect.ui.image import RGB, gray, load_rgb

Gray = npt.NDArray[np.float64]
#: Screenshots are searched at this width (a 1080-wide screen is halved), which bounds the FFT cost.
SEARCH_WIDTH = 540
#: Icon sizes searched, as shares of the screenshot's short side.
SIZE_SHARES = (0.02, 0.03, 0.045, 0.065)
#: Icon sides (in search pixels) from which the search runs on a 2×2-averaged copy: a 24 px icon is still
#: 12 px there, and the FFTs cost a quarter.
COARSE_FROM_SIDE = 20
MIN_LOCAL_STD = 12.0
MAX_TEMPLATES = 64
MAX_MATCHES = 20


@dataclass(frozen=True, slots=True)
class Template:
    """A named grey template; `polarity_free` ones match inverted too."""

    name: str
    pixels: Gray
    polarity_free: bool = False


@dataclass(frozen=True, slots=True)
class TemplateMatch:
    """A match in screenshot pixels (left, top, right, bottom)."""

    bounds: tuple[int, int, int, int]
    score: float
    template: str


def glyph_templates(size: int = 32) -> list[Template]:
    """A thin and a bold × drawn on a plain square."""
    found = []
    for name, stroke in (("glyph_x_thin", 0.08), ("glyph_x_bold", 0.16)):
        grid = np.linspace(0.0, 1.0, size)
        yy, xx = np.meshgrid(grid, grid, indexing="ij")
        margin = 0.22
        inside = (xx > margin) & (xx < 1 - margin) & (yy > margin) & (yy < 1 - margin)
        diagonal = (np.abs(xx - yy) < stroke) | (np.abs(xx + yy - 1) < stroke)
        pixels = np.where(inside & diagonal, 0.0, 255.0)
        found.append(Template(name, pixels, polarity_free=True))
    return found


def load_templates(folder: Path | None) -> list[Template]:
    """PNG templates of `folder` (sorted, at most MAX_TEMPLATES) plus the drawn glyphs; unreadable files are skipped."""
    found: list[Template] = []
    if folder is not None and folder.is_dir():
        for path in sorted(folder.glob("*.png"))[:MAX_TEMPLATES]:
            try:
                pixels = gray(load_rgb(path.read_bytes(), max_pixels=1_000_000))
                found.append(Template(path.stem, _inner(pixels)))
            except (OSError, ValueError):
                continue
    return _distinct([*found, *glyph_templates()])


def load_marks(folder: Path | None, limit: int = 12) -> list[Template]:
    """AdChoices "▷ i" marks of `folder` (no drawn glyphs), near-duplicates dropped, at most `limit` kept."""
    found: list[Template] = []
    if folder is not None and folder.is_dir():
        for path in sorted(folder.glob("*.png"))[:MAX_TEMPLATES]:
            try:
                found.append(Template(path.stem, _inner(gray(load_rgb(path.read_bytes(), max_pixels=1_000_000)))))
            except (OSError, ValueError):
                continue
    return _distinct(found, limit=0.8)[:limit]


def _distinct(templates: list[Template], *, limit: float = 0.85, side: int = 24) -> list[Template]:
    """Drop near-duplicates (NCC ≥ `limit` at a common size): they cost time and add nothing."""
    kept: list[Template] = []
    sized: list[Gray] = []
    for template in templates:
        pixels = _resize(template.pixels, side, side)
        if any(float(np.abs(ncc_map(pixels, other)).max(initial=0.0)) >= limit for other in sized):
            continue
        kept.append(template)
        sized.append(pixels)
    return kept


def _inner(pixels: Gray, margin: float = 0.12) -> Gray:
    """The template without its outer `margin`: tiles cut from screenshots carry edges of their neighbours."""
    height, width = pixels.shape
    dy, dx = round(height * margin), round(width * margin)
    return pixels[dy : height - dy, dx : width - dx] if height - 2 * dy >= 8 and width - 2 * dx >= 8 else pixels


def _resize(pixels: Gray, width: int, height: int) -> Gray:
    image = Image.fromarray(pixels.astype(np.float32), mode="F")
    return np.asarray(image.resize((max(1, width), max(1, height)), Image.Resampling.BILINEAR), dtype=np.float64)


def _box_sum(integral: Gray, h: int, w: int) -> Gray:
    result: Gray = integral[h:, w:] - integral[:-h, w:] - integral[h:, :-w] + integral[:-h, :-w]
    return result


def _fast_len(n: int) -> int:
    return -(-n // 32) * 32


class _Search:
    """One search image with its FFT and window statistics cached per template side."""

    def __init__(self, image: Gray) -> None:
        self.image = image
        ih, iw = image.shape
        self.integral = np.zeros((ih + 1, iw + 1))
        self.integral[1:, 1:] = image.cumsum(0).cumsum(1)
        self.integral_sq = np.zeros((ih + 1, iw + 1))
        self.integral_sq[1:, 1:] = (image * image).cumsum(0).cumsum(1)
        self._spectra: dict[tuple[int, int], npt.NDArray[np.complex128]] = {}
        self._stats: dict[tuple[int, int], tuple[Gray, Gray]] = {}

    def ncc(self, template: Gray) -> Gray:
        th, tw = template.shape
        ih, iw = self.image.shape
        if th > ih or tw > iw:
            return np.zeros((0, 0))
        t = template - template.mean()
        t_norm = float(np.sqrt((t * t).sum()))
        if t_norm == 0.0:
            return np.zeros((ih - th + 1, iw - tw + 1))
        shape = (_fast_len(ih + th - 1), _fast_len(iw + tw - 1))
        if shape not in self._spectra:
            self._spectra[shape] = np.fft.rfft2(self.image, shape)
        corr = np.fft.irfft2(self._spectra[shape] * np.fft.rfft2(t[::-1, ::-1], shape), shape)[th - 1 : ih, tw - 1 : iw]
        if (th, tw) not in self._stats:
            n = th * tw
            s1 = _box_sum(self.integral, th, tw)
            variance = np.maximum(_box_sum(self.integral_sq, th, tw) - s1 * s1 / n, 0.0)
            self._stats[(th, tw)] = (np.sqrt(variance), np.sqrt(variance / n))
        root_var, std = self._stats[(th, tw)]
        result: Gray = np.where(std >= MIN_LOCAL_STD, corr / (root_var * t_norm + 1e-9), 0.0)
        return result


def ncc_map(image: Gray, template: Gray) -> Gray:
    """NCC of `template` at every position where it fits inside `image` (valid mode)."""
    return _Search(image).ncc(template)


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    left, top = max(a[0], b[0]), max(a[1], b[1])
    right, bottom = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0, right - left) * max(0, bottom - top)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def _shrink(rgb: RGB) -> tuple[Gray, float]:
    """The grey search image at SEARCH_WIDTH and the scale factor from screenshot to search pixels."""
    height, width = rgb.shape[:2]
    scale = min(1.0, SEARCH_WIDTH / width)
    small = rgb
    if scale < 1.0:
        resized = Image.fromarray(rgb, mode="RGB").resize(
            (round(width * scale), round(height * scale)), Image.Resampling.BILINEAR
        )
        small = np.asarray(resized, dtype=np.uint8)
    return gray(small), scale


def _suppress(raw: list[TemplateMatch]) -> list[TemplateMatch]:
    raw.sort(key=lambda m: -m.score)
    kept: list[TemplateMatch] = []
    for match in raw:
        if all(_iou(match.bounds, other.bounds) < 0.2 for other in kept):
            kept.append(match)
        if len(kept) >= MAX_MATCHES:
            break
    return kept


def _to_screen(x: int, y: int, side: int, scale: float) -> tuple[int, int, int, int]:
    return round(x / scale), round(y / scale), round((x + side) / scale), round((y + side) / scale)


class TemplateBank:
    """Templates with their zero-mean, unit-norm spectra cached per (side, FFT shape).

    Screens of one size then cost one forward FFT of the screen and, per icon size, one batched inverse FFT
    for all templates, in float32 (the scores need 3 digits, not 15). Build once, reuse on many screens.
    """

    MAX_CACHED = 64

    def __init__(self, templates: Sequence[Template]) -> None:
        self.templates = tuple(templates)
        self.polarity_free = np.array([t.polarity_free for t in self.templates], dtype=bool)
        self._spectra: dict[tuple[int, int, int], npt.NDArray[np.complex64]] = {}

    def spectra(self, side: int, shape: tuple[int, int]) -> npt.NDArray[np.complex64]:
        key = (side, *shape)
        if key not in self._spectra:
            if len(self._spectra) >= self.MAX_CACHED:
                self._spectra.clear()
            stack = np.zeros((len(self.templates), side, side), dtype=np.float32)
            for position, template in enumerate(self.templates):
                t = _resize(template.pixels, side, side)
                t = t - t.mean()
                norm = float(np.sqrt((t * t).sum()))
                stack[position] = (t / norm if norm else t)[::-1, ::-1]
            self._spectra[key] = np.fft.rfft2(stack, shape).astype(np.complex64)
        return self._spectra[key]


@dataclass(slots=True)
class _Screen:
    """One search image: its spectrum at the shared FFT shape and its window statistics (cached per side)."""

    image: Gray
    shape: tuple[int, int]
    spectrum: npt.NDArray[np.complex64]
    integral: Gray
    integral_sq: Gray
    inverse: dict[int, npt.NDArray[np.float32]]

    @classmethod
    def of(cls, image: Gray, largest_side: int) -> _Screen:
        ih, iw = image.shape
        shape = (sp_fft.next_fast_len(ih + largest_side - 1, True), sp_fft.next_fast_len(iw + largest_side - 1, True))
        integral = np.zeros((ih + 1, iw + 1))
        integral[1:, 1:] = image.cumsum(0).cumsum(1)
        integral_sq = np.zeros_like(integral)
        integral_sq[1:, 1:] = (image * image).cumsum(0).cumsum(1)
        spectrum = sp_fft.rfft2(image.astype(np.float32), shape)
        return cls(image, shape, spectrum, integral, integral_sq, {})

    def _inverse_std(self, side: int) -> npt.NDArray[np.float32]:
        """1 / (window norm) per position, 0 where the window is too flat to hold an icon; shared by all banks."""
        if side not in self.inverse:
            n = side * side
            s1 = _box_sum(self.integral, side, side)
            variance = np.maximum(_box_sum(self.integral_sq, side, side) - s1 * s1 / n, 0.0)
            usable = variance >= n * MIN_LOCAL_STD**2
            self.inverse[side] = np.where(usable, 1.0 / np.sqrt(np.maximum(variance, 1e-9)), 0.0).astype(np.float32)
        return self.inverse[side]

    def scores(self, bank: TemplateBank, side: int) -> npt.NDArray[np.float32]:
        """NCC maps of every template at `side` (k × valid positions), |NCC| for polarity-free templates."""
        ih, iw = self.image.shape
        corr = sp_fft.irfft2(bank.spectra(side, self.shape) * self.spectrum, self.shape)
        corr = corr[:, side - 1 : ih, side - 1 : iw]
        scores: npt.NDArray[np.float32] = corr * self._inverse_std(side)[None]
        if bank.polarity_free.any():
            scores[bank.polarity_free] = np.abs(scores[bank.polarity_free])
        return scores


class ScreenSearch:
    """One screenshot prepared once for template search: grey copy at SEARCH_WIDTH, its 2×2-averaged copy, their
    spectra and window statistics. Several banks (close icons, AdChoices marks) then share that work."""

    def __init__(self, rgb: RGB) -> None:
        self.image, self.scale = _shrink(rgb)
        self.short_side = min(self.image.shape)
        sides = self._sides(SIZE_SHARES)
        self._largest = (max(sides[0], default=8), max(sides[1], default=8))
        self._fine: _Screen | None = None
        self._coarse: _Screen | None = None

    def _sides(self, shares: Sequence[float]) -> tuple[list[int], list[int]]:
        sides = sorted({max(8, round(self.short_side * share)) for share in shares})
        fine = [side for side in sides if side < COARSE_FROM_SIDE and side <= self.short_side]
        coarse = [max(8, round(side / 2)) for side in sides if side >= COARSE_FROM_SIDE and side <= self.short_side]
        return fine, coarse

    def _fine_screen(self) -> _Screen:
        if self._fine is None:
            self._fine = _Screen.of(self.image, self._largest[0])
        return self._fine

    def _coarse_screen(self) -> _Screen:
        if self._coarse is None:
            height, width = (self.image.shape[0] // 2) * 2, (self.image.shape[1] // 2) * 2
            half = self.image[:height, :width].reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3))
            self._coarse = _Screen.of(half, self._largest[1])
        return self._coarse

    def match(
        self, bank: TemplateBank, *, threshold: float, shares: Sequence[float] = SIZE_SHARES
    ) -> list[TemplateMatch]:
        """Matches of `bank` scoring at least `threshold` at the icon sizes `shares` (of the short side; a subset
        of SIZE_SHARES), best first, overlapping ones merged (non-maximum suppression)."""
        if not bank.templates:
            return []
        fine, coarse = self._sides(shares)
        raw: list[TemplateMatch] = []
        if fine:
            _collect(raw, bank, self._fine_screen(), fine, self.scale, threshold)
        if coarse:
            _collect(raw, bank, self._coarse_screen(), coarse, self.scale / 2, threshold)
        return _suppress(raw)


def match_templates(
    rgb: RGB | ScreenSearch,
    templates: Sequence[Template] | TemplateBank,
    *,
    threshold: float,
    shares: Sequence[float] = SIZE_SHARES,
) -> list[TemplateMatch]:
    """Matches scoring at least `threshold`, best first, overlapping ones merged (non-maximum suppression).

    Pass a `ScreenSearch` instead of the pixels to search several banks on one prepared screen."""
    bank = templates if isinstance(templates, TemplateBank) else TemplateBank(templates)
    if not bank.templates:
        return []
    search = rgb if isinstance(rgb, ScreenSearch) else ScreenSearch(rgb)
    return search.match(bank, threshold=threshold, shares=shares)


def _collect(
    raw: list[TemplateMatch], bank: TemplateBank, screen: _Screen, sides: list[int], scale: float, threshold: float
) -> None:
    """Append every position scoring ≥ `threshold` (at most MAX_MATCHES × 5 per size) in screenshot pixels."""
    for side in sides:
        scores = screen.scores(bank, side)
        planes = np.nonzero(scores.reshape(len(bank.templates), -1).max(axis=1) >= threshold)[0]
        for k in planes:
            plane = scores[k]
            ys, xs = np.nonzero(plane >= threshold)
            order = np.argsort(-plane[ys, xs])[: MAX_MATCHES * 5]
            for index in order:
                y, x = int(ys[index]), int(xs[index])
                score = round(float(plane[y, x]), 4)
                raw.append(TemplateMatch(_to_screen(x, y, side, scale), score, bank.templates[k].name))


def match_templates_unbatched(rgb: RGB, templates: Sequence[Template], *, threshold: float) -> list[TemplateMatch]:
    """The part-1 search (float64, one FFT pair per template and size): kept as the benchmark baseline."""
    if not templates:
        return []
    image, scale = _shrink(rgb)
    short_side = min(image.shape)
    search = _Search(image)
    raw: list[TemplateMatch] = []
    for template in templates:
        for share in SIZE_SHARES:
            side = max(8, round(short_side * share))
            scores = search.ncc(_resize(template.pixels, side, side))
            if scores.size == 0:
                continue
            if template.polarity_free:
                scores = np.abs(scores)
            ys, xs = np.nonzero(scores >= threshold)
            order = np.argsort(-scores[ys, xs])[: MAX_MATCHES * 5]
            for k in order:
                y, x = int(ys[k]), int(xs[k])
                raw.append(TemplateMatch(_to_screen(x, y, side, scale), round(float(scores[y, x]), 4), template.name))
    return _suppress(raw)
