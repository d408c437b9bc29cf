"""The fan-out: notify() in a bid's transaction wakes every subscriber of that auction, in this process and others.

Async bodies run in ``asyncio.run`` (one event loop, hence one hub, per test). Nothing here sleeps for long:
waits are bounded and the poller runs every 10 ms.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from django.db import connection, transaction

from vzaemo.live import broadcast
from vzaemo.live.broadcast import Hub

POLL = 0.01


class FakeChanges:
    """A stand-in for selectors.latest_seqs: the latest seq of each auction, as the test sets it."""

    def __init__(self) -> None:
        self.seqs: dict[int, int] = {}
        self.calls: list[list[int]] = []

    def __call__(self, auction_ids: list[int]) -> dict[int, int]:
        self.calls.append(sorted(auction_ids))
        return {a: self.seqs[a] for a in auction_ids if a in self.seqs}


def run(body: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(body(), timeout=10))


# ---------------------------------------------------------------- the in-process hub (any database)
def test_the_poller_wakes_only_the_changed_auctions_subscribers_with_its_latest_seq() -> None:
    changes = FakeChanges()

    async def body() -> None:
        hub = Hub(listen=False, changes_since=changes, poll_seconds=POLL)
        first, other = hub.subscribe(1), hub.subscribe(2)
        changes.seqs[1] = 5
        assert await first.wait(timeout=1) is True
        assert first.seq == 5
        assert await other.wait(timeout=0) is False
        assert other.seq is None
        # The same seq polled again is no news.
        assert await first.wait(timeout=5 * POLL) is False
        assert [1, 2] in changes.calls  # one query for every auction with subscribers
        first.close()
        other.close()

    run(body)


def test_the_poller_runs_exactly_while_someone_listens() -> None:
    changes = FakeChanges()

    async def body() -> None:
        hub = Hub(listen=False, changes_since=changes, poll_seconds=POLL)
        assert not hub.running
        subscription = hub.subscribe(1)
        assert hub.running
        await asyncio.sleep(3 * POLL)
        subscription.close()
        assert not hub.running
        calls = len(changes.calls)
        await asyncio.sleep(3 * POLL)
        assert len(changes.calls) == calls
        assert hub.subscriber_count() == 0

    run(body)


def test_a_burst_of_changes_coalesces_into_one_wake_with_the_latest_seq() -> None:
    async def body() -> None:
        hub = Hub(listen=False, changes_since=FakeChanges(), poll_seconds=60)
        subscription = hub.subscribe(1)
        for seq in range(1, 101):
            hub.publish(1, seq)
        assert await subscription.wait(timeout=0) is True
        assert subscription.seq == 100
        assert await subscription.wait(timeout=0) is False
        # Duplicates and stale seqs (a notification seen twice, a poll behind the listener) are dropped.
        hub.publish(1, 100)
        hub.publish(1, 42)
        assert await subscription.wait(timeout=0) is False
        # A change whose seq is unknown (the listener reconnected) wakes, and the seq stays the last one known.
        hub.publish(1, None)
        assert await subscription.wait(timeout=0) is True
        assert subscription.seq == 100
        subscription.close()

    run(body)


def test_heartbeat_subscribers_are_woken_every_beat_by_one_process_wide_ticker() -> None:
    async def body() -> None:
        hub = Hub(listen=False, changes_since=FakeChanges(), poll_seconds=60, beat_seconds=0.05)
        beating = [hub.subscribe(1, heartbeat=True) for _ in range(40)]
        quiet = hub.subscribe(1)
        loop = asyncio.get_running_loop()
        start = loop.time()
        for subscription in beating:
            assert await subscription.wait(timeout=1) is False  # a beat, not a change
            assert await subscription.wait(timeout=1) is False
        # Without beats each of the 80 waits would run to its 1-s timeout (80 s); the bound is far from the
        # ≈0.1 s a quiet machine needs, so a loaded one does not fail it (no timing claims in tests).
        assert loop.time() - start < 20
        # One ticker for the process (and the hub's worker), not a timer per stream.
        hub_tasks = [t for t in asyncio.all_tasks() if getattr(t.get_coro(), "__qualname__", "").startswith("Hub.")]
        assert len(hub_tasks) <= 2
        assert await quiet.wait(timeout=0.1) is False  # timed out: no beats for it
        hub.publish(1, 1)
        assert all([await s.wait(timeout=1) for s in [*beating[:3], quiet]])  # a change still reads as one
        for subscription in [*beating, quiet]:
            subscription.close()
        assert not hub.running

    run(body)


def test_a_time_driven_refresh_wakes_every_subscriber_once_with_the_earliest_time() -> None:
    async def body() -> None:
        hub = Hub(listen=False, changes_since=FakeChanges(), poll_seconds=60, beat_seconds=60)
        subscriptions = [hub.subscribe(1) for _ in range(5)]
        hub.publish(1, 3)
        for subscription in subscriptions:
            assert await subscription.wait(timeout=0) is True
            subscription.refresh_after(5)  # every stream asks: one timer
        subscriptions[0].refresh_after(0.05)  # an earlier change wins
        for subscription in subscriptions:
            assert await subscription.wait(timeout=1) is True
            assert subscription.seq == 3
        assert await subscriptions[0].wait(timeout=0.1) is False  # the later request was replaced, not added
        subscriptions[0].refresh_after(0.01)
        for subscription in subscriptions:
            subscription.close()  # the last one leaving cancels the timer
        await asyncio.sleep(0.05)

    run(body)


def test_a_cancelled_subscriber_leaves_no_subscription_and_stops_the_poller() -> None:
    seen: list[int | None] = []

    async def body() -> None:
        hub = Hub(listen=False, changes_since=FakeChanges(), poll_seconds=POLL)

        async def stream() -> None:
            async with hub.subscribe(1) as subscription:
                async for seq in subscription:
                    seen.append(seq)

        task = asyncio.create_task(stream())
        await asyncio.sleep(0)
        assert hub.subscriber_count(1) == 1
        hub.publish(1, 7)
        await asyncio.sleep(0)
        task.cancel()  # a client disconnect arrives as cancellation
        with pytest.raises(asyncio.CancelledError):
            await task
        assert seen == [7]
        assert hub.subscriber_count() == 0
        assert not hub.running

    run(body)


def test_a_subscription_dropped_without_closing_is_released_and_close_works_from_any_thread() -> None:
    async def body() -> None:
        hub = Hub(listen=False, changes_since=FakeChanges(), poll_seconds=POLL)
        hub.subscribe(1)  # never stored: garbage at once
        gc.collect()
        assert hub.subscriber_count() == 0

        subscription = hub.subscribe(2)
        waiting = asyncio.create_task(subscription.wait())
        await asyncio.sleep(0)
        # Django closes a finished response from a worker thread.
        thread = threading.Thread(target=subscription.close)
        thread.start()
        thread.join()
        assert await asyncio.wait_for(waiting, timeout=1) is False  # the pending wait returns
        assert subscription.closed
        assert hub.subscriber_count() == 0
        assert [seq async for seq in subscription] == []  # a closed subscription iterates nothing

    run(body)


def test_shared_data_is_computed_once_per_change_for_all_subscribers() -> None:
    calls: list[int] = []
    gate = asyncio.Event

    async def body() -> None:
        hub = Hub(listen=False, changes_since=FakeChanges(), poll_seconds=60)
        subscriptions = [hub.subscribe(1) for _ in range(100)]
        release = gate()

        async def compute() -> str:
            calls.append(1)
            await release.wait()
            return f"state {len(calls)}"

        waiters = [asyncio.create_task(s.shared("public", compute)) for s in subscriptions]
        await asyncio.sleep(0)
        waiters[0].cancel()  # the client that started the computation leaves; the others still get it
        release.set()
        results = await asyncio.gather(*waiters[1:])
        assert set(results) == {"state 1"}
        assert len(calls) == 1
        assert await subscriptions[1].shared("public", compute) == "state 1"  # no change: reused
        assert len(calls) == 1

        hub.publish(1, 2)
        assert {await s.shared("public", compute) for s in subscriptions[:10]} == {"state 2"}
        assert len(calls) == 2
        # Another key (a bidder's own view) is computed separately.
        assert await subscriptions[0].shared(("bid", 9), compute) == "state 3"
        for s in subscriptions:
            s.close()

    run(body)


def test_a_failed_computation_is_not_kept_and_stale_results_are_recomputed() -> None:
    outcomes: list[Any] = [RuntimeError("database down"), "ok", "later"]

    async def compute() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return str(outcome)

    async def body() -> None:
        hub = Hub(listen=False, changes_since=FakeChanges(), poll_seconds=60)
        subscription = hub.subscribe(1)
        with pytest.raises(RuntimeError):
            await subscription.shared("public", compute)
        assert await subscription.shared("public", compute) == "ok"
        assert await subscription.shared("public", compute, fresh=lambda value: value != "ok") == "later"
        subscription.close()

    run(body)


@pytest.mark.django_db(transaction=True)
def test_notify_wakes_this_process_at_commit_and_never_for_a_rollback() -> None:
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the LISTEN connection delivers it: see the postgres tests below")

    def commit(seq: int) -> None:
        with transaction.atomic():
            broadcast.notify(3, seq)

    def roll_back(seq: int) -> None:
        try:
            with transaction.atomic():
                broadcast.notify(3, seq)
                raise _Rollback
        except _Rollback:
            pass

    async def body() -> None:
        hub = Hub(listen=False, changes_since=FakeChanges(), poll_seconds=60)  # no poll: only the commit hook
        broadcast.set_hub(hub)
        subscription = hub.subscribe(3)
        await asyncio.to_thread(roll_back, 4)
        assert await subscription.wait(timeout=0.2) is False
        await asyncio.to_thread(commit, 5)
        assert await subscription.wait(timeout=1) is True
        assert subscription.seq == 5
        subscription.close()

    run(body)


class _Rollback(Exception):
    pass


# ---------------------------------------------------------------- PostgreSQL: LISTEN/NOTIFY across connections
def _in_a_thread_with_its_own_connection(work: Callable[[], None]) -> Callable[[], Awaitable[None]]:
    """Run ``work`` like a WSGI worker would: another thread, hence another database connection."""

    def wrapped() -> None:
        try:
            work()
        finally:
            connection.close()

    return lambda: asyncio.to_thread(wrapped)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_notify_committed_on_another_connection_reaches_the_subscriber_and_a_rolled_back_one_does_not() -> None:
    def commit(seq: int) -> Callable[[], None]:
        def work() -> None:
            with transaction.atomic():
                broadcast.notify(11, seq)

        return work

    def roll_back(seq: int) -> Callable[[], None]:
        def work() -> None:
            try:
                with transaction.atomic():
                    broadcast.notify(11, seq)
                    raise _Rollback
            except _Rollback:
                pass

        return work

    async def body() -> None:
        hub = Hub()
        assert hub.listen
        assert await hub.ready(timeout=5)
        subscription = hub.subscribe(11)
        other = hub.subscribe(12)
        await _in_a_thread_with_its_own_connection(commit(3))()
        assert await subscription.wait(timeout=2) is True
        assert subscription.seq == 3
        await _in_a_thread_with_its_own_connection(roll_back(4))()
        assert await subscription.wait(timeout=0.3) is False
        await _in_a_thread_with_its_own_connection(commit(5))()
        assert await subscription.wait(timeout=2) is True
        assert subscription.seq == 5
        assert await other.wait(timeout=0) is False
        subscription.close()
        other.close()
        assert not hub.running

    run(body)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_listener_reconnects_and_refreshes_its_subscribers_after_losing_its_connection() -> None:
    def kill_listener() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = 'vzaemo-live-listener'"
            )
            assert cursor.rowcount == 1

    def commit() -> None:
        with transaction.atomic():
            broadcast.notify(21, 8)

    async def body() -> None:
        hub = Hub()
        assert await hub.ready(timeout=5)
        subscription = hub.subscribe(21)
        await _in_a_thread_with_its_own_connection(kill_listener)()
        # Whatever was committed while nobody listened may be lost: the subscriber is told to refresh.
        assert await subscription.wait(timeout=3) is True
        assert subscription.seq is None
        assert await hub.ready(timeout=1)
        await _in_a_thread_with_its_own_connection(commit)()
        assert await subscription.wait(timeout=2) is True
        assert subscription.seq == 8
        subscription.close()

    run(body)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_subscriber_that_arrived_before_the_listener_listened_is_refreshed_once_it_does() -> None:
    async def body() -> None:
        hub = Hub()
        subscription = hub.subscribe(31)  # a bid may commit before LISTEN takes effect
        assert await hub.ready(timeout=5)
        assert await subscription.wait(timeout=0) is True
        assert subscription.seq is None
        subscription.close()

    run(body)
