"""Test scaffolding every app's tests share (a pytest plugin; the root conftest.py loads it).

* ``unchanged()``: a context manager asserting that nothing in the database changed inside it: every row of
  every table of every installed model, so a refusal that writes anywhere (an obligation, an audit entry, a
  queued task) fails the test wherever the write went.
* ``refused(kind, code, call)``: the call raises exactly ``kind`` with ``code`` and a message, and changes
  nothing (docs/design.md rule 10: every bad input gets a clear error and changes nothing; tests assert both).

Both are fixtures too, so an app may widen ``unchanged`` (the documents tests add the files on disk) and
``refused`` follows. And every test starts with a fresh working calendar: it is cached per process.
``no_rate_limits`` switches the rate limits off for a test that resends one form many times.
``database_outage()`` makes the database fail as a lost server does, for the tests of what the platform answers
meanwhile.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from django.apps import apps
from django.db import OperationalError, connection, models

from vzaemo.core import calendar
from vzaemo.core.errors import DomainError

Unchanged = Callable[[], AbstractContextManager[None]]
Refused = Callable[[type[DomainError], str, Callable[[], object]], DomainError]


def _tables() -> list[type[models.Model]]:
    """One model per table: proxies share their concrete model's table; unmanaged models own none."""
    return [
        model for model in apps.get_models(include_auto_created=True) if model._meta.managed and not model._meta.proxy
    ]


def database_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, by table name."""
    return {model._meta.db_table: list(model._base_manager.order_by("pk").values()) for model in _tables()}


@contextmanager
def unchanged(*also: Callable[[], object]) -> Iterator[None]:
    """`with unchanged(), pytest.raises(...)`: the refusal left the database (and whatever `also` reads) as it was.

    pytest.raises exits first and swallows the error; then this compares the state before and after.
    """
    before = database_state(), [read() for read in also]
    yield
    after = database_state(), [read() for read in also]
    if after != before:
        tables = sorted(table for table, rows in after[0].items() if before[0].get(table) != rows)
        changed = ", ".join(tables) or "the state outside the database"
        raise AssertionError(f"a refused action changed {changed}")


def refused(
    kind: type[DomainError], code: str, call: Callable[[], object], *, nothing_changes: Unchanged = unchanged
) -> DomainError:
    """Call, expect exactly `kind` with `code` and a message for people, and check nothing changed."""
    with nothing_changes(), pytest.raises(DomainError) as info:
        call()
    error = info.value
    # Explicit raises, not asserts: this module is library code, which `python -O` would strip of asserts.
    if type(error) is not kind:
        raise AssertionError(f"expected {kind.__name__}, got {type(error).__name__}: {error}")
    if error.code != code:
        raise AssertionError(f"expected code {code!r}, got {error.code!r}")
    if not str(error.message).strip():
        raise AssertionError("the refusal gives no message for people")
    return error


# The test's own transaction must survive the outage it simulates, so rolling back to a savepoint still works.
_SAVEPOINT_STATEMENTS = ("SAVEPOINT ", "ROLLBACK TO SAVEPOINT ", "RELEASE SAVEPOINT ")


def lost_database_error() -> OperationalError:
    """What Django raises when the server has gone: its OperationalError over the driver's own error."""
    cause: Exception
    if connection.vendor == "sqlite":
        cause = sqlite3.OperationalError("unable to open database file")
        cause.sqlite_errorcode = sqlite3.SQLITE_CANTOPEN
    else:
        import psycopg  # noqa: PLC0415 - only on PostgreSQL

        cause = psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")
    error = OperationalError(*cause.args)
    error.__cause__ = cause
    return error


@contextmanager
def database_outage(*, begins: Callable[[str], bool] = lambda _sql: True) -> Iterator[list[str]]:
    """Inside, every statement on this thread's connection fails as on a lost server, from the first one for
    which `begins(sql)` is true (the default: from the first). Yields the statements that failed.

    Savepoints still work, so the test's own transaction outlives the outage and can check what was stored.
    """
    failed: list[str] = []
    down = False

    def lost(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        nonlocal down
        if not sql.startswith(_SAVEPOINT_STATEMENTS):
            down = down or begins(sql)
            if down:
                failed.append(sql)
                raise lost_database_error()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(lost):
        yield failed


@pytest.fixture(name="unchanged")
def unchanged_fixture(db: None) -> Unchanged:  # noqa: ARG001 - requested for the database
    return unchanged


@pytest.fixture(name="refused")
def refused_fixture(unchanged: Unchanged) -> Refused:
    def check(kind: type[DomainError], code: str, call: Callable[[], object]) -> DomainError:
        return refused(kind, code, call, nothing_changes=unchanged)

    return check


@pytest.fixture
def no_rate_limits(settings: Any) -> None:
    """Every action's rate limits off (ADR 0013), for a test that repeats one request on purpose: a resent form
    counts against its limit like any other request."""
    settings.VZAEMO_RATE_LIMITS = dict.fromkeys(settings.VZAEMO_RATE_LIMITS, "")


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar.reset_cache()
    yield
    calendar.reset_cache()
