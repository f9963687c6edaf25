"""Find close/skip controls on one screen: lexicon hits in the view tree, icon templates on the screenshot.

Tree hits are measured on the node a tap would activate (the nearest clickable ancestor); icon-only
clickable nodes are confirmed by template matching on their crop; screenshot matches with no node are
kept too (source `template`: visible but not exposed to accessibility). With a text reader (the optional
OCR), button-like text lines whose words are in the lexicon become candidates too (source `ocr`, score =
recognition confidence × lexicon strength). Overlapping candidates merge.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from ganzhi.collect.ui.hierarchy import Hierarchy, Node
from ganzhi.collect.ui.image import RGB
from ganzhi.collect.ui.lexicon import Lexicon, load_lexicon
from ganzhi.collect.ui.linear import Classifier
from ganzhi.collect.ui.ocr import TextLine, TextReader
from ganzhi.collect.ui.ranking import has_close, load_ranker, rank
from ganzhi.collect.ui.recognise import Observation, Recogniser, load_recogniser, observe
from ganzhi.collect.ui.templates import Template, TemplateBank, load_marks, load_templates, match_templates

#: NCC score a template match needs; the threshold most often chosen on the training folds of the AidUI
#: labels (see labels/aidui_close_controls.README.md).
DEFAULT_TEMPLATE_THRESHOLD = 0.85
#: OCR confidence × lexicon strength a text button needs; chosen the same way.
DEFAULT_TEXT_THRESHOLD = 0.9
#: A control larger than this share of the screen is a container, not a button.
MAX_CONTROL_SHARE = 0.2
#: Icon-only nodes up to this share of the short screen side are probed with templates.
MAX_ICON_SIDE_SHARE = 0.2
ICON_MARGIN_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class Candidate:
    """A probable close control in screenshot pixels."""

    bounds: tuple[int, int, int, int]
    score: float
    source: str
    label: str = ""
    node_index: int | None = None

    def as_json(self) -> dict[str, object]:
        return {"bounds": list(self.bounds), "score": round(self.score, 4), "source": self.source, "label": self.label}


@dataclass(frozen=True, slots=True)
class Detector:
    """Lexicon, templates and threshold; build once, use on many screens."""

    lexicon: Lexicon
    templates: tuple[Template, ...]
    threshold: float = DEFAULT_TEMPLATE_THRESHOLD
    reader: TextReader | None = None
    text_threshold: float = DEFAULT_TEXT_THRESHOLD
    marks: tuple[Template, ...] = ()
    recogniser: Recogniser | None = None
    ranker: Classifier | None = None
    bank: TemplateBank = field(init=False, compare=False, repr=False)
    mark_bank: TemplateBank = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "bank", TemplateBank(self.templates))
        object.__setattr__(self, "mark_bank", TemplateBank(self.marks))

    @classmethod
    def default(
        cls,
        template_dir: Path | None,
        threshold: float = DEFAULT_TEMPLATE_THRESHOLD,
        *,
        reader: TextReader | None = None,
        text_threshold: float = DEFAULT_TEXT_THRESHOLD,
        mark_dir: Path | None = None,
        learned: bool = True,
    ) -> Detector:
        """Shipped lexicon, close templates of `template_dir` (+ drawn ×), AdChoices marks of `mark_dir`, and
        the shipped pop-up model and close ranker (`learned=False`: without them, as the training script needs)."""
        marks = tuple(load_marks(mark_dir)) if mark_dir is not None else ()
        return cls(
            load_lexicon(),
            tuple(load_templates(template_dir)),
            threshold,
            reader,
            text_threshold,
            marks,
            load_recogniser() if learned else None,
            load_ranker() if learned else None,
        )

    def observe(self, rgb: RGB) -> Observation:
        """Search a screenshot once (icons, AdChoices marks, OCR lines, pixel cues)."""
        return observe(rgb, self.bank, self.reader, self.mark_bank)


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    left, top = max(a[0], b[0]), max(a[1], b[1])
    right, bottom = min(a[2], b[2]), min(a[3], b[3])
    if right <= left or bottom <= top:
        return False
    inter = (right - left) * (bottom - top)
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return smaller > 0 and inter / smaller >= 0.5


def _screen(hierarchy: Hierarchy | None, rgb: RGB | None) -> tuple[int, int]:
    if rgb is not None:
        return rgb.shape[1], rgb.shape[0]
    if hierarchy is not None and hierarchy.screen is not None:
        return hierarchy.screen
    if hierarchy is not None:
        return max(n.bounds[2] for n in hierarchy.nodes), max(n.bounds[3] for n in hierarchy.nodes)
    return 0, 0


def _has_label(hierarchy: Hierarchy, node: Node) -> bool:
    if node.text.strip() or node.desc.strip():
        return True
    return any(_has_label(hierarchy, child) for child in hierarchy.children(node.index))


def _tree_candidates(detector: Detector, hierarchy: Hierarchy, rgb: RGB | None, screen_area: int) -> list[Candidate]:
    found: list[Candidate] = []
    short_side = min(_screen(hierarchy, rgb)) or 1
    for node in hierarchy.nodes:
        if not node.visible or node.area == 0:
            continue
        hit = detector.lexicon.match(node)
        if hit is not None:
            target = hierarchy.clickable_target(node.index)
            if screen_area and target.area / screen_area > MAX_CONTROL_SHARE:
                target = node
            found.append(Candidate(target.bounds, hit.score, hit.source, hit.literal, target.index))
            continue
        small = max(node.width, node.height) <= MAX_ICON_SIDE_SHARE * short_side
        if rgb is None or not node.clickable or not small or (not node.naf and _has_label(hierarchy, node)):
            continue
        margin = round(ICON_MARGIN_SHARE * max(node.width, node.height))
        left, top = max(0, node.bounds[0] - margin), max(0, node.bounds[1] - margin)
        crop = rgb[top : node.bounds[3] + margin, left : node.bounds[2] + margin]
        matches = _match_crop(detector, crop)
        if matches:
            found.append(Candidate(node.bounds, matches, "icon", "icon", node.index))
    return found


def _match_crop(detector: Detector, crop: RGB) -> float:
    """Best template score inside an icon crop, searched at the crop's own scale."""
    from ganzhi.collect.ui.image import gray
    from ganzhi.collect.ui.templates import _resize, _Search

    if crop.size == 0 or min(crop.shape[:2]) < 8:
        return 0.0
    image = gray(crop)
    search = _Search(image)
    best = 0.0
    side_max = min(image.shape)
    for template in detector.templates:
        for share in (0.5, 0.7, 0.9):
            side = max(8, round(side_max * share))
            scores = search.ncc(_resize(template.pixels, side, side))
            if scores.size:
                value = float(abs(scores).max() if template.polarity_free else scores.max())
                best = max(best, value)
    return best if best >= detector.threshold else 0.0


def merge(candidates: list[Candidate]) -> list[Candidate]:
    """Merge overlapping candidates: a view-tree node keeps its bounds, the best score is kept, sources are
    joined ('icon+template')."""
    kept: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (c.node_index is None, -c.score, c.source)):
        for position, other in enumerate(kept):
            if _overlap(candidate.bounds, other.bounds):
                source = other.source
                if candidate.source not in source.split("+"):
                    source = f"{source}+{candidate.source}"
                kept[position] = replace(other, source=source, score=max(other.score, candidate.score))
                break
        else:
            kept.append(candidate)
    return sorted(kept, key=lambda c: (-c.score, c.node_index is None))


def text_candidates(lexicon: Lexicon, lines: list[TextLine], threshold: float) -> list[Candidate]:
    """Lines whose text is a close/skip word ("跳过", "5 跳过", "Skip Ad", "NO THANKS"), scored
    confidence × lexicon strength; a lone "X"/"×" read as text is an icon."""
    found: list[Candidate] = []
    for line in lines:
        hit = lexicon.match_text(line.text)
        if hit is None:
            continue
        value = line.confidence * hit.score
        if value >= threshold:
            found.append(Candidate(line.bounds, value, "ocr", line.text))
    return found


#: Ranked screenshot candidates kept above the ranker's threshold.
MAX_RANKED = 5


def ranked_close(detector: Detector, observation: Observation) -> list[Candidate]:
    """Screenshot-only candidates scored by the learned ranker, best first; empty when the best one is below
    the ranker's threshold (the screen has no close control)."""
    if detector.ranker is None:
        return []
    ranked = rank(observation, detector.lexicon, detector.ranker)
    if not has_close(ranked, detector.ranker):
        return []
    kept = [r for r in ranked if r.score >= detector.ranker.threshold][:MAX_RANKED]
    return [Candidate(r.bounds, r.score, r.source, r.label) for r in kept]


def detect_close(
    detector: Detector, *, rgb: RGB | None, hierarchy: Hierarchy | None, observation: Observation | None = None
) -> list[Candidate]:
    """Close/skip candidates of one screen, best first.

    A bare screenshot goes through the learned ranker when one is loaded (`observation` saves searching the
    screen again); with a view tree, tree hits come first and screenshot matches are added at the thresholds.
    """
    width, height = _screen(hierarchy, rgb)
    if hierarchy is None and rgb is not None and detector.ranker is not None:
        return ranked_close(detector, observation if observation is not None else detector.observe(rgb))
    found: list[Candidate] = []
    if hierarchy is not None:
        found.extend(_tree_candidates(detector, hierarchy, rgb, width * height))
    if rgb is not None:
        if observation is not None:
            icons = [m for m in observation.icons if m.score >= detector.threshold]
            lines = list(observation.lines)
        else:
            icons = match_templates(rgb, detector.bank, threshold=detector.threshold)
            lines = detector.reader.read(rgb) if detector.reader is not None else []
        for match in icons:
            found.append(Candidate(match.bounds, match.score, "template", match.template))
        found.extend(text_candidates(detector.lexicon, lines, detector.text_threshold))
    return merge(found)
