"""Routes for operators and orchestrators, open without a key: ``/healthz``, ``/readyz``, ``/metrics``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from assessqa.api.deps import MetricsDep
from assessqa.api.metrics import METRICS_CONTENT_TYPE
from assessqa.api.problems import ProblemError, problem_responses
from assessqa.api.schemas import SCORE_RESPONSE_EXAMPLE

router = APIRouter(tags=["operations"])


@router.get("/healthz", responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}})
async def healthz() -> dict[str, str]:
    """The process is alive (a liveness probe: restart the container when this fails)."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    responses={
        200: {"content": {"application/json": {"example": {"status": "ready", "model_version": SCORE_RESPONSE_EXAMPLE["model_version"]}}}},
        **problem_responses("not_ready"),
    },
)
async def readyz(request: Request) -> dict[str, Any]:
    """The model is loaded and warmed (a readiness probe: send traffic only while this answers 200).

    It answers 503 while the model loads and again once shutdown has begun, so a load balancer stops sending
    new requests while in-flight ones finish.
    """
    if not request.app.state.ready:
        raise ProblemError("not_ready", "the model is still loading, or the service is shutting down")
    return {"status": "ready", "model_version": request.app.state.scorer.model_version}


# Load balancers that probe with HEAD get the same answer without a body (not listed twice in the schema).
router.add_api_route("/healthz", healthz, methods=["HEAD"], include_in_schema=False)
router.add_api_route("/readyz", readyz, methods=["HEAD"], include_in_schema=False)


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"description": "Prometheus text format", "content": {METRICS_CONTENT_TYPE.split(";")[0]: {"schema": {"type": "string"}}}}
    },
)
async def metrics(service_metrics: MetricsDep) -> Response:
    """Prometheus metrics: requests and latency by route and status, documents scored, the model version."""
    return Response(service_metrics.render(), media_type=METRICS_CONTENT_TYPE)
