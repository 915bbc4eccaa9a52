"""The trained parts of an assessqa model and how each one is applied.

Every part is a plain scikit-learn pipeline (plus :class:`OrdinalClassifier`), so a model folder
serialises with skops and loads without unpickling anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import ThreadpoolController

from assessqa.features import dimension_strength
from assessqa.models.coherence import CoherenceModel
from assessqa.models.config import ModelConfig
from assessqa.models.ordinal import OrdinalClassifier
from assessqa.schemas import ACTION_FLAGS, CUES

# The defaults of every training setting, validated (models/config.py explains each one).
DEFAULT_CONFIG: dict[str, Any] = ModelConfig().model_dump()


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


@dataclass
class AssessModel:
    """All trained parts plus the metadata written to ``meta.json``."""

    cue_tagger: Pipeline
    action_detector: Pipeline
    flag_model: Pipeline
    dimension_models: dict[str, Pipeline]
    doc_type_model: Pipeline | None
    meta: dict[str, Any] = field(default_factory=dict)
    # One per dimension; a model without them shows as evidence the sentences whose own cue probability is high.
    evidence_models: dict[str, HistGradientBoostingClassifier] = field(default_factory=dict)
    # Optional (models/coherence.py); a model without it never flags disordered text.
    coherence_model: CoherenceModel | None = None
    # Stacked one-vs-rest weights, built on first use (see :func:`one_vs_rest_proba`); never saved.
    _weights: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def version(self) -> str:
        return str(self.meta.get("model_version", "unversioned"))

    @property
    def config(self) -> dict[str, Any]:
        saved = self.meta.get("config", {})
        # Models saved before the floor was a setting were trained with 0.1; reading them with today's default
        # would give their grade models features they never saw.
        legacy = {} if "evidence_floor" in saved else {"evidence_floor": 0.1}
        return {**DEFAULT_CONFIG, **legacy, **saved}

    def disordered(self, text: str) -> bool:
        """Whether the text does not read as sentences in a sensible order (word or sentence salad)."""
        return self.disordered_batch([text])[0]

    def disordered_batch(self, texts: list[str]) -> list[bool]:
        """:meth:`disordered` for each of ``texts``, in one call."""
        if self.coherence_model is None or not texts:
            return [False] * len(texts)
        proba = self.coherence_model.predict_proba(texts)[:, 1]
        return [bool(p >= self.config["coherence"]["flag_above"]) for p in proba]

    def evidence_threshold(self, dimension: str) -> float:
        """The cue probability from which a sentence is shown as evidence for ``dimension`` (fitted at training
        time; models from before it was fitted use the config's single ``evidence_threshold``)."""
        fitted = self.meta.get("evidence_thresholds", {})
        return float(fitted.get(dimension, self.config["evidence_threshold"]))

    def cue_probabilities(self, sentence_reprs: list[str]) -> np.ndarray:
        """Sentences x cues matrix of probabilities, columns in :data:`CUES` order."""
        if not sentence_reprs:
            return np.zeros((0, len(CUES)))
        raw = one_vs_rest_proba(self.cue_tagger, sentence_reprs, self._weights)
        classes = list(self.meta.get("cue_columns", CUES))
        out = np.zeros((len(sentence_reprs), len(CUES)))
        for j, cue in enumerate(classes):
            out[:, CUES.index(cue)] = raw[:, j]
        return out

    def evidence_probabilities(
        self, dimensions: tuple[str, ...] | list[str], cue_probs: np.ndarray, context: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Per dimension, each sentence's probability of being evidence for it. ``context`` is
        :func:`assessqa.features.evidence_context` of the same sentences and ``cue_probs``."""
        out = {}
        with _one_openmp_thread():
            for dim in dimensions:
                model = self.evidence_models.get(dim)
                if not len(cue_probs):
                    out[dim] = np.zeros(0)
                elif model is None:
                    out[dim] = dimension_strength(cue_probs, dim)
                else:
                    out[dim] = _positive_proba(model, context)
        return out

    def action_probabilities(self, action_reprs: list[str]) -> np.ndarray:
        if not action_reprs:
            return np.zeros(0)
        return self.action_detector.predict_proba(action_reprs)[:, 1]

    def flag_probabilities(self, action_reprs: list[str]) -> np.ndarray:
        """Actions x flags matrix, columns in :data:`ACTION_FLAGS` order."""
        if not action_reprs:
            return np.zeros((0, len(ACTION_FLAGS)))
        return one_vs_rest_proba(self.flag_model, action_reprs, self._weights)

    def grade_probabilities(self, dimension: str, features: dict[str, float]) -> dict[int, float]:
        """Probability of each grade 1-4, with the temperature recorded at training time (1.0 unless the config
        chose out-of-fold temperature scaling)."""
        return self.grade_probabilities_batch(dimension, [features])[0]

    def grade_probabilities_batch(self, dimension: str, features: list[dict[str, float]]) -> list[dict[int, float]]:
        """:meth:`grade_probabilities` for many documents, in one model call."""
        if not features:
            return []
        model = self.dimension_models[dimension]
        proba = model.predict_proba(features)
        classes = [int(c) for c in model.classes_]
        raw = np.column_stack([proba[:, classes.index(g)] if g in classes else np.zeros(len(features)) for g in (1, 2, 3, 4)])
        temperature = float(self.meta.get("calibration", {}).get(dimension, {}).get("temperature", 1.0))
        calibrated = apply_temperature(raw, temperature)
        return [{g: float(p) for g, p in zip((1, 2, 3, 4), row)} for row in calibrated]

    def grade_from(self, probabilities: dict[int, float]) -> int:
        """The grade the model gives, read from its grade probabilities by the configured ``grade_rule``."""
        return decide_grade(probabilities, self.config["grade_rule"])

    def doc_type_probability(self, text: str) -> float | None:
        """Probability that the text is a plan, or None when the model has no doc-type classifier."""
        return self.doc_type_probabilities([text])[0]

    def doc_type_probabilities(self, texts: list[str]) -> list[float | None]:
        """:meth:`doc_type_probability` for each of ``texts``, in one call."""
        if self.doc_type_model is None or not texts:
            return [None] * len(texts)
        return [float(p) for p in _positive_proba(self.doc_type_model, texts)]


@lru_cache(maxsize=1)
def _openmp_controller() -> ThreadpoolController:
    return ThreadpoolController()


def _one_openmp_thread():
    """Gradient-boosted trees predict with OpenMP threads. On one document's ~50 sentences that buys nothing, and
    where scoring already runs in parallel (``assessqa score --jobs``, API workers) the threads fight over the
    cores: measured, batch scoring with two workers fell from ~36 to 2.4 documents/s. The limit only holds for the
    calling thread and is lifted on exit."""
    return _openmp_controller().limit(limits=1, user_api="openmp")


def decide_grade(probabilities: dict[int, float], rule: str = "median") -> int:
    """The median grade (first whose cumulative probability reaches one half) or the most probable one.

    Example: ``{1: 0.02, 2: 0.49, 3: 0.0, 4: 0.49}`` gives 2 by median; argmax would flip between 2 and 4 on
    rounding.
    """
    grades = sorted(probabilities)
    if rule == "argmax":
        return max(grades, key=lambda g: probabilities[g])
    total = sum(probabilities.values())
    running = 0.0
    for grade in grades:
        running += probabilities[grade]
        if running >= total / 2:
            return grade
    return grades[-1]


def one_vs_rest_proba(model: Pipeline, X: list[str], cache: dict[int, tuple[np.ndarray, np.ndarray]] | None = None) -> np.ndarray:
    """``predict_proba`` of a vectoriser + one-vs-rest logistic pipeline, as one sparse matrix product.

    OneVsRestClassifier asks each binary model in turn and each call pays scikit-learn's input checks; with
    eleven cue labels the checks cost more than the arithmetic. The result is the same matrix (tested); any
    other final step falls back to the pipeline's own ``predict_proba``. ``cache`` keeps the stacked weights
    between calls.
    """
    clf = model.steps[-1][1]
    estimators = getattr(clf, "estimators_", [])
    if not isinstance(clf, OneVsRestClassifier) or not all(
        isinstance(e, LogisticRegression) and e.coef_.shape[0] == 1 for e in estimators
    ):
        return model.predict_proba(X)
    cache = {} if cache is None else cache
    if id(clf) not in cache:
        cache[id(clf)] = (np.vstack([e.coef_ for e in estimators]).T, np.array([e.intercept_[0] for e in estimators]))
    coef, intercept = cache[id(clf)]
    return expit(np.asarray(model[:-1].transform(X) @ coef) + intercept)


def apply_temperature(proba: np.ndarray, temperature: float) -> np.ndarray:
    """Soften (T > 1) or sharpen (T < 1) probability rows: p_i ** (1 / T), renormalised."""
    logp = np.log(np.clip(proba, 1e-9, 1.0)) / temperature
    logp -= logp.max(axis=1, keepdims=True)
    out = np.exp(logp)
    return out / out.sum(axis=1, keepdims=True)


def fit_temperature(proba: np.ndarray, y_index: np.ndarray) -> float:
    """The temperature minimising negative log-likelihood of the true grades."""
    from scipy.optimize import minimize_scalar

    def nll(t: float) -> float:
        p = apply_temperature(proba, t)
        return float(-np.log(np.clip(p[np.arange(len(y_index)), y_index], 1e-9, 1.0)).mean())

    return float(minimize_scalar(nll, bounds=(0.2, 5.0), method="bounded").x)


def expected_calibration_error(proba: np.ndarray, y_index: np.ndarray, bins: int = 10) -> float:
    """ECE of the top-label confidence, equal-width bins."""
    conf = proba.max(axis=1)
    correct = proba.argmax(axis=1) == y_index
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        mask = (conf > lo) & (conf <= hi)
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - conf[mask].mean())
    return float(ece)


def _positive_proba(model: Any, X: Any) -> np.ndarray:
    classes = list(model.classes_)
    proba = model.predict_proba(X)
    if 1 in classes:
        return proba[:, classes.index(1)]
    if True in classes:
        return proba[:, classes.index(True)]
    return np.zeros(len(X))
