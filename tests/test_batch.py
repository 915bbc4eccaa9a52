"""Batch scoring: every item gets a record, in input order, whether scored here or in worker processes."""

from __future__ import annotations

import pytest

from assessqa import errors
from assessqa.batch import score_items
from assessqa.ingest import Item
from assessqa.schemas import ErrorRecord, InputDocument, ScoreRecord
from assessqa.scoring import Scorer


def _items(corpus_splits) -> list[Item]:
    docs = corpus_splits["test"][:5]
    items = [Item(f"in.jsonl:{i}", document=InputDocument(id=d.id, text=d.text), record_id=d.id) for i, d in enumerate(docs)]
    # A record that failed to parse, and one that parses but cannot be scored, in the middle of the batch.
    items.insert(2, Item("in.jsonl:bad", error=errors.malformed_json("in.jsonl:bad", "Expecting value at column 1")))
    items.insert(4, Item("in.jsonl:empty", document=InputDocument(id="empty", text="   "), record_id="empty"))
    return items


def test_bad_records_are_reported_and_the_rest_scored(scorer, corpus_splits):
    records = list(score_items(scorer, _items(corpus_splits)))
    assert [type(r) for r in records] == [ScoreRecord, ScoreRecord, ErrorRecord, ScoreRecord, ErrorRecord, ScoreRecord, ScoreRecord]
    assert records[2].error["code"] == errors.ErrorCode.MALFORMED_JSON.value
    assert records[4].id == "empty" and records[4].error["code"] == errors.ErrorCode.EMPTY_TEXT.value


def test_worker_processes_give_the_same_records_in_the_same_order(scorer, corpus_splits):
    items = _items(corpus_splits)
    here = [r.model_dump() for r in score_items(scorer, items)]
    in_workers = [r.model_dump() for r in score_items(scorer, items, jobs=2)]
    assert in_workers == here


def test_parallel_scoring_needs_a_model_folder(scorer):
    # An in-memory model cannot be reloaded by a worker process: say so rather than score silently in one.
    with pytest.raises(ValueError, match="folder"):
        next(score_items(Scorer(scorer.model), [], jobs=2))
