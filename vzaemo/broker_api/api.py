"""/api/broker/v1/: thin endpoints over vzaemo.auctions (DESIGN rule 1: parse, check, call one service).

Reads are public (a broker's key only adds its own bids); writes need a broker key and, for an existing
object, its owner token (`X-Access-Token` header or `acc_token` query).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any, Literal
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import Header, NinjaAPI, Query, Status

from vzaemo.accounts.models import Authority
from vzaemo.auctions import selectors, services
from vzaemo.auctions.models import Auction, Bid, Broker, Lot
from vzaemo.auctions.states import Mode
from vzaemo.broker_api import errors
from vzaemo.broker_api.auth import api_key_auth, optional_broker
from vzaemo.broker_api.errors import ApiError
from vzaemo.broker_api.models import OwnerToken
from vzaemo.broker_api.schemas import AuctionIn, BidIn, CreatedOut, DataOut, ErrorsOut, FeedOut, Id, LotIn
from vzaemo.broker_api.services import owner_token_issue, owner_token_matches
from vzaemo.core import commit_order

api = NinjaAPI(
    title="Vzaemo broker API",
    version="1",
    description="The open API of the arrested-asset auctions CDB for accredited broker platforms.",
    urls_namespace="broker_api",
    docs_url="/docs",
)
errors.install(api)

ERRORS: dict[int, Any] = {code: ErrorsOut for code in (401, 403, 404, 409, 422)}
MAX_LIMIT = 1000


# --- helpers --------------------------------------------------------------------------------------


OPT_FIELDS: dict[str, Any] = {
    "auctionID": lambda a: a.public_id,
    "status": lambda a: a.status,
    "mode": lambda a: a.mode,
    "procedure": lambda a: a.procedure,
    "lot_id": lambda a: str(a.lot_id),
    "attempt": lambda a: a.attempt,
    "value": lambda a: selectors.money(a.value),
    "tenderPeriod": lambda a: {
        "startDate": selectors.iso_utc(a.tender_start),
        "endDate": selectors.iso_utc(a.tender_end),
    },
    "auctionPeriod": lambda a: {"startDate": selectors.iso_utc(a.auction_start)},
    "date": lambda a: selectors.iso_utc(a.date),
}
_OPT_NAME = "(" + "|".join(OPT_FIELDS) + ")"
OPT_FIELDS_PATTERN = f"^({_OPT_NAME}(,{_OPT_NAME})*)?$"


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _micros(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def _from_micros(value: int) -> dt.datetime:
    try:
        return EPOCH + dt.timedelta(microseconds=value)
    except OverflowError:
        raise ApiError(404, location="query", name="offset", description="Offset expired/invalid.") from None


def _encode_cursor(stamp: int, pk: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{stamp}:{pk}".encode()).decode().rstrip("=")


def _decode_cursor(offset: str) -> tuple[int, int]:
    try:
        raw = base64.urlsafe_b64decode(offset + "=" * (-len(offset) % 4)).decode()
        version, stamp, pk = raw.split(":")
        if version != "v1":
            raise ValueError(version)
        return int(stamp), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(404, location="query", name="offset", description="Offset expired/invalid.") from None


def _access_token(request: HttpRequest, header: str | None) -> str | None:
    return header or request.GET.get("acc_token") or None


def _require_owner_token(request: HttpRequest, *, kind: str, object_id: int, token: str | None) -> Broker:
    broker = getattr(request, "auth", None)
    assert isinstance(broker, Broker)  # noqa: S101 - guaranteed by api_key_auth
    if not owner_token_matches(kind=kind, object_id=object_id, broker=broker, token=token):
        raise ApiError(
            403,
            location="header",
            name="X-Access-Token",
            description="Send this object's owner token (X-Access-Token header or acc_token query).",
        )
    return broker


def _not_found(name: str) -> ApiError:
    return ApiError(404, location="path", name=name, description="Not found.")


def _location(request: HttpRequest, response: HttpResponse, pk: int) -> None:
    response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{pk}")


# --- auctions: feed and reads ---------------------------------------------------------------------


@api.get("/auctions", response={200: FeedOut, **ERRORS}, tags=["auctions"], summary="The auctions change feed")
def auction_feed(
    request: HttpRequest,
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
    public = selectors.auction_list_public(mode=Mode(mode))
    stamped = commit_order.uses_watermark(public.db)
    if stamped:
        queryset = commit_order.committed(public)
    else:
        # core.commit_order orders SQLite by id, which serves append-only rows; auctions are rewritten, so
        # here the single SQLite writer's (date_modified, id) is the commit order (an update moves forward).
        queryset = public.order_by("date_modified", "id")
    if offset:
        stamp, pk = _decode_cursor(offset)
        if stamped:
            after = Q(commit_txid__gt=stamp) | Q(commit_txid=stamp, id__gt=pk)
            before = Q(commit_txid__lt=stamp) | Q(commit_txid=stamp, id__lt=pk)
        else:
            moment = _from_micros(stamp)
            after = Q(date_modified__gt=moment) | Q(date_modified=moment, id__gt=pk)
            before = Q(date_modified__lt=moment) | Q(date_modified=moment, id__lt=pk)
        queryset = queryset.filter(before if descending else after)
    if descending:
        queryset = queryset.reverse()
    page = list(queryset[:limit])
    items = [
        {
            "id": str(a.pk),
            "dateModified": selectors.iso_utc(a.date_modified),
            **{name: OPT_FIELDS[name](a) for name in wanted},
        }
        for a in page
    ]
    if page:
        last = page[-1]
        stamp = (last.commit_txid or 0) if stamped else _micros(last.date_modified)
        next_offset = _encode_cursor(stamp, last.pk)
    else:
        next_offset = offset or ""
    params: dict[str, Any] = {"feed": feed, "limit": limit, "mode": mode}
    if descending:
        params["descending"] = 1
    if wanted:
        params["opt_fields"] = ",".join(wanted)
    if next_offset:
        params["offset"] = next_offset
    uri = request.build_absolute_uri(f"{request.path}?{urlencode(params)}")
    return {"data": items, "next_page": {"offset": next_offset, "uri": uri}}


@api.get("/auctions/{auction_id}", response={200: DataOut, **ERRORS}, tags=["auctions"], summary="One auction")
def auction_detail(request: HttpRequest, auction_id: Id) -> dict[str, Any]:
    """The public document; bidders are hidden until the auction ends, except a broker's own bids."""
    broker = optional_broker(request)
    auction = Auction.objects.select_related("lot", "owner").filter(pk=auction_id).first()
    if auction is None or (auction.status == "draft" and (broker is None or broker.pk != auction.owner_id)):
        raise _not_found("auction_id")
    return {"data": selectors.auction_public_document(auction, broker=broker)}


@api.get("/lots/{lot_id}", response={200: DataOut, **ERRORS}, tags=["lots"], summary="One lot")
def lot_detail(request: HttpRequest, lot_id: Id) -> dict[str, Any]:
    optional_broker(request)
    lot = Lot.objects.select_related("owner", "organiser").filter(pk=lot_id).first()
    if lot is None:
        raise _not_found("lot_id")
    return {"data": selectors.lot_document(lot)}


# --- writes -----------------------------------------------------------------------------------------


@api.post("/lots", auth=api_key_auth, response={201: CreatedOut, **ERRORS}, tags=["lots"], summary="List a lot")
def lot_create(request: HttpRequest, response: HttpResponse, payload: LotIn) -> Status[dict[str, Any]]:
    """Needs the `create` level (a sandbox broker creates `mode: test` only)."""
    broker = getattr(request, "auth", None)
    assert isinstance(broker, Broker)  # noqa: S101
    data = payload.data
    organiser = Authority.objects.filter(pk=data.organiser_id).first()
    if organiser is None:
        raise ApiError(422, location="body", name="data.organiser_id", description="There is no such organiser.")
    with transaction.atomic():
        lot = services.lot_create(
            broker=broker,
            organiser=organiser,
            organiser_kind=data.organiser_kind,
            title=data.title,
            description=data.description,
            category=data.category,
            region=data.region,
            address=data.address,
            enforcement_proceeding=data.enforcementProceeding,
            encumbrances=data.encumbrances,
            start_value=str(data.value.amount),
            mode=data.mode,
        )
        token, transfer = owner_token_issue(kind=OwnerToken.Kind.LOT, object_id=lot.pk, broker=broker)
    _location(request, response, lot.pk)
    return Status(201, {"data": selectors.lot_document(lot), "access": {"token": token, "transfer": transfer}})


@api.post(
    "/auctions", auth=api_key_auth, response={201: CreatedOut, **ERRORS}, tags=["auctions"], summary="Draft an auction"
)
def auction_create(
    request: HttpRequest,
    response: HttpResponse,
    payload: AuctionIn,
    x_access_token: str | None = Header(None, alias="X-Access-Token"),
    acc_token: str | None = None,
) -> Status[dict[str, Any]]:
    """The first attempt of a lot, as a draft. Needs the lot's owner token."""
    data = payload.data
    if not Lot.objects.filter(pk=data.lot_id).exists():
        raise ApiError(404, location="body", name="data.lot_id", description="There is no such lot.")
    broker = _require_owner_token(
        request, kind=OwnerToken.Kind.LOT, object_id=data.lot_id, token=x_access_token or acc_token
    )
    start = data.auctionPeriod.startDate if data.auctionPeriod else None
    with transaction.atomic():
        auction = services.auction_create(
            broker=broker, lot_id=data.lot_id, procedure=data.procedure, auction_start=start
        )
        token, transfer = owner_token_issue(kind=OwnerToken.Kind.AUCTION, object_id=auction.pk, broker=broker)
    _location(request, response, auction.pk)
    document = selectors.auction_public_document(auction, broker=broker)
    return Status(201, {"data": document, "access": {"token": token, "transfer": transfer}})


@api.post(
    "/auctions/{auction_id}/publish",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    tags=["auctions"],
    summary="Publish a draft (idempotent)",
)
def auction_publish(
    request: HttpRequest,
    auction_id: Id,
    x_access_token: str | None = Header(None, alias="X-Access-Token"),
    acc_token: str | None = None,
) -> dict[str, Any]:
    """draft -> active.tendering; repeating it changes nothing."""
    if not Auction.objects.filter(pk=auction_id).exists():
        raise _not_found("auction_id")
    broker = _require_owner_token(
        request, kind=OwnerToken.Kind.AUCTION, object_id=auction_id, token=x_access_token or acc_token
    )
    auction = services.auction_publish(broker=broker, auction_id=auction_id)
    return {"data": selectors.auction_public_document(auction, broker=broker)}


@api.post(
    "/auctions/{auction_id}/bids",
    auth=api_key_auth,
    response={201: CreatedOut, **ERRORS},
    tags=["bids"],
    summary="Register a bidder",
)
def bid_create(request: HttpRequest, response: HttpResponse, auction_id: Id, payload: BidIn) -> Status[dict[str, Any]]:
    """A bidder registered by its broker (level `create` in the auction's mode), as a draft bid."""
    broker = getattr(request, "auth", None)
    assert isinstance(broker, Broker)  # noqa: S101
    data = payload.data
    with transaction.atomic():
        bid = services.bid_create(
            broker=broker,
            auction_id=auction_id,
            bidder_name=data.bidder.name,
            bidder_identifier=data.bidder.identifier,
            value=str(data.value.amount) if data.value is not None else None,
        )
        token, transfer = owner_token_issue(kind=OwnerToken.Kind.BID, object_id=bid.pk, broker=broker)
    _location(request, response, bid.pk)
    return Status(201, {"data": _bid_document(bid, broker), "access": {"token": token, "transfer": transfer}})


@api.get(
    "/auctions/{auction_id}/bids/{bid_id}",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    tags=["bids"],
    summary="One bid (its owner only)",
)
def bid_detail(
    request: HttpRequest,
    auction_id: Id,
    bid_id: Id,
    x_access_token: str | None = Header(None, alias="X-Access-Token"),
    acc_token: str | None = None,
) -> dict[str, Any]:
    bid = Bid.objects.filter(pk=bid_id, auction_id=auction_id).first()
    if bid is None:
        raise _not_found("bid_id")
    broker = _require_owner_token(
        request, kind=OwnerToken.Kind.BID, object_id=bid_id, token=x_access_token or acc_token
    )
    return {"data": _bid_document(bid, broker)}


def _bid_document(bid: Bid, broker: Broker) -> dict[str, Any]:
    auction = Auction.objects.select_related("lot", "owner").get(pk=bid.auction_id)
    document = selectors.auction_public_document(auction, broker=broker)
    return next(b for b in document["bids"] if b["id"] == str(bid.pk))
