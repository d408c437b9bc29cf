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
metric counts.

Then vzaemo/consultations/demo.py (in seed_demo's order: people, petitions, consultations, appeals).
consultation_close opens one consultation.proposal_decision per published proposal, opened at the
close and due with the report (14 calendar days from the close's Kyiv date, on to a working day);
only `proposal_decision_share` counts them (they are not in the ".answer" family, so not "received"):

* Minjust, open now (opened 27 Feb, deadline 24 Mar): nothing closed, no duty.
* Minjust, done (opened Sun 11 Jan, deadline end of Sat 31 Jan): closed by the demo at 00:00:59 Kyiv
  on Sun 1 Feb (still 31 Jan in UTC: the bucket must be Kyiv's February), so 3 duties opened 1 Feb,
  due 1 Feb + 14 = Sun 15 Feb -> Mon 16 Feb; all 3 decided 4 days later (Thu 5 Feb): 3/3 on time in
  February, nothing in January.
* Kyiv council (opened Thu 5 Feb, deadline end of Sun 22 Feb): closed by
  consultation_deadlines_apply at NOW, so 3 duties opened Mon 2 Mar, due 2 Mar + 14 = Mon 16 Mar,
  undecided: not judged yet (pending), a March row with an empty share.

Then vzaemo/appeals/demo.py. appeal.registration is not counted; appeal.answer is opened at
registration and due at the term counted from receipt (15 calendar days "simple" or 1 month
"standard", on to a working day), closed FULFILLED by an answer or a refusal, TRANSFERRED by a
forwarding after registration. All at 10:00 Kyiv, N days before NOW:

| appeal (received), term       | authority    | opened (reg.) | due (end of day)        | closed                    |
|-------------------------------|--------------|---------------|-------------------------|---------------------------|
| safety (Tue 10 Feb), 1 month  | kyiv-police  | Wed 11 Feb    | Tue 10 Mar              | Thu 12 Feb, transferred   |
| safety copy (Thu 12 Feb), 15d | kyiv council | Fri 13 Feb    | Fri 27 Feb              | Fri 20 Feb, on time, 7.0  |
| on time (Sat 31 Jan), 1 month | kyiv-police  | Sun 1 Feb     | Sat 28 Feb -> Mon 2 Mar | Sat 21 Feb, on time, 20.0 |
| late (Wed 21 Jan), 15d        | kyiv council | Thu 22 Jan    | Thu 5 Feb               | Sun 15 Feb, late, 24.0    |
| overdue (Thu 5 Feb), 15d      | kyiv council | Fri 6 Feb     | Fri 20 Feb              | —, overdue now            |
| extended (Thu 5 Feb), 1 month | cabinet      | Fri 6 Feb     | Thu 5 Mar -> Sat 21 Mar | —, pending (not judged)   |
| refused (Wed 18 Feb), 15d     | kyiv council | Thu 19 Feb    | Thu 5 Mar               | Sun 22 Feb, on time, 3.0  |

(The number after "on time"/"late" is the days to answer, counted in the month of closing. The
extension sets `until` = received + 44 days = Sat 21 Mar, ending at the end of that day. The
complaint to the National Police (25 Feb) and the appeal submitted yesterday are never registered:
only registration duties, so npu gets no row.)

Per authority (received by month of opening; on time / late / overdue / shares by month of due; the
median by month of closing; a transferred or pending duty alone still makes a row):

* kyiv-city-council: Jan received 1 (late). Feb received 3 (copy, overdue, refused); due: copy on
  time, late late, overdue overdue -> 1/3; closed: 7, 24, 3 -> median 7. Mar: refused on time -> 1/1;
  proposal decisions pending -> empty share. Q1: received 4, 2 on time, 1 late, 1 overdue -> 2/4.
* kyiv-police: Feb received 2, nothing due, closed: 20. Mar: on time 1 (the transferred one is left
  out) -> 1/1. Q1: received 2, 1 on time, median 20, 1/1.
* cabinet: Feb received 1; Mar only the pending extended duty (a row of zeros); Q1 received 1.
* minjust: its past consultation's deadline is the end of Sat 31 Jan, so the three proposal-decision duties open
  in January (a row of zeros: nothing of the answer family, nothing due); the report term runs 14 days from
  the deadline to Sat 14 Feb, moved to Mon 16 Feb; all three decided before it -> Feb and Q1 shares 3/3.

To extend when another module's demo lands: append its seed to SEEDS (in seed_demo's order), work
out its rows by hand from its demo script the same way (which authority, opened/due/closed moments
relative to NOW), and add or update the rows of EXPECTED
— an appeal.answer counts in the same answer-family columns as petition.answer;
consultation.proposal_decision fills `proposal_decision_share`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from vzaemo.accounts.demo import DemoPeople, seed_people
from vzaemo.appeals.demo import seed_appeals
from vzaemo.consultations.demo import seed_consultations
from vzaemo.petitions import services as petition_services
from vzaemo.petitions.demo import seed_petitions
from vzaemo.responsiveness import periods, selectors
from vzaemo.responsiveness.tests.conftest import kyiv

pytestmark = pytest.mark.django_db

NOW = kyiv(2026, 3, 2, 10)

# In seed_demo's order: people, petitions, consultations, appeals.
SEEDS: list[Callable[[DemoPeople], Any]] = [seed_petitions, seed_consultations, seed_appeals]

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
    ("2026-01", "kyiv-city-council"): (1, 0, 0, 0, None, None, None, None),
    ("2026-02", "kyiv-city-council"): (3, 1, 1, 1, 7.0, 0.3333, None, None),
    ("2026-03", "kyiv-city-council"): (0, 1, 0, 0, None, 1.0, None, None),
    ("2026-Q1", "kyiv-city-council"): (4, 2, 1, 1, 7.0, 0.5, None, None),
    ("2026-02", "kyiv-police"): (2, 0, 0, 0, 20.0, None, None, None),
    ("2026-03", "kyiv-police"): (0, 1, 0, 0, None, 1.0, None, None),
    ("2026-Q1", "kyiv-police"): (2, 1, 0, 0, 20.0, 1.0, None, None),
    ("2026-02", "cabinet"): (1, 0, 0, 0, None, None, None, None),
    ("2026-03", "cabinet"): (0, 0, 0, 0, None, None, None, None),
    ("2026-Q1", "cabinet"): (1, 0, 0, 0, None, None, None, None),
    ("2026-01", "minjust"): (0, 0, 0, 0, None, None, None, None),
    ("2026-02", "minjust"): (0, 0, 0, 0, None, None, 1.0, None),
    ("2026-Q1", "minjust"): (0, 0, 0, 0, None, None, 1.0, None),
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
