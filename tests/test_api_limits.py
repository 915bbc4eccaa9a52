"""Limits: the per-key rate limit (429 with Retry-After) and the request body limit (413 before parsing)."""

import anyio
import pytest
from fastapi.testclient import TestClient

from assessqa.api.app import create_app
from assessqa.api.limits import RateLimiter
from assessqa.api.middleware import BodyLimitMiddleware
from assessqa.config import Settings

KEY = "tK7vQ2mX9pL4wR8nB3cF6hJ1sD5gZ0yA-Ue_Wi9Oq2M"
OTHER = "oP3xN8kV1bT6rY9qE2uI5wL7zC4mA0sD_Gh-Jf8Kl3R"
JSON_AUTH = {"Authorization": f"Bearer {KEY}", "content-type": "application/json"}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.mark.parametrize(
    "per_minute, burst, calls_at, refused",
    [
        # a burst of three goes through, the fourth at the same instant waits
        (60, 3, [0, 0, 0, 0], [3]),
        # one a second refills one token a second
        (60, 1, [0, 0.5, 1.0], [1]),
        # spaced calls never wait
        (60, 1, [0, 1, 2, 3], []),
        # 0 turns the limit off
        (0, 1, [0, 0, 0, 0, 0], []),
    ],
)
def test_token_bucket(per_minute, burst, calls_at, refused):
    clock = Clock()
    limiter = RateLimiter(per_minute, burst, clock=clock)
    waits = []
    for at in calls_at:
        clock.now = 1000.0 + at
        waits.append(limiter.check("k"))
    assert [n for n, w in enumerate(waits) if w is not None] == refused


def test_retry_after_is_the_time_to_the_next_token():
    clock = Clock()
    limiter = RateLimiter(per_minute=6, burst=1, clock=clock)  # one token every ten seconds
    assert limiter.check("k") is None
    assert limiter.check("k") == 10
    clock.now += 4
    assert limiter.check("k") == 6
    assert limiter.check("other") is None  # buckets are per key


def test_429_with_retry_after_per_key(scorer):
    settings = Settings(api_keys=f"{KEY},{OTHER}", rate_limit_per_minute=60, rate_limit_burst=2)
    with TestClient(create_app(settings, scorer=scorer)) as c:
        statuses = [c.get("/v1/model", headers={"Authorization": f"Bearer {KEY}"}).status_code for _ in range(2)]
        limited = c.get("/v1/model", headers={"Authorization": f"Bearer {KEY}"})
        other = c.get("/v1/model", headers={"Authorization": f"Bearer {OTHER}"})
        probes = [c.get("/healthz").status_code for _ in range(5)]
    assert statuses == [200, 200]
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert limited.headers["content-type"].startswith("application/problem+json")
    assert int(limited.headers["retry-after"]) >= 1
    assert other.status_code == 200  # another key has its own bucket
    assert probes == [200] * 5  # probes are not rate limited


@pytest.fixture(scope="module")
def small_body_client(scorer):
    with TestClient(create_app(Settings(api_keys=KEY, max_request_bytes=2_000), scorer=scorer)) as c:
        yield c


def test_body_over_the_limit_is_413_by_content_length(small_body_client):
    response = small_body_client.post("/v1/score", json={"text": "Amy said hi. " * 200}, headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"


def test_chunked_body_over_the_limit_is_413(small_body_client):
    def chunks():
        yield b'{"text": "'
        for _ in range(50):
            yield b"Amy said hi. " * 10
        yield b'"}'

    response = small_body_client.post("/v1/score", content=chunks(), headers=JSON_AUTH)
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"


def test_chunked_body_under_the_limit_is_scored(small_body_client):
    def chunks():
        yield b'{"text": "Section 1: Child\'s views\\n'
        yield b'Amy (6) said she likes school."}'

    response = small_body_client.post("/v1/score", content=chunks(), headers=JSON_AUTH)
    assert response.status_code == 200 and response.json()["doc_type"] in ("assessment", "plan")


def test_unauthenticated_large_body_is_refused_as_401_unread(small_body_client):
    # The key is checked before the body: a caller without one cannot make the service read anything.
    response = small_body_client.post("/v1/score", json={"text": "x" * 5_000})
    assert response.status_code == 401


def test_a_content_length_that_is_not_a_number_is_400():
    sent = []

    async def app(scope, receive, send):  # pragma: no cover - must not be reached
        raise AssertionError("the body limit let a bad Content-Length through")

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/score", "headers": [(b"content-length", b"12abc")], "state": {}}
    anyio.run(BodyLimitMiddleware(app, max_bytes=100), scope, receive, send)
    assert sent[0]["status"] == 400
    assert b"bad_request" in sent[1]["body"]
