"""An ordinal classifier for the 1-4 audit scale (Frank & Hall, 2001).

Grades are ordered: mistaking "outstanding" for "inadequate" is worse than for "good". The model fits one
binary classifier per threshold ("is the grade above k?") and combines them into class probabilities.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import check_is_fitted, validate_data

from assessqa.models.compiled import ordinal_proba


class OrdinalClassifier(ClassifierMixin, BaseEstimator):
    """Cumulative binary decomposition of an ordinal target.

    Args:
        estimator: a binary classifier with ``predict_proba``; cloned once per threshold.
            Defaults to ``LogisticRegression(C=1.0, max_iter=2000)``.
    """

    def __init__(self, estimator=None):
        self.estimator = estimator

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def fit(self, X, y):
        X, y = validate_data(self, X, y, accept_sparse=True)
        self.classes_ = unique_labels(y)
        base = self.estimator if self.estimator is not None else LogisticRegression(C=1.0, max_iter=2000)
        self.estimators_ = []
        for threshold in self.classes_[:-1]:
            target = (y > threshold).astype(int)
            self.estimators_.append(clone(base).fit(X, target))
        return self

    def predict_proba(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=True, reset=False)
        if len(self.classes_) == 1:  # every training grade was the same: predict it with certainty
            return np.ones((X.shape[0], 1))
        return ordinal_proba(np.column_stack([est.predict_proba(X)[:, 1] for est in self.estimators_]))

    def predict(self, X):
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
