"""Typed model configuration and meta.json checks (models/config.py)."""

import json
from pathlib import Path

import pytest

from assessqa import errors
from assessqa.models.bundle import DEFAULT_CONFIG
from assessqa.models.config import check_meta, resolve_config


def test_a_partial_nested_override_keeps_the_other_settings():
    # The old dict merge replaced the whole section and silently dropped ngram_max and min_df.
    cfg = resolve_config({"cue_tagger": {"C": 2.0}})
    assert cfg["cue_tagger"] == {**DEFAULT_CONFIG["cue_tagger"], "C": 2.0}
    assert {k: v for k, v in cfg.items() if k != "cue_tagger"} == {k: v for k, v in DEFAULT_CONFIG.items() if k != "cue_tagger"}


@pytest.mark.parametrize(
    "override, named",
    [
        ({"cue_taggr": {"C": 2.0}}, "cue_taggr"),  # a misspelt section
        ({"cue_tagger": {"ngram": 3}}, "cue_tagger.ngram"),  # a misspelt key inside a section
        ({"grade_rule": "mean"}, "grade_rule"),  # not one of the rules
        ({"abstain_below": 1.5}, "abstain_below"),  # out of range
    ],
)
def test_a_bad_override_is_refused_by_name(override, named):
    with pytest.raises(errors.AnnotationError) as caught:
        resolve_config(override)
    assert caught.value.code == errors.ErrorCode.BAD_CONFIG and named in caught.value.message


def test_sections_can_be_switched_off():
    assert resolve_config({"coherence": None, "evidence_context": None})["coherence"] is None


def test_meta_without_what_loading_needs_is_refused(tmp_path):
    meta = json.loads((Path(__file__).resolve().parents[1] / "models/default/meta.json").read_text())
    check_meta(meta, "models/default")
    del meta["cue_columns"]
    with pytest.raises(errors.ModelError) as caught:
        check_meta(meta, "models/default")
    assert caught.value.code == errors.ErrorCode.MODEL_CORRUPT and "cue_columns" in caught.value.message


def test_the_default_seam_line_is_the_one_position_seams_dev_measured():
    measured = json.loads((Path(__file__).resolve().parents[1] / "training" / "position_seams_dev.json").read_text())
    assert DEFAULT_CONFIG["coherence"]["seam_above"] == measured["seam_above"]
