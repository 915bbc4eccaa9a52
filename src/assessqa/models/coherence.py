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
- the document's length in tokens and sentences (log), since both statistics are noisier on short texts.

It is trained on original documents (label 0) against copies disordered *locally* (label 1): words shuffled
within short windows, and a third of the sentences moved to random places. Those are not the probes' full word and
sentence salads (training/probes.py), which stay out of training.
"""

from __future__ import annotations

import math
import re
from typing import Iterable

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted
from spacy.lang.en.stop_words import STOP_WORDS

_TOKEN = re.compile(r"\n|[A-Za-z]+(?:'[a-z]+)?|\d+|[^\sA-Za-z\d]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])|\n+")
_CONTENT = re.compile(r"[a-z]{4,}")
SHAPES = ("<lower>", "<Title>", "<UPPER>", "<digit>", "<nl>")
FEATURES = ("grammar_gain", "cohesion", "log_tokens", "log_sentences", "order")
_ENUMERATOR = re.compile(r"^\W{0,3}(?:([A-Za-z]+)\s+)?(\d{1,2})(?:[.):]|\s)")
_DATE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})\b")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}\b")
# Stateless: the pair features are hashed the same way at training and scoring, so only the weights are saved.
_PAIR_HASHER = FeatureHasher(n_features=2**17, input_type="string", alternate_sign=False)


def _heading_like(sentence: str) -> bool:
    return len(sentence.split()) <= 8 and not sentence.rstrip().endswith((".", '"', "'", "?", "!"))


class _Seam:
    """What :func:`pair_features` reads of one sentence, computed once per sentence."""

    __slots__ = ("classes", "words", "stems", "names", "first", "heading", "enumerator", "dates", "quote_open")

    def __init__(self, sentence: str) -> None:
        self.classes = token_classes(sentence)
        self.words = set(_CONTENT.findall(sentence.lower()))
        self.stems = {w[:5] for w in self.words}
        self.names = set(_CAPITALISED.findall(sentence))
        first = sentence.split()[0].lower().strip(',:;"') if sentence.split() else ""
        self.first = first if first in STOP_WORDS else (self.classes[0] if self.classes else "")
        self.heading = _heading_like(sentence)
        match = _ENUMERATOR.match(sentence)
        self.enumerator = ((match.group(1) or "").lower(), int(match.group(2))) if match else None
        self.dates = [(int(y) % 100, int(m), int(d)) for d, m, y in _DATE.findall(sentence)]
        self.quote_open = sentence.count('"') % 2


def pair_features(a: str | _Seam, b: str | _Seam) -> list[str]:
    """What the seam between sentence ``a`` and the sentence ``b`` after it looks like, as hashed strings."""
    a = a if isinstance(a, _Seam) else _Seam(a)
    b = b if isinstance(b, _Seam) else _Seam(b)
    end, start = (a.classes[-1] if a.classes else ""), (b.classes[0] if b.classes else "")
    shared = len(a.words & b.words)
    features = [
        f"seam={end}|{start}",
        f"start2={'_'.join(b.classes[:2])}",
        f"end2={'_'.join(a.classes[-2:])}",
        f"seam2={end}|{'_'.join(b.classes[:2])}",
        f"heading={a.heading}{b.heading}",
        f"shared={min(3, shared)}",
        f"shared_stems={min(3, len(a.stems & b.stems))}",
        f"shared_names={min(2, len(a.names & b.names))}",
        f"first={b.first}|named_before={bool(a.names)}",
        f"first={b.first}|shared={min(2, shared)}",
        f"quotes_open={a.quote_open}{b.quote_open}",
    ]
    if a.enumerator and b.enumerator:
        (wa, na), (wb, nb) = a.enumerator, b.enumerator
        step = "next" if nb == na + 1 else "same" if nb == na else "back" if nb < na else "jump"
        features.append(f"numbered={step}|{wa == wb}")
    elif b.enumerator:
        features.append(f"numbered=starts|{b.enumerator[1] == 1}")
    elif a.enumerator:
        features.append("numbered=ends")
    if a.dates and b.dates:
        features.append(f"dates={'on' if b.dates[0] >= a.dates[-1] else 'back'}")
    return features


def token_classes(text: str) -> list[str]:
    """Function words as themselves, every other token by its shape."""
    out = []
    for token in _TOKEN.findall(text):
        lower = token.lower()
        if token == "\n":
            out.append("<nl>")
        elif lower in STOP_WORDS:
            out.append(lower)
        elif token.isdigit():
            out.append("<digit>")
        elif token.isalpha() or "'" in token:
            out.append("<UPPER>" if token.isupper() and len(token) > 1 else "<Title>" if token[0].isupper() else "<lower>")
        else:
            out.append(token)
    return out


def sentences(text: str) -> list[str]:
    return [s for s in (p.strip() for p in _SENTENCE_END.split(text)) if s]


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

    def _codes(self, text: str) -> np.ndarray:
        index = self.class_index_
        unknown = len(self.classes_vocab_)
        return np.array([index.get(c, unknown) for c in token_classes(text)], dtype=np.int64)

    def _fit_counts(self, texts: Iterable[str]) -> None:
        vocab = sorted({c for t in texts for c in token_classes(t)} | set(SHAPES))
        self.classes_vocab_ = vocab
        self.class_index_ = {c: i for i, c in enumerate(vocab)}
        size = len(vocab) + 1
        uni, bi, tri = np.zeros(size, dtype=np.int64), [], []
        for text in texts:
            codes = self._codes(text)
            uni += np.bincount(codes, minlength=size)
            if len(codes) >= 3:
                bi.append(codes[:-2] * size + codes[1:-1])
                tri.append((codes[:-2] * size + codes[1:-1]) * size + codes[2:])
        self.unigram_counts_ = uni
        self.bigram_keys_, self.bigram_counts_ = np.unique(np.concatenate(bi), return_counts=True)
        self.trigram_keys_, self.trigram_counts_ = np.unique(np.concatenate(tri), return_counts=True)

    @staticmethod
    def _lookup(keys: np.ndarray, counts: np.ndarray, wanted: np.ndarray) -> np.ndarray:
        at = np.searchsorted(keys, wanted)
        at = np.minimum(at, len(keys) - 1)
        return np.where(keys[at] == wanted, counts[at], 0)

    def _grammar_gain(self, codes: np.ndarray) -> float:
        if len(codes) < 3:
            return 0.0
        size = len(self.classes_vocab_) + 1
        k = self.smoothing
        context = codes[:-2] * size + codes[1:-1]
        tri = context * size + codes[2:]
        p_tri = (self._lookup(self.trigram_keys_, self.trigram_counts_, tri) + k) / (
            self._lookup(self.bigram_keys_, self.bigram_counts_, context) + k * size
        )
        p_uni = (self.unigram_counts_[codes[2:]] + k) / (self.unigram_counts_.sum() + k * size)
        return float(np.mean(np.log(p_tri) - np.log(p_uni)))

    @staticmethod
    def _cohesion(parts: list[str]) -> float:
        bags = [set(_CONTENT.findall(s.lower())) for s in parts]
        bags = [b for b in bags if b]
        if len(bags) < 3:
            return 0.0

        def overlap(a: set[str], b: set[str]) -> float:
            return len(a & b) / len(a | b)

        adjacent = np.mean([overlap(a, b) for a, b in zip(bags, bags[1:])])
        rng = np.random.default_rng(len(bags))
        pairs = rng.integers(0, len(bags), size=(min(200, len(bags) * 4), 2))
        anywhere = np.mean([overlap(bags[i], bags[j]) for i, j in pairs if i != j] or [0.0])
        return float(adjacent - anywhere)

    # -- the next-sentence model

    def _fit_pairs(self, texts: Iterable[str]) -> None:
        rng = np.random.default_rng(self.seed)
        rows: list[list[str]] = []
        labels: list[int] = []
        for text in texts:
            parts = [_Seam(p) for p in sentences(text)]
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

    def _order(self, parts: list[str]) -> float:
        if len(parts) < 2:
            return 0.0
        seams = [_Seam(p) for p in parts]
        odds = self.pair_model_.decision_function(_PAIR_HASHER.transform([pair_features(a, b) for a, b in zip(seams, seams[1:])]))
        return float(np.mean(odds) * math.sqrt(len(odds)))

    def features(self, texts: Iterable[str]) -> np.ndarray:
        check_is_fitted(self, "trigram_keys_")
        # A check saved before the next-sentence model was added reads the four features it was trained on.
        with_order = hasattr(self, "pair_model_")
        rows = []
        for text in texts:
            codes = self._codes(text)
            parts = sentences(text)
            row = [self._grammar_gain(codes), self._cohesion(parts), math.log1p(len(codes)), math.log1p(len(parts))]
            rows.append(row + [self._order(parts)] if with_order else row)
        return np.array(rows, dtype=float)

    # -- estimator contract

    def fit(self, texts: list[str], y: list[int] | np.ndarray) -> "CoherenceModel":
        """Learn the class n-grams from the ordered texts (``y == 0``), then the classifier from all texts.

        The n-gram counts are cross-fitted in two halves for the classifier's training features, so that an
        original text is not scored by counts that include itself.
        """
        texts, y = list(texts), np.asarray(y)
        if len(texts) != len(y) or set(np.unique(y)) - {0, 1}:
            raise ValueError("texts and 0/1 labels of the same length are needed")
        halves = np.arange(len(texts)) % 2
        feats = np.zeros((len(texts), len(FEATURES)))
        for half in (0, 1):
            ordered = [t for t, label, h in zip(texts, y, halves) if label == 0 and h != half]
            self._fit_counts(ordered)
            self._fit_pairs(ordered)
            rows = np.flatnonzero(halves == half)
            feats[rows] = self.features([texts[i] for i in rows])
        self._fit_counts([t for t, label in zip(texts, y) if label == 0])
        self._fit_pairs([t for t, label in zip(texts, y) if label == 0])
        self.scale_ = feats.std(axis=0) + 1e-9
        self.classifier_ = LogisticRegression(C=self.C, max_iter=1000, random_state=self.seed).fit(feats / self.scale_, y)
        self.classes_ = self.classifier_.classes_
        return self

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        check_is_fitted(self, "classifier_")
        return self.classifier_.predict_proba(self.features(texts) / self.scale_)

    def predict(self, texts: list[str]) -> np.ndarray:
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]


def disorder(text: str, rng: np.random.Generator) -> str:
    """A locally disordered copy for training: words shuffled within windows of 3-6 tokens on each line, and a
    third of the sentences moved to random places. Milder than the probes' salads (every word, every sentence)."""
    if rng.random() < 0.5:
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
