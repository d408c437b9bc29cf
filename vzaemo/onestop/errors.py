"""The stable codes of the one stop's refusals: tests match on the code, people read the message."""

from __future__ import annotations

from enum import StrEnum


class OnestopError(StrEnum):
    FILTER_INVALID = "filter_invalid"
    SUBSCRIPTION_TARGET_INVALID = "subscription_target_invalid"
    SUBSCRIPTION_LIMIT = "subscription_limit"
    UNSUBSCRIBE_LINK_INVALID = "unsubscribe_link_invalid"
