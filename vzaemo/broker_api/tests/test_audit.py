"""Keys and owner tokens leave audit records (docs/design.md rule 5), and never their secrets."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from vzaemo.auctions.tests import factories as f
from vzaemo.broker_api import services
from vzaemo.broker_api.models import IntegrationKey, OwnerToken
from vzaemo.broker_api.tests.conftest import as_broker, state
from vzaemo.broker_api.tests.test_api import lot_body
from vzaemo.core.clock import KYIV
from vzaemo.core.errors import DomainError
from vzaemo.core.models import AuditEntry

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 1, 14, 10, 0, tzinfo=KYIV)


@pytest.fixture
def traveller() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as travelling:
        yield travelling


def audit_log() -> str:
    return json.dumps(list(AuditEntry.objects.values()), default=str)


def test_a_broker_key_issued_and_revoked_leaves_one_record_each() -> None:
    broker = f.broker()
    key, secret = services.api_key_issue(broker, name="prod")
    issued = AuditEntry.objects.get(tag="broker-api:api-key:issue")
    assert (issued.subject_type, issued.subject_id) == ("broker_api.apikey", str(key.pk))
    assert issued.before is None
    assert issued.after == {"broker": broker.pk, "name": "prod"}

    services.api_key_revoke(key)
    services.api_key_revoke(key)  # revoked already: nothing changes, nothing is recorded
    revoked = AuditEntry.objects.get(tag="broker-api:api-key:revoke")
    assert (revoked.subject_type, revoked.subject_id) == ("broker_api.apikey", str(key.pk))
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert revoked.before == {"revoked_at": None}
    assert revoked.after is not None
    assert dt.datetime.fromisoformat(revoked.after["revoked_at"]) == key.revoked_at
    assert secret not in audit_log()


def test_an_integration_key_issued_and_revoked_leaves_one_record_each() -> None:
    key, secret = services.integration_key_issue(IntegrationKey.Role.BANK_FEED, name="Ощадбанк")
    issued = AuditEntry.objects.get(tag="broker-api:integration-key:issue")
    assert (issued.subject_type, issued.subject_id) == ("broker_api.integrationkey", str(key.pk))
    assert issued.after == {"role": "bank_feed", "name": "Ощадбанк"}

    services.api_key_revoke(key)
    services.api_key_revoke(key)
    revoked = AuditEntry.objects.get(tag="broker-api:integration-key:revoke")
    assert (revoked.subject_type, revoked.subject_id) == ("broker_api.integrationkey", str(key.pk))
    assert secret not in audit_log()


def test_every_owner_token_the_api_issues_leaves_a_record_without_the_token(traveller: Any) -> None:
    w = f.world()
    seller, bidder = as_broker(w.owner), as_broker(w.bidders[0])
    lot = seller.post("/lots", lot_body(w)).json()
    start = f.first_allowed_start(Decimal("100000.00"), "english").isoformat()
    body = {"data": {"lot_id": int(lot["data"]["id"]), "procedure": "english", "auctionPeriod": {"startDate": start}}}
    auction = seller.post("/auctions", body, token=lot["access"]["token"]).json()
    seller.post(f"/auctions/{auction['data']['id']}/publish", token=auction["access"]["token"])
    register = {
        "data": {"bidder": {"name": "ТОВ «Покупець»", "identifier": "12345678"}, "value": {"amount": "100000.00"}}
    }
    bid = bidder.post(f"/auctions/{auction['data']['id']}/bids", register).json()

    records = AuditEntry.objects.filter(tag="broker-api:owner-token:issue").order_by("pk")
    assert [(r.actor_label, r.subject_type, r.after) for r in records] == [
        (
            str(owner),
            "broker_api.ownertoken",
            {"kind": kind, "object_id": int(created["data"]["id"]), "broker": owner.pk},
        )
        for owner, kind, created in [
            (w.owner, OwnerToken.Kind.LOT, lot),
            (w.owner, OwnerToken.Kind.AUCTION, auction),
            (w.bidders[0], OwnerToken.Kind.BID, bid),
        ]
    ]
    assert {r.subject_id for r in records} == {str(pk) for pk in OwnerToken.objects.values_list("pk", flat=True)}
    log = audit_log()
    for created in (lot, auction, bid):
        assert created["access"]["token"] not in log
        assert created["access"]["transfer"] not in log


def test_a_refused_object_gets_no_token_and_no_record(traveller: Any) -> None:
    w = f.world()
    auction = f.auction(w)
    before = state()
    with pytest.raises(DomainError):
        services.bid_create(
            broker=w.bidders[0], auction_id=auction.pk, bidder_name="ТОВ «Покупець»", bidder_identifier="nonsense"
        )
    assert state() == before
    assert not AuditEntry.objects.filter(tag="broker-api:owner-token:issue").exists()
