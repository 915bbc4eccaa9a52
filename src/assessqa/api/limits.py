"""Per-key rate limiting and the time limit on scoring work.

Both live in one worker process: with ``--workers N`` a key may make up to N times the per-key rate, so a
deployment that needs a hard global limit sets it at the reverse proxy as well (see api/README.md).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import anyio
import anyio.to_thread

from assessqa.api.problems import scoring_timeout

T = TypeVar("T")


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """A token bucket per key: ``burst`` requests at once, refilled at ``per_minute`` a minute.

    Called only from the event loop thread, so the buckets need no lock.

    Example::

        limiter = RateLimiter(per_minute=60, burst=10)
        limiter.check("mosaic-prod")   # -> None while allowed, else seconds to wait
    """

    per_minute: float
    burst: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def check(self, key_id: str) -> int | None:
        """Take one token for ``key_id``; ``None`` when allowed, else whole seconds until a token is free."""
        if not self.enabled:
            return None
        now = self.clock()
        rate = self.per_minute / 60.0
        bucket = self._buckets.setdefault(key_id, _Bucket(float(self.burst), now))
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - bucket.tokens) / rate))


@dataclass
class AuthFailureLimiter:
    """Counts failed API key attempts per client address; past ``per_minute`` in the last minute, that address
    is refused (429) until its oldest failure is a minute old, without its keys being checked at all.

    A key is 256 random bits, so guessing is hopeless anyway; this keeps a misconfigured or hostile client
    from filling the log and the CPU with 401s. Behind a reverse proxy every client shares the proxy's
    address unless uvicorn is told to trust X-Forwarded-For (api/README.md). At most ``max_clients``
    addresses are remembered; the least recently failing is forgotten first.

    Example::

        limiter = AuthFailureLimiter(per_minute=10)
        limiter.failed("203.0.113.9"); limiter.blocked("203.0.113.9")   # -> None until the 10th failure
    """

    per_minute: int
    clock: Callable[[], float] = time.monotonic
    max_clients: int = 10_000
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def _recent(self, client: str, now: float) -> deque[float] | None:
        times = self._failures.get(client)
        if times is None:
            return None
        while times and now - times[0] >= 60.0:
            times.popleft()
        if not times:
            del self._failures[client]
            return None
        return times

    def blocked(self, client: str) -> int | None:
        """``None`` while ``client`` may try a key, else whole seconds until it may."""
        if not self.enabled:
            return None
        now = self.clock()
        times = self._recent(client, now)
        if times is None or len(times) < self.per_minute:
            return None
        return max(1, math.ceil(60.0 - (now - times[0])))

    def failed(self, client: str) -> None:
        if not self.enabled:
            return
        now = self.clock()
        times = self._recent(client, now)
        if times is None:
            if len(self._failures) >= self.max_clients:
                del self._failures[next(iter(self._failures))]
            times = self._failures[client] = deque()
        else:
            self._failures[client] = self._failures.pop(client)  # most recently failing last
        times.append(now)


class Cancelled(Exception):
    """Raised inside scoring work whose request has already timed out, to stop the remaining documents."""


class WorkLimits:
    """Runs CPU-bound scoring on a bounded thread pool with a per-request time limit.

    Scoring in threads keeps the event loop free to accept requests, answer /healthz and time out slow
    work. Python cannot kill a thread, so a timed-out request is answered at once and its work is told to
    stop at the next document (``cancelled`` is checked between batch items).
    """

    def __init__(self, threads: int, timeout_s: float) -> None:
        self.limiter = anyio.CapacityLimiter(threads)
        self.timeout_s = timeout_s

    async def run(self, work: Callable[[threading.Event], T]) -> T:
        """Run ``work(cancelled)`` in a scoring thread; 503 ``timeout`` when it exceeds the time limit."""
        cancelled = threading.Event()
        try:
            # The wait for a free thread counts too: a request queued behind slow work times out rather
            # than waiting without end.
            with anyio.fail_after(self.timeout_s):
                return await anyio.to_thread.run_sync(work, cancelled, abandon_on_cancel=True, limiter=self.limiter)
        except TimeoutError:
            cancelled.set()
            raise scoring_timeout(self.timeout_s) from None
