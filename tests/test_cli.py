import csv
import json

from typer.testing import CliRunner

from assessqa.cli import app
from conftest import ANNOTATIONS, EXAMPLES

runner = CliRunner()


def test_score_examples_writes_one_valid_record_per_document(tmp_path):
    out = tmp_path / "scores.jsonl"
    result = runner.invoke(app, ["score", str(EXAMPLES), "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 6
    assert {r["id"] for r in records} >= {"ex-001", "ex-002", "ex-003", "ex-004", "cin_plan", "pre_birth_assessment"}
    assert "Grades by dimension" in result.output


def test_one_bad_record_is_reported_and_the_rest_scored(tmp_path):
    src = tmp_path / "batch.jsonl"
    src.write_text(
        json.dumps({"id": "good-1", "text": "Amy (6) told me she likes school and her cat."}) + "\n"
        + '{"id": "broken", "text": \n'
        + json.dumps({"id": "no-text"}) + "\n"
        + json.dumps({"id": "good-2", "text": "Plan\n1. Mum to attend the GP by 01/05/2025.", "doc_type": "plan"}) + "\n"
    )
    out = tmp_path / "scores.jsonl"
    result = runner.invoke(app, ["score", str(src), "--out", str(out)])
    assert result.exit_code == 1
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r.get("id") for r in records] == ["good-1", None, "no-text", "good-2"]
    assert [r["error"]["code"] for r in records if "error" in r] == ["E004", "E005"]
    assert "batch.jsonl:2" in result.output


def test_csv_output(tmp_path):
    out = tmp_path / "scores.csv"
    result = runner.invoke(app, ["score", str(EXAMPLES / "documents.jsonl"), "--out", str(out), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(newline="")))
    assert [r["id"] for r in rows] == ["ex-001", "ex-002", "ex-003", "ex-004"]
    first, plan = rows[0], rows[2]
    # The team column a QA manager filters on, passed through from the input record.
    assert first["team"] == "West CIN" and rows[1]["team"] == ""
    assert first["lived_experience_grade"] in "1234" and first["lived_experience_label"]
    assert first["lived_experience_needs_review"] in ("yes", "no") and first["needs_review"] in ("yes", "no")
    assert first["smart_actions_grade"] == "" and plan["smart_actions_grade"] in "1234"
    assert int(plan["actions"]) > 0 and 0 <= float(plan["fully_smart_share"]) <= 1 and plan["contingency_present"] in ("yes", "no")
    # Suggestions travel with each grade below 4.
    assert any(r[f"{d}_suggestion"] for r in rows for d in ("lived_experience", "risk_analysis", "family_history") if r[f"{d}_grade"] in "123" and r[f"{d}_grade"])


def test_missing_model_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["score", str(EXAMPLES), "--model", str(tmp_path / "none")])
    assert result.exit_code == 2 and "E101" in result.output


def test_train_then_evaluate(tmp_path, small_train):
    data = tmp_path / "data.jsonl"
    data.write_text("\n".join(d.model_dump_json() for d in small_train) + "\n")
    (tmp_path / "cfg.json").write_text(json.dumps({"cv_folds": 3}))
    model_dir = tmp_path / "model"
    result = runner.invoke(app, ["train", "--data", str(data), "--out", str(model_dir), "--config", str(tmp_path / "cfg.json"), "--evaluate-on", ""])
    assert result.exit_code == 0, result.output
    assert (model_dir / "meta.json").exists()
    result = runner.invoke(app, ["evaluate", "--model", str(model_dir), "--data", str(ANNOTATIONS), "--split", "test", "--out", str(tmp_path / "m.json")])
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert metrics["documents"] >= 80 and "qwk" in metrics["dimensions"]["risk_analysis"]


def test_annotations_validate_command():
    result = runner.invoke(app, ["annotations", "validate", str(ANNOTATIONS)])
    assert result.exit_code == 0 and "0 problem(s)" in result.output


def test_jobs_default_uses_the_cores_only_for_large_inputs():
    from assessqa.cli import AUTO_JOBS_FROM, auto_jobs

    assert auto_jobs(AUTO_JOBS_FROM - 1, cores=4) == 1  # start-up would cost more than it saves
    assert auto_jobs(AUTO_JOBS_FROM, cores=4) == 4
    assert auto_jobs(10 * AUTO_JOBS_FROM, cores=1) == 1
