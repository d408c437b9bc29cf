"""Each metric on hand-built obligations: on time, late, overdue, transferred, cancelled, none, Kyiv periods."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from vzaemo.core.errors import ValidationFailed
from vzaemo.core.models import ObligationOutcome as O
from vzaemo.responsiveness import metrics, periods, selectors
from vzaemo.responsiveness.tests.conftest import Duty, kyiv, make_authority

pytestmark = pytest.mark.django_db

NOW = kyiv(2026, 3, 10, 12)


def values(slug: str, period_key: str, now: dt.datetime = NOW) -> dict[str, metrics.Value] | None:
    with time_machine.travel(now, tick=False):
        result = selectors.index_compute(periods.parse(period_key))
    return next((row.values for row in result.rows if row.slug == slug), None)


def test_answers_on_time_at_the_due_moment_late_overdue_transferred_cancelled(duty: Duty) -> None:
    a = make_authority("alpha")
    # On time: closed exactly at the deadline. 8 days from opening.
    duty(a, "appeal.answer", opened=kyiv(2026, 2, 2, 12), due=kyiv(2026, 2, 10, 12), closed=kyiv(2026, 2, 10, 12))
    # Late: 11 days, two days after the deadline.
    duty(a, "appeal.answer", opened=kyiv(2026, 2, 3, 12), due=kyiv(2026, 2, 12, 12), closed=kyiv(2026, 2, 14, 12))
    # Overdue now: open, due before NOW.
    duty(a, "petition.answer", opened=kyiv(2026, 2, 5), due=kyiv(2026, 2, 20))
    # Transferred and cancelled: neither on time nor late, and out of every share.
    duty(
        a,
        "appeal.answer",
        opened=kyiv(2026, 2, 6),
        due=kyiv(2026, 2, 25),
        closed=kyiv(2026, 2, 7),
        outcome=O.TRANSFERRED,
    )
    duty(
        a, "appeal.answer", opened=kyiv(2026, 2, 7), due=kyiv(2026, 2, 26), closed=kyiv(2026, 2, 8), outcome=O.CANCELLED
    )
    # Not an answer: the moderation duty is no part of these metrics.
    duty(a, "petition.moderation", opened=kyiv(2026, 2, 1), due=kyiv(2026, 2, 3))
    # Due after NOW and open: received in March, not judged yet.
    duty(a, "appeal.answer", opened=kyiv(2026, 3, 1), due=kyiv(2026, 3, 20))

    assert values("alpha", "2026-02") == {
        "on_time_share": 0.3333,
        "received": 5,
        "answered_on_time": 1,
        "answered_late": 1,
        "overdue_now": 1,
        "median_days_to_answer": 9.5,
        "proposal_decision_share": None,
        "petitions_answered_within_term": 0.0,
    }
    march = values("alpha", "2026-03")
    assert march is not None
    assert (march["received"], march["on_time_share"], march["overdue_now"]) == (1, None, 0)
    # The same open duty becomes overdue once its deadline passes.
    later = values("alpha", "2026-03", now=kyiv(2026, 3, 21))
    assert later is not None
    assert later["overdue_now"] == 1
    assert later["on_time_share"] == 0.0
    # A quarter adds up its months.
    q1 = values("alpha", "2026-Q1")
    assert q1 is not None
    assert (q1["received"], q1["answered_on_time"], q1["answered_late"]) == (6, 1, 1)


def test_consultation_proposals_and_petitions_have_their_own_shares(duty: Duty) -> None:
    a = make_authority("beta")
    kind = "consultation.proposal_decision"
    duty(a, kind, opened=kyiv(2026, 1, 5), due=kyiv(2026, 1, 20), closed=kyiv(2026, 1, 25))  # late: still decided
    duty(a, kind, opened=kyiv(2026, 1, 5), due=kyiv(2026, 1, 20), closed=kyiv(2026, 1, 10))
    duty(a, kind, opened=kyiv(2026, 1, 5), due=kyiv(2026, 1, 21))  # no decision, past due
    duty(a, kind, opened=kyiv(2026, 1, 5), due=kyiv(2026, 1, 22), closed=kyiv(2026, 1, 6), outcome=O.CANCELLED)
    duty(a, "consultation.report", opened=kyiv(2026, 1, 5), due=kyiv(2026, 1, 22))  # counted by no metric
    duty(a, "petition.answer", opened=kyiv(2026, 1, 2), due=kyiv(2026, 1, 15), closed=kyiv(2026, 1, 15))
    duty(a, "petition.answer", opened=kyiv(2026, 1, 2), due=kyiv(2026, 1, 15), closed=kyiv(2026, 1, 16))
    got = values("beta", "2026-01")
    assert got is not None
    assert got["proposal_decision_share"] == 0.6667
    assert got["petitions_answered_within_term"] == 0.5
    # Proposals are not answers to a person: they are not "received" in the answer family.
    assert got["received"] == 2
    assert got["on_time_share"] == 0.5


def test_no_data_means_no_row_and_none_not_zero(duty: Duty) -> None:
    a = make_authority("gamma")
    assert values("gamma", "2026-02") is None
    duty(a, "petition.moderation", opened=kyiv(2026, 2, 1), due=kyiv(2026, 2, 3))
    assert values("gamma", "2026-02") is None  # a moderation duty alone is not in the index
    assert metrics.values({}) == {m.key: (0 if m.unit == "count" else None) for m in metrics.METRICS}


def test_periods_follow_kyiv_midnight_and_the_clock_change(duty: Duty) -> None:
    utc = dt.UTC
    october = periods.month(2026, 10)
    # EEST (+03) at the start, EET (+02) after 25 October 2026.
    assert october.start == dt.datetime(2026, 9, 30, 21, tzinfo=utc)
    assert october.end == dt.datetime(2026, 10, 31, 22, tzinfo=utc)
    assert periods.quarter(2026, 4).start == october.start
    a = make_authority("delta")
    late_in_sept_utc = dt.datetime(2026, 9, 30, 21, 30, tzinfo=utc)  # 00:30 on 1 October in Kyiv
    just_before_nov = dt.datetime(2026, 10, 31, 21, 30, tzinfo=utc)  # 23:30 on 31 October in Kyiv
    just_after_nov = dt.datetime(2026, 10, 31, 22, 30, tzinfo=utc)  # 00:30 on 1 November in Kyiv
    for opened in (late_in_sept_utc, just_before_nov, just_after_nov):
        duty(a, "appeal.answer", opened=opened, due=opened + dt.timedelta(days=15))
    # Across the autumn clock change: 48 wall-clock hours are 49 real hours.
    duty(a, "appeal.answer", opened=kyiv(2026, 10, 24, 12), due=kyiv(2026, 11, 5), closed=kyiv(2026, 10, 26, 12))
    now = kyiv(2026, 11, 30)
    sept, octo, nov = (values("delta", key, now) for key in ("2026-09", "2026-10", "2026-11"))
    assert sept is None
    assert octo is not None
    assert octo["received"] == 3
    assert octo["median_days_to_answer"] == round(49 / 24, 2)
    assert nov is not None
    assert nov["received"] == 1


def test_the_period_parser_refuses_bad_and_future_periods() -> None:
    with time_machine.travel(NOW, tick=False):
        assert periods.parse("2026-02").key == "2026-02"
        assert periods.parse("2026-Q1").granularity == periods.QUARTER
        for bad in ("2026-13", "2026-00", "2026-Q5", "26-01", "2026/01", "", "1999-12", "2026-04", "2027-Q1"):
            with pytest.raises(ValidationFailed):
                periods.parse(bad)


def test_the_ranking_takes_a_handful_of_queries_for_any_number_of_authorities(
    duty: Duty, django_assert_max_num_queries: object
) -> None:
    for i in range(6):
        authority = make_authority(f"council-{i}")
        duty(authority, "appeal.answer", opened=kyiv(2026, 2, 2), due=kyiv(2026, 2, 10), closed=kyiv(2026, 2, 3 + i))
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(4):  # type: ignore[operator]
        result = selectors.index_compute(periods.month(2026, 2))
    assert len(result.rows) == 6
    # Equal scores: the name decides; a better score always ranks first.
    assert [row.score for row in result.rows] == [1.0] * 6
