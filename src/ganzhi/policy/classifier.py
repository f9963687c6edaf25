"""The sentence classifier: CAPP-130 topics, summary-worthiness (摘要) and risk (潜在风险).

Char n-gram TF-IDF of the sentence plus TF-IDF of its heading context, one linear model per label.
The trained artefact is plain arrays (`.npz` + JSON vocabulary), loaded without pickle, so a stored
model cannot run code. Trained by `ganzhi policy train` on the CAPP-130 policy-level train split.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer

from ganzhi.errors import GanzhiError
from ganzhi.policy.features import CONTEXT_NGRAMS, CONTEXT_WEIGHT, SENTENCE_NGRAMS, heading_contexts
from ganzhi.policy.labels import ALL_LABELS, RISK_LABEL, SUMMARY_LABEL, TOPICS

MODEL_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL = MODEL_DIR / "sentence_classifier"


class ModelError(GanzhiError):
    """The model artefact is missing or does not match the expected layout."""


@dataclass(frozen=True, slots=True)
class SentenceLabels:
    """Predicted labels of one sentence, with the probabilities behind them."""

    topics: tuple[str, ...]
    summary: bool
    risk: bool
    scores: dict[str, float]


def _vectorizer(vocab: list[str], idf: NDArray[np.float64], ngrams: tuple[int, int]) -> TfidfVectorizer:
    vec = TfidfVectorizer(
        analyzer="char_wb", ngram_range=ngrams, sublinear_tf=True, vocabulary={t: i for i, t in enumerate(vocab)}
    )
    vec.idf_ = idf
    return vec


class SentenceClassifier:
    """Predicts the CAPP-130 labels of sentences given in document order."""

    def __init__(
        self,
        sentence_vec: TfidfVectorizer,
        context_vec: TfidfVectorizer,
        coef: NDArray[np.float32],
        intercept: NDArray[np.float32],
        thresholds: dict[str, float],
        meta: dict[str, Any],
    ) -> None:
        self.sentence_vec = sentence_vec
        self.context_vec = context_vec
        self.coef = coef
        self.intercept = intercept
        self.thresholds = thresholds
        self.meta = meta

    def features(self, texts: Sequence[str], contexts: Sequence[str]) -> csr_matrix:
        """The stacked sentence + context TF-IDF matrix."""
        left = self.sentence_vec.transform(texts)
        right = self.context_vec.transform(contexts) * CONTEXT_WEIGHT
        return csr_matrix(hstack([left, right]).tocsr())

    def probabilities(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> NDArray[np.float64]:
        """Per-label probabilities, shape (n, len(ALL_LABELS)); contexts default to headings seen in order."""
        if not texts:
            return np.zeros((0, len(ALL_LABELS)))
        ctx = list(contexts) if contexts is not None else heading_contexts(texts)
        scores = self.features(texts, ctx) @ self.coef.T.astype(np.float64) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-scores)))

    def decide(self, probs: NDArray[np.float64]) -> list[SentenceLabels]:
        """Apply the tuned thresholds; a summary-worthy sentence always gets its most likely topic."""
        n_topics = len(TOPICS)
        t_topic = self.thresholds["topic"]
        out: list[SentenceLabels] = []
        for row in probs:
            summary = bool(row[n_topics] >= self.thresholds[SUMMARY_LABEL])
            risk = bool(row[n_topics + 1] >= self.thresholds[RISK_LABEL])
            chosen = {i for i in range(n_topics) if row[i] >= t_topic}
            if summary and not chosen:
                chosen.add(int(np.argmax(row[:n_topics])))
            topics = tuple(TOPICS[i] for i in sorted(chosen))
            scores = {label: round(float(p), 4) for label, p in zip(ALL_LABELS, row, strict=True)}
            out.append(SentenceLabels(topics, summary, risk, scores))
        return out

    def predict(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> list[SentenceLabels]:
        """Labels of sentences given in document order."""
        return self.decide(self.probabilities(texts, contexts))

    def save(self, stem: Path) -> None:
        """Write `<stem>.npz` (arrays) and `<stem>.json.gz` (vocabularies, thresholds, provenance)."""
        np.savez_compressed(
            stem.with_suffix(".npz"),
            coef=self.coef.astype(np.float16),
            intercept=self.intercept.astype(np.float32),
            sentence_idf=np.asarray(self.sentence_vec.idf_, dtype=np.float32),
            context_idf=np.asarray(self.context_vec.idf_, dtype=np.float32),
        )
        body = {
            "labels": list(ALL_LABELS),
            "sentence_vocab": _vocab_list(self.sentence_vec),
            "context_vocab": _vocab_list(self.context_vec),
            "thresholds": self.thresholds,
            "meta": self.meta,
        }
        with gzip.open(stem.with_suffix(".json.gz"), "wt", encoding="utf-8") as handle:
            json.dump(body, handle, ensure_ascii=False)


def _vocab_list(vec: TfidfVectorizer) -> list[str]:
    vocab: dict[str, int] = vec.vocabulary_
    out = [""] * len(vocab)
    for term, index in vocab.items():
        out[index] = term
    return out


def load_classifier(stem: Path = DEFAULT_MODEL) -> SentenceClassifier:
    """Load an artefact written by `SentenceClassifier.save` (no pickle)."""
    npz_path, json_path = stem.with_suffix(".npz"), stem.with_suffix(".json.gz")
    if not npz_path.is_file() or not json_path.is_file():
        raise ModelError(f"{stem}: model artefact not found (expected {npz_path.name} and {json_path.name})")
    with gzip.open(json_path, "rt", encoding="utf-8") as handle:
        body = json.load(handle)
    if body.get("labels") != list(ALL_LABELS):
        raise ModelError(f"{json_path}: labels {body.get('labels')} differ from the expected {list(ALL_LABELS)}")
    with np.load(npz_path, allow_pickle=False) as arrays:
        coef = arrays["coef"].astype(np.float32)
        intercept = arrays["intercept"].astype(np.float32)
        s_idf = arrays["sentence_idf"].astype(np.float64)
        c_idf = arrays["context_idf"].astype(np.float64)
    s_vec = _vectorizer(body["sentence_vocab"], s_idf, SENTENCE_NGRAMS)
    c_vec = _vectorizer(body["context_vocab"], c_idf, CONTEXT_NGRAMS)
    expected = len(body["sentence_vocab"]) + len(body["context_vocab"])
    if coef.shape != (len(ALL_LABELS), expected):
        raise ModelError(f"{npz_path}: coef shape {coef.shape}, expected ({len(ALL_LABELS)}, {expected})")
    return SentenceClassifier(s_vec, c_vec, coef, intercept, dict(body["thresholds"]), dict(body.get("meta", {})))


@lru_cache(maxsize=1)
def default_classifier() -> SentenceClassifier:
    """The shipped model, loaded once per process."""
    return load_classifier(DEFAULT_MODEL)
