"""An evidence tagger trained with static sentence vectors (``cue_static_vectors``): its numpy twin computes what
the estimator computes, survives packing, and its skops file loads through the model allowlist. The vectors here
are small and random: what is tested is the arithmetic and the storage, not the distilled vectors' worth."""

import json

import numpy as np
import pytest
import skops.io as sio

from assessqa.features.sentences import own_words
from assessqa.features.static_vectors import StaticVectors
from assessqa.models.allowlist import trusted_types
from assessqa.models.bundle import one_vs_rest_proba
from assessqa.models.compiled import TextLinear, pack, twin_of, unpack
from assessqa.training.estimators import TfidfStaticVectorizer, make_multilabel_classifier

PIECES = ["mum", "school", "said", "##s", "sleep", "night", "worried", "child", "play", "bed", "."]


@pytest.fixture(scope="module")
def vectors():
    rng = np.random.default_rng(3)
    return StaticVectors(PIECES, rng.normal(size=(len(PIECES), 8)).astype(np.float16))


@pytest.fixture(scope="module")
def tagger(vectors):
    texts = [
        "CHILD said she is worried at night __sec_voice__ __quote__",
        "Mum takes CHILD to school __sec_daily__",
        "CHILD plays with his sisters __sec_daily__ P_mum P_said",
        "The school said CHILD sleeps in his own bed __sec_voice__",
        "Unrelated text about the weather",
    ] * 4
    Y = np.array([[1, 0], [0, 1], [0, 1], [1, 1], [0, 0]] * 4)
    return make_multilabel_classifier(C=4.0, ngram_max=2, min_df=1, seed=0, static_vectors=vectors).fit(texts, Y)


SENTENCES = ["CHILD said she sleeps badly __sec_voice__", "Mums and schools __sec_none__ P_night", "", "zzz qqq", "bed"]


def test_own_words_are_the_text_before_the_section_marker():
    assert own_words("She said __x__ no __sec_voice__ __quote__ P_mum") == "She said __x__ no"
    assert own_words("guidance with no section") == "guidance with no section"


def test_the_dense_columns_follow_the_vocabulary_and_change_the_output(tagger, vectors):
    vectoriser = tagger[0]
    assert isinstance(vectoriser, TfidfStaticVectorizer)
    X = vectoriser.transform(SENTENCES)
    assert X.shape[1] == len(vectoriser.vocabulary_) + 8
    dense = X[:, len(vectoriser.vocabulary_):].toarray()
    assert np.allclose(dense, vectors.sentence_vectors([own_words(s) for s in SENTENCES]))
    assert np.allclose(np.linalg.norm(dense[0]), 1.0) and not dense[3].any()  # no known word: zeros


def test_the_twin_computes_what_the_estimator_computes(tagger):
    twin = twin_of(tagger)
    assert isinstance(twin, TextLinear) and twin.static is not None
    assert np.abs(one_vs_rest_proba(tagger, SENTENCES) - twin.predict_proba(SENTENCES)).max() < 1e-12
    assert np.abs(tagger.predict_proba(SENTENCES) - twin.predict_proba(SENTENCES)).max() < 1e-12
    without = TextLinear(twin.vocabulary, twin.idf, twin.coef, twin.intercept, twin.ngram_max, twin.lowercase,
                         twin.token_pattern, twin.sublinear_tf, twin.outputs, list(twin.classes_))
    assert np.abs(without.predict_proba(SENTENCES) - twin.predict_proba(SENTENCES)).max() > 1e-3  # the vectors count


def test_packing_keeps_every_number(tagger):
    description, arrays = pack({"cue_tagger": twin_of(tagger)})
    assert arrays["cue_tagger/static_vectors"].dtype == np.float16
    back = unpack(json.loads(json.dumps(description)), arrays)["cue_tagger"]
    assert np.array_equal(back.predict_proba(SENTENCES), twin_of(tagger).predict_proba(SENTENCES))


def test_the_skops_file_loads_through_the_allowlist(tagger, tmp_path):
    path = tmp_path / "cue_tagger.skops"
    sio.dump(tagger, path)
    trusted = trusted_types(path)  # raises if any node is outside the allowlist
    loaded = sio.load(path, trusted=trusted)
    assert "_static" not in loaded[0].__dict__
    assert np.array_equal(loaded.predict_proba(SENTENCES), tagger.predict_proba(SENTENCES))
