"""Writing score records (JSONL or CSV) and the summary a QA manager reads after a batch."""

from __future__ import annotations

import csv
import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable

from assessqa.schemas import ACTION_FLAGS, DIMENSIONS, GRADE_LABELS, ErrorRecord, ScoreRecord

CSV_COLUMNS = (
    ["id", "status", "doc_type", "doc_type_source", "model_version"]
    + [f"{d}_grade" for d in DIMENSIONS]
    + ["actions", "actions_fully_smart", "warnings", "error_code", "error"]
)


def record_json(record: ScoreRecord | ErrorRecord) -> str:
    return record.model_dump_json()


def record_row(record: ScoreRecord | ErrorRecord) -> dict[str, str]:
    row = {c: "" for c in CSV_COLUMNS}
    row["id"] = record.id or ""
    if isinstance(record, ErrorRecord):
        row["status"] = "error"
        row["error_code"] = record.error.get("code", "")
        row["error"] = record.error.get("message", "")
        return row
    row.update(status="scored", doc_type=record.doc_type, doc_type_source=record.doc_type_source, model_version=record.model_version)
    for dim, result in record.dimensions.items():
        row[f"{dim}_grade"] = "" if result is None else str(result.grade)
    row["actions"] = str(len(record.actions))
    row["actions_fully_smart"] = str(sum(all(a.smart.model_dump().values()) for a in record.actions))
    row["warnings"] = "; ".join(record.warnings)
    return row


def partial_path(out: Path) -> Path:
    """Where records go while a run is in progress: beside ``out``, renamed to it once the run completes."""
    return out.with_name(out.name + ".partial")


@contextmanager
def output_file(out: Path) -> Iterator[IO[str]]:
    """Open ``out`` for records so that ``out`` only ever holds a completed run.

    Records are written to :func:`partial_path` and flushed one by one; on success it replaces ``out``
    atomically. If the run stops early the partial file is kept (it holds every record finished so far) and
    ``out`` is left as it was.
    """
    temp = partial_path(Path(out))
    with open(temp, "w", encoding="utf-8", newline="") as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, out)


class RecordWriter:
    """Writes records one at a time, so a long batch leaves usable output even if it is interrupted."""

    def __init__(self, handle: IO[str], fmt: str) -> None:
        self.handle = handle
        self.fmt = fmt
        self._csv = csv.DictWriter(handle, fieldnames=CSV_COLUMNS) if fmt == "csv" else None
        if self._csv:
            self._csv.writeheader()

    def write(self, record: ScoreRecord | ErrorRecord) -> None:
        if self._csv:
            self._csv.writerow(record_row(record))
        else:
            self.handle.write(record_json(record) + "\n")
        self.handle.flush()


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

    def add(self, record: ScoreRecord | ErrorRecord) -> None:
        if isinstance(record, ErrorRecord):
            self.errors += 1
            self.error_codes[record.error.get("code", "?")] += 1
            return
        self.scored += 1
        self.by_type[record.doc_type] += 1
        grades = []
        for dim, result in record.dimensions.items():
            if result is not None:
                self.grades[dim][result.grade] += 1
                grades.append(result.grade)
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

