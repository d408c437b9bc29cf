"""Auctions: the change feed, read, draft, edit, publish, cancel, take over.

The feed (`GET /auctions`) lives here, not in a router of its own: django-ninja gives each router's path one
Django URL pattern, so `GET` and `POST /auctions` in two routers would answer the second method with 405.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.params.functions import Query  # the function; `ninja.Query` is typed as a generic alias

from vzaemo.auctions import selectors
from vzaemo.auctions import services as auctions
from vzaemo.broker_api import selectors as api_selectors
from vzaemo.broker_api import services
from vzaemo.broker_api.auth import api_key_auth, optional_broker
from vzaemo.broker_api.errors import ApiError
from vzaemo.broker_api.models import OwnerToken
from vzaemo.broker_api.routers.common import (
    ERRORS,
    OWNERSHIP_DOC,
    access_body,
    auction_body,
    auction_owner,
    broker_of,
    not_found,
    owner_token,
    require_owner_token,
    set_location,
)
from vzaemo.broker_api.schemas import (
    AuctionIn,
    AuctionPatchIn,
    CreatedOut,
    DataOut,
    FeedOut,
    Id,
    ReasonIn,
    TransferIn,
)
from vzaemo.broker_api.selectors import OPT_FIELDS
from vzaemo.core.commit_order import CursorInvalid

router = Router(tags=["auctions"])

MAX_LIMIT = 1000
_OPT_NAME = "(" + "|".join(OPT_FIELDS) + ")"
OPT_FIELDS_PATTERN = f"^({_OPT_NAME}(,{_OPT_NAME})*)?$"


@router.get("/auctions", response={200: FeedOut, **ERRORS}, summary="The auctions change feed")
def auction_feed(
    request: HttpRequest,
    *,
    feed: Literal["changes"] = "changes",
    offset: str | None = None,
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
    descending: bool = False,
    mode: Literal["real", "test"] = "real",
    opt_fields: str = Query("", pattern=OPT_FIELDS_PATTERN, description="Comma-separated: " + ", ".join(OPT_FIELDS)),
) -> dict[str, Any]:
    """Published auctions in commit order behind the watermark (ADR 0003/0008): a client that follows
    `next_page.uri` never skips an object; an object changed again moves to the end of the feed."""
    optional_broker(request)
    wanted = [name for name in opt_fields.split(",") if name]
    unknown = sorted(set(wanted) - set(OPT_FIELDS))
    if unknown:
        raise ApiError(422, location="query", name="opt_fields", description=f"Unknown fields: {', '.join(unknown)}.")
    try:
        page = api_selectors.auction_feed_page(
            mode=mode, opt_fields=wanted, offset=offset, descending=descending, limit=limit
        )
    except CursorInvalid:
        raise ApiError(404, location="query", name="offset", description="Offset expired/invalid.") from None
    params: dict[str, Any] = {"feed": feed, "limit": limit, "mode": mode}
    if descending:
        params["descending"] = 1
    if wanted:
        params["opt_fields"] = ",".join(wanted)
    if page.next_offset:
        params["offset"] = page.next_offset
    uri = request.build_absolute_uri(f"{request.path}?{urlencode(params)}")
    return {"data": page.items, "next_page": {"offset": page.next_offset, "uri": uri}}


@router.get("/auctions/{auction_id}", response={200: DataOut, **ERRORS}, summary="One auction")
def auction_detail(request: HttpRequest, auction_id: Id) -> dict[str, Any]:
    """The public document; bidders are hidden until the auction ends, except a broker's own bids."""
    broker = optional_broker(request)
    auction = selectors.auction_get_visible(auction_id=auction_id, broker=broker)
    if auction is None:
        raise not_found("auction_id")
    return {"data": selectors.auction_public_document(auction, broker=broker)}


@router.post("/auctions", auth=api_key_auth, response={201: CreatedOut, **ERRORS}, summary="Draft an auction")
@owner_token
def auction_create(request: HttpRequest, response: HttpResponse, payload: AuctionIn) -> Status[dict[str, Any]]:
    """The first attempt of a lot, as a draft. Needs the lot's owner token. The later attempts of the lot
    (created by the CDB after a failed one, marked down) are written with this auction's owner token."""
    data = payload.data
    if not api_selectors.lot_exists(lot_id=data.lot_id):
        raise ApiError(404, location="body", name="data.lot_id", description="There is no such lot.")
    broker = require_owner_token(request, kind=OwnerToken.Kind.LOT, object_id=data.lot_id)
    start = data.auctionPeriod.startDate if data.auctionPeriod else None
    auction, access = services.auction_create(
        broker=broker, lot_id=data.lot_id, procedure=data.procedure, auction_start=start
    )
    set_location(request, response, auction.pk)
    document = selectors.auction_public_document(auction, broker=broker)
    return Status(201, {"data": document, "access": access_body(access)})


@router.patch(
    "/auctions/{auction_id}", auth=api_key_auth, response={200: DataOut, **ERRORS}, summary="Edit a draft auction"
)
@owner_token
def auction_update(request: HttpRequest, auction_id: Id, payload: AuctionPatchIn) -> dict[str, Any]:
    """The procedure or `auctionPeriod.startDate` of a draft (e.g. dating the next attempt of a lot before
    publishing it). Status never changes here: publish with `POST /auctions/{id}/publish`."""
    broker = auction_owner(request, auction_id)
    data = payload.data
    start = data.auctionPeriod.startDate if data.auctionPeriod else None
    if data.procedure is not None or start is not None:
        auctions.auction_update_draft(
            broker=broker, auction_id=auction_id, procedure=data.procedure, auction_start=start
        )
    return auction_body(auction_id, broker)


@router.post(
    "/auctions/{auction_id}/publish",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    summary="Publish a draft (idempotent)",
)
@owner_token
def auction_publish(request: HttpRequest, auction_id: Id) -> dict[str, Any]:
    """draft -> active.tendering; repeating it changes nothing."""
    broker = auction_owner(request, auction_id)
    auction = auctions.auction_publish(broker=broker, auction_id=auction_id)
    return {"data": selectors.auction_public_document(auction, broker=broker)}


@router.post(
    "/auctions/{auction_id}/cancel", auth=api_key_auth, response={200: DataOut, **ERRORS}, summary="Cancel an auction"
)
@owner_token
def auction_cancel(request: HttpRequest, auction_id: Id, payload: ReasonIn) -> dict[str, Any]:
    """E.g. the debt was paid: the auction ends `cancelled` with the reason; no next attempt follows."""
    broker = auction_owner(request, auction_id)
    auctions.auction_cancel(actor=broker, auction_id=auction_id, reason=payload.data.reason)
    return auction_body(auction_id, broker)


@router.post(
    "/auctions/{auction_id}/ownership",
    auth=api_key_auth,
    response={200: CreatedOut, **ERRORS},
    summary="Take an auction over",
    description=OWNERSHIP_DOC + " The later attempts of the lot move with the auction.",
)
def auction_ownership(request: HttpRequest, auction_id: Id, payload: TransferIn) -> dict[str, Any]:
    if not api_selectors.auction_exists(auction_id=auction_id):
        raise not_found("auction_id")
    broker = broker_of(request)
    access = services.ownership_change(
        kind=OwnerToken.Kind.AUCTION, object_id=auction_id, broker=broker, transfer=payload.data.transfer
    )
    return {**auction_body(auction_id, broker), "access": access_body(access)}
