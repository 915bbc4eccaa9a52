"""Batch scoring as a plain function: items in, records out; one bad record never stops the rest."""

from __future__ import annotations

from typing import Iterable, Iterator

from assessqa import errors
from assessqa.ingest import Item
from assessqa.report import error_record
from assessqa.schemas import ErrorRecord, ScoreRecord
from assessqa.scoring import Scorer


def score_items(scorer: Scorer, items: Iterable[Item]) -> Iterator[ScoreRecord | ErrorRecord]:
    for item in items:
        if item.error is not None:
            yield error_record(item.source, item.error, item.record_id, item.metadata)
            continue
        assert item.document is not None
        try:
            yield scorer.score(item.document, where=item.source)
        except errors.AssessQAError as exc:
            yield error_record(item.source, exc, item.record_id, item.document.metadata)
