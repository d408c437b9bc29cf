"""Petition thresholds and terms: the registry keys and the deadline arithmetic.

The values, sources and effective dates are seeded into the registry by migration
0002_seed_rules (docs/reference/ukraine-rules.md §1, summary rows 1-13).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from vzaemo.core import calendar, clock
from vzaemo.core.rules import RuleValue

THRESHOLD = "petition.signature_threshold"
COLLECTION_PERIOD = "petition.collection_period"
PUBLICATION_TERM = "petition.publication_term"
CONSIDERATION_START_TERM = "petition.consideration_start_term"
CONSIDERATION_TERM = "petition.consideration_term"


def due(start_at: dt.datetime, rule: RuleValue) -> dt.datetime:
    """The moment a term that starts at `start_at` ends, per the rule's unit (Civil Code arts. 253-255)."""
    return calendar.term_end(start_at, value=rule.as_int, unit=rule.unit)


def answer_due_after_threshold(reached_at: dt.datetime, start: RuleValue, consideration: RuleValue) -> dt.datetime:
    """The latest lawful answer: consideration must start within `start` and end within `consideration`."""
    start_by = calendar.add_working_days(reached_at.astimezone(clock.KYIV).date(), start.as_int)
    return calendar.end_of_day(calendar.add_working_days(start_by, consideration.as_int))


def answer_due_after_start(
    started_at: dt.datetime, consideration: RuleValue, current_due: dt.datetime | None
) -> dt.datetime:
    """Starting early brings the answer date forward; starting late never pushes it back."""
    computed = due(started_at, consideration)
    return min(computed, current_due) if current_due else computed


def progress_percent(count: int, threshold: int | None) -> int:
    if not threshold:
        return 0
    return min(100, int(Decimal(count) * 100 / Decimal(threshold)))
