"""Ukrainian working days and legal terms (docs/design.md rule 3: the only place for working-day maths).

Legal sources (docs/reference/ukraine-rules.md §7):

* Labour Code art. 73 lists the public holidays; art. 67 part 3 moves the day off of a holiday that
  falls on a Saturday or Sunday to the next free weekday (two colliding holidays move two days).
* Law 2136-IX art. 6 part 6 (in force 24.03.2022) suspends arts. 67 parts 3-5 and 71-73 while martial
  law lasts: holidays are ordinary working days and nothing moves. The suspension is data
  (`MartialLawPeriod`), edited by an administrator, because it ends by a date, not with a year.
* `CalendarOverride` rows win over everything (a Cabinet swap an administrator chose to apply, or a
  day the package gets wrong). Cabinet "bridge" swaps are never applied by themselves.
* Civil Code arts. 253-255: a term starts on the day after the event; a term in days ends on its last
  day, a term in months on the same-numbered day of the last month (or that month's last day); if the
  last day is a non-working day the term ends on the next working day; the act may be done until the
  end of that day.

Every date here is a Kyiv calendar date. `WorkingCalendar` is the pure core (explicit data, no
database); the module-level functions use a calendar loaded from the database and cached for
`CACHE_SECONDS` in each process (`reset_cache()` after an edit; other processes see it within the TTL).
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import holidays
from holidays.constants import PUBLIC, WORKDAY

from vzaemo.core.clock import KYIV
from vzaemo.core.models import CalendarOverride, MartialLawPeriod, RuleUnit

__all__ = [
    "CACHE_SECONDS",
    "Suspension",
    "WorkingCalendar",
    "add_calendar_days",
    "add_months",
    "add_working_days",
    "article_73_holidays",
    "at_kyiv",
    "current",
    "end_of_day",
    "is_working_day",
    "kyiv_date",
    "load",
    "next_working_day",
    "previous_working_day",
    "reset_cache",
    "term_end",
    "working_day_before",
    "working_days_between",
]

CACHE_SECONDS = 60.0

_ONE_DAY = dt.timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Saturday and Sunday are the weekly days off (Labour Code art. 67 part 1).

# Periods in which art. 67 part 3 transfers existed, keyed by the holiday's date. Before 27.01.1995
# there was no transfer, and Law 785/97-VR cancelled it from 10.01.1998 until Law 576-XIV restored it
# on 23.04.1999 (the same history the `holidays` package models in Ukraine._is_observed).
_TRANSFER_PERIODS: tuple[tuple[dt.date, dt.date | None], ...] = (
    (dt.date(1995, 1, 27), dt.date(1998, 1, 9)),
    (dt.date(1999, 4, 23), None),
)


def _is_weekend(day: dt.date) -> bool:
    return day.weekday() >= _SATURDAY


def _transfers_apply(holiday: dt.date) -> bool:
    return any(start <= holiday and (end is None or holiday <= end) for start, end in _TRANSFER_PERIODS)


@functools.cache
def article_73_holidays(year: int) -> frozenset[dt.date]:
    """The public holidays of Labour Code art. 73 in `year`, as the pinned `holidays` package lists them.

    Since 2022 the package files the holidays under the WORKDAY category (named, but working) by year;
    the platform's own dated switch decides whether they are days off, so both categories are merged.
    Observed days and Cabinet swaps are left out: art. 67 part 3 transfers are computed here (see
    `_statutory_days_off`) and swaps are not law.
    """
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        return frozenset()  # neighbours of the first and last representable years
    table = holidays.country_holidays("UA", categories=(PUBLIC, WORKDAY), observed=False, language="en_US")
    # Cabinet swaps are the package's "special" holidays; switching them off before the year is
    # populated keeps them out without filtering by (translatable) names.
    table.has_special_holidays = False
    _ = dt.date(year, 1, 1) in table  # expand=True: the membership test populates the year.
    return frozenset(day for day in table if day.year == year)


@functools.cache
def _statutory_days_off(year: int) -> Mapping[dt.date, dt.date]:
    """Weekdays of `year` that art. 73 with art. 67 part 3 makes days off, each mapped to its holiday.

    The holiday is kept so that a caller can tell whether the suspension covered it: a transfer from a
    holiday inside a martial-law period never happens. Neighbouring years are included because a
    late-December weekend holiday may move into January.
    """
    all_holidays = sorted(article_73_holidays(year - 1) | article_73_holidays(year) | article_73_holidays(year + 1))
    holiday_set = frozenset(all_holidays)
    days_off: dict[dt.date, dt.date] = {day: day for day in all_holidays if not _is_weekend(day)}
    # In date order, so that colliding holidays take consecutive free weekdays
    # (1 May 2021 Sat -> 3 May, Easter 2 May 2021 Sun -> 4 May).
    for holiday in all_holidays:
        if not _is_weekend(holiday) or not _transfers_apply(holiday):
            continue
        day = holiday + _ONE_DAY
        while _is_weekend(day) or day in holiday_set or day in days_off:
            day += _ONE_DAY
        days_off[day] = holiday
    return MappingProxyType({day: source for day, source in days_off.items() if day.year == year})


@dataclass(frozen=True)
class Suspension:
    """A martial-law period in which Law 2136-IX art. 6 part 6 suspends Labour Code arts. 67(3-5), 71-73.

    Both ends are inclusive; `ends_on is None` while martial law lasts.
    """

    starts_on: dt.date
    ends_on: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class WorkingCalendar:
    """Working-day arithmetic over explicit data: martial-law suspensions and day overrides.

    Immutable and free of the database, so tests and property checks can build one directly.
    """

    __slots__ = ("_overrides", "suspensions")

    def __init__(
        self,
        *,
        suspensions: Iterable[Suspension] = (),
        overrides: Mapping[dt.date, bool] | None = None,
    ) -> None:
        self.suspensions: tuple[Suspension, ...] = tuple(sorted(suspensions, key=lambda s: s.starts_on))
        self._overrides: Mapping[dt.date, bool] = MappingProxyType(dict(overrides or {}))

    def __repr__(self) -> str:
        return f"WorkingCalendar(suspensions={self.suspensions!r}, overrides={dict(self._overrides)!r})"

    @property
    def overrides(self) -> Mapping[dt.date, bool]:
        return self._overrides

    def holidays_suspended(self, day: dt.date) -> bool:
        """True if Law 2136-IX art. 6 part 6 suspends art. 67 parts 3-5 and art. 73 on `day`."""
        return any(suspension.covers(day) for suspension in self.suspensions)

    def is_working_day(self, day: dt.date) -> bool:
        """Labour Code arts. 67, 73; Law 2136-IX art. 6 part 6; administrator overrides win."""
        if isinstance(day, dt.datetime):
            # A datetime's own date is often the UTC one; every path through here must use the Kyiv date.
            raise TypeError("Pass a Kyiv date (calendar.kyiv_date(moment)), not a datetime.")
        override = self._overrides.get(day)
        if override is not None:
            return override
        if _is_weekend(day):
            return False
        if self.holidays_suspended(day):
            return True
        holiday = _statutory_days_off(day.year).get(day)
        # A transfer exists only if the holiday itself fell outside the suspension.
        return holiday is None or self.holidays_suspended(holiday)

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` if it is a working day, else the first working day after it (Civil Code art. 254 part 5)."""
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def previous_working_day(self, day: dt.date) -> dt.date:
        """`day` if it is a working day, else the last working day before it."""
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return day

    def working_day_before(self, day: dt.date) -> dt.date:
        """The last working day strictly before `day` (e.g. "no later than the working day before")."""
        return self.previous_working_day(day - _ONE_DAY)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The `n`-th working day after `start`: the term starts the day after the event (Civil Code art. 253).

        `n == 0` gives `start` if it is a working day, else the next working day.
        """
        if n < 0:
            raise ValueError(f"A term cannot be negative: {n} working days.")
        if n == 0:
            return self.next_working_day(start)
        day = start
        remaining = n
        while remaining:
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def add_calendar_days(self, start: dt.date, n: int) -> dt.date:
        """Last day of a term of `n` days from an event on `start` (Civil Code arts. 253, 254 part 5).

        The term ends on `start + n`, or on the next working day if that is a non-working day.
        """
        if n < 0:
            raise ValueError(f"A term cannot be negative: {n} days.")
        return self.next_working_day(start + dt.timedelta(days=n))

    def add_months(self, start: dt.date, n: int) -> dt.date:
        """Last day of a term of `n` months from an event on `start` (Civil Code arts. 253, 254 parts 3, 5).

        The term ends on the same-numbered day of the last month, or on that month's last day if it has
        no such day (31 Jan + 1 month -> 28/29 Feb), then on the next working day if that one is not.
        """
        if n < 0:
            raise ValueError(f"A term cannot be negative: {n} months.")
        months = start.year * 12 + start.month - 1 + n
        year, month = divmod(months, 12)
        month += 1
        day = min(start.day, _days_in_month(year, month))
        return self.next_working_day(dt.date(year, month, day))

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days lie in (start, end]; 0 if `end <= start`."""
        count = 0
        day = start + _ONE_DAY
        while day <= end:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return count

    def term_end(self, start_at: dt.datetime, *, value: int, unit: str) -> dt.datetime:
        """The last moment of a term of `value` `unit`s from an event at `start_at` (Civil Code arts. 253-255).

        Days and months count from the event's Kyiv date (a moment just after Kyiv midnight belongs to
        the new day even while UTC still says the previous one) and end at the end of the last day
        (art. 255 part 1). Hours are elapsed time, so they are added in UTC and cross clock changes
        correctly.
        """
        if start_at.utcoffset() is None:
            raise ValueError("term_end needs an aware datetime.")
        if value < 0:
            raise ValueError(f"A term cannot be negative: {value} {unit}.")
        if unit == RuleUnit.HOURS:
            return (start_at.astimezone(dt.UTC) + dt.timedelta(hours=value)).astimezone(KYIV)
        day = kyiv_date(start_at)
        if unit == RuleUnit.WORKING_DAYS:
            return end_of_day(self.add_working_days(day, value))
        if unit == RuleUnit.CALENDAR_DAYS:
            return end_of_day(self.add_calendar_days(day, value))
        if unit == RuleUnit.MONTHS:
            return end_of_day(self.add_months(day, value))
        raise ValueError(f"{unit!r} is not a unit of time for a term.")


def _days_in_month(year: int, month: int) -> int:
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return (first_of_next - _ONE_DAY).day


# --- Kyiv time --------------------------------------------------------------------------------


def kyiv_date(moment: dt.datetime) -> dt.date:
    """The Kyiv calendar date of an aware moment: legal days start at Kyiv midnight."""
    if moment.utcoffset() is None:
        raise ValueError("kyiv_date needs an aware datetime.")
    return moment.astimezone(KYIV).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of `day` in Kyiv, until which a term's act may be done (Civil Code art. 255 part 1)."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=KYIV)


def at_kyiv(day: dt.date, time_of_day: dt.time) -> dt.datetime:
    """The aware moment of a Kyiv wall-clock time on `day` (e.g. an office's closing hour).

    A wall time skipped by the spring clock change resolves with the winter offset (PEP 495, fold=0).
    """
    if time_of_day.tzinfo is not None:
        raise ValueError("at_kyiv takes a naive wall-clock time; it supplies the Kyiv zone itself.")
    return dt.datetime.combine(day, time_of_day, tzinfo=KYIV)


# --- The database-backed calendar, cached per process ------------------------------------------


class _Cache:
    """The last loaded calendar; a generation counter keeps a slow load from outliving a reset."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.generation = 0
        self.loaded_at = 0.0
        self.calendar: WorkingCalendar | None = None


_cache = _Cache()


def load() -> WorkingCalendar:
    """Read martial-law periods and overrides from the database (uncached)."""
    suspensions = [
        Suspension(starts_on=starts_on, ends_on=ends_on)
        for starts_on, ends_on in MartialLawPeriod.objects.values_list("starts_on", "ends_on")
    ]
    overrides = dict(CalendarOverride.objects.values_list("day", "is_working_day"))
    return WorkingCalendar(suspensions=suspensions, overrides=overrides)


def current() -> WorkingCalendar:
    """The calendar from the database, reloaded when older than `CACHE_SECONDS`."""
    with _cache.lock:
        calendar, generation = _cache.calendar, _cache.generation
        if calendar is not None and time.monotonic() - _cache.loaded_at < CACHE_SECONDS:
            return calendar
    # Loading outside the lock: a slow query must not block other threads that still have fresh data.
    loaded_at = time.monotonic()
    calendar = load()
    with _cache.lock:
        if _cache.generation == generation:
            _cache.calendar, _cache.loaded_at = calendar, loaded_at
    return calendar


def reset_cache() -> None:
    """Forget the cached calendar (tests, and the admin after an edit)."""
    with _cache.lock:
        _cache.generation += 1
        _cache.calendar = None


# --- Public API over the current calendar -------------------------------------------------------


def is_working_day(day: dt.date) -> bool:
    """Whether `day` is a working day (Labour Code arts. 67, 73; Law 2136-IX art. 6 part 6; overrides)."""
    return current().is_working_day(day)


def next_working_day(day: dt.date) -> dt.date:
    """`day` if it is a working day, else the first working day after it (Civil Code art. 254 part 5)."""
    return current().next_working_day(day)


def previous_working_day(day: dt.date) -> dt.date:
    """`day` if it is a working day, else the last working day before it."""
    return current().previous_working_day(day)


def working_day_before(day: dt.date) -> dt.date:
    """The last working day strictly before `day`."""
    return current().working_day_before(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The `n`-th working day after `start` (Civil Code art. 253); `n == 0` rolls `start` forward."""
    return current().add_working_days(start, n)


def add_calendar_days(start: dt.date, n: int) -> dt.date:
    """Last day of an `n`-day term from `start`, moved to the next working day (Civil Code arts. 253-254)."""
    return current().add_calendar_days(start, n)


def add_months(start: dt.date, n: int) -> dt.date:
    """Last day of an `n`-month term from `start` (Civil Code art. 254 parts 3, 5)."""
    return current().add_months(start, n)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days lie in (start, end]."""
    return current().working_days_between(start, end)


def term_end(start_at: dt.datetime, *, value: int, unit: str) -> dt.datetime:
    """The deadline moment of a term from an event at `start_at` (Civil Code arts. 253-255).

    `unit` is a `RuleUnit` of time: working_days, calendar_days, months (each ends at the end of the
    Kyiv day) or hours (elapsed time). Pass `RuleValue.as_int` and `RuleValue.unit` from the registry.
    """
    return current().term_end(start_at, value=value, unit=unit)
