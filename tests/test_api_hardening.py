"""HTTP edges found by the security review: redirects, headers, docs, failed-key throttling, weak keys,
HEAD probes and batches where one document is bad."""

import re

import pytest
from fastapi.testclient import TestClient

from assessqa import errors
from assessqa.api.app import create_app
from assessqa.api.auth import KeyStore, estimated_bits
from assessqa.config import Settings

KEY = "tK7vQ2mX9pL4wR8nB3cF6hJ1sD5gZ0yA-Ue_Wi9Oq2M"
AUTH = {"Authorization": f"Bearer {KEY}"}
PLAN = "Plan\n1. Mum to attend the GP by 01/05/2025 so that Amy's asthma is treated."


@pytest.fixture()
def client(scorer):
    with TestClient(create_app(Settings(api_keys=KEY, auth_failures_per_minute=5), scorer=scorer), follow_redirects=False) as c:
        yield c


def test_no_redirect_is_built_from_the_clients_host(client):
    response = client.post("/v1/score/", json={"text": PLAN}, headers={**AUTH, "Host": "evil.example"})
    assert response.status_code == 404 and "location" not in response.headers
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "method, path, kwargs, status",
    [
        ("post", "/v1/score", {"json": {"text": PLAN}, "headers": AUTH}, 200),  # a record
        ("post", "/v1/score", {"json": {"text": PLAN}}, 401),  # a problem before routing
        ("get", "/nowhere", {"headers": AUTH}, 404),
        ("get", "/healthz", {}, 200),
    ],
)
def test_every_response_carries_the_security_headers(client, method, path, kwargs, status):
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


def test_docs_load_nothing_from_outside(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text), "the docs page must not reference another host"
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "http" not in csp
    for asset in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        loaded = client.get("/" + asset)
        assert loaded.status_code == 200 and len(loaded.content) > 0, asset
    assert b"SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").content
    assert client.get("/redoc").status_code == 401  # the CDN-backed ReDoc page is gone


def test_docs_can_be_turned_off(scorer):
    with TestClient(create_app(Settings(api_keys=KEY, docs=False), scorer=scorer)) as c:
        assert c.get("/docs", headers=AUTH).status_code == 404


def test_failed_keys_are_throttled_per_address(client, scorer):
    wrong = {"Authorization": "Bearer " + "x" * 43}
    assert [client.get("/v1/model", headers=wrong).status_code for _ in range(5)] == [401] * 5
    throttled = client.get("/v1/model", headers=wrong)
    assert throttled.status_code == 429 and throttled.json()["code"] == "auth_throttled"
    assert 1 <= int(throttled.headers["retry-after"]) <= 60
    # while throttled, even a right key from that address waits: no more guesses are checked
    assert client.get("/v1/model", headers=AUTH).status_code == 429
    # another address is not affected
    other = TestClient(client.app, client=("203.0.113.7", 40000))
    assert other.get("/v1/model", headers=AUTH).status_code == 200


@pytest.mark.parametrize("key", ["aaaaaaaaaaaaaaaa", "1234567890123456", "abababababababababababababab"])
def test_guessable_keys_are_refused_at_start(key):
    with pytest.raises(errors.AuthConfigError) as info:
        KeyStore.from_settings(Settings(api_keys=key))
    assert info.value.code is errors.ErrorCode.API_KEY_WEAK and "python3 -m assessqa.api.auth" in info.value.message
    assert key not in info.value.message


def test_keys_made_by_the_tool_are_accepted():
    from assessqa.api.auth import new_key

    key, _ = new_key()
    assert estimated_bits(key) >= 128
    assert KeyStore.from_settings(Settings(api_keys=key)).identify(key) is not None


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_head(client, path):
    response = client.head(path)
    assert response.status_code == 200 and response.content == b""


def test_a_bad_document_fails_alone_in_a_batch(client):
    documents = [
        {"id": "good", "text": PLAN, "doc_type": "plan"},
        {"id": "empty", "text": ""},
        {"id": "blank", "text": "   \n"},
        {"id": "odd-type", "text": PLAN, "doc_type": "letter"},
        {"id": "no-text"},
        {"id": "good-2", "text": PLAN},
    ]
    response = client.post("/v1/score/batch", json={"documents": documents}, headers=AUTH)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [d["id"] for d in documents]
    assert [r.get("error", {}).get("code") for r in results] == [None, "E001", "E001", "E006", "E005", None]
    assert results[0]["dimensions"]["smart_actions"]["grade"] in (1, 2, 3, 4)
