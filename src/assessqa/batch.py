"""Batch scoring as a plain function: items in, records out; one bad record never stops the rest.

Documents are scored in chunks (:data:`CHUNK`), each stage of the pipeline running once per chunk. With
``jobs > 1`` the chunks are scored in that many worker processes, each holding its own copy of the model (scoring
is CPU-bound Python, so threads would not help). Records come back in input order either way.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Iterable, Iterator

from assessqa import errors
from assessqa.config import Settings
from assessqa.ingest import Item
from assessqa.report import error_record
from assessqa.schemas import ErrorRecord, InputDocument, ScoreRecord
from assessqa.scoring import Scorer

Record = ScoreRecord | ErrorRecord

# Documents scored together: large enough that scikit-learn's per-call costs are shared (measured in
# benchmarks/score_speed.py), small enough that a chunk's records reach the output file promptly.
CHUNK = 32
# Chunks handed to each worker ahead of the one being written: enough to keep every process busy while
# bounding memory when an export holds hundreds of thousands of records.
_AHEAD_PER_JOB = 2


def score_items(
    scorer: Scorer, items: Iterable[Item], jobs: int = 1, on_failure: Callable[[str, BaseException], None] | None = None
) -> Iterator[Record]:
    """Score every item, yielding one record each, in order.

    Args:
        scorer: the loaded model; with ``jobs > 1`` it must have been loaded from a folder
            (:meth:`Scorer.from_directory`), which each worker process loads again.
        items: records read by :func:`assessqa.ingest.read_inputs`; those that failed to parse become error
            records without being scored.
        jobs: worker processes; 1 scores in this process.
        on_failure: called with the source and the exception when scoring fails unexpectedly (a bug, not a
            bad record), for ``--debug``; the document still becomes an E010 error record and the run goes on.
            Only documents scored in this process reach it: with ``jobs > 1`` the E010 record is all there is.
    """
    if jobs <= 1:
        for chunk in _chunks(items, CHUNK):
            yield from _score_chunk(scorer, chunk, on_failure)
        return
    if scorer.model_dir is None:
        raise ValueError("parallel scoring needs a model loaded from a folder (Scorer.from_directory)")
    yield from _score_in_processes(scorer.model_dir, scorer.settings, items, jobs)


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _score_chunk(
    scorer: Scorer, chunk: list[Item], on_failure: Callable[[str, BaseException], None] | None = None
) -> list[Record]:
    """Records for a chunk, in order: items that failed to parse or fail the input checks become error records,
    the rest are scored together. Should the batch fail unexpectedly, each document is scored alone, so that
    only the one that fails is lost."""
    records: list[Record | None] = [None] * len(chunk)
    ready: list[int] = []
    for k, item in enumerate(chunk):
        if item.error is not None:
            records[k] = error_record(item.source, item.error, item.record_id, item.metadata)
            continue
        assert item.document is not None
        try:
            scorer.check_input(item.document, item.source)
        except errors.AssessQAError as exc:
            records[k] = error_record(item.source, exc, item.record_id, item.document.metadata)
            continue
        ready.append(k)
    try:
        scored = scorer.score_batch([chunk[k].document for k in ready], [chunk[k].source for k in ready])  # type: ignore[misc]
    except Exception:
        scored = [_score_item(scorer, chunk[k], on_failure) for k in ready]
    for k, record in zip(ready, scored):
        records[k] = record
    return [r for r in records if r is not None]


def _score_item(scorer: Scorer, item: Item, on_failure: Callable[[str, BaseException], None] | None = None) -> Record:
    if item.error is not None:
        return error_record(item.source, item.error, item.record_id, item.metadata)
    assert item.document is not None
    return _score_document(scorer, item.document, item.source, item.record_id, on_failure)


def _score_document(
    scorer: Scorer,
    document: InputDocument,
    source: str,
    record_id: str | None,
    on_failure: Callable[[str, BaseException], None] | None = None,
) -> Record:
    try:
        return scorer.score(document, where=source)
    except errors.AssessQAError as exc:
        return error_record(source, exc, record_id, document.metadata)
    except Exception as exc:  # a bug must cost one document, not the batch, and must not print its text
        if on_failure is not None:
            on_failure(source, exc)
        return error_record(source, errors.scoring_failed(source, type(exc).__name__), record_id, document.metadata)


def _score_in_processes(model_dir: Path, settings: Settings, items: Iterable[Item], jobs: int) -> Iterator[Record]:
    # spawn, not fork: the parent may hold threads (the progress bar's refresher) whose locks a fork would copy.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker, initargs=(model_dir, settings)) as pool:
        pending: deque[tuple[list[Record | None], Future[list[Record]]]] = deque()
        for chunk in _chunks(items, CHUNK):
            # Items that failed to parse become records here: their errors need not (and cannot all) be pickled.
            records: list[Record | None] = [
                error_record(i.source, i.error, i.record_id, i.metadata) if i.error is not None else None for i in chunk
            ]
            pending.append((records, pool.submit(_score_in_worker, [i for i in chunk if i.error is None])))
            while len(pending) > _AHEAD_PER_JOB * jobs:
                yield from _merge(*pending.popleft())
        while pending:
            yield from _merge(*pending.popleft())


def _merge(records: list[Record | None], scored: Future[list[Record]]) -> list[Record]:
    done = iter(scored.result())
    return [r if r is not None else next(done) for r in records]


_worker_scorer: Scorer | None = None


def _start_worker(model_dir: Path, settings: Settings) -> None:
    global _worker_scorer
    _watch_parent(os.getppid())
    _worker_scorer = Scorer.from_directory(model_dir, settings)


def _watch_parent(parent: int, every_s: float = 1.0) -> None:
    """End this worker when the process that started it is gone: a parent killed outright (SIGKILL, the OOM
    killer) cannot shut its pool down, and its workers would otherwise live on holding a model each."""

    def watch() -> None:
        while True:
            time.sleep(every_s)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="assessqa-parent-watch", daemon=True).start()


def _score_in_worker(chunk: list[Item]) -> list[Record]:
    assert _worker_scorer is not None, "worker started without a model"
    return _score_chunk(_worker_scorer, chunk)
