"""The fitted parts of a model as arrays, applied with numpy alone: scoring without importing scikit-learn.

Importing scikit-learn and skops takes about 1.7 s and 120 MB before a model is read, and reading skops files
another 1.5 s; a command that scores one document, or a service worker that restarts, pays both. Every part
assessqa trains is a small linear model or tree ensemble, so at save time each fitted estimator is also written
as its arrays (``runtime.safetensors``) and a description (``runtime.json``): vocabularies, feature names, classes.
Scoring reads those. The skops files stay the trained estimators of record (retraining, inspection, this export).

Each twin computes what its estimator computes, in the same order of steps (tests/test_compiled.py compares every
part's probabilities on the corpus, and the parity test compares grades):

- :class:`TextLinear`: ``TfidfVectorizer`` (word n-grams, lower case, sublinear tf, idf, l2), with the static
  sentence vector's dense columns after it where the part was trained with them
  (:class:`~assessqa.training.estimators.TfidfStaticVectorizer`), followed by one logistic regression (binary) or
  one per label (one-vs-rest, each column its own sigmoid);
- :class:`OrdinalLinear`: ``DictVectorizer`` -> ``StandardScaler`` -> :class:`~assessqa.models.ordinal.OrdinalClassifier`;
- :class:`BoostedTrees`: a binary ``HistGradientBoostingClassifier`` on numeric features;
- :class:`CoherenceTwin`: :class:`~assessqa.models.coherence.CoherenceModel` (its position model a
  :class:`TextLinear` read without the sigmoid).

Nothing here executes anything read from a file: the files hold numbers and strings, checked on load.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np

from assessqa.features.sentences import own_words
from assessqa.features.static_vectors import StaticVectors
from assessqa.models.coherence_features import ClassNgrams, coherence_features

RUNTIME_JSON = "runtime.json"
RUNTIME_ARRAYS = "runtime.safetensors"
RUNTIME_FORMAT = 1


class RuntimeFormatError(ValueError):
    """A runtime description that does not hold what its part needs (a damaged or hand-edited file)."""


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, as scipy.special.expit, without importing scipy for it. A very negative z makes
    exp(-z) overflow to inf, whose reciprocal is the right limit, 0: not worth a warning."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def _two_columns(p: np.ndarray) -> np.ndarray:
    return np.column_stack([1.0 - p, p])


def ordinal_proba(above: np.ndarray) -> np.ndarray:
    """Class probabilities from the cumulative ones, ``above[:, k]`` = P(grade above the k-th class): the
    combination step of :class:`~assessqa.models.ordinal.OrdinalClassifier`, shared with its twin."""
    # Cumulative probabilities must not increase with the threshold; independent fits can cross.
    above = np.minimum.accumulate(above, axis=1)
    k = above.shape[1] + 1
    proba = np.empty((len(above), k))
    proba[:, 0] = 1.0 - above[:, 0]
    for i in range(1, k - 1):
        proba[:, i] = above[:, i - 1] - above[:, i]
    proba[:, -1] = above[:, -1]
    proba = np.clip(proba, 1e-6, None)
    return proba / proba.sum(axis=1, keepdims=True)


def stack_one_vs_rest(clf: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """A fitted ``OneVsRestClassifier`` of binary logistic regressions as one (features x labels) weight matrix and
    its intercepts; None for any other classifier."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    estimators = getattr(clf, "estimators_", [])
    if not isinstance(clf, OneVsRestClassifier) or not all(
        isinstance(e, LogisticRegression) and e.coef_.shape[0] == 1 for e in estimators
    ):
        return None
    return np.vstack([e.coef_ for e in estimators]).T, np.array([e.intercept_[0] for e in estimators])


def _tfidf_settings(vectoriser: Any) -> tuple[list[str], tuple[int, bool, str, bool]]:
    """A fitted ``TfidfVectorizer``'s vocabulary in column order, and the settings its twin needs (n-gram maximum,
    lower case, token pattern, sublinear tf); raises :class:`RuntimeFormatError` for settings it cannot follow."""
    settings = vectoriser.get_params()
    unsupported = {
        "analyzer": "word", "preprocessor": None, "tokenizer": None, "stop_words": None,
        "strip_accents": None, "binary": False, "norm": "l2", "use_idf": True,
    }
    for key, wanted in unsupported.items():
        if settings[key] != wanted:
            raise RuntimeFormatError(f"TfidfVectorizer({key}={settings[key]!r}) has no runtime twin")
    if settings["ngram_range"][0] != 1:
        raise RuntimeFormatError("only n-gram ranges starting at 1 have a runtime twin")
    vocabulary = [""] * len(vectoriser.vocabulary_)
    for term, i in vectoriser.vocabulary_.items():
        vocabulary[i] = term
    return vocabulary, (
        int(settings["ngram_range"][1]), bool(settings["lowercase"]), str(settings["token_pattern"]), bool(settings["sublinear_tf"])
    )


class TextLinear:
    """TF-IDF word n-grams and logistic outputs. ``outputs="binary"`` gives ``predict_proba`` of shape (n, 2);
    ``"one_vs_rest"`` gives one sigmoid per label, (n, labels), as :func:`assessqa.models.bundle.one_vs_rest_proba`.
    """

    kind = "text_linear"

    def __init__(
        self,
        vocabulary: list[str],
        idf: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray,
        ngram_max: int,
        lowercase: bool,
        token_pattern: str,
        sublinear_tf: bool,
        outputs: str,
        classes: list[Any],
        static: StaticVectors | None = None,
        dense_coef: np.ndarray | None = None,
    ) -> None:
        if coef.shape != (len(vocabulary), len(intercept)) or idf.shape != (len(vocabulary),):
            raise RuntimeFormatError("vocabulary, idf and weights do not have matching sizes")
        if (static is None) != (dense_coef is None) or (
            static is not None and dense_coef.shape != (static.vectors.shape[1], len(intercept))
        ):
            raise RuntimeFormatError("static vectors and their weights do not have matching sizes")
        self.static = static
        self.dense_coef = dense_coef
        if outputs not in ("binary", "one_vs_rest"):
            raise RuntimeFormatError(f"unknown outputs {outputs!r}")
        self.vocabulary = vocabulary
        self.index = {term: i for i, term in enumerate(vocabulary)}
        self.idf = idf
        self.coef = coef
        self.intercept = intercept
        self.ngram_max = ngram_max
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self._token = re.compile(token_pattern)
        self.sublinear_tf = sublinear_tf
        self.outputs = outputs
        self.classes_ = np.array(classes)

    def _columns(self, text: str) -> list[int]:
        """The vocabulary column of every word n-gram of ``text`` in the vocabulary, repeats included."""
        tokens = self._token.findall(text.lower() if self.lowercase else text)
        get = self.index.get
        found = [c for c in map(get, tokens) if c is not None]
        for n in range(2, self.ngram_max + 1):
            # zip over shifted views builds each n-gram without an index loop (about half the time of slicing).
            grams = map(" ".join, zip(*(tokens[i:] for i in range(n))))
            found += [c for c in map(get, grams) if c is not None]
        return found

    def decision_function(self, texts: list[str]) -> np.ndarray:
        columns = [self._columns(text) for text in texts]
        out = self._dense(texts, np.tile(self.intercept, (len(texts), 1)).astype(float))
        if not any(columns):
            return out
        size = len(self.vocabulary)
        rows = np.repeat(np.arange(len(texts)), [len(c) for c in columns])
        # Counting (row, column) keys sorts each row's terms by column, as scikit-learn's sparse rows are.
        keys, counts = np.unique(rows * size + np.concatenate([np.asarray(c, dtype=np.int64) for c in columns]), return_counts=True)
        r, c, v = keys // size, keys % size, counts.astype(float)
        if self.sublinear_tf:
            v = np.log(v) + 1.0
        v *= self.idf[c]
        norms = np.sqrt(np.bincount(r, weights=v * v, minlength=len(texts)))
        v /= norms[r]
        starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
        out[r[starts]] += np.add.reduceat(v[:, None] * self.coef[c], starts, axis=0)
        return out

    def _dense(self, texts: list[str], out: np.ndarray) -> np.ndarray:
        if self.static is not None and len(texts):
            dense = self.static.sentence_vectors([own_words(t) for t in texts]).astype(float)
            out += dense @ self.dense_coef
        return out

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        p = sigmoid(self.decision_function(list(texts)))
        return _two_columns(p[:, 0]) if self.outputs == "binary" else p

    # -- conversion

    @classmethod
    def from_estimator(cls, pipeline: Any) -> "TextLinear":
        from sklearn.linear_model import LogisticRegression, Ridge
        from sklearn.multiclass import OneVsRestClassifier

        vectoriser, clf = pipeline[0], pipeline[-1]
        vocabulary, settings = _tfidf_settings(vectoriser)
        if isinstance(clf, Ridge) and np.ndim(clf.coef_) == 1:
            # A regression (the coherence check's position model): read through decision_function, no sigmoid.
            return cls(
                vocabulary, np.asarray(vectoriser.idf_, dtype=float), np.asarray(clf.coef_, dtype=float).reshape(-1, 1),
                np.array([float(clf.intercept_)]), *settings, "one_vs_rest", [0],
            )
        if isinstance(clf, OneVsRestClassifier):
            stacked = stack_one_vs_rest(clf)
            if stacked is None:
                raise RuntimeFormatError("a one-vs-rest part whose labels are not binary logistic regressions")
            coef, intercept = stacked
            outputs, classes = "one_vs_rest", list(clf.classes_)
        elif isinstance(clf, LogisticRegression) and clf.coef_.shape[0] == 1:
            coef, intercept, outputs, classes = clf.coef_.T, clf.intercept_, "binary", list(clf.classes_)
        else:
            raise RuntimeFormatError(f"{type(clf).__name__} has no runtime twin")
        static, dense_coef = None, None
        if hasattr(vectoriser, "static_vectors_"):
            static = vectoriser.static_vectors()
            dense_coef, coef = coef[len(vocabulary):], coef[: len(vocabulary)]
        return cls(
            vocabulary,
            np.asarray(vectoriser.idf_, dtype=float),
            np.ascontiguousarray(coef, dtype=float),
            np.asarray(intercept, dtype=float),
            *settings,
            outputs,
            [_plain(c) for c in classes],
            static,
            None if dense_coef is None else np.ascontiguousarray(dense_coef, dtype=float),
        )

    def describe(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        spec = {
            "kind": self.kind, "vocabulary": self.vocabulary, "ngram_max": self.ngram_max, "lowercase": self.lowercase,
            "token_pattern": self.token_pattern, "sublinear_tf": self.sublinear_tf, "outputs": self.outputs,
            "classes": [_plain(c) for c in self.classes_],
        }
        arrays = {"idf": self.idf, "coef": self.coef, "intercept": self.intercept}
        if self.static is not None:
            spec["static_pieces"] = self.static.pieces
            # float16 as distilled: the estimator holds the same values (TfidfStaticVectorizer)
            arrays.update(static_vectors=self.static.vectors.astype(np.float16), dense_coef=self.dense_coef)
        return spec, arrays

    @classmethod
    def build(cls, spec: dict[str, Any], arrays: dict[str, np.ndarray]) -> "TextLinear":
        static = None
        if "static_pieces" in spec:
            static = StaticVectors(_strings(spec, "static_pieces"), arrays["static_vectors"])
        return cls(
            _strings(spec, "vocabulary"), arrays["idf"], arrays["coef"], arrays["intercept"], _int(spec, "ngram_max"),
            bool(spec["lowercase"]), str(spec["token_pattern"]), bool(spec["sublinear_tf"]), str(spec["outputs"]),
            list(spec["classes"]), static, arrays.get("dense_coef") if static is not None else None,
        )


class OrdinalLinear:
    """Named numeric features, standardised, into cumulative logistic thresholds ("is the grade above k?")."""

    kind = "ordinal_linear"

    def __init__(
        self, feature_names: list[str], mean: np.ndarray, scale: np.ndarray, coef: np.ndarray, intercept: np.ndarray, classes: list[int]
    ) -> None:
        if mean.shape != (len(feature_names),) or scale.shape != mean.shape:
            raise RuntimeFormatError("feature names and scaler arrays do not have matching sizes")
        if coef.shape != (max(0, len(classes) - 1), len(feature_names)) or intercept.shape != (coef.shape[0],):
            raise RuntimeFormatError("threshold weights do not match the classes and features")
        self.feature_names = feature_names
        self.index = {name: i for i, name in enumerate(feature_names)}
        self.mean, self.scale, self.coef, self.intercept = mean, scale, coef, intercept
        self.classes_ = np.array(classes)

    def _matrix(self, rows: list[dict[str, float]]) -> np.ndarray:
        X = np.zeros((len(rows), len(self.feature_names)))
        for i, row in enumerate(rows):
            for name, value in row.items():
                if isinstance(value, str):  # as DictVectorizer one-hot encodes a string value
                    name, value = f"{name}={value}", 1.0
                j = self.index.get(name)
                if j is not None:
                    X[i, j] = value
        return X

    def predict_proba(self, rows: list[dict[str, float]]) -> np.ndarray:
        X = (self._matrix(list(rows)) - self.mean) / self.scale
        if len(self.classes_) == 1:
            return np.ones((len(X), 1))
        return ordinal_proba(sigmoid(X @ self.coef.T + self.intercept))

    @classmethod
    def from_estimator(cls, pipeline: Any) -> "OrdinalLinear":
        from sklearn.linear_model import LogisticRegression

        from assessqa.models.ordinal import OrdinalClassifier

        vec, scaler, ordinal = pipeline[0], pipeline[1], pipeline[-1]
        if not isinstance(ordinal, OrdinalClassifier) or not all(isinstance(e, LogisticRegression) for e in ordinal.estimators_):
            raise RuntimeFormatError(f"{type(ordinal).__name__} has no runtime twin")
        if vec.separator != "=" or not (scaler.with_mean and scaler.with_std):
            raise RuntimeFormatError("only the default DictVectorizer and StandardScaler have a runtime twin")
        k = len(ordinal.estimators_)
        coef = np.vstack([e.coef_ for e in ordinal.estimators_]) if k else np.zeros((0, len(vec.feature_names_)))
        intercept = np.array([e.intercept_[0] for e in ordinal.estimators_], dtype=float)
        return cls(
            [str(n) for n in vec.feature_names_],
            np.asarray(scaler.mean_, dtype=float),
            np.asarray(scaler.scale_, dtype=float),
            np.ascontiguousarray(coef, dtype=float),
            intercept,
            [int(c) for c in ordinal.classes_],
        )

    def describe(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        spec = {"kind": self.kind, "feature_names": self.feature_names, "classes": [int(c) for c in self.classes_]}
        return spec, {"mean": self.mean, "scale": self.scale, "coef": self.coef, "intercept": self.intercept}

    @classmethod
    def build(cls, spec: dict[str, Any], arrays: dict[str, np.ndarray]) -> "OrdinalLinear":
        return cls(
            _strings(spec, "feature_names"), arrays["mean"], arrays["scale"], arrays["coef"], arrays["intercept"],
            [int(c) for c in spec["classes"]],
        )


class BoostedTrees:
    """A binary gradient-boosted tree ensemble: the baseline log-odds plus one leaf value from each tree.

    The trees are flattened into one node table (``left``/``right`` index into it) and every sample walks every
    tree at once, one depth level per numpy step. The split rule is scikit-learn's: a missing value goes the
    side ``missing_left`` says, otherwise ``x <= threshold`` goes left.
    """

    kind = "boosted_trees"

    def __init__(
        self,
        roots: np.ndarray,
        feature: np.ndarray,
        threshold: np.ndarray,
        left: np.ndarray,
        right: np.ndarray,
        missing_left: np.ndarray,
        leaf: np.ndarray,
        value: np.ndarray,
        baseline: float,
        n_features: int,
        classes: list[Any],
    ) -> None:
        size = len(feature)
        if any(len(a) != size for a in (threshold, left, right, missing_left, leaf, value)):
            raise RuntimeFormatError("tree node arrays do not have matching sizes")
        inner = ~leaf.astype(bool)
        for name, a in (("roots", roots), ("left", left[inner]), ("right", right[inner])):
            if len(a) and (a.min() < 0 or a.max() >= size):
                raise RuntimeFormatError(f"tree {name} point outside the node table")
        if len(feature[inner]) and (feature[inner].min() < 0 or feature[inner].max() >= n_features):
            raise RuntimeFormatError("a tree splits on a feature the model does not have")
        self.roots = roots.astype(np.int64)
        self.feature, self.threshold = feature.astype(np.int64), threshold.astype(float)
        self.left, self.right = left.astype(np.int64), right.astype(np.int64)
        self.missing_left, self.leaf = missing_left.astype(bool), leaf.astype(bool)
        self.value, self.baseline, self.n_features = value.astype(float), float(baseline), int(n_features)
        self.classes_ = np.array(classes)
        # The walk, as arrays that make every step the same: a leaf is its own child on both sides (so walks
        # that end early stay put), and the tables are indexed by 2 * node + (goes right).
        nodes = np.arange(size)
        self._child = np.where(self.leaf[:, None], nodes[:, None], np.column_stack([self.left, self.right])).ravel()
        self._split_feature = np.where(self.leaf, 0, self.feature)
        self._split_at = np.where(self.leaf, np.inf, self.threshold)
        self._missing_right = np.where(self.leaf, False, ~self.missing_left)
        self._depth = _max_depth(self.roots, self.leaf, self.left, self.right)

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"expected {self.n_features} features, got shape {X.shape}")
        flat = X.ravel()
        # One walk per (row, tree), row-major; each step moves only the walks not yet at a leaf (most trees end
        # well before the deepest path).
        node = np.tile(self.roots, len(X))
        offset = np.repeat(np.arange(len(X)) * self.n_features, len(self.roots))
        walking = np.flatnonzero(~self.leaf[node])
        missing = bool(np.isnan(flat).any())
        for _ in range(self._depth):
            if not len(walking):
                break
            at = node[walking]
            x = flat[offset[walking] + self._split_feature[at]]
            right = x > self._split_at[at]
            if missing:
                # NaN compares false; it goes where the tree sent missing values in training.
                right = np.where(np.isnan(x), self._missing_right[at], right)
            at = self._child[2 * at + right]
            node[walking] = at
            walking = walking[~self.leaf[at]]
        return self.baseline + self.value[node].reshape(len(X), len(self.roots)).sum(axis=1)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return _two_columns(sigmoid(self.decision_function(X)))

    @classmethod
    def from_estimator(cls, model: Any) -> "BoostedTrees":
        predictors = model._predictors
        if len(model.classes_) != 2 or any(len(it) != 1 for it in predictors):
            raise RuntimeFormatError("only binary gradient-boosted trees have a runtime twin")
        if getattr(model, "is_categorical_", None) is not None and np.any(model.is_categorical_):
            raise RuntimeFormatError("categorical splits have no runtime twin")
        tables, roots, offset = [], [], 0
        for [tree] in predictors:
            nodes = tree.nodes
            roots.append(offset)
            tables.append((nodes, offset))
            offset += len(nodes)

        def column(name: str, shift: bool = False) -> np.ndarray:
            return np.concatenate([nodes[name].astype(np.int64) + off if shift else nodes[name] for nodes, off in tables])

        return cls(
            np.array(roots, dtype=np.int64),
            column("feature_idx").astype(np.int64),
            column("num_threshold").astype(float),
            column("left", shift=True),
            column("right", shift=True),
            column("missing_go_to_left").astype(bool),
            column("is_leaf").astype(bool),
            column("value").astype(float),
            float(np.asarray(model._baseline_prediction).ravel()[0]),
            int(model.n_features_in_),
            [_plain(c) for c in model.classes_],
        )

    def describe(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        spec = {"kind": self.kind, "baseline": self.baseline, "n_features": self.n_features, "classes": [_plain(c) for c in self.classes_]}
        arrays = {
            "roots": self.roots, "feature": self.feature, "threshold": self.threshold, "left": self.left, "right": self.right,
            "missing_left": self.missing_left.astype(np.uint8), "leaf": self.leaf.astype(np.uint8), "value": self.value,
        }
        return spec, arrays

    @classmethod
    def build(cls, spec: dict[str, Any], arrays: dict[str, np.ndarray]) -> "BoostedTrees":
        return cls(
            arrays["roots"], arrays["feature"], arrays["threshold"], arrays["left"], arrays["right"], arrays["missing_left"],
            arrays["leaf"], arrays["value"], float(spec["baseline"]), _int(spec, "n_features"), list(spec["classes"]),
        )


def _max_depth(roots: np.ndarray, leaf: np.ndarray, left: np.ndarray, right: np.ndarray) -> int:
    """The most splits on any path from a root to a leaf."""
    depth, frontier = 0, roots[~leaf[roots]]
    while len(frontier):
        if depth > len(leaf):
            raise RuntimeFormatError("the trees have a cycle")
        children = np.concatenate([left[frontier], right[frontier]])
        frontier = children[~leaf[children]]
        depth += 1
    return depth


class CoherenceTwin:
    """:class:`~assessqa.models.coherence.CoherenceModel`'s ``predict_proba`` from its arrays: one row of weights
    per kind of disorder (one row for a check fitted with a single regression); a text is as disordered as its
    likeliest kind."""

    kind = "coherence"

    def __init__(
        self,
        counts: ClassNgrams,
        pair_weights: np.ndarray | None,
        pair_bias: float,
        scale: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray | float,
        classes: list[int],
        position: TextLinear | None = None,
    ) -> None:
        coef = np.atleast_2d(coef)
        intercept = np.atleast_1d(np.asarray(intercept, dtype=float))
        if coef.shape[1:] != scale.shape or intercept.shape != coef.shape[:1]:
            raise RuntimeFormatError("coherence weights and scale do not have matching sizes")
        self.counts, self.pair_weights, self.pair_bias = counts, pair_weights, pair_bias
        self.scale, self.coef, self.intercept = scale, coef, intercept
        self.classes_ = np.array(classes)
        self.position = position

    def places(self, sentences: list[str]) -> np.ndarray:
        return self.position.decision_function(sentences)[:, 0]

    @property
    def reads_places(self) -> bool:
        return self.position is not None

    def predict_proba(self, texts: list[str], places: Callable[[list[str]], np.ndarray] | None = None) -> np.ndarray:
        """``places``: the position model's predictions, from a memo the caller shares (:class:`PlaceMemo`)."""
        places = None if self.position is None else places or self.places
        X = coherence_features(list(texts), self.counts, self.pair_weights, self.pair_bias, places) / self.scale
        return _two_columns(sigmoid(X @ self.coef.T + self.intercept).max(axis=1))

    @classmethod
    def from_estimator(cls, model: Any) -> "CoherenceTwin":
        pair = getattr(model, "pair_model_", None)
        position = getattr(model, "position_model_", None)
        classifiers = [model.classifier_] + [c for c in [getattr(model, "order_classifier_", None)] if c is not None]
        if any(c.coef_.shape[0] != 1 for c in classifiers):
            raise RuntimeFormatError("the coherence classifier is not binary")
        return cls(
            model._counts(),
            None if pair is None else np.asarray(pair.coef_.ravel(), dtype=float),
            0.0 if pair is None else float(pair.intercept_[0]),
            np.asarray(model.scale_, dtype=float),
            np.array([c.coef_.ravel() for c in classifiers], dtype=float),
            np.array([c.intercept_[0] for c in classifiers], dtype=float),
            [int(c) for c in model.classes_],
            None if position is None else TextLinear.from_estimator(position),
        )

    def describe(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        c = self.counts
        spec = {
            "kind": self.kind, "vocab": c.vocab, "smoothing": c.smoothing, "pair_bias": self.pair_bias,
            "intercept": [float(x) for x in self.intercept], "classes": [int(x) for x in self.classes_],
            "has_pairs": self.pair_weights is not None,
        }
        arrays = {
            "unigram_counts": c.unigram_counts, "bigram_keys": c.bigram_keys, "bigram_counts": c.bigram_counts,
            "trigram_keys": c.trigram_keys, "trigram_counts": c.trigram_counts, "scale": self.scale, "coef": self.coef,
        }
        if self.pair_weights is not None:
            arrays["pair_weights"] = self.pair_weights
        if self.position is not None:
            spec["position"], own = self.position.describe()
            arrays.update({f"position_{key}": value for key, value in own.items()})
        return spec, arrays

    @classmethod
    def build(cls, spec: dict[str, Any], arrays: dict[str, np.ndarray]) -> "CoherenceTwin":
        counts = ClassNgrams(
            _strings(spec, "vocab"), arrays["unigram_counts"], arrays["bigram_keys"], arrays["bigram_counts"],
            arrays["trigram_keys"], arrays["trigram_counts"], float(spec["smoothing"]),
        )
        if len(counts.unigram_counts) != len(counts.vocab) + 1:
            raise RuntimeFormatError("class n-gram counts do not match the class vocabulary")
        position = None
        if "position" in spec:
            position = TextLinear.build(spec["position"], {k[len("position_"):]: v for k, v in arrays.items() if k.startswith("position_")})
        return cls(
            counts, arrays["pair_weights"] if spec["has_pairs"] else None, float(spec["pair_bias"]), arrays["scale"],
            arrays["coef"], np.atleast_1d(np.asarray(spec["intercept"], dtype=float)), [int(c) for c in spec["classes"]],
            position,
        )


_KINDS = {k.kind: k for k in (TextLinear, OrdinalLinear, BoostedTrees, CoherenceTwin)}
Twin = TextLinear | OrdinalLinear | BoostedTrees | CoherenceTwin


def twin_of(estimator: Any) -> Twin:
    """The runtime twin of a fitted part assessqa trains; raises :class:`RuntimeFormatError` for any other."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline

    from assessqa.models.coherence import CoherenceModel

    if isinstance(estimator, Pipeline) and isinstance(estimator[0], TfidfVectorizer):
        return TextLinear.from_estimator(estimator)
    if isinstance(estimator, Pipeline) and isinstance(estimator[0], DictVectorizer):
        return OrdinalLinear.from_estimator(estimator)
    if isinstance(estimator, HistGradientBoostingClassifier):
        return BoostedTrees.from_estimator(estimator)
    if isinstance(estimator, CoherenceModel):
        return CoherenceTwin.from_estimator(estimator)
    raise RuntimeFormatError(f"{type(estimator).__name__} has no runtime twin")


def pack(parts: dict[str, Twin]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The runtime description (JSON-ready) and the flat array table (safetensors-ready) of named parts."""
    specs, arrays = {}, {}
    for name, twin in parts.items():
        spec, own = twin.describe()
        specs[name] = spec
        for key, value in own.items():
            arrays[f"{name}/{key}"] = np.ascontiguousarray(value)
    return {"format": RUNTIME_FORMAT, "parts": specs}, arrays


def unpack(description: Any, arrays: dict[str, np.ndarray]) -> dict[str, Twin]:
    """Named parts from :func:`pack`'s output; raises :class:`RuntimeFormatError` on anything missing or malformed."""
    if not isinstance(description, dict) or description.get("format") != RUNTIME_FORMAT:
        raise RuntimeFormatError(f"runtime format {description.get('format') if isinstance(description, dict) else None!r}")
    parts = description.get("parts")
    if not isinstance(parts, dict):
        raise RuntimeFormatError("no parts")
    out: dict[str, Twin] = {}
    for name, spec in parts.items():
        if not isinstance(spec, dict) or spec.get("kind") not in _KINDS:
            raise RuntimeFormatError(f"part {name!r} is of no known kind")
        own = {key.rsplit("/", 1)[1]: value for key, value in arrays.items() if key.rsplit("/", 1)[0] == name}
        try:
            out[name] = _KINDS[spec["kind"]].build(spec, own)
        except RuntimeFormatError as exc:
            raise RuntimeFormatError(f"part {name!r}: {exc}") from exc
        except (KeyError, TypeError, ValueError) as exc:
            raise RuntimeFormatError(f"part {name!r} is incomplete ({exc.__class__.__name__}: {exc})") from exc
    return out


def _plain(value: Any) -> Any:
    """numpy scalars (class labels) as JSON's own types."""
    return value.item() if isinstance(value, np.generic) else value


def _strings(spec: dict[str, Any], key: str) -> list[str]:
    value = spec[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuntimeFormatError(f"{key} must be a list of strings")
    return value


def _int(spec: dict[str, Any], key: str) -> int:
    value = spec[key]
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RuntimeFormatError(f"{key} must be a non-negative integer")
    return value
