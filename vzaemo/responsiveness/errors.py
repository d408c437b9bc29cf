"""The stable codes of the responsiveness index's refusals: clients and tests match on the code, people read the message."""

from __future__ import annotations

from enum import StrEnum


class ResponsivenessError(StrEnum):
    AUTHORITY_NOT_FOUND = "authority_not_found"
    PERIOD_INVALID = "period_invalid"
    PERIOD_IN_FUTURE = "period_in_future"
