"""The HTTP/1.1 connection handler: uvicorn's h11 protocol with a deadline for request headers and problem
responses for requests too broken to reach the app.

uvicorn drops an idle keep-alive connection after ``timeout_keep_alive``, but a client that has sent part of
a request's headers is never timed out: thousands of half-sent requests stay open (a "slowloris"). Here every
request's headers must be complete within ``header_timeout_s`` of the connection opening or of the previous
response; otherwise the connection gets a 408 problem and is closed. Requests that h11 cannot parse, or whose
headers exceed its 16 KiB limit, get a 400 or 431 problem rather than uvicorn's plain text.
"""

from __future__ import annotations

import asyncio
import json

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from assessqa.api.problems import PROBLEM_JSON, PROBLEMS, problem_body

DEFAULT_MAX_HEADER_BYTES = 16 * 1024  # h11's own default limit on an incomplete request head


class GuardedH11Protocol(H11Protocol):
    """:class:`H11Protocol` plus the header deadline, read from the Config that :func:`configure` prepared."""

    def __init__(self, config: Config, server_state: ServerState, app_state: dict, _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.header_timeout_s: float = getattr(config, HEADER_TIMEOUT_ATTR, 10.0)
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm_header_deadline()  # the request line and headers are in

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_deadline()  # the next request on this connection gets its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._header_deadline = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self.conn.trailing_data[0]:  # part of a request arrived; a silent connection is just closed
            self._send_problem("request_timeout", f"the request headers did not arrive within {self.header_timeout_s:g} seconds")
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        # uvicorn calls this for any request h11 rejects; its text is replaced by a problem naming the cause.
        pending = len(self.conn.trailing_data[0])
        if pending >= self._max_header_bytes():
            self._send_problem("headers_too_large", f"the request headers are larger than {self._max_header_bytes():,} bytes")
        else:
            self._send_problem("bad_request", "the request could not be read as HTTP/1.1")
        self.transport.close()

    def _max_header_bytes(self) -> int:
        return self.config.h11_max_incomplete_event_size or DEFAULT_MAX_HEADER_BYTES

    def _send_problem(self, code: str, detail: str) -> None:
        body = json.dumps(problem_body(code, detail, None)).encode("utf-8")
        status, title = PROBLEMS[code]
        head = (
            f"HTTP/1.1 {status} {title}\r\ncontent-type: {PROBLEM_JSON}\r\ncontent-length: {len(body)}\r\n"
            "connection: close\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\n\r\n"
        )
        # Written raw: h11 will not send a response for a request it has not read (or failed to read).
        self.transport.write(head.encode("ascii") + body)


HEADER_TIMEOUT_ATTR = "assessqa_header_timeout_s"


def configure(config: Config, header_timeout_s: float) -> Config:
    """Make ``config`` serve with :class:`GuardedH11Protocol` and this header deadline.

    The deadline rides on the Config object itself, which uvicorn hands (pickled) to each worker process.
    """
    config.http = GuardedH11Protocol
    setattr(config, HEADER_TIMEOUT_ATTR, header_timeout_s)
    return config
