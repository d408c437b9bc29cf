"""Time-driven work: named periodic jobs, each idempotent, run by one `chronograph` loop.

Apps register jobs in their AppConfig.ready(); running a job twice, or on two hosts at once,
must be harmless (each job locks what it changes and re-checks the state under the lock).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections

from vzaemo.core.outage import DATABASE_OUTAGE_ERRORS, Backoff, drop_connections

logger = logging.getLogger("vzaemo.chronograph")


@dataclass
class Job:
    name: str
    interval_seconds: float
    func: Callable[[], object]
    last_run: float = 0.0


_jobs: dict[str, Job] = {}


def register(name: str, *, every: float, func: Callable[[], object]) -> None:
    _jobs[name] = Job(name=name, interval_seconds=every, func=func)


def jobs() -> list[Job]:
    return list(_jobs.values())


def run_due(*, force: bool = False) -> list[str]:
    """Run every job whose interval has passed; returns the names run. A failing job is logged, not fatal.

    A lost database is the exception: it fails every job alike, so it goes up to :func:`loop`, which waits.
    """
    ran = []
    monotonic = time.monotonic()
    for job in _jobs.values():
        if force or monotonic - job.last_run >= job.interval_seconds:
            try:
                close_old_connections()
                job.func()
            except DATABASE_OUTAGE_ERRORS:
                raise
            except Exception:
                logger.exception("chronograph job %s failed", job.name)
            job.last_run = monotonic
            ran.append(job.name)
    return ran


def loop(*, tick: float = 0.5, stop_after: float | None = None) -> None:
    started = time.monotonic()
    backoff = Backoff(first=tick)
    while stop_after is None or time.monotonic() - started < stop_after:
        try:
            run_due()
        except DATABASE_OUTAGE_ERRORS as error:
            delay = backoff.next_delay()
            logger.warning("chronograph: database unavailable (%s); retrying in %.1f s", str(error).strip(), delay)
            drop_connections()
            time.sleep(delay)
            continue
        backoff.reset()
        time.sleep(tick)
