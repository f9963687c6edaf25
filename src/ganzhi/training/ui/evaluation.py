"""Screenshot-only close-control detection measured against hand labels (the AidUI NAGGING screens).

A detection is a true positive when its centre lies inside a labelled box grown by `tolerance` × the
screen width (labels are hand-drawn, about ±2 % of the width); each label is matched at most once, best
score first, and overlapping detections of one screen count once (as `detect_close` merges them).
Detections are made once at low floors, so threshold choices cost nothing extra.

Held-out figures: the screens, sorted by file name, are dealt into `folds` folds (screen i goes to fold
i mod k). For each fold the template and text thresholds are chosen on the other folds (best F1, ties to
the higher precision, then the higher threshold) and applied to the fold; counts are pooled over folds.
The shipped lexicon's English seed phrases were written by someone who had seen these screens, so a second
held-out figure matches OCR lines against the GKD-derived lexicon plus only the training folds' label texts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from itertools import product
from pathlib import Path
from typing import Any

from ganzhi.collect.ui.detect import Detector, text_candidates
from ganzhi.collect.ui.image import ImageError, load_rgb
from ganzhi.collect.ui.lexicon import Lexicon, load_lexicon_without_seeds, normalise_label
from ganzhi.collect.ui.ocr import TextLine
from ganzhi.collect.ui.templates import match_templates
from ganzhi.errors import InputError

SWEEP_FLOOR = 0.75
SWEEP = (0.75, 0.8, 0.85, 0.9, 0.95)
TEMPLATE_GRID = (0.75, 0.775, 0.8, 0.825, 0.85, 0.875, 0.9, 0.925, 0.95)
TEXT_FLOOR = 0.5
TEXT_GRID = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)
DEFAULT_TOLERANCE = 0.02
DEFAULT_FOLDS = 5
SOURCES = ("template", "ocr")
LINE_SOURCE = "line"
Thresholds = Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Detection:
    image: str
    bounds: tuple[int, int, int, int]
    score: float
    source: str = "template"
    text: str = ""


@dataclass(slots=True)
class Counts:
    """Raw counts, so folds can be pooled before ratios are taken."""

    tp: dict[str, int] = field(default_factory=dict)
    fp: dict[str, int] = field(default_factory=dict)
    found: dict[str, int] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)

    def add(self, other: Counts) -> None:
        for mine, theirs in ((self.tp, other.tp), (self.fp, other.fp), (self.found, other.found)):
            for key, value in theirs.items():
                mine[key] = mine.get(key, 0) + value
        for key, value in other.labels.items():
            self.labels[key] = self.labels.get(key, 0) + value


def load_labels(path: Path) -> dict[str, Any]:
    """The label file's `images` mapping (file name → width, height, controls)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        images = doc["images"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(str(path), f"not a label file with an `images` mapping: {exc}") from None
    if not isinstance(images, dict):
        raise InputError(str(path), "`images` must map file names to labels")
    return images


def detect_all(
    images_dir: Path, names: list[str], detector: Detector, on_image: Callable[[], None] | None = None
) -> tuple[list[Detection], dict[str, float]]:
    """Template detections (NCC ≥ SWEEP_FLOOR) and every OCR line read (source `line`, not yet matched against a
    lexicon) on every image, and seconds per image."""
    found: list[Detection] = []
    spent = {"template": 0.0, "ocr": 0.0}
    for name in names:
        try:
            rgb = load_rgb((images_dir / name).read_bytes())
        except (OSError, ImageError) as exc:
            raise InputError(str(images_dir / name), str(exc)) from None
        start = time.perf_counter()
        for match in match_templates(rgb, detector.bank, threshold=SWEEP_FLOOR):
            found.append(Detection(name, match.bounds, match.score, "template"))
        middle = time.perf_counter()
        if detector.reader is not None:
            for line in detector.reader.read(rgb):
                found.append(Detection(name, line.bounds, line.confidence, LINE_SOURCE, line.text))
        spent["template"] += middle - start
        spent["ocr"] += time.perf_counter() - middle
        if on_image is not None:
            on_image()
    count = max(1, len(names))
    per_image = {key: round(value / count, 3) for key, value in spent.items()}
    per_image["total"] = round(sum(spent.values()) / count, 3)
    return found, per_image


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    width, height = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return False
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return smaller > 0 and width * height / smaller >= 0.5


def _thresholds(threshold: float | Thresholds) -> dict[str, float]:
    if isinstance(threshold, int | float):
        return dict.fromkeys(SOURCES, float(threshold))
    return dict(threshold)


def count(
    labels: dict[str, Any],
    detections: list[Detection],
    threshold: float | Thresholds,
    tolerance: float = DEFAULT_TOLERANCE,
) -> Counts:
    """TP/FP by detection source and found/labelled by label kind, for the screens in `labels`."""
    limits = _thresholds(threshold)
    result = Counts()
    matched: set[tuple[str, int]] = set()
    accepted: dict[str, list[tuple[int, int, int, int]]] = {}
    kept = [d for d in detections if d.image in labels and d.score >= limits.get(d.source, 1.01)]
    for det in sorted(kept, key=lambda d: -d.score):
        if any(_overlaps(det.bounds, other) for other in accepted.get(det.image, [])):
            continue
        accepted.setdefault(det.image, []).append(det.bounds)
        entry = labels[det.image]
        slack = tolerance * float(entry.get("width", 0))
        cx, cy = (det.bounds[0] + det.bounds[2]) / 2, (det.bounds[1] + det.bounds[3]) / 2
        hit = None
        for position, control in enumerate(entry.get("controls", [])):
            left, top, right, bottom = control["bounds"]
            if (
                (det.image, position) not in matched
                and left - slack <= cx <= right + slack
                and top - slack <= cy <= bottom + slack
            ):
                hit = position
                break
        bucket = result.fp if hit is None else result.tp
        bucket[det.source] = bucket.get(det.source, 0) + 1
        if hit is not None:
            matched.add((det.image, hit))
    for image, entry in labels.items():
        for position, control in enumerate(entry.get("controls", [])):
            kind = control.get("kind", "other")
            result.labels[kind] = result.labels.get(kind, 0) + 1
            result.found[kind] = result.found.get(kind, 0) + ((image, position) in matched)
    return result


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def figures(counts: Counts) -> dict[str, Any]:
    """Precision overall and by detection source, recall overall and by label kind."""
    tp, fp = sum(counts.tp.values()), sum(counts.fp.values())
    total = sum(counts.labels.values())
    return {
        "true_positives": tp,
        "false_positives": fp,
        "labels": total,
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(sum(counts.found.values()), total),
        "precision_by_source": {
            s: {
                "tp": counts.tp.get(s, 0),
                "fp": counts.fp.get(s, 0),
                "precision": _ratio(counts.tp.get(s, 0), counts.tp.get(s, 0) + counts.fp.get(s, 0)),
            }
            for s in SOURCES
            if counts.tp.get(s, 0) + counts.fp.get(s, 0)
        },
        "recall_by_kind": {
            k: {"found": counts.found.get(k, 0), "labels": n, "recall": _ratio(counts.found.get(k, 0), n)}
            for k, n in sorted(counts.labels.items())
        },
    }


def score(
    labels: dict[str, Any],
    detections: list[Detection],
    threshold: float | Thresholds,
    tolerance: float = DEFAULT_TOLERANCE,
) -> dict[str, Any]:
    """Precision and recall at `threshold` (one value for every source, or one per source)."""
    shown: float | dict[str, float] = threshold if isinstance(threshold, int | float) else dict(threshold)
    return {"threshold": shown, **figures(count(labels, detections, threshold, tolerance))}


def _f1(counts: Counts) -> tuple[float, float]:
    tp, fp = sum(counts.tp.values()), sum(counts.fp.values())
    found, total = sum(counts.found.values()), sum(counts.labels.values())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = found / total if total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision


def choose_thresholds(labels: dict[str, Any], detections: list[Detection], with_text: bool) -> dict[str, float]:
    """The (template, text) thresholds with the best F1 on `labels` (ties: higher precision, higher thresholds)."""
    best: tuple[float, float, float, float] | None = None
    chosen: dict[str, float] = {}
    for template, text in product(TEMPLATE_GRID, TEXT_GRID if with_text else (1.01,)):
        f1, precision = _f1(count(labels, detections, {"template": template, "ocr": text}))
        key = (round(f1, 9), round(precision, 9), template, text)
        if best is None or key > best:
            best, chosen = key, {"template": template, "ocr": text}
    return chosen


def text_detections(detections: list[Detection], lexicon: Lexicon) -> list[Detection]:
    """Template detections as they are, OCR lines turned into `ocr` detections where `lexicon` matches them."""
    found = [d for d in detections if d.source != LINE_SOURCE]
    for d in detections:
        if d.source == LINE_SOURCE:
            for candidate in text_candidates(lexicon, [TextLine(d.bounds, d.text, d.score)], TEXT_FLOOR):
                found.append(Detection(d.image, candidate.bounds, candidate.score, "ocr", d.text))
    return found


def learned_lexicon(base: Lexicon, train: dict[str, Any]) -> Lexicon:
    """`base` plus the texts of the training screens' labelled text buttons ("NO THANKS", "Not now" ...)."""
    phrases = {
        normalise_label(str(control.get("label", "")))
        for entry in train.values()
        for control in entry.get("controls", [])
        if control.get("kind") == "text"
    }
    return replace(base, texts=base.texts | frozenset(p for p in phrases if p))


def cross_validate(
    labels: dict[str, Any],
    detections: list[Detection],
    folds: int,
    with_text: bool,
    lexicon_for: Callable[[dict[str, Any]], Lexicon] | None = None,
) -> dict[str, Any]:
    """Thresholds chosen on k-1 folds, figures on the held-out fold, pooled over folds. With `lexicon_for`, OCR
    lines are matched against the lexicon it builds from the training folds only."""
    names = sorted(labels)
    folds = max(2, min(folds, len(names)))
    pooled = Counts()
    rows: list[dict[str, Any]] = []
    for fold in range(folds):
        held = set(names[fold::folds])
        train = {n: labels[n] for n in names if n not in held}
        test = {n: labels[n] for n in names if n in held}
        usable = detections if lexicon_for is None else text_detections(detections, lexicon_for(train))
        chosen = choose_thresholds(train, usable, with_text)
        counts = count(test, usable, chosen)
        pooled.add(counts)
        rows.append({"fold": fold, "screens": len(test), "thresholds": chosen, **figures(counts)})
    return {
        "folds": folds,
        "split": "screens sorted by file name; screen i is held out in fold i mod k",
        "pooled": figures(pooled),
        "per_fold": rows,
    }


def evaluate_aidui(
    labels_path: Path,
    images_dir: Path,
    detector: Detector,
    *,
    folds: int = DEFAULT_FOLDS,
    on_image: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """The report: held-out figures (k-fold), figures at the detector's thresholds, a sweep, time per image."""
    labels = load_labels(labels_path)
    names = sorted(labels)
    raw, per_image = detect_all(images_dir, names, detector, on_image)
    detections = text_detections(raw, detector.lexicon)
    defaults = {"template": detector.threshold, "ocr": detector.text_threshold}
    with_text = detector.reader is not None
    report: dict[str, Any] = {
        "images": len(names),
        "templates": [t.name for t in detector.templates],
        "ocr": with_text,
        "seconds_per_image": per_image,
        "held_out": cross_validate(labels, detections, folds, with_text),
    }
    if with_text:
        base = load_lexicon_without_seeds()
        report["held_out_learned_lexicon"] = cross_validate(
            labels, raw, folds, with_text, lambda train: learned_lexicon(base, train)
        )
    report["at_threshold"] = score(labels, detections, defaults)
    report["sweep"] = [score(labels, detections, {"template": t, "ocr": defaults["ocr"]}) for t in SWEEP]
    return report
