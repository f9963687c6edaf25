"""Features of a sentence for the classifier, shared by training and inference so the two never drift.

Stage 1 (sparse, per sentence): char 1–4 gram TF-IDF of the sentence; char 1–2 grams of the (up to two)
innermost headings above it; char 1–2 grams of the previous and of the next sentence of the same
document; position-in-document, heading and length bins. Stage 2 (dense, per sentence): the stage-1
label logits of the sentence, of its two neighbours on each side and the mean over its section and
its document (kept only when CV prefers it). Topic labels run in sections, so neighbours carry signal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix, hstack

from ganzhi.collect.policy.ngrams import HashedTfidf, fit_tfidf, hashed_ngrams
from ganzhi.collect.policy.structure import heading_style

SENTENCE_NGRAMS = (1, 4)
CONTEXT_NGRAMS = (1, 2)
NEIGHBOUR_NGRAMS = (1, 2)
CONTEXT_WEIGHT = 0.7
NEIGHBOUR_WEIGHT = 0.35
CONTEXT_DEPTH = 2
SENTENCE_MIN_DF = 3
CONTEXT_MAX_FEATURES = 30_000
NEIGHBOUR_MAX_FEATURES = 20_000
POSITION_BINS = 10
LENGTH_EDGES = (8, 16, 32, 64, 128)
EXTRA_COLUMNS = POSITION_BINS + 1 + len(LENGTH_EDGES) + 1


def heading_contexts(texts: Sequence[str], starts: Sequence[bool] | None = None) -> list[str]:
    """For each line, the text of the (up to two) innermost headings above it, itself included.

    `starts[i]` marks the first line of a new document (the heading stack is reset there).
    """
    style_level: dict[str, int] = {}
    stack: list[tuple[int, str]] = []
    out: list[str] = []
    for i, text in enumerate(texts):
        if starts is not None and starts[i]:
            style_level, stack = {}, []
        found = heading_style(text)
        if found is not None:
            style, title = found
            level = style_level.setdefault(style, len(style_level) + 1)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
        out.append(" ".join(t for _, t in stack[-CONTEXT_DEPTH:]))
    return out


def document_starts(n: int, starts: Sequence[bool] | None) -> NDArray[np.bool_]:
    """Boolean start-of-document marks; `None` means all lines are one document."""
    marks = np.zeros(n, dtype=bool) if starts is None else np.asarray(starts, dtype=bool).copy()
    if n:
        marks[0] = True
    return marks


def document_ids(marks: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Document number of every line."""
    return np.cumsum(marks).astype(np.int64) - 1


def _shift(marks: NDArray[np.bool_], step: int) -> csr_matrix:
    """Sparse matrix S with (S @ X)[i] = X[i + step] when both lines are in the same document, else 0."""
    n = len(marks)
    docs = document_ids(marks)
    rows = np.arange(n)
    cols = rows + step
    ok = (cols >= 0) & (cols < n)
    rows, cols = rows[ok], cols[ok]
    same = docs[rows] == docs[cols]
    rows, cols = rows[same], cols[same]
    return csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def _extras(texts: Sequence[str], marks: NDArray[np.bool_]) -> csr_matrix:
    n = len(texts)
    docs = document_ids(marks)
    first = np.flatnonzero(marks)
    sizes = np.diff(np.append(first, n))
    offset = np.arange(n) - first[docs]
    position = np.minimum(POSITION_BINS - 1, (POSITION_BINS * offset) // np.maximum(1, sizes[docs]))
    heading = np.array([heading_style(t) is not None for t in texts], dtype=bool)
    lengths = np.array([len(t) for t in texts])
    length_bin = np.searchsorted(np.array(LENGTH_EDGES), lengths, side="right")
    rows = np.concatenate([np.arange(n), np.flatnonzero(heading), np.arange(n)])
    cols = np.concatenate(
        [position, np.full(int(heading.sum()), POSITION_BINS), POSITION_BINS + 1 + length_bin]
    ).astype(np.int64)
    return csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, EXTRA_COLUMNS))


@dataclass(frozen=True, slots=True)
class Vocabularies:
    """The three fitted n-gram vocabularies of stage 1.

    The neighbour vocabulary is a subset of the sentence vocabulary (its most frequent 1–2 grams), so one
    n-gram pass and one hash lookup serve both: `neighbour_column[j]` is the neighbour column of
    sentence column j, or -1.
    """

    sentence: HashedTfidf
    context: HashedTfidf
    neighbour: HashedTfidf
    neighbour_column: NDArray[np.int64] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        mapping = np.full(self.sentence.size, -1, dtype=np.int64)
        where = self.sentence.table.lookup(self.neighbour.keys)
        known = where >= 0
        mapping[where[known]] = np.flatnonzero(known)
        object.__setattr__(self, "neighbour_column", mapping)

    @property
    def width(self) -> int:
        """Number of stage-1 columns."""
        return self.sentence.size + self.context.size + 2 * self.neighbour.size + EXTRA_COLUMNS


def fit_vocabularies(texts: Sequence[str], contexts: Sequence[str]) -> Vocabularies:
    """Fit the vocabularies on training text (labels are not looked at)."""
    return Vocabularies(
        sentence=fit_tfidf(texts, SENTENCE_NGRAMS, min_df=SENTENCE_MIN_DF),
        context=fit_tfidf(contexts, CONTEXT_NGRAMS, min_df=2, max_features=CONTEXT_MAX_FEATURES),
        neighbour=fit_tfidf(texts, NEIGHBOUR_NGRAMS, min_df=SENTENCE_MIN_DF, max_features=NEIGHBOUR_MAX_FEATURES),
    )


def stage1_blocks(
    vocab: Vocabularies, texts: Sequence[str], contexts: Sequence[str], marks: NDArray[np.bool_]
) -> list[tuple[csr_matrix, int]]:
    """Column blocks of the stage-1 matrix, each with the row shift applied to it (-1: previous line)."""
    rows, hashes = hashed_ngrams(texts, SENTENCE_NGRAMS)
    columns = vocab.sentence.table.lookup(hashes)
    own = vocab.sentence.weigh(rows, columns, len(texts))
    near_columns = np.where(columns >= 0, vocab.neighbour_column[np.maximum(columns, 0)], -1)
    near = vocab.neighbour.weigh(rows, near_columns, len(texts)) * NEIGHBOUR_WEIGHT
    return [
        (own, 0),
        (vocab.context.transform(contexts) * CONTEXT_WEIGHT, 0),
        (near, -1),
        (near, 1),
        (_extras(texts, marks), 0),
    ]


def stage1_matrix(
    vocab: Vocabularies, texts: Sequence[str], contexts: Sequence[str], starts: Sequence[bool] | None = None
) -> csr_matrix:
    """The sparse stage-1 design matrix of lines given in document order (for training)."""
    marks = document_starts(len(texts), starts)
    blocks = [m if step == 0 else _shift(marks, step) @ m for m, step in stage1_blocks(vocab, texts, contexts, marks)]
    return csr_matrix(hstack(blocks, format="csr"))


def stage1_scores(
    vocab: Vocabularies,
    coef_t: NDArray[np.float64],
    texts: Sequence[str],
    contexts: Sequence[str],
    starts: Sequence[bool] | None = None,
) -> NDArray[np.float64]:
    """`stage1_matrix(...) @ coef_t` computed block by block: a shifted block is multiplied first and its
    (n × labels) result shifted, which avoids building the wide matrix at inference time."""
    marks = document_starts(len(texts), starts)
    total = np.zeros((len(texts), coef_t.shape[1]))
    offset = 0
    for matrix, step in stage1_blocks(vocab, texts, contexts, marks):
        width = matrix.shape[1]
        part = np.asarray(matrix @ coef_t[offset : offset + width])
        total += part if step == 0 else np.asarray(_shift(marks, step) @ part)
        offset += width
    return total


def _logit(p: NDArray[np.float64]) -> NDArray[np.float64]:
    clipped = np.clip(p, 1e-4, 1 - 1e-4)
    return np.asarray(np.log(clipped / (1 - clipped)))


def _group_mean(values: NDArray[np.float64], groups: NDArray[np.int64]) -> NDArray[np.float64]:
    _, inverse, counts = np.unique(groups, return_inverse=True, return_counts=True)
    sums = np.zeros((len(counts), values.shape[1]))
    np.add.at(sums, inverse, values)
    return np.asarray((sums / counts[:, None])[inverse])


def stage2_matrix(
    probs: NDArray[np.float64], contexts: Sequence[str], starts: Sequence[bool] | None = None
) -> NDArray[np.float64]:
    """Dense stage-2 features from stage-1 probabilities: self, ±1, ±2 neighbours, section and document means."""
    n = probs.shape[0]
    marks = document_starts(n, starts)
    logits = _logit(probs)
    docs = document_ids(marks)
    section_keys = np.array([hash(c) for c in contexts], dtype=np.int64) if n else np.zeros(0, dtype=np.int64)
    _, section = np.unique(np.stack([docs, section_keys], axis=1), axis=0, return_inverse=True)
    parts = [logits]
    for step in (-2, -1, 1, 2):
        parts.append(np.asarray(_shift(marks, step) @ logits))
    parts.append(_group_mean(logits, section.reshape(-1).astype(np.int64)))
    parts.append(_group_mean(logits, docs))
    return np.hstack(parts)


STAGE2_BLOCKS = 7
