"""Operations: the JSON access log, request ids, Prometheus metrics, and refusing to start on a bad model."""

import json
import logging
import shutil

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from assessqa import errors
from assessqa.api.accesslog import ACCESS_LOGGER, JsonFormatter
from assessqa.api.app import create_app
from assessqa.config import DEFAULT_MODEL_DIR, Settings

KEY = "tK7vQ2mX9pL4wR8nB3cF6hJ1sD5gZ0yA-Ue_Wi9Oq2M"
AUTH = {"Authorization": f"Bearer {KEY}"}
PLAN = "Child Protection Plan\n1. Mum to attend the GP by 01/05/2025.\n2. SW to visit Ava (4) weekly until 30/06/2025."


@pytest.fixture()
def access_lines(caplog):
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    return lambda: [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == ACCESS_LOGGER]


def test_access_log_line_has_the_fields_and_names_the_key_not_the_key(scorer, tmp_path, access_lines):
    (tmp_path / "keys").write_text(f"{KEY} mosaic-prod\n")
    with TestClient(create_app(Settings(api_key_file=tmp_path / "keys"), scorer=scorer)) as c:
        response = c.post("/v1/score", json={"text": PLAN, "doc_type": "plan"}, headers=AUTH)
    assert response.status_code == 200
    (line,) = [e for e in access_lines() if e["route"] == "/v1/score"]
    assert line["request_id"] == response.headers["x-request-id"]
    assert line["key_id"] == "mosaic-prod" and KEY not in json.dumps(line)
    assert line["method"] == "POST" and line["status"] == 200
    assert isinstance(line["latency_ms"], float) and line["latency_ms"] > 0
    assert line["model_version"] == scorer.model_version
    assert line["documents"] == 1 and line["doc_chars"] == len(PLAN)
    assert line["logger"] == ACCESS_LOGGER and line["level"] == "info" and line["ts"].endswith("Z")


def test_batch_logs_document_count_and_total_length(scorer, access_lines):
    with TestClient(create_app(Settings(api_keys=KEY), scorer=scorer)) as c:
        c.post("/v1/score/batch", json={"documents": [{"text": PLAN}, {"text": "Amy said hi."}]}, headers=AUTH)
    (line,) = [e for e in access_lines() if e["route"] == "/v1/score/batch"]
    assert line["documents"] == 2 and line["doc_chars"] == len(PLAN) + len("Amy said hi.")


def test_refused_request_logs_its_problem_code(scorer, access_lines):
    with TestClient(create_app(Settings(api_keys=KEY), scorer=scorer)) as c:
        c.post("/v1/score", json={"text": PLAN}, headers={"Authorization": "Bearer wrong-key-0123456789abcdef"})
    (line,) = [e for e in access_lines() if e["route"] == "/v1/score"]
    assert line["status"] == 401 and line["problem"] == "invalid_api_key" and line["key_id"] is None


@pytest.mark.parametrize(
    "given, kept",
    [
        # a proxy's id (nginx $request_id): kept, so proxy and service logs join up
        ("0f8e2d4c6b8a40e2a1c3e5f7a9b1d3e5", True),
        # a UUID
        ("6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f", True),
        # free text could carry anything into the log: replaced
        ("Amy said hi", False),
        # too short to be an id
        ("abc", False),
    ],
)
def test_request_id_from_the_proxy_only_if_it_looks_like_one(scorer, given, kept):
    with TestClient(create_app(Settings(api_keys=KEY), scorer=scorer)) as c:
        returned = c.get("/healthz", headers={"X-Request-ID": given}).headers["x-request-id"]
    assert (returned == given) is kept and len(returned) >= 8


def _samples(text):
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for f in text_string_to_metric_families(text) for s in f.samples}


def test_metrics_count_requests_latency_documents_and_model(scorer):
    with TestClient(create_app(Settings(api_keys=KEY), scorer=scorer)) as c:
        c.post("/v1/score", json={"text": PLAN, "doc_type": "plan"}, headers=AUTH)
        c.post("/v1/score/batch", json={"documents": [{"text": PLAN, "doc_type": "plan"}, {"text": " "}]}, headers=AUTH)
        c.post("/v1/score", json={"text": PLAN})
        c.get("/v1/admin", headers=AUTH)
        response = c.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    ok = (("method", "POST"), ("route", "/v1/score"), ("status", "200"))
    assert samples[("assessqa_http_requests_total", ok)] == 1
    assert samples[("assessqa_http_requests_total", (("method", "POST"), ("route", "/v1/score"), ("status", "401")))] == 1
    assert samples[("assessqa_http_requests_total", (("method", "GET"), ("route", "unmatched"), ("status", "404")))] == 1
    assert samples[("assessqa_http_request_duration_seconds_count", ok)] == 1
    assert samples[("assessqa_http_request_duration_seconds_sum", ok)] > 0
    assert samples[("assessqa_documents_scored_total", (("doc_type", "plan"),))] == 2
    assert samples[("assessqa_documents_refused_total", (("code", "E001"),))] == 1
    assert samples[("assessqa_model_info", (("model_version", scorer.model_version),))] == 1
    assert not any("admin" in str(labels) for _, labels in samples)  # unknown paths never become labels


def _copy_model(tmp_path):
    return shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "model")


def _corrupt(folder):
    (folder / "dimensions" / "risk_analysis.skops").write_bytes(b"not a skops file")


def _incompatible(folder):
    meta = json.loads((folder / "meta.json").read_text())
    meta["format_version"] = 99
    (folder / "meta.json").write_text(json.dumps(meta))


@pytest.mark.parametrize(
    "damage, code",
    [
        # no model folder at all
        (lambda folder: shutil.rmtree(folder), errors.ErrorCode.MODEL_MISSING),
        # a part that does not match its hash
        (_corrupt, errors.ErrorCode.MODEL_CORRUPT),
        # saved by a format this version cannot read
        (_incompatible, errors.ErrorCode.MODEL_INCOMPATIBLE),
    ],
)
def test_app_refuses_to_start_on_a_bad_model(tmp_path, caplog, damage, code):
    folder = _copy_model(tmp_path)
    damage(folder)
    app = create_app(Settings(api_keys=KEY, model_dir=folder))
    with pytest.raises(errors.ModelError) as info:
        with TestClient(app):
            pass
    assert info.value.code is code
    logged = [r for r in caplog.records if r.name == "assessqa.service" and r.levelno == logging.ERROR]
    assert logged and logged[0].fields["code"] == code.value
