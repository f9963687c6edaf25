"""Screenshot-only close-control detection measured against hand labels (the AidUI NAGGING screens).

A detection is a true positive when its centre lies inside a labelled box grown by `tolerance` × the
screen width (labels are hand-drawn, about ±2 % of the width); each label is matched at most once, best
score first. Detections are made once at a low floor, so a threshold sweep costs nothing extra.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ganzhi.errors import InputError
from ganzhi.ui.image import ImageError, load_rgb
from ganzhi.ui.templates import Template, match_templates

SWEEP_FLOOR = 0.75
SWEEP = (0.75, 0.8, 0.85, 0.9, 0.95)
DEFAULT_TOLERANCE = 0.02


@dataclass(frozen=True, slots=True)
class Detection:
    image: str
    bounds: tuple[int, int, int, int]
    score: float


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
    images_dir: Path, names: list[str], templates: list[Template], on_image: Callable[[], None] | None = None
) -> tuple[list[Detection], float]:
    """Template detections (score ≥ SWEEP_FLOOR) on every image, and seconds per image."""
    found: list[Detection] = []
    start = time.perf_counter()
    for name in names:
        try:
            rgb = load_rgb((images_dir / name).read_bytes())
        except (OSError, ImageError) as exc:
            raise InputError(str(images_dir / name), str(exc)) from None
        for match in match_templates(rgb, templates, threshold=SWEEP_FLOOR):
            found.append(Detection(name, match.bounds, match.score))
        if on_image is not None:
            on_image()
    return found, (time.perf_counter() - start) / max(1, len(names))


def score(
    labels: dict[str, Any], detections: list[Detection], threshold: float, tolerance: float = DEFAULT_TOLERANCE
) -> dict[str, Any]:
    """Precision and recall at `threshold`; recall also split by label kind (icon / text)."""
    matched: set[tuple[str, int]] = set()
    tp = fp = 0
    for det in sorted((d for d in detections if d.score >= threshold), key=lambda d: -d.score):
        entry = labels.get(det.image, {})
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
        if hit is None:
            fp += 1
        else:
            tp += 1
            matched.add((det.image, hit))
    kinds: dict[str, list[int]] = {}
    for image, entry in labels.items():
        for position, control in enumerate(entry.get("controls", [])):
            pair = kinds.setdefault(control.get("kind", "other"), [0, 0])
            pair[1] += 1
            pair[0] += (image, position) in matched
    total = sum(pair[1] for pair in kinds.values())
    return {
        "threshold": threshold,
        "true_positives": tp,
        "false_positives": fp,
        "labels": total,
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(len(matched) / total, 3) if total else None,
        "recall_by_kind": {
            k: {"found": v[0], "labels": v[1], "recall": round(v[0] / v[1], 3) if v[1] else None}
            for k, v in sorted(kinds.items())
        },
    }


def evaluate_aidui(
    labels_path: Path,
    images_dir: Path,
    templates: list[Template],
    threshold: float,
    on_image: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """The report: the chosen threshold's figures, a sweep, and the time per image."""
    labels = load_labels(labels_path)
    names = sorted(labels)
    detections, per_image = detect_all(images_dir, names, templates, on_image)
    return {
        "images": len(names),
        "templates": [t.name for t in templates],
        "seconds_per_image": round(per_image, 3),
        "at_threshold": score(labels, detections, threshold),
        "sweep": [score(labels, detections, t) for t in SWEEP],
    }
