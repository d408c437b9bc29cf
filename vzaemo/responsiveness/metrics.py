"""The metrics of the responsiveness index: ONE declared definition each.

The computation (selectors), the pages, the JSON and the CSV all read these objects, so the number
and the sentence that explains it cannot drift apart. Every metric is computed from
`core.Obligation` rows only — the deadlines the other modules stored — never from a module's own
tables.

How an obligation is attributed to a period (a Kyiv calendar month or quarter):
* *received* counts it in the period in which it was **opened**;
* *on time / late / overdue* and the shares count it in the period in which it is **due**
  (its current `due_at`, which moves only by a lawful extension);
* the *median days to answer* counts it in the period in which it was **closed**.

An obligation that was TRANSFERRED to another body or CANCELLED (e.g. a withdrawn appeal) is neither
on time nor late, and one still open whose deadline has not passed yet is not judged yet: neither
appears in any share's denominator.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from django.db.models import Q
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Value = int | float | None
Unit = Literal["count", "share", "days"]

# Shares are published as fractions in [0, 1]; the pages show them as percentages.
SHARE_DIGITS = 4
DAYS_DIGITS = 2
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class KindSelector:
    """Which obligation kinds a metric counts: a family (kinds with a common suffix) or exact kinds."""

    title: Promise
    suffix: str = ""
    kinds: frozenset[str] = frozenset()

    def matches(self, kind: str) -> bool:
        return (bool(self.suffix) and kind.endswith(self.suffix)) or kind in self.kinds

    def q(self) -> Q:
        condition = Q(kind__in=sorted(self.kinds)) if self.kinds else Q(pk__in=[])
        return condition | Q(kind__endswith=self.suffix) if self.suffix else condition


# The duty to answer a person: petition.answer, appeal.answer (and any future "<module>.answer").
ANSWER_FAMILY = KindSelector(title=_("answers of every kind"), suffix=".answer")
PROPOSAL_DECISIONS = KindSelector(
    title=_("decisions on consultation proposals (consultation.proposal_decision)"),
    kinds=frozenset({"consultation.proposal_decision"}),
)
PETITION_ANSWERS = KindSelector(title=_("petition answers"), kinds=frozenset({"petition.answer"}))


@dataclass
class Facts:
    """What the database says about some obligations in one period (summed over kinds)."""

    received: int = 0  # opened in the period
    on_time: int = 0  # due in the period, FULFILLED with closed_at <= due_at
    late: int = 0  # due in the period, FULFILLED with closed_at > due_at
    overdue: int = 0  # due in the period, still OPEN, due_at < now
    pending: int = 0  # due in the period, still OPEN, due_at >= now (not judged yet)
    transferred: int = 0  # due in the period, TRANSFERRED
    cancelled: int = 0  # due in the period, CANCELLED
    durations: list[float] = field(default_factory=list)  # days from opening to fulfilment, closed in the period

    def add(self, other: Facts) -> None:
        for name in ("received", "on_time", "late", "overdue", "pending", "transferred", "cancelled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.durations.extend(other.durations)

    @property
    def judged(self) -> int:
        """Due in the period and either answered or past the deadline: the denominator of every share."""
        return self.on_time + self.late + self.overdue

    @property
    def is_empty(self) -> bool:
        return not (
            self.received
            or self.on_time
            or self.late
            or self.overdue
            or self.pending
            or self.transferred
            or self.cancelled
            or self.durations
        )


def share(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, SHARE_DIGITS) if denominator else None


def median_days(durations: Iterable[float]) -> float | None:
    values = list(durations)
    return round(statistics.median(values), DAYS_DIGITS) if values else None


@dataclass(frozen=True)
class Metric:
    key: str  # the JSON key and CSV column
    title: Promise
    definition: Promise  # shown on the pages and published with the open data
    unit: Unit
    selector: KindSelector
    compute: Callable[[Facts], Value]
    uses_durations: bool = False

    def value(self, facts_by_kind: Mapping[str, Facts]) -> Value:
        return self.compute(self.facts(facts_by_kind))

    def display(self, value: Value) -> str:
        """The value as the pages show it: shares as percentages, days with one decimal, "—" for none."""
        if value is None:
            return "—"
        if self.unit == "share":
            return f"{number_format(value * 100, decimal_pos=1)} %"
        if self.unit == "days":
            return number_format(value, decimal_pos=1)
        return str(value)

    def facts(self, facts_by_kind: Mapping[str, Facts]) -> Facts:
        total = Facts()
        for kind, facts in facts_by_kind.items():
            if self.selector.matches(kind):
                total.add(facts)
        return total


RECEIVED = Metric(
    key="received",
    title=_("Items received"),
    definition=_(
        "Obligations to answer (of every kind: petitions that reached their threshold, registered appeals) "
        "opened in the period."
    ),
    unit="count",
    selector=ANSWER_FAMILY,
    compute=lambda f: f.received,
)
ON_TIME = Metric(
    key="answered_on_time",
    title=_("Answered on time"),
    definition=_(
        "Obligations to answer due in the period that were fulfilled no later than their deadline "
        "(an answer at the very moment of the deadline is on time). Deadlines are those the modules "
        "stored, including lawful extensions."
    ),
    unit="count",
    selector=ANSWER_FAMILY,
    compute=lambda f: f.on_time,
)
LATE = Metric(
    key="answered_late",
    title=_("Answered late"),
    definition=_("Obligations to answer due in the period that were fulfilled after their deadline."),
    unit="count",
    selector=ANSWER_FAMILY,
    compute=lambda f: f.late,
)
OVERDUE = Metric(
    key="overdue_now",
    title=_("Overdue now"),
    definition=_(
        "Obligations to answer due in the period that are still not fulfilled although their deadline has "
        "passed, at the moment the index was computed."
    ),
    unit="count",
    selector=ANSWER_FAMILY,
    compute=lambda f: f.overdue,
)
MEDIAN_DAYS = Metric(
    key="median_days_to_answer",
    title=_("Median days to answer"),
    definition=_(
        "The median time from opening to fulfilment, in days of 24 hours, of the obligations to answer "
        "fulfilled in the period. Empty when none was fulfilled."
    ),
    unit="days",
    selector=ANSWER_FAMILY,
    compute=lambda f: median_days(f.durations),
    uses_durations=True,
)
ON_TIME_SHARE = Metric(
    key="on_time_share",
    title=_("Responsiveness score"),
    definition=_(
        "The headline score used for the ranking: of the obligations to answer due in the period that "
        "were answered or whose deadline has passed, the share answered on time. Transferred and "
        "cancelled items, and open ones not yet due, are left out. Empty when there is nothing to judge."
    ),
    unit="share",
    selector=ANSWER_FAMILY,
    compute=lambda f: share(f.on_time, f.judged),
)
PROPOSAL_DECISION_SHARE = Metric(
    key="proposal_decision_share",
    title=_("Consultation proposals with a reasoned decision"),
    definition=_(
        "Of the consultation proposals whose decision was due in the period (and that were decided or "
        "are past due), the share that received a reasoned decision, on time or late. Empty when none "
        "was due."
    ),
    unit="share",
    selector=PROPOSAL_DECISIONS,
    compute=lambda f: share(f.on_time + f.late, f.judged),
)
PETITIONS_WITHIN_TERM = Metric(
    key="petitions_answered_within_term",
    title=_("Petitions answered within the term"),
    definition=_(
        "Of the petitions whose answer was due in the period (and that were answered or are past due), "
        "the share answered within the term. Empty when none was due."
    ),
    unit="share",
    selector=PETITION_ANSWERS,
    compute=lambda f: share(f.on_time, f.judged),
)

METRICS: tuple[Metric, ...] = (
    ON_TIME_SHARE,
    RECEIVED,
    ON_TIME,
    LATE,
    OVERDUE,
    MEDIAN_DAYS,
    PROPOSAL_DECISION_SHARE,
    PETITIONS_WITHIN_TERM,
)
HEADLINE = ON_TIME_SHARE
BY_KEY: dict[str, Metric] = {metric.key: metric for metric in METRICS}


def counted_kinds() -> Q:
    """Every obligation some metric counts: the only rows the index reads."""
    condition = Q(pk__in=[])
    for metric in METRICS:
        condition |= metric.selector.q()
    return condition


def duration_kinds() -> Q:
    condition = Q(pk__in=[])
    for metric in METRICS:
        if metric.uses_durations:
            condition |= metric.selector.q()
    return condition


def values(facts_by_kind: Mapping[str, Facts]) -> dict[str, Value]:
    return {metric.key: metric.value(facts_by_kind) for metric in METRICS}
