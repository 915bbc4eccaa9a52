"""Micro-batching of single-document requests: documents that arrive while the scorer is busy are scored together.

The pipeline runs each stage once per batch (pipeline.py), so eight documents scored together cost less than eight
scored one after another; and a request that arrives during a batch waits for that batch and the next, never
behind every earlier request in turn. No request waits for others to arrive: a batch starts as soon as the scoring
thread is free, with whatever has queued (up to ``max_batch``), so a lone request is scored at once.

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
from assessqa.api.problems import ProblemError
from assessqa.schemas import InputDocument, ScoreRecord
from assessqa.scoring import Scorer


@dataclass
class _Waiting:
    document: InputDocument
    done: asyncio.Future[ScoreRecord]
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
    _queue: list[_Waiting] = field(default_factory=list)
    _running: bool = False

    @property
    def limit_s(self) -> float:
        return self.work.timeout_s if self.timeout_s is None else self.timeout_s

    async def score(self, document: InputDocument) -> ScoreRecord:
        """The document's record, scored with whatever else is waiting; 503 ``timeout`` past the time limit."""
        waiting = _Waiting(document, asyncio.get_running_loop().create_future())
        self._queue.append(waiting)
        if not self._running:
            self._running = True
            asyncio.get_running_loop().create_task(self._drain())
        try:
            with anyio.fail_after(self.limit_s):
                return await asyncio.shield(waiting.done)
        except TimeoutError:
            raise ProblemError(
                "timeout",
                f"scoring did not finish within {self.limit_s:g} seconds; send fewer or shorter documents, "
                "or retry later",
                {"Retry-After": "5"},
            ) from None
        finally:
            # Timed out, or the client went away: nobody will read this record, so it is not scored if not begun.
            if not waiting.done.done():
                waiting.abandoned = True

    async def _drain(self) -> None:
        try:
            while True:
                batch = [w for w in self._queue[: self.max_batch] if not w.abandoned]
                del self._queue[: self.max_batch]
                if not batch and not self._queue:
                    return
                if not batch:
                    continue
                try:
                    # The whole batch runs under the service's thread and time limits; each waiting request
                    # still has its own limit, above.
                    records = await self.work.run(lambda cancelled: self._score(batch, cancelled))
                except ProblemError as exc:  # the batch itself ran past the time limit
                    for w in batch:
                        if not w.abandoned and not w.done.done():
                            w.done.set_exception(exc)
                    continue
                for w, record in zip(batch, records):
                    if not w.abandoned and not w.done.done():
                        if isinstance(record, BaseException):
                            w.done.set_exception(record)
                        else:
                            w.done.set_result(record)
        finally:
            self._running = False
            if self._queue:  # arrived after the last look: start again rather than leave it waiting
                self._running = True
                asyncio.get_running_loop().create_task(self._drain())

    def _score(self, batch: list[_Waiting], cancelled: threading.Event) -> list[ScoreRecord | BaseException]:
        try:
            return list(self.scorer.score_batch([w.document for w in batch], ["request"] * len(batch)))
        except Exception:
            if len(batch) == 1:
                return [_caught(self.scorer, batch[0].document)]
        out: list[ScoreRecord | BaseException] = []
        for w in batch:
            if cancelled.is_set():
                break
            out.append(_caught(self.scorer, w.document))
        return out


def _caught(scorer: Scorer, document: InputDocument) -> ScoreRecord | BaseException:
    """One document's record, or the exception it raised (re-raised in its own request, so the service's own
    error handling answers it as it would without batching)."""
    try:
        return scorer.score(document, "request")
    except Exception as exc:
        return exc
