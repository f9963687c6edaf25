"""Readability figures of real 隐私政策摘要 in CAPP-130, to set the T3 readability defaults from data.

Two reference sets: the summaries (简明版/摘要/概要) that policies in `Original_policies` carry, found
with the same `find_summary` the analysis uses; and, per annotated policy, the legal experts'
plain-language rewrites (`rewrite` field), an upper bound of how plain a summary can be made.
Run: `ganzhi policy calibrate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ganzhi.collect.policy.analyze import find_summary
from ganzhi.collect.policy.ingest import read_policy_file
from ganzhi.collect.policy.structure import parse_structure, split_sentences
from ganzhi.errors import InputError
from ganzhi.rules.policy.readability import LONG_SENTENCE_CHARS, measure, sentence_figures
from ganzhi.training.policy.corpus import load_split

MIN_SUMMARY_SENTENCES = 4
PERCENTILES = (50, 75, 90)


def figures(texts: Sequence[str]) -> dict[str, float]:
    """The figures the T3 readability check compares with its params."""
    avg, share, _ = sentence_figures(texts, LONG_SENTENCE_CHARS)
    readability = measure(texts)
    return {
        "avg_sentence_chars": avg,
        "long_sentence_share": share,
        "vague_per_100_chars": readability.vague_per_100_chars,
        "jargon_per_100_chars": readability.jargon_per_100_chars,
        "rare_word_share": readability.rare_word_share,
    }


def _spread(rows: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    if not rows:
        return {}
    return {
        key: {f"p{p}": round(float(np.percentile([r[key] for r in rows], p)), 4) for p in PERCENTILES}
        for key in rows[0]
    }


def real_summaries(originals: Path) -> list[tuple[str, list[str]]]:
    """(file name, summary sentences) of every original that carries a summary of a few sentences."""
    out: list[tuple[str, list[str]]] = []
    for path in sorted(originals.glob("*.txt")):
        try:
            structure = parse_structure(read_policy_file(path).text)
        except InputError:
            continue
        part = find_summary(structure)
        if part is None or len(part.sentences) < MIN_SUMMARY_SENTENCES:
            continue
        by_index = {s.index: s.text for s in structure.sentences}
        out.append((path.name, [by_index[i] for i in part.sentences]))
    return out


def calibrate(capp_root: Path) -> dict[str, Any]:
    """Percentiles of the readability figures over real summaries and over expert rewrites."""
    summaries = real_summaries(capp_root / "Original_policies")
    rewrites: dict[str, list[str]] = {}
    for split in ("train", "dev"):
        for sentence in load_split(capp_root, split):
            if sentence.rewrite:
                rewrites.setdefault(sentence.policy, []).extend(split_sentences(sentence.rewrite))
    return {
        "real_summaries": {
            "count": len(summaries),
            "files": [name for name, _ in summaries],
            "percentiles": _spread([figures(texts) for _, texts in summaries]),
        },
        "expert_rewrites": {
            "count": len(rewrites),
            "percentiles": _spread([figures(texts) for texts in rewrites.values() if texts]),
        },
    }
