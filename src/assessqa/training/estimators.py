"""The scikit-learn estimators assessqa trains, one factory per part (their twins for scoring: models/compiled.py)."""

from __future__ import annotations

from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from assessqa.models.ordinal import OrdinalClassifier


def make_text_classifier(C: float, ngram_max: int, min_df: int, seed: int) -> Pipeline:
    return Pipeline(
        [
            ("tfidf", TfidfVectorizer(ngram_range=(1, ngram_max), min_df=min_df, sublinear_tf=True, lowercase=True)),
            ("clf", LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=seed)),
        ]
    )


def make_multilabel_classifier(C: float, ngram_max: int, min_df: int, seed: int) -> Pipeline:
    """TF-IDF shared by several independent binary logistic regressions (one per label column)."""
    return Pipeline(
        [
            ("tfidf", TfidfVectorizer(ngram_range=(1, ngram_max), min_df=min_df, sublinear_tf=True)),
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
