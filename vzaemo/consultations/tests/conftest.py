"""Shared fixtures of the consultation tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

from vzaemo.consultations.models import Clause, Consultation, Proposal, Subscription
from vzaemo.core import calendar
from vzaemo.core.models import AuditEntry, Obligation


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar.reset_cache()
    yield
    calendar.reset_cache()


def database_state() -> dict[str, Any]:
    """Everything a consultation service may write."""
    return {
        "consultations": list(Consultation.objects.order_by("pk").values()),
        "clauses": list(Clause.objects.order_by("pk").values()),
        "proposals": list(Proposal.objects.order_by("pk").values()),
        "subscriptions": list(Subscription.objects.order_by("pk").values()),
        "obligations": list(Obligation.objects.order_by("pk").values()),
        "audit": list(AuditEntry.objects.order_by("pk").values_list("pk", "tag", "subject_type", "subject_id")),
    }


@pytest.fixture
def unchanged(db: None) -> Callable[[], AbstractContextManager[None]]:
    """`with unchanged(), pytest.raises(...)`: the refusal left the database exactly as it was."""

    @contextmanager
    def check() -> Iterator[None]:
        before = database_state()
        yield
        after = database_state()
        assert after == before, "a refused action changed the database"

    return check
