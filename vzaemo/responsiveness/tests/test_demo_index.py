"""The index on demo data matches a table computed by hand from the demo scripts.

The clock is frozen at NOW (Monday 2 March 2026, 10:00 Kyiv, winter time, under martial law so only
weekends are days off) and the demo seeds run then. From vzaemo/petitions/demo.py, Pryluky
(threshold 150 by charter) gets four petitions over the threshold; each reaches it at the recount,
t2 = (NOW - days_ago) + 3 days, which opens its petition.answer obligation; the answer is due 3 + 10
working days after that date, or 10 working days after an early start (whichever is earlier):

| petition (days_ago)        | opened (t2)   | due (end of day) | answered      | in the index       |
|----------------------------|---------------|------------------|---------------|--------------------|
| shelter (50), started t2+1 | Wed 14 Jan    | Thu 29 Jan       | Sun 18 Jan    | on time, 4.0 days  |
| street (45)                | Mon 19 Jan    | Thu 5 Feb        | Fri 23 Jan    | on time, 4.0 days  |
| resilience point (40)      | Sat 24 Jan    | Wed 11 Feb       | —             | overdue now        |
| traffic light (20), start  | Fri 13 Feb    | Fri 27 Feb       | —             | overdue now        |

The Cabinet's and Kyiv's petitions stay below their thresholds: only moderation duties, which no
metric counts, so those authorities are not listed.

To extend when another module's demo lands: append its seed to SEEDS (e.g.
`lambda people: seed_appeals(people)`), work out its rows by hand from its demo script the same way
(which authority, opened/due/closed moments relative to NOW), and add or update the rows of EXPECTED
— an appeal.answer counts in the same answer-family columns as petition.answer;
consultation.proposal_decision fills `proposal_decision_share`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from vzaemo.accounts.demo import DemoPeople, seed_people
from vzaemo.petitions import services as petition_services
from vzaemo.petitions.demo import seed_petitions
from vzaemo.responsiveness import periods, selectors
from vzaemo.responsiveness.tests.conftest import kyiv

pytestmark = pytest.mark.django_db

NOW = kyiv(2026, 3, 2, 10)

SEEDS: list[Callable[[DemoPeople], Any]] = [seed_petitions]

COLUMNS = (
    "received",
    "answered_on_time",
    "answered_late",
    "overdue_now",
    "median_days_to_answer",
    "on_time_share",
    "proposal_decision_share",
    "petitions_answered_within_term",
)
# (period, authority): the metrics in COLUMNS order. Periods absent here have no rows at all.
EXPECTED: dict[tuple[str, str], tuple[object, ...]] = {
    ("2026-01", "pryluky-city-council"): (3, 1, 0, 0, 4.0, 1.0, None, 1.0),
    ("2026-02", "pryluky-city-council"): (1, 1, 0, 2, None, 0.3333, None, 0.3333),
    ("2026-Q1", "pryluky-city-council"): (4, 2, 0, 2, 4.0, 0.5, None, 0.5),
}
PERIODS = ("2025-12", "2026-01", "2026-02", "2026-03", "2025-Q4", "2026-Q1")


@pytest.fixture
def demo() -> None:
    petition_services._last_count_run = None
    with time_machine.travel(NOW, tick=False):
        people = seed_people(extra_citizens=150)
        for seed in SEEDS:
            seed(people)


def test_the_index_on_demo_data_matches_the_hand_computed_table(demo: None) -> None:
    computed: dict[tuple[str, str], tuple[object, ...]] = {}
    with time_machine.travel(NOW, tick=False):
        for key in PERIODS:
            for row in selectors.index_compute(periods.parse(key)).rows:
                computed[(key, row.slug)] = tuple(row.values[column] for column in COLUMNS)
    assert computed == EXPECTED
