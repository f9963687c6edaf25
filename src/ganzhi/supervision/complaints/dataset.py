"""The labelled complaint set: expand the hand-written templates with a fixed seed, split by template.

`python -m ganzhi.supervision.complaints.train` rebuilds `data/labelled.jsonl` from `templates.py`
(same seed → same file) and evaluates on held-out templates: every fourth template of each class
never appears in training, so the F1 measures generalisation to unseen phrasings, not recall of
memorised sentences. The set is synthetic (see `templates.py`).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ganzhi.supervision.complaints.templates import CLOSINGS, OPENINGS, SLOTS, TEMPLATES

LABELLED = Path(__file__).parent / "data" / "labelled.jsonl"
SEED = 524
PER_CLASS = 300
#: Every HOLDOUT_EVERY-th template (index % HOLDOUT_EVERY == HOLDOUT_EVERY - 1) is held out.
HOLDOUT_EVERY = 4
LABELS = tuple(TEMPLATES)

#: Word-level paraphrases applied at random (each pair is interchangeable in a complaint).
SYNONYMS: list[tuple[str, str]] = [
    ("根本", "完全"),
    ("太", "非常"),
    ("一直", "始终"),
    ("找不到", "没找到"),
    ("没有", "没"),
    ("说", "表示"),
    ("手机", "手机上"),
    ("特别", "相当"),
]

_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled complaint and the template it came from."""

    text: str
    label: str
    template: str

    @property
    def held_out(self) -> bool:
        """True for examples of held-out templates (the evaluation part)."""
        return int(self.template.rsplit("-", 1)[1]) % HOLDOUT_EVERY == HOLDOUT_EVERY - 1


def _fill(template: str, rng: random.Random) -> str:
    return _SLOT.sub(lambda m: rng.choice(SLOTS[m.group(1)]), template)


def _paraphrase(text: str, rng: random.Random) -> str:
    for a, b in SYNONYMS:
        if a in text and rng.random() < 0.3:
            text = text.replace(a, b, 1)
    return text


def generate(per_class: int = PER_CLASS, seed: int = SEED) -> list[Example]:
    """`per_class` distinct examples per label, spread evenly over the label's templates."""
    rng = random.Random(seed)
    out: list[Example] = []
    for label, templates in TEMPLATES.items():
        seen: set[str] = set()
        budget = per_class * 50
        k = 0
        while len(seen) < per_class and budget > 0:
            budget -= 1
            index = k % len(templates)
            k += 1
            core = _paraphrase(_fill(templates[index], rng), rng)
            end = rng.choice(CLOSINGS)
            text = f"{rng.choice(OPENINGS)}{core}{'，' + end if end else '。'}"
            if text in seen:
                continue
            seen.add(text)
            out.append(Example(text=text, label=label, template=f"{label}-{index}"))
    return out


def write(examples: Iterable[Example], path: Path = LABELLED) -> int:
    """Write examples as JSON Lines; returns how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for ex in examples:
            handle.write(json.dumps({"text": ex.text, "label": ex.label, "template": ex.template}, ensure_ascii=False))
            handle.write("\n")
            count += 1
    return count


def read(path: Path = LABELLED) -> Iterator[Example]:
    """The stored labelled set; a malformed line raises ValueError naming the file and line."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                raw = json.loads(line)
                yield Example(text=str(raw["text"]), label=str(raw["label"]), template=str(raw["template"]))
            except (ValueError, KeyError) as exc:
                raise ValueError(f"{path}:{number}: not a labelled example ({exc})") from None


def split(examples: Iterable[Example]) -> tuple[list[Example], list[Example]]:
    """(train, held-out) by template."""
    train: list[Example] = []
    test: list[Example] = []
    for ex in examples:
        (test if ex.held_out else train).append(ex)
    return train, test
