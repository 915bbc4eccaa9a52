"""Edges that only a real ``assessqa serve`` on 127.0.0.1 shows: slow headers, oversized headers, Host."""

import json
import socket
import time

import httpx
import pytest

from conftest import running_service

KEY = "tK7vQ2mX9pL4wR8nB3cF6hJ1sD5gZ0yA-Ue_Wi9Oq2M"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    log_path = tmp_path_factory.mktemp("edges") / "server.log"
    env = {"ASSESSQA_API_KEYS": KEY, "ASSESSQA_HEADER_TIMEOUT_S": "1", "ASSESSQA_KEEP_ALIVE_S": "2"}
    with running_service(log_path, env) as (base, _):
        yield int(base.rsplit(":", 1)[1])


def _read_all(sock: socket.socket, limit_s: float) -> bytes:
    sock.settimeout(limit_s)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        pass
    return data


def _problem(raw: bytes) -> tuple[int, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def test_half_sent_headers_are_dropped(server):
    slow = []
    for _ in range(20):
        sock = socket.create_connection(("127.0.0.1", server))
        sock.sendall(b"POST /v1/score HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        slow.append(sock)
    answers = [_read_all(sock, 5) for sock in slow]  # each returns once the server closes it
    for sock in slow:
        sock.close()
    for answer in answers:
        status, problem = _problem(answer)
        assert status == 408 and problem["code"] == "request_timeout"
    # the service is still answering
    assert httpx.get(f"http://127.0.0.1:{server}/healthz").status_code == 200


def test_an_idle_connection_is_closed(server):
    sock = socket.create_connection(("127.0.0.1", server))
    started = time.monotonic()
    assert _read_all(sock, 10) == b""  # closed without a word, within the header deadline
    assert time.monotonic() - started < 5
    sock.close()


def test_oversized_headers_get_a_problem(server):
    response = httpx.get(f"http://127.0.0.1:{server}/v1/model", headers={"Authorization": "Bearer " + "a" * 200_000})
    assert response.status_code == 431
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "headers_too_large"


def test_slash_paths_do_not_redirect_to_the_clients_host(server):
    response = httpx.post(
        f"http://127.0.0.1:{server}/v1/score/", json={"text": "Plan\n1. Mum to attend."},
        headers={"Authorization": f"Bearer {KEY}", "Host": "evil.example"}, follow_redirects=False,
    )
    assert response.status_code == 404 and "location" not in response.headers
