import json
import shutil

import pytest

from assessqa import errors
from assessqa.models.store import load_model, save_model
from assessqa.scoring import Scorer
from assessqa.schemas import InputDocument

PLAN = "Plan\n1. Mum to attend the Freedom Programme every Tuesday by 30/06/2025.\n2. All professionals to share information.\n"


def test_round_trip_gives_identical_scores(tmp_path, small_model):
    save_model(small_model, tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    before = Scorer(small_model).score(InputDocument(text=PLAN, doc_type="plan"))
    after = Scorer(loaded).score(InputDocument(text=PLAN, doc_type="plan"))
    assert before.model_dump() == after.model_dump()
    assert loaded.version == "test-small"


def test_missing_model(tmp_path):
    with pytest.raises(errors.ModelError) as info:
        load_model(tmp_path / "nothing")
    assert info.value.code is errors.ErrorCode.MODEL_MISSING


@pytest.fixture()
def saved(tmp_path, small_model):
    return save_model(small_model, tmp_path / "m")


def test_corrupt_part_is_detected_by_hash(saved):
    (saved / "dimensions" / "risk_analysis.skops").write_bytes(b"garbage")
    with pytest.raises(errors.ModelError) as info:
        load_model(saved)
    assert info.value.code is errors.ErrorCode.MODEL_CORRUPT and "risk_analysis" in info.value.message


def test_corrupt_evidence_scorer_is_named(saved):
    # The evidence scorers are optional parts, but one listed in meta.json must still match its hash.
    (saved / "evidence" / "smart_actions.skops").write_bytes(b"garbage")
    with pytest.raises(errors.ModelError) as info:
        load_model(saved)
    assert info.value.code is errors.ErrorCode.MODEL_CORRUPT and "evidence/smart_actions.skops" in info.value.message


def test_corrupt_meta(saved):
    (saved / "meta.json").write_text("{broken")
    with pytest.raises(errors.ModelError) as info:
        load_model(saved)
    assert info.value.code is errors.ErrorCode.MODEL_CORRUPT


def test_incompatible_format_version(saved):
    meta = json.loads((saved / "meta.json").read_text())
    meta["format_version"] = 99
    (saved / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(errors.ModelError) as info:
        load_model(saved)
    assert info.value.code is errors.ErrorCode.MODEL_INCOMPATIBLE


def test_model_trained_on_other_features_is_refused(saved):
    meta = json.loads((saved / "meta.json").read_text())
    meta["features_version"] = 1
    (saved / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(errors.ModelError, match="features version 1") as info:
        load_model(saved)
    assert info.value.code is errors.ErrorCode.MODEL_INCOMPATIBLE


def test_missing_dimension_names_what_was_found(saved):
    meta = json.loads((saved / "meta.json").read_text())
    del meta["files"]["dimensions/contingency.skops"]
    (saved / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(errors.ModelError, match="No model for dimension 'contingency'.*Found: lived_experience"):
        load_model(saved)


def test_untrusted_types_are_refused(saved, tmp_path):
    import skops.io as sio

    # a file whose hash matches meta.json but which would build a type outside the allow-list
    path = saved / "cue_tagger.skops"
    sio.dump({"x": shutil.Error("boom")}, path)
    meta = json.loads((saved / "meta.json").read_text())
    import hashlib

    meta["files"]["cue_tagger.skops"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (saved / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(errors.ModelError) as info:
        load_model(saved, form="estimators")
    assert info.value.code is errors.ErrorCode.MODEL_REFUSED and "shutil.Error" in info.value.message


def test_scoring_reads_the_twins_and_needs_no_scikit_learn(saved):
    model = load_model(saved)
    assert model.compiled
    estimators = load_model(saved, form="estimators")
    assert not estimators.compiled
    before = Scorer(estimators).score(InputDocument(text=PLAN, doc_type="plan"))
    after = Scorer(model).score(InputDocument(text=PLAN, doc_type="plan"))
    assert before.model_dump() == after.model_dump()


@pytest.mark.parametrize("name", ["runtime.json", "runtime.safetensors"])
def test_corrupt_runtime_file_is_detected_by_hash(saved, name):
    (saved / name).write_bytes(b"garbage")
    with pytest.raises(errors.ModelError) as info:
        load_model(saved)
    assert info.value.code is errors.ErrorCode.MODEL_CORRUPT and name in info.value.message


def test_runtime_description_that_does_not_fit_its_arrays_is_refused(saved):
    import hashlib

    path = saved / "runtime.json"
    description = json.loads(path.read_text())
    description["parts"]["cue_tagger"]["vocabulary"] = description["parts"]["cue_tagger"]["vocabulary"][:-1]
    path.write_text(json.dumps(description))
    meta = json.loads((saved / "meta.json").read_text())
    meta["files"]["runtime.json"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (saved / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(errors.ModelError, match="cue_tagger") as info:
        load_model(saved)
    assert info.value.code is errors.ErrorCode.MODEL_CORRUPT
    # and a folder whose twins are not what its estimators export is not signed or promoted
    from assessqa.models.store import verify_runtime

    with pytest.raises(errors.ModelError, match="not what the skops files export"):
        verify_runtime(saved)


def test_a_folder_saved_before_the_twins_scores_from_its_estimators_and_can_be_given_them(saved):
    from assessqa.models.store import add_runtime, verify_runtime

    meta = json.loads((saved / "meta.json").read_text())
    for name in ("runtime.json", "runtime.safetensors"):
        del meta["files"][name]
        (saved / name).unlink()
    (saved / "meta.json").write_text(json.dumps(meta))
    assert not load_model(saved).compiled
    add_runtime(saved)
    assert load_model(saved).compiled
    verify_runtime(saved)
