"""The REST API: ``create_app(settings)`` builds a FastAPI app around one shared, read-only Scorer.

Request path, outermost first::

    ObserveMiddleware (request id, access log, metrics, last-resort 500, security headers on every response)
      -> GuardMiddleware (API key, per-address throttle on failed keys, per-key rate limit; /healthz,
         /readyz, /metrics and the docs are open)
        -> BodyLimitMiddleware (413 before parsing)
          -> routes: scoring.py (/v1/...), operations.py (probes, metrics), docs.py (/docs)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from assessqa import __version__
from assessqa.api import docs, operations, page, scoring
from assessqa.api.accesslog import service_log
from assessqa.api.auth import KeyStore
from assessqa.api.batching import MicroBatcher
from assessqa.api.processes import ScoringProcesses
from assessqa.api.limits import AuthFailureLimiter, RateLimiter, WorkLimits
from assessqa.api.metrics import ServiceMetrics
from assessqa.api.middleware import BodyLimitMiddleware, GuardMiddleware, ObserveMiddleware
from assessqa.api.problems import install_handlers
from assessqa.config import Settings
from assessqa.errors import ModelError
from assessqa.scoring import Scorer

WARM_UP_TEXT = "Section 1: Child's views\nAmy (6) said she likes school."

DESCRIPTION = """Grades children's social care assessments and plans.

Send `Authorization: Bearer <key>` on every `/v1` request. Errors are RFC 9457 problem details
(`application/problem+json`) with a stable `code`. Document text is never logged, never put in metrics and
never echoed in errors."""


def create_app(settings: Settings | None = None, scorer: Scorer | None = None) -> FastAPI:
    """Build the app; the model is loaded once, at start-up, and shared read-only by every request.

    Args:
        settings: Limits, keys and the model folder; read from the environment when left out.
        scorer: An already loaded scorer (tests, and ``assessqa serve`` with one worker, which has loaded it
            to check it); otherwise the lifespan loads ``settings.model_dir``.

    Raises:
        AuthConfigError: no API key is configured and ``insecure_no_auth`` is not set, or a key is malformed.
    """
    settings = settings or Settings()
    keys = KeyStore.from_settings(settings)  # refuse to build an app nobody could call, or everybody could
    metrics = ServiceMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if keys is None:
            service_log.warning("authentication is OFF (--insecure-no-auth): use on this machine only")
        if app.state.scorer is None:
            try:
                app.state.scorer = await anyio.to_thread.run_sync(Scorer.from_directory, settings.model_dir, settings)
            except ModelError as exc:
                # The message names the folder and the fix, and holds no case data.
                service_log.error("model cannot be loaded", extra={"fields": {"code": exc.code.value, "detail": exc.message}})
                raise
        # Warm the pipeline so the first real request does not pay for lazy initialisation.
        await anyio.to_thread.run_sync(app.state.scorer.analyse, WARM_UP_TEXT, "assessment")
        processes = None
        if settings.score_processes:
            # Each process loads the model before the service reports ready; a model that fails to load there
            # fails the start, as above.
            processes = ScoringProcesses(settings.score_processes, settings.model_dir, settings, settings.request_timeout_s)
            await processes.start(WARM_UP_TEXT)
        app.state.batcher = MicroBatcher(app.state.scorer, app.state.work, settings.effective_micro_batch, processes=processes)
        metrics.set_model(app.state.scorer.model_version)
        app.state.ready = True
        service_log.info("ready", extra={"fields": {
            "model_version": app.state.scorer.model_version,
            "api_keys": len(keys.keys) if keys is not None else 0,
            "max_chars": settings.max_chars,
            "max_batch": settings.max_batch,
            "max_request_bytes": settings.max_request_bytes,
            "rate_limit_per_minute": settings.rate_limit_per_minute,
            "request_timeout_s": settings.request_timeout_s,
            "score_threads": settings.score_threads,
            "micro_batch": settings.effective_micro_batch,
            "score_processes": settings.score_processes,
        }})
        try:
            yield
        finally:
            # uvicorn has stopped accepting connections and let in-flight requests finish (up to its grace
            # period) before the lifespan ends.
            app.state.ready = False
            service_log.info("shutting down")
            if processes is not None:
                await anyio.to_thread.run_sync(processes.close)

    # No slash redirects: Starlette builds their Location from the client's Host header. The stock docs pages
    # load Swagger UI from a CDN, so they are replaced by docs.py's, served from package files.
    app = FastAPI(
        title="assessqa", version=__version__, description=DESCRIPTION, lifespan=lifespan,
        redirect_slashes=False, docs_url=None, redoc_url=None, swagger_ui_oauth2_redirect_url=None,
    )
    app.state.scorer = scorer
    app.state.ready = False
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.work = WorkLimits(settings.score_threads, settings.request_timeout_s)

    install_handlers(app)
    app.include_router(scoring.router)
    app.include_router(operations.router)
    if settings.docs:
        app.include_router(docs.router)
    if settings.app_page:
        app.include_router(page.router)
    # add_middleware wraps what is there already, so the last added is the outermost.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)
    app.add_middleware(
        GuardMiddleware, keys=keys, limiter=RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst),
        failures=AuthFailureLimiter(settings.auth_failures_per_minute),
    )
    app.add_middleware(ObserveMiddleware, metrics=metrics)
    return app
