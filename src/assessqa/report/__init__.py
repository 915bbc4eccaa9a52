"""Report: the record assembled from what the stages produced, and how records are written and summarised.

``record`` builds one document's :class:`~assessqa.schemas.ScoreRecord`; ``output`` writes records (JSONL, CSV)
and the end-of-batch summary.
"""

from assessqa.report.output import (
    CSV_COLUMNS,
    BatchSummary,
    RecordWriter,
    Resumed,
    csv_columns,
    error_record,
    errors_path,
    output_file,
    partial_path,
    read_resumable,
    record_json,
    record_row,
    render_summary,
)
from assessqa.report.record import build_record

__all__ = [
    "CSV_COLUMNS",
    "BatchSummary",
    "RecordWriter",
    "Resumed",
    "csv_columns",
    "errors_path",
    "read_resumable",
    "build_record",
    "error_record",
    "output_file",
    "partial_path",
    "record_json",
    "record_row",
    "render_summary",
]
