"""Reporting periods of the index: calendar months and quarters in Europe/Kyiv.

A period is the half-open interval [start, end) between two Kyiv midnights, so an event at 00:30 Kyiv
time on the 1st belongs to the new month even while UTC still says the previous day, and the clock
changes in March and October shift the UTC bounds, not the Kyiv ones.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from vzaemo.core import clock
from vzaemo.core.errors import ValidationFailed
from vzaemo.responsiveness.errors import ResponsivenessError

MONTH = "month"
QUARTER = "quarter"
FIRST_YEAR = 2000
MONTHS = 12  # in a year
QUARTERS = 4  # in a year

_PATTERN = re.compile(r"^(?P<year>\d{4})-(?:(?P<month>\d{2})|Q(?P<quarter>\d))$")


@dataclass(frozen=True, order=True)
class Period:
    start: dt.datetime
    end: dt.datetime
    granularity: str
    key: str  # "2026-10" or "2026-Q3": the value of ?period= and of the open data's `period` column

    @property
    def start_date(self) -> dt.date:
        return self.start.date()

    @property
    def last_date(self) -> dt.date:
        return (self.end - dt.timedelta(days=1)).date()


def _kyiv_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.KYIV)


def month(year: int, number: int) -> Period:
    next_year, next_month = (year + 1, 1) if number == MONTHS else (year, number + 1)
    return Period(
        start=_kyiv_midnight(dt.date(year, number, 1)),
        end=_kyiv_midnight(dt.date(next_year, next_month, 1)),
        granularity=MONTH,
        key=f"{year:04d}-{number:02d}",
    )


def quarter(year: int, number: int) -> Period:
    first = month(year, 3 * number - 2)
    last = month(year, 3 * number)
    return Period(start=first.start, end=last.end, granularity=QUARTER, key=f"{year:04d}-Q{number}")


def containing(moment: dt.datetime, granularity: str) -> Period:
    day = moment.astimezone(clock.KYIV).date()
    if granularity == QUARTER:
        return quarter(day.year, (day.month - 1) // 3 + 1)
    return month(day.year, day.month)


def parse(value: str) -> Period:
    """`2026-10` (a month) or `2026-Q3` (a quarter); a period that has not begun yet is refused."""
    match = _PATTERN.match((value or "").strip())
    if not match:
        raise ValidationFailed(
            _("Give the period as a month (YYYY-MM, e.g. 2026-10) or a quarter (YYYY-Qn, e.g. 2026-Q3)."),
            code=ResponsivenessError.PERIOD_INVALID,
            field="period",
        )
    year = int(match["year"])
    if match["month"] is not None:
        number = int(match["month"])
        if not 1 <= number <= MONTHS:
            raise ValidationFailed(
                _("A month is numbered 01 to 12."), code=ResponsivenessError.PERIOD_INVALID, field="period"
            )
        period = month(year, number) if year >= FIRST_YEAR else None
    else:
        number = int(match["quarter"])
        if not 1 <= number <= QUARTERS:
            raise ValidationFailed(
                _("A quarter is numbered Q1 to Q4."), code=ResponsivenessError.PERIOD_INVALID, field="period"
            )
        period = quarter(year, number) if year >= FIRST_YEAR else None
    if period is None:
        raise ValidationFailed(
            _("The index has no data before 2000."), code=ResponsivenessError.PERIOD_INVALID, field="period"
        )
    if period.start > clock.now():
        raise ValidationFailed(
            _("That period has not begun yet."), code=ResponsivenessError.PERIOD_IN_FUTURE, field="period"
        )
    return period


def recent_months(count: int, *, until: dt.datetime | None = None) -> list[Period]:
    """The last `count` months, oldest first, ending with the month that contains `until` (now)."""
    current = containing(until or clock.now(), MONTH)
    index = current.start_date.year * 12 + current.start_date.month - 1
    return [month(*_year_month(index - back)) for back in range(count - 1, -1, -1)]


def recent_quarters(count: int, *, until: dt.datetime | None = None) -> list[Period]:
    current = containing(until or clock.now(), QUARTER)
    index = current.start_date.year * 4 + (current.start_date.month - 1) // 3
    return [quarter(i // 4, i % 4 + 1) for i in range(index - count + 1, index + 1)]


def _year_month(index: int) -> tuple[int, int]:
    return index // 12, index % 12 + 1
