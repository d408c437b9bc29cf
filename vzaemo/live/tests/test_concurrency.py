"""Racing bids on PostgreSQL: the session row lock orders them, the server time read under that lock
decides them (ADR 0010, decision 3)."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.apps import apps as django_apps
from django.test import override_settings

from vzaemo.auctions.tests.test_concurrency import race
from vzaemo.core.errors import Conflict
from vzaemo.live import services
from vzaemo.live.models import LivePost
from vzaemo.live.tests.conftest import NOW, open_live

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def seeded_rules() -> None:
    """Transactional tests flush the tables between tests, seed data included: put the law back."""
    for module in (
        "vzaemo.core.migrations.0002_calendar_seed",
        "vzaemo.auctions.migrations.0002_seed_rules",
        "vzaemo.live.migrations.0002_seed_rules",
    ):
        importlib.import_module(module).seed(django_apps, None)


def test_a_hundred_identical_bids_store_one() -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        live = open_live(traveller)
        live.at(300)
        owner = live.bids[2].pk
        amount = live.auction.value + live.auction.minimal_step

        def place() -> Any:
            return services.live_bid_place(
                auction_id=live.auction.pk, bid_id=owner, amount=amount, idempotency_key="same-request"
            )

        workers = race([place] * 100)
    assert LivePost.objects.count() == 1
    stored = LivePost.objects.get()
    results = [w.result for w in workers]
    assert sum(1 for post, created in results if created) == 1
    assert {post.pk for post, _ in results} == {stored.pk}
    live.session.refresh_from_db()
    assert live.session.version == 1


@override_settings(LIVE_BID_INTERVAL_SECONDS=0)
def test_bids_racing_the_end_of_a_turn_are_decided_by_the_server_time_under_the_lock() -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        live = open_live(traveller)
    turn_end = live.session.start + dt.timedelta(seconds=300 + 180)
    owner = live.bids[2].pk
    base = live.auction.value + live.auction.minimal_step

    def place(k: int) -> Any:
        return lambda: services.live_bid_place(
            auction_id=live.auction.pk, bid_id=owner, amount=base + Decimal(k), idempotency_key=f"race-{k}"
        )

    # Real time flows from just before the end of the owner's turn.
    with time_machine.travel(turn_end - dt.timedelta(milliseconds=30), tick=True):
        workers = race([place(k) for k in range(40)])
    refused = [w.error for w in workers if w.error is not None]
    assert all(isinstance(e, Conflict) and e.code == "not_your_turn" for e in refused), refused
    posts = list(LivePost.objects.order_by("seq"))
    assert len(posts) + len(refused) == 40
    assert all(post.at < turn_end for post in posts)
    # The time is read after the lock is taken: commit order (seq) and server time agree.
    assert [p.at for p in posts] == sorted(p.at for p in posts)
