"""The REST API: ``create_app(settings)`` builds a FastAPI app around one shared, read-only Scorer."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from assessqa import __version__, errors
from assessqa.api.schemas import (
    BATCH_EXAMPLE,
    SCORE_EXAMPLE,
    BatchItemError,
    BatchRequest,
    BatchResponse,
    ModelInfo,
    ScoreRequest,
)
from assessqa.config import Settings
from assessqa.schemas import InputDocument, ScoreRecord
from assessqa.scoring import Scorer, check_document

PROBLEM_JSON = "application/problem+json"


def problem(status: int, code: str, title: str, detail: str) -> JSONResponse:
    """An RFC 9457 problem-details response; ``detail`` never holds document text."""
    return JSONResponse(
        status_code=status,
        media_type=PROBLEM_JSON,
        content={"type": f"https://assessqa.local/problems/{code}", "title": title, "status": status, "detail": detail, "code": code},
    )


def get_scorer(request: Request) -> Scorer:
    return request.app.state.scorer


ScorerDep = Annotated[Scorer, Depends(get_scorer)]


def create_app(settings: Settings | None = None, scorer: Scorer | None = None) -> FastAPI:
    """Build the app. The model is loaded once here (not per request) and shared by every request."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if app.state.scorer is None:
            app.state.scorer = Scorer.from_directory(settings.model_dir, settings)
        # Warm the pipeline so the first real request does not pay for lazy initialisation.
        await run_in_threadpool(app.state.scorer.analyse, "Section 1: Child's views\nAmy (6) said she likes school.", "assessment")
        app.state.ready = True
        yield

    app = FastAPI(
        title="assessqa",
        version=__version__,
        description="Grades children's social care assessments and plans. Document text is never logged or echoed in errors.",
        lifespan=lifespan,
    )
    app.state.scorer = scorer
    app.state.ready = False
    app.state.settings = settings

    @app.exception_handler(errors.InputError)
    async def _input_error(_: Request, exc: errors.InputError) -> JSONResponse:
        status = 413 if exc.code is errors.ErrorCode.TEXT_TOO_LONG else 422
        return problem(status, exc.code.value, "Document cannot be scored", exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Field locations and messages only: pydantic's "input" echo could carry document text.
        fields = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10])
        return problem(422, "validation_error", "Request body is not valid", fields)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return problem(500, "internal_error", "Internal error", f"{exc.__class__.__name__}; see the service log")

    def _to_input(body: ScoreRequest) -> InputDocument:
        return InputDocument(id=body.id, text=body.text, doc_type=body.doc_type, metadata=body.metadata)

    @app.post("/v1/score", response_model=ScoreRecord, tags=["scoring"], openapi_extra={"requestBody": {"content": {"application/json": {"example": SCORE_EXAMPLE}}}})
    async def score_one(body: ScoreRequest, scorer: ScorerDep) -> ScoreRecord:
        """Score one assessment or plan."""
        document = _to_input(body)
        check_document(document, "request", settings.max_chars)
        # Scoring is CPU-bound: run it in the thread pool so the event loop keeps serving other requests.
        return await run_in_threadpool(scorer.score, document, "request")

    @app.post("/v1/score/batch", response_model=BatchResponse, tags=["scoring"], openapi_extra={"requestBody": {"content": {"application/json": {"example": BATCH_EXAMPLE}}}})
    async def score_batch(body: BatchRequest, scorer: ScorerDep) -> Any:
        """Score up to ``max_batch`` documents; a document that cannot be scored gets an error entry."""
        if len(body.documents) > settings.max_batch:
            return problem(413, "batch_too_large", "Too many documents", f"{len(body.documents)} documents; the limit is {settings.max_batch}")

        def run() -> BatchResponse:
            results: list[ScoreRecord | BatchItemError] = []
            for n, item in enumerate(body.documents):
                where = f"documents[{n}]"
                try:
                    document = _to_input(item)
                    check_document(document, where, settings.max_chars)
                    results.append(scorer.score(document, where))
                except errors.AssessQAError as exc:
                    results.append(BatchItemError(id=item.id, index=n, error={"code": exc.code.value, "message": exc.message}))
            return BatchResponse(results=results)

        return await run_in_threadpool(run)

    @app.get("/v1/model", response_model=ModelInfo, tags=["model"])
    async def model_info(scorer: ScorerDep) -> ModelInfo:
        """The loaded model's version, training data hash and held-out metrics."""
        meta = scorer.model.meta
        return ModelInfo(
            model_version=scorer.model_version,
            trained_at=meta.get("trained_at"),
            training_data=meta.get("training_data", {}),
            metrics=meta.get("metrics", {}),
            versions=meta.get("versions", {}),
        )

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    async def readyz(request: Request) -> Any:
        """The model is loaded and warmed."""
        if not request.app.state.ready:
            return problem(503, "not_ready", "Not ready", "the model is still loading")
        return {"status": "ready", "model_version": request.app.state.scorer.model_version}

    return app
