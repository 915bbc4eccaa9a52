"""Every error the service returns, as RFC 9457 problem details with a stable code.

A problem body looks like::

    {"type": "https://assessqa.local/problems/invalid_api_key", "title": "API key not recognised",
     "status": 401, "detail": "...", "code": "invalid_api_key", "request_id": "4f0c..."}

``detail`` is written by this service from lengths, limits and field names. It never holds document text,
and neither does anything else here: pydantic's validation errors carry an ``input`` echo, so only their
locations (with unknown keys masked) and messages are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assessqa import errors
from assessqa.api.schemas import ProblemDetails

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://assessqa.local/problems/"

# code -> (HTTP status, title). Codes are part of the API: clients branch on them, so never rename one.
PROBLEMS: dict[str, tuple[int, str]] = {
    "bad_request": (400, "Bad request"),
    "missing_api_key": (401, "API key required"),
    "invalid_api_key": (401, "API key not recognised"),
    "not_found": (404, "No such resource"),
    "method_not_allowed": (405, "Method not allowed"),
    "body_too_large": (413, "Request body too large"),
    "batch_too_large": (413, "Too many documents"),
    errors.ErrorCode.TEXT_TOO_LONG.value: (413, "Document too long"),
    errors.ErrorCode.EMPTY_TEXT.value: (422, "Document cannot be scored"),
    errors.ErrorCode.BAD_DOC_TYPE.value: (422, "Document cannot be scored"),
    errors.ErrorCode.UNREADABLE_FILE.value: (422, "File cannot be read"),
    "validation_error": (422, "Request body is not valid"),
    "rate_limited": (429, "Too many requests"),
    "auth_throttled": (429, "Too many failed API key attempts"),
    "request_timeout": (408, "Request not received in time"),
    "headers_too_large": (431, "Request headers too large"),
    "internal_error": (500, "Internal error"),
    "not_ready": (503, "Not ready"),
    "timeout": (503, "Request took too long"),
}

# Field names the request models use; any other key in a validation error's location is a client's own
# text (an unexpected field, a metadata key) and is masked.
_KNOWN_FIELDS = frozenset({"body", "query", "path", "header", "documents", "id", "text", "doc_type", "metadata"})


# One example detail per code, for the OpenAPI docs.
_EXAMPLE_DETAILS: dict[str, str] = {
    "bad_request": "the request could not be read",
    "missing_api_key": "send the API key as 'Authorization: Bearer <key>'",
    "invalid_api_key": "the API key is not one this service accepts",
    "not_found": "there is nothing at this path; the API is described at /docs",
    "method_not_allowed": "this path does not accept that method; the API is described at /docs",
    "body_too_large": "the request body has 9,512,004 bytes; the limit is 8,000,000 (ASSESSQA_MAX_REQUEST_BYTES). "
    "Send fewer documents per batch.",
    "batch_too_large": "120 documents; the limit is 100 (ASSESSQA_MAX_BATCH)",
    "E002": "request: the document has 250,000 characters; the limit is 200,000. Split the document or raise the "
    "limit (ASSESSQA_MAX_CHARS).",
    "E001": "request: the document text is empty or only whitespace. Send the document's full text in 'text'.",
    "E006": "request: doc_type (6 characters) is not one of assessment, plan; leave it out to have it detected.",
    "E009": "Cannot read upload: not a readable .docx (BadZipFile).",
    "validation_error": "body.text: Field required",
    "rate_limited": "this key may make 600 requests a minute (bursts of 60); retry after 2 s",
    "auth_throttled": "10 failed API key attempts from this address in a minute; retry after 37 s",
    "request_timeout": "the request headers did not arrive within 10 seconds",
    "headers_too_large": "the request headers are larger than 16,384 bytes",
    "internal_error": "the service failed on this request; quote the request_id to the operator",
    "not_ready": "the model is still loading",
    "timeout": "scoring did not finish within 60 seconds; send fewer or shorter documents, or retry later",
}
_EXAMPLE_REQUEST_ID = "4f0c2b0e8d7a4c1e9b3f6a5d2c1e0f9a"
_HEADERS_BY_CODE: dict[str, dict[str, Any]] = {
    "missing_api_key": {"WWW-Authenticate": {"description": "Bearer realm=\"assessqa\"", "schema": {"type": "string"}}},
    "rate_limited": {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "string"}}},
    "auth_throttled": {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "string"}}},
    "timeout": {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "string"}}},
}


def problem_responses(*codes: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these codes: the problem schema and an example of each, by status."""
    schema = ProblemDetails.model_json_schema()
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        status, title = PROBLEMS[code]
        entry = out.setdefault(status, {"description": "", "content": {PROBLEM_JSON: {"schema": schema, "examples": {}}}})
        entry["description"] = f"{entry['description']}; {title}" if entry["description"] else title
        example = problem_body(code, _EXAMPLE_DETAILS[code], _EXAMPLE_REQUEST_ID)
        entry["content"][PROBLEM_JSON]["examples"][code] = {"summary": title, "value": example}
        if code in _HEADERS_BY_CODE:
            entry.setdefault("headers", {}).update(_HEADERS_BY_CODE[code])
    return out


class ProblemError(Exception):
    """Raised anywhere in a request to answer with a problem; ``detail`` must not hold document text."""

    def __init__(self, code: str, detail: str, headers: Mapping[str, str] | None = None) -> None:
        self.code = code
        self.status, self.title = PROBLEMS[code]
        self.detail = detail
        self.headers = dict(headers or {})
        super().__init__(f"{code}: {detail}")


def scoring_timeout(limit_s: float) -> ProblemError:
    """503 ``timeout``: scoring (or the wait for a free scorer) ran past ``limit_s``."""
    return ProblemError(
        "timeout",
        f"scoring did not finish within {limit_s:g} seconds; send fewer or shorter documents, or retry later",
        {"Retry-After": "5"},
    )


def problem_body(code: str, detail: str, request_id: str | None, **extra: Any) -> dict[str, Any]:
    """The JSON object of one problem; ``extra`` adds RFC 9457 extension members."""
    status, title = PROBLEMS[code]
    body: dict[str, Any] = {"type": PROBLEM_BASE + code, "title": title, "status": status, "detail": detail, "code": code}
    if request_id:
        body["request_id"] = request_id  # an extension member: the X-Request-ID, to find the log line
    body.update(extra)
    return body


def problem_response(
    code: str,
    detail: str,
    request_id: str | None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem-details response, for route handlers and middleware alike."""
    body = problem_body(code, detail, request_id, **extra)
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON, headers=dict(headers or {}))


def _request_problem(
    request: Request, code: str, detail: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    # The access log reports the code, so a failure can be counted without reading bodies.
    request.state.problem = code
    return problem_response(code, detail, getattr(request.state, "request_id", None), headers, **extra)


def safe_location(loc: tuple[Any, ...] | list[Any]) -> str:
    """A validation error's location with any client-chosen key masked.

    Example: ``("body", "documents", 0, "Amy said ...")`` becomes ``"body.documents.0.<field>"``.
    """
    parts = [str(p) if isinstance(p, int) or p in _KNOWN_FIELDS else "<field>" for p in loc]
    return ".".join(parts)


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """Locations, error types and messages of at most ten validation errors, never the input."""
    out = []
    for error in exc.errors()[:10]:
        # pydantic's messages name the expected shape ("Input should be 'assessment' or 'plan'"), not the input
        # (that is in error["input"], dropped here); "unexpected field" is plainer than its "Extra inputs...".
        message = "unexpected field" if error.get("type") == "extra_forbidden" else str(error.get("msg", "invalid"))
        out.append({"location": safe_location(error.get("loc", ())), "type": str(error.get("type", "")), "message": message})
    return out


def install_handlers(app: FastAPI) -> None:
    """Route every error FastAPI or assessqa raises to a problem response."""

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return _request_problem(request, exc.code, exc.detail, exc.headers)

    @app.exception_handler(errors.InputError)
    async def _input_error(request: Request, exc: errors.InputError) -> JSONResponse:
        code = exc.code.value if exc.code.value in PROBLEMS else "validation_error"
        return _request_problem(request, code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        found = validation_errors(exc)
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in found)
        return _request_problem(request, "validation_error", detail, errors=found)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Routing (404, 405) and FastAPI's body reader (400) raise these; their own detail texts are replaced
        # by ours so that nothing from the request is echoed.
        code, detail = _HTTP_ERRORS.get(exc.status_code, ("bad_request", "the request could not be read"))
        headers = {"Allow": exc.headers["Allow"]} if exc.headers and "Allow" in exc.headers else None
        return _request_problem(request, code, detail, headers)


_HTTP_ERRORS: dict[int, tuple[str, str]] = {
    404: ("not_found", "there is nothing at this path; the API is described at /docs"),
    405: ("method_not_allowed", "this path does not accept that method; the API is described at /docs"),
}
