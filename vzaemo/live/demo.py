"""A demo lot sold through the live engine: an English auction walked turn by turn on a travelled clock
by the real services, finished by the engine (ranking in the CDB, signed protocol)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import time_machine
from django.db import transaction

from vzaemo.accounts.models import Authority
from vzaemo.auctions import services as cdb
from vzaemo.auctions.models import Broker
from vzaemo.auctions.states import Mode, Procedure
from vzaemo.live import engine, selectors, services
from vzaemo.live.models import LiveSession
from vzaemo.live.sandbox import listed_with_bidders

DEMO_BROKERS = ("39958500", "43000011")  # SETAM and a partner platform, by EDRPOU


def seed_live() -> int:
    """Needs the auctions demo (its brokers and enforcement office); idempotent."""
    if LiveSession.objects.filter(auction__mode=Mode.REAL).exists():
        return 0
    brokers = list(Broker.objects.filter(edrpou__in=DEMO_BROKERS).order_by("edrpou"))
    office = Authority.objects.filter(slug="dvs-kyiv").first()
    if len(brokers) < len(DEMO_BROKERS) or office is None:
        return 0
    setam, partner = sorted(brokers, key=lambda b: b.edrpou != "39958500")
    auction, bids = listed_with_bidders(
        owner=setam,
        platforms=[setam, partner],
        office=office,
        mode=Mode.REAL,
        procedure=Procedure.ENGLISH,
        bidders=3,
        value="240000.00",
        title="Екскаватор-навантажувач JCB 3CX 2014 р.",
        back_days=75,
    )
    assert auction.tender_end is not None  # noqa: S101 - published
    assert auction.auction_start is not None  # noqa: S101 - published
    with transaction.atomic(), time_machine.travel(auction.tender_end + dt.timedelta(minutes=1), tick=False):
        cdb.auction_end_tendering(auction_id=auction.pk)
        session = services.live_session_open(auction_id=auction.pk)
    step = auction.minimal_step
    value = auction.value
    t = session.timing
    # Round 1 (equal initial bids: the later registration moves first): 3, 2, 1; then 1 raises in round 2.
    plan = [
        (2, 0, value + step),
        (1, 1, value + 2 * step),
        (0, 2, value + 4 * step),
        (2, 3, value + 6 * step),
    ]
    for index, turn, amount in plan:
        round_, position = divmod(turn, len(bids))
        offset = t["first_pause"] + round_ * (len(bids) * t["turn"] + t["pause"]) + position * t["turn"] + 20
        bidder = bids[index]
        at = session.start + dt.timedelta(seconds=offset)
        with time_machine.travel(at, tick=False):
            live_state = selectors.live_state(session)
            if live_state.stage.owner != bidder.pk:
                continue  # the order differs from the plan: skip rather than seed a refusal
            services.live_bid_place(
                auction_id=auction.pk, bid_id=bidder.pk, amount=Decimal(amount), idempotency_key=f"demo-{turn}"
            )
    end = engine.end_time(selectors.config_of(session), selectors.posts_of(session))
    with time_machine.travel(end + dt.timedelta(seconds=5), tick=False):
        services.live_finish(auction_id=auction.pk)
    return 1
