"""Consultation terms: the registry keys, the deadline arithmetic and how a draft splits into clauses.

The values, sources and effective dates are seeded into the registry by migration 0002_seed_rules
(docs/reference/ukraine-rules.md §3).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

from vzaemo.core import calendar
from vzaemo.core.rules import RuleValue

MIN_DURATION = "consultation.min_duration"
REPORT_TERM = "consultation.report_term"
PROPOSAL_PUBLICATION_TERM = "consultation.proposal_publication_term"

MAX_CLAUSES = 500

# A line that starts a numbered clause: "1.", "12)", "3.1." (the first number counts), after optional spaces.
_NUMBERED = re.compile(r"^\s*\d+(?:\.\d+)*[.)]\s+\S", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n\s*\n")


def due(start_at: dt.datetime, rule: RuleValue) -> dt.datetime:
    """The moment a term that starts at `start_at` ends, per the rule's unit (Civil Code arts. 253-255)."""
    return calendar.term_end(start_at, value=rule.as_int, unit=rule.unit)


def earliest_close(opens_at: dt.datetime, min_duration: RuleValue) -> dt.datetime:
    """The earliest lawful deadline for proposals: the end of the minimum term counted from opening.

    A term of days ends on its last day, or on the next working day if that one is not (Civil Code
    art. 254 part 5): 15 days from a Thursday end on the next Monday if day 15 is a Saturday.
    """
    return due(opens_at, min_duration)


# One numbered line may be a date or an amount; two or more make a numbered draft (rule 1 below).
NUMBERED_LINES_MIN = 2


def split_clauses(text: str) -> list[str]:
    """Split a pasted draft into clauses; the platform numbers them 1..n in order.

    The rule, shown to the official before opening:
    1. If at least two lines start with a number followed by "." or ")" ("1.", "2)", "3.1."), each such
       line starts a new clause; text before the first one (a title or preamble) is a clause of its own.
       Lines in between (sub-items "а)", continuation lines, blank lines) stay with their clause.
    2. Otherwise every paragraph (text between blank lines) is a clause.
    Whitespace at the ends of a clause is dropped and empty clauses are skipped; the author's own
    numbering stays in the text.
    """
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return []
    starts = [m.start() for m in _NUMBERED.finditer(text)]
    if len(starts) >= NUMBERED_LINES_MIN:
        bounds = ([0] if starts[0] > 0 else []) + starts + [len(text)]
        parts = [text[a:b] for a, b in itertools.pairwise(bounds)]
    else:
        parts = _BLANK_LINES.split(text)
    return [part.strip() for part in parts if part.strip()]


_OWN_NUMBER = re.compile(r"\s*(\d+(?:\.\d+)*)[.)]\s")


def clause_labels(clauses: list[str]) -> list[str]:
    """What pages call each clause of `split_clauses`: the draft's own number when the draft is numbered
    ("3.1" for a clause that starts "3.1."), "" for its title or preamble; otherwise the paragraph's place, 1..n.

    The draft's own numbering wins, so "Clause 2" on the page is the clause the draft calls 2.
    """
    own = [_OWN_NUMBER.match(text) for text in clauses]
    if sum(1 for match in own if match) >= NUMBERED_LINES_MIN:
        return [match.group(1) if match else "" for match in own]
    return [str(place) for place in range(1, len(clauses) + 1)]
