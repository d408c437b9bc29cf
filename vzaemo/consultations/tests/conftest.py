"""Shared fixtures of the consultation tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vzaemo.core import calendar


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar.reset_cache()
    yield
    calendar.reset_cache()
