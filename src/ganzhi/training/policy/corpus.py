"""Reading the CAPP-130 annotation files and the policy-level split (training and evaluation only)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from ganzhi.collect.policy.labels import clean_labels
from ganzhi.errors import GanzhiError


class CorpusError(GanzhiError):
    """The CAPP-130 folder is missing or malformed."""


@dataclass(frozen=True, slots=True)
class LabelledSentence:
    """One annotated sentence with the policy (group) it belongs to."""

    policy: str
    group: str
    text: str
    labels: tuple[str, ...]
    rewrite: str | None


def read_split(root: Path) -> dict[str, tuple[str, str]]:
    """`annotation file → (group, split)` from `policy_level_split.csv`."""
    path = root / "policy_level_split.csv"
    if not path.is_file():
        raise CorpusError(f"{path}: split file not found (expected the CAPP-130 folder of ../shared/data/policy)")
    out: dict[str, tuple[str, str]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row_no, row in enumerate(csv.DictReader(handle), start=2):
            name, group, split = row.get("annotation_file"), row.get("group"), row.get("split")
            if not name or not group or split not in {"train", "dev", "test"}:
                raise CorpusError(f"{path}: row {row_no}: expected annotation_file, group, split train|dev|test")
            out[name] = (group, split)
    return out


def _rewrite(raw: object) -> str | None:
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    if isinstance(raw, list):
        parts = [x for x in raw if isinstance(x, str) and x.strip()]
        return "".join(parts) if parts else None
    return None


def read_annotation(path: Path, group: str) -> list[LabelledSentence]:
    """Sentences of one `rw_N.jsonl`; a malformed line names the file and line."""
    out: list[LabelledSentence] = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path}: line {line_no}: invalid JSON ({exc.msg})") from None
            text = obj.get("text") if isinstance(obj, dict) else None
            if not isinstance(text, str):
                raise CorpusError(f"{path}: line {line_no}: expected a string 'text'")
            labels = tuple(clean_labels(obj.get("label")))
            out.append(LabelledSentence(path.name, group, text, labels, _rewrite(obj.get("rewrite"))))
    return out


def load_split(root: Path, split: str) -> list[LabelledSentence]:
    """Every sentence of the policies in one split, in file order."""
    folder = root / "Annotation" / "Annotation"
    sentences: list[LabelledSentence] = []
    for name, (group, part) in sorted(read_split(root).items()):
        if part != split:
            continue
        path = folder / name
        if not path.is_file():
            raise CorpusError(f"{path}: listed in policy_level_split.csv but missing")
        sentences.extend(read_annotation(path, group))
    return sentences
