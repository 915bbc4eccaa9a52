"""The coherence check: ordered prose passes, shuffled words are flagged for review, and the estimator keeps
scikit-learn's contract."""

import random

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from assessqa.models.coherence import CoherenceModel, disorder, pair_features, token_classes
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


def test_next_sentence_evidence_is_what_scikit_learn_computes_from_the_hashed_seams(corpus):
    # The scoring code hashes seam strings itself and sums their weights in one call; here the same evidence is
    # computed the way the model was fitted: FeatureHasher rows and the logistic regression's decision_function.
    import math

    from assessqa.config import DEFAULT_MODEL_DIR
    from assessqa.models.coherence import _PAIR_HASHER
    from assessqa.models.coherence_features import order, sentences
    from assessqa.models.store import load_model

    pair_model = load_model(DEFAULT_MODEL_DIR, form="estimators").coherence_model.pair_model_
    for doc in corpus[:25]:
        parts = sentences(doc.text)
        if len(parts) < 2:
            continue
        rows = [pair_features(a, b) for a, b in zip(parts, parts[1:])]
        odds = pair_model.decision_function(_PAIR_HASHER.transform(rows))
        expected = float(np.mean(odds) * math.sqrt(len(odds)))
        assert abs(order(parts, pair_model.coef_.ravel(), float(pair_model.intercept_[0]))[0] - expected) < 1e-9


def test_each_kind_of_disorder_has_its_own_regression_and_the_twin_scores_as_the_estimator(corpus_splits):
    import json

    from assessqa.models.compiled import CoherenceTwin, twin_of

    texts = [d.text for d in corpus_splits["dev"][:20]]
    rng = np.random.default_rng(0)
    words = [disorder(t, rng, "words") for t in texts]
    moved = [disorder(t, rng, "sentences") for t in texts]
    model = CoherenceModel().fit(texts + words + moved, [0] * 20 + [1] * 20 + [2] * 20)
    assert model.order_classifier_ is not None and list(model.classes_) == [0, 1]
    probe = texts[:4] + words[:4] + moved[:4]
    X = model.features(probe) / model.scale_
    likelier = np.maximum(model.classifier_.predict_proba(X)[:, 1], model.order_classifier_.predict_proba(X)[:, 1])
    assert np.allclose(model.predict_proba(probe)[:, 1], likelier)
    twin = twin_of(model)
    spec, arrays = twin.describe()
    rebuilt = CoherenceTwin.build(json.loads(json.dumps(spec)), arrays)
    for scored in (twin, rebuilt):
        assert np.abs(scored.predict_proba(probe) - model.predict_proba(probe)).max() < 1e-9
    with pytest.raises(ValueError):
        disorder(texts[0], rng, "paragraphs")


def test_held_out_documents_beat_their_own_sentences_shuffled_on_order_contrast(corpus_splits):
    # The contrast reads whether a text's order beats random pairs of its own sentences: on held-out documents
    # of every writer in the test split, the original should do so more than the same sentences shuffled.
    from assessqa.config import DEFAULT_MODEL_DIR
    from assessqa.models.coherence_features import order
    from assessqa.models.store import load_model

    pair_model = load_model(DEFAULT_MODEL_DIR, form="estimators").coherence_model.pair_model_
    weights, bias = pair_model.coef_.ravel(), float(pair_model.intercept_[0])
    wins, total = _original_beats_shuffled(corpus_splits["test"], lambda parts: order(parts, weights, bias)[1], seed=3)
    assert total >= 30 and wins / total >= 0.8


def _original_beats_shuffled(docs, score, seed: int, margin: float = 0.0) -> tuple[int, int]:
    """How many documents of at least eight sentences score higher than the same sentences shuffled (by more than
    ``margin``), and of how many."""
    from assessqa.models.coherence_features import sentences

    rng = random.Random(seed)
    wins = total = 0
    for doc in docs:
        parts = sentences(doc.text)
        if len(parts) < 8:
            continue
        shuffled = parts[:]
        rng.shuffle(shuffled)
        wins += score(parts) > score(shuffled) + margin
        total += 1
    return wins, total


def test_the_columns_scoring_sums_are_the_hashed_pair_features(corpus):
    from assessqa.models.coherence_features import Seam, pair_columns, pair_feature_index, sentences

    texts = [d.text for d in corpus[:60]] + ["1. Mum will call on 01/02/2024.\n2. Dad will call on 03/02/2024.\n\"She said"]
    checked = 0
    for text in texts:
        seams = [Seam(s) for s in sentences(text)]
        for a, b in zip(seams, seams[1:] + seams[:1]):
            assert pair_columns(a, b) == [pair_feature_index(f) for f in pair_features(a, b)]
            checked += 1
    assert checked > 1000


def test_position_order_is_the_correlation_of_predicted_places_with_the_real_order():
    from assessqa.models.coherence_features import position_order

    rising = np.linspace(0.0, 1.0, 9)
    assert position_order(rising) == pytest.approx(1.0)
    assert position_order(rising[::-1]) == pytest.approx(-1.0)
    assert position_order(rising[:3]) == 0.0  # too few sentences to say
    assert position_order(np.full(6, 0.4)) == 0.0  # a model that places every sentence alike says nothing
    noisy = rising + np.random.default_rng(0).normal(scale=0.05, size=9)
    assert position_order(noisy) == pytest.approx(np.corrcoef(noisy, np.arange(9))[0, 1])


def test_held_out_documents_sit_in_order_and_their_sentences_shuffled_do_not(corpus_splits):
    # The position model learns where sentences sit from the training split; on held-out test documents the
    # original order should correlate with its predictions far more than the same sentences shuffled.
    from assessqa.models.coherence_features import position_order

    model = CoherenceModel()
    model._fit_position([d.text for d in corpus_splits["train"]])
    place = model.position_model_.predict
    wins, total = _original_beats_shuffled(corpus_splits["test"], lambda parts: position_order(place(parts)), seed=5, margin=0.2)
    assert total >= 30 and wins / total >= 0.85


def test_groups_must_name_the_original_of_every_text(corpus_splits):
    texts = [d.text for d in corpus_splits["dev"][:9]]
    rng = np.random.default_rng(1)
    moved = [disorder(t, rng, "sentences") for t in texts]
    with pytest.raises(ValueError, match="groups"):
        CoherenceModel().fit(texts + moved, [0] * 9 + [1] * 9, groups=list(range(9)))


def test_the_position_model_reads_the_sentences_the_seams_are_built_from(corpus):
    from assessqa.models.coherence_features import Seam, read_sentences, sentences

    for doc in corpus[:80]:
        seams, _ = read_sentences(doc.text)
        split = sentences(doc.text)
        assert [Seam(s).classes for s in split] == [seam.classes for seam in seams]
        assert [Seam(s).words for s in split] == [seam.words for seam in seams]
