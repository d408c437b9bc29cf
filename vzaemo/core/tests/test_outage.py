"""The long-running loops wait out a lost database (OperationalError) and carry on, instead of exiting; which
database errors are an outage (answered 503 by the pages and APIs) and which are not."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from typing import Any
from unittest import mock

import psycopg
import pytest
from django.db.utils import IntegrityError, InterfaceError, OperationalError
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResultQuerySet

from vzaemo.core import chronograph
from vzaemo.core.management.commands import task_worker
from vzaemo.core.outage import Backoff, is_database_outage


class Stop(Exception):
    """Ends a loop under test from its sleep."""


def test_backoff_doubles_up_to_its_ceiling_and_starts_over_after_a_success() -> None:
    backoff = Backoff(first=0.5, ceiling=3)
    assert [backoff.next_delay() for _ in range(5)] == [0.5, 1, 2, 3, 3]
    backoff.reset()
    assert backoff.next_delay() == 0.5


@pytest.mark.parametrize("error", [OperationalError("server closed the connection"), InterfaceError("closed")])
def test_the_chronograph_waits_out_a_lost_database_and_runs_the_job_again(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, error: Exception
) -> None:
    calls: list[str] = []

    def job() -> None:
        calls.append("run")
        if len(calls) == 1:
            raise error

    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise Stop

    monkeypatch.setattr(chronograph, "_jobs", {})
    chronograph.register("count", every=0, func=job)
    dropped = mock.Mock()
    monkeypatch.setattr(chronograph, "drop_connections", dropped)
    monkeypatch.setattr(chronograph, "close_old_connections", lambda: None)
    monkeypatch.setattr(time, "sleep", sleep)
    with pytest.raises(Stop):
        chronograph.loop(tick=0.5)
    # Failed, dropped the dead connection, waited, ran again and went back to its normal tick.
    assert calls == ["run", "run", "run"]
    assert dropped.call_count == 1
    assert sleeps == [0.5, 0.5, 0.5]
    assert "chronograph: database unavailable" in caplog.text


def test_a_job_failing_for_another_reason_is_logged_and_the_others_still_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chronograph, "_jobs", {})
    ran: list[str] = []
    chronograph.register("broken", every=0, func=lambda: 1 / 0)
    chronograph.register("fine", every=0, func=lambda: ran.append("fine"))
    monkeypatch.setattr(chronograph, "close_old_connections", lambda: None)
    assert chronograph.run_due() == ["broken", "fine"]
    assert ran == ["fine"]


def test_a_long_outage_keeps_the_delay_at_its_ceiling() -> None:
    backoff = Backoff(first=0.5, ceiling=5)
    assert {backoff.next_delay() for _ in range(5_000)} == {0.5, 1, 2, 4, 5}


def test_the_task_worker_waits_out_a_lost_database_and_carries_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # No database at all: the outage is simulated where the worker meets it, so the test cannot depend on the
    # state of a real connection left by another test.
    calls: list[str] = []

    def get_locked(self: DBTaskResultQuerySet) -> Any:
        calls.append("get_locked")
        if len(calls) == 1:
            raise OperationalError("terminating connection due to administrator command")
        return None  # the queue is empty: in batch mode the worker returns

    monkeypatch.setattr(db_worker, "exclusive_transaction", lambda _db: contextlib.nullcontext())
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    sleeps: list[float] = []
    dropped = mock.Mock()
    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", get_locked)
    monkeypatch.setattr(task_worker, "drop_connections", dropped)
    monkeypatch.setattr(time, "sleep", sleeps.append)
    worker = task_worker.Worker(
        queue_names=["*"],
        interval=0.5,
        batch=True,  # returns once the queue is empty
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    worker.run()
    assert calls == ["get_locked", "get_locked"]
    assert dropped.call_count == 1
    assert sleeps == [0.5]
    assert "task worker: database unavailable" in caplog.text


def _wrapped(cause: Exception, kind: type[Exception] = OperationalError) -> Exception:
    error = kind(str(cause))
    error.__cause__ = cause
    return error


def _sqlite_error(code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("sqlite")
    error.sqlite_errorcode = code
    return error


@pytest.mark.parametrize(
    "cause",
    [
        psycopg.OperationalError("connection failed: Connection refused"),
        psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"),
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        psycopg.errors.CannotConnectNow("the database system is starting up"),
        psycopg.errors.TooManyConnections("sorry, too many clients already"),
        _sqlite_error(sqlite3.SQLITE_CANTOPEN),
        _sqlite_error(sqlite3.SQLITE_BUSY),
        _sqlite_error(sqlite3.SQLITE_IOERR_SHORT_READ),
    ],
    ids=lambda cause: type(cause).__name__,
)
def test_a_lost_or_busy_database_is_an_outage(cause: Exception) -> None:
    assert is_database_outage(_wrapped(cause))


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(psycopg.errors.DeadlockDetected("deadlock detected")),
        _wrapped(psycopg.errors.QueryCanceled("canceling statement due to statement timeout")),
        _wrapped(psycopg.errors.SerializationFailure("could not serialize access")),
        _wrapped(_sqlite_error(sqlite3.SQLITE_ERROR)),  # no such table
        _wrapped(psycopg.errors.UniqueViolation("duplicate key"), IntegrityError),
        OperationalError("raised by hand, from no driver"),
        RuntimeError("a bug"),
    ],
    ids=["deadlock", "timeout", "serialization", "no-such-table", "integrity", "bare", "bug"],
)
def test_an_error_the_database_answered_is_not_an_outage(error: Exception) -> None:
    assert not is_database_outage(error)


def test_a_connection_closed_under_the_caller_is_an_outage() -> None:
    assert is_database_outage(_wrapped(psycopg.InterfaceError("the connection is closed"), InterfaceError))
