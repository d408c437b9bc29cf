"""Participation links: only the bid's owner, only once the bid is qualified (ADR 0011)."""

from __future__ import annotations

import re

import pytest

from vzaemo.auctions.tests import factories as f
from vzaemo.broker_api.models import OwnerToken
from vzaemo.broker_api.services import owner_token_issue
from vzaemo.broker_api.tests.conftest import anonymous, as_broker
from vzaemo.live import links

pytestmark = pytest.mark.django_db


def test_the_owner_of_a_qualified_bid_gets_a_signed_link_and_nobody_else_does() -> None:
    w = f.world()
    a = f.auction(w)
    paid = f.bid(w, a, by=0)
    unpaid = f.bid(w, a, by=1, paid=False)
    token = owner_token_issue(kind=OwnerToken.Kind.BID, object_id=paid.pk, broker=paid.owner)[0]
    unpaid_token = owner_token_issue(kind=OwnerToken.Kind.BID, object_id=unpaid.pk, broker=unpaid.owner)[0]
    path = f"/auctions/{a.pk}/bids/{paid.pk}/participation"

    response = as_broker(paid.owner).get(path, token=token)
    assert response.status_code == 200, response.content
    url = response.json()["data"]["url"]
    match = re.search(rf"/live/{a.pk}/bidder/{paid.pk}/\?sig=(\S+)$", url)
    assert match
    assert links.verify(a.pk, paid.pk, match.group(1))
    assert not links.verify(a.pk, unpaid.pk, match.group(1))

    assert anonymous().get(path, token=token).status_code == 401
    assert as_broker(f.broker()).get(path, token=token).status_code == 403  # another broker, even with the token
    assert as_broker(paid.owner).get(path).status_code == 403  # no owner token
    refused = as_broker(unpaid.owner).get(f"/auctions/{a.pk}/bids/{unpaid.pk}/participation", token=unpaid_token)
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["name"] == "bid_not_qualified"
    assert as_broker(paid.owner).get(f"/auctions/{a.pk}/bids/999999/participation", token=token).status_code == 404
