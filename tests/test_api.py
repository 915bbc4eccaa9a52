import pytest
from fastapi.testclient import TestClient

from assessqa.api.app import create_app
from assessqa.config import Settings
from assessqa.schemas import InputDocument, ScoreRecord
from conftest import EXAMPLES

TEXT = (EXAMPLES / "pre_birth_assessment.txt").read_text()


@pytest.fixture(scope="module")
def client(scorer):
    app = create_app(Settings(max_chars=20_000, max_batch=3), scorer=scorer)
    with TestClient(app) as c:
        yield c


def test_score_matches_the_scorer(client, scorer):
    response = client.post("/v1/score", json={"id": "a", "text": TEXT})
    assert response.status_code == 200
    record = ScoreRecord.model_validate(response.json())
    direct = scorer.score(InputDocument(id="a", text=TEXT))
    assert {d: r.grade for d, r in record.dimensions.items() if r} == {d: r.grade for d, r in direct.dimensions.items() if r}


def test_batch_reports_bad_items_and_scores_the_rest(client):
    response = client.post("/v1/score/batch", json={"documents": [{"text": TEXT}, {"text": "   "}]})
    assert response.status_code == 200
    first, second = response.json()["results"]
    assert "dimensions" in first and second["error"]["code"] == "E001"


@pytest.mark.parametrize(
    "path, body, status, code",
    [
        # missing text
        ("/v1/score", {"id": "x"}, 422, "validation_error"),
        # unknown doc_type
        ("/v1/score", {"text": "Amy said hi.", "doc_type": "letter"}, 422, "validation_error"),
        # whitespace-only text
        ("/v1/score", {"text": "   "}, 422, "E001"),
        # over the size limit
        ("/v1/score", {"text": "x" * 20_001}, 413, "E002"),
        # too many documents in a batch
        ("/v1/score/batch", {"documents": [{"text": "a"}] * 4}, 413, "batch_too_large"),
    ],
)
def test_errors_are_problem_details_without_text(client, path, body, status, code):
    response = client.post(path, json=body)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == code and problem["status"] == status
    assert "Amy said hi" not in response.text and "xxxxxxxx" not in response.text


def test_model_info_and_health(client):
    info = client.get("/v1/model").json()
    assert info["model_version"] and info["training_data"]["hash"].startswith("sha256:")
    assert "dimensions" in info["metrics"]
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["status"] == "ready"


def test_openapi_has_examples(client):
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/v1/score"]["post"]["requestBody"]["content"]["application/json"]
    assert "example" in body or "examples" in body
