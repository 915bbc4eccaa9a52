"""JSON logs: one access line per request, and a formatter that keeps exception messages out.

An access line::

    {"ts": "2025-05-01T09:30:12.123Z", "level": "info", "logger": "assessqa.access", "message": "request",
     "request_id": "4f0c...", "method": "POST", "route": "/v1/score", "status": 200, "latency_ms": 87.4,
     "key_id": "mosaic-prod", "model_version": "assessqa-N.N.N", "documents": 1, "doc_chars": 5120}

Nothing a client sent is logged except the method, the matched route template and a request id that passed
a strict pattern. Exception messages are never logged, because a message can quote its input (pydantic's do,
and so may any library the scorer calls): only the exception type and the code locations are.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any

from assessqa.errors import exception_summary

ACCESS_LOGGER = "assessqa.access"
SERVICE_LOGGER = "assessqa.service"

access_log = logging.getLogger(ACCESS_LOGGER)
service_log = logging.getLogger(SERVICE_LOGGER)


class JsonFormatter(logging.Formatter):
    """One JSON object per line; structured fields come from ``extra={"fields": {...}}``.

    Any exception attached to a record is reduced to :func:`exception_summary`, so a third-party logger
    (uvicorn's "Exception in ASGI application", say) cannot write an exception message to the log.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info and record.exc_info[1] is not None:
            entry.update(exception_summary(record.exc_info[1]))
        return json.dumps(entry, default=str, ensure_ascii=False)

    def formatException(self, ei: Any) -> str:
        # format() above does not call this; it is message-free in case a handler calls it directly.
        return json.dumps(exception_summary(ei[1])) if ei and ei[1] is not None else ""


def log_request(fields: dict[str, Any]) -> None:
    """Write one access line."""
    access_log.info("request", extra={"fields": fields})


def uvicorn_log_config(level: str = "info") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for uvicorn that sends every logger through :class:`JsonFormatter`."""
    level = level.upper()
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"stdout": handler},
        "loggers": {
            "uvicorn": {"handlers": ["stdout"], "level": level, "propagate": False},
            # Our access log replaces uvicorn's, which would log raw paths and query strings.
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
            "assessqa": {"handlers": ["stdout"], "level": level, "propagate": False},
        },
        "root": {"handlers": ["stdout"], "level": "WARNING"},
    }
