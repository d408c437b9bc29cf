"""Racing writers on PostgreSQL: every service locks the auction row first, so racing calls serialise
and the later one re-checks the state it finds (docs/design.md rule 6)."""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connections

from vzaemo.auctions import services
from vzaemo.auctions.models import Award, Bid, Revision
from vzaemo.auctions.permissions import BANK_FEED
from vzaemo.auctions.states import AwardStatus, BidStatus
from vzaemo.auctions.tests import factories as f
from vzaemo.core import clock
from vzaemo.core.errors import DomainError
from vzaemo.core.models import AuditEntry

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def seeded_rules() -> None:
    """Transactional tests flush the tables between tests, seed data included: put the law back."""
    for module in ("vzaemo.core.migrations.0002_calendar_seed", "vzaemo.auctions.migrations.0002_seed_rules"):
        importlib.import_module(module).seed(django_apps, None)


class Worker(threading.Thread):
    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self._work = work
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self._work()
        except BaseException as exc:  # inspected by the test thread
            self.error = exc
        finally:
            connections.close_all()


def race(calls: list[Callable[[], Any]]) -> list[Worker]:
    barrier = threading.Barrier(len(calls))

    def wrap(call: Callable[[], Any]) -> Callable[[], Any]:
        def go() -> Any:
            barrier.wait(timeout=30)
            return call()

        return go

    workers = [Worker(wrap(c)) for c in calls]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 60
    for worker in workers:
        worker.join(max(0.1, deadline - time.monotonic()))
        assert not worker.is_alive()
    assert [w.error for w in workers if w.error is not None and not isinstance(w.error, DomainError)] == []
    return workers


def test_twenty_identical_guarantee_reports_qualify_once() -> None:
    w = f.world()
    a = f.auction(w)
    b = f.bid(w, a, paid=False)
    revisions = Revision.objects.count()
    race([lambda: services.bid_confirm_guarantee(actor=BANK_FEED, bid_id=b.pk, amount="5000", reference="PAY")] * 20)
    b.refresh_from_db()
    assert b.status == BidStatus.ACTIVE
    assert Revision.objects.count() == revisions + 1
    assert AuditEntry.objects.filter(tag="auction:guarantee-confirm").count() == 1


def test_two_different_payments_racing_for_one_bid_one_wins() -> None:
    w = f.world()
    a = f.auction(w)
    b = f.bid(w, a, paid=False)

    def pay(reference: str) -> Callable[[], Any]:
        return lambda: services.bid_confirm_guarantee(actor=BANK_FEED, bid_id=b.pk, amount="5000", reference=reference)

    workers = race([pay("A"), pay("B")])
    assert sorted(type(w.error).__name__ for w in workers if w.error) == ["Conflict"]
    assert Bid.objects.get(pk=b.pk).guarantee_reference in {"A", "B"}


def test_disqualification_racing_payment_leaves_one_decision() -> None:
    w = f.world()
    with time_machine.travel(clock.now(), tick=True) as traveller:
        a, (winner, runner) = f.to_qualification(traveller, w)
        award = a.awards.get(bid=winner)
        services.award_upload_protocol(actor=w.official, award_id=award.pk, document="p")
        workers = race(
            [
                lambda: services.award_confirm_payment(
                    actor=BANK_FEED, award_id=award.pk, amount="97000", reference="W"
                ),
                lambda: services.award_disqualify(actor=w.official, award_id=award.pk, note="Неприйнятний покупець."),
            ]
        )
    assert sum(w.error is None for w in workers) == 1
    award.refresh_from_db()
    live = Award.objects.filter(auction=a, status__in=[AwardStatus.PENDING, AwardStatus.ACTIVE])
    assert live.count() == 1
    if award.status == AwardStatus.ACTIVE:
        assert a.contracts.count() == 1
    else:
        assert live.get().bid_id == runner.pk
        assert a.contracts.count() == 0
