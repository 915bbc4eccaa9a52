"""Typed dependencies the routes declare: the shared scorer, the settings, the work limits, the micro-batcher,
the metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from assessqa.api.batching import MicroBatcher
from assessqa.api.limits import WorkLimits
from assessqa.api.metrics import ServiceMetrics
from assessqa.config import Settings
from assessqa.scoring import Scorer

# The dependencies are coroutines, though they only read app.state: FastAPI runs a plain ``def`` dependency on its
# thread pool, and under load each of those hops waits for the interpreter lock that a scoring thread holds.

async def get_scorer(request: Request) -> Scorer:
    return request.app.state.scorer


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_work(request: Request) -> WorkLimits:
    return request.app.state.work


async def get_batcher(request: Request) -> MicroBatcher:
    return request.app.state.batcher


async def get_metrics(request: Request) -> ServiceMetrics:
    return request.app.state.metrics


ScorerDep = Annotated[Scorer, Depends(get_scorer)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
WorkDep = Annotated[WorkLimits, Depends(get_work)]
MetricsDep = Annotated[ServiceMetrics, Depends(get_metrics)]
BatcherDep = Annotated[MicroBatcher, Depends(get_batcher)]

# Declares the bearer scheme in the OpenAPI schema (and the docs' "Authorize" button). The key itself is
# checked earlier, by GuardMiddleware, for every path but the open ones; auto_error=False keeps this silent.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    description="An API key from ASSESSQA_API_KEYS or ASSESSQA_API_KEY_FILE, sent as 'Authorization: Bearer <key>'.",
)
