"""The coherence check: ordered prose passes, shuffled words are flagged for review, and the estimator keeps
scikit-learn's contract."""

import random

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from assessqa.models.coherence import CoherenceModel, disorder, token_classes
from assessqa.schemas import InputDocument


def test_function_words_are_kept_and_other_words_classed_by_shape():
    assert token_classes("Amy told ME 3 things.\n") == ["<Title>", "<lower>", "me", "<digit>", "<lower>", ".", "<nl>"]


def test_unfitted_model_refuses_to_predict():
    with pytest.raises(NotFittedError):
        CoherenceModel().predict_proba(["Amy (6) told me she likes school."])


def test_fit_returns_self_and_probabilities_sum_to_one(corpus_splits):
    texts = [d.text for d in corpus_splits["dev"][:20]]
    rng = np.random.default_rng(0)
    model = CoherenceModel()
    assert model.fit(texts + [disorder(t, rng) for t in texts], [0] * 20 + [1] * 20) is model
    proba = model.predict_proba(texts[:3])
    assert proba.shape == (3, 2) and np.allclose(proba.sum(axis=1), 1.0)


def test_shuffled_words_need_review_and_the_original_does_not(scorer, corpus_splits):
    # A held-out document and its own words shuffled (the probes' word salad, never used in training).
    doc = max(corpus_splits["test"], key=lambda d: len(d.text))
    words = doc.text.split()
    random.Random(0).shuffle(words)
    original = scorer.score(InputDocument(text=doc.text, doc_type=doc.doc_type))
    salad = scorer.score(InputDocument(text=" ".join(words), doc_type=doc.doc_type))
    assert not any("sensible order" in w for w in original.warnings)
    assert any("sensible order" in w for w in salad.warnings)
    assert all(r.needs_review for r in salad.dimensions.values() if r is not None)


def test_a_texts_classes_are_assembled_from_its_sentences_exactly(corpus):
    from assessqa.models.coherence_features import read_sentences, sentences

    texts = [d.text for d in corpus[:120]] + ["a.\n\n  B c\r\nD.  E!\n", "", "\n\n", "x", "Hello. \n World"]
    for text in texts:
        seams, classes = read_sentences(text)
        assert classes == token_classes(text)
        assert [s.classes for s in seams] == [token_classes(s) for s in sentences(text)]
