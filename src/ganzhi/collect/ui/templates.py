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
#: Smaller icons are only proposed on the 2×2-averaged copy (at half their side, where the FFTs cost a quarter)
#: and scored exactly on the search image around each proposal: a proposal needs NCC ≥ threshold − this slack
#: (a 6 px copy of an 11 px × scores lower than the × itself) and to be a local maximum ...
PROPOSE_SLACK = 0.2
#: ... of which at most this many per template and size are refined (the best first) ...
MAX_PROPOSALS = 48
#: ... each in a window of ± this many search pixels around twice its coarse position.
REFINE_RADIUS = 3
#: The smallest side proposed on the averaged copy (an 11 px icon is proposed as 6 px); smaller icons (landscape
#: screens searched at SEARCH_WIDTH) are searched directly.
MIN_PROPOSE_SIDE = 5
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


def _shrink(rgb: RGB) -> tuple[Gray, float, Image.Image]:
    """The grey search image at SEARCH_WIDTH, the scale factor from screenshot to search pixels and the full-size
    luma (made grey, then resized: a third of the work of resizing the colour image, the same pixels up to
    rounding)."""
    height, width = rgb.shape[:2]
    scale = min(1.0, SEARCH_WIDTH / width)
    grey = Image.fromarray(rgb, mode="RGB").convert("L")
    image = (
        grey.resize((round(width * scale), round(height * scale)), Image.Resampling.BILINEAR) if scale < 1.0 else grey
    )
    return np.asarray(image, dtype=np.float64), scale, grey


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
        self._kernels: dict[int, Gray] = {}

    def kernels(self, side: int) -> Gray:
        """The templates at `side` × `side`, zero-mean and unit-norm (k × side × side, float64), for exact NCC."""
        if side not in self._kernels:
            stack = np.zeros((len(self.templates), side, side))
            for position, template in enumerate(self.templates):
                t = _resize(template.pixels, side, side)
                t = t - t.mean()
                norm = float(np.sqrt((t * t).sum()))
                stack[position] = t / norm if norm else t
            self._kernels[side] = stack
        return self._kernels[side]

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
    """One screenshot prepared once for template search: a grey copy at SEARCH_WIDTH (level 0) and its 2×2-averaged
    copies (levels 1, 2), with spectra and window statistics made on first use. Several banks (close icons,
    AdChoices marks) then share that work.

    An icon is scored on level 0 below COARSE_FROM_SIDE search pixels, else on level 1 at half its side (as a
    full search would), but only where the next level proposes it: there the FFTs cost a quarter, and the local
    maxima of its NCC at half the side (≥ threshold − PROPOSE_SLACK, the MAX_PROPOSALS best per template) are
    re-scored exactly within REFINE_RADIUS. A found icon keeps its full-search score; the search costs about a
    third of one over the whole screen at the scoring level."""

    def __init__(self, rgb: RGB) -> None:
        self.image, self.scale, self.grey = _shrink(rgb)
        self.short_side = min(self.image.shape)
        self._levels: list[Gray] = [self.image]
        self._largest: dict[int, int] = {}
        for level, _side, scored, proposed in self._plan(SIZE_SHARES):
            at, side = (level + 1, proposed) if proposed else (level, scored)
            self._largest[at] = max(self._largest.get(at, 8), side)
        self._screens: dict[int, _Screen] = {}

    def _plan(self, shares: Sequence[float]) -> list[tuple[int, int, int, int]]:
        """Per icon size: (scoring level, side on level 0, side on the scoring level, side proposed one level up or 0
        when that would be below MIN_PROPOSE_SIDE: such small icons are searched on the scoring level directly)."""
        plan = []
        for side in sorted({max(8, round(self.short_side * share)) for share in shares}):
            level = 0 if side < COARSE_FROM_SIDE else 1
            scored = side if level == 0 else max(8, round(side / 2))
            proposed = round(scored / 2)
            if scored + 2 * REFINE_RADIUS <= self.short_side >> level:
                plan.append((level, side, scored, proposed if proposed >= MIN_PROPOSE_SIDE else 0))
        return plan

    def _level(self, level: int) -> Gray:
        while len(self._levels) <= level:
            above = self._levels[-1]
            height, width = (above.shape[0] // 2) * 2, (above.shape[1] // 2) * 2
            self._levels.append(above[:height, :width].reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3)))
        return self._levels[level]

    def _screen(self, level: int) -> _Screen:
        if level not in self._screens:
            self._screens[level] = _Screen.of(self._level(level), self._largest.get(level, 8))
        return self._screens[level]

    def match(
        self, bank: TemplateBank, *, threshold: float, shares: Sequence[float] = SIZE_SHARES
    ) -> list[TemplateMatch]:
        """Matches of `bank` scoring at least `threshold` at the icon sizes `shares` (of the short side; a subset
        of SIZE_SHARES), best first, overlapping ones merged (non-maximum suppression)."""
        if not bank.templates:
            return []
        raw: list[TemplateMatch] = []
        for level, _side, scored, proposed in self._plan(shares):
            if proposed:
                raw.extend(self._refined(bank, level, scored, proposed, threshold))
            else:
                _collect(raw, bank, self._screen(level), [scored], self.scale / (1 << level), threshold)
        return _suppress(raw)

    def _refined(
        self, bank: TemplateBank, level: int, side: int, proposed: int, threshold: float
    ) -> list[TemplateMatch]:
        """Icons of `side` pixels on `level`: proposals of level + 1 (at `proposed` pixels) re-scored on `level`."""
        scores = self._screen(level + 1).scores(bank, proposed)
        ks, ys, xs = _peaks(scores, threshold - PROPOSE_SLACK)
        if ks.size == 0:
            return []
        keep: list[int] = []
        for k in np.unique(ks):
            members = np.nonzero(ks == k)[0]
            keep.extend(members[np.argsort(-scores[k, ys[members], xs[members]], kind="stable")[:MAX_PROPOSALS]])
        chosen = np.array(sorted(keep))
        ks, ys, xs = ks[chosen], ys[chosen], xs[chosen]
        image = self._level(level)
        reach = side + 2 * REFINE_RADIUS
        top = np.clip(2 * ys - REFINE_RADIUS, 0, image.shape[0] - reach)
        left = np.clip(2 * xs - REFINE_RADIUS, 0, image.shape[1] - reach)
        span = np.arange(reach)
        patches = image[(top[:, None] + span)[:, :, None], (left[:, None] + span)[:, None, :]]
        windows = np.lib.stride_tricks.sliding_window_view(patches, (side, side), axis=(1, 2))
        corr = np.einsum("pijab,pab->pij", windows, bank.kernels(side)[ks])
        integral = np.zeros((len(ks), reach + 1, reach + 1))
        integral[:, 1:, 1:] = patches.cumsum(1).cumsum(2)
        integral_sq = np.zeros_like(integral)
        integral_sq[:, 1:, 1:] = (patches * patches).cumsum(1).cumsum(2)

        def box(table: Gray) -> Gray:
            total: Gray = (
                table[:, side:, side:] - table[:, :-side, side:] - table[:, side:, :-side] + table[:, :-side, :-side]
            )
            return total

        n = side * side
        sums = box(integral)
        variance = np.maximum(box(integral_sq) - sums * sums / n, 0.0)
        ncc = np.where(variance >= n * MIN_LOCAL_STD**2, corr / np.sqrt(np.maximum(variance, 1e-9)), 0.0)
        ncc = np.where(bank.polarity_free[ks][:, None, None], np.abs(ncc), ncc)
        flat = ncc.reshape(len(ks), -1)
        best = flat.argmax(axis=1)
        scale = self.scale / (1 << level)
        found = []
        for position, index in enumerate(best.tolist()):
            value = float(flat[position, index])
            if value >= threshold:
                dy, dx = divmod(index, 2 * REFINE_RADIUS + 1)
                y, x = int(top[position]) + dy, int(left[position]) + dx
                name = bank.templates[int(ks[position])].name
                found.append(TemplateMatch(_to_screen(x, y, side, scale), round(value, 4), name))
        return found


def _peaks(
    scores: npt.NDArray[np.float32], floor: float
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """(plane, y, x) of the positions ≥ `floor` that no 8-neighbour in their plane exceeds."""
    ks, ys, xs = np.nonzero(scores >= floor)
    if ks.size == 0:
        return ks, ys, xs
    padded = np.pad(scores, ((0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    values = scores[ks, ys, xs]
    local = np.ones(ks.size, dtype=bool)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy or dx:
                local &= padded[ks, ys + 1 + dy, xs + 1 + dx] <= values
    return ks[local], ys[local], xs[local]


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
    image, scale, _ = _shrink(rgb)
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
