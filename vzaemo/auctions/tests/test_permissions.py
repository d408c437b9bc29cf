"""The allowed-actions tables of lots, auctions, bids, awards and contracts, walked through a real
lifecycle (the services move every state, on a travelled clock): for each state, who may do what."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from vzaemo.auctions import permissions, services
from vzaemo.auctions.models import Auction, Award
from vzaemo.auctions.permissions import BANK_FEED, LIVE_ENGINE, OrganiserBroker
from vzaemo.auctions.permissions import AuctionAction as A
from vzaemo.auctions.permissions import AwardAction as W
from vzaemo.auctions.permissions import BidAction as B
from vzaemo.auctions.permissions import ContractAction as C
from vzaemo.auctions.permissions import LotAction as L
from vzaemo.auctions.states import AwardStatus
from vzaemo.auctions.tests import factories as f
from vzaemo.core.clock import KYIV
from vzaemo.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed, ValidationFailed

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 1, 14, 10, 0, tzinfo=KYIV)  # a Wednesday


@pytest.fixture(autouse=True)
def traveller() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as travelling:
        yield travelling


@pytest.fixture
def w() -> f.World:
    return f.world()


def actors(w: f.World) -> dict[str, Any]:
    return {
        "owner": w.owner,
        "owner for the organiser": OrganiserBroker(w.owner),
        "bidder 0": w.bidders[0],
        "bidder 1": w.bidders[1],
        "official": w.official,
        "bank feed": BANK_FEED,
        "engine": LIVE_ENGINE,
        "anonymous": AnonymousUser(),
    }


def table(w: f.World, actions: Callable[[Any, Any], set[Any]], obj: Any) -> dict[str, set[Any]]:
    """Who may do something with `obj`; those who may do nothing are left out."""
    found = {name: actions(actor, obj) for name, actor in actors(w).items()}
    return {name: got for name, got in found.items() if got}


BROKERS = ("owner", "bidder 0", "bidder 1")


def test_a_draft_and_a_tendering_auction(w: f.World) -> None:
    draft = f.auction(w, publish=False)
    assert table(w, permissions.auction_actions, draft) == {
        "owner": {A.EDIT, A.PUBLISH, A.CANCEL, A.TRANSFER},
        **{name: {A.TRANSFER} for name in BROKERS[1:]},
        "official": {A.CANCEL},
    }
    lot = draft.lot
    # Photos are not part of the CDB document: the owner and the organiser add them whatever the state.
    assert table(w, permissions.lot_actions, lot) == {
        "owner": {L.EDIT, L.TRANSFER, L.ADD_PHOTO},
        **{name: {L.TRANSFER} for name in BROKERS[1:]},
        "official": {L.ADD_PHOTO},
    }
    services.auction_publish(broker=w.owner, auction_id=draft.pk)
    draft.refresh_from_db()
    lot.refresh_from_db()
    assert table(w, permissions.auction_actions, draft) == {
        "owner": {A.CANCEL, A.REGISTER_BID, A.TRANSFER},
        "bidder 0": {A.REGISTER_BID, A.TRANSFER},
        "bidder 1": {A.REGISTER_BID, A.TRANSFER},
        "official": {A.CANCEL},
    }
    assert table(w, permissions.lot_actions, lot) == {
        "owner": {L.TRANSFER, L.ADD_PHOTO},
        **{name: {L.TRANSFER} for name in BROKERS[1:]},
        "official": {L.ADD_PHOTO},
    }


def test_a_bid_from_draft_to_qualified(w: f.World) -> None:
    auction = f.auction(w)
    bid = f.bid(w, auction, by=0, submit=False, paid=False)
    transfer = {name: {B.TRANSFER} for name in BROKERS}
    assert table(w, permissions.bid_actions, bid) == {**transfer, "bidder 0": {B.SUBMIT, B.WITHDRAW, B.TRANSFER}}
    services.bid_submit(broker=w.bidders[0], bid_id=bid.pk)
    bid.refresh_from_db()
    assert table(w, permissions.bid_actions, bid) == {
        **transfer,
        "bidder 0": {B.WITHDRAW, B.TRANSFER},
        "official": {B.CONFIRM_GUARANTEE},
        "bank feed": {B.CONFIRM_GUARANTEE},
    }
    services.bid_confirm_guarantee(actor=BANK_FEED, bid_id=bid.pk, amount=auction.guarantee, reference="PAY-1")
    bid.refresh_from_db()
    assert table(w, permissions.bid_actions, bid) == {**transfer, "bidder 0": {B.WITHDRAW, B.TRANSFER}}
    error = refusal(lambda: permissions.bid_check(BANK_FEED, bid, B.CONFIRM_GUARANTEE))
    assert (type(error), error.code) == (Conflict, "guarantee_already_confirmed")


def refusal(check: Callable[[], None]) -> DomainError:
    with pytest.raises(DomainError) as info:
        check()
    return info.value


def test_the_live_stage_belongs_to_the_engine(w: f.World, traveller: Any) -> None:
    auction = f.auction(w)
    f.bid(w, auction, by=0)
    f.bid(w, auction, by=1)
    f.end_tendering(traveller, auction)
    assert table(w, permissions.auction_actions, auction) == {
        "owner": {A.CANCEL, A.TRANSFER},
        **{name: {A.TRANSFER} for name in BROKERS[1:]},
        "official": {A.CANCEL},
        "engine": {A.RECORD_RESULT},
    }
    error = refusal(lambda: permissions.auction_check(w.official, auction, A.RECORD_RESULT))
    assert (type(error), error.code) == (NotAllowed, "not_auction_engine")


def test_awards_and_the_contract(w: f.World, traveller: Any) -> None:
    auction, _bids = f.to_qualification(traveller, w)
    winner = Award.objects.get(auction=auction, status=AwardStatus.PENDING)
    runner_up = Award.objects.get(auction=auction, status=AwardStatus.WAITING)
    organiser = {W.UPLOAD_PROTOCOL, W.DISQUALIFY}
    assert table(w, permissions.award_actions, winner) == {"owner for the organiser": organiser, "official": organiser}
    assert table(w, permissions.award_actions, runner_up) == {"bidder 1": {W.WITHDRAW}}
    error = refusal(lambda: permissions.award_check(w.official, winner, W.CONFIRM_PAYMENT))
    assert (type(error), error.code) == (ValidationFailed, "protocol_missing")

    services.award_upload_protocol(actor=w.official, award_id=winner.pk, document="https://docs.example/p.pdf")
    winner.refresh_from_db()
    assert table(w, permissions.award_actions, winner) == {
        "owner for the organiser": {W.DISQUALIFY},
        "official": {W.CONFIRM_PAYMENT, W.DISQUALIFY},
        "bank feed": {W.CONFIRM_PAYMENT},
    }
    assert winner.payment_due_at is not None
    traveller.move_to(winner.payment_due_at + dt.timedelta(seconds=1))
    error = refusal(lambda: permissions.award_check(BANK_FEED, winner, W.CONFIRM_PAYMENT))
    assert (type(error), error.code) == (NotAllowed, "payment_overdue")
    traveller.move_to(winner.payment_due_at)

    services.award_confirm_payment(
        actor=BANK_FEED, award_id=winner.pk, amount=winner.value - auction.guarantee, reference="PAY-W"
    )
    contract = winner.contract
    signers = {C.SIGN, C.CANCEL}
    assert table(w, permissions.contract_actions, contract) == {"owner for the organiser": signers, "official": signers}
    services.contract_sign(actor=w.official, contract_id=contract.pk)
    contract.refresh_from_db()
    assert table(w, permissions.contract_actions, contract) == {}
    error = refusal(lambda: permissions.contract_check(w.official, contract, C.SIGN))
    assert (type(error), error.code) == (InvalidTransition, "contract_cannot_sign")
    completed = Auction.objects.get(pk=auction.pk)
    # Only a transfer is left: ownership is not a state, so a finished auction may still change broker.
    assert table(w, permissions.auction_actions, completed) == {name: {A.TRANSFER} for name in BROKERS}
