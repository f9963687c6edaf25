"""The sentence classifier: CAPP-130 topics, summary-worthiness (摘要) and risk (潜在风险).

Stage 1 (see `features`) scores each sentence from its own n-grams, its headings and its neighbours;
an optional stage 2 rescores it from the stage-1 scores of its neighbours, section and document — it
ships only when grouped cross-validation on train prefers it. Thresholds are per label. The trained
artefact is plain arrays (`.npz`) plus JSON (thresholds, provenance), loaded without pickle, so a
stored model cannot run code. Trained by `ganzhi policy train` on the CAPP-130 policy-level train split.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ganzhi.collect.policy.features import (
    CONTEXT_NGRAMS,
    NEIGHBOUR_NGRAMS,
    SENTENCE_NGRAMS,
    STAGE2_BLOCKS,
    Vocabularies,
    heading_contexts,
    stage1_scores,
    stage2_matrix,
)
from ganzhi.collect.policy.labels import ALL_LABELS, RISK_LABEL, SUMMARY_LABEL, TOPICS
from ganzhi.collect.policy.ngrams import HashedTfidf
from ganzhi.errors import GanzhiError

MODEL_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL = MODEL_DIR / "sentence_classifier"
FORMAT_VERSION = 2


class ModelError(GanzhiError):
    """The model artefact is missing or does not match the expected layout."""


@dataclass(frozen=True, slots=True)
class SentenceLabels:
    """Predicted labels of one sentence, with the probabilities behind them (in `ALL_LABELS` order)."""

    topics: tuple[str, ...]
    summary: bool
    risk: bool
    probabilities: tuple[float, ...]

    @property
    def scores(self) -> dict[str, float]:
        """Probability by label name."""
        return {label: round(p, 4) for label, p in zip(ALL_LABELS, self.probabilities, strict=True)}


@dataclass(slots=True)
class LinearStage:
    """One linear layer of per-label logistic models: `sigmoid(x @ coef.T + intercept)`."""

    coef: NDArray[np.float32]
    intercept: NDArray[np.float32]
    _coef_t: NDArray[np.float64] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._coef_t = np.ascontiguousarray(self.coef.T, dtype=np.float64)

    @property
    def coef_t(self) -> NDArray[np.float64]:
        """Transposed weights (features × labels) as float64."""
        return self._coef_t

    def probabilities(self, x: Any) -> NDArray[np.float64]:
        """Per-label probabilities of the rows of `x` (sparse or dense)."""
        return self.probabilities_from_scores(np.asarray(x @ self._coef_t))

    def probabilities_from_scores(self, scores: NDArray[np.float64]) -> NDArray[np.float64]:
        """Sigmoid of `scores + intercept`."""
        return np.asarray(1.0 / (1.0 + np.exp(-(scores + self.intercept.astype(np.float64)))))


def decide_flags(probs: NDArray[np.float64], thresholds: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Boolean label matrix: probability ≥ threshold, plus the most likely topic of a summary-worthy
    sentence that got none (a 摘要 sentence always belongs to some topic in CAPP-130)."""
    n_topics = len(TOPICS)
    chosen = probs >= thresholds
    empty = chosen[:, n_topics] & ~chosen[:, :n_topics].any(axis=1)
    if empty.any():
        rows = np.flatnonzero(empty)
        chosen[rows, np.argmax(probs[rows, :n_topics], axis=1)] = True
    return np.asarray(chosen)


class SentenceClassifier:
    """Predicts the CAPP-130 labels of sentences given in document order."""

    def __init__(
        self,
        vocab: Vocabularies,
        stage1: LinearStage,
        stage2: LinearStage | None,
        thresholds: dict[str, float],
        meta: dict[str, Any],
    ) -> None:
        self.vocab = vocab
        self.stage1 = stage1
        self.stage2 = stage2
        self.thresholds = thresholds
        self.meta = meta

    def probabilities(
        self, texts: Sequence[str], contexts: Sequence[str] | None = None, starts: Sequence[bool] | None = None
    ) -> NDArray[np.float64]:
        """Per-label probabilities, shape (n, len(ALL_LABELS)); contexts default to headings seen in order."""
        if not texts:
            return np.zeros((0, len(ALL_LABELS)))
        ctx = list(contexts) if contexts is not None else heading_contexts(texts, starts)
        probs = self.stage1.probabilities_from_scores(stage1_scores(self.vocab, self.stage1.coef_t, texts, ctx, starts))
        if self.stage2 is None:
            return probs
        return self.stage2.probabilities(stage2_matrix(probs, ctx, starts))

    def threshold_vector(self) -> NDArray[np.float64]:
        """Thresholds in `ALL_LABELS` order; a label without its own uses the shared `topic` value."""
        shared = self.thresholds.get("topic", 0.5)
        return np.array([self.thresholds.get(label, shared) for label in ALL_LABELS])

    def decide(self, probs: NDArray[np.float64]) -> list[SentenceLabels]:
        """Apply the per-label thresholds; a summary-worthy sentence always gets its most likely topic."""
        n_topics = len(TOPICS)
        chosen = decide_flags(probs, self.threshold_vector())
        out: list[SentenceLabels] = []
        for flags, row in zip(chosen.tolist(), probs.tolist(), strict=True):
            topics = tuple(TOPICS[i] for i in range(n_topics) if flags[i])
            out.append(SentenceLabels(topics, flags[n_topics], flags[n_topics + 1], tuple(row)))
        return out

    def predict(
        self, texts: Sequence[str], contexts: Sequence[str] | None = None, starts: Sequence[bool] | None = None
    ) -> list[SentenceLabels]:
        """Labels of sentences given in document order (`starts` marks where a new document begins)."""
        return self.decide(self.probabilities(texts, contexts, starts))

    def save(self, stem: Path) -> None:
        """Write `<stem>.npz` (arrays) and `<stem>.json.gz` (thresholds, provenance)."""
        arrays: dict[str, NDArray[Any]] = {
            "coef1": self.stage1.coef.astype(np.float16),
            "intercept1": self.stage1.intercept.astype(np.float32),
        }
        if self.stage2 is not None:
            arrays["coef2"] = self.stage2.coef.astype(np.float32)
            arrays["intercept2"] = self.stage2.intercept.astype(np.float32)
        for name in ("sentence", "context", "neighbour"):
            tfidf: HashedTfidf = getattr(self.vocab, name)
            arrays[f"{name}_keys"] = tfidf.keys
            arrays[f"{name}_idf"] = tfidf.idf.astype(np.float32)
        np.savez_compressed(stem.with_suffix(".npz"), **arrays)  # type: ignore[arg-type]
        body = {"format": FORMAT_VERSION, "labels": list(ALL_LABELS), "thresholds": self.thresholds, "meta": self.meta}
        with gzip.open(stem.with_suffix(".json.gz"), "wt", encoding="utf-8") as handle:
            json.dump(body, handle, ensure_ascii=False)


def load_classifier(stem: Path = DEFAULT_MODEL) -> SentenceClassifier:
    """Load an artefact written by `SentenceClassifier.save` (no pickle)."""
    npz_path, json_path = stem.with_suffix(".npz"), stem.with_suffix(".json.gz")
    if not npz_path.is_file() or not json_path.is_file():
        raise ModelError(f"{stem}: model artefact not found (expected {npz_path.name} and {json_path.name})")
    with gzip.open(json_path, "rt", encoding="utf-8") as handle:
        body = json.load(handle)
    if body.get("labels") != list(ALL_LABELS) or body.get("format") != FORMAT_VERSION:
        raise ModelError(
            f"{json_path}: expected format {FORMAT_VERSION} with labels {list(ALL_LABELS)}, "
            f"got format {body.get('format')} with {body.get('labels')}"
        )
    ranges = {"sentence": SENTENCE_NGRAMS, "context": CONTEXT_NGRAMS, "neighbour": NEIGHBOUR_NGRAMS}
    with np.load(npz_path, allow_pickle=False) as arrays:
        tables = {
            name: HashedTfidf(
                keys=arrays[f"{name}_keys"].astype(np.uint64),
                idf=arrays[f"{name}_idf"].astype(np.float64),
                ngram_range=r,
            )
            for name, r in ranges.items()
        }
        vocab = Vocabularies(**tables)
        stage1 = LinearStage(arrays["coef1"].astype(np.float32), arrays["intercept1"].astype(np.float32))
        stage2 = (
            LinearStage(arrays["coef2"].astype(np.float32), arrays["intercept2"].astype(np.float32))
            if "coef2" in arrays.files
            else None
        )
    if stage1.coef.shape != (len(ALL_LABELS), vocab.width):
        raise ModelError(f"{npz_path}: coef1 shape {stage1.coef.shape}, expected ({len(ALL_LABELS)}, {vocab.width})")
    if stage2 is not None and stage2.coef.shape != (len(ALL_LABELS), STAGE2_BLOCKS * len(ALL_LABELS)):
        raise ModelError(f"{npz_path}: coef2 shape {stage2.coef.shape} does not match {STAGE2_BLOCKS} blocks")
    thresholds = {str(k): float(v) for k, v in body["thresholds"].items()}
    for label in (SUMMARY_LABEL, RISK_LABEL):
        if label not in thresholds:
            raise ModelError(f"{json_path}: threshold for {label} missing")
    return SentenceClassifier(vocab, stage1, stage2, thresholds, dict(body.get("meta", {})))


@lru_cache(maxsize=1)
def default_classifier() -> SentenceClassifier:
    """The shipped model, loaded once per process."""
    return load_classifier(DEFAULT_MODEL)
