"""The scikit-learn estimators assessqa trains, one factory per part (their twins for scoring: models/compiled.py)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from assessqa.features.sentences import own_words
from assessqa.features.static_vectors import StaticVectors
from assessqa.models.ordinal import OrdinalClassifier


class TfidfStaticVectorizer(TfidfVectorizer):
    """TF-IDF of each text, then the static sentence vector of its own words (:func:`own_words`,
    :class:`~assessqa.features.static_vectors.StaticVectors`) as dense columns after the vocabulary's.

    The vectors are data given before fitting (:meth:`with_vectors`), not learned, and are kept as two plain
    attributes (the pieces as one newline-joined string, the vectors as float16) so the skops file holds only
    types on the model allowlist. Both blocks are unit length, so neither outweighs the other by scale alone.
    """

    def with_vectors(self, vectors: StaticVectors) -> "TfidfStaticVectorizer":
        self.static_pieces_ = "\n".join(vectors.pieces)
        self.static_vectors_ = np.asarray(vectors.vectors, dtype=np.float16)
        return self

    def static_vectors(self) -> StaticVectors:
        cached = self.__dict__.get("_static")
        if cached is None:
            cached = StaticVectors(self.static_pieces_.split("\n"), self.static_vectors_)
            self.__dict__["_static"] = cached
        return cached

    def _with_dense(self, tfidf, texts) -> sp.csr_matrix:
        dense = self.static_vectors().sentence_vectors([own_words(t) for t in texts])
        return sp.hstack([tfidf, sp.csr_matrix(dense.astype(np.float64))], format="csr")

    def fit_transform(self, raw_documents, y=None):
        texts = list(raw_documents)
        return self._with_dense(super().fit_transform(texts, y), texts)

    def transform(self, raw_documents):
        texts = list(raw_documents)
        return self._with_dense(super().transform(texts), texts)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_static", None)  # rebuilt from the two attributes on first use
        return state


def make_text_classifier(C: float, ngram_max: int, min_df: int, seed: int) -> Pipeline:
    return Pipeline(
        [
            ("tfidf", TfidfVectorizer(ngram_range=(1, ngram_max), min_df=min_df, sublinear_tf=True, lowercase=True)),
            ("clf", LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=seed)),
        ]
    )


def make_multilabel_classifier(
    C: float, ngram_max: int, min_df: int, seed: int, static_vectors: StaticVectors | None = None
) -> Pipeline:
    """TF-IDF (and, given ``static_vectors``, each text's static sentence vector) shared by several independent
    binary logistic regressions (one per label column)."""
    settings = dict(ngram_range=(1, ngram_max), min_df=min_df, sublinear_tf=True)
    vectoriser = TfidfVectorizer(**settings) if static_vectors is None else TfidfStaticVectorizer(**settings).with_vectors(static_vectors)
    return Pipeline(
        [
            ("tfidf", vectoriser),
            (
                "clf",
                OneVsRestClassifier(LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=seed)),
            ),
        ]
    )


def make_dimension_model(C: float, seed: int) -> Pipeline:
    return Pipeline(
        [
            ("vec", DictVectorizer(sparse=False)),
            ("scale", StandardScaler()),
            ("ordinal", OrdinalClassifier(LogisticRegression(C=C, max_iter=3000, random_state=seed))),
        ]
    )


def make_evidence_model(max_iter: int, learning_rate: float, seed: int) -> HistGradientBoostingClassifier:
    """Gradient-boosted trees over :func:`assessqa.features.evidence_context`: trees because the useful rules are
    interactions ("need is likely, but child_outcome is likelier"). No early stopping: its validation split would
    be random rather than by writing batch, and the model would change with the row order."""
    return HistGradientBoostingClassifier(
        max_iter=max_iter, learning_rate=learning_rate, early_stopping=False, random_state=seed
    )
