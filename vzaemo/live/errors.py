"""The stable codes of the live auction's refusals: clients and tests match on the code, people read the message."""

from __future__ import annotations

from enum import StrEnum


class LiveError(StrEnum):
    AMOUNT_INVALID = "amount_invalid"
    AUCTION_NOT_FOUND = "auction_not_found"
    AUCTION_NOT_LIVE = "auction_not_live"
    BID_NOT_FOUND = "bid_not_found"
    BID_NOT_QUALIFIED = "bid_not_qualified"
    IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"
    PARTICIPATION_LINK_INVALID = "participation_link_invalid"
    PROTOCOL_NOT_FOUND = "protocol_not_found"
    SESSION_NOT_FOUND = "session_not_found"
    SPEEDUP_TEST_ONLY = "speedup_test_only"
    TIMING_INVALID = "timing_invalid"
