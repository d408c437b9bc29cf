"""Shared fixtures of the auction tests."""

from __future__ import annotations

# The broker API tests' state() builds on the shared snapshot through this name.
from vzaemo.core.testing import database_state as database_state  # noqa: PLC0414 - the explicit re-export form
