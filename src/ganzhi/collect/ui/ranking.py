"""Rank the close-control candidates of a bare screenshot with a small learned model.

Candidates are every close-icon template match and every button-like OCR line of the `Observation`.
Each is described by what it is (icon score, text confidence, lexicon strength, skip/countdown/dismiss
or accept/install wording), where it is (screen and card corners, bands, size) and how it sits among the
others (lowest text line of the card, the only icon); a logistic model trained by
`ganzhi.training.ui.recognition_train` (grouped cross-validation on the AidUI labels) scores them. The
best score below the model's threshold means "this screen has no close control".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ganzhi.collect.ui.lexicon import Lexicon, has_countdown, normalise_label
from ganzhi.collect.ui.linear import Classifier, load_model
from ganzhi.collect.ui.recognise import ACCEPT, DATA, DISMISS, INSTALL, OFFER, SKIP, Observation

RANKER_PATH = DATA / "close_ranker.json"
X_TEXT = {"x", "×", "✕", "✖", "⊗"}
#: Android's status bar is 24 dp high, about 0.06 of a phone's short side (411 dp); a candidate lying
#: entirely inside it is a status icon (Wi-Fi, battery, a notification ×), not the pop-up's control.
STATUS_BAR_SHARE = 0.06
Bounds = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Ranked:
    """A candidate with its features and, once scored, its probability of being the close control."""

    bounds: Bounds
    source: str
    label: str
    values: dict[str, float]
    score: float = 0.0


def _overlap(a: Bounds, b: Bounds) -> float:
    width, height = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / smaller if smaller > 0 else 0.0


def _geometry(bounds: Bounds, observation: Observation) -> dict[str, float]:
    w, h = max(1, observation.width), max(1, observation.height)
    cx, cy = (bounds[0] + bounds[2]) / 2 / w, (bounds[1] + bounds[3]) / 2 / h
    values = {
        "cx": cx,
        "cy": cy,
        "edge_x": min(cx, 1 - cx),
        "width": (bounds[2] - bounds[0]) / w,
        "height": (bounds[3] - bounds[1]) / h,
        "top_band": float(cy < 0.12),
        "bottom_band": float(cy > 0.82),
        "corner": float(min(cx, 1 - cx) < 0.15 and min(cy, 1 - cy) < 0.12),
        "status_band": float(bounds[3] <= STATUS_BAR_SHARE * min(w, h)),
        "in_card": 0.0,
        "card_corner": 0.0,
        "card_lower": 0.0,
        "above_card": 0.0,
    }
    card = observation.pixels.card
    if card is not None:
        px, py = cx * w, cy * h
        inside = card[0] <= px <= card[2] and card[1] <= py <= card[3]
        values["in_card"] = float(inside)
        near_x = min(abs(px - card[0]), abs(px - card[2])) <= 0.1 * w
        near_y = min(abs(py - card[1]), abs(py - card[3])) <= 0.08 * h
        values["card_corner"] = float(near_x and near_y)
        values["card_lower"] = float(inside and py > (card[1] + card[3]) / 2)
        values["above_card"] = float(py < card[1] and card[1] - py <= 0.1 * h)
    return values


def _text(label: str, confidence: float, lexicon: Lexicon) -> dict[str, float]:
    hit = lexicon.match_text(label)
    core = normalise_label(label)
    letters = [c for c in label if c.isalpha()]
    return {
        "is_text": 1.0,
        "text_conf": confidence,
        "lexicon": hit.score if hit is not None else 0.0,
        "skip_word": float(SKIP.search(label) is not None),
        "countdown": float(has_countdown(label) and len(label) <= 12),
        "dismiss_word": float(DISMISS.match(label.strip()) is not None),
        "accept_word": float(ACCEPT.match(label.strip()) is not None),
        "install_word": float(INSTALL.search(label) is not None),
        "offer_word": float(OFFER.search(label) is not None),
        "x_text": float(label.strip().lower() in X_TEXT),
        "short_text": float(0 < len(core) <= 12),
        "upper": float(bool(letters) and all(c.isupper() for c in letters)),
    }


def candidates(observation: Observation, lexicon: Lexicon) -> list[Ranked]:
    """Every icon match and text line as an unscored candidate with its features."""
    found: list[Ranked] = []
    for match in observation.icons:
        values = {"is_icon": 1.0, "icon_score": match.score, **_geometry(match.bounds, observation)}
        found.append(Ranked(match.bounds, "template", match.template, values))
    text_rows = [
        Ranked(
            line.bounds,
            "ocr",
            line.text,
            {**_text(line.text, line.confidence, lexicon), **_geometry(line.bounds, observation)},
        )
        for line in observation.lines
    ]
    if text_rows:
        lowest = max(r.values["cy"] for r in text_rows)
        for row in text_rows:
            row.values["lowest_line"] = float(row.values["cy"] >= lowest - 1e-6)
            near = [o for o in observation.icons if _overlap(o.bounds, row.bounds) >= 0.3]
            row.values["icon_score"] = max((o.score for o in near), default=0.0)
            row.values["pair_dismiss"] = row.values["pair_accept"] = 0.0
        _pairs(text_rows)
    found.extend(text_rows)
    icon_count = sum(1 for r in found if r.source == "template")
    for row in found:
        row.values["icon_count"] = min(5.0, float(icon_count))
        row.values["recognised_lines"] = min(16.0, float(len(text_rows))) / 16
    return found


def _dismissive(row: Ranked) -> bool:
    return row.values["dismiss_word"] > 0 or row.values["lexicon"] > 0 or row.values["skip_word"] > 0


def _affirmative(row: Ranked) -> bool:
    return row.values["accept_word"] > 0 or row.values["install_word"] > 0 or row.values["offer_word"] > 0


def _pairs(rows: Sequence[Ranked]) -> None:
    """Mark the two halves of a dialog's button row: a dismissive line ("LATER", "No thanks") beside an
    affirmative one ("OK", "INSTALL") on the same row. The dismissive one closes the dialog; its partner
    accepts, which is what a close control must not be, however button-like it reads."""
    for first in rows:
        for second in rows:
            if first is second:
                continue
            a, b = first.bounds, second.bounds
            height = max(1, a[3] - a[1], b[3] - b[1])
            same_row = abs((a[1] + a[3]) - (b[1] + b[3])) / 2 <= 0.6 * height
            apart = a[2] <= b[0] or b[2] <= a[0]
            if same_row and apart and _dismissive(first) and _affirmative(second) and not _affirmative(first):
                first.values["pair_dismiss"] = 1.0
                second.values["pair_accept"] = 1.0


RANK_FEATURES = (
    "is_icon",
    "icon_score",
    "is_text",
    "text_conf",
    "lexicon",
    "skip_word",
    "countdown",
    "dismiss_word",
    "accept_word",
    "install_word",
    "offer_word",
    "x_text",
    "short_text",
    "upper",
    "cx",
    "cy",
    "edge_x",
    "width",
    "height",
    "top_band",
    "bottom_band",
    "corner",
    "status_band",
    "in_card",
    "card_corner",
    "card_lower",
    "above_card",
    "lowest_line",
    "pair_dismiss",
    "pair_accept",
    "icon_count",
    "recognised_lines",
)


def rank(observation: Observation, lexicon: Lexicon, model: Classifier) -> list[Ranked]:
    """Candidates scored by `model`, best first; overlapping ones keep the best score (one control)."""
    scored = sorted(
        (
            Ranked(c.bounds, c.source, c.label, c.values, model.probability(c.values))
            for c in candidates(observation, lexicon)
        ),
        key=lambda r: -r.score,
    )
    kept: list[Ranked] = []
    for row in scored:
        if all(_overlap(row.bounds, other.bounds) < 0.5 for other in kept):
            kept.append(row)
    return kept


def has_close(ranked: Sequence[Ranked], model: Classifier) -> bool:
    """Whether the best candidate clears the model's threshold (else: no close control on the screen)."""
    return bool(ranked) and ranked[0].score >= model.threshold


@lru_cache(maxsize=2)
def load_ranker(path: Path = RANKER_PATH) -> Classifier:
    """The shipped close ranker (InputError when missing or not fitting this code)."""
    return load_model(path, RANK_FEATURES)
