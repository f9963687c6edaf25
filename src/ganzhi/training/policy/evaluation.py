"""Scores of the sentence classifier against CAPP-130 gold labels (the figures we report).

Two protocols are reported side by side. Ours (the issue's targets): topic micro-F1 over topic-bearing
sentences, positive-class F1 for 摘要 and 潜在风险. Upstream CAPP-130 (`TCSI_pp/preprocessing/
getdata_multi.py`, `train_eval.py`): the topic set keeps only sentences that are both 摘要 and
topic-bearing; the binary tasks' "micro" F1 is sklearn's micro average over both classes, i.e. accuracy,
and "macro" is the mean of the positive- and negative-class F1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import NDArray

from ganzhi.collect.policy.classifier import SentenceLabels
from ganzhi.collect.policy.labels import ALL_LABELS, RISK_LABEL, SUMMARY_LABEL, TOPICS

N_TOPICS = len(TOPICS)
SUMMARY_COL = ALL_LABELS.index(SUMMARY_LABEL)
RISK_COL = ALL_LABELS.index(RISK_LABEL)


@dataclass(frozen=True, slots=True)
class Scores:
    """Our figures first, then the upstream CAPP-130 protocol's (`capp_*`)."""

    sentences: int
    topic_bearing: int
    topic_micro_f1: float
    topic_micro_f1_all: float
    topic_macro_f1: float
    summary_f1: float
    summary_precision: float
    summary_recall: float
    risk_f1: float
    risk_macro_f1: float
    capp_topic_sentences: int
    capp_topic_micro_f1: float
    capp_summary_micro_f1: float
    capp_summary_macro_f1: float
    capp_risk_micro_f1: float

    def as_dict(self) -> dict[str, float | int]:
        """Plain dict for JSON output."""
        return asdict(self)


def _f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def _counts(gold: NDArray[np.bool_], pred: NDArray[np.bool_]) -> tuple[int, int, int, int]:
    tp = int((gold & pred).sum())
    fp = int((pred & ~gold).sum())
    fn = int((gold & ~pred).sum())
    return tp, fp, fn, int(gold.size) - tp - fp - fn


def micro_f1(gold: NDArray[np.bool_], pred: NDArray[np.bool_]) -> float:
    """Micro-F1 over all cells of two boolean matrices."""
    tp, fp, fn, _ = _counts(gold, pred)
    return _f1(tp, fp, fn)


def binary_f1(gold: NDArray[np.bool_], pred: NDArray[np.bool_]) -> float:
    """Positive-class F1 of one boolean column."""
    tp, fp, fn, _ = _counts(gold, pred)
    return _f1(tp, fp, fn)


def gold_matrix(gold: Sequence[Sequence[str]]) -> NDArray[np.bool_]:
    """Gold label lists as a boolean matrix in `ALL_LABELS` order."""
    return np.array([[label in labels for label in ALL_LABELS] for labels in gold], dtype=bool).reshape(
        len(gold), len(ALL_LABELS)
    )


def pred_matrix(predicted: Sequence[SentenceLabels]) -> NDArray[np.bool_]:
    """Predictions as a boolean matrix in `ALL_LABELS` order."""
    rows = [[t in p.topics for t in TOPICS] + [p.summary, p.risk] for p in predicted]
    return np.array(rows, dtype=bool).reshape(len(predicted), len(ALL_LABELS))


def score_matrices(gold: NDArray[np.bool_], pred: NDArray[np.bool_]) -> Scores:
    """All figures from boolean gold and predicted matrices (`ALL_LABELS` columns)."""
    if gold.shape != pred.shape:
        raise ValueError(f"gold has shape {gold.shape}, predictions {pred.shape}")
    g_topics, p_topics = gold[:, :N_TOPICS], pred[:, :N_TOPICS]
    bearing = g_topics.any(axis=1)
    capp = bearing & gold[:, SUMMARY_COL]
    per_topic = [binary_f1(g_topics[bearing, j], p_topics[bearing, j]) for j in range(N_TOPICS)]
    s_tp, s_fp, s_fn, s_tn = _counts(gold[:, SUMMARY_COL], pred[:, SUMMARY_COL])
    r_tp, r_fp, r_fn, r_tn = _counts(gold[:, RISK_COL], pred[:, RISK_COL])
    n = max(1, len(gold))
    return Scores(
        sentences=len(gold),
        topic_bearing=int(bearing.sum()),
        topic_micro_f1=round(micro_f1(g_topics[bearing], p_topics[bearing]), 4),
        topic_micro_f1_all=round(micro_f1(g_topics, p_topics), 4),
        topic_macro_f1=round(sum(per_topic) / N_TOPICS, 4),
        summary_f1=round(_f1(s_tp, s_fp, s_fn), 4),
        summary_precision=round(s_tp / max(1, s_tp + s_fp), 4),
        summary_recall=round(s_tp / max(1, s_tp + s_fn), 4),
        risk_f1=round(_f1(r_tp, r_fp, r_fn), 4),
        risk_macro_f1=round((_f1(r_tp, r_fp, r_fn) + _f1(r_tn, r_fn, r_fp)) / 2, 4),
        capp_topic_sentences=int(capp.sum()),
        capp_topic_micro_f1=round(micro_f1(g_topics[capp], p_topics[capp]), 4),
        capp_summary_micro_f1=round((s_tp + s_tn) / n, 4),
        capp_summary_macro_f1=round((_f1(s_tp, s_fp, s_fn) + _f1(s_tn, s_fn, s_fp)) / 2, 4),
        capp_risk_micro_f1=round((r_tp + r_tn) / n, 4),
    )


def score(gold: Sequence[Sequence[str]], predicted: Sequence[SentenceLabels]) -> Scores:
    """Compare gold label lists with predictions, sentence by sentence."""
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} sentences, predictions {len(predicted)}")
    return score_matrices(gold_matrix(gold), pred_matrix(predicted))
