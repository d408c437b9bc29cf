"""Input the platform cannot take, and failures it did not expect, answer the API's JSON envelope with a status
and change nothing: never an HTML page, never a server error for something the client sent."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from vzaemo.accounts.models import Region
from vzaemo.auctions.models import Auction
from vzaemo.auctions.tests import factories as f
from vzaemo.broker_api.models import OwnerToken
from vzaemo.broker_api.services import owner_token_issue
from vzaemo.broker_api.tests.conftest import BASE, HOST, anonymous, as_broker, state

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> f.World:
    return f.world()


def refused(response: Any, status: int, location: str, name: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"errors"}
    assert len(body["errors"]) == 1
    item = body["errors"][0]
    assert set(item) == {"location", "name", "description"}
    assert item["description"]
    assert (item["location"], item["name"]) == (location, name), item


def lot_body(w: f.World, **fields: Any) -> dict[str, Any]:
    data = {
        "organiser_id": w.organiser.pk,
        "organiser_kind": "state",
        "title": "Автонавантажувач",
        "description": "Арештоване майно.",
        "category": "movable",
        "region": Region.KYIV_CITY,
        "enforcementProceeding": "ВП № 1",
        "value": {"amount": "100000.00"},
    }
    return {"data": {**data, **fields}}


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"title": "Авто\x00мобіль"}, "data.title"),
        ({"description": "\x00"}, "data.description"),
        ({"enforcementProceeding": "ВП\x00"}, "data.enforcementProceeding"),
        ({"address": "м. Київ\x00"}, "data.address"),
    ],
)
def test_a_nul_character_in_any_body_string_is_422(w: f.World, fields: dict[str, str], name: str) -> None:
    owner = as_broker(w.owner)
    before = state()
    refused(owner.post("/lots", lot_body(w, **fields)), 422, "body", name)
    assert state() == before


def test_a_nul_character_in_nested_and_edited_strings_is_422(w: f.World) -> None:
    lot = f.lot(w)
    token, _transfer = owner_token_issue(kind=OwnerToken.Kind.LOT, object_id=lot.pk, broker=w.owner)
    owner = as_broker(w.owner)
    auction = f.auction(w)
    bidders = as_broker(f.broker())
    before = state()
    refused(owner.patch(f"/lots/{lot.pk}", {"data": {"title": "\x00"}}, token=token), 422, "body", "data.title")
    bid = {"data": {"bidder": {"name": "ТОВ\x00", "identifier": "87654321"}, "value": {"amount": "100000.00"}}}
    refused(bidders.post(f"/auctions/{auction.pk}/bids", bid), 422, "body", "data.bidder.name")
    assert state() == before


def test_a_nul_character_in_the_path_query_or_a_header_is_422(w: f.World) -> None:
    lot = f.lot(w)
    owner = as_broker(w.owner)
    before = state()
    refused(owner.patch(f"/lots/{lot.pk}?acc_token=ab%00cd", {"data": {"title": "Нова"}}), 422, "query", "acc_token")
    refused(
        owner.patch(f"/lots/{lot.pk}", {"data": {"title": "Нова"}}, token="ab\x00cd"), 422, "header", "X-Access-Token"
    )
    refused(anonymous().get("/lots/1%00"), 422, "path", "path")
    refused(anonymous().get("/auctions", offset="\x00"), 422, "query", "offset")
    assert state() == before


@pytest.mark.parametrize(
    "start", ["9999-12-31T23:30:00+00:00", "9999-12-31T10:00:00+02:00", "0001-01-01T00:30:00+05:00", "8999-13-01"]
)
def test_a_start_date_near_the_ends_of_the_calendar_is_422(w: f.World, start: str) -> None:
    lot = f.lot(w)
    token, _transfer = owner_token_issue(kind=OwnerToken.Kind.LOT, object_id=lot.pk, broker=w.owner)
    owner = as_broker(w.owner)
    body = {"data": {"lot_id": lot.pk, "procedure": "english", "auctionPeriod": {"startDate": start}}}
    refused(owner.post("/auctions", body, token=token), 422, "body", "data.auctionPeriod.startDate")
    assert not Auction.objects.exists()
    draft = f.auction(w, publish=False)
    draft_token, _transfer = owner_token_issue(kind=OwnerToken.Kind.AUCTION, object_id=draft.pk, broker=w.owner)
    edit = {"data": {"auctionPeriod": {"startDate": start}}}
    refused(owner.patch(f"/auctions/{draft.pk}", edit, token=draft_token), 422, "body", "data.auctionPeriod.startDate")
    assert Auction.objects.get(pk=draft.pk).auction_start == draft.auction_start


def test_an_oversized_body_is_413_before_it_is_read(w: f.World, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    owner = as_broker(w.owner)
    before = state()
    body = lot_body(w, description="д" * 20_000)
    refused(owner.post("/lots", body), 413, "body", "data")
    assert state() == before


def test_an_unexpected_failure_is_a_json_500(w: f.World, monkeypatch: pytest.MonkeyPatch) -> None:
    lot = f.lot(w)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("vzaemo.auctions.selectors.lot_public_document", broken)
    client = Client(HTTP_HOST=HOST, raise_request_exception=False)
    refused(client.get(f"{BASE}/lots/{lot.pk}", secure=True), 500, "url", "server_error")


def test_unknown_urls_and_methods_answer_the_envelope() -> None:
    client = Client(HTTP_HOST=HOST)
    refused(client.get(f"{BASE}/no-such-thing", secure=True), 404, "url", "request")
    response = client.delete(f"{BASE}/lots/1", secure=True)
    refused(response, 405, "url", "request")
    assert "GET" in response["Allow"]
