"""Riding out a database outage: the errors that mean "the database is gone for now", and a growing delay.

The long-running loops (the task worker, the chronograph) and the process supervisor (runplatform) wait with
:class:`Backoff` instead of dying, so a PostgreSQL restart needs no human to bring the platform back.
"""

from __future__ import annotations

import contextlib

from django.db import connections
from django.db.utils import InterfaceError, OperationalError

# OperationalError: the server went away or refused the connection; InterfaceError: the connection object
# was already closed under us.
DATABASE_OUTAGE_ERRORS = (OperationalError, InterfaceError)


class Backoff:
    """Delays that double from ``first`` up to ``ceiling``; ``reset()`` after a success starts over."""

    def __init__(self, *, first: float = 0.5, ceiling: float = 5.0) -> None:
        self.first = first
        self.ceiling = ceiling
        self.failures = 0

    def next_delay(self) -> float:
        delay = min(self.ceiling, self.first * 2.0**self.failures)
        if delay < self.ceiling:  # a long outage must not grow the exponent until the float overflows
            self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0


def drop_connections() -> None:
    """Forget every connection of this thread: the next query opens a new one (closing a dead one may fail)."""
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(*DATABASE_OUTAGE_ERRORS):
            connection.close()
