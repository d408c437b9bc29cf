"""Test-wide fixtures and markers (pytest-django runs every test against a real database).

* ``@pytest.mark.postgres`` or the ``postgres_only`` fixture: the test needs real row locks, SKIP LOCKED
  or LISTEN/NOTIFY; it is skipped on SQLite (the local default) and runs in CI, where DATABASE_URL
  points at PostgreSQL.
* ``unchanged`` and ``refused``: the one "nothing changed" check and refusal assertion (vzaemo/core/testing.py).
* Everything under ``tests/e2e/`` is marked ``e2e`` (real server + real browser); ``scripts/test`` runs
  those in a second, serial pytest invocation.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

pytest_plugins = ["vzaemo.core.testing"]

POSTGRES_REASON = "needs PostgreSQL (real row locks); runs in CI"
E2E_DIR = Path(__file__).resolve().parent / "tests" / "e2e"


def database_is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] in {
        "django.db.backends.postgresql",
        "django.db.backends.postgresql_psycopg2",
    }


def pytest_configure(config: pytest.Config) -> None:
    # Production settings refuse to run without a private SECRET_KEY; each test run makes its own, and the
    # environment passes it to the processes tests start (manage.py runplatform, commands).
    if not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
        settings.SECRET_KEY = os.environ["SECRET_KEY"]
    # The witness log outlives the test databases, so a shared one would hold checkpoints of chains that were
    # rolled back: off, and the tests of it give it a file of their own (vzaemo/core/tests/test_audit_witness.py).
    settings.VZAEMO_AUDIT_WITNESS_LOG = ""
    # Each test's cache is its test database's own table: created with the database, rolled back after each test,
    # never shared by the parallel workers (a Redis database would be, and its FLUSHDB would clear the others'
    # counters). REDIS_URL still reaches the platform the end-to-end tests start and the tests that open their
    # own Redis client (vzaemo/core/tests/test_rate_limits.py).
    if settings.CACHES["default"] != settings.VZAEMO_DATABASE_CACHE:
        override_settings(CACHES={"default": settings.VZAEMO_DATABASE_CACHE}).enable()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            # Under `pytest -n auto --dist loadgroup` every e2e test lands on the same worker.
            item.add_marker(pytest.mark.xdist_group("e2e"))


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and not database_is_postgres():
        pytest.skip(POSTGRES_REASON)


@pytest.fixture
def postgres_only() -> None:
    """Request this fixture (or mark the test ``postgres``) when SQLite cannot show what is tested."""
    if not database_is_postgres():
        pytest.skip(POSTGRES_REASON)
