"""Batch runs that survive: --resume after an interruption, the errors file, workers that die with their parent."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assessqa import batch as batch_module
from assessqa.cli import app
from assessqa.pipeline import Pipeline
from conftest import EXAMPLES

runner = CliRunner()
PLAN = (EXAMPLES / "documents.jsonl").read_text().splitlines()[2]


def _inputs(path: Path, n: int, bad_at: int | None = None) -> Path:
    text = json.loads(PLAN)["text"]
    lines = [json.dumps({"id": f"d{k}", "text": text, "doc_type": "plan", "team": f"team {k % 2}"}) for k in range(n)]
    if bad_at is not None:
        lines[bad_at] = '{"id": "broken", "text": '
    path.write_text("\n".join(lines) + "\n")
    return path


def _ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


def test_resume_continues_an_interrupted_run_without_losing_or_repeating_a_record(tmp_path, monkeypatch):
    src = _inputs(tmp_path / "in.jsonl", 5)
    out = tmp_path / "scores.jsonl"
    real = Pipeline.analyse
    calls = []

    def interrupted(self, texts, doc_types):
        calls.append(len(texts))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self, texts, doc_types)

    monkeypatch.setattr(batch_module, "CHUNK", 1)
    monkeypatch.setattr(Pipeline, "analyse", interrupted)
    assert runner.invoke(app, ["score", str(src), "--out", str(out)]).exit_code != 0
    partial = out.with_name("scores.jsonl.partial")
    assert _ids(partial) == ["d0", "d1"]
    with partial.open("a") as handle:  # a record torn by the interruption, half written
        handle.write('{"id": "d2", "doc_type": "pl')

    calls.clear()
    monkeypatch.setattr(Pipeline, "analyse", lambda self, texts, doc_types: calls.append(len(texts)) or real(self, texts, doc_types))
    result = runner.invoke(app, ["score", str(src), "--out", str(out), "--resume"])
    assert result.exit_code == 0, result.output
    assert _ids(out) == ["d0", "d1", "d2", "d3", "d4"] and not partial.exists()
    assert sum(calls) == 3  # only the documents not yet scored
    assert "Continued after 2 record(s)" in result.output and "Scored 5 document(s)" in result.output


def test_resume_refuses_different_inputs(tmp_path):
    out = tmp_path / "scores.jsonl"
    assert runner.invoke(app, ["score", str(_inputs(tmp_path / "a.jsonl", 2)), "--out", str(out)]).exit_code == 0
    other = tmp_path / "b.jsonl"
    other.write_text("\n".join(json.dumps({"id": f"x{k}", "text": json.loads(PLAN)["text"]}) for k in range(3)) + "\n")
    result = runner.invoke(app, ["score", str(other), "--out", str(out), "--resume"])
    assert result.exit_code == 2 and "E012" in result.output
    assert _ids(out) == ["d0", "d1"]  # the earlier output is untouched


def test_errors_go_to_their_own_file_and_the_summary_counts_reviews(tmp_path):
    out = tmp_path / "scores.jsonl"
    result = runner.invoke(app, ["score", str(_inputs(tmp_path / "in.jsonl", 3, bad_at=1)), "--out", str(out)])
    assert result.exit_code == 1
    errors = [json.loads(line) for line in out.with_name("scores.jsonl.errors.jsonl").read_text().splitlines()]
    assert [e["error"]["code"] for e in errors] == ["E004"] and errors[0]["source"].endswith("in.jsonl:2")
    assert "Needs a person's review:" in result.output


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find the worker processes")
def test_workers_die_with_a_killed_parent(tmp_path):
    src = _inputs(tmp_path / "in.jsonl", 400)
    parent = subprocess.Popen(
        [sys.executable, "-m", "assessqa.cli", "score", str(src), "--jobs", "2", "--out", str(tmp_path / "o.jsonl")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while time.monotonic() < deadline and not (tmp_path / "o.jsonl.partial").exists():
            time.sleep(0.5)
        while time.monotonic() < deadline and (tmp_path / "o.jsonl.partial").stat().st_size == 0:
            time.sleep(0.5)
        workers = [c for c in _children(parent.pid)]
        assert workers, "no worker processes were seen"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.5)
        assert not any(_alive(w) for w in workers)
    finally:
        if parent.poll() is None:
            parent.kill()
