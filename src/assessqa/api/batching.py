"""Micro-batching of single-document requests: documents that arrive while the scorer is busy are scored together.

The pipeline runs each stage once per batch (pipeline.py), so eight documents scored together cost less than eight
scored one after another; and a request that arrives during a batch waits for that batch and the next, never
behind every earlier request in turn. No request waits for others to arrive: a batch starts as soon as the scoring
thread is free, with whatever has queued (up to ``max_batch``), so a lone request is scored at once.

With scoring processes (api/processes.py) as many batches run at once as there are processes, and a batch takes
its fair share of what is waiting (the queue divided among the processes free to take it), so that eight requests
arriving together are scored four and four rather than eight on one process while the other idles.

Each request keeps its own time limit (``ASSESSQA_REQUEST_TIMEOUT_S``): one that times out before its batch
starts is dropped from it, and one whose batch is already running is answered 503 while the batch finishes.
A document that makes the batch fail is scored on its own, so it cannot cost the others their records.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

import anyio

from assessqa.api.limits import WorkLimits
from assessqa.api.problems import ProblemError, scoring_timeout
from assessqa.api.processes import EncodedRecord, ScoringProcesses
from assessqa.schemas import InputDocument, ScoreRecord
from assessqa.scoring import Scorer, score_each


@dataclass
class _Waiting:
    document: InputDocument
    done: asyncio.Future[ScoreRecord | EncodedRecord]
    abandoned: bool = False


@dataclass
class MicroBatcher:
    """Queues single documents for one scoring loop per service process.

    Example (inside a route)::

        record = await request.app.state.batcher.score(document)
    """

    scorer: Scorer
    work: WorkLimits
    max_batch: int = 16
    # Each request's own limit; the service passes its request_timeout_s (the batch itself runs under work's).
    timeout_s: float | None = None
    # Score in these processes instead of on a thread of this one (one batch at a time per process).
    processes: ScoringProcesses | None = None
    _queue: list[_Waiting] = field(default_factory=list)
    _draining: int = 0  # loops taking batches from the queue, at most one per process (one without processes)
    _scoring: int = 0  # of those, how many have a batch being scored

    @property
    def slots(self) -> int:
        return self.processes.count if self.processes is not None else 1

    @property
    def limit_s(self) -> float:
        return self.work.timeout_s if self.timeout_s is None else self.timeout_s

    async def score(self, document: InputDocument) -> ScoreRecord | EncodedRecord:
        """The document's record (already serialised when a scoring process scored it), scored with whatever else
        is waiting; 503 ``timeout`` past the time limit."""
        waiting = _Waiting(document, asyncio.get_running_loop().create_future())
        self._queue.append(waiting)
        self._start_drains()
        try:
            with anyio.fail_after(self.limit_s):
                return await asyncio.shield(waiting.done)
        except TimeoutError:
            raise scoring_timeout(self.limit_s) from None
        finally:
            # Timed out, or the client went away: nobody will read this record, so it is not scored if not begun.
            if not waiting.done.done():
                waiting.abandoned = True

    def _start_drains(self) -> None:
        while self._draining < self.slots and self._draining < len(self._queue):
            self._draining += 1
            asyncio.get_running_loop().create_task(self._drain())

    def _next_batch(self) -> list[_Waiting]:
        """This loop's share of the waiting requests: all of them (up to ``max_batch``) when no other loop is free
        to take some, else the queue divided evenly among the free loops."""
        self._queue = [w for w in self._queue if not w.abandoned]
        free = max(1, self._draining - self._scoring)
        take = min(self.max_batch, -(-len(self._queue) // free))
        batch, self._queue = self._queue[:take], self._queue[take:]
        return batch

    async def _drain(self) -> None:
        try:
            while True:
                batch = self._next_batch()
                if not batch:
                    return
                self._scoring += 1
                try:
                    # The whole batch runs under the service's thread (or process) and time limits; each waiting
                    # request still has its own limit, above.
                    if self.processes is not None:
                        records = await self.processes.score([w.document for w in batch])
                    else:
                        records = await self.work.run(lambda cancelled: self._score(batch, cancelled))
                except ProblemError as exc:  # the batch itself ran past the time limit
                    for w in batch:
                        if not w.abandoned and not w.done.done():
                            w.done.set_exception(exc)
                    continue
                finally:
                    self._scoring -= 1
                for w, record in zip(batch, records):
                    if not w.abandoned and not w.done.done():
                        if isinstance(record, BaseException):
                            w.done.set_exception(record)
                        else:
                            w.done.set_result(record)
        finally:
            self._draining -= 1
            self._start_drains()  # a request that arrived after the last look is not left waiting

    def _score(self, batch: list[_Waiting], cancelled: threading.Event) -> list[ScoreRecord | Exception]:
        # A failing document is re-raised in its own request, so the service's error handling answers it as it
        # would without batching.
        return score_each(self.scorer, [w.document for w in batch], "request", cancelled.is_set)
