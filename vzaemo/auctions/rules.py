"""Auction amounts and terms: the registry keys and the arithmetic, with no database access of their own.

The values, sources and confidence are seeded by migration 0002_seed_rules (docs/reference/auctions.md §2.2,
§4; docs/reference/ukraine-rules.md §5). SETAM's own figures (guarantee, step, markdowns, payment term)
could not be verified in public sources: they are seeded with confidence M, to be checked against
MoJ order 2831/5 (z1301-16), Sections IV-VII.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from vzaemo.auctions.states import NO_FIXED_PRICE, Category, Procedure
from vzaemo.core import calendar
from vzaemo.core.rules import RuleValue

MINIMUM_WAGE = "minimum_wage.monthly"
FIXED_PRICE_MAX_WAGES = "auction.fixed_price_max_minimum_wages"
GUARANTEE_PERCENT = "auction.guarantee_percent"
BID_STEP_PERCENT = "auction.bid_step_percent"
MARKDOWN_PREFIX = "auction.markdown_attempt_"  # + attempt number: percent off the first attempt's price
MAX_ATTEMPTS = "auction.max_attempts"
MIN_QUALIFIED_BIDS = "auction.min_qualified_bids"
SINGLE_BID_SKIPS_AUCTION = "auction.single_bid_skips_auction"
BIDS_TO_QUALIFY = "auction.bids_to_qualify"
TENDER_END_HOUR = "auction.tender_end_hour"
PROTOCOL_TERM = "auction.protocol_term"
PAYMENT_TERM = "auction.payment_term"
# Listing lead time (working days from publication to the auction) by start-price band.
LEAD_BAND1_MAX_VALUE = "auction.lead_band1_max_value"
LEAD_BAND2_MAX_VALUE = "auction.lead_band2_max_value"
LEAD_MIN = "auction.lead_min_band"  # + 1, 2, 3
LEAD_MAX = "auction.lead_max_band"  # + 1, 2, 3
FIXED_LEAD_MIN = "auction.lead_min_fixed_price"
FIXED_LEAD_MAX = "auction.lead_max_fixed_price"

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def money(amount: Decimal) -> Decimal:
    """UAH rounded half-up to the kopiyka (as the openprocurement engines round)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(value: Decimal, rule: RuleValue) -> Decimal:
    return money(value * rule.value / HUNDRED)


def marked_down(first_value: Decimal, markdown_percent: Decimal) -> Decimal:
    """A repeat attempt's price: always from the *first* attempt's price, never compounded."""
    return money(first_value * (HUNDRED - markdown_percent) / HUNDRED)


def markdown_key(attempt: int) -> str:
    return f"{MARKDOWN_PREFIX}{attempt}"


def fixed_price_limit(minimum_wage: RuleValue, max_wages: RuleValue) -> Decimal:
    return money(minimum_wage.value * max_wages.value)


def fixed_price_refusal(category: str, value: Decimal, limit: Decimal) -> str | None:
    """Why Law 1404-VIII art. 61 forbids a fixed-price sale, as an error code; None when it allows it."""
    if Category(category) in NO_FIXED_PRICE:
        return "fixed_price_category_forbidden"
    if value > limit:
        return "fixed_price_value_too_high"
    return None


def lead_band(value: Decimal, band1_max: RuleValue, band2_max: RuleValue) -> int:
    """1: up to 5,000 UAH; 2: up to 1,000,000 UAH; 3: above (order 2831/5 as amended by 2933/5)."""
    if value <= band1_max.value:
        return 1
    if value <= band2_max.value:
        return 2
    return 3


def lead_window(published_on: dt.date, min_days: RuleValue, max_days: RuleValue) -> tuple[dt.date, dt.date]:
    """The first and last Kyiv date the auction may be held on, counted in working days from publication."""
    return (
        calendar.add_working_days(published_on, min_days.as_int),
        calendar.add_working_days(published_on, max_days.as_int),
    )


def tender_end(auction_start: dt.datetime, end_hour: RuleValue) -> dt.datetime:
    """Tendering ends at 20:00 (Kyiv) on the working day before the auction day."""
    day_before = calendar.working_day_before(calendar.kyiv_date(auction_start))
    return calendar.at_kyiv(day_before, dt.time(end_hour.as_int))


def due(start_at: dt.datetime, rule: RuleValue) -> dt.datetime:
    return calendar.term_end(start_at, value=rule.as_int, unit=rule.unit)


def runs_live_auction(procedure: str) -> bool:
    return procedure != Procedure.FIXED_PRICE
