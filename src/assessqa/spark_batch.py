"""Batch scoring on Apache Spark: the same pipeline as :mod:`assessqa.batch`, spread over a cluster's executors.

The driver reads the inputs (JSONL, CSV or Parquet files, or folders of them) into rows of ``(index, source,
raw)`` where ``raw`` is the record as a JSON object; executors turn each row into an :class:`~assessqa.ingest.Item`
with the local engine's own validation, score them in chunks with the local engine's own chunk scorer, and return
one output row per record. Every executor's Python worker loads the model once and keeps it for every task it runs
(``spark.python.worker.reuse``). The model folder travels with the job (``SparkContext.addFile``), so executors need
assessqa installed but not the model.

Records are written as Spark writes files: a folder of part files, JSONL (one record per line, as the local engine
writes) or Parquet (the spreadsheet columns typed, plus the whole record as JSON). Partitions are contiguous ranges
of the inputs, so reading the part files in name order gives the records in input order.

PySpark is an optional dependency (``pip install 'assessqa[spark]'``): nothing here imports it until a run starts.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessqa import errors
from assessqa.config import Settings

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pyspark.sql import DataFrame, SparkSession

# Input files Spark reads; .txt and .docx are single documents, for which the local engine is the tool.
SPARK_SUFFIXES = (".jsonl", ".csv", ".parquet")
OUTPUT_FORMATS = ("jsonl", "parquet")
# Records per Arrow batch handed to an executor's Python worker: a few of the local engine's chunks, so a batch's
# records (with their evidence) stay small in memory.
ARROW_BATCH = 128
# Rows per partition to aim for: enough work per task to repay scheduling, small enough that a failed task
# rescored by Spark costs little and every core gets work on a modest input.
ROWS_PER_PARTITION = 2000


@dataclass
class SparkRun:
    """What a run wrote: where, how many records, and how many of them are errors."""

    out: Path
    records: int
    errors: int


def _require_pyspark() -> None:
    try:
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise errors.engine_unavailable("spark", f"{exc.name} is not installed") from exc


def spark_session(master: str | None = None) -> "SparkSession":
    """The active session (as spark-submit or a managed service configures it), else a local one.

    ``master`` overrides the configured master (``local[2]``, ``spark://host:7077``, ``yarn``...). Without one and
    without a configured master, Spark runs in this process on every core (``local[*]``).
    """
    _require_pyspark()
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    # Executors started by a local master run this interpreter, where assessqa is installed; on a cluster the
    # platform's own PYSPARK_PYTHON (or spark.pyspark.python) applies.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("assessqa")
    if not master and not SparkConf().contains("spark.master"):
        master = "local[*]"
    if master:
        builder = builder.master(master)
    if master and master.startswith("local"):
        # In local mode the driver listens on loopback only, not on the machine's network.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    try:
        session = (
            builder.config("spark.sql.execution.arrow.maxRecordsPerBatch", str(ARROW_BATCH))
            # The web UI would open a port and keep job descriptions; nothing here needs it.
            .config("spark.ui.enabled", "false")
            .config("spark.python.worker.reuse", "true")
            .getOrCreate()
        )
    except Exception as exc:  # Java missing or too old: pyspark raises its own types, with long messages
        raise errors.engine_unavailable("spark", f"the JVM did not start: {type(exc).__name__}") from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


def expand_spark_inputs(inputs: list[Path]) -> list[Path]:
    """Files named directly, plus the JSONL/CSV/Parquet files inside named folders (sorted, recursive)."""
    files: list[Path] = []
    for path in map(Path, inputs):
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SPARK_SUFFIXES))
        else:
            files.append(path)
    for path in files:
        if not path.exists():
            raise errors.unreadable_file(str(path), "no such file or folder")
        if path.suffix.lower() not in SPARK_SUFFIXES:
            raise errors.unsupported_file(str(path), list(SPARK_SUFFIXES))
    return files


def read_rows(spark: "SparkSession", files: list[Path]) -> "DataFrame":
    """``(index, source, raw, error)`` for every record of the inputs, in input order.

    ``raw`` is the record as a JSON object: a JSONL line as written, a Parquet row with its columns as fields, a
    CSV row as the local engine's CSV reader parsed it. ``error`` is set instead for a record that reader refused
    (a row with more or fewer cells than the header, a file in an undetectable encoding). ``source`` names file
    and line, as the local engine does, or file and row for Parquet, which has no lines.
    """
    from pyspark.sql import functions as F

    schema = _row_schema()
    frames = []
    offset = 0
    for path in files:
        name, suffix = str(path), path.suffix.lower()
        if suffix == ".jsonl":
            # Split across tasks like any text file; each line keeps its number.
            lines = spark.read.text(_uri(path)).rdd.map(lambda row: row[0])
            numbered = lines.zipWithIndex().map(lambda pair: (pair[1], f"{name}:{pair[1] + 1}", pair[0], None))
            frame = spark.createDataFrame(numbered, schema).where(F.trim("raw") != "")
        elif suffix == ".csv":
            # Spark's own CSV reader drops extra cells and pads short rows without a word; the local engine's reader
            # reports them. A CSV with quoted line breaks cannot be split across tasks anyway, so one task reads it.
            content = spark.read.format("binaryFile").load(_uri(path)).select("content").rdd
            numbered = content.flatMap(lambda row: csv_rows(bytes(row[0]), name))
            frame = spark.createDataFrame(numbered, schema)
        else:
            table = spark.read.parquet(_uri(path))
            # Column values keep their types (a Parquet number stays one in the metadata); nulls are left out, as a
            # missing JSONL field would be.
            as_json = table.select(F.to_json(F.struct(*[F.col(f"`{c}`") for c in table.columns])))
            numbered = as_json.rdd.zipWithIndex().map(lambda pair: (pair[1], f"{name}:row {pair[1] + 1}", pair[0][0], None))
            frame = spark.createDataFrame(numbered, schema)
        frames.append(frame.withColumn("index", F.col("index") + F.lit(offset)))
        offset += 1 << 40  # files never share an index; order is kept across them
    rows = frames[0]
    for frame in frames[1:]:
        rows = rows.unionByName(frame)
    return rows


def _uri(path: Path) -> str:
    """A file:// URI: without a scheme, a cluster's Spark would resolve the path on its default file system
    (HDFS on YARN), not the shared mount the driver checked."""
    return Path(path).resolve().as_uri()


def _row_schema():
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    return StructType([StructField(n, t) for n, t in (("index", LongType()), ("source", StringType()), ("raw", StringType()), ("error", StringType()))])


def csv_rows(data: bytes, name: str) -> Iterator[tuple[int, str, str | None, str | None]]:
    """A CSV file's records as input rows, read by the local engine's reader (on an executor)."""
    from assessqa.ingest import read_csv

    for k, item in enumerate(read_csv(data, name)):
        yield item_row(k, item)


def item_row(index: int, item) -> tuple[int, str, str | None, str | None]:
    """An :class:`~assessqa.ingest.Item` as an input row: its document as a JSON record that
    :func:`~assessqa.ingest.item_from_record` reads back unchanged, or its error."""
    if item.error is not None:
        error = {"code": item.error.code.value, "message": item.error.message, "id": item.record_id, "metadata": item.metadata}
        return (index, item.source, None, json.dumps(error, default=str))
    doc = item.document
    record = {"id": doc.id, "text": doc.text, "doc_type": doc.doc_type, "metadata": doc.metadata}
    return (index, item.source, json.dumps(record, ensure_ascii=False, default=str), None)


def row_item(source: str, raw: str | None, error: str | None):
    """The item an input row stands for (on an executor)."""
    from assessqa.ingest import Item, item_from_json_line

    if error is not None:
        e = json.loads(error)
        return Item(source, error=errors.InputError(errors.ErrorCode(e["code"]), e["message"]), record_id=e["id"], metadata=e["metadata"])
    item = item_from_json_line(raw or "", source)
    if "\ufffd" in (raw or ""):  # Spark decodes text as UTF-8 and marks bytes that are not with U+FFFD
        meta = item.document.metadata if item.document is not None else item.metadata
        item = Item(source, error=errors.bad_encoding(source), record_id=item.record_id, metadata=meta)
    return item


# ---------------------------------------------------------------------------------------------------------------
# Executor side: module-level functions, pickled by reference, so executors import them from installed assessqa.

_scorers: dict[str, Any] = {}


def _executor_scorer(model_name: str, model_path: str, settings: dict[str, Any]):
    """This Python worker's model, loaded on its first batch and kept for the worker's life."""
    from assessqa.scoring import Scorer

    key = f"{model_name}|{model_path}"
    if key not in _scorers:
        folder = Path(model_path)
        try:
            from pyspark import SparkFiles

            shipped = Path(SparkFiles.get(model_name))
            if (shipped / "meta.json").exists():
                folder = shipped
        except Exception:  # no SparkContext files here: use the path as given (shared storage)
            pass
        _scorers[key] = Scorer.from_directory(folder, Settings(**settings))
    return _scorers[key]


def _column_kind(column: str) -> str:
    """How a spreadsheet column is typed in Parquet: the one place both the rows and the schema read."""
    if column.endswith("_grade") or column in ("actions", "needs_without_action"):
        return "int"
    if column.endswith("needs_review") or column == "contingency_present":
        return "bool"
    if column == "fully_smart_share":
        return "float"
    return "str"


def output_row(record, index: int, source: str) -> dict[str, Any]:
    """The spreadsheet columns typed for Parquet (grades as integers, flags as booleans), the metadata as JSON, and
    the whole record as JSON, which ``assessqa report`` and ``drift`` read back."""
    from assessqa.report.output import CSV_COLUMNS, record_json, record_row

    cells = record_row(record)
    convert = {
        "int": lambda v: int(v) if v != "" else None,
        "bool": lambda v: {"yes": True, "no": False}.get(v),
        "float": lambda v: float(v) if v != "" else None,
        "str": lambda v: v or None,
    }
    row: dict[str, Any] = {c: convert[_column_kind(c)](cells.get(c, "")) for c in CSV_COLUMNS}
    row["metadata"] = json.dumps(record.metadata, ensure_ascii=False, default=str) if record.metadata else None
    row["record"] = record_json(record)
    row["index"] = index
    row["source"] = source
    return row


def output_schema():
    from pyspark.sql.types import BooleanType, DoubleType, LongType, StringType, StructField, StructType

    from assessqa.report.output import CSV_COLUMNS

    types = {"int": LongType(), "bool": BooleanType(), "float": DoubleType(), "str": StringType()}
    fields = [StructField("index", LongType())] + [StructField(c, types[_column_kind(c)]) for c in CSV_COLUMNS]
    return StructType(fields + [StructField("metadata", StringType()), StructField("record", StringType())])


def score_batches(
    batches: Iterator["pd.DataFrame"], model_name: str, model_path: str, settings: dict[str, Any]
) -> Iterator["pd.DataFrame"]:
    """``mapInPandas`` body: rows in, one output row per record out, in the same order."""
    import pandas as pd

    from assessqa.batch import CHUNK, _score_chunk

    scorer = _executor_scorer(model_name, model_path, settings)
    columns = output_schema().fieldNames()
    for frame in batches:
        items = [row_item(s, r, e) for s, r, e in zip(frame["source"], frame["raw"], frame["error"])]
        records = []
        for start in range(0, len(items), CHUNK):
            records.extend(_score_chunk(scorer, items[start : start + CHUNK]))
        rows = [output_row(r, int(i), s) for r, i, s in zip(records, frame["index"], frame["source"])]
        yield pd.DataFrame(rows, columns=columns)


# ---------------------------------------------------------------------------------------------------------------


def score_with_spark(
    spark: "SparkSession",
    inputs: list[Path],
    out: Path,
    model_dir: Path,
    settings: Settings,
    fmt: str = "jsonl",
    partitions: int | None = None,
) -> "DataFrame":
    """Score every record of ``inputs`` and write them under ``out`` (a folder of part files); returns the
    written output read back, for the summary. An existing ``out`` is replaced only when it is an earlier output
    of this engine (a folder holding ``_SUCCESS``)."""
    from pyspark.sql import functions as F

    if fmt not in OUTPUT_FORMATS:
        raise errors.engine_option("spark", f"--format {fmt}", f"write {' or '.join(OUTPUT_FORMATS)}")
    if out.exists() and not (out.is_dir() and (out / "_SUCCESS").exists()):
        raise errors.unreadable_file(str(out), "it exists and is not an earlier Spark output folder; name a new folder")
    files = expand_spark_inputs(inputs)
    if not files:
        raise errors.unreadable_file(", ".join(map(str, inputs)), "no JSONL, CSV or Parquet files found")
    model_dir = Path(model_dir).resolve()
    spark.sparkContext.addFile(str(model_dir), recursive=True)
    rows = read_rows(spark, files)
    count = rows.count()
    if partitions is None:
        partitions = max(spark.sparkContext.defaultParallelism, -(-count // ROWS_PER_PARTITION))
    # Contiguous index ranges per partition: part files come out in input order.
    rows = rows.repartitionByRange(max(1, min(partitions, count or 1)), "index").sortWithinPartitions("index")
    model_name = model_dir.name
    settings_dict = settings.model_dump(mode="json")
    scored = rows.mapInPandas(
        lambda batches: score_batches(batches, model_name, str(model_dir), settings_dict), schema=output_schema()
    )
    scored = scored.drop("index")
    if fmt == "jsonl":
        scored.select("record").write.mode("overwrite").option("compression", "none").text(_uri(out))
        return spark.read.text(_uri(out)).select(F.col("value").alias("record"))
    scored.write.mode("overwrite").parquet(_uri(out))
    return spark.read.parquet(_uri(out))


def collect_summary(written: "DataFrame", errors_file: Path | None = None):
    """The batch summary over the written records, streamed to the driver a partition at a time; error records
    also go to ``errors_file`` (JSONL), as the local engine writes them."""
    from assessqa.report.output import BatchSummary, parse_record
    from assessqa.schemas import ErrorRecord

    tally = BatchSummary()
    handle = open(errors_file, "w", encoding="utf-8") if errors_file is not None else None
    try:
        for row in written.select("record").toLocalIterator():
            record = parse_record(json.loads(row["record"]))
            tally.add(record)
            if handle is not None and isinstance(record, ErrorRecord):
                handle.write(row["record"] + "\n")
    finally:
        if handle is not None:
            handle.close()
    return tally
