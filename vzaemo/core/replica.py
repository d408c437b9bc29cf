"""Public reads from a PostgreSQL streaming replica; everything else from the primary (ADR 0018).

With `DATABASE_REPLICA_URL` set, settings add a `replica` alias (a hot standby of the primary). A query may go
there only when all of these hold:

* the request was marked as one that may read stale data: a GET or HEAD with no session cookie and no
  `Authorization` header (an anonymous visitor's public page, open data), or the broker change feed, which
  reads its rows and its watermark on one connection and so stays consistent on a standby
  (`ReplicaReadsMiddleware`; `replica_reads()` marks other work, e.g. an export command);
* the path is not one whose reads lead to a write or must see one that just happened (`REPLICA_EXCLUDED_PATHS`:
  sign-in and e-mail confirmation links, the admin, live auctions, document links);
* no transaction is open on the primary: a read inside `transaction.atomic()` belongs to a write path and must
  see what that path locked and wrote;
* the model is not one whose rows are per-request state written a moment ago (sessions, the database cache that
  counts the rate limits).

Every write goes to the primary (`db_for_write`), whatever the mark. Without a `replica` alias the router sends
everything to the primary, so the demo and the test suite run as before.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
# Paths whose GETs read what was just written (a confirmation key sent a second ago, a bid a turn ago) or
# that only staff and signed links use.
REPLICA_EXCLUDED_PATHS = ("/accounts/", "/admin/", "/live/", "/documents/", "/i18n/")
BROKER_FEED_PATH = "/api/broker/v1/"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Read on the primary even in a marked request: written by the request itself or by the one just before it.
PRIMARY_ONLY_APPS = frozenset({"sessions", "django_cache"})

_replica_allowed: contextvars.ContextVar[bool] = contextvars.ContextVar("vzaemo_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Within the block, reads outside transactions may come from the replica (when one is configured)."""
    token = _replica_allowed.set(True)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


def replica_allowed() -> bool:
    return _replica_allowed.get()


class ReplicaRouter:
    """`DATABASE_ROUTERS`: reads to the replica only in a marked context, never inside a transaction.

    Django's router protocol passes arguments this router has no use for (hints, the other object)."""

    def db_for_read(self, model: type[models.Model], **hints: Any) -> str:  # noqa: ARG002
        if (
            _replica_allowed.get()
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
            and replica_configured()
        ):
            return REPLICA
        # Explicitly the primary, even for an object loaded from the replica (Django would follow its hint).
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str:  # noqa: ARG002
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints: Any) -> bool:  # noqa: ARG002
        # One database: the replica holds the primary's rows, so objects from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:  # noqa: ARG002
        return db == DEFAULT_DB_ALIAS


def may_read_replica(request: HttpRequest) -> bool:
    """Whether this request may be answered from data a moment old: see the module's docstring."""
    if request.method not in SAFE_METHODS:
        return False
    path = request.path_info
    if path.startswith(BROKER_FEED_PATH) and request.GET.get("feed") == "changes":
        return True
    if path.startswith(REPLICA_EXCLUDED_PATHS):
        return False
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "HTTP_AUTHORIZATION" not in request.META


class ReplicaReadsMiddleware:
    """Marks the requests that may read from the replica; first in the stack, so nothing before it reads."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not may_read_replica(request):
            return self.get_response(request)
        with replica_reads():
            return self.get_response(request)
