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
    """What the chronograph does within seconds of a change: seal the log, then follow it into the index.

    On PostgreSQL the sealer stays behind the server-wide snapshot watermark, which another test worker's open
    transaction holds back: tests that call this are marked `serial`.
    """
    audit.seal()
    return projection.index_refresh()


def index_all() -> int:
    """Rebuild the index from the modules: for tests of what reads it, on any number of workers."""
    return projection.index_rebuild()
