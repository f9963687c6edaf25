"""The numpy n-gram TF-IDF matches sklearn's char_wb TF-IDF, and its hash table finds every key."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from ganzhi.collect.policy.ngrams import HashTable, fit_tfidf, hashed_ngrams

TEXTS = [
    "我们会收集您的手机号码用于注册。",
    "We collect your IMEI and Android ID.",
    "我们不会收集您的通讯录",
    "a",
    "",
    "共享给 第三方SDK（极光推送）",
]


def test_same_similarities_as_sklearn_char_wb() -> None:
    ours = fit_tfidf(TEXTS, (1, 3), min_df=1)
    theirs = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True).fit(TEXTS)
    assert ours.size == len(theirs.vocabulary_)
    x, y = ours.transform(TEXTS), theirs.transform(TEXTS)
    np.testing.assert_allclose((x @ x.T).toarray(), (y @ y.T).toarray(), atol=1e-9)
    np.testing.assert_allclose(np.sort(ours.idf), np.sort(theirs.idf_), atol=1e-9)


def test_unknown_ngrams_are_ignored_and_rows_stay_aligned() -> None:
    vocab = fit_tfidf(TEXTS[:2], (1, 2), min_df=1)
    matrix = vocab.transform(["完全陌生句子", "我们会收集", ""])
    assert matrix.shape == (3, vocab.size)
    assert matrix[0].nnz == 1  # only the word-padding space is known
    assert matrix[1].nnz > 1 and matrix[2].nnz == 0
    assert np.isclose(matrix[1].multiply(matrix[1]).sum(), 1.0)


def test_ngrams_never_cross_words_or_texts() -> None:
    rows, keys = hashed_ngrams(["ab", "c d"], (2, 2))
    # " a", "ab", "b " | " c", "c ", " d", "d "
    assert rows.tolist() == [0, 0, 0, 1, 1, 1, 1]
    assert len(set(keys.tolist())) == 7


def test_hash_table_finds_all_keys_and_rejects_others() -> None:
    rng = np.random.default_rng(7)
    keys = np.unique(rng.integers(1, 2**63, size=5000, dtype=np.int64).astype(np.uint64))
    table = HashTable(keys)
    assert (table.lookup(keys) == np.arange(len(keys))).all()
    others = rng.integers(1, 2**63, size=1000, dtype=np.int64).astype(np.uint64)
    others = others[~np.isin(others, keys)]
    assert (table.lookup(others) == -1).all()
