"""Fan-out: "auction N changed (seq S)" from the bid's transaction to every open stream of every process.

Writers are sync and run in any process (the bid endpoint under WSGI): they call :func:`notify` inside the
bid's transaction. Readers are the Server-Sent Event streams of the ASGI process: each subscribes to that
process's :class:`Hub` (one per event loop, :func:`get_hub`) and is woken when its auction changes.

* PostgreSQL: ``notify`` runs ``pg_notify('vzaemo_live', '<auction_id>:<seq>')`` on the bid's own connection, so
  the notification is delivered at commit and never for a rolled-back transaction. Each hub has ONE listener:
  a dedicated psycopg connection with ``LISTEN vzaemo_live`` in autocommit, which reconnects with backoff when it
  drops. Changes that a dead listener may have missed are delivered as a refresh (seq unknown) once it listens
  again.
* SQLite (and any other database): there is no cross-process signal, so each hub runs ONE poller that every
  ``LIVE_SQLITE_POLL_SECONDS`` asks ``changes_since(auction_ids)`` (``LIVE_LATEST_SEQS``, by default
  ``vzaemo.live.selectors.latest_seqs``) for the latest seq of every auction that has subscribers. Within one
  process ``notify`` also wakes the hubs at commit (``transaction.on_commit``), without waiting for the poll.

The listener (or poller) starts with the first subscriber and stops as soon as the last one leaves: nothing runs
in a process that has no open stream, and Django's missing ASGI lifespan support does not matter (granian runs
``--interface asginl``). Restarting costs one connection; a stream that waits for :meth:`Hub.ready` before it
subscribes misses nothing, and a topic created while nobody listened gets one refresh once the listener listens.

Each subscriber has a mailbox of one: a burst of notifications coalesces into "something changed, latest seq"
(:attr:`Subscription.seq`), so a slow client never makes memory grow. Subscribers of one auction share its
derived data through :meth:`Subscription.shared`, computed once per change per process (the stream state: with
10,000 streams and one bid, the state is computed once, not 10,000 times).

The hub also keeps time for the streams without a timer per stream: one ticker wakes each heartbeat subscriber
that has been quiet for nearly ``beat_seconds`` (looking at a sixteenth of them per tick), and one timer per auction wakes its subscribers at its next time-driven
change (:meth:`Subscription.refresh_after`: a turn ends, no bid needed).

Seqs are assumed to grow per auction in commit order (the bid service assigns them under the auction's row lock);
a seq not above the latest one known is a duplicate and is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import threading
import weakref
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, ParamSpec, TypeVar

import psycopg
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections, transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

CHANNEL = "vzaemo_live"
DEFAULT_POLL_SECONDS = 0.25
DEFAULT_LATEST_SEQS = "vzaemo.live.selectors.latest_seqs"
DEFAULT_STATE_THREADS = 4
DEFAULT_HEARTBEAT_SECONDS = 4.0
_BEAT_BUCKETS = 16
# The listener proves its connection alive when no notification arrived for this long.
_PING_SECONDS = 30.0
_BACKOFF_FIRST_SECONDS = 0.5
_BACKOFF_MAX_SECONDS = 10.0

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
ChangesSince = Callable[[list[int]], dict[int, int]]


# ---------------------------------------------------------------- writers (sync, any process)
def notify(auction_id: int, seq: int, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Announce that ``auction_id`` changed to ``seq``; call it inside the transaction that made the change.

    Every stream of every process learns it after the commit; nothing is announced if the transaction rolls back.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, f"{int(auction_id)}:{int(seq)}"])
    else:
        # Other processes learn it from their poller; this one's hubs need not wait for the next poll.
        transaction.on_commit(partial(_wake_local_hubs, int(auction_id), int(seq)), using=using, robust=True)


def _wake_local_hubs(auction_id: int, seq: int) -> None:
    with _hubs_lock:
        hubs = list(_hubs.values())
    for hub in hubs:
        hub.publish_threadsafe(auction_id, seq)


# ---------------------------------------------------------------- sync work off the event loop
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _state_executor() -> ThreadPoolExecutor:
    """The few threads (``LIVE_STATE_THREADS``) that run the streams' database reads: also a cap on connections."""
    global _executor  # noqa: PLW0603 - one pool per process, made on first use, dropped by shutdown_threads()
    with _executor_lock:
        if _executor is None:
            workers = int(getattr(settings, "LIVE_STATE_THREADS", DEFAULT_STATE_THREADS))
            _executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="vzaemo-live")
        return _executor


def _with_connections(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    # The request cycle of these threads: drop connections that broke or outlived CONN_MAX_AGE.
    close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        close_old_connections()


def shutdown_threads() -> None:
    """Stop the live engine's threads (they are started again on demand); their connections go with them."""
    global _executor
    with _executor_lock:
        executor, _executor = _executor, None
    if executor is not None:
        executor.shutdown(wait=True)


async def run_sync(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run sync (database) code in the live engine's small thread pool."""
    call = sync_to_async(_with_connections, thread_sensitive=False, executor=_state_executor())
    return await call(function, *args, **kwargs)


# ---------------------------------------------------------------- readers (async, the SSE process)
@dataclass(eq=False)
class _Mailbox:
    """One subscriber's queue of capacity one: a later change overwrites an unread one (coalescing)."""

    changed: bool = False
    beat: bool = False
    waiter: asyncio.Future[None] | None = None
    bucket: int | None = None  # its slot in the hub's heartbeat wheel, if it asked for heartbeats
    quiet_since: float = 0.0  # loop time of the subscriber's last message (Subscription.mark_sent)

    def deliver(self) -> None:
        self.changed = True
        self._wake()

    def tick(self) -> None:
        self.beat = True
        self._wake()

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)


@dataclass(eq=False)
class _Shared:
    version: int
    task: asyncio.Task[Any]
    # Set when the task is done. Waiting on it, unlike on the task (or a shield of it: two futures and two
    # callbacks per waiter), costs one future per waiter, and cancelling a waiter never reaches the task.
    done: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(eq=False)
class _Topic:
    auction_id: int
    mailboxes: set[_Mailbox] = field(default_factory=set)
    seq: int | None = None  # the latest seq known in this process
    version: int = 0  # bumped on every change delivered; keys the shared data
    shared: dict[Hashable, _Shared] = field(default_factory=dict)
    refresh: asyncio.TimerHandle | None = None  # one timer per auction for its next time-driven change


class Subscription:
    """One stream's subscription to one auction; close it (or leave ``async with``) when the stream ends.

    ``async for seq in subscription`` yields after every change (coalesced; with ``heartbeat=True`` also after
    every beat) the latest seq known, ``None`` while none is. A refresh (the listener reconnected and may have
    missed something, or a time-driven change) wakes it like a change and leaves the seq as it was.
    It is also released when garbage-collected, so a stream whose body never started cannot leak it.
    """

    def __init__(self, hub: Hub, topic: _Topic, mailbox: _Mailbox) -> None:
        self._hub = hub
        self._topic = topic
        self._mailbox = mailbox
        self._release = weakref.finalize(self, hub._discard_threadsafe, topic.auction_id, mailbox)
        self._release.atexit = False

    @property
    def auction_id(self) -> int:
        return self._topic.auction_id

    @property
    def seq(self) -> int | None:
        """The latest seq this process knows for the auction (``None`` until one is known)."""
        return self._topic.seq

    @property
    def closed(self) -> bool:
        return not self._release.alive

    def close(self) -> None:
        """Unsubscribe; idempotent and safe from any thread."""
        self._release()

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> int | None:
        if self.closed:
            raise StopAsyncIteration
        await self.wait()
        return self.seq

    async def wait(self, timeout: float | None = None) -> bool:
        """Wait for a change; ``True`` if there was one, ``False`` after a heartbeat (``subscribe(heartbeat=True)``)
        or when ``timeout`` seconds passed without a change."""
        mailbox = self._mailbox
        if not mailbox.changed and not mailbox.beat and timeout != 0:
            loop = asyncio.get_running_loop()
            mailbox.waiter = waiter = loop.create_future()
            timer = loop.call_later(timeout, _resolve, waiter) if timeout is not None else None
            try:
                await waiter
            finally:
                mailbox.waiter = None
                if timer is not None:
                    timer.cancel()
        changed, mailbox.changed, mailbox.beat = mailbox.changed, False, False
        return changed

    def mark_sent(self) -> None:
        """The subscriber just sent its client something: its next heartbeat is a whole ``beat_seconds`` away."""
        self._mailbox.quiet_since = self._hub.loop.time()

    def refresh_after(self, seconds: float) -> None:
        """Wake every subscriber of the auction as after a change, ``seconds`` from now (a time-driven change:
        a turn ends). One timer per auction: the earliest request wins."""
        self._hub._refresh_after(self._topic, seconds)

    def observe(self, seq: int) -> None:
        """Record that data read from the database already shows ``seq``: a notification of it is no news."""
        topic = self._topic
        if topic.seq is None or seq > topic.seq:
            topic.seq = seq

    async def shared(
        self, key: Hashable, compute: Callable[[], Awaitable[T]], *, fresh: Callable[[T], bool] | None = None
    ) -> T:
        """``compute()`` once per change of this auction per process, shared by every subscriber asking for ``key``.

        A result is reused until the auction changes again or ``fresh(result)`` turns false. A failed computation
        is not kept. Cancelling one waiter (a client leaving) does not cancel the computation for the others.
        """
        topic = self._topic
        entry = topic.shared.get(key)
        if entry is None or entry.version != topic.version or _stale(entry.task, fresh):
            task = asyncio.get_running_loop().create_task(_awaited(compute))
            entry = _Shared(topic.version, task)
            topic.shared[key] = entry
            task.add_done_callback(partial(_computed, topic.shared, key, entry))
        if not entry.task.done():
            await entry.done.wait()
        result: T = entry.task.result()
        return result


async def _awaited(compute: Callable[[], Awaitable[T]]) -> T:
    return await compute()


def _stale(task: asyncio.Task[Any], fresh: Callable[[Any], bool] | None) -> bool:
    if fresh is None or not task.done() or task.cancelled() or task.exception() is not None:
        return False
    return not fresh(task.result())


def _computed(shared: dict[Hashable, _Shared], key: Hashable, entry: _Shared, task: asyncio.Task[Any]) -> None:
    entry.done.set()
    # retrieving the exception also silences asyncio
    if (task.cancelled() or task.exception() is not None) and shared.get(key) is entry:
        del shared[key]


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Hub:
    """The subscribers of one process (one event loop) and the single listener or poller that feeds them.

    ``listen``: PostgreSQL LISTEN/NOTIFY (default when the database is PostgreSQL) or polling ``changes_since``.
    """

    def __init__(
        self,
        *,
        listen: bool | None = None,
        changes_since: ChangesSince | None = None,
        poll_seconds: float | None = None,
        beat_seconds: float | None = None,
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        self.loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._using = using
        self.listen = connections[using].vendor == "postgresql" if listen is None else listen
        self._changes_since = changes_since
        self._poll_seconds = (
            float(getattr(settings, "LIVE_SQLITE_POLL_SECONDS", DEFAULT_POLL_SECONDS))
            if poll_seconds is None
            else poll_seconds
        )
        # Heartbeat subscribers are woken before they have been quiet for beat_seconds (by default the SSE
        # heartbeat). One timer for the whole process: each tick looks at one bucket, so every subscriber is
        # looked at four times per beat_seconds and woken only when due; no timer per stream, no burst.
        self._beat_seconds = (
            float(getattr(settings, "LIVE_SSE_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT_SECONDS))
            if beat_seconds is None
            else beat_seconds
        )
        self._buckets: list[set[_Mailbox]] = [set() for _ in range(_BEAT_BUCKETS)]
        self._next_bucket = 0
        self._topics: dict[int, _Topic] = {}
        self._worker: asyncio.Task[None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        self._unsynced: set[int] = set()  # topics that may have missed a notification while nobody listened
        self._waiting = 0  # callers of ready() still waiting

    # --- subscribers ------------------------------------------------------------------------
    def subscribe(self, auction_id: int, *, heartbeat: bool = False) -> Subscription:
        """Subscribe at once (changes from now on are seen); starts the listener or poller if needed.

        ``heartbeat``: :meth:`Subscription.wait` also returns (``False``) before the subscriber has been quiet
        (:meth:`Subscription.mark_sent`) for ``beat_seconds``.
        """
        topic = self._topics.get(auction_id)
        if topic is None:
            topic = self._topics[auction_id] = _Topic(auction_id)
            if self.listen and not self._listening.is_set():
                self._unsynced.add(auction_id)
        mailbox = _Mailbox(quiet_since=self.loop.time())
        topic.mailboxes.add(mailbox)
        if heartbeat:
            mailbox.bucket = self._next_bucket
            self._buckets[mailbox.bucket].add(mailbox)
            self._next_bucket = (self._next_bucket + 1) % _BEAT_BUCKETS
        self._start()
        return Subscription(self, topic, mailbox)

    async def ready(self, timeout: float | None = None) -> bool:
        """Start the listener if needed and wait until it listens (polling hubs are always ready).

        A subscriber that joins once the hub is ready sees every later commit, and no refresh is needed for it.
        """
        if not self.listen or self._listening.is_set():
            return True
        self._start()
        self._waiting += 1
        cancelled = True
        try:
            await asyncio.wait_for(self._listening.wait(), timeout)
            cancelled = False
        except TimeoutError:
            cancelled = False
            return False
        finally:
            self._waiting -= 1
            if cancelled:  # the client left while waiting: it will not subscribe
                self._stop_if_idle()
        return True

    def subscriber_count(self, auction_id: int | None = None) -> int:
        if auction_id is not None:
            topic = self._topics.get(auction_id)
            return len(topic.mailboxes) if topic is not None else 0
        return sum(len(topic.mailboxes) for topic in self._topics.values())

    @property
    def running(self) -> bool:
        """Whether the listener or poller runs (it does exactly while there are subscribers)."""
        return self._worker is not None and not self._worker.done()

    # --- changes ------------------------------------------------------------------------------
    def publish(self, auction_id: int, seq: int | None) -> None:
        """Wake the auction's subscribers (call on the hub's loop); ``seq=None``: changed, seq unknown."""
        topic = self._topics.get(auction_id)
        if topic is None:
            return
        if seq is not None:
            if topic.seq is not None and seq <= topic.seq:
                return
            topic.seq = seq
        topic.version += 1
        for mailbox in topic.mailboxes:
            mailbox.deliver()

    def publish_threadsafe(self, auction_id: int, seq: int | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody listens any more
            self.loop.call_soon_threadsafe(self.publish, auction_id, seq)

    # --- lifecycle ------------------------------------------------------------------------------
    async def aclose(self) -> None:
        tasks = [task for task in (self._worker, self._ticker) if task is not None]
        self._worker = self._ticker = None
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _start(self) -> None:
        if self._worker is None or self._worker.done():
            self._worker = self.loop.create_task(self._listen() if self.listen else self._poll())
        if self._ticker is None or self._ticker.done():
            self._ticker = self.loop.create_task(self._beat())

    def _discard(self, auction_id: int, mailbox: _Mailbox) -> None:
        topic = self._topics.get(auction_id)
        if topic is None:
            return
        topic.mailboxes.discard(mailbox)
        if mailbox.bucket is not None:
            self._buckets[mailbox.bucket].discard(mailbox)
        if mailbox.waiter is not None:
            _resolve(mailbox.waiter)  # a pending wait() returns; the iterator then stops
        if not topic.mailboxes:
            del self._topics[auction_id]
            self._unsynced.discard(auction_id)
            if topic.refresh is not None:
                topic.refresh.cancel()
        self._stop_if_idle()

    def _stop_if_idle(self) -> None:
        if self._topics or self._waiting:
            return
        for task in (self._worker, self._ticker):
            if task is not None:
                task.cancel()  # stop at once; the next subscriber starts new ones
        self._worker = self._ticker = None

    # --- time: heartbeats and time-driven changes ------------------------------------------------
    async def _beat(self) -> None:
        cycle = self._beat_seconds / 4  # how often each subscriber is looked at
        due = self._beat_seconds - cycle  # quiet this long: the next look would be too late
        bucket = 0
        while True:
            await asyncio.sleep(cycle / _BEAT_BUCKETS)
            now = self.loop.time()
            for mailbox in self._buckets[bucket]:
                if now - mailbox.quiet_since >= due:
                    mailbox.quiet_since = now
                    mailbox.tick()
            bucket = (bucket + 1) % _BEAT_BUCKETS

    def _refresh_after(self, topic: _Topic, seconds: float) -> None:
        if self._topics.get(topic.auction_id) is not topic:
            return  # every subscriber left meanwhile
        when = self.loop.time() + max(0.0, seconds)
        if topic.refresh is not None:
            if topic.refresh.when() <= when and not topic.refresh.cancelled():
                return
            topic.refresh.cancel()
        topic.refresh = self.loop.call_at(when, self._refresh, topic)

    def _refresh(self, topic: _Topic) -> None:
        topic.refresh = None
        self.publish(topic.auction_id, None)

    def _discard_threadsafe(self, auction_id: int, mailbox: _Mailbox) -> None:
        if threading.get_ident() == self._thread:
            self._discard(auction_id, mailbox)
            return
        with contextlib.suppress(RuntimeError):  # the loop is closed: its topics died with it
            self.loop.call_soon_threadsafe(self._discard, auction_id, mailbox)

    # --- PostgreSQL: one LISTEN connection ------------------------------------------------------
    def _listener_params(self) -> dict[str, Any]:
        params = dict(connections[self._using].get_connection_params())
        for django_only in ("cursor_factory", "context", "prepare_threshold"):  # sync-connection specifics
            params.pop(django_only, None)
        params.setdefault("application_name", "vzaemo-live-listener")
        # Notice a silently dead peer (no FIN, e.g. a failover) within about a minute.
        params.setdefault("keepalives", 1)
        params.setdefault("keepalives_idle", 30)
        params.setdefault("keepalives_interval", 10)
        params.setdefault("keepalives_count", 3)
        return params

    async def _listen(self) -> None:
        backoff = _BACKOFF_FIRST_SECONDS
        while True:
            try:
                connection = await psycopg.AsyncConnection.connect(**self._listener_params(), autocommit=True)
                async with connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    backoff = _BACKOFF_FIRST_SECONDS
                    self._listening.set()
                    missed, self._unsynced = self._unsynced, set()
                    for auction_id in missed:
                        self.publish(auction_id, None)
                    while True:
                        async for notification in connection.notifies(timeout=_PING_SECONDS):
                            self._on_notification(notification.payload)
                        await connection.execute("SELECT 1")
            except (psycopg.Error, OSError) as error:
                logger.warning("live listener: %s; reconnecting in %.1fs", error, backoff)
            except Exception:  # a bug must not silence every stream of the process: log it and carry on
                logger.exception("live listener failed; reconnecting in %.1fs", backoff)
            finally:
                if self._listening.is_set():
                    self._listening.clear()
                self._unsynced.update(self._topics)
            await asyncio.sleep(backoff * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not a secret
            backoff = min(backoff * 2, _BACKOFF_MAX_SECONDS)

    def _on_notification(self, payload: str) -> None:
        auction, _, seq = payload.partition(":")
        try:
            self.publish(int(auction), int(seq) if seq else None)
        except ValueError:
            logger.warning("live listener: ignored a malformed payload %r", payload)

    # --- SQLite and others: one poller ------------------------------------------------------------
    async def _poll(self) -> None:
        changes_since = self._changes_since or import_string(getattr(settings, "LIVE_LATEST_SEQS", DEFAULT_LATEST_SEQS))
        failing = False
        while True:
            auction_ids = list(self._topics)
            if auction_ids:
                try:
                    latest = await run_sync(changes_since, auction_ids)
                except Exception:
                    if not failing:  # once per failure streak, not four times a second
                        logger.exception("live poller: reading the latest changes failed")
                    failing = True
                else:
                    failing = False
                    for auction_id, seq in latest.items():
                        self.publish(auction_id, seq)
            await asyncio.sleep(self._poll_seconds)


# ---------------------------------------------------------------- one hub per event loop
_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()
_hubs_lock = threading.Lock()


def get_hub() -> Hub:
    """This process's hub (one per running event loop: granian runs one loop per worker), created lazily."""
    loop = asyncio.get_running_loop()
    with _hubs_lock:
        hub = _hubs.get(loop)
        if hub is None:
            hub = _hubs[loop] = Hub()
        return hub


def set_hub(hub: Hub) -> None:
    """Use ``hub`` for its event loop (tests inject one with a fake ``changes_since``)."""
    with _hubs_lock:
        _hubs[hub.loop] = hub
