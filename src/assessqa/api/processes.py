"""Scoring processes: the service's front process answers HTTP while N processes, each with its own copy of the
model, score the documents from one shared queue (``ASSESSQA_SCORE_PROCESSES``).

Why not N uvicorn workers: they share a listening socket, not requests, so a client's keep-alive connections can
all land on one worker while another idles (api/README.md), and the worker's event loop shares the interpreter lock
with its scoring thread, so a request that arrives during a batch waits for the lock to be read. One front process
with a queue keeps every scoring process busy whoever sent the request, and its event loop never waits for scoring.

The processes are started with ``spawn`` (never ``fork`` from a process that runs threads and an event loop), and
each loads the model itself. Only documents go in and records come out: nothing is logged there, and an unexpected
failure comes back as :class:`ScoringFailed`, which names the exception's type and never its message (a message
may quote the text).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import anyio

from assessqa.api.problems import scoring_timeout
from assessqa.config import Settings
from assessqa.errors import AssessQAError
from assessqa.schemas import InputDocument, ScoreRecord
from assessqa.scoring import Scorer, score_each

# Scoring processes run at a lower priority than the service process, so that reading a request, answering
# /healthz or a timeout never queues behind a batch on a busy machine (it lowered p95 at 8 clients in repeated
# benchmarks/load_api.py runs on 2 cores); with the cores free, a nice process runs as fast as any.
NICENESS = 10
# The model of this scoring process (set by _load, in the child only).
_scorer: Scorer | None = None


@dataclass(frozen=True)
class EncodedRecord:
    """A record as the JSON body the service answers with, serialised in the scoring process: the front process
    then neither rebuilds nor re-validates nor re-encodes it (about a millisecond a request it would spend while
    the scoring processes wait for their next batch). ``doc_type`` labels the service's metrics."""

    doc_type: str
    body: bytes


class ScoringFailed(RuntimeError):
    """A document's scoring raised an unexpected exception in a scoring process; the service answers 500."""


def _load(model_dir: Path, settings: Settings, warm_text: str) -> None:
    global _scorer
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    _scorer = Scorer.from_directory(model_dir, settings)
    _scorer.analyse(warm_text, "assessment")


def _ready() -> str:
    assert _scorer is not None
    return _scorer.model_version


def _portable(exc: BaseException) -> BaseException:
    return exc if isinstance(exc, AssessQAError) else ScoringFailed(type(exc).__name__)


def _encoded(record: ScoreRecord) -> EncodedRecord:
    return EncodedRecord(record.doc_type, record.model_dump_json().encode("utf-8"))


def _score(documents: list[InputDocument]) -> list[EncodedRecord | BaseException]:
    """Each document's record, serialised, or its error in a form that crosses back to the service."""
    assert _scorer is not None
    return [_portable(r) if isinstance(r, Exception) else _encoded(r) for r in score_each(_scorer, documents)]


class ScoringProcesses:
    """A pool of scoring processes, each with the model loaded before the service reports ready.

    Example (the service's lifespan)::

        processes = ScoringProcesses(2, settings.model_dir, settings, timeout_s=60)
        await processes.start(WARM_UP_TEXT)
        records = await processes.score([InputDocument(text=...)])
        processes.close()
    """

    def __init__(self, count: int, model_dir: Path, settings: Settings, timeout_s: float) -> None:
        self.count = count
        self.timeout_s = timeout_s
        self._args = (model_dir, settings)
        self._pool: ProcessPoolExecutor | None = None

    async def start(self, warm_text: str) -> None:
        """Start every process and load its model; raises what loading raised (a ModelError names the fix)."""
        self._pool = ProcessPoolExecutor(
            self.count, mp_context=multiprocessing.get_context("spawn"), initializer=_load, initargs=(*self._args, warm_text)
        )
        loop = asyncio.get_running_loop()
        # As many calls as processes at once: the pool starts a process for each call that finds none idle.
        await asyncio.gather(*(loop.run_in_executor(self._pool, _ready) for _ in range(self.count)))

    async def score(self, documents: list[InputDocument]) -> list[EncodedRecord | BaseException]:
        """Each document's record or the exception to answer its request with; 503 ``timeout`` past the limit (the
        process finishes the batch meanwhile: a process, like a thread, is not stopped midway)."""
        if self._pool is None:
            raise RuntimeError("the scoring processes have not been started")
        try:
            with anyio.fail_after(self.timeout_s):
                return await asyncio.get_running_loop().run_in_executor(self._pool, _score, documents)
        except TimeoutError:
            raise scoring_timeout(self.timeout_s) from None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


__all__ = ["EncodedRecord", "ScoringFailed", "ScoringProcesses"]
