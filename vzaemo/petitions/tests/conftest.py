"""Shared fixtures of the petition tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vzaemo.core import calendar
from vzaemo.petitions import services


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    """Per-process caches must not leak between tests: the working calendar and the count job's mark."""
    calendar.reset_cache()
    services._last_count_run = None
    yield
    calendar.reset_cache()
    services._last_count_run = None
