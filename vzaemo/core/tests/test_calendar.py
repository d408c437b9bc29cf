"""The working-day calendar (docs/reference/ukraine-rules.md §7) and its admin screens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import holidays
import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_django import DjangoAssertNumQueries, Settings

from vzaemo.accounts.models import Authority, User
from vzaemo.core import calendar
from vzaemo.core.calendar import Suspension, WorkingCalendar
from vzaemo.core.clock import KYIV
from vzaemo.core.models import (
    AuditEntry,
    CalendarOverride,
    LegalRule,
    LegalRuleOverride,
    MartialLawPeriod,
    RuleConfidence,
)

D = dt.date
MARTIAL_LAW_FROM = D(2022, 3, 24)  # Law 2136-IX art. 6 part 6 in force

# The pure core with the data the seed migration loads: the suspension open since 24.03.2022.
UKRAINE = WorkingCalendar(suspensions=[Suspension(MARTIAL_LAW_FROM)])
# Martial law over at the end of 2025: art. 73 and art. 67 part 3 apply again from 2026.
AFTER_2025 = WorkingCalendar(suspensions=[Suspension(MARTIAL_LAW_FROM, D(2025, 12, 31))])
NEVER_SUSPENDED = WorkingCalendar()
WITH_OVERRIDES = WorkingCalendar(
    suspensions=[Suspension(MARTIAL_LAW_FROM)],
    overrides={D(2021, 8, 23): False, D(2021, 8, 28): True, D(2024, 12, 31): False, D(2025, 6, 28): True},
)
CALENDARS = [UKRAINE, AFTER_2025, NEVER_SUSPENDED, WITH_OVERRIDES]


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def kyiv(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=KYIV)


@pytest.fixture
def db_calendar(db: None) -> Iterator[None]:
    """The module API over the database, with no calendar cached from another test."""
    calendar.reset_cache()
    yield
    calendar.reset_cache()


# --- the holiday list from the package --------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        # 1 Jan, 7 Jan, 8 Mar, 1 May, Easter, 9 May, Trinity, 28 Jun, 24 Aug, 14 Oct, 25 Dec
        (2019, ["01-01", "01-07", "03-08", "04-28", "05-01", "05-09", "06-16", "06-28", "08-24", "10-14", "12-25"]),
        (2021, ["01-01", "01-07", "03-08", "05-01", "05-02", "05-09", "06-20", "06-28", "08-24", "10-14", "12-25"]),
        # Statehood Day 28 Jul from 2022.
        (
            2022,
            [
                "01-01",
                "01-07",
                "03-08",
                "04-24",
                "05-01",
                "05-09",
                "06-12",
                "06-28",
                "07-28",
                "08-24",
                "10-14",
                "12-25",
            ],
        ),
        # Law 3107-IX: 8 May instead of 9 May, no 7 Jan, Statehood Day 15 Jul, Defenders' Day 1 Oct.
        (2024, ["01-01", "03-08", "05-01", "05-05", "05-08", "06-23", "06-28", "07-15", "08-24", "10-01", "12-25"]),
    ],
)
def test_article_73_holidays_have_no_observed_days_and_no_cabinet_swaps(year: int, expected: list[str]) -> None:
    assert sorted(calendar.article_73_holidays(year)) == [D.fromisoformat(f"{year}-{md}") for md in expected]


def test_transfers_match_the_packages_observed_days_before_martial_law() -> None:
    # The package's own "observed" rule implements art. 67 part 3; ours must agree for every year it
    # was in force without suspension (Cabinet swaps left out of both).
    table = holidays.country_holidays("UA", observed=True, language="en_US")
    table.has_special_holidays = False
    for year in range(2000, 2022):
        _ = D(year, 1, 1) in table
        package_weekdays_off = {day for day in table if day.year == year and day.weekday() < 5}
        year_days = (D(year, 1, 1) + dt.timedelta(days=i) for i in range(366))
        ours = {
            day
            for day in year_days
            if day.year == year and day.weekday() < 5 and not NEVER_SUSPENDED.is_working_day(day)
        }
        assert ours == package_weekdays_off, year


# --- known dates --------------------------------------------------------------------------------

KNOWN_DAYS = [
    # Before martial law: art. 73 days off, art. 67 part 3 transfers.
    ("2021-05-01", False, "Labour Day on a Saturday"),
    ("2021-05-03", False, "1 May (Sat) moved to Monday"),
    ("2021-05-04", False, "Easter 2 May (Sun) collided: moved to Tuesday"),
    ("2021-05-05", True, "an ordinary Wednesday after the transfers"),
    ("2021-05-10", False, "9 May (Sun) moved to Monday"),
    ("2021-08-24", False, "Independence Day on a Tuesday"),
    ("2021-08-23", True, "Cabinet bridge day: not applied without an override"),
    ("2021-01-01", False, "New Year"),
    ("2020-06-28", False, "Constitution Day on a Sunday"),
    ("2020-06-29", False, "Constitution Day moved to Monday"),
    ("2020-06-30", True, "the day after the transfer"),
    ("2019-01-07", False, "Orthodox Christmas 2019 (Monday)"),
    ("2021-12-27", False, "Christmas 25 Dec (Sat) moved to Monday"),
    ("2022-01-03", False, "New Year 2022 (Sat) moved to Monday, before martial law"),
    ("2022-01-07", False, "Orthodox Christmas 2022 (Friday), before martial law"),
    ("2022-03-07", True, "Cabinet bridge day before 8 March 2022: not applied"),
    ("2022-03-08", False, "8 March 2022: still a holiday, suspension from 24.03.2022"),
    ("2022-03-23", True, "the last day before the suspension, an ordinary Wednesday"),
    ("2022-03-24", True, "the suspension's first day"),
    # Martial law: only Saturday and Sunday are off, nothing moves.
    ("2022-04-25", True, "Easter Monday 2022: Easter 24 Apr (Sun) does not move"),
    ("2022-05-02", True, "1 May 2022 (Sun) does not move"),
    ("2022-08-24", True, "Independence Day 2022 is a working Wednesday"),
    ("2023-01-01", False, "a Sunday"),
    ("2023-01-02", True, "New Year 2023 (Sun) does not move: a working Monday"),
    ("2024-12-25", True, "Christmas 2024 is a working Wednesday"),
    ("2025-05-01", True, "Labour Day 2025 is a working Thursday"),
    ("2025-05-03", False, "a Saturday"),
]


@pytest.mark.parametrize(("day", "working", "why"), KNOWN_DAYS)
def test_known_days_pure(day: str, working: bool, why: str) -> None:
    assert UKRAINE.is_working_day(D.fromisoformat(day)) is working, why


@pytest.mark.django_db
@pytest.mark.parametrize(("day", "working", "why"), KNOWN_DAYS)
def test_known_days_from_the_seeded_database(db_calendar: None, day: str, working: bool, why: str) -> None:
    assert calendar.is_working_day(D.fromisoformat(day)) is working, why


@pytest.mark.django_db
def test_the_seed_migration_loads_the_open_suspension(db_calendar: None) -> None:
    loaded = calendar.load()
    assert loaded.suspensions == UKRAINE.suspensions
    assert loaded.overrides == {}


def test_a_transfer_from_a_suspended_holiday_never_happens() -> None:
    # 1 May 2022 was a Sunday inside the suspension; if martial law had ended on 1 May, 2 May would
    # still be working, because the holiday itself fell inside the suspension.
    ended_on_1_may = WorkingCalendar(suspensions=[Suspension(MARTIAL_LAW_FROM, D(2022, 5, 1))])
    assert ended_on_1_may.is_working_day(D(2022, 5, 2))
    # ... and a holiday just after the end moves again: 9 May 2022 was a Monday holiday.
    assert not ended_on_1_may.is_working_day(D(2022, 5, 9))


def test_working_day_navigation() -> None:
    assert UKRAINE.next_working_day(D(2025, 3, 8)) == D(2025, 3, 10)  # Sat -> Mon
    assert UKRAINE.next_working_day(D(2025, 3, 10)) == D(2025, 3, 10)  # already working
    assert UKRAINE.previous_working_day(D(2025, 3, 9)) == D(2025, 3, 7)  # Sun -> Fri
    assert UKRAINE.previous_working_day(D(2025, 3, 7)) == D(2025, 3, 7)
    assert UKRAINE.working_day_before(D(2025, 3, 10)) == D(2025, 3, 7)  # strictly before Monday
    assert UKRAINE.working_day_before(D(2025, 3, 7)) == D(2025, 3, 6)
    assert NEVER_SUSPENDED.working_day_before(D(2021, 5, 5)) == D(2021, 4, 30)  # over 1-4 May 2021
    assert NEVER_SUSPENDED.next_working_day(D(2021, 5, 1)) == D(2021, 5, 5)


# --- overrides and the end of martial law (database) --------------------------------------------


@pytest.mark.django_db
def test_an_override_beats_both_regimes(db_calendar: None) -> None:
    CalendarOverride.objects.create(day=D(2021, 8, 24), is_working_day=True, reason="test: holiday made working")
    CalendarOverride.objects.create(day=D(2021, 8, 23), is_working_day=False, reason="test: Cabinet bridge applied")
    CalendarOverride.objects.create(day=D(2025, 5, 2), is_working_day=False, reason="test: day off in martial law")
    CalendarOverride.objects.create(day=D(2025, 5, 3), is_working_day=True, reason="test: working Saturday")
    calendar.reset_cache()
    assert calendar.is_working_day(D(2021, 8, 24))
    assert not calendar.is_working_day(D(2021, 8, 23))
    assert not calendar.is_working_day(D(2025, 5, 2))
    assert calendar.is_working_day(D(2025, 5, 3))
    # The override counts in arithmetic too: Thu 1 May 2025 + 1 skips Fri 2 May and lands on Sat 3 May.
    assert calendar.add_working_days(D(2025, 5, 1), 1) == D(2025, 5, 3)


@pytest.mark.django_db
def test_closing_martial_law_makes_later_holidays_days_off_again(db_calendar: None) -> None:
    assert calendar.is_working_day(D(2026, 1, 1))
    MartialLawPeriod.objects.filter(ends_on__isnull=True).update(ends_on=D(2025, 12, 31))
    calendar.reset_cache()
    assert calendar.is_working_day(D(2025, 12, 25))  # still inside the suspension
    assert not calendar.is_working_day(D(2026, 1, 1))  # New Year, a Thursday
    assert calendar.is_working_day(D(2026, 1, 7))  # no longer a holiday since 2024
    assert not calendar.is_working_day(D(2026, 3, 9))  # 8 March (Sun) moves to Monday
    assert not calendar.is_working_day(D(2026, 4, 13))  # Easter 12 April (Sun) moves to Monday
    assert calendar.is_working_day(D(2026, 4, 14))


@pytest.mark.django_db
def test_the_loader_is_cached_until_reset_or_expiry(
    db_calendar: None, django_assert_num_queries: DjangoAssertNumQueries, monkeypatch: pytest.MonkeyPatch
) -> None:
    with django_assert_num_queries(2):
        calendar.is_working_day(D(2025, 1, 1))
    with django_assert_num_queries(0):
        calendar.add_working_days(D(2025, 1, 1), 30)
    CalendarOverride.objects.create(day=D(2025, 1, 1), is_working_day=False, reason="test")
    assert calendar.is_working_day(D(2025, 1, 1))  # stale by design until reset or expiry
    calendar.reset_cache()
    assert not calendar.is_working_day(D(2025, 1, 1))
    monkeypatch.setattr(calendar, "CACHE_SECONDS", 0.0)
    with django_assert_num_queries(2):
        calendar.is_working_day(D(2025, 1, 1))


# --- Civil Code terms ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        ("2025-01-31", 1, "2025-02-28"),  # no 31 Feb: the last day of February (a Friday)
        ("2024-01-31", 1, "2024-02-29"),  # leap year
        ("2023-01-31", 1, "2023-02-28"),
        ("2026-01-31", 1, "2026-03-02"),  # 28 Feb 2026 is a Saturday -> Monday
        ("2025-10-31", 4, "2026-03-02"),  # across the year end, clamped, then rolled
        ("2025-03-15", 12, "2026-03-16"),  # 15 Mar 2026 is a Sunday
        ("2025-05-10", 1, "2025-06-10"),  # the same-numbered day
        ("2025-12-15", 1, "2026-01-15"),
        ("2025-03-31", 1, "2025-04-30"),  # April has 30 days
        ("2025-06-30", 0, "2025-06-30"),
    ],
)
def test_month_terms(start: str, months: int, end: str) -> None:
    assert UKRAINE.add_months(D.fromisoformat(start), months) == D.fromisoformat(end)


def test_day_terms_end_on_the_next_working_day() -> None:
    assert UKRAINE.add_calendar_days(D(2025, 3, 7), 15) == D(2025, 3, 24)  # 22 Mar is a Saturday
    assert UKRAINE.add_calendar_days(D(2025, 3, 7), 3) == D(2025, 3, 10)
    assert UKRAINE.add_calendar_days(D(2025, 4, 25), 6) == D(2025, 5, 1)  # 1 May 2025 is working
    # Before martial law, a term ending on 1 May 2021 ends on 5 May (2 May Sunday, 3-4 May off).
    assert UKRAINE.add_calendar_days(D(2021, 4, 16), 15) == D(2021, 5, 5)
    assert NEVER_SUSPENDED.add_months(D(2021, 4, 1), 1) == D(2021, 5, 5)


def test_working_day_terms() -> None:
    assert UKRAINE.add_working_days(D(2025, 3, 7), 1) == D(2025, 3, 10)  # Fri + 1 -> Mon
    assert UKRAINE.add_working_days(D(2025, 3, 8), 0) == D(2025, 3, 10)  # Sat, n=0 -> Mon
    assert UKRAINE.add_working_days(D(2025, 3, 10), 0) == D(2025, 3, 10)
    assert UKRAINE.add_working_days(D(2025, 3, 8), 1) == D(2025, 3, 10)  # counting starts the next day
    # E-petition answer in 10 working days from Mon 26 Apr 2021: 3-4 and 10 May 2021 were off.
    assert UKRAINE.add_working_days(D(2021, 4, 26), 10) == D(2021, 5, 13)
    assert UKRAINE.add_working_days(D(2025, 4, 28), 10) == D(2025, 5, 12)  # 1 May 2025 counts
    assert UKRAINE.working_days_between(D(2021, 4, 26), D(2021, 5, 13)) == 10
    assert UKRAINE.working_days_between(D(2025, 3, 10), D(2025, 3, 10)) == 0
    assert UKRAINE.working_days_between(D(2025, 3, 10), D(2025, 3, 1)) == 0


@pytest.mark.parametrize("method", ["add_working_days", "add_calendar_days", "add_months"])
def test_negative_terms_are_refused(method: str) -> None:
    with pytest.raises(ValueError, match="negative"):
        getattr(UKRAINE, method)(D(2025, 3, 10), -1)


# --- Kyiv time ----------------------------------------------------------------------------------


def test_end_of_day_and_at_kyiv_are_aware_kyiv_moments() -> None:
    assert calendar.end_of_day(D(2025, 3, 29)) == kyiv("2025-03-29T23:59:59.999999")
    assert calendar.end_of_day(D(2025, 3, 29)).utcoffset() == dt.timedelta(hours=2)  # winter time
    assert calendar.end_of_day(D(2025, 3, 30)).utcoffset() == dt.timedelta(hours=3)  # summer time since 04:00
    assert calendar.at_kyiv(D(2025, 7, 1), dt.time(18, 0)) == utc("2025-07-01T15:00:00")
    assert calendar.at_kyiv(D(2025, 12, 1), dt.time(18, 0)) == utc("2025-12-01T16:00:00")
    with pytest.raises(ValueError, match="naive"):
        calendar.at_kyiv(D(2025, 7, 1), dt.time(18, 0, tzinfo=dt.UTC))


def test_a_moment_after_kyiv_midnight_belongs_to_the_next_day() -> None:
    event = utc("2025-03-09T22:30:00")  # Sunday in UTC, 00:30 on Monday 10 March in Kyiv
    assert calendar.kyiv_date(event) == D(2025, 3, 10)
    # From Monday 10 March, not from Sunday 9 March (which would give Monday 10 March).
    assert UKRAINE.term_end(event, value=1, unit="working_days") == calendar.end_of_day(D(2025, 3, 11))
    assert UKRAINE.term_end(event, value=15, unit="calendar_days") == calendar.end_of_day(D(2025, 3, 25))
    # Fri 10 Jan 2025, 00:30 Kyiv: UTC still says Thursday 9 January.
    assert UKRAINE.term_end(utc("2025-01-09T22:30:00"), value=1, unit="working_days") == calendar.end_of_day(
        D(2025, 1, 13)
    )
    # 31 January in Kyiv: one month ends on 28 February.
    assert UKRAINE.term_end(utc("2025-01-30T22:30:00"), value=1, unit="months") == calendar.end_of_day(D(2025, 2, 28))


def test_term_end_across_clock_changes() -> None:
    # Autumn: at 21:30 UTC on 25 Oct 2025 Kyiv is still on summer time (+3): 00:30 on Sunday 26 October.
    autumn = utc("2025-10-25T21:30:00")
    assert calendar.kyiv_date(autumn) == D(2025, 10, 26)
    assert UKRAINE.term_end(autumn, value=1, unit="working_days") == kyiv("2025-10-27T23:59:59.999999")
    assert UKRAINE.term_end(autumn, value=1, unit="working_days").utcoffset() == dt.timedelta(hours=2)
    # Hours are elapsed time: 24 hours over a clock change is not the same wall time next day.
    spring = kyiv("2025-03-29T12:00:00")
    assert UKRAINE.term_end(spring, value=24, unit="hours") == kyiv("2025-03-30T13:00:00")
    autumn_noon = kyiv("2025-10-25T12:00:00")
    assert UKRAINE.term_end(autumn_noon, value=24, unit="hours") == kyiv("2025-10-26T11:00:00")
    # (Aware datetimes sharing a tzinfo subtract as wall times, so compare in UTC.)
    elapsed = UKRAINE.term_end(autumn_noon, value=24, unit="hours").astimezone(dt.UTC) - autumn_noon.astimezone(dt.UTC)
    assert elapsed == dt.timedelta(hours=24)
    # A month over the spring change still ends at 23:59:59.999999 Kyiv, now on summer time.
    assert UKRAINE.term_end(kyiv("2025-03-10T09:00:00"), value=1, unit="months") == kyiv("2025-04-10T23:59:59.999999")


def test_datetimes_are_refused_where_a_kyiv_date_is_meant() -> None:
    with pytest.raises(TypeError, match="kyiv_date"):
        UKRAINE.is_working_day(utc("2025-03-09T22:30:00"))
    with pytest.raises(TypeError, match="kyiv_date"):
        UKRAINE.add_working_days(utc("2025-03-09T22:30:00"), 3)
    with pytest.raises(ValueError, match="aware"):
        calendar.kyiv_date(dt.datetime(2025, 3, 9, 22, 30))


def test_term_end_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="aware"):
        UKRAINE.term_end(dt.datetime(2025, 3, 10, 12, 0), value=1, unit="working_days")
    with pytest.raises(ValueError, match="not a unit of time"):
        UKRAINE.term_end(kyiv("2025-03-10T12:00:00"), value=1, unit="count")
    with pytest.raises(ValueError, match="negative"):
        UKRAINE.term_end(kyiv("2025-03-10T12:00:00"), value=-1, unit="hours")


@pytest.mark.django_db
def test_module_term_end_uses_the_database_calendar(db_calendar: None) -> None:
    # 24 Aug 2021 (Tue) was off, 23 Aug was an unapplied bridge: Mon 23 Aug + 1 -> Wed 25 Aug.
    assert calendar.term_end(kyiv("2021-08-23T10:00:00"), value=1, unit="working_days") == calendar.end_of_day(
        D(2021, 8, 25)
    )
    assert calendar.term_end(kyiv("2024-08-23T10:00:00"), value=1, unit="working_days") == calendar.end_of_day(
        D(2024, 8, 26)
    )
    assert calendar.add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert calendar.add_calendar_days(D(2025, 3, 7), 15) == D(2025, 3, 24)
    assert calendar.next_working_day(D(2025, 3, 8)) == D(2025, 3, 10)
    assert calendar.previous_working_day(D(2025, 3, 9)) == D(2025, 3, 7)
    assert calendar.working_day_before(D(2025, 3, 10)) == D(2025, 3, 7)
    assert calendar.working_days_between(D(2025, 3, 7), D(2025, 3, 14)) == 5


# --- properties -----------------------------------------------------------------------------------

calendars = st.sampled_from(CALENDARS)
days = st.dates(min_value=D(2015, 1, 1), max_value=D(2030, 12, 31))
terms = st.integers(min_value=0, max_value=60)
positive_terms = st.integers(min_value=1, max_value=60)
PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(calendars, days, positive_terms, terms)
def test_working_day_terms_compose(cal: WorkingCalendar, day: dt.date, n: int, m: int) -> None:
    # Holds from any day once n >= 1: the n-th working day after `day` is a working day, so counting m
    # more from it gives the (n+m)-th.
    assert cal.add_working_days(cal.add_working_days(day, n), m) == cal.add_working_days(day, n + m)


@PROPERTY
@given(calendars, days, positive_terms)
def test_a_zero_term_composes_only_from_a_working_day(cal: WorkingCalendar, day: dt.date, m: int) -> None:
    # n == 0 rolls a non-working day forward to a working day that is itself the first one counted
    # by add_working_days(day, m), so one working day is counted twice.
    rolled = cal.add_working_days(cal.add_working_days(day, 0), m)
    if cal.is_working_day(day):
        assert rolled == cal.add_working_days(day, m)
    else:
        assert rolled == cal.add_working_days(day, m + 1)


@PROPERTY
@given(calendars, days, terms)
def test_working_day_terms_end_on_a_working_day(cal: WorkingCalendar, day: dt.date, n: int) -> None:
    end = cal.add_working_days(day, n)
    assert cal.is_working_day(end)
    assert end > day if n >= 1 else end >= day
    expected = n if n >= 1 or cal.is_working_day(day) else 1
    assert cal.working_days_between(day, end) == expected


@PROPERTY
@given(calendars, days, days, terms, terms)
def test_working_day_terms_are_monotonic(cal: WorkingCalendar, a: dt.date, b: dt.date, n: int, m: int) -> None:
    (a, b), (n, m) = sorted((a, b)), sorted((n, m))
    assert cal.add_working_days(a, n) <= cal.add_working_days(b, n)
    assert cal.add_working_days(a, n) <= cal.add_working_days(a, m)
    assert cal.working_days_between(a, b) <= cal.working_days_between(a, b + dt.timedelta(days=m))


@PROPERTY
@given(calendars, days, st.integers(min_value=0, max_value=45), st.integers(min_value=0, max_value=14))
def test_civil_code_terms_end_on_a_working_day_no_earlier_than_due(
    cal: WorkingCalendar, day: dt.date, n: int, months: int
) -> None:
    by_days = cal.add_calendar_days(day, n)
    assert cal.is_working_day(by_days)
    assert by_days >= day + dt.timedelta(days=n)
    assert cal.working_days_between(day + dt.timedelta(days=n), by_days) <= 1  # rolled at most once
    by_months = cal.add_months(day, months)
    assert cal.is_working_day(by_months)
    assert by_months >= day


@PROPERTY
@given(calendars, days)
def test_navigation_brackets_the_day(cal: WorkingCalendar, day: dt.date) -> None:
    before, previous, following = cal.working_day_before(day), cal.previous_working_day(day), cal.next_working_day(day)
    assert before < day
    assert previous <= day <= following
    assert all(cal.is_working_day(d) for d in (before, previous, following))
    assert (previous == day == following) is cal.is_working_day(day)
    assert cal.working_days_between(before, day) == int(cal.is_working_day(day))


@PROPERTY
@given(calendars, st.datetimes(min_value=dt.datetime(2018, 1, 1), max_value=dt.datetime(2030, 1, 1)), terms)
def test_term_end_is_the_end_of_a_kyiv_working_day(cal: WorkingCalendar, naive_utc: dt.datetime, n: int) -> None:
    start_at = naive_utc.replace(tzinfo=dt.UTC)
    end = cal.term_end(start_at, value=n, unit="working_days")
    local = end.astimezone(KYIV)
    assert local.time() == dt.time.max
    assert cal.is_working_day(local.date())
    assert end >= start_at


# --- admin ----------------------------------------------------------------------------------------

ADMIN_EMAIL = "calendar-admin@example.org"


@pytest.fixture
def admin_client(db: None, settings: Settings) -> Client:
    settings.VZAEMO_STAFF_MFA_REQUIRED = False
    # No password: force_login needs none, and hashing one would dominate these tests' run time.
    user = User.objects.create_superuser(email=ADMIN_EMAIL, password=None, full_name="Admin")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def authority(db: None) -> Authority:
    return Authority.objects.create(
        slug="test-city",
        name_uk="Тестова міська рада",
        name_en="Test City Council",
        kind="local_self_government",
        edrpou="12345678",
    )


def make_rule(key: str, *, overridable: bool, value: str = "10", unit: str = "working_days") -> LegalRule:
    return LegalRule.objects.create(
        key=key,
        value=Decimal(value),
        unit=unit,
        title_uk="Строк",
        title_en="Term",
        source="Test",
        confidence=RuleConfidence.CONFIRMED,
        effective_from=D(2015, 8, 28),
        overridable=overridable,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["martiallawperiod", "calendaroverride", "legalrule", "legalruleoverride"])
def test_admin_changelists_render_with_filters_and_search(admin_client: Client, model: str) -> None:
    url = reverse(f"admin:core_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "law"}).status_code == 200
    assert admin_client.get(reverse(f"admin:core_{model}_add")).status_code == 200


@pytest.mark.django_db
def test_admin_override_is_audited_and_applies_at_once(admin_client: Client, db_calendar: None) -> None:
    assert calendar.is_working_day(D(2025, 5, 2))  # now cached
    response = admin_client.post(
        reverse("admin:core_calendaroverride_add"),
        {"day": "2025-05-02", "reason": "Cabinet order: bridge day applied"},  # unchecked box: a day off
    )
    assert response.status_code == 302, response.content
    assert not calendar.is_working_day(D(2025, 5, 2))
    entry = AuditEntry.objects.get(tag="core:calendar:change")
    assert entry.actor is not None
    assert entry.actor.email == ADMIN_EMAIL
    assert entry.subject_type == "core.calendaroverride"
    assert entry.before is None
    assert entry.after == {
        "id": CalendarOverride.objects.get().pk,
        "day": "2025-05-02",
        "is_working_day": False,
        "reason": "Cabinet order: bridge day applied",
    }

    override = CalendarOverride.objects.get()
    response = admin_client.post(reverse("admin:core_calendaroverride_delete", args=[override.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert calendar.is_working_day(D(2025, 5, 2))
    deleted = AuditEntry.objects.filter(tag="core:calendar:change").latest("id")
    assert deleted.after is None
    assert deleted.before is not None
    assert deleted.before["day"] == "2025-05-02"
    assert deleted.subject_id == str(override.pk)


@pytest.mark.django_db
def test_admin_bulk_delete_is_audited_per_row(admin_client: Client, db_calendar: None) -> None:
    rows = [
        CalendarOverride.objects.create(day=D(2025, 5, 2), is_working_day=False, reason="a"),
        CalendarOverride.objects.create(day=D(2025, 5, 9), is_working_day=False, reason="b"),
    ]
    assert not calendar.is_working_day(D(2025, 5, 9))
    response = admin_client.post(
        reverse("admin:core_calendaroverride_changelist"),
        {"action": "delete_selected", "_selected_action": [row.pk for row in rows], "post": "yes"},
    )
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert AuditEntry.objects.filter(tag="core:calendar:change", after__isnull=True).count() == 2
    assert calendar.is_working_day(D(2025, 5, 9))


@pytest.mark.django_db
def test_admin_closing_martial_law_is_audited(admin_client: Client, db_calendar: None) -> None:
    period = MartialLawPeriod.objects.get()
    assert calendar.is_working_day(D(2026, 1, 1))
    response = admin_client.post(
        reverse("admin:core_martiallawperiod_change", args=[period.pk]),
        {"starts_on": "2022-03-24", "ends_on": "2025-12-31", "basis": period.basis},
    )
    assert response.status_code == 302, response.content
    assert not calendar.is_working_day(D(2026, 1, 1))
    entry = AuditEntry.objects.get(tag="core:calendar:change", subject_id=str(period.pk))
    assert entry.before is not None
    assert entry.before["ends_on"] is None
    assert entry.after is not None
    assert entry.after["ends_on"] == "2025-12-31"


@pytest.mark.django_db
def test_admin_refuses_an_end_before_the_start_and_changes_nothing(admin_client: Client, db_calendar: None) -> None:
    period = MartialLawPeriod.objects.get()
    response = admin_client.post(
        reverse("admin:core_martiallawperiod_change", args=[period.pk]),
        {"starts_on": "2022-03-24", "ends_on": "2022-03-01", "basis": period.basis},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    period.refresh_from_db()
    assert period.ends_on is None
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_admin_rule_edit_is_audited_with_json_safe_values(admin_client: Client) -> None:
    rule = make_rule("test-answer-term", overridable=False)
    response = admin_client.post(
        reverse("admin:core_legalrule_change", args=[rule.pk]),
        {
            "key": rule.key,
            "value": "15",
            "unit": "working_days",
            "effective_from": "2015-08-28",
            "title_uk": "Строк",
            "title_en": "Term",
            "source": "Test",
            "source_url": "",
            "confidence": "C",
        },
    )
    assert response.status_code == 302, response.content
    entry = AuditEntry.objects.get(tag="core:rule:change")
    assert entry.subject_type == "core.legalrule"
    assert entry.before is not None
    assert entry.before["value"] == "10"
    assert entry.after is not None
    assert entry.after["value"] == "15"
    assert entry.after["effective_from"] == "2015-08-28"
    assert entry.after["overridable"] is False


def override_form(key: str, authority: Authority) -> dict[str, str]:
    return {
        "key": key,
        "authority": str(authority.pk),
        "value": "1000",
        "unit": "count",
        "effective_from": "2020-01-01",
        "source": "Charter art. 5",
        "source_url": "",
    }


@pytest.mark.django_db
def test_admin_override_of_an_overridable_rule_is_audited(admin_client: Client, authority: Authority) -> None:
    make_rule("test-threshold", overridable=True, value="25000", unit="count")
    response = admin_client.post(
        reverse("admin:core_legalruleoverride_add"), override_form("test-threshold", authority)
    )
    assert response.status_code == 302, response.content
    entry = AuditEntry.objects.get(tag="core:rule:change")
    assert entry.subject_type == "core.legalruleoverride"
    assert entry.after is not None
    assert entry.after["authority"] == authority.pk


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "overridable"), [("test-fixed", False), ("test-missing", None)])
def test_admin_refuses_an_override_the_law_does_not_allow(
    admin_client: Client, authority: Authority, key: str, overridable: bool | None
) -> None:
    if overridable is not None:
        make_rule(key, overridable=overridable, value="25000", unit="count")
    response = admin_client.post(reverse("admin:core_legalruleoverride_add"), override_form(key, authority))
    assert response.status_code == 200
    assert "key" in response.context["adminform"].form.errors
    assert not LegalRuleOverride.objects.exists()
    assert not AuditEntry.objects.exists()
