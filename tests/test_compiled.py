"""The numpy twins scoring runs (models/compiled.py) compute what the fitted scikit-learn estimators compute,
part by part, on held-out text and on feature values the corpus never produced (NaN included)."""

import json
import random
import string

import numpy as np
import pytest
from sklearn.feature_extraction import FeatureHasher
from sklearn.utils import murmurhash3_32 as sklearn_murmurhash

from assessqa.config import DEFAULT_MODEL_DIR
from assessqa.models.bundle import one_vs_rest_proba
from assessqa.models.coherence_features import PAIR_FEATURES, murmurhash3_32, pair_feature_index
from assessqa.models.compiled import RuntimeFormatError, pack, twin_of, unpack
from assessqa.models.store import load_model

TOLERANCE = 1e-12


@pytest.fixture(scope="module")
def estimators():
    return load_model(DEFAULT_MODEL_DIR, form="estimators")


@pytest.fixture(scope="module")
def sentences(corpus_splits):
    texts = [d.text for d in corpus_splits["test"][:25]]
    return [s.strip() for t in texts for s in t.replace("\n", ". ").split(". ") if s.strip()] + ["", "!!!", "ZZZZ qqqq"]


def test_murmurhash_matches_scikit_learn_and_feature_hasher():
    rng = random.Random(0)
    words = ["".join(rng.choice(string.printable + "éß—’") for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    assert all(murmurhash3_32(w.encode("utf-8")) == sklearn_murmurhash(w.encode("utf-8"), seed=0) for w in words)
    hashed = FeatureHasher(n_features=PAIR_FEATURES, input_type="string", alternate_sign=False).transform([[w] for w in words])
    assert [int(row.indices[0]) for row in hashed] == [pair_feature_index(w) for w in words]


@pytest.mark.parametrize("part", ["cue_tagger", "flag_model"])
def test_one_vs_rest_text_parts(estimators, sentences, part):
    est = getattr(estimators, part)
    assert np.abs(one_vs_rest_proba(est, sentences) - twin_of(est).predict_proba(sentences)).max() < TOLERANCE


@pytest.mark.parametrize("part", ["action_detector", "doc_type_model", "general_text_model"])
def test_binary_text_parts(estimators, sentences, part):
    est = getattr(estimators, part)
    twin = twin_of(est)
    assert np.abs(est.predict_proba(sentences) - twin.predict_proba(sentences)).max() < TOLERANCE
    assert list(twin.classes_) == list(est.classes_)


def test_evidence_trees_on_any_values(estimators):
    rng = np.random.default_rng(0)
    for dim, est in estimators.evidence_models.items():
        X = rng.normal(scale=2.0, size=(400, est.n_features_in_))
        X[rng.random(X.shape) < 0.1] = np.nan
        assert np.abs(est.predict_proba(X) - twin_of(est).predict_proba(X)).max() < TOLERANCE, dim


def test_grade_models_on_partial_and_unknown_features(estimators):
    rng = np.random.default_rng(1)
    for dim, est in estimators.dimension_models.items():
        names = list(est[0].feature_names_)
        rows = [{n: float(rng.normal()) for n in names if rng.random() < 0.8} | {"never_seen": 3.0} for _ in range(100)]
        assert np.abs(est.predict_proba(rows) - twin_of(est).predict_proba(rows)).max() < TOLERANCE, dim


def test_coherence_check(estimators, corpus_splits):
    texts = [d.text for d in corpus_splits["test"][:20]] + ["One line only", ""]
    est = estimators.coherence_model
    assert np.abs(est.predict_proba(texts) - twin_of(est).predict_proba(texts)).max() < TOLERANCE


def test_pack_and_unpack_keep_every_number(estimators, sentences):
    parts = {"cue_tagger": twin_of(estimators.cue_tagger), "evidence/risk_analysis": twin_of(estimators.evidence_models["risk_analysis"])}
    description, arrays = pack(parts)
    back = unpack(json.loads(json.dumps(description)), arrays)
    assert np.array_equal(back["cue_tagger"].predict_proba(sentences), parts["cue_tagger"].predict_proba(sentences))
    with pytest.raises(RuntimeFormatError, match="evidence/risk_analysis"):
        unpack(description, {k: v for k, v in arrays.items() if not k.endswith("/roots")})
    bad = json.loads(json.dumps(description))
    bad["parts"]["cue_tagger"]["kind"] = "pickle"
    with pytest.raises(RuntimeFormatError, match="no known kind"):
        unpack(bad, arrays)


def test_a_part_without_a_twin_is_refused():
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    with pytest.raises(RuntimeFormatError):
        twin_of(Pipeline([("f", FunctionTransformer())]))
