"""The scoring routes: ``POST /v1/score``, ``POST /v1/score/batch`` and ``GET /v1/model``.

Every route here needs an API key (checked by GuardMiddleware before routing). The handlers record the
number of documents and their total length on ``request.state`` for the access log, never the text.
"""

from __future__ import annotations

import threading
from typing import Any

import anyio

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from assessqa import errors
from assessqa.api.deps import BatcherDep, MetricsDep, ScorerDep, SettingsDep, WorkDep, bearer_scheme
from assessqa.api.limits import Cancelled
from assessqa.api.problems import ProblemError, problem_responses, scoring_timeout
from assessqa.api.processes import EncodedRecord
from assessqa.api.schemas import (
    BATCH_EXAMPLE,
    BATCH_RESPONSE_EXAMPLE,
    SCORE_EXAMPLE,
    SCORE_RESPONSE_EXAMPLE,
    BatchItemError,
    BatchRequest,
    BatchResponse,
    ModelInfo,
    ScoreRequest,
)
from assessqa.ingest import document_from_record, read_docx
from assessqa.schemas import InputDocument, ScoreRecord
from assessqa.scoring import check_document

_GUARDED = ("missing_api_key", "invalid_api_key", "rate_limited", "internal_error")
_SCORING = (*_GUARDED, "bad_request", "body_too_large", "validation_error", "timeout")

router = APIRouter(
    prefix="/v1",
    dependencies=[Depends(bearer_scheme)],
    responses=problem_responses(*_GUARDED),
)


def _to_input(body: ScoreRequest) -> InputDocument:
    return InputDocument(id=body.id, text=body.text, doc_type=body.doc_type, metadata=body.metadata)


def _request_body(example: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"content": {"application/json": {"example": example}}}}


def _ok(example: dict[str, Any]) -> dict[str, Any]:
    return {"description": "Scored", "content": {"application/json": {"example": example}}}


@router.post(
    "/score",
    response_model=ScoreRecord,
    tags=["scoring"],
    responses={200: _ok(SCORE_RESPONSE_EXAMPLE), **problem_responses(*_SCORING, "E001", "E002")},
    openapi_extra=_request_body(SCORE_EXAMPLE),
)
async def score_one(
    body: ScoreRequest, request: Request, batcher: BatcherDep, settings: SettingsDep, metrics: MetricsDep
) -> ScoreRecord | Response:
    """Score one assessment or plan: a grade per dimension, evidence spans, suggestions and plan actions."""
    request.state.documents = 1
    request.state.doc_chars = len(body.text)
    document = _to_input(body)
    try:
        check_document(document, "request", settings.max_chars)
    except errors.InputError as exc:
        metrics.refused.labels(exc.code.value).inc()
        raise
    # Scoring is CPU-bound: it runs on a scoring thread so the event loop keeps serving other requests, together
    # with the other single documents waiting (api/batching.py).
    record = await batcher.score(document)
    metrics.documents.labels(record.doc_type).inc()
    if isinstance(record, EncodedRecord):
        # Serialised by the scoring process from the same ScoreRecord (tests/test_api_batching.py checks the body).
        return Response(record.body, media_type="application/json")
    return record


class ExtractedText(BaseModel):
    text: str


@router.post(
    "/extract-text",
    response_model=ExtractedText,
    tags=["scoring"],
    responses=problem_responses("E009", "E001"),
    openapi_extra={"requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
)
async def extract_text(request: Request, work: WorkDep) -> ExtractedText:
    """The text of a .docx (paragraphs, and table rows with cells joined by " | "), read as ``assessqa score``
    reads one; the practitioner page sends an uploaded draft here, then scores the text."""
    data = await request.body()
    text = await work.run(lambda _cancelled: read_docx(data, "upload"))
    if not text.strip():
        raise errors.empty_text("upload")
    return ExtractedText(text=text)


# Documents of a batch request scored together; small enough that a cancelled request stops soon.
_CHUNK = 16


@router.post(
    "/score/batch",
    response_model=BatchResponse,
    tags=["scoring"],
    responses={200: _ok(BATCH_RESPONSE_EXAMPLE), **problem_responses(*_SCORING, "batch_too_large")},
    openapi_extra=_request_body(BATCH_EXAMPLE),
)
async def score_batch(
    body: BatchRequest, request: Request, scorer: ScorerDep, settings: SettingsDep, work: WorkDep, metrics: MetricsDep,
    batcher: BatcherDep,
) -> BatchResponse | Response:
    """Score up to ``ASSESSQA_MAX_BATCH`` documents; a document that cannot be scored gets a coded error entry."""
    request.state.documents = len(body.documents)
    request.state.doc_chars = sum(len(item.text or "") for item in body.documents)
    if len(body.documents) > settings.max_batch:
        detail = f"{len(body.documents)} documents; the limit is {settings.max_batch} (ASSESSQA_MAX_BATCH)"
        raise ProblemError("batch_too_large", detail)

    def check() -> tuple[list[ScoreRecord | BatchItemError | EncodedRecord | None], list[tuple[int, InputDocument, str]]]:
        results: list[ScoreRecord | BatchItemError | EncodedRecord | None] = [None] * len(body.documents)
        ready: list[tuple[int, InputDocument, str]] = []
        for n, item in enumerate(body.documents):
            where = f"documents[{n}]"
            try:
                # The CLI's own record check, so a document gets the same code here as in a batch file.
                document = document_from_record(item.model_dump(exclude_none=True), where)
                check_document(document, where, settings.max_chars)
            except errors.AssessQAError as exc:
                metrics.refused.labels(exc.code.value).inc()
                results[n] = BatchItemError(id=item.id, index=n, error={"code": exc.code.value, "message": exc.message})
            else:
                ready.append((n, document, where))
        return results, ready

    processes = batcher.processes
    if processes is not None:
        # With scoring processes the chunks go to them, and the records come back serialised: the service process
        # only joins them into the body (its event loop keeps answering single requests meanwhile).
        results, ready = check()
        try:
            with anyio.fail_after(processes.timeout_s):  # one limit for the whole request, as on threads
                for start in range(0, len(ready), _CHUNK):
                    chunk = ready[start : start + _CHUNK]
                    for (n, _, _), record in zip(chunk, await processes.score([d for _, d, _ in chunk])):
                        if isinstance(record, BaseException):
                            raise record
                        metrics.documents.labels(record.doc_type).inc()
                        results[n] = record
        except TimeoutError:
            raise scoring_timeout(processes.timeout_s) from None
        parts = [r.body if isinstance(r, EncodedRecord) else r.model_dump_json().encode("utf-8") for r in results if r is not None]
        return Response(b'{"results":[' + b",".join(parts) + b"]}", media_type="application/json")

    def run(cancelled: threading.Event) -> BatchResponse:
        results, ready = check()
        # The checked documents are scored together (each stage once for the chunk), a chunk at a time so that a
        # request that has timed out stops spending CPU between chunks.
        for start in range(0, len(ready), _CHUNK):
            if cancelled.is_set():
                raise Cancelled
            chunk = ready[start : start + _CHUNK]
            for (n, _, _), record in zip(chunk, scorer.score_batch([d for _, d, _ in chunk], [w for _, _, w in chunk])):
                metrics.documents.labels(record.doc_type).inc()
                results[n] = record
        return BatchResponse(results=[r for r in results if r is not None])

    return await work.run(run)


@router.get("/model", response_model=ModelInfo, tags=["model"])
async def model_info(scorer: ScorerDep) -> ModelInfo:
    """The loaded model's version, training data hash, held-out metrics and library versions."""
    meta = scorer.model.meta
    return ModelInfo(
        model_version=scorer.model_version,
        trained_at=meta.get("trained_at"),
        training_data=meta.get("training_data", {}),
        metrics=meta.get("metrics", {}),
        versions=meta.get("versions", {}),
    )
