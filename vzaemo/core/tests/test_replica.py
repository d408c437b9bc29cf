"""Which requests may read from the replica, and where the router sends queries (ADR 0018). The real standby is
in test_replica_postgres.py; here the `replica` alias is only named, never connected to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import RequestFactory

from vzaemo.accounts.models import User
from vzaemo.core.replica import REPLICA, ReplicaRouter, may_read_replica, replica_allowed, replica_reads

router = ReplicaRouter()
requests = RequestFactory()


@pytest.fixture
def replica_alias() -> Iterator[None]:
    connections.settings[REPLICA] = dict(connections.settings[DEFAULT_DB_ALIAS])
    try:
        yield
    finally:
        del connections.settings[REPLICA]


@pytest.mark.parametrize(
    ("method", "path", "cookies", "headers", "allowed"),
    [
        ("GET", "/petitions/", {}, {}, True),
        ("HEAD", "/responsiveness/", {}, {}, True),
        ("GET", "/petitions/", {settings.SESSION_COOKIE_NAME: "x"}, {}, False),
        ("POST", "/petitions/1/sign/", {}, {}, False),
        ("GET", "/accounts/confirm-email/abc/", {}, {}, False),
        ("GET", "/admin/", {}, {}, False),
        ("GET", "/live/1/", {}, {}, False),
        ("GET", "/api/broker/v1/auctions", {}, {"Authorization": "Bearer k"}, False),
        ("GET", "/api/broker/v1/auctions?feed=changes", {}, {"Authorization": "Bearer k"}, True),
        ("POST", "/api/broker/v1/auctions?feed=changes", {}, {}, False),
    ],
)
def test_only_anonymous_public_reads_and_the_feed_may_read_the_replica(
    method: str, path: str, cookies: dict[str, str], headers: dict[str, str], allowed: bool
) -> None:
    request = requests.generic(method, path, headers=headers)
    request.COOKIES.update(cookies)
    assert may_read_replica(request) is allowed


def test_without_a_replica_everything_reads_the_primary() -> None:
    with replica_reads():
        assert router.db_for_read(User) == DEFAULT_DB_ALIAS
    assert router.db_for_write(User) == DEFAULT_DB_ALIAS


@pytest.mark.usefixtures("replica_alias")
def test_with_a_replica_only_marked_reads_outside_transactions_go_there(monkeypatch: pytest.MonkeyPatch) -> None:
    # No database here: the flag transaction.atomic() sets on the primary's connection is set by hand.
    primary = connections[DEFAULT_DB_ALIAS]
    monkeypatch.setattr(primary, "in_atomic_block", False)
    assert router.db_for_read(User) == DEFAULT_DB_ALIAS  # not marked
    with replica_reads():
        assert replica_allowed()
        assert router.db_for_read(User) == REPLICA
        assert router.db_for_read(Session) == DEFAULT_DB_ALIAS  # written by the request before
        assert router.db_for_write(User) == DEFAULT_DB_ALIAS
        monkeypatch.setattr(primary, "in_atomic_block", True)
        assert router.db_for_read(User) == DEFAULT_DB_ALIAS
    assert not replica_allowed()


def test_migrations_run_on_the_primary_only() -> None:
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "petitions")
    assert not router.allow_migrate(REPLICA, "petitions")
