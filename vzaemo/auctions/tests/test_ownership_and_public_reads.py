"""Ownership moves, lot edits, the organiser acting through the owner broker, and what the public reads
(drafts of attempts, revisions scrubbed of bidders and of guarantee references)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import jsonpatch
import pytest
import time_machine

from vzaemo.auctions import selectors, services
from vzaemo.auctions.models import Auction, Revision
from vzaemo.auctions.permissions import CDB_ADMIN, OrganiserBroker
from vzaemo.auctions.states import AwardStatus
from vzaemo.auctions.tests import factories as f
from vzaemo.core.clock import KYIV
from vzaemo.core.errors import Conflict, NotAllowed, ValidationFailed

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 1, 14, 10, 0, tzinfo=KYIV)


@pytest.fixture(autouse=True)
def clock_() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def w() -> f.World:
    return f.world()


def replay(subject_type: str, pk: int) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for revision in Revision.objects.filter(subject_type=subject_type, subject_id=pk).order_by("rev"):
        document = jsonpatch.JsonPatch(revision.changes).apply(document)
    return document


def test_lot_update_and_transfer_leave_revisions_that_replay(w: f.World, refused: Callable[..., Any]) -> None:
    lot = f.lot(w)
    services.lot_update(broker=w.owner, lot_id=lot.pk, title="Нова назва", start_value="90000")
    newcomer = f.broker()
    services.lot_transfer(broker=newcomer, lot_id=lot.pk)
    lot.refresh_from_db()
    assert (lot.title, lot.owner) == ("Нова назва", newcomer)
    assert replay("lot", lot.pk) == selectors.lot_document(lot)
    refused(NotAllowed, "not_owner", lambda: services.lot_update(broker=w.owner, lot_id=lot.pk, title="x"))
    refused(
        ValidationFailed, "category_invalid", lambda: services.lot_update(broker=newcomer, lot_id=lot.pk, category="x")
    )
    read_only = f.broker(can_edit=False)
    refused(
        NotAllowed,
        "broker_cannot_take_over",
        lambda: services.lot_transfer(broker=read_only, lot_id=lot.pk),
    )


def test_lot_price_is_fixed_once_it_has_an_auction(w: f.World, refused: Callable[..., Any]) -> None:
    a = f.auction(w, publish=False)
    refused(Conflict, "lot_has_auction", lambda: services.lot_update(broker=w.owner, lot_id=a.lot_id, start_value="1"))
    services.auction_publish(broker=w.owner, auction_id=a.pk)
    refused(NotAllowed, "lot_published", lambda: services.lot_update(broker=w.owner, lot_id=a.lot_id, title="x"))


def test_auction_and_bid_transfers(w: f.World, clock_: Any, refused: Callable[..., Any]) -> None:
    a = f.auction(w)
    bid = f.bid(w, a, paid=False)
    newcomer = f.broker()
    services.bid_transfer(broker=newcomer, bid_id=bid.pk)
    bid.refresh_from_db()
    assert bid.owner == newcomer
    services.auction_transfer(broker=newcomer, auction_id=a.pk)
    a.refresh_from_db()
    assert a.owner == newcomer
    assert replay("auction", a.pk) == selectors.auction_document(a)
    sandbox = f.broker(sandbox=True)
    refused(NotAllowed, "broker_cannot_take_over", lambda: services.auction_transfer(broker=sandbox, auction_id=a.pk))
    refused(NotAllowed, "broker_cannot_take_over", lambda: services.bid_transfer(broker=sandbox, bid_id=bid.pk))


def test_the_organiser_acts_through_the_owner_broker_only(w: f.World, clock_: Any, refused: Callable[..., Any]) -> None:
    a, _bids = f.to_qualification(clock_, w)
    award = a.awards.get(status=AwardStatus.PENDING)
    for actor in (w.owner, OrganiserBroker(w.bidders[0]), OrganiserBroker(f.broker())):
        refused(
            NotAllowed,
            "not_organiser",
            lambda actor=actor: services.award_upload_protocol(actor=actor, award_id=award.pk, document="p"),
        )
    services.award_upload_protocol(actor=OrganiserBroker(w.owner), award_id=award.pk, document="p")
    revision = Revision.objects.filter(subject_type="auction", subject_id=a.pk).order_by("rev").last()
    assert revision is not None
    assert revision.broker == w.owner
    assert revision.author.startswith("organiser via broker:")


def test_the_cdb_administrator_may_record_a_result(w: f.World, clock_: Any) -> None:
    a = f.auction(w)
    bids = [f.bid(w, a, by=i) for i in range(2)]
    f.end_tendering(clock_, a)
    services.auction_record_result(actor=CDB_ADMIN, auction_id=a.pk, ranking=[(b.pk, "100000") for b in bids])
    assert Auction.objects.get(pk=a.pk).status == "active.qualification"


def test_a_draft_attempt_is_listed_to_its_owner_only(w: f.World, clock_: Any) -> None:
    a = f.auction(w)
    f.end_tendering(clock_, a)
    lot = a.lot
    public = selectors.lot_public_document(lot)
    mine = selectors.lot_public_document(lot, broker=w.owner)
    assert [x["status"] for x in public["auctions"]] == ["unsuccessful"]
    assert [x["status"] for x in mine["auctions"]] == ["unsuccessful", "draft"]
    assert selectors.lot_public_document(lot, broker=w.bidders[0]) == public


def test_public_revisions_hide_bidders_and_authors_then_never_show_a_reference(w: f.World, clock_: Any) -> None:
    a = f.auction(w)
    bid = f.bid(w, a, by=0)  # create, submit, guarantee: three revisions that touch bids
    hidden = selectors.auction_revisions_public(a)
    assert [r["author"] for r in hidden[-3:]] == [selectors.HIDDEN_AUTHOR] * 3
    assert all(not str(op["path"]).startswith("/bids") for r in hidden for op in r["changes"])
    assert w.bidders[0].name not in str(hidden)
    assert f"PAY-{bid.pk}" not in str(hidden)
    # Once bidders are revealed, no operation shows a reference: as a target, a source or inside a value.
    Auction.objects.filter(pk=a.pk).update(status="active.qualification")
    a.refresh_from_db()
    reference = {"reference": "BANK-SECRET", "paidAt": "2026-01-14T08:00:00+00:00", "forfeited": False}
    Revision.objects.create(
        subject_type="auction",
        subject_id=a.pk,
        rev=a.rev + 1,
        author="test",
        date=NOW,
        changes=[
            {"op": "add", "path": "/bids/1", "value": {"id": "9", "guarantee": reference}},
            {"op": "replace", "path": "/bids/1/guarantee", "value": reference},
            {"op": "copy", "from": "/bids/1/guarantee/reference", "path": "/cancellationReason"},
            {"op": "replace", "path": "/bids/1/guarantee/reference", "value": "BANK-SECRET"},
        ],
    )
    revealed = selectors.auction_revisions_public(a)
    assert "BANK-SECRET" not in str(revealed)
    assert f"PAY-{bid.pk}" not in str(revealed)
    assert revealed[-1]["changes"][0]["value"]["guarantee"] == {"paidAt": reference["paidAt"], "forfeited": False}
    assert len(revealed[-1]["changes"]) == 2
