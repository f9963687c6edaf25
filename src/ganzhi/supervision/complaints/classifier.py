"""Classify a complaint by task (T1–T11 or other): character n-gram TF-IDF + logistic regression.

Character n-grams need no word segmentation (Chinese has no spaces) and tolerate the typos and
abbreviations of complaint text. The model is trained on the synthetic labelled set kept in the repo
(`data/labelled.jsonl`) when first needed — about a second — so no model file is downloaded or
unpickled. Requires scikit-learn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ganzhi.supervision.complaints.dataset import LABELLED, Example, read, split

MODEL_NAME = "char-tfidf-logreg/v1"
#: Longest text the classifier reads (complaints are short; longer input is truncated).
MAX_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Prediction:
    """A label and the model's probability for it."""

    label: str
    confidence: float


class ComplaintClassifier:
    """A fitted pipeline; `train` builds one, `predict` labels texts."""

    def __init__(self, pipeline: Any) -> None:
        self._pipeline = pipeline

    @classmethod
    def train(cls, examples: Sequence[Example], seed: int = 0) -> ComplaintClassifier:
        """Fit on the given examples."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        pipeline = make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=1),
            LogisticRegression(max_iter=2000, C=10.0, random_state=seed),
        )
        pipeline.fit([ex.text for ex in examples], [ex.label for ex in examples])
        return cls(pipeline)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """One prediction per text (empty text → `other`, confidence 0)."""
        clipped = [t.strip()[:MAX_CHARS] for t in texts]
        out: list[Prediction | None] = [None if t else Prediction("other", 0.0) for t in clipped]
        todo = [k for k, t in enumerate(clipped) if t]
        if todo:
            probs = self._pipeline.predict_proba([clipped[k] for k in todo])
            classes = list(self._pipeline.classes_)
            for k, row in zip(todo, probs, strict=True):
                best = int(row.argmax())
                out[k] = Prediction(str(classes[best]), round(float(row[best]), 4))
        return [p for p in out if p is not None]


@cache
def default_classifier() -> ComplaintClassifier:
    """The classifier trained on every example of the shipped labelled set."""
    return ComplaintClassifier.train(list(read(LABELLED)))


def evaluate_heldout() -> dict[str, Any]:
    """Train on the training templates, score on the held-out ones: macro F1 and per-class F1."""
    from sklearn.metrics import f1_score

    train, test = split(read(LABELLED))
    model = ComplaintClassifier.train(train)
    predicted = [p.label for p in model.predict([ex.text for ex in test])]
    truth = [ex.label for ex in test]
    labels = sorted(set(truth))
    per_class = f1_score(truth, predicted, labels=labels, average=None)
    return {
        "model": MODEL_NAME,
        "train": len(train),
        "held_out": len(test),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4),
        "per_class_f1": {label: round(float(v), 4) for label, v in zip(labels, per_class, strict=True)},
    }
