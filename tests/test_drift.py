"""Drift: quiet on held-out documents like the reference, loud on a batch built to differ."""

import json

import pytest
from typer.testing import CliRunner

from assessqa.cli import app
from assessqa.report.drift import compare, profile
from assessqa.schemas import InputDocument
from assessqa.training.annotations import load_corpus, load_splits, split_documents
from conftest import ANNOTATIONS

runner = CliRunner()


@pytest.fixture(scope="module")
def test_records(scorer):
    test = split_documents(load_corpus(ANNOTATIONS), load_splits(ANNOTATIONS / "splits.json"))["test"]
    batches = sorted({d.batch for d in test})
    records = scorer.score_batch([InputDocument(id=d.id, text=d.text) for d in test])
    half = set(batches[::2])  # whole writing batches on each side, as a later month's records would be
    return [r for r, d in zip(records, test) if d.batch in half], [r for r, d in zip(records, test) if d.batch not in half], test


def test_quiet_on_held_out_documents_like_the_reference(test_records):
    reference, later, _ = test_records
    report = compare(profile(later), profile(reference))
    assert report.shifts == [] and not report.retrain_advised and "No drift" in report.summary()


def test_flags_a_batch_of_very_short_plans(scorer, test_records):
    reference, _, test = test_records
    plans = [d for d in test if d.doc_type == "plan"]
    short = scorer.score_batch([InputDocument(id=d.id, text=" ".join(d.text.split()[:40])) for d in plans])
    report = compare(profile(short), profile(reference))
    kinds = {s.what for s in report.shifts}
    assert "length" in kinds and "layout:type:plan" in kinds and report.retrain_advised
    assert "documents are shorter" in report.summary() and "Retraining is advised" in report.summary()


def test_drift_command_against_a_model_folder(tmp_path, test_records):
    reference, later, _ = test_records
    model = tmp_path / "model"
    model.mkdir()
    (model / "reference.json").write_text(json.dumps(profile(reference)))
    scores = tmp_path / "later.jsonl"
    scores.write_text("".join(r.model_dump_json() + "\n" for r in later))
    result = runner.invoke(app, ["drift", str(scores), "--model", str(model)])
    assert result.exit_code == 0 and "No drift" in result.output
    missing = runner.invoke(app, ["drift", str(scores), "--model", str(tmp_path)])
    assert missing.exit_code == 2 and "reference.json is missing" in missing.output


def test_sample_picks_the_least_sure_spread_across_dimensions(tmp_path, test_records):
    from assessqa.training.sampling import sample

    records = test_records[0] + test_records[1]
    picks = sample(records, 12)
    assert len({p.id for p in picks}) == 12
    assert len({p.dimension for p in picks}) == 6  # every dimension gets its turn
    by_dim = {}
    for r in records:
        for dim, res in r.dimensions.items():
            if res is not None:
                by_dim.setdefault(dim, []).append(res.probabilities[str(res.grade)])
    for p in picks:  # each pick is among the ten least sure of its dimension
        assert p.confidence <= sorted(by_dim[p.dimension])[min(9 + len(picks), len(by_dim[p.dimension]) - 1)]
    scores = tmp_path / "s.jsonl"
    scores.write_text("".join(r.model_dump_json() + "\n" for r in records))
    result = runner.invoke(app, ["annotations", "sample", str(scores), "--n", "5", "--out", str(tmp_path / "picks.jsonl")])
    assert result.exit_code == 0 and len((tmp_path / "picks.jsonl").read_text().splitlines()) == 5
