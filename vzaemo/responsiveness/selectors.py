"""Reads of the responsiveness index: aggregate queries over core.Obligation, nothing module-specific.

Three queries answer any set of periods for any set of authorities — one grouped by the month or
quarter of `opened_at`, one by that of `due_at`, one fetching the opening and closing moments of the
obligations fulfilled in the range (for the median, computed in Python so it runs on SQLite too) —
plus one for the authorities' names. Periods are truncated in Europe/Kyiv by the database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Trunc
from django.utils.translation import get_language

from vzaemo.accounts.models import Authority
from vzaemo.core import clock
from vzaemo.core.models import Obligation, ObligationOutcome
from vzaemo.responsiveness import metrics, periods
from vzaemo.responsiveness.metrics import Facts, Value
from vzaemo.responsiveness.periods import Period

CACHE_SECONDS = 60
TREND_MONTHS = 12

# (authority id, period start as a Kyiv date) -> kind -> facts
FactsTable = dict[tuple[int, dt.date], dict[str, Facts]]


@dataclass
class AuthorityIndex:
    """One authority's metrics for one period."""

    slug: str
    name_uk: str
    name_en: str
    period: Period
    values: dict[str, Value]

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "uk").startswith("en") and self.name_en else self.name_uk

    @property
    def score(self) -> Value:
        return self.values[metrics.HEADLINE.key]

    @property
    def score_text(self) -> str:
        return metrics.HEADLINE.display(self.score)

    @property
    def cells(self) -> list[tuple[metrics.Metric, Value, str]]:
        """Every metric with its value and its display text, in metrics.METRICS order."""
        return [
            (metric, self.values[metric.key], metric.display(self.values[metric.key])) for metric in metrics.METRICS
        ]


@dataclass
class IndexResult:
    period: Period
    computed_at: dt.datetime
    rows: list[AuthorityIndex]


@dataclass
class AuthorityTrend:
    slug: str
    name_uk: str
    name_en: str
    computed_at: dt.datetime
    points: list[AuthorityIndex] = field(default_factory=list)  # oldest month first

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "uk").startswith("en") and self.name_en else self.name_uk

    @property
    def has_data(self) -> bool:
        return any(value not in (None, 0) for point in self.points for value in point.values.values())


def _bucket(moment: dt.datetime | dt.date) -> dt.date:
    if isinstance(moment, dt.datetime):
        return moment.astimezone(clock.KYIV).date() if moment.tzinfo else moment.date()
    return moment


def facts_table(
    *, start: dt.datetime, end: dt.datetime, granularity: str, now: dt.datetime, authority_id: int | None = None
) -> FactsTable:
    """Facts per (authority, period, kind) for the periods of `granularity` in [start, end)."""
    table: FactsTable = defaultdict(lambda: defaultdict(Facts))
    base = Obligation.objects.filter(metrics.counted_kinds())
    if authority_id is not None:
        base = base.filter(authority_id=authority_id)

    def grouped(field_name: str, **bounds: dt.datetime) -> QuerySet[Any, Any]:
        return (
            base.filter(**bounds)
            .annotate(bucket=Trunc(field_name, granularity, tzinfo=clock.KYIV))
            .values("authority_id", "bucket", "kind")
            .order_by()
        )

    for row in grouped("opened_at", opened_at__gte=start, opened_at__lt=end).annotate(n=Count("id")):
        table[(row["authority_id"], _bucket(row["bucket"]))][row["kind"]].received = row["n"]

    fulfilled = Q(outcome=ObligationOutcome.FULFILLED)
    is_open = Q(outcome=ObligationOutcome.OPEN)
    for row in grouped("due_at", due_at__gte=start, due_at__lt=end).annotate(
        on_time=Count("id", filter=fulfilled & Q(closed_at__lte=F("due_at"))),
        late=Count("id", filter=fulfilled & Q(closed_at__gt=F("due_at"))),
        overdue=Count("id", filter=is_open & Q(due_at__lt=now)),
        pending=Count("id", filter=is_open & Q(due_at__gte=now)),
        transferred=Count("id", filter=Q(outcome=ObligationOutcome.TRANSFERRED)),
        cancelled=Count("id", filter=Q(outcome=ObligationOutcome.CANCELLED)),
    ):
        facts = table[(row["authority_id"], _bucket(row["bucket"]))][row["kind"]]
        for name in ("on_time", "late", "overdue", "pending", "transferred", "cancelled"):
            setattr(facts, name, row[name])

    closed = (
        base.filter(metrics.duration_kinds(), fulfilled, closed_at__gte=start, closed_at__lt=end)
        .annotate(bucket=Trunc("closed_at", granularity, tzinfo=clock.KYIV))
        .values_list("authority_id", "bucket", "kind", "opened_at", "closed_at")
        .order_by()
    )
    for authority, bucket, kind, opened_at, closed_at in closed:
        if closed_at is None:  # excluded by the filter; the column is nullable
            continue
        elapsed = (closed_at - opened_at).total_seconds() / metrics.SECONDS_PER_DAY
        table[(authority, _bucket(bucket))][kind].durations.append(elapsed)
    return table


def _authorities(ids: Iterable[int]) -> dict[int, tuple[str, str, str]]:
    return {
        pk: (slug, name_uk, name_en)
        for pk, slug, name_uk, name_en in Authority.objects.filter(pk__in=set(ids)).values_list(
            "pk", "slug", "name_uk", "name_en"
        )
    }


def _has_data(facts_by_kind: dict[str, Facts]) -> bool:
    return any(not facts.is_empty for facts in facts_by_kind.values())


def sort_key(row: AuthorityIndex) -> tuple[bool, float, int, str]:
    """Best score first; authorities with nothing to judge last; then by volume, then by name."""
    score = row.score
    received = row.values[metrics.RECEIVED.key]
    return (score is None, -(score or 0.0), -int(received or 0), row.name_uk)


def index_compute(period: Period, *, now: dt.datetime | None = None) -> IndexResult:
    """Every authority with at least one counted obligation opened, due or closed in the period."""
    now = now or clock.now()
    table = facts_table(start=period.start, end=period.end, granularity=period.granularity, now=now)
    names = _authorities(authority_id for authority_id, _bucket_ in table)
    rows = [
        AuthorityIndex(*names[authority_id], period=period, values=metrics.values(facts_by_kind))
        for (authority_id, _bucket_), facts_by_kind in table.items()
        if _has_data(facts_by_kind)
    ]
    rows.sort(key=sort_key)
    return IndexResult(period=period, computed_at=now, rows=rows)


def index_for_period(period: Period) -> IndexResult:
    """The index as the public pages and files serve it: cached briefly, the same for every reader."""
    result = cache.get_or_set(f"responsiveness:index:{period.key}", lambda: index_compute(period), CACHE_SECONDS)
    return cast(IndexResult, result)


def authority_get(slug: str) -> Authority | None:
    return Authority.objects.filter(slug=slug).first()


def trend_compute(
    authority: Authority, *, months: int = TREND_MONTHS, now: dt.datetime | None = None
) -> AuthorityTrend:
    """The last `months` calendar months (the current one included) of one authority."""
    now = now or clock.now()
    span = periods.recent_months(months, until=now)
    table = facts_table(
        start=span[0].start, end=span[-1].end, granularity=periods.MONTH, now=now, authority_id=authority.pk
    )
    names = (authority.slug, authority.name_uk, authority.name_en)
    trend = AuthorityTrend(*names, computed_at=now)
    for period in span:
        facts_by_kind = table.get((authority.pk, period.start_date), {})
        trend.points.append(AuthorityIndex(*names, period=period, values=metrics.values(facts_by_kind)))
    return trend


def trend_for_authority(authority: Authority) -> AuthorityTrend:
    result = cache.get_or_set(f"responsiveness:trend:{authority.pk}", lambda: trend_compute(authority), CACHE_SECONDS)
    return cast(AuthorityTrend, result)
