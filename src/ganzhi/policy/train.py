"""Train the sentence classifier on the CAPP-130 policy-level train split and score it on dev.

Thresholds are tuned by grouped cross-validation on train only (folds never split a policy), so
the dev figures are an honest held-out estimate. Run: `ganzhi policy train --data ../shared/data/policy/capp130`.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from ganzhi.policy.classifier import DEFAULT_MODEL, SentenceClassifier
from ganzhi.policy.corpus import LabelledSentence, load_split
from ganzhi.policy.evaluation import Scores, score
from ganzhi.policy.features import CONTEXT_NGRAMS, CONTEXT_WEIGHT, SENTENCE_NGRAMS, heading_contexts
from ganzhi.policy.labels import ALL_LABELS, RISK_LABEL, SUMMARY_LABEL

C_VALUE = 4.0
FOLDS = 3
CONTEXT_MAX_FEATURES = 30_000
ATTRIBUTION = (
    "Trained on CAPP-130 (Zhu et al., NeurIPS 2023 Datasets & Benchmarks; github.com/EnlightenedAI/CAPP-130, "
    "data CC BY 4.0, repository Apache-2.0), policy-level train split."
)
_GRID = [round(x, 2) for x in np.arange(0.2, 0.86, 0.05)]


def _starts(sentences: Sequence[LabelledSentence]) -> list[bool]:
    return [i == 0 or sentences[i - 1].policy != s.policy for i, s in enumerate(sentences)]


def _targets(sentences: Sequence[LabelledSentence]) -> NDArray[np.int8]:
    return np.array([[label in s.labels for label in ALL_LABELS] for s in sentences], dtype=np.int8)


def _fit_weights(x: csr_matrix, y: NDArray[np.int8]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    coefs, intercepts = [], []
    for j in range(y.shape[1]):
        model = LogisticRegression(C=C_VALUE, class_weight="balanced", max_iter=3000)
        model.fit(x, y[:, j])
        coefs.append(model.coef_[0])
        intercepts.append(model.intercept_[0])
    return np.array(coefs, dtype=np.float32), np.array(intercepts, dtype=np.float32)


def _best(metric: Callable[[float], float]) -> float:
    return float(max(_GRID, key=metric))


def tune_thresholds(model: SentenceClassifier, probs: NDArray[np.float64], gold: list[list[str]]) -> dict[str, float]:
    """Summary and risk thresholds maximise their F1; then the topic threshold maximises topic micro-F1."""
    thresholds = {"topic": 0.5, SUMMARY_LABEL: 0.5, RISK_LABEL: 0.5}

    def with_(key: str, value: float) -> Scores:
        model.thresholds = {**thresholds, key: value}
        return score(gold, model.decide(probs))

    thresholds[SUMMARY_LABEL] = _best(lambda t: with_(SUMMARY_LABEL, t).summary_f1)
    thresholds[RISK_LABEL] = _best(lambda t: with_(RISK_LABEL, t).risk_f1)
    thresholds["topic"] = _best(lambda t: with_("topic", t).topic_micro_f1)
    model.thresholds = thresholds
    return thresholds


def train(data_root: Path, out_stem: Path = DEFAULT_MODEL, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Fit, tune by grouped CV on train, score on dev, save the artefact and `<stem>.metrics.json`."""
    started = time.perf_counter()
    train_set, dev_set = load_split(data_root, "train"), load_split(data_root, "dev")
    log(f"train: {len(train_set)} sentences; dev: {len(dev_set)} sentences")
    s_vec = TfidfVectorizer(analyzer="char_wb", ngram_range=SENTENCE_NGRAMS, min_df=2, sublinear_tf=True)
    c_vec = TfidfVectorizer(
        analyzer="char_wb", ngram_range=CONTEXT_NGRAMS, min_df=2, sublinear_tf=True, max_features=CONTEXT_MAX_FEATURES
    )
    texts = [s.text for s in train_set]
    contexts = heading_contexts(texts, _starts(train_set))
    x = csr_matrix(hstack([s_vec.fit_transform(texts), c_vec.fit_transform(contexts) * CONTEXT_WEIGHT]).tocsr())
    y = _targets(train_set)
    groups = sorted({s.group for s in train_set})
    fold_of = {g: i % FOLDS for i, g in enumerate(groups)}
    folds = np.array([fold_of[s.group] for s in train_set])
    oof = np.zeros(y.shape)
    for k in range(FOLDS):
        fit_rows, held = np.where(folds != k)[0], np.where(folds == k)[0]
        coef, intercept = _fit_weights(x[fit_rows], y[fit_rows])
        oof[held] = 1.0 / (1.0 + np.exp(-(x[held] @ coef.T.astype(np.float64) + intercept)))
        log(f"fold {k + 1}/{FOLDS} done ({time.perf_counter() - started:.0f} s)")
    coef, intercept = _fit_weights(x, y)
    model = SentenceClassifier(s_vec, c_vec, coef, intercept, {}, {})
    thresholds = tune_thresholds(model, oof, [list(s.labels) for s in train_set])
    log(f"thresholds (grouped CV on train): {thresholds}")
    dev_scores = score(
        [list(s.labels) for s in dev_set],
        model.predict([s.text for s in dev_set], heading_contexts([s.text for s in dev_set], _starts(dev_set))),
    )
    model.meta = {
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "attribution": ATTRIBUTION,
        "train_sentences": len(train_set),
        "train_policies": len({s.policy for s in train_set}),
        "dev_scores": dev_scores.as_dict(),
        "model": f"char_wb{SENTENCE_NGRAMS} + heading char_wb{CONTEXT_NGRAMS}x{CONTEXT_WEIGHT}, LR C={C_VALUE}",
    }
    out_stem.parent.mkdir(parents=True, exist_ok=True)
    model.save(out_stem)
    report = {**model.meta, "thresholds": thresholds, "seconds": round(time.perf_counter() - started, 1)}
    out_stem.with_suffix(".metrics.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
    log(json.dumps(dev_scores.as_dict(), ensure_ascii=False))
    return report


def evaluate_split(data_root: Path, split: str, model: SentenceClassifier) -> Scores:
    """Scores of `model` on one split of the CAPP-130 folder (documents fed in order, headings as context)."""
    sentences = load_split(data_root, split)
    texts = [s.text for s in sentences]
    predicted = model.predict(texts, heading_contexts(texts, _starts(sentences)))
    return score([list(s.labels) for s in sentences], predicted)


if __name__ == "__main__":
    train(Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "policy" / "capp130")
