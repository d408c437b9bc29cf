"""The broker API over HTTP: keys, envelope, errors, reads, writes, and who may do what."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from vzaemo.accounts.models import Region, User
from vzaemo.auctions.models import Auction, Bid, Lot
from vzaemo.auctions.tests import factories as f
from vzaemo.broker_api.models import ApiKey
from vzaemo.broker_api.selectors import OPT_FIELDS
from vzaemo.broker_api.services import api_key_issue, api_key_revoke, broker_for_secret
from vzaemo.broker_api.tests.conftest import Api, as_broker, state

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def lot_body(w: f.World, **extra: Any) -> dict[str, Any]:
    return {
        "data": {
            "organiser_id": w.organiser.pk,
            "organiser_kind": "state",
            "title": "Автонавантажувач Toyota 2015 р.",
            "description": "Арештоване майно боржника.",
            "category": "movable",
            "region": Region.KYIV_CITY,
            "enforcementProceeding": "ВП № 71234567",
            "value": {"amount": "100000.00"},
            **extra,
        }
    }


def auction_body(lot_id: int) -> dict[str, Any]:
    start = f.first_allowed_start(Decimal("100000.00"), "english")
    return {"data": {"lot_id": lot_id, "procedure": "english", "auctionPeriod": {"startDate": start.isoformat()}}}


def assert_errors(response: Any, status: int) -> list[dict[str, str]]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"errors"}
    assert body["errors"]
    for item in body["errors"]:
        assert set(item) == {"location", "name", "description"}
        assert item["description"]
    return list(body["errors"])


@pytest.fixture
def w() -> f.World:
    return f.world()


@pytest.fixture
def admin_client(settings: Any) -> Api:
    settings.VZAEMO_STAFF_MFA_REQUIRED = False  # the admin's session, past the second factor
    admin = User.objects.create_superuser(email="root@example.test", password="x" * 12, full_name="Адмін")
    client = Client()
    client.force_login(admin)
    return Api(client)


# --- keys -------------------------------------------------------------------------------------------


def test_key_is_stored_hashed_and_revocable(w: f.World) -> None:
    key, secret = api_key_issue(w.owner)
    stored = ApiKey.objects.get(pk=key.pk)
    assert secret not in json.dumps(list(ApiKey.objects.values()), default=str)
    assert stored.prefix == secret[:8]
    assert broker_for_secret(secret) == w.owner
    assert broker_for_secret(secret + "x") is None
    api_key_revoke(key)
    assert broker_for_secret(secret) is None


def test_revoked_key_and_inactive_broker_get_401(w: f.World) -> None:
    api = as_broker(w.owner)
    assert api.get("/auctions").status_code == 200
    w.owner.is_active = False
    w.owner.save()
    assert_errors(api.get("/auctions"), 401)
    assert_errors(api.post("/lots", lot_body(w)), 401)
    w.owner.is_active = True
    w.owner.save()
    api_key_revoke(ApiKey.objects.get(broker=w.owner))
    errors = assert_errors(api.post("/lots", lot_body(w)), 401)
    assert errors[0]["location"] == "header"


# --- envelope and errors ------------------------------------------------------------------------------


def test_create_lot_returns_201_location_and_access(w: f.World) -> None:
    response = as_broker(w.owner).post("/lots", lot_body(w))
    assert response.status_code == 201, response.content
    body = response.json()
    lot = Lot.objects.get()
    assert response["Location"].endswith(f"/api/broker/v1/lots/{lot.pk}")
    assert body["data"]["id"] == str(lot.pk)
    assert set(body["access"]) == {"token", "transfer"}
    assert body["access"]["token"] not in json.dumps(state(), default=str)
    assert Client().get(response["Location"]).json()["data"]["title"] == lot.title


def test_ninja_validation_errors_use_the_envelope(w: f.World) -> None:
    api = as_broker(w.owner)
    before = state()
    errors = assert_errors(api.post("/lots", {"data": {"title": 5}}), 422)
    assert {e["location"] for e in errors} == {"body"}
    assert "data.organiser_id" in {e["name"] for e in errors}
    errors = assert_errors(api.get("/auctions", limit=1001), 422)
    assert errors == [{"location": "query", "name": "limit", "description": errors[0]["description"]}]
    assert_errors(api.get("/auctions/abc"), 422)
    assert state() == before


def test_unparseable_body_is_422(w: f.World) -> None:
    api = as_broker(w.owner)
    response = api.client.post(
        "/api/broker/v1/lots",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.secret}"},
    )
    assert assert_errors(response, 422)[0]["location"] == "body"


def test_domain_validation_is_422_with_the_field(w: f.World) -> None:
    api = as_broker(w.owner)
    before = state()
    errors = assert_errors(api.post("/lots", lot_body(w, category="spaceship")), 422)
    assert errors[0]["name"] == "data.category"
    assert state() == before


def test_bad_offset_is_404_and_bad_opt_fields_422() -> None:
    # openprocurement's answer to a bad offset: 404 "Offset expired/invalid".
    assert_errors(Client().get("/api/broker/v1/auctions", {"offset": "nonsense!"}), 404)
    assert_errors(Client().get("/api/broker/v1/auctions", {"opt_fields": "secret"}), 422)


def test_unknown_auction_is_404() -> None:
    errors = assert_errors(Client().get("/api/broker/v1/auctions/999999"), 404)
    assert errors[0]["location"] == "path"


# --- authorisation matrix -------------------------------------------------------------------------------


def matrix(w: f.World, admin: Api) -> dict[str, Api]:
    return {
        "anonymous": Api(Client()),
        "no_level": as_broker(f.broker(can_create=False, can_edit=False)),
        "other": as_broker(f.broker()),
        "admin": admin,
    }


def test_matrix_lot_create(w: f.World, admin_client: Api) -> None:
    expected = {"anonymous": 401, "no_level": 403, "other": 201, "admin": 401}
    for who, api in matrix(w, admin_client).items():
        before = state()
        response = api.post("/lots", lot_body(w))
        assert response.status_code == expected[who], (who, response.content)
        if expected[who] != 201:
            assert_errors(response, expected[who])
            assert state() == before, who
    sandbox = as_broker(f.broker(sandbox=True))
    before = state()
    assert_errors(sandbox.post("/lots", lot_body(w)), 403)
    assert state() == before
    assert sandbox.post("/lots", lot_body(w, mode="test")).status_code == 201


def test_matrix_auction_create(w: f.World, admin_client: Api) -> None:
    owner = as_broker(w.owner)
    created = owner.post("/lots", lot_body(w)).json()
    lot_id, token = int(created["data"]["id"]), created["access"]["token"]
    cases = {**matrix(w, admin_client)}
    expected = {"anonymous": 401, "no_level": 403, "other": 403, "admin": 401}
    for who, api in cases.items():
        before = state()
        assert_errors(api.post("/auctions", auction_body(lot_id), token=token), expected[who])
        assert state() == before, who
    before = state()
    assert_errors(owner.post("/auctions", auction_body(lot_id)), 403)  # no owner token
    assert_errors(owner.post("/auctions", auction_body(lot_id), token="0" * 32), 403)
    assert_errors(owner.post("/auctions", auction_body(999_999), token=token), 404)
    assert state() == before
    response = owner.post("/auctions", auction_body(lot_id), token=token)
    assert response.status_code == 201, response.content
    auction = Auction.objects.get()
    assert response["Location"].endswith(f"/auctions/{auction.pk}")
    assert response.json()["data"]["status"] == "draft"
    assert_errors(owner.post("/auctions", auction_body(lot_id), token=token), 409)


def test_owner_without_edit_level_is_403(w: f.World) -> None:
    owner = as_broker(w.owner)
    created = owner.post("/lots", lot_body(w)).json()
    w.owner.can_edit = False
    w.owner.save()
    before = state()
    assert_errors(
        owner.post("/auctions", auction_body(int(created["data"]["id"])), token=created["access"]["token"]), 403
    )
    assert state() == before


def _draft(w: f.World) -> tuple[Api, int, str]:
    owner = as_broker(w.owner)
    created = owner.post("/lots", lot_body(w)).json()
    response = owner.post("/auctions", auction_body(int(created["data"]["id"])), token=created["access"]["token"])
    return owner, int(response.json()["data"]["id"]), response.json()["access"]["token"]


def test_matrix_publish_and_idempotence(w: f.World, admin_client: Api) -> None:
    owner, auction_id, token = _draft(w)
    expected = {"anonymous": 401, "no_level": 403, "other": 403, "admin": 401}
    for who, api in matrix(w, admin_client).items():
        before = state()
        assert_errors(api.post(f"/auctions/{auction_id}/publish", token=token), expected[who])
        assert state() == before, who
    assert_errors(owner.post(f"/auctions/{auction_id}/publish"), 403)
    response = owner.post(f"/auctions/{auction_id}/publish", token=token)
    assert response.status_code == 200, response.content
    assert response.json()["data"]["status"] == "active.tendering"
    before = state()
    again = owner.client.post(
        f"/api/broker/v1/auctions/{auction_id}/publish?acc_token={token}",
        headers={"Authorization": f"Bearer {owner.secret}"},
    )
    assert again.status_code == 200
    assert state() == before


@pytest.mark.serial  # reads the feed behind the server-wide watermark (ADR 0009)
def test_draft_is_visible_to_its_owner_only(w: f.World, admin_client: Api) -> None:
    owner, auction_id, _token = _draft(w)
    assert owner.get(f"/auctions/{auction_id}").status_code == 200
    for who, api in matrix(w, admin_client).items():
        assert_errors(api.get(f"/auctions/{auction_id}"), 404), who
    assert Client().get("/api/broker/v1/auctions").json()["data"] == []


def test_matrix_bid_create_and_bidders_hidden(w: f.World, admin_client: Api) -> None:
    auction = f.auction(w)
    body = {"data": {"bidder": {"name": "ТОВ «Покупець»", "identifier": "12345678"}, "value": {"amount": "100000.00"}}}
    expected = {"anonymous": 401, "no_level": 403, "admin": 401}
    apis = matrix(w, admin_client)
    for who, status in expected.items():
        before = state()
        assert_errors(apis[who].post(f"/auctions/{auction.pk}/bids", body), status)
        assert state() == before, who
    bidder = as_broker(w.bidders[0])
    response = bidder.post(f"/auctions/{auction.pk}/bids", body)
    assert response.status_code == 201, response.content
    bid = Bid.objects.get()
    token = response.json()["access"]["token"]
    assert response["Location"].endswith(f"/auctions/{auction.pk}/bids/{bid.pk}")
    assert (
        bidder.get(f"/auctions/{auction.pk}/bids/{bid.pk}", token=token).json()["data"]["bidder"]["identifier"]
        == "12345678"
    )
    assert_errors(bidder.get(f"/auctions/{auction.pk}/bids/{bid.pk}"), 403)
    assert_errors(apis["other"].get(f"/auctions/{auction.pk}/bids/{bid.pk}", token=token), 403)
    assert_errors(apis["anonymous"].get(f"/auctions/{auction.pk}/bids/{bid.pk}", token=token), 401)
    # The same bidder twice: 409, nothing changes.
    before = state()
    assert_errors(bidder.post(f"/auctions/{auction.pk}/bids", body), 409)
    assert state() == before
    # Nobody but the bidder's broker sees the bid before the auction ends.
    for who, api in [("owner", as_broker(w.owner)), *apis.items()]:
        document = api.get(f"/auctions/{auction.pk}").json()["data"]
        assert document["bids"] == [], who
        assert "12345678" not in json.dumps(document), who
    assert bidder.get(f"/auctions/{auction.pk}").json()["data"]["bids"][0]["id"] == str(bid.pk)


# --- feed -------------------------------------------------------------------------------------------------


@pytest.mark.serial  # reads the feed behind the server-wide watermark (ADR 0009)
def test_feed_pages_and_opt_fields(w: f.World) -> None:
    auctions = [f.auction(w) for _ in range(5)]
    f.auction(w, publish=False)
    client = Client()
    seen: list[str] = []
    response = client.get(
        "/api/broker/v1/auctions", {"feed": "changes", "limit": "2", "opt_fields": "status,auctionID"}
    )
    for _ in range(5):
        body = response.json()
        assert set(body) == {"data", "next_page"}
        for item in body["data"]:
            assert set(item) == {"id", "dateModified", "status", "auctionID"}
        seen += [item["id"] for item in body["data"]]
        if not body["data"]:
            break
        response = client.get(body["next_page"]["uri"])
    assert seen == [str(a.pk) for a in auctions]
    descending = client.get("/api/broker/v1/auctions", {"descending": 1, "limit": 1000}).json()
    assert [i["id"] for i in descending["data"]] == seen[::-1]
    if connection.vendor == "postgresql":
        return  # one test transaction is one commit stamp; test_feed_postgres covers moving forward there
    # An object changed again moves to the end of the feed.
    f.bid(w, auctions[0])
    tail = client.get(body["next_page"]["uri"]).json()["data"]
    assert [i["id"] for i in tail] == [str(auctions[0].pk)]


@pytest.mark.serial  # reads the feed behind the server-wide watermark (ADR 0009)
def test_a_feed_page_with_every_optional_field_is_a_fixed_number_of_queries(
    w: f.World, django_assert_max_num_queries: Any
) -> None:
    """The feed loads only the columns it serves (bench/feed): a new optional field that reads a
    relation or an unloaded column would add a query per object and fail here."""
    for _ in range(4):
        f.auction(w)
    client = Client()
    every = ",".join(OPT_FIELDS)
    client.get("/api/broker/v1/auctions", {"limit": 1})  # warm the key and rate-limit caches
    with django_assert_max_num_queries(4):
        body = client.get("/api/broker/v1/auctions", {"limit": "100", "opt_fields": every}).json()
    assert len(body["data"]) == 4
    assert set(body["data"][0]) == {"id", "dateModified", *OPT_FIELDS}


@pytest.mark.serial  # reads the feed behind the server-wide watermark (ADR 0009)
def test_sandbox_objects_only_with_mode_test(w: f.World) -> None:
    real = f.auction(w)
    test = f.auction(w, mode="test")
    client = Client()
    assert [i["id"] for i in client.get("/api/broker/v1/auctions").json()["data"]] == [str(real.pk)]
    assert [i["id"] for i in client.get("/api/broker/v1/auctions", {"mode": "test"}).json()["data"]] == [str(test.pk)]


# --- contract -----------------------------------------------------------------------------------------------


def test_openapi_file_is_the_export(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("export_openapi")
    exported = capsys.readouterr().out
    assert exported == (ROOT / "docs" / "openapi.json").read_text(), "run manage.py export_openapi > docs/openapi.json"
    assert json.loads(exported)["paths"]


def test_swagger_ui_is_served_from_our_static_files() -> None:
    response = Client().get("/api/broker/v1/docs")
    assert response.status_code == 200
    # "ninja" in INSTALLED_APPS: the UI loads from /static/, which the CSP (script-src 'self') allows.
    assert b"/static/ninja/swagger-ui-bundle.js" in response.content
    assert b"cdn.jsdelivr.net" not in response.content


def test_admin_creates_a_key_and_shows_the_secret_once(w: f.World, admin_client: Api) -> None:
    response = admin_client.client.post(
        "/admin/broker_api/apikey/add/", {"broker": w.owner.pk, "name": "prod"}, follow=True
    )
    assert response.status_code == 200
    key = ApiKey.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    secret = next(m.rsplit(" ", 1)[-1] for m in shown if key.prefix in m)
    assert broker_for_secret(secret) == w.owner
    assert secret not in json.dumps(list(ApiKey.objects.values()), default=str)
    assert secret not in admin_client.client.get(f"/admin/broker_api/apikey/{key.pk}/change/").content.decode()


def test_out_of_range_ids_are_422_not_server_errors() -> None:
    for path in ("/auctions/99999999999999999999", "/auctions/0", "/lots/-1"):
        errors = assert_errors(Client().get("/api/broker/v1" + path), 422)
        assert errors[0]["location"] == "path"
