"""Character n-gram TF-IDF computed with numpy over a whole batch of sentences at once.

Why not sklearn's `TfidfVectorizer`: it builds every n-gram as a Python string, one sentence at a time,
which was 60 % of the time of a full policy analysis. Here all sentences of a batch are encoded as one
code-point array and every n-gram becomes a 64-bit FNV-1a hash computed by vectorised arithmetic; a sorted
array of the vocabulary's hashes maps hashes to columns with one `searchsorted`. The semantics follow
sklearn's `char_wb` analyser (lower-cased, each whitespace-separated word padded with one space, n-grams
never cross words), sublinear TF, smoothed IDF and L2-normalised rows. A hash collision between two
different n-grams has probability about n²/2⁶⁵ — negligible for vocabularies of a few hundred thousand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

_SEP = "\x00"
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


def _encode(texts: Sequence[str]) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    """Code points of all texts (words padded, separated by NUL) and the row of every position."""
    pieces: list[str] = []
    lengths = np.zeros(len(texts), dtype=np.int64)
    for i, text in enumerate(texts):
        words = text.replace(_SEP, " ").lower().split()
        piece = "".join(f"{_SEP} {w} " for w in words)
        pieces.append(piece)
        lengths[i] = len(piece)
    joined = "".join(pieces)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    return codes, rows


def _mix(keys: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """splitmix64 finaliser: FNV's top bits are poorly mixed, and the hash table buckets by them."""
    keys = (keys ^ (keys >> _S30)) * _M1
    keys = (keys ^ (keys >> _S27)) * _M2
    return keys ^ (keys >> _S31)


def hashed_ngrams(texts: Sequence[str], ngram_range: tuple[int, int]) -> tuple[NDArray[np.int64], NDArray[np.uint64]]:
    """(row, hash) of every character n-gram of every text; n-grams never span two words or two texts."""
    codes, rows = _encode(texts)
    total = len(codes)
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    is_sep = codes == ord(_SEP)
    seps_before = np.concatenate(([0], np.cumsum(is_sep)))
    all_rows: list[NDArray[np.int64]] = []
    all_keys: list[NDArray[np.uint64]] = []
    low, high = ngram_range
    for n in range(low, high + 1):
        if total < n:
            break
        starts = np.arange(total - n + 1)
        valid = seps_before[starts + n] - seps_before[starts] == 0
        keys = np.full(total - n + 1, _FNV_OFFSET ^ np.uint64(n), dtype=np.uint64)
        for k in range(n):
            keys = (keys ^ codes[k : total - n + 1 + k]) * _FNV_PRIME
        all_rows.append(rows[: total - n + 1][valid])
        all_keys.append(_mix(keys[valid]))
    return np.concatenate(all_rows), np.concatenate(all_keys)


class HashTable:
    """Open-addressing table from n-gram hash to column, built and probed with vectorised numpy.

    A binary search over the sorted keys costs ~18 cache misses per n-gram; one probe here costs ~1.
    """

    EMPTY = np.uint64(0)

    def __init__(self, keys: NDArray[np.uint64]) -> None:
        bits = max(10, int(np.ceil(np.log2(max(1, len(keys)) * 4))))
        self.shift = np.uint64(64 - bits)
        self.mask = np.int64((1 << bits) - 1)
        self.slots = np.zeros(1 << bits, dtype=np.uint64)
        self.columns = np.full(1 << bits, -1, dtype=np.int64)
        pending = np.arange(len(keys), dtype=np.int64)
        bucket = self._bucket(keys)
        while len(pending):
            free = self.slots[bucket] == self.EMPTY
            # among keys aiming at the same free slot, the first one wins it
            target, first = np.unique(bucket[free], return_index=True)
            winners = pending[free][first]
            self.slots[target] = keys[winners]
            self.columns[target] = winners
            placed = np.zeros(len(pending), dtype=bool)
            placed[np.flatnonzero(free)[first]] = True
            pending, bucket = pending[~placed], (bucket[~placed] + 1) & self.mask

    def _bucket(self, hashes: NDArray[np.uint64]) -> NDArray[np.int64]:
        return (hashes >> self.shift).astype(np.int64)

    def lookup(self, hashes: NDArray[np.uint64]) -> NDArray[np.int64]:
        """Column of every hash, -1 when it is not in the table."""
        out = np.full(len(hashes), -1, dtype=np.int64)
        todo = np.arange(len(hashes), dtype=np.int64)
        bucket = self._bucket(hashes)
        while len(todo):
            stored = self.slots[bucket]
            hit = stored == hashes[todo]
            out[todo[hit]] = self.columns[bucket[hit]]
            go_on = ~hit & (stored != self.EMPTY)
            todo, bucket = todo[go_on], (bucket[go_on] + 1) & self.mask
        return out


@dataclass(frozen=True, slots=True)
class HashedTfidf:
    """A fitted vocabulary: sorted n-gram hashes and their IDF weights (column j ↔ `keys[j]`)."""

    keys: NDArray[np.uint64]
    idf: NDArray[np.float64]
    ngram_range: tuple[int, int]
    table: HashTable = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", HashTable(self.keys))

    @property
    def size(self) -> int:
        """Number of columns."""
        return len(self.keys)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """Sublinear-TF × IDF rows, L2-normalised; n-grams outside the vocabulary are ignored."""
        rows, hashes = hashed_ngrams(texts, self.ngram_range)
        if self.size == 0 or len(hashes) == 0:
            return csr_matrix((len(texts), self.size), dtype=np.float64)
        return self.weigh(rows, self.table.lookup(hashes), len(texts))

    def weigh(self, rows: NDArray[np.int64], columns: NDArray[np.int64], n_rows: int) -> csr_matrix:
        """TF-IDF rows from (row, column) occurrences; column -1 (unknown n-gram) is skipped."""
        found = columns >= 0
        counts = csr_matrix(
            (np.ones(int(found.sum()), dtype=np.float64), (rows[found], columns[found])),
            shape=(n_rows, self.size),
            dtype=np.float64,
        )
        counts.sum_duplicates()
        counts.data = (1.0 + np.log(counts.data)) * self.idf[counts.indices]
        return _l2_rows(counts)


def _l2_rows(matrix: csr_matrix) -> csr_matrix:
    squares = matrix.multiply(matrix).sum(axis=1).A1
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    scale = np.repeat(1.0 / norms, np.diff(matrix.indptr))
    matrix.data = matrix.data * scale
    return matrix


def fit_tfidf(
    texts: Sequence[str], ngram_range: tuple[int, int], *, min_df: int = 2, max_features: int | None = None
) -> HashedTfidf:
    """Vocabulary of n-grams in at least `min_df` texts (the `max_features` most frequent), smoothed IDF."""
    rows, hashes = hashed_ngrams(texts, ngram_range)
    pairs = np.unique(np.stack([hashes, rows.astype(np.uint64)], axis=1), axis=0)
    keys, df = np.unique(pairs[:, 0], return_counts=True)
    keep = (df >= min_df) & (keys != HashTable.EMPTY)
    keys, df = keys[keep], df[keep]
    if max_features is not None and len(keys) > max_features:
        top = np.argsort(-df, kind="stable")[:max_features]
        top.sort()
        keys, df = keys[top], df[top]
    idf = np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0
    return HashedTfidf(keys=keys, idf=idf.astype(np.float64), ngram_range=ngram_range)
