"""The stable codes of the one stop's refusals: tests match on the code, people read the message."""

from __future__ import annotations

from enum import StrEnum


class OnestopError(StrEnum):
    FILTER_INVALID = "filter_invalid"
