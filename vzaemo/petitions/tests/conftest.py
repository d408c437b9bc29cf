"""Shared fixtures of the petition tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

from vzaemo.core import calendar
from vzaemo.core.models import AuditEntry
from vzaemo.petitions import services
from vzaemo.petitions.models import Petition, Signature


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    """Per-process caches must not leak between tests: the working calendar and the count job's mark."""
    calendar.reset_cache()
    services._last_count_run = None
    yield
    calendar.reset_cache()
    services._last_count_run = None


def database_state() -> dict[str, Any]:
    """Everything a petition service may write: every petition row, every signature, the audit log."""
    return {
        "petitions": list(Petition.objects.order_by("pk").values()),
        "signatures": list(Signature.objects.order_by("pk").values()),
        "audit": list(AuditEntry.objects.order_by("pk").values_list("pk", "tag", "subject_type", "subject_id")),
    }


@pytest.fixture
def unchanged(db: None) -> Callable[[], AbstractContextManager[None]]:
    """`with unchanged(), pytest.raises(...)`: the refusal left the database exactly as it was.

    pytest.raises exits first and swallows the error; then this compares the state before and after.
    """

    @contextmanager
    def check() -> Iterator[None]:
        before = database_state()
        yield
        after = database_state()
        assert after == before, "a refused action changed the database"

    return check
