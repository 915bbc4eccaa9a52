"""assessqa score --engine spark in Spark's local mode (local[2]): the same records as the local engine."""

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assessqa.cli import app
from conftest import EXAMPLES

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install -e '.[spark]')")
pd = pytest.importorskip("pandas")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java 17+ on the PATH; none found", allow_module_level=True)

runner = CliRunner()
EXAMPLE_RECORDS = [json.loads(line) for line in (EXAMPLES / "documents.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def spark():
    from assessqa.spark_batch import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """The examples three ways (JSONL with bad lines, CSV with quoted multi-line cells and metadata, Parquet)."""
    folder = tmp_path_factory.mktemp("spark-in")
    lines = [json.dumps({**r, "team": "north"}) for r in EXAMPLE_RECORDS]
    lines.insert(2, '{"id": "broken", "text": ')
    lines.insert(3, "")
    lines.append(json.dumps({"id": "empty", "text": "   "}))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    # A byte that is not UTF-8 inside one record's text: that record is refused, the rest are scored.
    data += b'{"id": "latin", "text": "Caf\xe9 visit: the child said she felt safe at home."}\n'
    (folder / "docs.jsonl").write_bytes(data)
    with open(folder / "docs.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["id", "text", "doc_type", "team", "month"])
        writer.writeheader()
        for k, r in enumerate(EXAMPLE_RECORDS):
            writer.writerow({"id": f"csv-{r['id']}", "text": r["text"], "doc_type": r.get("doc_type", ""), "team": "south" if k % 2 else "", "month": "2026-11"})
        handle.write('csv-extra,"A short note.",plan,south,2026-11,one cell too many\r\n')
    pd.DataFrame([{"id": f"pq-{r['id']}", "text": r["text"], "team": "east"} for r in EXAMPLE_RECORDS]).to_parquet(folder / "docs.parquet")
    return folder


def _local_records(tmp_path: Path, source: Path) -> list[dict]:
    out = tmp_path / f"local-{source.suffix[1:]}.jsonl"
    result = runner.invoke(app, ["score", str(source), "--out", str(out), "--no-summary", "--jobs", "1"])
    assert result.exit_code in (0, 1), result.output
    return [json.loads(line) for line in out.read_text().splitlines()]


def _part_records(folder: Path) -> list[dict]:
    return [json.loads(line) for part in sorted(folder.glob("part-*")) for line in part.read_text().splitlines()]


def _grades(record: dict) -> dict:
    return {d: (r or {}).get("grade") for d, r in record.get("dimensions", {}).items()}


def test_spark_local_mode_gives_the_local_engines_records(spark, inputs, tmp_path):
    out = tmp_path / "scores"
    result = runner.invoke(app, ["score", str(inputs), "--engine", "spark", "--spark-master", "local[2]", "--out", str(out)])
    # Exit code 1: some records could not be scored (and are reported), the rest were.
    assert result.exit_code == 1, result.output
    assert (out / "_SUCCESS").exists() and "Errors by code" in result.output
    spark_records = _part_records(out)
    # Inputs in name order (csv, jsonl, parquet), each in its own order.
    csv_local = _local_records(tmp_path, inputs / "docs.csv")
    jsonl_local = _local_records(tmp_path, inputs / "docs.jsonl")
    assert [r["id"] for r in spark_records] == [r["id"] for r in csv_local] + [r["id"] for r in jsonl_local] + [f"pq-{r['id']}" for r in EXAMPLE_RECORDS]
    # JSONL: the same records, line numbers in the error sources included.
    jsonl_spark = spark_records[len(csv_local) : len(csv_local) + len(jsonl_local)]
    for spark_record, local_record in zip(jsonl_spark, jsonl_local):
        if local_record["id"] == "latin":
            continue  # the local engine sniffs this file's encoding; Spark reads UTF-8 only (below)
        assert spark_record == local_record
    latin = next(r for r in jsonl_spark if r["id"] == "latin")
    assert latin["error"]["code"] == "E003" and latin["source"].endswith("docs.jsonl:8") and "Caf" not in json.dumps(latin)
    # CSV (quoted multi-line cells, empty cells, a row with a cell too many): the same records, line numbers too.
    # Parquet: the same grades as the JSONL copies of its documents.
    by_text = {r["id"]: _grades(r) for r in jsonl_local if "dimensions" in r}
    assert spark_records[: len(csv_local)] == csv_local
    for record in spark_records[-len(EXAMPLE_RECORDS) :]:
        assert _grades(record) == by_text[record["id"][3:]] and record["metadata"] == {"team": "east"}
    errors_file = out.with_name(out.name + ".errors.jsonl")
    codes = sorted(json.loads(line)["error"]["code"] for line in errors_file.read_text().splitlines())
    assert codes == ["E001", "E003", "E004", "E007"]


def test_parquet_output_is_typed_and_read_back_by_the_report(spark, inputs, tmp_path):
    out = tmp_path / "scores.parquet"
    result = runner.invoke(app, ["score", str(inputs / "docs.parquet"), "--engine", "spark", "--format", "parquet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out)
    assert list(table["id"]) == [f"pq-{r['id']}" for r in EXAMPLE_RECORDS]
    scored = table[table["status"] == "scored"]
    assert len(scored) == len(EXAMPLE_RECORDS)
    assert str(table["lived_experience_grade"].dtype) == "Int64" or table["lived_experience_grade"].dropna().between(1, 4).all()
    plans = scored[scored["doc_type"] == "plan"]
    assert plans["smart_actions_grade"].between(1, 4).all() and plans["contingency_present"].isin([True, False]).all()
    assert all(json.loads(m) == {"team": "east"} for m in table["metadata"])
    # assessqa report reads the part files back: one self-contained HTML file.
    html = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(out), "--out", str(html)])
    assert result.exit_code == 0, result.output
    assert "<html" in html.read_text(encoding="utf-8")[:500].lower()


def test_spark_refuses_what_it_cannot_do_before_starting(tmp_path, inputs):
    for extra, code in ((["--resume"], "E014"), (["--format", "csv"], "E014")):
        result = runner.invoke(app, ["score", str(inputs / "docs.jsonl"), "--engine", "spark", "--out", str(tmp_path / "o"), *extra])
        assert result.exit_code == 2 and code in result.output, result.output
    not_spark_output = tmp_path / "existing.txt"
    not_spark_output.write_text("keep me")
    result = runner.invoke(app, ["score", str(inputs / "docs.jsonl"), "--engine", "spark", "--out", str(not_spark_output)])
    assert result.exit_code == 2 and not_spark_output.read_text() == "keep me"
    result = runner.invoke(app, ["score", str(inputs / "docs.jsonl"), "--format", "parquet", "--out", str(tmp_path / "p")])
    assert result.exit_code == 2 and "E014" in result.output
