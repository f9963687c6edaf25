"""How far any sentence classifier can get on CAPP-130: figures from the gold labels alone, no model.

Why: the dev-split targets are only meaningful next to what the annotation itself supports. Two
measures. (1) Consistency: the same sentence text occurs in several policies (boilerplate), annotated
independently; taking one occurrence as gold and another as prediction gives an agreement F1, which
bounds what a classifier that sees only the text can reach on such sentences. (2) The summary
oracle: in CAPP-130 a 摘要 sentence almost always carries a topic, so "摘要 ⇔ the sentence has a gold
topic" is the summary F1 of a classifier with perfect topic knowledge and no further judgement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

from ganzhi.training.policy.corpus import LabelledSentence
from ganzhi.training.policy.evaluation import N_TOPICS, RISK_COL, SUMMARY_COL, binary_f1, gold_matrix


@dataclass(frozen=True, slots=True)
class Ceiling:
    """Annotation-only figures for one set of policies."""

    sentences: int
    repeated_texts: int
    pairs: int
    topic_pair_micro_f1: float
    summary_pair_f1: float
    risk_pair_f1: float
    summary_oracle_f1: float

    def as_dict(self) -> dict[str, float | int]:
        """Plain dict for JSON output."""
        return asdict(self)


def _pair_rows(sentences: Sequence[LabelledSentence]) -> tuple[list[int], list[int]]:
    """Index pairs (a, b) of sentences with the same text in two different policies, both orders."""
    by_text: dict[str, list[int]] = defaultdict(list)
    for i, sentence in enumerate(sentences):
        by_text["".join(sentence.text.split())].append(i)  # whitespace carries no meaning in Chinese text
    left: list[int] = []
    right: list[int] = []
    for rows in by_text.values():
        for a, b in combinations(rows, 2):
            if sentences[a].group != sentences[b].group:
                left += [a, b]
                right += [b, a]
    return left, right


def _pair_f1(gold: NDArray[np.bool_], left: list[int], right: list[int]) -> float:
    return binary_f1(gold[left].reshape(-1), gold[right].reshape(-1)) if left else 0.0


def annotation_ceiling(sentences: Sequence[LabelledSentence]) -> Ceiling:
    """Consistency and oracle figures of the gold labels of `sentences` (policies of one or more splits)."""
    gold = gold_matrix([list(s.labels) for s in sentences])
    left, right = _pair_rows(sentences)
    bearing = np.asarray(gold[:, :N_TOPICS].any(axis=1))
    return Ceiling(
        sentences=len(sentences),
        repeated_texts=len(set(left)),
        pairs=len(left) // 2,
        topic_pair_micro_f1=round(_pair_f1(gold[:, :N_TOPICS], left, right), 4),
        summary_pair_f1=round(_pair_f1(gold[:, SUMMARY_COL], left, right), 4),
        risk_pair_f1=round(_pair_f1(gold[:, RISK_COL], left, right), 4),
        summary_oracle_f1=round(binary_f1(np.asarray(gold[:, SUMMARY_COL]), bearing), 4),
    )
