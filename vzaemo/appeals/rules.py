"""Appeal terms: the registry keys and the deadline arithmetic (pure: no database).

Values, sources and effective dates are seeded by migration 0002_seed_rules
(docs/reference/ukraine-rules.md §2). Days are calendar days; a term ending on a non-working
day ends on the next working day (Civil Code art. 254 part 5, via core.calendar).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from vzaemo.appeals.states import AnswerTerm
from vzaemo.core import calendar
from vzaemo.core.rules import RuleValue, amount

ANSWER_TERM = "appeal.answer_term"
SIMPLE_ANSWER_TERM = "appeal.simple_answer_term"
MAX_TOTAL_TERM = "appeal.max_total_term"
FORWARD_TERM = "appeal.forward_term"
COMPLAINT_WINDOW_AFTER_DECISION = "appeal.complaint_window_after_decision"
COMPLAINT_WINDOW_AFTER_LEARNING = "appeal.complaint_window_after_learning"

TERM_RULE = {AnswerTerm.SIMPLE: SIMPLE_ANSWER_TERM, AnswerTerm.STANDARD: ANSWER_TERM}

PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Magic bytes -> (content type, file extension). Only what a browser shows safely as an image.
PHOTO_SIGNATURES = {
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
}


def due(start_at: dt.datetime, rule: RuleValue) -> dt.datetime:
    """The last moment of a term of `rule` from an event at `start_at` (Civil Code arts. 253-255)."""
    return calendar.term_end(start_at, value=rule.as_int, unit=rule.unit)


def term_label(term: AnswerTerm, rule: RuleValue) -> str:
    """An answer term as people read it, its length from the registry: "15 calendar days: no extra study needed"."""
    return _("%(length)s: %(when)s") % {"length": amount(rule), "when": term.label}


def extension_allowed(*, received_at: dt.datetime, until: dt.datetime, max_total: RuleValue) -> bool:
    """Art. 20: the head may extend, but the total term never exceeds 45 days from receipt."""
    return until <= due(received_at, max_total)


def complaint_window_open(
    *,
    now: dt.datetime,
    decided_at: dt.datetime,
    learned_at: dt.datetime,
    after_decision: RuleValue,
    after_learning: RuleValue,
) -> bool:
    """Art. 17: within 1 year of the decision AND within 1 month of learning of it."""
    return now <= due(decided_at, after_decision) and now <= due(learned_at, after_learning)


def sniff_photo(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a JPEG or PNG by its first bytes; None for anything else."""
    for magic, kind in PHOTO_SIGNATURES.items():
        if head.startswith(magic):
            return kind
    return None
