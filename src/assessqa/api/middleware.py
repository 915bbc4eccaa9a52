"""ASGI middleware, outermost first: observe (request id, access log, metrics, last-resort 500), guard (API
key, rate limit) and the request body limit.

They are plain ASGI classes rather than ``BaseHTTPMiddleware`` so that the guard and the body limit answer
before a body is read, and so that nothing is buffered except a chunked body under the limit.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assessqa.api.accesslog import log_request, service_log
from assessqa.errors import exception_summary
from assessqa.api.auth import KeyStore
from assessqa.api.docs import ASSET_PATHS, DOCS_CSP, DOCS_PATH
from assessqa.api.page import APP_CSP, APP_PATHS
from assessqa.api.limits import AuthFailureLimiter, RateLimiter
from assessqa.api.metrics import ServiceMetrics
from assessqa.api.problems import problem_response

# Paths open without a key: probes, metrics and the API description hold no case data.
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/openapi.json", DOCS_PATH, *ASSET_PATHS, *APP_PATHS})
# On every response: records are never cached or sniffed, no page may frame or be framed, no referrer leaks.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# JSON needs no sources at all; only the docs page loads its own script and styles.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# A request id from the proxy is kept only if it is hex and dashes (nginx's $request_id, a UUID), so a
# client cannot write free text into the log through it.
_REQUEST_ID = re.compile(r"^[0-9A-Fa-f-]{8,64}$")


def _state(scope: Scope) -> dict[str, Any]:
    # Starlette's request.state writes into this same dict, which is how routes pass facts to the log.
    return scope.setdefault("state", {})


async def _send_problem(
    scope: Scope, receive: Receive, send: Send, code: str, detail: str, headers: dict[str, str] | None = None
) -> None:
    state = _state(scope)
    state["problem"] = code
    await problem_response(code, detail, state.get("request_id"), headers)(scope, receive, send)


def _route_template(scope: Scope) -> str:
    """The matched route's path template, for logs and metric labels; never a raw path a client made up."""
    route = getattr(scope.get("route"), "path", None)
    if route:
        return route
    # The guard answers before routing runs. No route has path parameters, so a path the API describes is
    # its own template.
    app = scope.get("app")
    if app is not None and (scope["path"] in OPEN_PATHS or scope["path"] in app.openapi()["paths"]):
        return scope["path"]
    return "unmatched"


class ObserveMiddleware:
    """Gives each request an id, logs one access line, records metrics, and turns any escaped exception into
    a message-free 500 problem (it is not re-raised, so the server does not log its message either)."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        state = _state(scope)
        state["request_id"] = request_id
        status = 500
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers.append("X-Request-ID", request_id)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                path = scope["path"]
                headers["Content-Security-Policy"] = DOCS_CSP if path == DOCS_PATH else APP_CSP if path in APP_PATHS else API_CSP
            await send(message)

        start = time.perf_counter()
        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:  # the last resort: anything a handler did not turn into a problem
            state["problem"] = "internal_error"
            service_log.error("unhandled error", extra={"fields": {"request_id": request_id, **exception_summary(exc)}})
            if not started:
                await problem_response(
                    "internal_error", "the service failed on this request; quote the request_id to the operator", request_id,
                )(scope, receive, send_with_id)
        finally:
            self.metrics.in_flight.dec()
            elapsed = time.perf_counter() - start
            route = _route_template(scope)
            self.metrics.observe_request(route, scope["method"], status, elapsed)
            scorer = getattr(scope["app"].state, "scorer", None) if "app" in scope else None
            log_request({
                "request_id": request_id,
                "method": scope["method"],
                "route": route,
                "status": status,
                "latency_ms": round(elapsed * 1000, 1),
                "key_id": state.get("key_id"),
                "model_version": scorer.model_version if scorer is not None else None,
                "documents": state.get("documents"),
                "doc_chars": state.get("doc_chars"),
                "problem": state.get("problem"),
            })


class GuardMiddleware:
    """Every path outside :data:`OPEN_PATHS` needs ``Authorization: Bearer <key>`` and is rate limited per key.

    Checking here, before routing, means a new route is protected without anyone remembering to protect it,
    and an unknown path answers 401 rather than telling a caller without a key what exists.
    """

    def __init__(self, app: ASGIApp, keys: KeyStore | None, limiter: RateLimiter, failures: AuthFailureLimiter) -> None:
        self.app = app
        self.keys = keys
        self.limiter = limiter
        self.failures = failures

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        if self.keys is None:
            key_id = "anonymous"  # --insecure-no-auth
        else:
            client = scope["client"][0] if scope.get("client") else "unknown"
            wait = self.failures.blocked(client)
            if wait is not None:
                detail = (f"{self.failures.per_minute} failed API key attempts from this address in a minute; "
                          f"retry after {wait} s")
                await _send_problem(scope, receive, send, "auth_throttled", detail, {"Retry-After": str(wait)})
                return
            scheme, _, token = Headers(scope=scope).get("authorization", "").partition(" ")
            token = token.strip()
            challenge = {"WWW-Authenticate": 'Bearer realm="assessqa"'}
            if scheme.lower() != "bearer" or not token:
                detail = "send the API key as 'Authorization: Bearer <key>'"
                await _send_problem(scope, receive, send, "missing_api_key", detail, challenge)
                return
            found = self.keys.identify(token)
            if found is None:
                self.failures.failed(client)
                challenge = {"WWW-Authenticate": 'Bearer realm="assessqa", error="invalid_token"'}
                detail = "the API key is not one this service accepts"
                await _send_problem(scope, receive, send, "invalid_api_key", detail, challenge)
                return
            key_id = found
        _state(scope)["key_id"] = key_id
        wait = self.limiter.check(key_id)
        if wait is not None:
            await _send_problem(
                scope, receive, send, "rate_limited",
                f"this key may make {self.limiter.per_minute:g} requests a minute (bursts of {self.limiter.burst}); "
                f"retry after {wait} s",
                {"Retry-After": str(wait)},
            )
            return
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Refuses a request body over ``max_bytes`` with 413 before it is parsed.

    A declared Content-Length is checked up front (the server holds the body to that length); a chunked
    body is read up to the limit, then replayed to the app.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await _send_problem(scope, receive, send, "bad_request", "Content-Length is not a number")
            elif int(declared) > self.max_bytes:
                await self._too_large(scope, receive, send, int(declared))
            else:
                await self.app(scope, receive, send)
            return
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; let the app see the disconnect
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                await self._too_large(scope, receive, send, size, at_least=True)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, size: int, at_least: bool = False) -> None:
        amount = f"{'more than ' if at_least else ''}{size:,} bytes"
        await _send_problem(
            scope, receive, send, "body_too_large",
            f"the request body has {amount}; the limit is {self.max_bytes:,} (ASSESSQA_MAX_REQUEST_BYTES). "
            "Send fewer documents per batch.",
        )
