"""Bids: register a bidder, read, submit, withdraw, the live auction link, take over (the bid's broker)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from vzaemo.auctions import selectors
from vzaemo.auctions import services as auctions
from vzaemo.auctions.models import Broker
from vzaemo.broker_api import selectors as api_selectors
from vzaemo.broker_api import services
from vzaemo.broker_api.auth import api_key_auth
from vzaemo.broker_api.models import OwnerToken
from vzaemo.broker_api.routers.common import (
    ERRORS,
    OWNERSHIP_DOC,
    access_body,
    broker_of,
    not_found,
    owner_token,
    require_owner_token,
    set_location,
)
from vzaemo.broker_api.schemas import BidIn, CreatedOut, DataOut, Id, TransferIn
from vzaemo.live import selectors as live_selectors

router = Router(tags=["bids"])


def _bid_owner(request: HttpRequest, auction_id: int, bid_id: int) -> Broker:
    """404 for a bid that is not the auction's, then 403 without its owner token."""
    if not api_selectors.bid_exists(auction_id=auction_id, bid_id=bid_id):
        raise not_found("bid_id")
    return require_owner_token(request, kind=OwnerToken.Kind.BID, object_id=bid_id)


@router.post(
    "/auctions/{auction_id}/bids", auth=api_key_auth, response={201: CreatedOut, **ERRORS}, summary="Register a bidder"
)
def bid_create(request: HttpRequest, response: HttpResponse, auction_id: Id, payload: BidIn) -> Status[dict[str, Any]]:
    """A bidder registered by its broker (level `create` in the auction's mode), as a draft bid."""
    broker = broker_of(request)
    data = payload.data
    bid, access = services.bid_create(
        broker=broker,
        auction_id=auction_id,
        bidder_name=data.bidder.name,
        bidder_identifier=data.bidder.identifier,
        value=str(data.value.amount) if data.value is not None else None,
    )
    set_location(request, response, bid.pk)
    document = selectors.bid_public_document(bid_id=bid.pk, broker=broker)
    return Status(201, {"data": document, "access": access_body(access)})


@router.get(
    "/auctions/{auction_id}/bids/{bid_id}",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    summary="One bid (its owner only)",
)
@owner_token
def bid_detail(request: HttpRequest, auction_id: Id, bid_id: Id) -> dict[str, Any]:
    broker = _bid_owner(request, auction_id, bid_id)
    return {"data": selectors.bid_public_document(bid_id=bid_id, broker=broker)}


@router.post(
    "/auctions/{auction_id}/bids/{bid_id}/submit",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    summary="Submit a bid",
)
@owner_token
def bid_submit(request: HttpRequest, auction_id: Id, bid_id: Id) -> dict[str, Any]:
    """draft -> pending: the bidder now owes the guarantee (qualified once the bank feed confirms it)."""
    broker = _bid_owner(request, auction_id, bid_id)
    auctions.bid_submit(broker=broker, bid_id=bid_id)
    return {"data": selectors.bid_public_document(bid_id=bid_id, broker=broker)}


@router.post(
    "/auctions/{auction_id}/bids/{bid_id}/withdraw",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    summary="Withdraw a bid",
)
@owner_token
def bid_withdraw(request: HttpRequest, auction_id: Id, bid_id: Id) -> dict[str, Any]:
    """While tendering: the bid becomes `invalid` (withdrawn); a paid guarantee is returned."""
    broker = _bid_owner(request, auction_id, bid_id)
    auctions.bid_withdraw(broker=broker, bid_id=bid_id)
    return {"data": selectors.bid_public_document(bid_id=bid_id, broker=broker)}


@router.get(
    "/auctions/{auction_id}/bids/{bid_id}/participation",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    summary="The bidder's link to the live auction",
)
@owner_token
def bid_participation(request: HttpRequest, auction_id: Id, bid_id: Id) -> dict[str, Any]:
    """For the bid's owner, once the bid is qualified (guarantee paid): the bidder page's address, signed
    with Ed25519 over (auction id, bid id). Give it to the bidder only; anyone holding it bids as them."""
    _bid_owner(request, auction_id, bid_id)
    path = live_selectors.participation_path_for(auction_id=auction_id, bid_id=bid_id)
    return {"data": {"url": request.build_absolute_uri(path)}}


@router.post(
    "/auctions/{auction_id}/bids/{bid_id}/ownership",
    auth=api_key_auth,
    response={200: CreatedOut, **ERRORS},
    summary="Take a bid over",
    description=OWNERSHIP_DOC,
)
def bid_ownership(request: HttpRequest, auction_id: Id, bid_id: Id, payload: TransferIn) -> dict[str, Any]:
    if not api_selectors.bid_exists(auction_id=auction_id, bid_id=bid_id):
        raise not_found("bid_id")
    broker = broker_of(request)
    access = services.ownership_change(
        kind=OwnerToken.Kind.BID, object_id=bid_id, broker=broker, transfer=payload.data.transfer
    )
    return {"data": selectors.bid_public_document(bid_id=bid_id, broker=broker), "access": access_body(access)}
