"""The trained parts of an assessqa model and how each one is applied.

Training fits plain scikit-learn pipelines (plus :class:`~assessqa.models.ordinal.OrdinalClassifier`), saved with
skops; scoring loads their numpy twins (:mod:`assessqa.models.compiled`). Both answer ``predict_proba`` and
``classes_`` the same way, so this module applies either, and imports scikit-learn only when it is given its
estimators.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from assessqa.features import dimension_strength
from assessqa.models.compiled import BoostedTrees, CoherenceTwin, OrdinalLinear, TextLinear, sigmoid, stack_one_vs_rest
from assessqa.models.coherence_features import PlaceMemo, restart_windows
from assessqa.models.config import ModelConfig
from assessqa.schemas import ACTION_FLAGS, CUES

_TWINS = (TextLinear, OrdinalLinear, BoostedTrees, CoherenceTwin)

# The defaults of every training setting, validated (models/config.py explains each one).
DEFAULT_CONFIG: dict[str, Any] = ModelConfig().model_dump()


@dataclass
class AssessModel:
    """All trained parts plus the metadata written to ``meta.json``."""

    # Each part is a fitted scikit-learn estimator (training) or its numpy twin (scoring; models/compiled.py).
    cue_tagger: Any
    action_detector: Any
    flag_model: Any
    dimension_models: dict[str, Any]
    doc_type_model: Any | None
    meta: dict[str, Any] = field(default_factory=dict)
    # One per dimension; a model without them shows as evidence the sentences whose own cue probability is high.
    evidence_models: dict[str, Any] = field(default_factory=dict)
    # Optional (models/coherence.py); a model without it never flags disordered text.
    coherence_model: Any | None = None
    # Optional (models/general_text.py): a TF-IDF + logistic pipeline or its twin; its threshold is in meta.
    general_text_model: Any | None = None
    # Stacked one-vs-rest weights, built on first use (see :func:`one_vs_rest_proba`); never saved.
    _weights: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def version(self) -> str:
        return str(self.meta.get("model_version", "unversioned"))

    @property
    def compiled(self) -> bool:
        """Whether every part is a numpy twin, so that applying the model needs no scikit-learn."""
        parts = [self.cue_tagger, self.action_detector, self.flag_model, *self.dimension_models.values(), *self.evidence_models.values()]
        parts += [p for p in (self.doc_type_model, self.coherence_model, self.general_text_model) if p is not None]
        return all(isinstance(p, _TWINS) for p in parts)

    @property
    def config(self) -> dict[str, Any]:
        saved = self.meta.get("config", {})
        # Models saved before the floor was a setting were trained with 0.1; reading them with today's default
        # would give their grade models features they never saw.
        legacy = {} if "evidence_floor" in saved else {"evidence_floor": 0.1}
        if "ignore_generic_sentences" not in saved:
            legacy["ignore_generic_sentences"] = False
        if "general_text" not in saved:
            legacy["general_text"] = None
        return {**DEFAULT_CONFIG, **legacy, **saved}

    def disordered(self, text: str) -> bool:
        """Whether the text does not read as sentences in a sensible order (word or sentence salad)."""
        return self.disordered_batch([text])[0]

    def disordered_batch(self, texts: list[str], places: PlaceMemo | None = None) -> list[bool]:
        """:meth:`disordered` for each of ``texts``, in one call (``places`` from :meth:`place_memo`)."""
        if self.coherence_model is None or not texts:
            return [False] * len(texts)
        proba = self.coherence_model.predict_proba(texts, places)[:, 1]
        return [bool(p >= self.config["coherence"]["flag_above"]) for p in proba]

    def place_memo(self) -> PlaceMemo | None:
        """The coherence check's position model behind a memo, for one batch (None without a position model)."""
        check = self.coherence_model
        return PlaceMemo(check.places) if check is not None and getattr(check, "reads_places", False) else None

    def restart_windows(self, texts: list[str], places: PlaceMemo | None = None) -> list[tuple[int, int] | None]:
        """Per text, the stretch where its sentences' places start again as a second record's would (the coherence
        check's position model, at or above the configured ``seam_above``), or None."""
        places = places or self.place_memo()
        line = (self.config.get("coherence") or {}).get("seam_above")
        if places is None or line is None or not texts:
            return [None] * len(texts)
        return [None if w is None else (w[1], w[2]) for w in restart_windows(texts, places, at_least=line)]

    def general_text(self, sentences: list[str]) -> np.ndarray:
        """Whether each sentence (own words, names masked) is general practice text by the learned check and the
        threshold chosen when it was fitted (all False without the check)."""
        threshold = (self.meta.get("general_text") or {}).get("threshold")
        if self.general_text_model is None or threshold is None or not sentences:
            return np.zeros(len(sentences), dtype=bool)
        return _positive_proba(self.general_text_model, sentences) >= float(threshold)

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
        with _one_openmp_thread([self.evidence_models[d] for d in dimensions if d in self.evidence_models]):
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
def _openmp_controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _one_openmp_thread(models: list[Any]) -> AbstractContextManager[Any]:
    """scikit-learn's gradient-boosted trees predict with OpenMP threads. On one document's ~50 sentences that buys
    nothing, and where scoring already runs in parallel (``assessqa score --jobs``, API workers) the threads fight
    over the cores: measured, batch scoring with two workers fell from ~36 to 2.4 documents/s. The limit only holds
    for the calling thread and is lifted on exit. The numpy twins use no threads of their own."""
    if all(isinstance(m, BoostedTrees) for m in models):
        return nullcontext()
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


def one_vs_rest_proba(model: Any, X: list[str], cache: dict[int, tuple[np.ndarray, np.ndarray]] | None = None) -> np.ndarray:
    """``predict_proba`` of a vectoriser + one-vs-rest logistic pipeline, as one sparse matrix product.

    OneVsRestClassifier asks each binary model in turn and each call pays scikit-learn's input checks; with
    eleven cue labels the checks cost more than the arithmetic. The result is the same matrix (tested); any
    other final step falls back to the pipeline's own ``predict_proba``. ``cache`` keeps the stacked weights
    between calls. A numpy twin (:class:`~assessqa.models.compiled.TextLinear`) computes the same product itself.
    """
    if isinstance(model, TextLinear):
        return model.predict_proba(X)
    clf = model.steps[-1][1]
    cache = {} if cache is None else cache
    if id(clf) not in cache:
        stacked = stack_one_vs_rest(clf)
        if stacked is None:
            return model.predict_proba(X)
        cache[id(clf)] = stacked
    coef, intercept = cache[id(clf)]
    return sigmoid(np.asarray(model[:-1].transform(X) @ coef) + intercept)


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
