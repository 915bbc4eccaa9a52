"""The scoring routes and every status the API answers, through TestClient, as problem details."""

import threading
import time

import pytest
from fastapi.testclient import TestClient

from assessqa.api.app import create_app
from assessqa.config import Settings
from assessqa.schemas import InputDocument, ScoreRecord
from conftest import EXAMPLES

TEXT = (EXAMPLES / "pre_birth_assessment.txt").read_text()
KEY = "tK7vQ2mX9pL4wR8nB3cF6hJ1sD5gZ0yA-Ue_Wi9Oq2M"
AUTH = {"Authorization": f"Bearer {KEY}"}


class SlowScorer:
    """The shipped scorer, but each scoring call (one document, or one chunk of a batch) takes ``delay`` seconds
    longer; counts the calls it starts."""

    def __init__(self, scorer, delay, fail_with=None):
        self.scorer, self.delay, self.fail_with = scorer, delay, fail_with
        self.model, self.model_version = scorer.model, scorer.model_version
        self.started = 0

    def analyse(self, *args):
        return self.scorer.analyse(*args)

    def score(self, document, where="document"):
        self.started += 1
        time.sleep(self.delay)
        if self.fail_with is not None:
            raise self.fail_with
        return self.scorer.score(document, where)

    def score_batch(self, documents, where=None):
        self.started += 1
        time.sleep(self.delay)
        if self.fail_with is not None:
            raise self.fail_with
        return self.scorer.score_batch(documents, where)


@pytest.fixture(scope="module")
def client(scorer):
    app = create_app(Settings(api_keys=KEY, max_chars=20_000, max_batch=3, max_request_bytes=100_000), scorer=scorer)
    with TestClient(app) as c:
        yield c


def test_score_matches_the_scorer(client, scorer):
    response = client.post("/v1/score", json={"id": "a", "text": TEXT}, headers=AUTH)
    assert response.status_code == 200
    record = ScoreRecord.model_validate(response.json())
    direct = scorer.score(InputDocument(id="a", text=TEXT))
    assert {d: r.grade for d, r in record.dimensions.items() if r} == {d: r.grade for d, r in direct.dimensions.items() if r}
    assert record.model_version == scorer.model_version


def test_batch_reports_bad_items_and_scores_the_rest(client):
    response = client.post("/v1/score/batch", json={"documents": [{"text": TEXT}, {"text": "   "}]}, headers=AUTH)
    assert response.status_code == 200
    first, second = response.json()["results"]
    assert "dimensions" in first and second["error"]["code"] == "E001" and second["index"] == 1


@pytest.mark.parametrize(
    "method, path, kwargs, status, code",
    [
        # no Authorization header
        ("post", "/v1/score", {"json": {"text": "Amy said hi."}}, 401, "missing_api_key"),
        # a key this service does not know
        ("post", "/v1/score", {"json": {"text": "Amy said hi."}, "headers": {"Authorization": "Bearer not-a-key-0123456789"}},
         401, "invalid_api_key"),
        # a path that does not exist (with a key)
        ("get", "/v1/nothing-here", {"headers": AUTH}, 404, "not_found"),
        # a method the path does not serve
        ("delete", "/v1/score", {"headers": AUTH}, 405, "method_not_allowed"),
        # missing text
        ("post", "/v1/score", {"json": {"id": "x"}, "headers": AUTH}, 422, "validation_error"),
        # unknown doc_type
        ("post", "/v1/score", {"json": {"text": "Amy said hi.", "doc_type": "letter"}, "headers": AUTH}, 422, "validation_error"),
        # a field the API does not have
        ("post", "/v1/score", {"json": {"text": "Amy said hi.", "colour": "zebra-stripes"}, "headers": AUTH}, 422, "validation_error"),
        # not JSON at all
        ("post", "/v1/score", {"content": b"Amy said hi.", "headers": {**AUTH, "content-type": "application/json"}}, 422, "validation_error"),
        # whitespace-only text
        ("post", "/v1/score", {"json": {"text": "   "}, "headers": AUTH}, 422, "E001"),
        # over the text size limit
        ("post", "/v1/score", {"json": {"text": "x" * 20_001}, "headers": AUTH}, 413, "E002"),
        # too many documents in a batch
        ("post", "/v1/score/batch", {"json": {"documents": [{"text": "a"}] * 4}, "headers": AUTH}, 413, "batch_too_large"),
        # a body over the byte limit, refused before it is parsed
        ("post", "/v1/score/batch", {"json": {"documents": [{"text": "x" * 60_000}] * 2}, "headers": AUTH}, 413, "body_too_large"),
    ],
)
def test_errors_are_problem_details_without_text(client, method, path, kwargs, status, code):
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == code and problem["status"] == status
    assert problem["type"].endswith("/" + code) and problem["title"] and problem["detail"]
    assert problem["request_id"] == response.headers["x-request-id"]
    assert "Amy said hi" not in response.text and "xxxxxxxx" not in response.text and "zebra" not in response.text


def test_401_challenges_for_a_bearer_key(client):
    response = client.get("/v1/model")
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")


def test_405_names_the_allowed_method(client):
    assert client.get("/v1/score", headers=AUTH).headers["allow"] == "POST"


def test_model_info_and_health(client):
    info = client.get("/v1/model", headers=AUTH).json()
    assert info["model_version"] and info["training_data"]["hash"].startswith("sha256:")
    assert "dimensions" in info["metrics"]
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["status"] == "ready"


def test_readyz_is_503_until_the_model_is_loaded(scorer):
    # Without entering the client the lifespan never runs: the state of a process still loading its model.
    app = create_app(Settings(api_keys=KEY), scorer=scorer)
    response = TestClient(app).get("/readyz")
    assert response.status_code == 503 and response.json()["code"] == "not_ready"
    assert TestClient(app).get("/healthz").status_code == 200


def test_unexpected_failure_is_a_500_without_trace_or_message(scorer):
    failing = SlowScorer(scorer, 0, fail_with=RuntimeError("secret internals /srv/models"))
    with TestClient(create_app(Settings(api_keys=KEY), scorer=failing)) as c:
        response = c.post("/v1/score", json={"text": "Amy said hi."}, headers=AUTH)
    assert response.status_code == 500 and response.json()["code"] == "internal_error"
    assert "secret internals" not in response.text and "Traceback" not in response.text and "RuntimeError" not in response.text


def test_slow_scoring_times_out_with_503_and_retry_after(scorer):
    slow = SlowScorer(scorer, delay=2.0)
    with TestClient(create_app(Settings(api_keys=KEY, request_timeout_s=0.3), scorer=slow)) as c:
        start = time.perf_counter()
        response = c.post("/v1/score", json={"text": "Amy said hi."}, headers=AUTH)
        took = time.perf_counter() - start
    assert response.status_code == 503 and response.json()["code"] == "timeout"
    assert response.headers["retry-after"] == "5"
    assert took < 1.5  # answered at the limit, not when the work finished


def test_timed_out_batch_stops_scoring_its_remaining_documents(scorer):
    slow = SlowScorer(scorer, delay=0.4)
    with TestClient(create_app(Settings(api_keys=KEY, request_timeout_s=0.2), scorer=slow)) as c:
        # 40 documents are three chunks of scoring; the request times out during the first.
        response = c.post("/v1/score/batch", json={"documents": [{"text": "Amy said hi."}] * 40}, headers=AUTH)
        time.sleep(1.0)  # long enough for two more chunks, had the work gone on
    assert response.status_code == 503
    # At most the chunk in progress at the deadline (none, when checking 40 documents on a busy machine takes longer
    # than the limit); without the stop all three would have started.
    assert slow.started <= 1


def test_scoring_runs_off_the_event_loop(scorer):
    slow = SlowScorer(scorer, delay=1.5)
    with TestClient(create_app(Settings(api_keys=KEY), scorer=slow)) as c:
        worker = threading.Thread(target=c.post, args=("/v1/score",), kwargs={"json": {"text": "Amy said hi."}, "headers": AUTH})
        worker.start()
        time.sleep(0.3)
        start = time.perf_counter()
        assert c.get("/healthz").status_code == 200
        waited = time.perf_counter() - start
        worker.join()
    assert slow.started == 1 and waited < 0.5  # /healthz did not wait for the scoring


def test_concurrent_requests_share_one_model_and_agree_with_it(scorer, monkeypatch):
    loads = []

    def load_once(directory, settings):
        loads.append(directory)
        return scorer

    monkeypatch.setattr("assessqa.api.app.Scorer.from_directory", load_once)
    texts = [TEXT, TEXT[: len(TEXT) // 2], (EXAMPLES / "pre_birth_assessment.txt").read_text().upper()] * 3
    expected = [scorer.score(InputDocument(text=t)).model_dump() for t in texts]
    results: list = [None] * len(texts)
    with TestClient(create_app(Settings(api_keys=KEY, score_threads=4))) as c:

        def call(n):
            results[n] = c.post("/v1/score", json={"text": texts[n]}, headers=AUTH).json()

        threads = [threading.Thread(target=call, args=(n,)) for n in range(len(texts))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(loads) == 1
    assert [ScoreRecord.model_validate(r).model_dump() for r in results] == expected


def test_openapi_has_examples_security_and_problem_responses(client):
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/v1/score"]["post"]
    body = operation["requestBody"]["content"]["application/json"]
    assert "example" in body or "examples" in body
    assert "example" in operation["responses"]["200"]["content"]["application/json"]
    scheme = spec["components"]["securitySchemes"]["apiKey"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert operation["security"] == [{"apiKey": []}]
    for status in ("401", "413", "422", "429", "503"):
        problem = operation["responses"][status]["content"]["application/problem+json"]
        assert problem["schema"]["properties"]["code"] and problem["examples"]
    assert "security" not in spec["paths"]["/healthz"]["get"]


def test_openapi_response_example_is_what_the_shipped_model_returns(scorer):
    # A hand-typed example drifted (it showed 0.2.0's output); now it is generated, and this says when to regenerate.
    import json

    from assessqa.api.schemas import SCORE_EXAMPLE, SCORE_RESPONSE_EXAMPLE
    from assessqa.schemas import InputDocument

    record = scorer.score(InputDocument(**SCORE_EXAMPLE), "request")
    assert json.loads(record.model_dump_json()) == SCORE_RESPONSE_EXAMPLE, "run: python3 api/make_openapi_example.py"
