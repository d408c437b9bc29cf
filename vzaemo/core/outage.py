"""Riding out a database outage: the errors that mean "the database is gone for now", and a growing delay.

The long-running loops (the task worker, the chronograph) and the process supervisor (runplatform) wait with
:class:`Backoff` instead of dying, so a PostgreSQL restart needs no human to bring the platform back. The pages
and the APIs answer 503 with `Retry-After` meanwhile (`vzaemo/web/outage.py`), for the errors
:func:`is_database_outage` names.
"""

from __future__ import annotations

import contextlib
import sqlite3

from django.db import connections
from django.db.utils import InterfaceError, OperationalError

# OperationalError: the server went away or refused the connection; InterfaceError: the connection object
# was already closed under us.
DATABASE_OUTAGE_ERRORS = (OperationalError, InterfaceError)


# SQLSTATEs of a server that is not there for now: the 08 class (connection exception), and the server
# shutting down, crashed or still starting (57P01-57P03), or out of connection slots (53300).
_OUTAGE_SQLSTATE_CLASS = "08"
_OUTAGE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})
# SQLite's primary result codes for a file that is busy, locked, unreadable or unopenable.
_OUTAGE_SQLITE_CODES = frozenset(
    {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN}
)
_SQLITE_PRIMARY_CODE_MASK = 0xFF


def is_database_outage(error: BaseException) -> bool:
    """The database cannot be reached (or is too busy) now; asking again later may well succeed.

    Narrower than :data:`DATABASE_OUTAGE_ERRORS`: an `OperationalError` is also what a deadlock, a statement
    timeout or SQLite's "no such table" raise, and those are answered as the errors they are, not as an outage.
    """
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", None)
        return code is not None and code & _SQLITE_PRIMARY_CODE_MASK in _OUTAGE_SQLITE_CODES
    if not hasattr(cause, "sqlstate"):  # not from a driver Vzaemo runs on: nothing says it is an outage
        return False
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None:
        # psycopg's own refusals (connection refused, server closed the connection) carry no SQLSTATE.
        return True
    return str(sqlstate).startswith(_OUTAGE_SQLSTATE_CLASS) or sqlstate in _OUTAGE_SQLSTATES


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
