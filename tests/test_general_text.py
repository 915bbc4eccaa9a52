"""The learned check for general practice text (models/general_text.py): what it is trained on, how its threshold
keeps a record's own evidence, and that the sentences it takes get no cue. The sentences here were written for these
tests, not taken from any probe or development text."""

import dataclasses
import json
import re

import numpy as np
import pytest

from assessqa.features import SentenceUnit
from assessqa.models.general_text import GeneralTextModel
from assessqa.pipeline import tag_cues
from assessqa.schemas import CUES
from assessqa.training.fit import general_text_passages

GENERAL = [
    "Practitioners should see every child alone and record their words.",
    "A good plan says who will do what and by when.",
    "Significant harm is the threshold for care proceedings.",
    "The local authority must consider whether a strategy discussion is needed.",
    "Outstanding assessments analyse the impact of harm on the child.",
    "Workers should record the wishes and feelings of each young person.",
]
RECORD = [
    "__child__ told me she is scared when __person__ shouts.",
    "Mum said she has not had a drink since March.",
    "__child__ goes to bed at 9pm after a bath.",
    "Dad will attend the parenting course every Tuesday.",
    "The school reports that __child__ arrives hungry most days.",
    "__person__ was in care as a child and left at 16.",
]


def _fitted(budget: float = 0.0) -> GeneralTextModel:
    general = GENERAL * 5
    records = [f"{s} {extra}" for extra in ("", "again", "today", "yesterday", "at home") for s in RECORD]
    groups = [f"b{i % 5}" for i in range(len(records))]
    evidence = [i % 2 == 0 for i in range(len(records))]
    return GeneralTextModel(evidence_budget=budget, folds=5).fit(general, records, groups, evidence)


def test_general_text_is_taken_and_a_record_is_not():
    model = _fitted(budget=0.2)
    assert model.takes(["Practitioners should record the wishes of every child."]).tolist() == [True]
    assert model.takes(["__child__ told me she is scared at home."]).tolist() == [False]
    assert model.predict_proba([]).shape == (0, 2)


@pytest.mark.parametrize("budget", [0.0, 0.1, 0.5])
def test_the_threshold_takes_no_more_evidence_out_of_fold_than_the_budget(budget):
    model = _fitted(budget)
    evidence = 15  # every other record sentence
    assert model.evidence_taken_out_of_fold_ <= int(np.floor(budget * evidence))


def test_the_check_needs_evidence_to_choose_its_threshold():
    with pytest.raises(ValueError, match="evidence"):
        GeneralTextModel().fit(GENERAL, RECORD, ["a"] * 6, [False] * 6)
    with pytest.raises(ValueError):
        GeneralTextModel().fit([], RECORD, ["a"] * 6, [True] * 6)


def test_the_cue_stage_gives_the_checks_sentences_no_cue():
    texts = ["Mum said she has not had a drink.", "Practitioners should see every child alone."]
    units = [[SentenceUnit(0, len(t), t, None) for t in texts]]
    ones = lambda reprs: np.ones((len(reprs), len(CUES)))  # noqa: E731
    general = lambda own: np.array(["Practitioners" in s for s in own])  # noqa: E731
    probs = tag_cues(units, ones, general=general)[0]
    assert probs[0].sum() == len(CUES) and probs[1].sum() == 0
    assert tag_cues(units, ones)[0].sum() == 2 * len(CUES)


def test_with_a_run_length_only_runs_of_the_checks_sentences_get_no_cue():
    texts = ["Mum said she has not had a drink.", "Practitioners should see every child alone.", "Dad works nights.",
             "Practitioners should record the words.", "Practitioners should analyse harm."]
    units = [[SentenceUnit(0, len(t), t, None) for t in texts]]
    ones = lambda reprs: np.ones((len(reprs), len(CUES)))  # noqa: E731
    general = lambda own: np.array(["Practitioners" in s for s in own])  # noqa: E731
    probs = tag_cues(units, ones, general=general, general_run=2)[0]
    assert probs.sum(axis=1).tolist() == [len(CUES), len(CUES), len(CUES), 0, 0]


def test_the_training_text_is_packaged_and_names_no_one():
    passages = general_text_passages()
    assert len(passages) >= 200
    # Written to name no one: no title before a name, no dates.
    assert not any(word in p for p in passages for word in ("Mrs ", "Mr ", "Ms "))
    assert not any(re.search(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b", p) for p in passages)


@pytest.fixture(scope="module")
def general_model(small_model, small_train):
    """The small test model with the check fitted again on the same documents, as training fits it."""
    from assessqa.models.config import resolve_config
    from assessqa.training.fit import fit_general_text, parse_documents

    cfg = resolve_config({"general_text": {}})
    pipeline, meta = fit_general_text(parse_documents(small_train), cfg)
    config = {**small_model.meta["config"], "general_text": cfg["general_text"]}
    return dataclasses.replace(small_model, general_text_model=pipeline, meta={**small_model.meta, "general_text": meta, "config": config})


def test_the_check_is_on_by_default_and_a_model_without_it_takes_nothing(small_model):
    assert small_model.general_text_model is not None and small_model.config["general_text"]["run"] == 2
    without = dataclasses.replace(small_model, general_text_model=None)
    assert not without.general_text(["Practitioners should see every child alone."]).any()


def test_the_fitted_check_takes_guidance_and_keeps_a_record(general_model):
    assert 0 < general_model.meta["general_text"]["threshold"] < 1
    taken = general_model.general_text([
        "Practitioners should ensure that the voice of the child is evident throughout the assessment.",
        "__child__ said she feels safe at Nan's house because Nan makes her tea.",
    ])
    assert taken.tolist() == [True, False]


def test_the_check_saves_loads_and_scores_as_its_numpy_twin(general_model, tmp_path):
    from assessqa.models.compiled import twin_of
    from assessqa.models.store import load_model, save_model

    save_model(general_model, tmp_path)
    loaded = load_model(tmp_path)
    assert loaded.compiled and loaded.general_text_model is not None
    sentences = ["Practitioners should record the wishes of every child.", "Mum said she was tired.", "", "!!!"]
    twin = twin_of(general_model.general_text_model)
    assert np.abs(twin.predict_proba(sentences) - general_model.general_text_model.predict_proba(sentences)).max() < 1e-12
    assert loaded.general_text(sentences).tolist() == general_model.general_text(sentences).tolist()
    # A folder whose meta.json lost the check's threshold (or predates it) takes nothing.
    meta = json.loads((tmp_path / "meta.json").read_text())
    meta.pop("general_text")
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    assert not load_model(tmp_path).general_text(sentences).any()


def test_a_folds_cue_stage_reads_the_check_in_runs_as_scoring_does():
    """Instruments that refit the tagger per fold (evidence_cv.py, action_detector_dev.py) read cues through
    fold_cue_stage, so with the check on they see the runs it takes, and with it off every sentence."""
    from assessqa.models.config import resolve_config
    from assessqa.training.fit import fold_cue_stage

    class Tagger:
        def predict_proba(self, reprs):
            return np.ones((len(reprs), 2))

    texts = ["Mum said she has not had a drink.", "Practitioners should see every child alone.", "Dad works nights.",
             "Practitioners should record the words.", "Practitioners should analyse harm."]
    units = [[SentenceUnit(0, len(t), t, None) for t in texts]]
    general = lambda own: np.array(["Practitioners" in s for s in own])  # noqa: E731
    cfg = resolve_config({"general_text": {}, "ignore_generic_sentences": False})
    assert fold_cue_stage(Tagger(), list(CUES[:2]), cfg, general)(units)[0].sum(axis=1).tolist() == [2, 2, 2, 0, 0]
    assert fold_cue_stage(Tagger(), list(CUES[:2]), cfg)(units)[0].sum(axis=1).tolist() == [2] * 5
