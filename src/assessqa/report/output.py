"""Writing score records (JSONL or CSV) and the summary a QA manager reads after a batch."""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable

from assessqa.schemas import ACTION_FLAGS, DIMENSIONS, GRADE_LABELS, ErrorRecord, ScoreRecord

_BASE_COLUMNS = ["id", "status", "source", "doc_type", "doc_type_source", "model_version"]
_DIMENSION_COLUMNS = [f"{d}_{part}" for d in DIMENSIONS for part in ("grade", "label", "needs_review", "suggestion")]
_PLAN_COLUMNS = ["actions", "fully_smart_share", "needs_without_action", "contingency_present"]
_TAIL_COLUMNS = ["needs_review", "warnings", "error_code", "error"]
CSV_COLUMNS = _BASE_COLUMNS + _DIMENSION_COLUMNS + _PLAN_COLUMNS + _TAIL_COLUMNS


def csv_columns(metadata_keys: Iterable[str] = ()) -> list[str]:
    """The CSV header: fixed columns, then one per metadata field (``team``, ``month``...) as the inputs name
    them; a field that would clash with a fixed column is prefixed ``metadata.``."""
    fixed = set(CSV_COLUMNS)
    return CSV_COLUMNS + [k if k not in fixed else f"metadata.{k}" for k in metadata_keys]


def record_json(record: ScoreRecord | ErrorRecord) -> str:
    return record.model_dump_json()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def record_row(record: ScoreRecord | ErrorRecord, metadata_keys: Iterable[str] = ()) -> dict[str, str]:
    """One spreadsheet row: per dimension the grade, its label, whether a person should review it and the first
    suggestion; the plan's figures; every metadata field in its own column."""
    keys = list(metadata_keys)
    columns = csv_columns(keys)
    row = {c: "" for c in columns}
    row["id"] = record.id or ""
    for key, column in zip(keys, columns[len(CSV_COLUMNS) :]):
        row[column] = _cell(record.metadata.get(key))
    if isinstance(record, ErrorRecord):
        row.update(status="error", source=record.source, error_code=record.error.get("code", ""), error=record.error.get("message", ""))
        return row
    row.update(status="scored", doc_type=record.doc_type, doc_type_source=record.doc_type_source, model_version=record.model_version)
    review = False
    for dim, result in record.dimensions.items():
        if result is None:
            continue
        review = review or result.needs_review
        row[f"{dim}_grade"] = str(result.grade)
        row[f"{dim}_label"] = result.label
        row[f"{dim}_needs_review"] = "yes" if result.needs_review else "no"
        row[f"{dim}_suggestion"] = result.suggestions[0] if result.suggestions else ""
    if record.plan is not None:
        row["actions"] = str(record.plan.actions)
        row["fully_smart_share"] = f"{record.plan.fully_smart_share:.2f}"
        row["needs_without_action"] = str(record.plan.needs_without_action)
        row["contingency_present"] = "yes" if record.plan.contingency.present else "no"
    row["needs_review"] = "yes" if review else "no"
    row["warnings"] = "; ".join(record.warnings)
    return row


def parse_record(data: dict) -> ScoreRecord | ErrorRecord:
    """A record as written by :func:`record_json`: an error record when it carries ``error``."""
    return ErrorRecord.model_validate(data) if "error" in data else ScoreRecord.model_validate(data)


def read_records(path: Path) -> list[ScoreRecord | ErrorRecord]:
    """Score records written by ``assessqa score``: a JSONL file, or the folder of part files that
    ``--engine spark`` writes (JSONL or Parquet parts, read in name order, which is input order). A line that is
    not a record is refused."""
    path = Path(path)
    if not path.is_dir():
        return _read_jsonl_records(path)
    parts = sorted(p for p in path.iterdir() if p.name.startswith("part-"))
    records: list[ScoreRecord | ErrorRecord] = []
    for part in parts:
        records.extend(_read_parquet_records(part) if part.suffix == ".parquet" else _read_jsonl_records(part))
    return records


def _read_jsonl_records(path: Path) -> list[ScoreRecord | ErrorRecord]:
    from assessqa import errors

    records: list[ScoreRecord | ErrorRecord] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.unreadable_file(str(path), exc.__class__.__name__) from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(parse_record(json.loads(line)))
        except (json.JSONDecodeError, ValueError) as exc:
            raise errors.malformed_json(f"{path}:{n}", f"not a score record ({exc.__class__.__name__})") from exc
    return records


def _read_parquet_records(path: Path) -> list[ScoreRecord | ErrorRecord]:
    """The ``record`` column of a Parquet part written by ``--engine spark`` (pyarrow comes with the spark extra)."""
    from assessqa import errors

    try:
        import pyarrow.parquet as pq

        column = pq.read_table(path, columns=["record"]).column("record").to_pylist()
    except ImportError as exc:
        raise errors.unreadable_file(str(path), "reading Parquet needs pyarrow: pip install 'assessqa[spark]'") from exc
    except Exception as exc:  # pyarrow raises several types for damaged or foreign files
        raise errors.unreadable_file(str(path), f"not a Parquet part of score records ({exc.__class__.__name__})") from exc
    records: list[ScoreRecord | ErrorRecord] = []
    for n, value in enumerate(column, 1):
        try:
            records.append(parse_record(json.loads(value)))
        except (TypeError, json.JSONDecodeError, ValueError) as exc:
            raise errors.malformed_json(f"{path}: row {n}", f"not a score record ({exc.__class__.__name__})") from exc
    return records


def partial_path(out: Path) -> Path:
    """Where records go while a run is in progress: beside ``out``, renamed to it once the run completes."""
    return out.with_name(out.name + ".partial")


def errors_path(out: Path) -> Path:
    """Where a run's error records also go, one JSON line each, so a QA team can chase them without the rest."""
    return out.with_name(out.name + ".errors.jsonl")


@dataclass
class Resumed:
    """What an interrupted run left: the ids of its complete records, in order, and the records themselves
    (JSONL only; from a CSV, the rows' ids and statuses)."""

    ids: list[str | None]
    records: list[ScoreRecord | ErrorRecord]


def _complete_lines(path: Path) -> tuple[list[str], int]:
    """The complete lines of a file and the byte length they take: a last line without its newline is torn."""
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    return data[:end].decode("utf-8").splitlines(), end


def read_resumable(out: Path, fmt: str) -> Resumed:
    """Records an interrupted run wrote to ``out``'s partial file (or ``out`` itself, for a completed run), with
    a torn last line cut off the file so that appending continues cleanly."""
    path = partial_path(out) if partial_path(out).exists() else out
    if not path.exists():
        return Resumed([], [])
    lines, end = _complete_lines(path)
    with open(path, "r+b") as handle:
        handle.truncate(end)
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO("\n".join(lines) + "\n", newline="")))
        return Resumed([r.get("id") or None for r in rows], [])
    records: list[ScoreRecord | ErrorRecord] = []
    for line in lines:
        if not line.strip():
            continue
        records.append(parse_record(json.loads(line)))
    return Resumed([r.id for r in records], records)


@contextmanager
def output_file(out: Path, resume: bool = False) -> Iterator[IO[str]]:
    """Open ``out`` for records so that ``out`` only ever holds a completed run.

    Records are written to :func:`partial_path` and flushed one by one; on success it replaces ``out``
    atomically. If the run stops early the partial file is kept (it holds every record finished so far) and
    ``out`` is left as it was. With ``resume`` the partial file (or a completed ``out``) is continued, not replaced.
    """
    temp = partial_path(Path(out))
    if resume and not temp.exists() and Path(out).exists():
        os.replace(out, temp)
    with open(temp, "a" if resume else "w", encoding="utf-8", newline="") as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, out)


class RecordWriter:
    """Writes records one at a time, so a long batch leaves usable output even if it is interrupted; error
    records also go to ``errors`` when given."""

    def __init__(
        self, handle: IO[str], fmt: str, metadata_keys: Iterable[str] = (), header: bool = True, errors: IO[str] | None = None
    ) -> None:
        self.handle = handle
        self.fmt = fmt
        self.metadata_keys = list(metadata_keys)
        self.errors = errors
        self._csv = csv.DictWriter(handle, fieldnames=csv_columns(self.metadata_keys)) if fmt == "csv" else None
        if self._csv and header:
            self._csv.writeheader()

    def write(self, record: ScoreRecord | ErrorRecord) -> None:
        if self._csv:
            self._csv.writerow(record_row(record, self.metadata_keys))
        else:
            self.handle.write(record_json(record) + "\n")
        self.handle.flush()
        if self.errors is not None and isinstance(record, ErrorRecord):
            self.errors.write(record_json(record) + "\n")
            self.errors.flush()


@dataclass
class BatchSummary:
    """Counts for the end-of-batch report; holds grades and counts only, never document text."""

    scored: int = 0
    errors: int = 0
    by_type: Counter = field(default_factory=Counter)
    grades: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    actions: int = 0
    flag_true: Counter = field(default_factory=Counter)
    fully_smart: int = 0
    error_codes: Counter = field(default_factory=Counter)
    weakest: list[tuple[float, str]] = field(default_factory=list)
    # Documents with at least one grade a person should review, and the grades themselves.
    review_documents: int = 0
    review_grades: int = 0
    graded: int = 0

    def add(self, record: ScoreRecord | ErrorRecord) -> None:
        if isinstance(record, ErrorRecord):
            self.errors += 1
            self.error_codes[record.error.get("code", "?")] += 1
            return
        self.scored += 1
        self.by_type[record.doc_type] += 1
        grades = []
        review = 0
        for dim, result in record.dimensions.items():
            if result is not None:
                self.grades[dim][result.grade] += 1
                grades.append(result.grade)
                review += result.needs_review
        self.graded += len(grades)
        self.review_grades += review
        self.review_documents += review > 0
        for action in record.actions:
            self.actions += 1
            flags = action.smart.model_dump()
            self.flag_true.update(f for f, v in flags.items() if v)
            self.fully_smart += all(flags.values())
        if grades:
            self.weakest.append((sum(grades) / len(grades), record.id or "(no id)"))

    def add_all(self, records: Iterable[ScoreRecord | ErrorRecord]) -> "BatchSummary":
        for record in records:
            self.add(record)
        return self


def render_summary(summary: BatchSummary, console) -> None:  # console: rich.console.Console
    """Print the QA manager's summary: grade distribution per dimension, SMART shares, weakest documents."""
    from rich.table import Table

    console.print(
        f"[bold]Scored {summary.scored} document(s)[/bold] "
        f"({summary.by_type.get('assessment', 0)} assessments, {summary.by_type.get('plan', 0)} plans); "
        f"[{'red' if summary.errors else 'green'}]{summary.errors} could not be scored[/]"
    )
    table = Table(title="Grades by dimension (number of documents)", show_lines=False)
    table.add_column("Dimension")
    for g in (1, 2, 3, 4):
        table.add_column(f"{g} {GRADE_LABELS[g]}", justify="right")
    table.add_column("Good or better", justify="right")
    for dim in DIMENSIONS:
        counts = summary.grades.get(dim)
        if not counts:
            continue
        total = sum(counts.values())
        good = counts[3] + counts[4]
        table.add_row(dim.replace("_", " "), *[str(counts[g]) for g in (1, 2, 3, 4)], f"{100 * good / total:.0f}%")
    console.print(table)
    if summary.graded:
        console.print(
            f"Needs a person's review: {summary.review_grades} of {summary.graded} grades "
            f"({100 * summary.review_grades / summary.graded:.0f}%), in {summary.review_documents} of {summary.scored} documents"
        )
    if summary.actions:
        flags = ", ".join(f"{f.replace('_', '-')} {100 * summary.flag_true[f] / summary.actions:.0f}%" for f in ACTION_FLAGS)
        console.print(
            f"Plan actions: {summary.actions}, fully SMART {100 * summary.fully_smart / summary.actions:.0f}% ({flags})"
        )
    if summary.weakest:
        worst = sorted(summary.weakest)[:5]
        console.print("Documents to look at first (lowest mean grade): " + ", ".join(f"{i} ({m:.1f})" for m, i in worst))
    if summary.errors:
        codes = ", ".join(f"{c} x{n}" for c, n in summary.error_codes.most_common())
        console.print(f"Errors by code: {codes} (details on stderr and in the output as error records)")


def error_record(source: str, exc, record_id: str | None = None, metadata: dict | None = None) -> ErrorRecord:
    return ErrorRecord(
        id=record_id,
        source=source,
        error={"code": exc.code.value, "message": exc.message},
        metadata=metadata or {},
    )

