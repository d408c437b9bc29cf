"""core.clock: the only reader of time, and the sandbox-only accelerator."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from vzaemo.core import clock

WALL = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def test_now_is_aware_utc_wall_time_by_default() -> None:
    with time_machine.travel(WALL, tick=False):
        assert clock.now() == WALL
        assert clock.now().tzinfo is not None


@override_settings(
    VZAEMO_SANDBOX=True, VZAEMO_TIME_ACCELERATION=60, VZAEMO_TIME_ACCELERATION_EPOCH="2026-03-01T00:00:00+00:00"
)
def test_a_sandbox_runs_time_faster_from_the_epoch() -> None:
    # 12 wall hours after the epoch are 720 platform hours (30 days) at 60x.
    with time_machine.travel(WALL, tick=False):
        assert clock.now() == dt.datetime(2026, 3, 31, 0, 0, tzinfo=dt.UTC)


@override_settings(VZAEMO_SANDBOX=False, VZAEMO_TIME_ACCELERATION=10)
def test_production_refuses_an_accelerated_clock() -> None:
    with pytest.raises(ImproperlyConfigured, match="only with VZAEMO_SANDBOX"):
        clock.now()


@override_settings(VZAEMO_SANDBOX=True, VZAEMO_TIME_ACCELERATION=0)
def test_a_clock_that_stops_or_runs_backwards_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="must be positive"):
        clock.now()


def test_today_is_the_kyiv_date_not_the_utc_date() -> None:
    # 22:30 UTC on 9 March is 00:30 on 10 March in Kyiv (UTC+2 in winter).
    with time_machine.travel(dt.datetime(2025, 3, 9, 22, 30, tzinfo=dt.UTC), tick=False):
        assert clock.today() == dt.date(2025, 3, 10)
