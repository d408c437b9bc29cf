"""The database cache's counter under real concurrency (PostgreSQL row locks): racing attempts from separate
connections are each counted once, so exactly the limit passes. Django's own read-add-write incr lets through
about as many as race."""

from __future__ import annotations

import threading
import uuid

import pytest
import time_machine

from vzaemo.core import rate_limits
from vzaemo.core.cache import DatabaseCache
from vzaemo.petitions.tests.test_concurrency import Worker, run_all, unexpected

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

N = 16
LIMIT = 5


def test_racing_attempts_on_the_database_cache_pass_exactly_the_limit() -> None:
    key = f"race-{uuid.uuid4().hex}"
    barrier = threading.Barrier(N)

    def attempt() -> float | None:
        cache = DatabaseCache("vzaemo_cache", {"OPTIONS": {"MAX_ENTRIES": 100_000}})  # one client per thread
        barrier.wait(timeout=30)
        return rate_limits.hit(cache, key, amount=LIMIT, seconds=3600)

    workers = [Worker(attempt) for _ in range(N)]
    with time_machine.travel(1_900_000_000.0, tick=False):
        run_all(workers)
    assert unexpected(workers) == []
    assert sorted(worker.result is None for worker in workers) == [False] * (N - LIMIT) + [True] * LIMIT
