"""The CLI never destroys its input and never prints or records document text, whatever goes wrong."""

import json
import sys

import pytest
from typer.testing import CliRunner

from assessqa import cli
from assessqa.cli import app
from assessqa import batch as batch_module
from assessqa.pipeline import Pipeline

runner = CliRunner()
MARKER = "ZQX-MARKER-7731"
PLAN = "Plan\n1. Mum to attend the GP by 01/05/2025 so that Amy's asthma is treated."


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.fixture()
def batch(tmp_path):
    return _jsonl(tmp_path / "batch.jsonl", [{"id": f"d{n}", "text": f"{PLAN}\nAmy said {MARKER} {n}.", "doc_type": "plan"} for n in range(3)])


def test_out_naming_the_input_is_refused_and_the_input_kept(batch):
    before = batch.read_bytes()
    result = runner.invoke(app, ["score", str(batch), "--out", str(batch)])
    assert result.exit_code == 2 and "[E011]" in result.output
    assert batch.read_bytes() == before


def test_out_inside_an_input_folder_is_refused(tmp_path, batch):
    result = runner.invoke(app, ["score", str(tmp_path), "--out", str(tmp_path / "sub" / "scores.jsonl")])
    assert result.exit_code == 2 and "[E011]" in result.output
    assert not (tmp_path / "sub").exists()


def test_output_appears_only_when_the_run_completes(tmp_path, batch, monkeypatch):
    out = tmp_path / "out" / "scores.jsonl"
    out.parent.mkdir()
    out.write_text("previous run\n")
    real = Pipeline.analyse
    calls = []

    def interrupted(self, texts, doc_types):
        calls.append(len(texts))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, texts, doc_types)

    monkeypatch.setattr(Pipeline, "analyse", interrupted)
    monkeypatch.setattr(batch_module, "CHUNK", 1)  # one document a chunk, so the interrupt falls between documents
    result = runner.invoke(app, ["score", str(batch), "--out", str(out)])
    assert result.exit_code != 0
    assert out.read_text() == "previous run\n"  # the last complete output is untouched
    partial = out.with_name("scores.jsonl.partial").read_text().splitlines()
    assert [json.loads(line)["id"] for line in partial] == ["d0"]  # what finished is kept

    monkeypatch.setattr(Pipeline, "analyse", real)
    assert runner.invoke(app, ["score", str(batch), "--out", str(out)]).exit_code == 0
    assert len(out.read_text().splitlines()) == 3 and not out.with_name("scores.jsonl.partial").exists()


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_failure_costs_one_document_and_shows_no_text(tmp_path, batch, monkeypatch, debug):
    real = Pipeline.analyse
    poisoned = json.loads(batch.read_text().splitlines()[1])["text"]

    def flaky(self, texts, doc_types):
        if poisoned in texts:  # the whole chunk fails, as a library error would; then d1 alone
            raise ValueError(f"could not parse {poisoned!r}")  # a library error quoting its input
        return real(self, texts, doc_types)

    monkeypatch.setattr(Pipeline, "analyse", flaky)
    out = tmp_path / "scores.jsonl"
    result = runner.invoke(app, [*(["--debug"] if debug else []), "score", str(batch), "--out", str(out)])
    assert result.exit_code == 1
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["d0", "d1", "d2"]
    assert records[1]["error"]["code"] == "E010" and "ValueError" in records[1]["error"]["message"]
    assert MARKER not in result.output and "Amy said" not in result.output
    assert MARKER not in json.dumps(records[1])
    assert ("test_cli_safety.py" in result.output) is debug  # --debug shows where, still without text


def test_header_less_csv_is_named_without_quoting_its_first_row(tmp_path):
    src = tmp_path / "cases.csv"
    src.write_text(f'c1,"Amy said {MARKER} and the plan follows"\nc2,"Second document"\n')
    out = tmp_path / "scores.jsonl"
    result = runner.invoke(app, ["score", str(src), "--out", str(out)])
    assert result.exit_code == 1 and "header row is missing" in result.output
    assert MARKER not in result.output and MARKER not in out.read_text()


@pytest.mark.parametrize(
    "record",
    [
        # the marker as a doc_type: echoed values are withheld
        {"id": "x", "text": PLAN, "doc_type": f"plan {MARKER}"},
        # the marker as a field name, in a record with no text (the field itself is passed through as the
        # caller's metadata, so only the message is checked for it)
        {"id": "x", f"Amy said {MARKER} today": "x"},
        # only whitespace
        {"id": "x", "text": "   "},
    ],
)
def test_no_error_message_or_record_carries_document_text(tmp_path, record):
    src = _jsonl(tmp_path / "in.jsonl", [record])
    out = tmp_path / "scores.jsonl"
    result = runner.invoke(app, ["score", str(src), "--out", str(out)])
    assert result.exit_code == 1
    (error,) = [json.loads(line)["error"] for line in out.read_text().splitlines()]
    assert MARKER not in result.output and MARKER not in error["message"]


def test_a_crash_outside_scoring_ends_with_a_code_not_a_traceback(tmp_path, batch, monkeypatch, capsys):
    def broken(files):
        raise RuntimeError(f"reader failed on {MARKER}")
        yield  # pragma: no cover

    monkeypatch.setattr("assessqa.ingest.read_inputs", broken)
    monkeypatch.setattr(sys, "argv", ["assessqa", "score", str(batch), "--out", str(tmp_path / "s.jsonl")])
    with pytest.raises(SystemExit) as info:
        cli.main()
    captured = capsys.readouterr()
    assert info.value.code == 3 and "[E900]" in captured.err
    assert MARKER not in captured.err + captured.out and "Traceback" not in captured.err
