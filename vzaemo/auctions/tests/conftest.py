"""Shared fixtures of the auction tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

from vzaemo.auctions.models import Auction, Award, Bid, Contract, Lot, Revision
from vzaemo.core import calendar
from vzaemo.core.errors import DomainError
from vzaemo.core.models import AuditEntry, Obligation


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar.reset_cache()
    yield
    calendar.reset_cache()


def database_state() -> dict[str, Any]:
    """Everything an auction service may write."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Lot, Auction, Bid, Award, Contract, Revision, Obligation)
    } | {"audit": list(AuditEntry.objects.order_by("pk").values_list("pk", "tag", "subject_id"))}


@pytest.fixture
def unchanged(db: None) -> Callable[[], AbstractContextManager[None]]:
    @contextmanager
    def check() -> Iterator[None]:
        before = database_state()
        yield
        assert database_state() == before, "a refused action changed the database"

    return check


@pytest.fixture
def refused(unchanged: Callable[[], AbstractContextManager[None]]) -> Callable[..., DomainError]:
    """Call, expect exactly `kind` with `code`, and check the database is as it was."""

    def check(kind: type[DomainError], code: str, call: Callable[[], object]) -> DomainError:
        with unchanged(), pytest.raises(DomainError) as info:
            call()
        assert type(info.value) is kind, f"{type(info.value).__name__}: {info.value}"
        assert info.value.code == code, info.value.code
        assert str(info.value.message).strip()
        return info.value

    return check
