"""Every write endpoint × every kind of caller: the anonymous public, the acting broker without its
accreditation level, another broker (holding the owner's token or transfer key), the owner, and the CDB
administrator's integration key. Each refusal has the error envelope and changes nothing (docs/design.md rule 10)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile

from vzaemo.accounts.models import Region
from vzaemo.auctions import services
from vzaemo.auctions.bank import FakeBank
from vzaemo.auctions.models import Auction, Award, Bid, Broker
from vzaemo.auctions.states import AwardStatus
from vzaemo.auctions.tests import factories as f
from vzaemo.broker_api.models import IntegrationKey, OwnerToken
from vzaemo.broker_api.services import owner_token_issue
from vzaemo.broker_api.tests.conftest import Api, anonymous, as_broker, as_integration, state
from vzaemo.core.clock import KYIV
from vzaemo.documents import services as documents

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 1, 14, 10, 0, tzinfo=KYIV)
CALLERS = ("anonymous", "no_level", "other", "owner", "admin")
REFUSED = {"anonymous": 401, "no_level": 403, "other": 403, "admin": 403}


@dataclass
class Case:
    method: str
    path: str
    body: Any = None
    token: str | None = None  # the owner token (or none), which every broker caller presents
    owner: Api | None = None  # the caller entitled to the write
    acting: Broker | None = None  # the broker whose levels "no_level" takes away (None: a broker with none)
    expected: dict[str, int] = field(default_factory=dict)


def token_for(kind: str, object_id: int, broker: Broker) -> str:
    return owner_token_issue(kind=kind, object_id=object_id, broker=broker)[0]


def transfer_for(kind: str, object_id: int, broker: Broker) -> str:
    return owner_token_issue(kind=kind, object_id=object_id, broker=broker)[1]


def lot_body(w: f.World) -> dict[str, Any]:
    return {
        "data": {
            "organiser_id": w.organiser.pk,
            "organiser_kind": "state",
            "title": "Автонавантажувач",
            "description": "Арештоване майно.",
            "category": "movable",
            "region": Region.KYIV_CITY,
            "enforcementProceeding": "ВП № 1",
            "value": {"amount": "100000.00"},
        }
    }


def bidder_body() -> dict[str, Any]:
    return {"data": {"bidder": {"name": "ТОВ «Покупець»", "identifier": "87654321"}, "value": {"amount": "100000.00"}}}


def protocol_url(broker: Broker) -> str:
    content = b"%PDF-1.7 protocol"
    registration = documents.document_register(
        sha256=hashlib.sha256(content).hexdigest(),
        title="Протокол",
        format="application/pdf",
        owner_type="broker",
        owner_id=str(broker.pk),
    )
    documents.document_upload(document_id=registration.document.pk, file=ContentFile(content))
    return registration.url


def qualification(w: f.World, traveller: Any) -> tuple[Auction, list[Bid], Award, Award]:
    a, bids = f.to_qualification(traveller, w)
    winner = a.awards.get(status=AwardStatus.PENDING)
    runner_up = a.awards.get(status=AwardStatus.WAITING)
    return a, bids, winner, runner_up


def awarded(w: f.World, traveller: Any) -> Auction:
    a, _bids, winner, _runner_up = qualification(w, traveller)
    services.award_upload_protocol(actor=w.official, award_id=winner.pk, document="https://example.test/p.pdf")
    FakeBank().pay_price(Award.objects.get(pk=winner.pk))
    return a


# --- one builder per write endpoint -------------------------------------------------------------------


def lots_create(w: f.World, traveller: Any) -> Case:
    return Case(
        "POST", "/lots", lot_body(w), owner=as_broker(w.owner), acting=w.owner, expected={"other": 201, "owner": 201}
    )


def lots_update(w: f.World, traveller: Any) -> Case:
    lot = f.lot(w)
    token = token_for(OwnerToken.Kind.LOT, lot.pk, w.owner)
    body = {"data": {"title": "Автонавантажувач Toyota, 2015"}}
    return Case("PATCH", f"/lots/{lot.pk}", body, token, as_broker(w.owner), w.owner)


def lots_ownership(w: f.World, traveller: Any) -> Case:
    lot = f.lot(w)
    transfer = transfer_for(OwnerToken.Kind.LOT, lot.pk, w.owner)
    body = {"data": {"transfer": transfer}}
    return Case("POST", f"/lots/{lot.pk}/ownership", body, None, as_broker(w.owner), w.owner, {"other": 200})


def auctions_create(w: f.World, traveller: Any) -> Case:
    lot = f.lot(w)
    token = token_for(OwnerToken.Kind.LOT, lot.pk, w.owner)
    start = f.first_allowed_start(lot.start_value, "english").isoformat()
    body = {"data": {"lot_id": lot.pk, "procedure": "english", "auctionPeriod": {"startDate": start}}}
    return Case("POST", "/auctions", body, token, as_broker(w.owner), w.owner, {"owner": 201})


def auctions_update(w: f.World, traveller: Any) -> Case:
    a = f.auction(w, publish=False)
    token = token_for(OwnerToken.Kind.AUCTION, a.pk, w.owner)
    return Case("PATCH", f"/auctions/{a.pk}", {"data": {"procedure": "dutch"}}, token, as_broker(w.owner), w.owner)


def auctions_publish(w: f.World, traveller: Any) -> Case:
    a = f.auction(w, publish=False)
    token = token_for(OwnerToken.Kind.AUCTION, a.pk, w.owner)
    return Case("POST", f"/auctions/{a.pk}/publish", None, token, as_broker(w.owner), w.owner)


def auctions_cancel(w: f.World, traveller: Any) -> Case:
    a = f.auction(w)
    token = token_for(OwnerToken.Kind.AUCTION, a.pk, w.owner)
    body = {"data": {"reason": "Борг сплачено."}}
    return Case("POST", f"/auctions/{a.pk}/cancel", body, token, as_broker(w.owner), w.owner)


def auctions_ownership(w: f.World, traveller: Any) -> Case:
    a = f.auction(w)
    body = {"data": {"transfer": transfer_for(OwnerToken.Kind.AUCTION, a.pk, w.owner)}}
    return Case("POST", f"/auctions/{a.pk}/ownership", body, None, as_broker(w.owner), w.owner, {"other": 200})


def auctions_result(w: f.World, traveller: Any) -> Case:
    a = f.auction(w)
    bids = [f.bid(w, a, by=i) for i in range(2)]
    f.end_tendering(traveller, a)
    assert a.auction_start is not None
    traveller.move_to(a.auction_start + dt.timedelta(minutes=40))
    ranking = [{"bid_id": b.pk, "value": {"amount": str(102_000 - 1000 * i)}} for i, b in enumerate(bids)]
    engine = as_integration(IntegrationKey.Role.AUCTION_ENGINE)
    return Case("POST", f"/auctions/{a.pk}/result", {"data": {"ranking": ranking}}, None, engine, None, {"admin": 200})


def bids_create(w: f.World, traveller: Any) -> Case:
    a = f.auction(w)
    bidder = w.bidders[0]
    return Case(
        "POST", f"/auctions/{a.pk}/bids", bidder_body(), None, as_broker(bidder), bidder, {"other": 201, "owner": 201}
    )


def _bid_case(w: f.World, verb: str, *, submit: bool) -> Case:
    a = f.auction(w)
    bid = f.bid(w, a, submit=submit, paid=False)
    bidder = w.bidders[0]
    token = token_for(OwnerToken.Kind.BID, bid.pk, bidder)
    return Case("POST", f"/auctions/{a.pk}/bids/{bid.pk}/{verb}", None, token, as_broker(bidder), bidder)


def bids_submit(w: f.World, traveller: Any) -> Case:
    return _bid_case(w, "submit", submit=False)


def bids_withdraw(w: f.World, traveller: Any) -> Case:
    return _bid_case(w, "withdraw", submit=True)


def bids_ownership(w: f.World, traveller: Any) -> Case:
    a = f.auction(w)
    bid = f.bid(w, a, submit=False, paid=False)
    bidder = w.bidders[0]
    body = {"data": {"transfer": transfer_for(OwnerToken.Kind.BID, bid.pk, bidder)}}
    return Case(
        "POST", f"/auctions/{a.pk}/bids/{bid.pk}/ownership", body, None, as_broker(bidder), bidder, {"other": 200}
    )


def awards_protocol(w: f.World, traveller: Any) -> Case:
    a, _bids, winner, _runner_up = qualification(w, traveller)
    token = token_for(OwnerToken.Kind.AUCTION, a.pk, w.owner)
    body = {"data": {"url": protocol_url(w.owner)}}
    return Case("POST", f"/auctions/{a.pk}/awards/{winner.pk}/protocol", body, token, as_broker(w.owner), w.owner)


def awards_disqualify(w: f.World, traveller: Any) -> Case:
    a, _bids, winner, _runner_up = qualification(w, traveller)
    token = token_for(OwnerToken.Kind.AUCTION, a.pk, w.owner)
    body = {"data": {"note": "Боржник не може бути покупцем."}}
    return Case("POST", f"/auctions/{a.pk}/awards/{winner.pk}/disqualify", body, token, as_broker(w.owner), w.owner)


def awards_withdraw(w: f.World, traveller: Any) -> Case:
    a, _bids, _winner, runner_up = qualification(w, traveller)
    broker = Bid.objects.get(pk=runner_up.bid_id).owner
    token = token_for(OwnerToken.Kind.BID, runner_up.bid_id, broker)
    return Case("POST", f"/auctions/{a.pk}/awards/{runner_up.pk}/withdraw", None, token, as_broker(broker), broker)


def contracts_sign(w: f.World, traveller: Any) -> Case:
    a = awarded(w, traveller)
    token = token_for(OwnerToken.Kind.AUCTION, a.pk, w.owner)
    contract = a.contracts.get()
    return Case("POST", f"/auctions/{a.pk}/contracts/{contract.pk}/sign", None, token, as_broker(w.owner), w.owner)


def contracts_cancel(w: f.World, traveller: Any) -> Case:
    a = awarded(w, traveller)
    token = token_for(OwnerToken.Kind.AUCTION, a.pk, w.owner)
    contract = a.contracts.get()
    body = {"data": {"reason": "Переможець відмовився підписати договір."}}
    return Case("POST", f"/auctions/{a.pk}/contracts/{contract.pk}/cancel", body, token, as_broker(w.owner), w.owner)


def bank_guarantees(w: f.World, traveller: Any) -> Case:
    a = f.auction(w)
    bid = f.bid(w, a, paid=False)
    body = {"data": {"bid_id": bid.pk, "value": {"amount": str(a.guarantee)}, "reference": "GUAR-1"}}
    return Case("POST", "/bank-feed/guarantees", body, None, as_integration(IntegrationKey.Role.BANK_FEED))


def bank_payments(w: f.World, traveller: Any) -> Case:
    a, _bids, winner, _runner_up = qualification(w, traveller)
    services.award_upload_protocol(actor=w.official, award_id=winner.pk, document="https://example.test/p.pdf")
    due = winner.value - a.guarantee
    body = {"data": {"award_id": winner.pk, "value": {"amount": str(due)}, "reference": "PAY-1"}}
    return Case("POST", "/bank-feed/payments", body, None, as_integration(IntegrationKey.Role.BANK_FEED))


def documents_register(w: f.World, traveller: Any) -> Case:
    body = {"data": {"hash": "sha256:" + "a" * 64, "title": "Протокол", "format": "application/pdf"}}
    # Any broker's key registers documents (the levels apply where a document is attached).
    expected = {"no_level": 201, "other": 201, "owner": 201}
    return Case("POST", "/documents", body, None, as_broker(w.owner), w.owner, expected)


ENDPOINTS: dict[str, Callable[[f.World, Any], Case]] = {
    "POST /lots": lots_create,
    "PATCH /lots/{id}": lots_update,
    "POST /lots/{id}/ownership": lots_ownership,
    "POST /auctions": auctions_create,
    "PATCH /auctions/{id}": auctions_update,
    "POST /auctions/{id}/publish": auctions_publish,
    "POST /auctions/{id}/cancel": auctions_cancel,
    "POST /auctions/{id}/ownership": auctions_ownership,
    "POST /auctions/{id}/result": auctions_result,
    "POST /auctions/{id}/bids": bids_create,
    "POST /auctions/{id}/bids/{id}/submit": bids_submit,
    "POST /auctions/{id}/bids/{id}/withdraw": bids_withdraw,
    "POST /auctions/{id}/bids/{id}/ownership": bids_ownership,
    "POST /auctions/{id}/awards/{id}/protocol": awards_protocol,
    "POST /auctions/{id}/awards/{id}/disqualify": awards_disqualify,
    "POST /auctions/{id}/awards/{id}/withdraw": awards_withdraw,
    "POST /auctions/{id}/contracts/{id}/sign": contracts_sign,
    "POST /auctions/{id}/contracts/{id}/cancel": contracts_cancel,
    "POST /bank-feed/guarantees": bank_guarantees,
    "POST /bank-feed/payments": bank_payments,
    "POST /documents": documents_register,
}


@pytest.fixture
def traveller() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as travelling:
        yield travelling


def caller(who: str, case: Case) -> Api:
    if who == "anonymous":
        return anonymous()
    if who == "owner":
        assert case.owner is not None
        return case.owner
    if who == "admin":
        return as_integration(IntegrationKey.Role.ADMIN)
    if who == "other":
        return as_broker(f.broker())
    # no_level: the acting broker itself, its accreditation levels taken away (or a broker that has none).
    if case.acting is None:
        return as_broker(f.broker(can_create=False, can_edit=False))
    Broker.objects.filter(pk=case.acting.pk).update(can_create=False, can_edit=False)
    assert case.owner is not None
    return case.owner


def test_every_write_endpoint_is_in_the_matrix() -> None:
    from vzaemo.broker_api.api import api

    schema = api.get_openapi_schema(path_prefix="")
    writes = {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method != "get"
    }
    normalised = {" ".join([w.split()[0], _generic(w.split()[1])]) for w in writes}
    assert normalised == set(ENDPOINTS)


def _generic(path: str) -> str:
    return "/".join("{id}" if part.startswith("{") else part for part in path.split("/"))


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_authorisation_matrix(endpoint: str, who: str, traveller: Any) -> None:
    w = f.world()
    case = ENDPOINTS[endpoint](w, traveller)
    expected = {**REFUSED, "owner": 200, **case.expected}[who]
    api = caller(who, case)
    before = state()
    call = getattr(api, case.method.lower())
    response = call(case.path, case.body, token=case.token)
    assert response.status_code == expected, (endpoint, who, response.content.decode())
    body = response.json()
    if expected >= 400:
        assert set(body) == {"errors"}
        assert body["errors"]
        assert all(set(e) == {"location", "name", "description"} and e["description"] for e in body["errors"])
        assert state() == before, f"{endpoint} refused {who} but changed the database"
    else:
        assert "data" in body
        assert state() != before
