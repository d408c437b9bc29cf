"""The tutorial's examples of ownership transfers and of errors (docs/broker-api.md; see examples.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from vzaemo.accounts.models import Authority, AuthorityKind
from vzaemo.auctions.models import Auction, Bid, Broker, Lot
from vzaemo.auctions.tests import factories as f
from vzaemo.broker_api.models import ApiKey, OwnerToken
from vzaemo.broker_api.tests.conftest import anonymous, as_broker, state
from vzaemo.broker_api.tests.examples import Examples, Speaker, reset_sequences
from vzaemo.core.clock import KYIV

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 1, 14, 10, 0, tzinfo=KYIV)


@pytest.fixture
def traveller() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as travelling:
        yield travelling


def test_transfer_and_error_examples(traveller: Any, settings: Any) -> None:
    reset_sequences(Authority, Broker, Lot, Auction, Bid, ApiKey, OwnerToken)
    ex = Examples()
    organiser = Authority.objects.create(
        slug="dvs-lviv",
        name_uk="Відділ державної виконавчої служби у м. Львові",
        name_en="State enforcement office in Lviv",
        kind=AuthorityKind.CENTRAL_EXECUTIVE,
        edrpou="34567891",
    )
    seller = Speaker(as_broker(f.broker(name="Майданчик «Продавець»")), ex, traveller, "<broker A key>")
    broker_b = Speaker(as_broker(f.broker(name="Майданчик «Покупець-Б»")), ex, traveller, "<broker B key>")
    broker_d = Speaker(as_broker(f.broker(name="Майданчик «Новий»")), ex, traveller, "<broker D key>")
    public = Speaker(anonymous(), ex, traveller)
    lot = {
        "data": {
            "organiser_id": organiser.pk,
            "organiser_kind": "state",
            "title": "Вантажний причіп МАЗ",
            "description": "Арештоване майно боржника.",
            "category": "movable",
            "region": "lviv",
            "enforcementProceeding": "ВП № 70000001",
            "value": {"amount": "60000.00"},
        }
    }
    created = seller.call("POST", "/lots", lot, expect=201)
    start = f.first_allowed_start(Decimal("60000.00"), "english").isoformat()
    body = {"data": {"lot_id": 1, "procedure": "english", "auctionPeriod": {"startDate": start}}}
    auction = seller.call("POST", "/auctions", body, token=created["access"]["token"], expect=201)
    token = auction["access"]["token"]
    ex.hide(token, "<auction token>")
    seller.call("POST", "/auctions/1/publish", token=token)
    bidder = {"data": {"bidder": {"name": "ТОВ «Покупець»", "identifier": "12345678"}, "value": {"amount": "60000.00"}}}
    bid = broker_b.call("POST", "/auctions/1/bids", bidder, expect=201)
    ex.hide(bid["access"]["token"], "<bid token (B)>")
    transfer = bid["access"]["transfer"]
    ex.hide(transfer, "<bid transfer (B)>")

    # The bidder moves from broker B to broker D, which takes the bid over with B's transfer key.
    moved = broker_d.call(
        "POST", "/auctions/1/bids/1/ownership", {"data": {"transfer": transfer}}, example="bid-ownership"
    )
    ex.hide(moved["access"]["token"], "<bid token (D)>")
    ex.hide(moved["access"]["transfer"], "<bid transfer (D)>")
    assert moved["data"]["owner"] == "Майданчик «Новий»"
    before = state()
    broker_b.call(
        "POST", "/auctions/1/bids/1/ownership", {"data": {"transfer": transfer}}, expect=403, example="transfer-spent"
    )
    broker_b.call("POST", "/auctions/1/bids/1/submit", token=bid["access"]["token"], expect=403)  # the old token
    assert state() == before
    broker_d.call("POST", "/auctions/1/bids/1/submit", token=moved["access"]["token"])

    public.call("POST", "/lots", lot, expect=401, example="error-no-key")
    broker_b.call("POST", "/auctions/1/publish", token=token, expect=403, example="error-not-owner")
    broker_d.call("POST", "/auctions/1/bids", bidder, expect=409, example="error-conflict")
    seller.call(
        "POST", "/lots", {"data": {**lot["data"], "value": {"amount": "-5"}}}, expect=422, example="error-invalid"
    )
    settings.VZAEMO_BROKER_API_READS_PER_SECOND = 2
    public.call("GET", "/auctions/1", minutes=0)
    public.call("GET", "/auctions/1", minutes=0)
    public.call("GET", "/auctions/1", minutes=0, expect=429, example="error-rate-limit")
    assert Bid.objects.get().owner.name == "Майданчик «Новий»"
    ex.check()
