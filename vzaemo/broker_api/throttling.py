"""Rate limits of the broker API (docs/reference/auctions.md §1.3: 429, back off): fixed windows on Django's cache.

Each API key (the SHA-256 of the bearer secret presented; the client address without one) gets
`VZAEMO_BROKER_API_WRITES_PER_SECOND` writes (any method but GET/HEAD/OPTIONS) and
`VZAEMO_BROKER_API_READS_PER_SECOND` reads per window of `VZAEMO_BROKER_API_RATE_WINDOW_SECONDS`; a limit of
0 switches it off. Over the limit the answer is 429 with `Retry-After` (the seconds to the next window) and
the error `rate_limit`; the request did nothing. Writes are counted after authentication, so a request
without a valid key is 401 and costs nothing.

The windows are wall-clock seconds (`clock.wall_seconds()`), not platform time: platform time runs faster in a
sandbox, and a rate is about the load on this server. The counting is core's (`core.rate_limits.hit`) on the
shared cache, so the limit holds across every process; an anonymous client is counted by `core.client_ip`.
"""

from __future__ import annotations

import hashlib
import threading

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from vzaemo.core import rate_limits
from vzaemo.core.client_ip import client_ip

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_WRITES_PER_SECOND = 50
DEFAULT_READS_PER_SECOND = 100
DEFAULT_WINDOW_SECONDS = 1


def limits() -> tuple[int, int, int]:
    """(writes, reads, window seconds) from the settings, with the defaults."""
    return (
        int(getattr(settings, "VZAEMO_BROKER_API_WRITES_PER_SECOND", DEFAULT_WRITES_PER_SECOND)),
        int(getattr(settings, "VZAEMO_BROKER_API_READS_PER_SECOND", DEFAULT_READS_PER_SECOND)),
        max(1, int(getattr(settings, "VZAEMO_BROKER_API_RATE_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS))),
    )


class FixedWindowThrottle(BaseThrottle):
    """One counter per (key, reads or writes, window); `wait()` is per thread (granian runs threads)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _ident(self, request: HttpRequest) -> str:
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and secret.strip():
            return "key:" + hashlib.sha256(secret.strip().encode()).hexdigest()[:32]
        # Not ninja's get_ident: that one believes any X-Forwarded-For, so a client could pick its own counter.
        return f"addr:{client_ip(request)}"

    def allow_request(self, request: HttpRequest) -> bool:
        writes, reads, window = limits()
        write = request.method not in SAFE_METHODS
        limit = writes if write else reads
        self._local.wait = None
        if limit <= 0:
            return True
        key = f"broker-api:rate:{'w' if write else 'r'}:{self._ident(request)}"
        self._local.wait = rate_limits.hit(cache, key, amount=limit, seconds=window)
        return self._local.wait is None

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
