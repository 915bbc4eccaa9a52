"""`assessqa serve`: the checks that refuse a bad start, and a real server on 127.0.0.1 (JSON logs without
document text, graceful shutdown that finishes the request in flight)."""

import json
import os
import shutil
import signal
import socket
import threading
import time

import httpx
import pytest
from typer.testing import CliRunner

from assessqa.cli import app
from assessqa.config import DEFAULT_MODEL_DIR
from conftest import EXAMPLES, running_service

KEY = "tK7vQ2mX9pL4wR8nB3cF6hJ1sD5gZ0yA-Ue_Wi9Oq2M"
AUTH = {"Authorization": f"Bearer {KEY}"}
MARKER = "Zqx7Marker-Wibblethorpe-93317"
ENV_NAMES = ("ASSESSQA_API_KEYS", "ASSESSQA_API_KEY_FILE", "ASSESSQA_INSECURE_NO_AUTH", "ASSESSQA_MODEL_DIR", "ASSESSQA_WORKERS")
runner = CliRunner()


@pytest.fixture()
def started(monkeypatch):
    """Clean ASSESSQA_ variables (restored after, whatever serve sets) and a one-worker server that only records."""
    for name in ENV_NAMES:
        monkeypatch.setenv(name, "")  # recorded, so the value serve sets is undone afterwards
        monkeypatch.delenv(name)
    calls = []
    monkeypatch.setattr("assessqa.api.server.serve_one", lambda target, options, header_timeout_s: calls.append((target, options)))
    return calls


def _damaged_model(tmp_path, how):
    folder = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "model")
    if how == "missing":
        shutil.rmtree(folder)
    elif how == "corrupt":
        (folder / "dimensions" / "contingency.skops").write_bytes(b"not a skops file")
    else:
        meta = json.loads((folder / "meta.json").read_text())
        meta["format_version"] = 99
        (folder / "meta.json").write_text(json.dumps(meta))
    return folder


@pytest.mark.parametrize(
    "args, env, code",
    [
        # no key anywhere
        ([], {}, "A001"),
        # a stray variable does not turn auth off: only the flag does
        ([], {"ASSESSQA_INSECURE_NO_AUTH": "true"}, "A001"),
        # no auth on an address other machines can reach
        (["--host", "0.0.0.0", "--insecure-no-auth"], {}, "A005"),
        # a key too short to be a secret
        ([], {"ASSESSQA_API_KEYS": "password"}, "A002"),
        # a setting out of range is named, and nothing starts
        ([], {"ASSESSQA_API_KEYS": KEY, "ASSESSQA_RATE_LIMIT_PER_MINUTE": "-5"}, "ASSESSQA_RATE_LIMIT_PER_MINUTE"),
    ],
)
def test_serve_refuses_to_start_without_safe_keys(started, monkeypatch, args, env, code):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["serve", *args])
    assert result.exit_code == 2 and (f"[{code}]" in result.output or f"{code}:" in result.output)
    assert started == []


@pytest.mark.parametrize("how, code", [("missing", "E101"), ("corrupt", "E102"), ("incompatible", "E103")])
def test_serve_refuses_to_start_on_a_bad_model(started, monkeypatch, tmp_path, how, code):
    monkeypatch.setenv("ASSESSQA_API_KEYS", KEY)
    result = runner.invoke(app, ["serve", "--model", str(_damaged_model(tmp_path, how))])
    assert result.exit_code == 2 and f"[{code}]" in result.output
    assert started == []


def test_serve_runs_one_worker_with_the_checked_model_json_logs_and_a_grace_period(started, monkeypatch):
    monkeypatch.setenv("ASSESSQA_API_KEYS", KEY)
    monkeypatch.setenv("ASSESSQA_SHUTDOWN_TIMEOUT_S", "12")
    result = runner.invoke(app, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    ((target, options),) = started
    assert target.state.scorer is not None  # the model loaded for the check is the one served
    assert options["host"] == "127.0.0.1" and options["port"] == 8123
    assert options["timeout_graceful_shutdown"] == 12 and options["access_log"] is False
    assert options["log_config"]["formatters"]["json"]["()"].endswith("JsonFormatter")


def test_serve_with_workers_lets_each_worker_load_the_model(started, monkeypatch):
    supervised = []

    class Supervisor:
        def __init__(self, config, sockets):
            supervised.append((config, sockets))

        def run(self):
            pass

    monkeypatch.setattr("assessqa.api.server.Multiprocess", Supervisor)
    monkeypatch.setenv("ASSESSQA_API_KEYS", KEY)
    result = runner.invoke(app, ["serve", "--workers", "3", "--port", "0"])
    assert result.exit_code == 0, result.output
    ((config, (listener,)),) = supervised
    listener.close()
    assert config.app == "assessqa.api.app:create_app" and config.factory is True and config.workers == 3
    assert listener.proto == socket.IPPROTO_TCP
    assert os.environ["ASSESSQA_WORKERS"] == "3"  # how the worker processes learn the settings


def test_worker_listener_gives_connections_tcp_nodelay():
    # Without TCP_NODELAY each keep-alive response waits ~40 ms for a delayed ACK (uvicorn issue #3149).
    import asyncio

    import uvicorn

    from assessqa.api.server import tcp_listener

    async def accepted_nodelay() -> int:
        listener = tcp_listener(uvicorn.Config("x:y", host="127.0.0.1", port=0))
        seen = asyncio.get_running_loop().create_future()

        def on_connect(reader, writer):
            seen.set_result(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connect, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        value = await asyncio.wait_for(seen, 5)
        writer.close()
        server.close()
        await server.wait_closed()
        return value

    assert asyncio.run(accepted_nodelay()) == 1


def test_insecure_mode_on_loopback_starts(started):
    result = runner.invoke(app, ["serve", "--insecure-no-auth"])
    assert result.exit_code == 0, result.output
    assert len(started) == 1 and os.environ["ASSESSQA_INSECURE_NO_AUTH"] == "true"


# ------------------------------------------------------------------ a real server on 127.0.0.1


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    env = {"ASSESSQA_API_KEYS": KEY, "ASSESSQA_MAX_CHARS": "20000", "ASSESSQA_SHUTDOWN_TIMEOUT_S": "20"}
    with running_service(log_path, env) as (base, process):
        yield base, process, log_path


def test_real_server_logs_json_without_text_and_finishes_in_flight_work_on_sigterm(server):
    base, process, log_path = server
    doc = f"{(EXAMPLES / 'pre_birth_assessment.txt').read_text()}\nAmy said {MARKER}.\n"
    with httpx.Client(base_url=base, timeout=30) as client:
        assert client.post("/v1/score", json={"text": doc}, headers=AUTH).status_code == 200
        assert client.post("/v1/score", json={"text": doc * 20}, headers=AUTH).status_code == 413
        assert client.post("/v1/score", json={"text": doc, "doc_type": MARKER}, headers=AUTH).status_code == 422
        bad_json = client.post("/v1/score", content=f'{{"text": "{MARKER}'.encode(), headers={**AUTH, "content-type": "application/json"})
        assert bad_json.status_code == 422
        assert client.post("/v1/score", json={"text": doc}).status_code == 401

    # Long enough that the scrape below sees it in flight even on a fast, idle machine (16 finished between scrapes).
    batch = {"documents": [{"text": doc * 3}] * 64}
    answer = {}

    def send_batch():
        answer["response"] = httpx.post(f"{base}/v1/score/batch", json=batch, headers=AUTH, timeout=60)

    sender = threading.Thread(target=send_batch)
    sender.start()
    deadline = time.monotonic() + 10
    while "assessqa_http_requests_in_flight 2.0" not in httpx.get(f"{base}/metrics").text:  # the batch and this scrape
        assert time.monotonic() < deadline, "the batch never started"
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    sender.join(60)
    # uvicorn re-raises the signal once it has shut down cleanly, so the exit status is "terminated by SIGTERM".
    assert process.wait(60) in (0, -signal.SIGTERM)

    response = answer["response"]
    assert response.status_code == 200 and len(response.json()["results"]) == len(batch["documents"])
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line the server wrote is JSON
    assert MARKER not in log_path.read_text() and "Amy said" not in log_path.read_text()
    access = [e for e in entries if e["logger"] == "assessqa.access"]
    assert {e["status"] for e in access} >= {200, 401, 413, 422}
    assert all(e["model_version"] and e["request_id"] for e in access)
    messages = [e["message"] for e in entries]
    assert messages.index("shutting down") > max(n for n, e in enumerate(entries) if e.get("route") == "/v1/score/batch")
