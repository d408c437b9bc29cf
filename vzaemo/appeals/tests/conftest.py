"""Shared fixtures of the appeal tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from vzaemo.appeals.models import Appeal, AppealEvent
from vzaemo.core import calendar
from vzaemo.core.models import AuditEntry, Obligation


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar.reset_cache()
    yield
    calendar.reset_cache()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    """Uploaded photos go to a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


def database_state() -> dict[str, Any]:
    """Everything an appeal service may write: appeals, their events, obligations, the audit log."""
    return {
        "appeals": list(Appeal.objects.order_by("pk").values()),
        "events": list(AppealEvent.objects.order_by("pk").values()),
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
