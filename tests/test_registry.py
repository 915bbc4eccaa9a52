"""Model registry: list, compare with paired bootstrap intervals, promote or refuse."""

import json
import shutil

import pytest
from typer.testing import CliRunner

from assessqa import errors
from assessqa.cli import app
from assessqa.models.store import save_model
from assessqa.scoring import Scorer
from assessqa.training.registry import compare, list_models, promote
from conftest import ROOT

runner = CliRunner()


@pytest.fixture(scope="module")
def folders(tmp_path_factory, small_model):
    root = tmp_path_factory.mktemp("models")
    shutil.copytree(ROOT / "models/default", root / "default")
    save_model(small_model, root / "small")
    return root


@pytest.fixture(scope="module")
def held_out(corpus_splits):
    return corpus_splits["test"][:40]


def test_compare_gives_paired_intervals_and_changed_grades(folders, held_out):
    shipped, small = Scorer.from_directory(folders / "default"), Scorer.from_directory(folders / "small")
    same = compare(shipped, shipped, held_out, resamples=100)
    assert same.worse() == [] and same.changed == []
    assert all(diff in (None, 0) for _, _, diff, _, _ in same.rows.values())
    versus = compare(shipped, small, held_out, resamples=100)
    _, _, diff, low, high = versus.rows["action_recall"] if versus.rows["action_recall"][2] else versus.rows["qwk:smart_actions"]
    assert low <= diff <= high
    assert versus.changed and versus.worse()  # a model trained on a small slice is worse somewhere, beyond noise


def test_promote_refuses_a_worse_model_unless_forced_with_a_reason(folders, held_out):
    target = folders / "default"
    shipped, small = Scorer.from_directory(target), Scorer.from_directory(folders / "small")
    comparison = compare(shipped, small, held_out, resamples=100)
    with pytest.raises(errors.ModelError) as refused:
        promote(folders / "small", target, comparison)
    assert refused.value.code == errors.ErrorCode.PROMOTION_REFUSED
    assert json.loads((target / "meta.json").read_text())["model_version"] == shipped.model_version
    record = promote(folders / "small", target, comparison, force=True, reason="testing the registry")
    meta = json.loads((target / "meta.json").read_text())
    assert meta["model_version"] == "test-small" and meta["promotion"]["reason"] == "testing the registry"
    assert meta["promotion"]["forced"] and record["comparison"]["worse_beyond_interval"]
    assert Scorer.from_directory(target).model_version == "test-small"  # the promoted folder still loads
    listed = {e.version: e for e in list_models(folders)}
    assert listed["test-small"].promoted is not None


def test_models_list_command(folders):
    result = runner.invoke(app, ["models", "list", str(folders)])
    assert result.exit_code == 0 and "test-small" in result.output
