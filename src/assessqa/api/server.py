"""Starting the service: checks that refuse a bad start, then uvicorn with JSON logs and graceful shutdown.

``assessqa serve`` is a thin wrapper over :func:`serve`.
"""

from __future__ import annotations

import ipaddress
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

from assessqa import errors
from assessqa.api.accesslog import uvicorn_log_config
from assessqa.api.app import create_app
from assessqa.api.auth import KeyStore
from assessqa.api.protocol import configure
from assessqa.config import Settings
from assessqa.scoring import Scorer


def is_loopback(host: str) -> bool:
    """Whether ``host`` is only reachable from this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def prepare(settings: Settings, host: str) -> Scorer:
    """Check keys and load the model before listening, so a bad start fails at once with a clear message.

    Returns:
        The loaded scorer (a single-worker server serves this very one).

    Raises:
        AuthConfigError: no key is configured, a key is malformed, or auth is off on a non-loopback address.
        ModelError: the model folder is missing, corrupt or from an incompatible version.
    """
    if settings.insecure_no_auth and not is_loopback(host):
        raise errors.no_auth_not_loopback(host)
    KeyStore.from_settings(settings)
    return Scorer.from_directory(settings.model_dir, settings)


def tcp_listener(config: uvicorn.Config) -> socket.socket:
    """The listening socket for worker processes, marked as TCP so that connections get TCP_NODELAY.

    uvicorn's ``bind_socket`` leaves the socket's protocol at 0, and asyncio sets TCP_NODELAY on accepted
    connections only when it reads IPPROTO_TCP there. Without it every keep-alive response waits for the
    client's delayed ACK, about 40 ms on Linux (uvicorn issue #3149); with one worker uvicorn binds through
    asyncio and is not affected.
    """
    sock = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
        sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    return sock


def serve_one(app: object, options: dict, header_timeout_s: float) -> None:
    """What ``uvicorn.run`` does for one worker, with the guarded HTTP protocol (:mod:`.protocol`)."""
    server = uvicorn.Server(configure(uvicorn.Config(app, **options), header_timeout_s))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    if not server.started:
        raise SystemExit(3)


def serve(settings: Settings, host: str, port: int) -> None:
    """Check, then serve until SIGINT/SIGTERM; in-flight requests get ``shutdown_timeout_s`` to finish.

    Raises:
        AuthConfigError, ModelError: from :func:`prepare`, before anything listens.
    """
    scorer: Scorer | None = prepare(settings, host)
    options = {
        "host": host,
        "port": port,
        "log_config": uvicorn_log_config(settings.log_level),
        "access_log": False,  # our JSON access log replaces uvicorn's
        "timeout_graceful_shutdown": settings.shutdown_timeout_s,
        "server_header": False,
        "timeout_keep_alive": settings.keep_alive_s,
    }
    if settings.workers == 1:
        serve_one(create_app(settings, scorer=scorer), options, settings.header_timeout_s)
    else:
        # Each worker process builds its own app and loads the model from the environment, which
        # `assessqa serve` has filled in from its options; the copy checked here is dropped first.
        scorer = None
        config = uvicorn.Config("assessqa.api.app:create_app", factory=True, workers=settings.workers, **options)
        configure(config, settings.header_timeout_s)
        # What uvicorn.run does for several workers, but with a listener that keeps TCP_NODELAY.
        Multiprocess(config, sockets=[tcp_listener(config)]).run()
