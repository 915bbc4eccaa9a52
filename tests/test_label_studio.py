"""Label Studio round trip: the corpus out as tasks and back, unchanged."""

import json
import xml.etree.ElementTree as ET

from typer.testing import CliRunner

from assessqa.cli import app
from assessqa.training.annotations import load_corpus
from assessqa.training.label_studio import from_task, labelling_config, to_task
from conftest import ANNOTATIONS, ROOT

runner = CliRunner()


def test_the_whole_corpus_survives_export_and_import(tmp_path):
    tasks = tmp_path / "tasks.json"
    assert runner.invoke(app, ["annotations", "export", str(ANNOTATIONS), "--out", str(tasks)]).exit_code == 0
    # What Label Studio sends back adds ids, timestamps and lead times to every task and annotation.
    exported = json.loads(tasks.read_text())
    for n, task in enumerate(exported):
        task["id"] = n + 1
        task["annotations"][0].update(id=n + 100, lead_time=12.5, created_at="2026-12-06T10:00:00Z")
    tasks.write_text(json.dumps(exported))
    out = tmp_path / "corpus"
    result = runner.invoke(app, ["annotations", "import", str(tasks), "--format", "label-studio", "--out", str(out)])
    assert result.exit_code == 0, result.output
    before = {d.id: d.model_dump() for d in load_corpus(ANNOTATIONS)}
    after = {d.id: d.model_dump() for d in load_corpus(out)}
    assert after == before  # grades, spans with cues and offsets, actions with flags and needs
    assert sum(len(d["actions"]) for d in after.values()) > 1000 and sum(len(d["spans"]) for d in after.values()) > 1000


def test_the_latest_annotation_wins_and_a_broken_task_is_reported(tmp_path):
    doc = next(d for d in load_corpus(ANNOTATIONS) if d.doc_type == "plan" and d.actions)
    task = to_task(doc)
    second = json.loads(json.dumps(task["annotations"][0]))
    dim = next(iter(doc.grades))
    for item in second["result"]:
        if item.get("from_name") == dim:
            item["value"]["choices"] = ["1" if doc.grades[dim] != 1 else "2"]
    task["annotations"].append(second)
    assert from_task(task, "t").grades[dim] != doc.grades[dim]
    path = tmp_path / "export.json"
    path.write_text(json.dumps([to_task(doc), {"data": {"text": "x"}}]))
    result = runner.invoke(app, ["annotations", "import", str(path), "--format", "label-studio", "--out", str(tmp_path / "c")])
    flat = " ".join(result.output.split())
    assert result.exit_code == 1 and "task 2: the task has no" in flat and "imported 1 document" in flat


def test_the_shipped_labelling_config_is_current_and_well_formed():
    shipped = (ROOT / "annotations/label-studio/config.xml").read_text()
    assert shipped == labelling_config()  # regenerate: assessqa annotations export --config annotations/label-studio/config.xml
    root = ET.fromstring(shipped)
    names = {el.get("name") for el in root.iter() if el.get("name")}
    assert {"text", "cue", "action", "smart", "need", "doc_type", "lived_experience", "smart_actions"} <= names


def test_predictions_become_pre_annotations(tmp_path):
    tasks = tmp_path / "tasks.json"
    corpus = tmp_path / "one.jsonl"
    doc = next(d for d in load_corpus(ANNOTATIONS) if d.doc_type == "plan")
    corpus.write_text(doc.model_dump_json() + "\n")
    result = runner.invoke(app, ["annotations", "export", str(corpus), "--out", str(tasks), "--predictions", str(ROOT / "models/default")])
    assert result.exit_code == 0, result.output
    [task] = json.loads(tasks.read_text())
    [prediction] = task["predictions"]
    controls = {r["from_name"] for r in prediction["result"]}
    assert {"smart_actions", "action", "smart"} <= controls and prediction["model_version"]
