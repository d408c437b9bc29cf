"""Shared fixtures of the appeal tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vzaemo.core import calendar


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar.reset_cache()
    yield
    calendar.reset_cache()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    """Uploaded photos go to a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
