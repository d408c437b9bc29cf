"""Shared fixtures of the one-stop tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vzaemo.core import audit, calendar
from vzaemo.onestop import projection


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar.reset_cache()
    yield
    calendar.reset_cache()


def index_now() -> int:
    """What the chronograph does within seconds of a change: seal the log, then follow it into the index."""
    audit.seal()
    return projection.index_refresh()
