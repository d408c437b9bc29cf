"""The write endpoints beyond the authorisation matrix: transfers, draft edits, bid verbs, the bank feed,
the result, protocols and contracts, reads with integration keys, and the rate limits. Every refusal
answers the error envelope and changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile

from vzaemo.auctions import selectors, services
from vzaemo.auctions.models import Auction, Award, Bid, Lot, Revision
from vzaemo.auctions.permissions import BANK_FEED, LIVE_ENGINE
from vzaemo.auctions.states import AwardStatus
from vzaemo.auctions.tests import factories as f
from vzaemo.broker_api.models import IntegrationKey, OwnerToken, SpentTransfer
from vzaemo.broker_api.services import api_key_revoke, integration_key_issue, owner_token_issue
from vzaemo.broker_api.tests.conftest import Api, anonymous, as_broker, as_integration, client, state
from vzaemo.core.clock import KYIV
from vzaemo.core.models import AuditEntry
from vzaemo.documents import services as documents

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 1, 14, 10, 0, tzinfo=KYIV)


@pytest.fixture
def traveller() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as travelling:
        yield travelling


@pytest.fixture
def w() -> f.World:
    return f.world()


def refused(response: Any, status: int, name: str | None = None) -> dict[str, str]:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert set(body) == {"errors"}
    assert len(body["errors"]) == 1
    item = body["errors"][0]
    assert set(item) == {"location", "name", "description"}
    assert item["description"]
    if name is not None:
        assert item["name"] == name, item
    return dict(item)


def tokens(kind: str, object_id: int, broker: Any) -> tuple[str, str]:
    return owner_token_issue(kind=kind, object_id=object_id, broker=broker)


def uploaded_url(broker: Any, *, mode: str = "real", content: bytes = b"%PDF protocol") -> str:
    registration = documents.document_register(
        sha256=hashlib.sha256(content).hexdigest(),
        title="Протокол",
        format="application/pdf",
        owner_type="broker",
        owner_id=str(broker.pk),
        mode=mode,
    )
    documents.document_upload(document_id=registration.document.pk, file=ContentFile(content))
    return registration.url


# --- transfers ----------------------------------------------------------------------------------------


def test_a_transfer_moves_the_lot_once_and_the_old_token_dies(w: f.World) -> None:
    lot = f.lot(w)
    old_token, transfer = tokens(OwnerToken.Kind.LOT, lot.pk, w.owner)
    newcomer = f.broker()
    new = as_broker(newcomer)
    response = new.post(f"/lots/{lot.pk}/ownership", {"data": {"transfer": transfer}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["data"]["owner"] == newcomer.name
    assert set(body["access"]) == {"token", "transfer"}
    lot.refresh_from_db()
    assert lot.owner == newcomer
    assert Revision.objects.filter(subject_type="lot", subject_id=lot.pk).count() == 2
    assert AuditEntry.objects.filter(tag="auction-lot:transfer", subject_id=str(lot.pk)).count() == 1
    spent = SpentTransfer.objects.get()
    assert (spent.from_broker, spent.to_broker) == (w.owner, newcomer)
    assert transfer not in json.dumps(list(SpentTransfer.objects.values()), default=str)
    third, old_owner = as_broker(f.broker()), as_broker(w.owner)
    before = state()
    # The transfer key works once, the old owner's token no more; the new ones work.
    error = refused(third.post(f"/lots/{lot.pk}/ownership", {"data": {"transfer": transfer}}), 403)
    assert "used already" in error["description"]
    patch = {"data": {"title": "Нова назва"}}
    refused(old_owner.patch(f"/lots/{lot.pk}", patch, token=old_token), 403, "X-Access-Token")
    refused(new.post(f"/lots/{lot.pk}/ownership", {"data": {"transfer": "0" * 32}}), 403, "data.transfer")
    assert state() == before
    assert new.patch(f"/lots/{lot.pk}", patch, token=body["access"]["token"]).status_code == 200


def test_an_auction_transfer_takes_the_later_attempts_along(w: f.World, traveller: Any) -> None:
    a = f.auction(w)
    token, transfer = tokens(OwnerToken.Kind.AUCTION, a.pk, w.owner)
    f.end_tendering(traveller, a)  # nobody bid: unsuccessful, the next attempt is a draft
    following = Auction.objects.get(previous=a)
    newcomer = f.broker()
    new = as_broker(newcomer)
    response = new.post(f"/auctions/{a.pk}/ownership", {"data": {"transfer": transfer}})
    assert response.status_code == 200, response.content
    assert set(Auction.objects.filter(lot=a.lot).values_list("owner", flat=True)) == {newcomer.pk}
    assert AuditEntry.objects.filter(tag="auction:transfer").count() == 2
    new_token = response.json()["access"]["token"]
    # The next attempt is written with the first attempt's (new) token, and only by its holder.
    start = f.first_allowed_start(following.value, "english").isoformat()
    patch = {"data": {"auctionPeriod": {"startDate": start}}}
    old_owner = as_broker(w.owner)
    before = state()
    refused(old_owner.patch(f"/auctions/{following.pk}", patch, token=token), 403)
    assert state() == before
    assert new.patch(f"/auctions/{following.pk}", patch, token=new_token).status_code == 200
    assert new.post(f"/auctions/{following.pk}/publish", token=new_token).json()["data"]["status"] == "active.tendering"


def test_a_sandbox_broker_cannot_take_a_real_object(w: f.World) -> None:
    lot = f.lot(w)
    _token, transfer = tokens(OwnerToken.Kind.LOT, lot.pk, w.owner)
    sandbox = as_broker(f.broker(sandbox=True))
    before = state()
    refused(
        sandbox.post(f"/lots/{lot.pk}/ownership", {"data": {"transfer": transfer}}),
        403,
        "broker_cannot_take_over",
    )
    assert state() == before


def test_a_bid_taken_over_stays_hidden_from_the_others(w: f.World) -> None:
    a = f.auction(w)
    bid = f.bid(w, a, paid=False, submit=False)
    _token, transfer = tokens(OwnerToken.Kind.BID, bid.pk, w.bidders[0])
    newcomer = f.broker(name="Майданчик «Новий»")
    assert (
        as_broker(newcomer)
        .post(f"/auctions/{a.pk}/bids/{bid.pk}/ownership", {"data": {"transfer": transfer}})
        .status_code
        == 200
    )
    history = json.dumps(selectors.auction_revisions_public(a), ensure_ascii=False)
    assert "Новий" not in history
    assert bid.bidder_identifier not in history
    assert anonymous().get(f"/auctions/{a.pk}").json()["data"]["bids"] == []
    assert [b["id"] for b in as_broker(newcomer).get(f"/auctions/{a.pk}").json()["data"]["bids"]] == [str(bid.pk)]
    assert as_broker(w.bidders[0]).get(f"/auctions/{a.pk}").json()["data"]["bids"] == []


# --- draft edits ----------------------------------------------------------------------------------------


def test_lot_edits_until_the_auction_is_published(w: f.World) -> None:
    lot = f.lot(w)
    token, _ = tokens(OwnerToken.Kind.LOT, lot.pk, w.owner)
    owner = as_broker(w.owner)
    response = owner.patch(
        f"/lots/{lot.pk}", {"data": {"title": "Нова назва", "value": {"amount": "90000.00"}}}, token=token
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"]["value"]["amount"] == "90000.00"
    revisions = Revision.objects.filter(subject_type="lot", subject_id=lot.pk).count()
    # The same values again: nothing to write.
    assert owner.patch(f"/lots/{lot.pk}", {"data": {"title": "Нова назва"}}, token=token).status_code == 200
    assert Revision.objects.filter(subject_type="lot", subject_id=lot.pk).count() == revisions
    a = f.auction(w, publish=False, lot_=Lot.objects.get(pk=lot.pk))
    before = state()
    refused(
        owner.patch(f"/lots/{lot.pk}", {"data": {"value": {"amount": "80000.00"}}}, token=token), 409, "lot_has_auction"
    )
    refused(owner.patch(f"/lots/{lot.pk}", {"data": {"region": "atlantis"}}, token=token), 422, "data.region")
    refused(owner.patch("/lots/999999", {"data": {"title": "x"}}, token=token), 404, "lot_id")
    assert state() == before
    assert owner.patch(f"/lots/{lot.pk}", {"data": {"address": "м. Київ"}}, token=token).status_code == 200
    services.auction_publish(broker=w.owner, auction_id=a.pk)
    before = state()
    refused(owner.patch(f"/lots/{lot.pk}", {"data": {"title": "Ще одна"}}, token=token), 403, "lot_published")
    assert state() == before


def test_auction_edits_only_a_draft(w: f.World) -> None:
    a = f.auction(w, publish=False)
    token, _ = tokens(OwnerToken.Kind.AUCTION, a.pk, w.owner)
    owner = as_broker(w.owner)
    rev = Auction.objects.get(pk=a.pk).rev
    assert owner.patch(f"/auctions/{a.pk}", {"data": {}}, token=token).status_code == 200
    assert Auction.objects.get(pk=a.pk).rev == rev  # an empty edit writes nothing
    response = owner.patch(f"/auctions/{a.pk}", {"data": {"procedure": "dutch"}}, token=token)
    assert response.json()["data"]["procedure"] == "dutch"
    before = state()
    past = {"data": {"auctionPeriod": {"startDate": "2020-01-01T10:00:00+02:00"}}}
    refused(owner.patch(f"/auctions/{a.pk}", past, token=token), 422, "data.auctionPeriod.startDate")
    refused(owner.patch(f"/auctions/{a.pk}", {"data": {"status": "complete"}}, token=token), 422, "data.status")
    assert state() == before
    services.auction_publish(broker=w.owner, auction_id=a.pk)
    before = state()
    refused(owner.patch(f"/auctions/{a.pk}", {"data": {"procedure": "english"}}, token=token), 403, "auction_not_draft")
    assert state() == before


# --- bids ------------------------------------------------------------------------------------------------


def test_bid_verbs(w: f.World) -> None:
    a = f.auction(w)
    other = f.auction(w)
    bid = f.bid(w, a, paid=False, submit=False)
    token, _ = tokens(OwnerToken.Kind.BID, bid.pk, w.bidders[0])
    bidder = as_broker(w.bidders[0])
    before = state()
    refused(bidder.post(f"/auctions/{other.pk}/bids/{bid.pk}/submit", token=token), 404, "bid_id")
    refused(bidder.post(f"/auctions/{a.pk}/bids/{bid.pk}/submit"), 403, "X-Access-Token")
    assert state() == before
    assert bidder.post(f"/auctions/{a.pk}/bids/{bid.pk}/submit", token=token).json()["data"]["status"] == "pending"
    before = state()
    refused(bidder.post(f"/auctions/{a.pk}/bids/{bid.pk}/submit", token=token), 409, "bid_cannot_submit")
    assert state() == before
    withdrawn = bidder.post(f"/auctions/{a.pk}/bids/{bid.pk}/withdraw", token=token).json()["data"]
    assert (withdrawn["status"], withdrawn["invalidReason"]) == ("invalid", "withdrawn")


# --- the bank feed and the result ------------------------------------------------------------------------


def test_the_bank_feed_qualifies_a_bid_once(w: f.World) -> None:
    a = f.auction(w)
    bid = f.bid(w, a, paid=False)
    bank = as_integration(IntegrationKey.Role.BANK_FEED)
    body = {"data": {"bid_id": bid.pk, "value": {"amount": "5000.00"}, "reference": "BANK-1"}}
    before = state()
    refused(
        bank.post("/bank-feed/guarantees", {"data": {**body["data"], "value": {"amount": "4999.99"}}}),
        422,
        "data.value.amount",
    )
    refused(bank.post("/bank-feed/guarantees", {"data": {**body["data"], "bid_id": 999_999}}), 404, "bid_not_found")
    assert state() == before
    response = bank.post("/bank-feed/guarantees", body)
    assert response.json()["data"] == {
        "bid_id": str(bid.pk),
        "auction_id": str(a.pk),
        "status": "active",
        "qualified": True,
        "guarantee": {"reference": "BANK-1", "paidAt": response.json()["data"]["guarantee"]["paidAt"]},
    }
    before = state()
    assert bank.post("/bank-feed/guarantees", body).status_code == 200  # the same report again: nothing
    refused(
        bank.post("/bank-feed/guarantees", {"data": {**body["data"], "reference": "BANK-2"}}),
        409,
        "guarantee_already_confirmed",
    )
    assert state() == before
    # The guarantee reference is a bank detail: only the bid's own broker ever sees it.
    assert "BANK-1" not in anonymous().get(f"/auctions/{a.pk}").content.decode()
    assert "BANK-1" not in json.dumps(selectors.auction_revisions_public(a))


def test_a_revoked_integration_key_is_401(w: f.World) -> None:
    key, secret = integration_key_issue(IntegrationKey.Role.BANK_FEED)
    api_key_revoke(key)
    refused(
        Api(client(), None, secret).post(
            "/bank-feed/guarantees", {"data": {"bid_id": 1, "value": {"amount": "1"}, "reference": "x"}}
        ),
        401,
    )
    # An integration key reads what the public reads.
    a = f.auction(w)
    f.bid(w, a)
    engine = as_integration(IntegrationKey.Role.AUCTION_ENGINE)
    assert engine.get(f"/auctions/{a.pk}").json()["data"]["bids"] == []


def test_the_result_refusals(w: f.World, traveller: Any) -> None:
    a = f.auction(w)
    bids = [f.bid(w, a, by=i) for i in range(2)]
    engine = as_integration(IntegrationKey.Role.AUCTION_ENGINE)
    ranking = {"data": {"ranking": [{"bid_id": b.pk, "value": {"amount": "101000.00"}} for b in bids]}}
    before = state()
    refused(engine.post(f"/auctions/{a.pk}/result", ranking), 409, "auction_cannot_record_result")
    assert state() == before
    f.end_tendering(traveller, a)
    before = state()
    unknown = {"data": {"ranking": [{"bid_id": 999_999, "value": {"amount": "101000.00"}}]}}
    refused(engine.post(f"/auctions/{a.pk}/result", unknown), 422, "data.ranking")
    refused(engine.post("/auctions/999999/result", ranking), 404, "auction_not_found")
    assert state() == before
    assert engine.post(f"/auctions/{a.pk}/result", ranking).json()["data"]["status"] == "active.qualification"
    assert AuditEntry.objects.filter(tag="auction:result", actor_label=str(LIVE_ENGINE)).count() == 1


# --- awards and contracts ------------------------------------------------------------------------------------


def test_only_a_signed_document_of_this_broker_is_a_protocol(w: f.World, traveller: Any, settings: Any) -> None:
    a, _bids = f.to_qualification(traveller, w)
    award = a.awards.get(status=AwardStatus.PENDING)
    token, _ = tokens(OwnerToken.Kind.AUCTION, a.pk, w.owner)
    owner = as_broker(w.owner)
    path = f"/auctions/{a.pk}/awards/{award.pk}/protocol"
    good = uploaded_url(w.owner)
    foreign = uploaded_url(w.bidders[0], content=b"another broker's file")
    sandbox = uploaded_url(w.owner, mode="test", content=b"a test file")
    before = state()
    for url in (
        "https://files.example.com/p.pdf",
        good.replace("Signature=", "Signature=A"),
        good.split("?")[0],
        foreign,
        sandbox,
    ):
        refused(owner.post(path, {"data": {"url": url}}, token=token), 422, "data.url")
    refused(
        owner.post(f"/auctions/{a.pk}/awards/999999/protocol", {"data": {"url": good}}, token=token), 404, "award_id"
    )
    assert state() == before
    response = owner.post(path, {"data": {"url": good}}, token=token)
    assert response.status_code == 200, response.content
    assert Award.objects.get(pk=award.pk).protocol_document == good  # the canonical URL
    assert AuditEntry.objects.filter(
        tag="auction:protocol-upload", actor_label__startswith="organiser via broker:"
    ).exists()
    before = state()
    refused(owner.post(path, {"data": {"url": good}}, token=token), 409, "protocol_already_uploaded")
    assert state() == before


def test_disqualify_withdraw_and_contract_cancel(w: f.World, traveller: Any) -> None:
    a, (winner_bid, runner_bid, _third) = f.to_qualification(traveller, w, bids=3)
    token, _ = tokens(OwnerToken.Kind.AUCTION, a.pk, w.owner)
    owner = as_broker(w.owner)
    winner = a.awards.get(bid=winner_bid)
    runner_up = a.awards.get(bid=runner_bid)
    # The runner-up (bid owner token) leaves the chain.
    runner_token, _ = tokens(OwnerToken.Kind.BID, runner_bid.pk, runner_bid.owner)
    left = as_broker(runner_bid.owner).post(f"/auctions/{a.pk}/awards/{runner_up.pk}/withdraw", token=runner_token)
    assert left.json()["data"]["awards"][1]["status"] == "cancelled"
    # The organiser disqualifies the winner: with nobody waiting, the auction is unsuccessful.
    before = state()
    refused(
        owner.post(f"/auctions/{a.pk}/awards/{winner.pk}/disqualify", {"data": {"note": " "}}, token=token),
        422,
        "data.note",
    )
    assert state() == before
    done = owner.post(f"/auctions/{a.pk}/awards/{winner.pk}/disqualify", {"data": {"note": "Боржник."}}, token=token)
    assert done.json()["data"]["status"] == "unsuccessful"
    assert Auction.objects.filter(previous=a).exists()


def test_contract_cancel_promotes_the_runner_up(w: f.World, traveller: Any) -> None:
    a, (winner_bid, runner_bid) = f.to_qualification(traveller, w)
    winner = a.awards.get(bid=winner_bid)
    services.award_upload_protocol(actor=w.official, award_id=winner.pk, document="https://example.test/p.pdf")
    services.award_confirm_payment(
        actor=BANK_FEED, award_id=winner.pk, amount=winner.value - a.guarantee, reference="P"
    )
    contract = a.contracts.get()
    token, _ = tokens(OwnerToken.Kind.AUCTION, a.pk, w.owner)
    owner = as_broker(w.owner)
    before = state()
    refused(
        owner.post(f"/auctions/{a.pk}/contracts/999999/cancel", {"data": {"reason": "x"}}, token=token),
        404,
        "contract_id",
    )
    assert state() == before
    body = owner.post(
        f"/auctions/{a.pk}/contracts/{contract.pk}/cancel", {"data": {"reason": "Відмовився."}}, token=token
    ).json()["data"]
    assert body["contracts"][0]["status"] == "cancelled"
    assert [(aw["bid_id"], aw["status"]) for aw in body["awards"]] == [
        (str(winner_bid.pk), "cancelled"),
        (str(runner_bid.pk), "pending"),
    ]
    assert Bid.objects.get(pk=winner_bid.pk).guarantee_forfeited
    before = state()
    refused(owner.post(f"/auctions/{a.pk}/contracts/{contract.pk}/sign", token=token), 409, "contract_cannot_sign")
    assert state() == before


# --- rate limits ---------------------------------------------------------------------------------------------


def test_writes_and_reads_are_rate_limited_per_key(w: f.World, settings: Any, traveller: Any) -> None:
    settings.VZAEMO_BROKER_API_WRITES_PER_SECOND = 2
    settings.VZAEMO_BROKER_API_READS_PER_SECOND = 3
    lot = f.lot(w)
    token, _ = tokens(OwnerToken.Kind.LOT, lot.pk, w.owner)
    owner, other = as_broker(w.owner), as_broker(f.broker())
    for n in range(2):
        assert owner.patch(f"/lots/{lot.pk}", {"data": {"title": f"Назва {n}"}}, token=token).status_code == 200
    before = state()
    response = owner.patch(f"/lots/{lot.pk}", {"data": {"title": "Назва 3"}}, token=token)
    refused(response, 429, "rate_limit")
    assert response["Retry-After"] == "1"
    assert state() == before
    # Reads are counted apart, and so is every other key (and the public, per address).
    assert [owner.get(f"/lots/{lot.pk}").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert other.patch(f"/lots/{lot.pk}", {"data": {"title": "x"}}, token=token).status_code == 403
    assert anonymous().get(f"/lots/{lot.pk}").status_code == 200
    # A request without a valid key is 401 and costs nothing.
    assert Api(client(), None, "not-a-key-at-all").post("/lots", {}).status_code == 401
    # The next window.
    traveller.shift(dt.timedelta(seconds=1))
    assert owner.patch(f"/lots/{lot.pk}", {"data": {"title": "Назва 3"}}, token=token).status_code == 200


def test_the_public_limit_counts_the_peer_not_a_forwarded_header_it_wrote(w: f.World, settings: Any) -> None:
    settings.VZAEMO_BROKER_API_READS_PER_SECOND = 2
    lot = f.lot(w)
    path = f"/api/broker/v1/lots/{lot.pk}"

    def read(forwarded: str, peer: str = "203.0.113.7") -> int:
        response = client().get(path, secure=True, REMOTE_ADDR=peer, headers={"X-Forwarded-For": forwarded})
        return response.status_code

    with time_machine.travel(1_900_000_000.5, tick=False):
        # No trusted proxy: a new address in the header each time is still the same client.
        assert [read(f"198.51.100.{n}") for n in range(3)] == [200, 200, 429]
        assert read("198.51.100.9", peer="203.0.113.8") == 200
        # Behind a trusted proxy the forwarded client is counted, each on its own.
        settings.TRUSTED_PROXIES = ["10.0.0.1/32"]
        assert [read("198.51.100.1", peer="10.0.0.1") for _ in range(3)] == [200, 200, 429]
        assert read("198.51.100.2", peer="10.0.0.1") == 200


# --- the admin ---------------------------------------------------------------------------------------------


def test_the_admin_issues_an_integration_key_and_shows_its_secret_once(settings: Any) -> None:
    from vzaemo.accounts.models import User
    from vzaemo.broker_api.services import integration_for_secret

    settings.VZAEMO_STAFF_MFA_REQUIRED = False  # the admin's session, past the second factor
    admin = User.objects.create_superuser(email="root@example.test", password="x" * 12, full_name="Адмін")
    browser = client()
    browser.force_login(admin)
    response = browser.post(
        "/admin/broker_api/integrationkey/add/", {"role": "bank_feed", "name": "Ощадбанк"}, follow=True, secure=True
    )
    assert response.status_code == 200
    key = IntegrationKey.objects.get()
    secret = next(str(m).rsplit(" ", 1)[-1] for m in response.context["messages"] if key.prefix in str(m))
    assert integration_for_secret(secret) == key
    assert secret not in json.dumps(list(IntegrationKey.objects.values()), default=str)
    assert secret not in json.dumps(list(AuditEntry.objects.values()), default=str)
    assert AuditEntry.objects.filter(tag="broker-api:integration-key").count() == 1
