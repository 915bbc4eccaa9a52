"""Document text never reaches a log line, a metric or an error body, on any path through the service."""

import json
import logging
import sys
import time

import pytest
from fastapi.testclient import TestClient

from assessqa.api.accesslog import JsonFormatter
from assessqa.api.app import create_app
from assessqa.config import Settings

KEY = "tK7vQ2mX9pL4wR8nB3cF6hJ1sD5gZ0yA-Ue_Wi9Oq2M"
AUTH = {"Authorization": f"Bearer {KEY}"}
# Unique enough that finding it anywhere means document text leaked there.
MARKER = "Zqx7Marker-Wibblethorpe-93317"
DOC = f"Section 1: Child's views\nAmy (6) said {MARKER} and that she likes school.\nMum said she is worried."


class FlakyScorer:
    """The shipped scorer, failing (with the document text in the message) or stalling on request."""

    def __init__(self, scorer):
        self.scorer = scorer
        self.model, self.model_version = scorer.model, scorer.model_version
        self.mode = "ok"

    def analyse(self, *args):
        return self.scorer.analyse(*args)

    def score(self, document, where="document"):
        if self.mode == "fail":
            raise ValueError(f"could not parse {document.text!r}")
        if self.mode == "stall":
            time.sleep(0.6)
        return self.scorer.score(document, where)

    def score_batch(self, documents, where=None):
        return [self.score(d, w) for d, w in zip(documents, where or ["document"] * len(documents))]


# (what the case exercises, request) pairs; every one carries the marker somewhere a careless service echoes.
CASES = [
    ("scored", lambda c: c.post("/v1/score", json={"id": "case-1", "text": DOC, "metadata": {"note": MARKER}}, headers=AUTH)),
    ("batch, one empty", lambda c: c.post("/v1/score/batch", json={"documents": [{"text": DOC}, {"text": " "}]}, headers=AUTH)),
    ("too long (413)", lambda c: c.post("/v1/score", json={"text": DOC + "x" * 3_000}, headers=AUTH)),
    ("doc_type holds text (422)", lambda c: c.post("/v1/score", json={"text": DOC, "doc_type": MARKER}, headers=AUTH)),
    ("text as a field name (422)", lambda c: c.post("/v1/score", json={"text": DOC, MARKER: 1}, headers=AUTH)),
    ("text of the wrong type (422)", lambda c: c.post("/v1/score", json={"text": [DOC]}, headers=AUTH)),
    ("id over its length (422)", lambda c: c.post("/v1/score", json={"text": DOC, "id": MARKER * 20}, headers=AUTH)),
    ("malformed JSON (422)", lambda c: c.post("/v1/score", content=f'{{"text": "{DOC}'.encode(), headers={**AUTH, "content-type": "application/json"})),
    ("no key (401)", lambda c: c.post("/v1/score", json={"text": DOC})),
    ("marker as the key (401)", lambda c: c.post("/v1/score", json={"text": DOC}, headers={"Authorization": f"Bearer {MARKER}"})),
    ("marker in the path (401/404)", lambda c: c.get(f"/v1/{MARKER}", headers=AUTH)),
    ("marker in the query", lambda c: c.get(f"/healthz?q={MARKER}")),
    ("marker as a request id", lambda c: c.get("/healthz", headers={"X-Request-ID": MARKER})),
    ("body over the byte limit (413)", lambda c: c.post("/v1/score", json={"text": DOC * 600}, headers=AUTH)),
]


# The test's own HTTP client logs the URLs it calls; that is the caller's log, not the service's.
CLIENT_LOGGERS = ("httpx", "httpx2", "httpcore")


@pytest.fixture()
def logged(caplog, capfd):
    """Everything the service logged (every attribute of every record, and its JSON line) and printed."""
    caplog.set_level(logging.DEBUG)
    formatter = JsonFormatter()

    def everything():
        out, err = capfd.readouterr()
        records = [r for r in caplog.records if not r.name.startswith(CLIENT_LOGGERS)]
        return "\n".join([*(formatter.format(r) for r in records), *(repr(vars(r)) for r in records), out, err])

    return everything


def test_marker_never_reaches_logs_metrics_or_errors(scorer, logged):
    flaky = FlakyScorer(scorer)
    settings = Settings(api_keys=KEY, max_chars=2_000, max_request_bytes=50_000, request_timeout_s=0.3)
    seen_in_errors = []
    with TestClient(create_app(settings, scorer=flaky)) as c:
        for what, send in CASES:
            response = send(c)
            assert response.status_code < 500, what
            if response.status_code >= 400:
                assert response.headers["content-type"].startswith("application/problem+json"), what
                seen_in_errors.append((what, MARKER in response.text or MARKER in str(response.headers)))
        for mode, status in (("fail", 500), ("stall", 503)):
            flaky.mode = mode
            response = c.post("/v1/score", json={"text": DOC}, headers=AUTH)
            assert response.status_code == status
            seen_in_errors.append((mode, MARKER in response.text or MARKER in str(response.headers)))
        time.sleep(0.5)  # let the stalled work finish, so anything it would log is logged
        metrics = c.get("/metrics").text
    assert [what for what, leaked in seen_in_errors if leaked] == []
    assert MARKER not in metrics
    text = logged()
    assert "Amy (6)" not in text and MARKER[:12] not in text
    access = [json.loads(line) for line in text.splitlines() if line.startswith('{"ts"') and '"assessqa.access"' in line]
    assert len(access) == len(CASES) + 3  # every request was logged, the failures too
    assert {entry["status"] for entry in access} >= {200, 401, 413, 422, 500, 503}


def test_the_success_body_is_the_only_place_text_comes_back(scorer):
    # Evidence quotes the document by design; this pins down that the marker test above can see text.
    with TestClient(create_app(Settings(api_keys=KEY), scorer=scorer)) as c:
        response = c.post("/v1/score", json={"text": DOC, "metadata": {"note": MARKER}}, headers=AUTH)
    assert response.status_code == 200 and MARKER in response.text


def test_formatter_keeps_exception_messages_out():
    try:
        raise ValueError(f"bad input {MARKER}")
    except ValueError:
        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI application", None, sys.exc_info())
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert MARKER not in line
    assert entry["exception"] == "builtins.ValueError" and entry["frames"] and entry["level"] == "error"
