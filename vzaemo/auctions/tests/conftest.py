"""Shared fixtures of the auction tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vzaemo.core import calendar

# The broker API tests' state() builds on the shared snapshot through this name.
from vzaemo.core.testing import database_state as database_state


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar.reset_cache()
    yield
    calendar.reset_cache()
