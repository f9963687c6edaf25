"""Scores of the sentence classifier against CAPP-130 gold labels (the figures we report)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from ganzhi.policy.classifier import SentenceLabels
from ganzhi.policy.labels import RISK_LABEL, SUMMARY_LABEL, TOPICS


@dataclass(frozen=True, slots=True)
class Scores:
    """Topic micro-F1 on topic-bearing sentences (the CAPP-130 protocol) and on all sentences; binary F1s."""

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

    def as_dict(self) -> dict[str, float | int]:
        """Plain dict for JSON output."""
        return asdict(self)


def _f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def _counts(gold: Sequence[bool], pred: Sequence[bool]) -> tuple[int, int, int, int]:
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if p and not g)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if g and not p)
    tn = len(gold) - tp - fp - fn
    return tp, fp, fn, tn


def score(gold: Sequence[Sequence[str]], predicted: Sequence[SentenceLabels]) -> Scores:
    """Compare gold label lists with predictions, sentence by sentence."""
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} sentences, predictions {len(predicted)}")
    bearing = [i for i, g in enumerate(gold) if any(t in TOPICS for t in g)]
    totals_b = [0, 0, 0]
    totals_a = [0, 0, 0]
    per_topic: list[float] = []
    for topic in TOPICS:
        g = [topic in labels for labels in gold]
        p = [topic in pred.topics for pred in predicted]
        tp, fp, fn, _ = _counts(g, p)
        totals_a = [totals_a[0] + tp, totals_a[1] + fp, totals_a[2] + fn]
        tpb, fpb, fnb, _ = _counts([g[i] for i in bearing], [p[i] for i in bearing])
        totals_b = [totals_b[0] + tpb, totals_b[1] + fpb, totals_b[2] + fnb]
        per_topic.append(_f1(tpb, fpb, fnb))
    s_tp, s_fp, s_fn, _ = _counts([SUMMARY_LABEL in g for g in gold], [p.summary for p in predicted])
    r_tp, r_fp, r_fn, r_tn = _counts([RISK_LABEL in g for g in gold], [p.risk for p in predicted])
    risk_neg_f1 = _f1(r_tn, r_fn, r_fp)
    return Scores(
        sentences=len(gold),
        topic_bearing=len(bearing),
        topic_micro_f1=round(_f1(*totals_b), 4),
        topic_micro_f1_all=round(_f1(*totals_a), 4),
        topic_macro_f1=round(sum(per_topic) / len(per_topic), 4),
        summary_f1=round(_f1(s_tp, s_fp, s_fn), 4),
        summary_precision=round(s_tp / max(1, s_tp + s_fp), 4),
        summary_recall=round(s_tp / max(1, s_tp + s_fn), 4),
        risk_f1=round(_f1(r_tp, r_fp, r_fn), 4),
        risk_macro_f1=round((_f1(r_tp, r_fp, r_fn) + risk_neg_f1) / 2, 4),
    )
