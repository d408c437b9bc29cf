"""The Server-Sent Event stream of one live auction, served by the ASGI process (docs/design.md, "Stack", live updates).

``GET /live/<auction_id>/events`` (observers) or ``...?bid=<bid_id>&sig=<signature>`` (a bidder's own view,
signed by ``vzaemo.live.links``). Messages::

    retry: 2000                      once, first: EventSource reconnects 2 s after a drop
    id: <seq>                        with every state whose seq is known (a reconnect sends Last-Event-ID;
    event: state                     the answer is simply the full state again)
    data: {"now": "<server time>", ...the state...}

    event: time                      so that no two messages are further apart than LIVE_SSE_HEARTBEAT_SECONDS
    data: {"now": "<server time>"}    (default 4; the hub wakes a stream when it is due)

    event: gone                      the auction is no longer live (the state function returned None)

A state is sent on connect and after every change (coalesced: a burst of bids gives one state). Clients compute
countdowns from ``now`` only, never from their own clock. When the state names its next time-driven change
(``"next_change"``, an ISO datetime: a turn or a round ends), the stream sends the new state at that moment
even without a bid.

The state comes from ``vzaemo.live.selectors.stream_state(auction_id, *, viewer_bid_id)`` (``LIVE_STREAM_STATE``),
run in the live engine's thread pool. It is computed once per change per process and the encoded bytes are
shared: all observers of an auction share one state, each bidder's view is shared by that bidder's tabs. With
``LIVE_STREAM_BASE`` and ``LIVE_STREAM_VIEW`` set instead, the database is read once per change for all viewers
and each bidder's view is derived from that read (:func:`read_snapshot`). If the state carries ``"seq"`` (the
seq of :func:`vzaemo.live.broadcast.notify`), that is the event id, otherwise the latest seq notified. It must
not ``reverse()`` URLs of other apps: the ASGI process's urlconf has only this stream.

The pages come from the WSGI origin (``VZAEMO_SITE_URL``), the stream from another port (``SSE_ORIGIN``) unless
nginx serves both, so the response allows that one origin (CORS). Under WSGI the view refuses to stream (421):
a WSGI thread per stream would starve the pages.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Hashable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.handlers.asgi import ASGIHandler, ASGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET

from vzaemo.core import clock
from vzaemo.live.broadcast import Subscription, get_hub, run_sync

logger = logging.getLogger(__name__)
ResponseT = TypeVar("ResponseT", bound=HttpResponseBase)

DEFAULT_STREAM_STATE = "vzaemo.live.selectors.stream_state"
DEFAULT_VERIFY_LINK = "vzaemo.live.links.verify"
RETRY_MILLISECONDS = 2000
NEXT_CHANGE_KEY = "next_change"
SEQ_KEY = "seq"
# A time-driven refresh waits this much past the announced moment, so the state is computed after it.
_PAST_CHANGE_SECONDS = 0.05
# A state that announces a change already due is refreshed no sooner than this (never a busy loop).
_MIN_REFRESH_SECONDS = 0.5
_PUBLIC = "public"
_BASE = "base"
_LISTENER_READY_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One computed state, encoded once and shared by the streams that show it."""

    body: bytes | None  # the state as a JSON object without "now"; None: no such live auction
    seq: int | None
    refresh_at: dt.datetime | None = None  # platform time of the next time-driven change

    def fresh(self) -> bool:
        return self.refresh_at is None or clock.now() < self.refresh_at

    def seconds_to_refresh(self) -> float | None:
        if self.refresh_at is None:
            return None
        return max(0.0, (self.refresh_at - clock.now()).total_seconds() / clock.acceleration() + _PAST_CHANGE_SECONDS)


def encode_state(state: dict[str, Any] | None, *, seq: int | None = None) -> Snapshot:
    """Encode a state once; ``seq`` is the event id when the state itself carries none."""
    if state is None:
        return Snapshot(body=None, seq=seq)
    if not isinstance(state, dict):
        raise TypeError(f"the stream state must be a dict, not {type(state).__name__}")
    if "now" in state:  # "now" is the send time, added to every message
        state = {key: value for key, value in state.items() if key != "now"}
    own_seq = state.get(SEQ_KEY)
    if isinstance(own_seq, int) and not isinstance(own_seq, bool):
        seq = own_seq
    body = json.dumps(state, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()
    return Snapshot(body=body, seq=seq, refresh_at=_refresh_at(state.get(NEXT_CHANGE_KEY)))


def _refresh_at(value: object) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        return None
    return max(value, clock.now() + dt.timedelta(seconds=_MIN_REFRESH_SECONDS * clock.acceleration()))


# ---------------------------------------------------------------- message framing
_now_cache: tuple[float, bytes] = (-1.0, b"")
_NOW_SHARED_SECONDS = 0.001


def _now() -> bytes:
    """Server time for a message; the streams woken by one change share one reading (within a millisecond)."""
    global _now_cache  # noqa: PLW0603 - a per-process cache of one reading, swapped whole
    tick = time.monotonic()
    if tick - _now_cache[0] > _NOW_SHARED_SECONDS:
        _now_cache = (tick, clock.now().isoformat(timespec="milliseconds").encode())
    return _now_cache[1]


def state_message(snapshot: Snapshot) -> bytes:
    if snapshot.body is None:
        raise ValueError("a snapshot of no auction has no state message")
    head = b"id: %d\n" % snapshot.seq if snapshot.seq is not None else b""
    rest = b"," + snapshot.body[1:] if len(snapshot.body) > len(b"{}") else b"}"
    return head + b'event: state\ndata: {"now":"' + _now() + b'"' + rest + b"\n\n"


def time_message() -> bytes:
    return b'event: time\ndata: {"now":"' + _now() + b'"}\n\n'


GONE_MESSAGE = b"event: gone\ndata: {}\n\n"


# ---------------------------------------------------------------- reading the state
def _imported(path: str) -> Callable[..., Any]:
    function: Callable[..., Any] = import_string(path)
    return function


def _function(setting: str, default: str) -> Callable[..., Any]:
    return _imported(getattr(settings, setting, None) or default)


def _optional_function(setting: str) -> Callable[..., Any] | None:
    path = getattr(settings, setting, None)
    return _imported(path) if path else None


@dataclass(eq=False, slots=True)
class _Base:
    """The viewer-independent part (``LIVE_STREAM_BASE``), read once per change and shared by every view of it."""

    value: Any
    expires_at: dt.datetime | None = None  # the earliest time-driven change any view of it announced

    def fresh(self) -> bool:
        return self.expires_at is None or clock.now() < self.expires_at


async def read_snapshot(subscription: Subscription, viewer_bid_id: int | None) -> Snapshot:
    """The state of the subscription's auction as ``viewer_bid_id`` (``None``: the public) sees it, encoded.

    With ``LIVE_STREAM_BASE`` and ``LIVE_STREAM_VIEW`` set, the database is read once per change
    (``base(auction_id)``) and each view is derived from it (``view(base, viewer_bid_id=...)``, no queries): a bid
    in an auction with 25 bidders online is then one read, not 26. Otherwise ``LIVE_STREAM_STATE`` is called per
    view.
    """
    auction_id, seq = subscription.auction_id, subscription.seq
    read_base = _optional_function("LIVE_STREAM_BASE")
    make_view = _optional_function("LIVE_STREAM_VIEW")
    if read_base is None or make_view is None:
        stream_state = _function("LIVE_STREAM_STATE", DEFAULT_STREAM_STATE)
        return encode_state(await run_sync(stream_state, auction_id, viewer_bid_id=viewer_bid_id), seq=seq)

    async def base() -> _Base:
        return _Base(await run_sync(read_base, auction_id))

    shared = await subscription.shared(_BASE, base, fresh=_Base.fresh)
    if shared.value is None:
        return Snapshot(body=None, seq=seq)
    # A view makes no queries (its contract): build it here. A thread hop per view and change (26 views of an
    # auction with 25 bidders online) costs more than the view and queues behind the database reads.
    snapshot = encode_state(make_view(shared.value, viewer_bid_id=viewer_bid_id), seq=seq)
    if snapshot.refresh_at is not None and (shared.expires_at is None or snapshot.refresh_at < shared.expires_at):
        shared.expires_at = snapshot.refresh_at
    return snapshot


async def _current(subscription: Subscription, key: Hashable, viewer_bid_id: int | None) -> Snapshot:
    """The latest snapshot for ``key``, shared by the streams of this process that show it."""
    snapshot = await subscription.shared(key, partial(read_snapshot, subscription, viewer_bid_id), fresh=Snapshot.fresh)
    if snapshot.seq is not None:
        subscription.observe(snapshot.seq)
    return snapshot


# ---------------------------------------------------------------- the view
def _site_origin() -> str | None:
    url = getattr(settings, "VZAEMO_SITE_URL", "")
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _plain(status: int, message: str) -> HttpResponse:
    response = HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
    return _allow_site(response)


def _allow_site(response: ResponseT) -> ResponseT:
    origin = _site_origin()
    if origin:
        response["Access-Control-Allow-Origin"] = origin
    return response


class _Forbidden(Exception):
    pass


_BID_ID_DIGITS_MAX = 18  # every 18-digit number fits the database's 64-bit key


async def _viewer_bid_id(request: HttpRequest, auction_id: int) -> int | None:
    """The bidder whose own view is asked for, after checking its signature; ``None`` for observers."""
    bid, signature = request.GET.get("bid"), request.GET.get("sig")
    if bid is None and signature is None:
        return None
    if not bid or not signature or not (bid.isascii() and bid.isdigit()) or len(bid) > _BID_ID_DIGITS_MAX:
        raise _Forbidden
    bid_id = int(bid)
    verify = _function("LIVE_VERIFY_LINK", DEFAULT_VERIFY_LINK)
    if not await run_sync(verify, auction_id, bid_id, signature):
        raise _Forbidden
    return bid_id


@require_GET
async def auction_events(request: HttpRequest, auction_id: int) -> HttpResponseBase:
    request.get_host()  # ALLOWED_HOSTS (DisallowedHost: 400); the ASGI process runs no middleware
    if not isinstance(request, ASGIRequest):
        sse_origin = getattr(settings, "SSE_ORIGIN", "") or "the ASGI process"
        return _plain(421, f"Live auction streams are served by the Server-Sent Events process ({sse_origin}).")
    try:
        viewer = await _viewer_bid_id(request, auction_id)
    except _Forbidden:
        return _plain(403, "This bidder link is not valid for this auction.")
    key = _PUBLIC if viewer is None else ("bid", viewer)
    hub = get_hub()
    # Subscribe once the process listens, and before reading the first state: no bid committed around the
    # connect is missed. (If the listener cannot connect in time, the hub sends a refresh once it does.)
    await hub.ready(timeout=_LISTENER_READY_SECONDS)
    subscription = hub.subscribe(auction_id, heartbeat=True)
    try:
        first = await _current(subscription, key, viewer)
    except BaseException:
        subscription.close()
        raise
    if first.body is None:
        subscription.close()
        return _plain(404, "No such live auction.")
    stream = EventStream(subscription, first, key=key, viewer_bid_id=viewer)
    response = StreamingHttpResponse(stream, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass every message on at once
    response["X-Content-Type-Options"] = "nosniff"
    return _allow_site(response)


# The error pages of the ASGI process: plain text, since the site's templates need the site's urlconf.
# Django calls them as handler(request, exception=...), so the names stay even where unused.
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:  # noqa: ARG001
    return _plain(400, "Bad request.")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:  # noqa: ARG001
    return _plain(403, "Forbidden.")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:  # noqa: ARG001
    return _plain(404, "Not found: this process serves only /live/<auction>/events.")


def server_error(request: HttpRequest) -> HttpResponse:  # noqa: ARG001
    return _plain(500, "Server error.")


class EventStream:
    """The response body: SSE messages from an async generator (a sync one never streams under ASGI).

    Django calls ``close()`` when the response ends, even if the body never started; the generator's
    ``finally`` covers a client that leaves mid-stream (it arrives as cancellation).
    """

    def __init__(
        self,
        subscription: Subscription,
        first: Snapshot,
        *,
        key: Hashable,
        viewer_bid_id: int | None,
    ) -> None:
        self._subscription = subscription
        self._first = first
        self._key = key
        self._viewer_bid_id = viewer_bid_id

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._messages()

    def close(self) -> None:
        self._subscription.close()

    async def _messages(self) -> AsyncIterator[bytes]:
        subscription = self._subscription
        shown = self._first
        try:
            yield b"retry: %d\n" % RETRY_MILLISECONDS + state_message(shown)
            subscription.mark_sent()
            self._schedule_refresh(shown)
            retry = False  # the last computation failed: try again at the next wake (within a heartbeat)
            while True:
                changed = await subscription.wait()  # a change, or a heartbeat is due
                if subscription.closed:
                    return
                if changed or retry:
                    try:
                        snapshot = await _current(subscription, self._key, self._viewer_bid_id)
                    except Exception:
                        logger.exception(
                            "live stream of auction %s: computing the state failed", subscription.auction_id
                        )
                        retry = True
                    else:
                        retry = False
                        if snapshot.body is None:
                            yield GONE_MESSAGE
                            return
                        if snapshot.body != shown.body or snapshot.seq != shown.seq:
                            yield state_message(snapshot)
                            subscription.mark_sent()
                        shown = snapshot
                        self._schedule_refresh(shown)
                if not changed:
                    yield time_message()
                    subscription.mark_sent()
        finally:
            subscription.close()

    def _schedule_refresh(self, snapshot: Snapshot) -> None:
        seconds = snapshot.seconds_to_refresh()
        if seconds is not None:
            self._subscription.refresh_after(seconds)


class StreamsHandler(ASGIHandler):
    """Django's ASGI handler for the process that holds the streams, without a thread per open request.

    Django runs each ASGI request in its own ``ThreadSensitiveContext``, whose thread lives as long as the
    request: for a stream, as long as the client stays (measured: 1,000 streams, 1,008 threads, ~75 KB and
    ~3.7 ms of CPU each). Here the request's thread-sensitive calls (the request signals, the middleware
    hooks, closing the response: microseconds each) share one thread instead; the streams' database reads run
    in the live engine's own few threads (:func:`vzaemo.live.broadcast.run_sync`).
    """

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        await self.handle(scope, receive, send)
