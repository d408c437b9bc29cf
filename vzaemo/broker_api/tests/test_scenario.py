"""The end-to-end scenario through the broker API only: a broker lists a lot, two other brokers
register bidders, the bank feed confirms their guarantees, the auction engine records the result, the winner
defaults, the runner-up is promoted, pays and the contract is signed; a second lot finds no bidder and is
relisted, marked down. Only the chronograph (time-driven, no client) runs outside the API, on a travelled clock.

The exchanges are the tutorial's examples (docs/broker-api.md): the test fails when the API now answers
differently from what the tutorial shows (see examples.py; `UPDATE_API_EXAMPLES=1` rewrites them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from vzaemo.accounts.models import Authority, AuthorityKind, Region
from vzaemo.auctions import selectors, services
from vzaemo.auctions.models import Auction, Award, Bid, Broker, Contract, Lot
from vzaemo.auctions.tests import factories as f
from vzaemo.broker_api.models import ApiKey, IntegrationKey, OwnerToken
from vzaemo.broker_api.tests.conftest import anonymous, as_broker, as_integration, client
from vzaemo.broker_api.tests.examples import Examples, Exchange, Speaker, reset_sequences, response_json
from vzaemo.core.clock import KYIV

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 1, 14, 10, 0, tzinfo=KYIV)  # a Wednesday; martial law: only weekends are off
PROTOCOL_PDF = b"%PDF-1.7\n% the signed auction protocol\n"


@pytest.fixture
def traveller() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as travelling:
        yield travelling


def at(moment: str | None) -> dt.datetime:
    assert moment is not None
    return dt.datetime.fromisoformat(moment)


def chronograph(traveller: Any, moment: dt.datetime) -> None:
    """The platform's time-driven job (no client calls it): ends tendering, defaults unpaid awards."""
    traveller.move_to(moment)
    services.auction_deadlines_apply()


def lot_body(organiser: Authority, title: str, amount: str) -> dict[str, Any]:
    return {
        "data": {
            "organiser_id": organiser.pk,
            "organiser_kind": "state",
            "title": title,
            "description": "Арештоване майно боржника, технічно справне.",
            "category": "movable",
            "region": Region.KYIV_CITY,
            "address": "м. Київ, вул. Промислова, 1",
            "enforcementProceeding": "ВП № 71234567",
            "value": {"amount": amount},
        }
    }


def start_date(amount: str) -> str:
    return f.first_allowed_start(Decimal(amount), "english").isoformat()


def upload_protocol(seller: Speaker, ex: Examples, *, auction: dict[str, Any], record: bool) -> str:
    """Register the protocol with the document service, upload the file; the permanent URL to send."""
    body = {
        "data": {
            "hash": "sha256:" + hashlib.sha256(PROTOCOL_PDF).hexdigest(),
            "title": f"Протокол електронного аукціону {auction['auctionID']}.pdf",
            "format": "application/pdf",
        }
    }
    document = seller.call("POST", "/documents", body, expect=201, example="document-register" if record else None)
    data = document["data"]
    ex.hide(data["id"], "<document id>")
    url = data["url"]
    ex.hide(url.split("Signature=")[1], "<signature>")
    ex.hide(url.split("KeyID=")[1].split("&")[0], "<key id>")
    upload = data["upload_url"]
    ex.hide(upload.split("sig=")[1], "<link signature>")
    file = SimpleUploadedFile("protocol.pdf", PROTOCOL_PDF, "application/pdf")
    response = client().post(upload, {"file": file}, secure=True)
    assert response.status_code == 201, response.content
    if record:
        path = upload.removeprefix("https://vzaemo.example")
        ex.add(
            "document-upload",
            Exchange(
                method="POST",
                path=path,
                headers={"Content-Type": "multipart/form-data; boundary=…"},
                body="(the file, as the form field `file`)",
                status=201,
                response_headers={},
                response_body=response_json(response),
            ),
        )
    return str(url)


def test_api_only_scenario(traveller: Any) -> None:
    reset_sequences(Authority, Broker, Lot, Auction, Bid, Award, Contract, ApiKey, IntegrationKey, OwnerToken)
    ex = Examples()
    organiser = Authority.objects.create(
        slug="dvs-kyiv",
        name_uk="Центральний відділ державної виконавчої служби у м. Києві",
        name_en="Central state enforcement office in Kyiv",
        kind=AuthorityKind.CENTRAL_EXECUTIVE,
        edrpou="34567890",
    )

    def speaker(api: Any, placeholder: str) -> Speaker:
        return Speaker(api, ex, traveller, placeholder)

    seller = speaker(as_broker(f.broker(name="Майданчик «Продавець»")), "<broker A key>")
    broker_b = speaker(as_broker(f.broker(name="Майданчик «Покупець-Б»")), "<broker B key>")
    broker_c = speaker(as_broker(f.broker(name="Майданчик «Покупець-В»")), "<broker C key>")
    bank = speaker(as_integration(IntegrationKey.Role.BANK_FEED), "<bank feed key>")
    engine = speaker(as_integration(IntegrationKey.Role.AUCTION_ENGINE), "<auction engine key>")
    public = speaker(anonymous(), "")

    # 1. Broker A lists the lot and drafts its auction with the lot's owner token, then publishes it.
    lot = seller.call(
        "POST", "/lots", lot_body(organiser, "Автонавантажувач Toyota 2015 р.", "100000.00"), expect=201,
        example="lot-create",
    )  # fmt: skip
    lot_token = lot["access"]["token"]
    ex.hide(lot_token, "<lot token>")
    ex.hide(lot["access"]["transfer"], "<lot transfer>")
    auction_body = {
        "data": {"lot_id": int(lot["data"]["id"]), "procedure": "english",
                 "auctionPeriod": {"startDate": start_date("100000.00")}},
    }  # fmt: skip
    created = seller.call("POST", "/auctions", auction_body, token=lot_token, expect=201, example="auction-create")
    assert created["data"]["status"] == "draft"
    auction_id, token = created["data"]["id"], created["access"]["token"]
    ex.hide(token, "<auction token>")
    ex.hide(created["access"]["transfer"], "<auction transfer>")
    published = seller.call("POST", f"/auctions/{auction_id}/publish", token=token, example="auction-publish")
    assert published["data"]["status"] == "active.tendering"
    assert seller.call("POST", f"/auctions/{auction_id}/publish", token=token) == published  # idempotent

    # 2. Two other brokers register bidders and submit their bids.
    bids = {}
    for who, speaker_, name, code, label in (
        ("b", broker_b, "ТОВ «Покупець»", "12345678", "example"),
        ("c", broker_c, "ФОП Іваненко Іван Іванович", "1234567890", None),
    ):
        body = {"data": {"bidder": {"name": name, "identifier": code}, "value": {"amount": "100000.00"}}}
        bid = speaker_.call(
            "POST", f"/auctions/{auction_id}/bids", body, expect=201, example="bid-create" if label else None
        )
        bid_token = bid["access"]["token"]
        ex.hide(bid_token, f"<bid token ({who.upper()})>")
        ex.hide(bid["access"]["transfer"], f"<bid transfer ({who.upper()})>")
        submitted = speaker_.call(
            "POST", f"/auctions/{auction_id}/bids/{bid['data']['id']}/submit", token=bid_token,
            example="bid-submit" if label else None,
        )  # fmt: skip
        assert submitted["data"]["status"] == "pending"
        bids[who] = (bid["data"]["id"], bid_token)

    # 3. The organiser's bank feed confirms both guarantees: the bids are qualified.
    for n, who in enumerate(("b", "c"), start=1):
        statement = {"data": {"bid_id": int(bids[who][0]), "value": {"amount": "5000.00"}, "reference": f"GUAR-000{n}"}}
        confirmed = bank.call("POST", "/bank-feed/guarantees", statement, example="bank-guarantee" if n == 1 else None)
        assert (confirmed["data"]["status"], confirmed["data"]["qualified"]) == ("active", True)

    # Nobody but a bidder's own broker sees a bidder while the auction runs; not the public, not the seller.
    hidden = public.call("GET", f"/auctions/{auction_id}", example="auction-bidders-hidden")
    assert hidden["data"]["bids"] == []
    assert seller.call("GET", f"/auctions/{auction_id}")["data"]["bids"] == []
    assert [b["id"] for b in broker_b.call("GET", f"/auctions/{auction_id}")["data"]["bids"]] == [bids["b"][0]]
    history = str(selectors.auction_revisions_public(Auction.objects.get(pk=auction_id)))
    for leak in ("12345678", "1234567890", "Іваненко", "GUAR-0001", "Покупець-Б", "Покупець-В"):
        assert leak not in history

    # 4. Tendering ends (the chronograph); the auction engine runs the auction and records the ranking.
    chronograph(traveller, at(published["data"]["tenderPeriod"]["endDate"]) + dt.timedelta(minutes=1))
    assert public.call("GET", f"/auctions/{auction_id}")["data"]["status"] == "active.auction"
    traveller.move_to(at(published["data"]["auctionPeriod"]["startDate"]) + dt.timedelta(minutes=40))
    ranking = {
        "data": {
            "ranking": [
                {"bid_id": int(bids["b"][0]), "value": {"amount": "112000.00"}},
                {"bid_id": int(bids["c"][0]), "value": {"amount": "111000.00"}},
            ]
        }
    }
    result = engine.call("POST", f"/auctions/{auction_id}/result", ranking, example="auction-result")["data"]
    assert result["status"] == "active.qualification"
    winner, runner_up = result["awards"]
    assert (winner["status"], runner_up["status"]) == ("pending", "pending.waiting")
    assert {b["bidder"]["identifier"] for b in result["bids"]} == {"12345678", "1234567890"}  # revealed now
    assert all("reference" not in b["guarantee"] for b in result["bids"])

    # 5. The organiser (through broker A) uploads the signed protocol of the winner's award; only a document of
    #    the document service is accepted.
    foreign = {"data": {"url": "https://files.example.com/protocol.pdf"}}
    seller.call(
        "POST", f"/auctions/{auction_id}/awards/{winner['id']}/protocol", foreign, token=token, expect=422,
        example="error-foreign-document",
    )  # fmt: skip
    url = upload_protocol(seller, ex, auction=result, record=True)
    after_protocol = seller.call(
        "POST", f"/auctions/{auction_id}/awards/{winner['id']}/protocol", {"data": {"url": url}}, token=token,
        example="award-protocol",
    )  # fmt: skip
    assert after_protocol["data"]["awards"][0]["protocolPeriod"]["uploadedAt"] is not None

    # 6. The winner does not pay in time: its guarantee is forfeited and the runner-up is promoted.
    chronograph(traveller, at(winner["paymentPeriod"]["endDate"]) + dt.timedelta(minutes=1))
    defaulted = public.call("GET", f"/auctions/{auction_id}", example="auction-winner-defaulted")["data"]
    first, second = defaulted["awards"]
    assert (first["status"], first["endReason"], second["status"]) == ("unsuccessful", "payment_default", "pending")
    forfeited = {b["id"]: b["guarantee"]["forfeited"] for b in defaulted["bids"]}
    assert forfeited == {bids["b"][0]: True, bids["c"][0]: False}

    # 7. The runner-up's protocol, its payment through the bank feed, and the signed contract.
    url = upload_protocol(seller, ex, auction=defaulted, record=False)
    seller.call("POST", f"/auctions/{auction_id}/awards/{second['id']}/protocol", {"data": {"url": url}}, token=token)
    payment = {"data": {"award_id": int(second["id"]), "value": {"amount": "106000.00"}, "reference": "PAY-0001"}}
    paid = bank.call("POST", "/bank-feed/payments", payment, example="bank-payment")["data"]
    assert paid["status"] == "active"
    awarded = public.call("GET", f"/auctions/{auction_id}")["data"]
    assert awarded["status"] == "active.awarded"
    (contract,) = awarded["contracts"]
    signed = seller.call(
        "POST", f"/auctions/{auction_id}/contracts/{contract['id']}/sign", token=token, example="contract-sign"
    )["data"]
    assert (signed["status"], signed["contracts"][0]["status"]) == ("complete", "active")
    assert signed["contracts"][0]["value"] == {"amount": "111000.00", "currency": "UAH"}

    # 8. A second lot finds no qualified bidder: unsuccessful, and its next attempt is a marked-down draft
    #    that broker A dates and publishes with the first attempt's owner token.
    lot2 = seller.call(
        "POST", "/lots", lot_body(organiser, "Токарний верстат 16К20", "40000.00"), expect=201
    )  # fmt: skip
    draft_body = {"data": {"lot_id": int(lot2["data"]["id"]), "procedure": "english",
                           "auctionPeriod": {"startDate": start_date("40000.00")}}}  # fmt: skip
    draft = seller.call("POST", "/auctions", draft_body, token=lot2["access"]["token"], expect=201)
    ex.hide(lot2["access"]["token"], "<lot 2 token>")
    ex.hide(lot2["access"]["transfer"], "<lot 2 transfer>")
    token2 = draft["access"]["token"]
    ex.hide(token2, "<auction 2 token>")
    ex.hide(draft["access"]["transfer"], "<auction 2 transfer>")
    first_attempt = seller.call("POST", f"/auctions/{draft['data']['id']}/publish", token=token2)["data"]
    chronograph(traveller, at(first_attempt["tenderPeriod"]["endDate"]) + dt.timedelta(minutes=1))
    history2 = seller.call("GET", f"/lots/{lot2['data']['id']}", example="lot-attempts")["data"]["auctions"]
    assert [(a["attempt"], a["status"]) for a in history2] == [(1, "unsuccessful"), (2, "draft")]
    assert public.call("GET", f"/lots/{lot2['data']['id']}")["data"]["auctions"] == history2[:1]  # drafts: owner only
    next_id = history2[1]["id"]
    dated = seller.call(
        "PATCH", f"/auctions/{next_id}", {"data": {"auctionPeriod": {"startDate": start_date(history2[1]["value"]["amount"])}}},
        token=token2, example="next-attempt-date",
    )["data"]  # fmt: skip
    assert (dated["status"], dated["previous_id"]) == ("draft", first_attempt["id"])
    relisted = seller.call("POST", f"/auctions/{next_id}/publish", token=token2, example="next-attempt-publish")
    relisted_data = relisted["data"]
    assert relisted_data["status"] == "active.tendering"
    assert Decimal(relisted_data["value"]["amount"]) < Decimal("40000.00")
    assert Decimal(relisted_data["markdownPercent"]) > 0

    ex.check()
