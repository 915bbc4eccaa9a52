"""Is the text made of sentences, in an order that follows? A self-supervised check for shuffled text.

The grade models read cue counts, which survive a document's words or sentences being shuffled: a "word salad"
of a good assessment can still be graded 3-4. This estimator scores how much a document reads as ordered prose:

- ``grammar_gain``: how much better a trigram model of word *classes* predicts each token than a unigram model
  (function words are their own class, as spaCy's English stop words list them; other words are classed by shape:
  lower, capitalised, all capitals, digits, punctuation, line break). Grammar lives in function-word order, which
  any house style keeps and a shuffle destroys;
- ``cohesion``: how much more content words adjacent sentences share than any two sentences of the document do
  (sentences shuffled across sections share no more with their neighbours than with anything else);
- ``order``: how well each sentence follows the one before, by a next-sentence model learned from the ordered
  training texts themselves (adjacent pairs against pairs drawn at random from the same document). It reads the
  seam between two sentences: how one ends and the next begins, a pronoun that needs a name before it, numbered
  items and dates that run on, quotes left open, a heading followed by its content, words shared. Summed evidence
  (mean log-odds times the square root of the pairs), so a long document says more than a short one;
- ``position``: whether each sentence sits where sentences like it sit in ordered records, by a position model
  learned from the ordered training texts (a ridge regression over the sentence's words, TF-IDF 1-2 grams, to its
  place in its document, 0 first and 1 last): the correlation between predicted places and the real order. Records
  in every house style put the reason for the work early and the plan late; a salad scatters them
  (:func:`~assessqa.models.coherence_features.position_order`);
- the document's length in tokens and sentences (log), since both statistics are noisier on short texts.

It is trained on original documents against copies disordered *locally*: words shuffled within short windows
(label 1), and a third of the sentences moved to random places (label 2). Those are not the probes' full word and
sentence salads (training/probes.py), which stay out of training. The two kinds of disorder show in different
statistics (shuffled words in ``grammar_gain``, moved sentences in ``order``), and a text may have either, so each
kind gets its own logistic regression against the originals and a text is as disordered as the likelier of the two.
One regression over both kinds at once leaned on ``grammar_gain``, which moved sentences leave intact, and let most
sentence salads through. A model fitted with 0/1 labels has the single regression.
"""

from __future__ import annotations

from typing import Callable, Iterable

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from assessqa.models.coherence_features import (
    FEATURES,
    PAIR_FEATURES,
    SHAPES,
    ClassNgrams,
    Seam,
    coherence_features,
    pair_features,
    sentences,
    token_classes,
)

# Used to fit the next-sentence model only; scoring hashes with coherence_features.pair_feature_index (the same
# columns, tested), so that only the weights are saved.
_PAIR_HASHER = FeatureHasher(n_features=PAIR_FEATURES, input_type="string", alternate_sign=False)


class CoherenceModel(ClassifierMixin, BaseEstimator):
    """``predict_proba(texts)[:, 1]`` is the probability that a text is disordered (not prose in a sensible order).

    Args:
        smoothing: add-k smoothing of the class n-gram counts.
        C: inverse regularisation of the logistic regression over :data:`FEATURES`.
        seed: for the logistic regression.
    """

    def __init__(self, smoothing: float = 0.1, C: float = 1.0, seed: int = 0) -> None:
        self.smoothing = smoothing
        self.C = C
        self.seed = seed

    # -- the class n-gram model, as sorted integer codes and counts (compact and safe to save with skops)

    def _counts(self) -> ClassNgrams:
        return ClassNgrams(
            self.classes_vocab_,
            self.unigram_counts_,
            self.bigram_keys_,
            self.bigram_counts_,
            self.trigram_keys_,
            self.trigram_counts_,
            self.smoothing,
        )

    def _fit_counts(self, texts: Iterable[str]) -> None:
        vocab = sorted({c for t in texts for c in token_classes(t)} | set(SHAPES))
        self.classes_vocab_ = vocab
        self.class_index_ = {c: i for i, c in enumerate(vocab)}
        size = len(vocab) + 1
        uni, bi, tri = np.zeros(size, dtype=np.int64), [], []
        for text in texts:
            codes = np.array([self.class_index_.get(c, size - 1) for c in token_classes(text)], dtype=np.int64)
            uni += np.bincount(codes, minlength=size)
            if len(codes) >= 3:
                bi.append(codes[:-2] * size + codes[1:-1])
                tri.append((codes[:-2] * size + codes[1:-1]) * size + codes[2:])
        self.unigram_counts_ = uni
        self.bigram_keys_, self.bigram_counts_ = np.unique(np.concatenate(bi), return_counts=True)
        self.trigram_keys_, self.trigram_counts_ = np.unique(np.concatenate(tri), return_counts=True)

    # -- the next-sentence model

    def _fit_pairs(self, texts: Iterable[str]) -> None:
        rng = np.random.default_rng(self.seed)
        rows: list[list[str]] = []
        labels: list[int] = []
        for text in texts:
            parts = [Seam(p) for p in sentences(text)]
            if len(parts) < 3:
                continue
            for i in range(len(parts) - 1):
                rows.append(pair_features(parts[i], parts[i + 1]))
                labels.append(1)
                j, k = rng.choice(len(parts), size=2, replace=False)
                while k == j + 1:
                    j, k = rng.choice(len(parts), size=2, replace=False)
                rows.append(pair_features(parts[j], parts[k]))
                labels.append(0)
        self.pair_model_ = LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed).fit(
            _PAIR_HASHER.transform(rows), np.array(labels)
        )

    # -- the position model

    def _fit_position(self, texts: Iterable[str]) -> None:
        sentences_seen: list[str] = []
        places: list[float] = []
        for text in texts:
            parts = sentences(text)
            if len(parts) < 4:  # as position_order reads them
                continue
            sentences_seen.extend(parts)
            places.extend(np.arange(len(parts)) / (len(parts) - 1))
        if not sentences_seen:
            raise ValueError("the coherence check's position model needs ordered texts of at least four sentences")
        self.position_model_ = Pipeline([
            ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
            ("ridge", Ridge(alpha=1.0)),
        ]).fit(sentences_seen, np.array(places))

    def places(self, sentences: list[str]) -> np.ndarray:
        """Where each sentence sits in ordered records, as the position model predicts it (0 first, 1 last)."""
        check_is_fitted(self, "position_model_")
        return self.position_model_.predict(sentences)

    @property
    def reads_places(self) -> bool:
        return hasattr(self, "position_model_")

    def features(self, texts: Iterable[str], places: Callable[[list[str]], np.ndarray] | None = None) -> np.ndarray:
        check_is_fitted(self, "trigram_keys_")
        # A check saved before the next-sentence model was added reads the four features it was trained on, and one
        # saved before the position model the six.
        pair = getattr(self, "pair_model_", None)
        weights = None if pair is None else pair.coef_.ravel()
        bias = 0.0 if pair is None else float(pair.intercept_[0])
        position = getattr(self, "position_model_", None)
        if position is not None and places is None:
            places = position.predict
        return coherence_features(list(texts), self._counts(), weights, bias, None if position is None else places)

    # -- estimator contract

    def fit(self, texts: list[str], y: list[int] | np.ndarray, groups: list[int] | np.ndarray | None = None) -> "CoherenceModel":
        """Learn the class n-grams from the ordered texts (``y == 0``), then a classifier per kind of disorder.

        ``y``: 0 ordered; 1 disordered (words shuffled, or any disorder when no text has label 2); 2 sentences
        moved. The n-gram counts are cross-fitted in two halves for the classifiers' training features, so that an
        original text is not scored by counts (or a next-sentence or position model) that include itself.
        ``groups`` names the original each text was made from, so that a disordered copy falls in its original's
        half: the position model remembers where its training sentences sat, and would score a copy of a text it
        was fitted on as if it were in order. Without ``groups`` texts alternate between the halves.
        """
        texts, y = list(texts), np.asarray(y)
        if len(texts) != len(y) or set(np.unique(y)) - {0, 1, 2} or not {0, 1} <= set(np.unique(y)):
            raise ValueError("texts and labels (0 ordered, 1 disordered, optionally 2 sentences moved) of the same length are needed")
        halves = (np.arange(len(texts)) if groups is None else np.asarray(groups)) % 2
        if len(halves) != len(texts):
            raise ValueError("groups must name the original of every text")
        feats = np.zeros((len(texts), len(FEATURES)))
        for half in (0, 1):
            ordered = [t for t, label, h in zip(texts, y, halves) if label == 0 and h != half]
            self._fit_counts(ordered)
            self._fit_pairs(ordered)
            self._fit_position(ordered)
            rows = np.flatnonzero(halves == half)
            feats[rows] = self.features([texts[i] for i in rows])
        self._fit_counts([t for t, label in zip(texts, y) if label == 0])
        self._fit_pairs([t for t, label in zip(texts, y) if label == 0])
        self._fit_position([t for t, label in zip(texts, y) if label == 0])
        self.scale_ = feats.std(axis=0) + 1e-9
        X = feats / self.scale_

        def against_originals(kind: int) -> LogisticRegression:
            rows = (y == 0) | (y == kind)
            return LogisticRegression(C=self.C, max_iter=1000, random_state=self.seed).fit(X[rows], (y[rows] > 0).astype(int))

        self.classifier_ = against_originals(1)
        self.order_classifier_ = against_originals(2) if (y == 2).any() else None
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, texts: list[str], places: Callable[[list[str]], np.ndarray] | None = None) -> np.ndarray:
        """``places``: the position model's predictions, from a memo the caller shares (:class:`PlaceMemo`)."""
        check_is_fitted(self, "classifier_")
        X = self.features(texts, places) / self.scale_
        disordered = self.classifier_.predict_proba(X)[:, 1]
        if getattr(self, "order_classifier_", None) is not None:
            disordered = np.maximum(disordered, self.order_classifier_.predict_proba(X)[:, 1])
        return np.column_stack([1.0 - disordered, disordered])

    def predict(self, texts: list[str]) -> np.ndarray:
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]


DISORDER_KINDS = ("words", "sentences")


def disorder(text: str, rng: np.random.Generator, kind: str | None = None) -> str:
    """A locally disordered copy for training: words shuffled within windows of 3-6 tokens on each line
    (``"words"``), or a third of the sentences moved to random places (``"sentences"``); either at random when
    ``kind`` is None. Milder than the probes' salads (every word, every sentence)."""
    if kind is None:
        kind = DISORDER_KINDS[int(rng.random() >= 0.5)]
    if kind not in DISORDER_KINDS:
        raise ValueError(f"unknown kind of disorder {kind!r}")
    if kind == "words":
        lines = []
        for line in text.split("\n"):
            words = line.split()
            out = []
            step = int(rng.integers(3, 7))
            for start in range(0, len(words), step):
                window = words[start : start + step]
                rng.shuffle(window)
                out.extend(window)
            lines.append(" ".join(out))
        return "\n".join(lines)
    parts = sentences(text)
    moved = rng.choice(len(parts), size=max(1, len(parts) // 3), replace=False) if parts else []
    keep = [p for i, p in enumerate(parts) if i not in set(moved)]
    for i in moved:
        keep.insert(int(rng.integers(0, len(keep) + 1)), parts[i])
    return "\n".join(keep)


__all__ = ["DISORDER_KINDS", "FEATURES", "CoherenceModel", "disorder", "pair_features", "sentences", "token_classes"]
