"""/api/broker/v1/: thin endpoints over vzaemo.auctions (DESIGN rule 1: parse, check, call one service).

Reads are public (a broker's key only adds its own bids); writes need a broker key and, for an existing
object, its owner token (`X-Access-Token` header or `acc_token` query).
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Header, NinjaAPI, Query, Status

from vzaemo.accounts.models import Authority
from vzaemo.auctions import selectors, services
from vzaemo.auctions.models import Auction, Award, Bid, Broker, Contract, Lot
from vzaemo.auctions.permissions import BANK_FEED, CDB_ADMIN, LIVE_ENGINE, OrganiserBroker
from vzaemo.auctions.states import Mode
from vzaemo.broker_api import errors
from vzaemo.broker_api import services as keys
from vzaemo.broker_api.auth import api_key_auth, bank_feed_auth, optional_broker, result_auth
from vzaemo.broker_api.errors import ApiError
from vzaemo.broker_api.models import IntegrationKey, OwnerToken
from vzaemo.broker_api.schemas import (
    AuctionIn,
    AuctionPatchIn,
    BidIn,
    CreatedOut,
    DataOut,
    DocumentIn,
    ErrorsOut,
    FeedOut,
    GuaranteeIn,
    Id,
    LotIn,
    LotPatchIn,
    NoteIn,
    PaymentIn,
    ProtocolIn,
    ReasonIn,
    ResultIn,
    TransferIn,
)
from vzaemo.broker_api.services import owner_token_issue, owner_token_matches
from vzaemo.broker_api.throttling import FixedWindowThrottle
from vzaemo.core import commit_order
from vzaemo.core.errors import DomainError
from vzaemo.documents import links as document_links
from vzaemo.documents import selectors as documents
from vzaemo.documents import services as document_service
from vzaemo.live import selectors as live_selectors

api = NinjaAPI(
    title="Vzaemo broker API",
    version="1",
    description="The open API of the arrested-asset auctions CDB for accredited broker platforms.",
    urls_namespace="broker_api",
    docs_url="/docs",
    throttle=[FixedWindowThrottle()],
)
errors.install(api)

ERRORS: dict[int, Any] = {code: ErrorsOut for code in (401, 403, 404, 409, 422, 429)}
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
# What the feed loads: the cursor's columns plus those of the optional fields asked for. Whole instances
# with the lot and the owner joined cost ~10x the CPU per object (bench/feed).
FEED_COLUMNS = ("id", "date_modified", "commit_txid")
OPT_COLUMNS: dict[str, tuple[str, ...]] = {
    "auctionID": ("created_at",),
    "status": ("status",),
    "mode": ("mode",),
    "procedure": ("procedure",),
    "lot_id": ("lot",),
    "attempt": ("attempt",),
    "value": ("value",),
    "tenderPeriod": ("tender_start", "tender_end"),
    "auctionPeriod": ("auction_start",),
    "date": ("date",),
}
assert OPT_COLUMNS.keys() == OPT_FIELDS.keys()  # noqa: S101 - every optional field says what it reads
_OPT_NAME = "(" + "|".join(OPT_FIELDS) + ")"
OPT_FIELDS_PATTERN = f"^({_OPT_NAME}(,{_OPT_NAME})*)?$"


def _offset_invalid() -> ApiError:
    return ApiError(404, location="query", name="offset", description="Offset expired/invalid.")


def _broker(request: HttpRequest) -> Broker:
    broker = getattr(request, "auth", None)
    assert isinstance(broker, Broker)  # noqa: S101 - guaranteed by api_key_auth
    return broker


def _integration(request: HttpRequest) -> IntegrationKey:
    key = getattr(request, "auth", None)
    assert isinstance(key, IntegrationKey)  # noqa: S101 - guaranteed by the integration auth
    return key


def _require_owner_token(request: HttpRequest, *, kind: str, object_id: int, token: str | None) -> Broker:
    broker = _broker(request)
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
    columns = [column for name in wanted for column in OPT_COLUMNS[name]]
    public = selectors.auction_list_public(mode=Mode(mode)).select_related(None).only(*FEED_COLUMNS, *columns)
    try:
        after = commit_order.Position.decode(offset) if offset else None
        page = list(commit_order.changes(public, after=after, descending=descending)[:limit])
    except commit_order.CursorInvalid:
        raise _offset_invalid() from None
    items = [
        {
            "id": str(a.pk),
            "dateModified": selectors.iso_utc(a.date_modified),
            **{name: OPT_FIELDS[name](a) for name in wanted},
        }
        for a in page
    ]
    next_offset = commit_order.position_of(page[-1], using=public.db).encode() if page else (offset or "")
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
    """The lot and its auction attempts (a draft attempt only to the broker that owns it)."""
    broker = optional_broker(request)
    lot = Lot.objects.select_related("owner", "organiser").filter(pk=lot_id).first()
    if lot is None:
        raise _not_found("lot_id")
    return {"data": selectors.lot_public_document(lot, broker=broker)}


# --- writes: lots -------------------------------------------------------------------------------------
#
# Every write: the key (auth), the object (404), the owner token (403), then ONE service, whose refusal
# (403/404/409/422) rolls back everything. The token is `X-Access-Token` or `acc_token`.

TOKEN_HEADER = Header(None, alias="X-Access-Token", description="The object's owner token (or `acc_token` query)")


def _token(header: str | None, query: str | None) -> str | None:
    return header or query or None


def _access(token: str, transfer: str) -> dict[str, str]:
    return {"token": token, "transfer": transfer}


@api.post("/lots", auth=api_key_auth, response={201: CreatedOut, **ERRORS}, tags=["lots"], summary="List a lot")
def lot_create(request: HttpRequest, response: HttpResponse, payload: LotIn) -> Status[dict[str, Any]]:
    """Needs the `create` level (a sandbox broker creates `mode: test` only)."""
    broker = _broker(request)
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
    return Status(201, {"data": selectors.lot_public_document(lot, broker=broker), "access": _access(token, transfer)})


@api.patch("/lots/{lot_id}", auth=api_key_auth, response={200: DataOut, **ERRORS}, tags=["lots"], summary="Edit a lot")
def lot_update(
    request: HttpRequest,
    lot_id: Id,
    payload: LotPatchIn,
    x_access_token: str | None = TOKEN_HEADER,
    acc_token: str | None = None,
) -> dict[str, Any]:
    """Until its auction is published; the price and the category only while the lot has no auction.
    Only the fields sent change; the lot's owner token and the `edit` level are needed."""
    if not Lot.objects.filter(pk=lot_id).exists():
        raise _not_found("lot_id")
    broker = _require_owner_token(
        request, kind=OwnerToken.Kind.LOT, object_id=lot_id, token=_token(x_access_token, acc_token)
    )
    data = payload.data
    lot = services.lot_update(
        broker=broker,
        lot_id=lot_id,
        title=data.title,
        description=data.description,
        category=data.category,
        region=data.region,
        address=data.address,
        enforcement_proceeding=data.enforcementProceeding,
        encumbrances=data.encumbrances,
        start_value=str(data.value.amount) if data.value is not None else None,
    )
    return {"data": selectors.lot_public_document(lot, broker=broker)}


OWNERSHIP_DOC = (
    "The new broker (levels `create` in the object's mode and `edit`) sends the transfer key the owner gave it. "
    "The answer carries a new `access` (token and transfer) for the new owner; the old token and the transfer "
    "key used stop working (a transfer key works once)."
)


@api.post(
    "/lots/{lot_id}/ownership",
    auth=api_key_auth,
    response={200: CreatedOut, **ERRORS},
    tags=["lots"],
    summary="Take a lot over",
    description=OWNERSHIP_DOC,
)
def lot_ownership(request: HttpRequest, lot_id: Id, payload: TransferIn) -> dict[str, Any]:
    if not Lot.objects.filter(pk=lot_id).exists():
        raise _not_found("lot_id")
    broker = _broker(request)
    token, transfer = keys.ownership_change(
        kind=OwnerToken.Kind.LOT, object_id=lot_id, broker=broker, transfer=payload.data.transfer
    )
    lot = Lot.objects.select_related("owner", "organiser").get(pk=lot_id)
    return {"data": selectors.lot_public_document(lot, broker=broker), "access": _access(token, transfer)}


# --- writes: auctions ---------------------------------------------------------------------------------


def _auction_exists(auction_id: int) -> None:
    if not Auction.objects.filter(pk=auction_id).exists():
        raise _not_found("auction_id")


def _auction_owner(request: HttpRequest, auction_id: int, x_access_token: str | None, acc_token: str | None) -> Broker:
    _auction_exists(auction_id)
    return _require_owner_token(
        request, kind=OwnerToken.Kind.AUCTION, object_id=auction_id, token=_token(x_access_token, acc_token)
    )


def _auction_data(auction_id: int, broker: Broker | None) -> dict[str, Any]:
    auction = Auction.objects.select_related("lot", "owner").get(pk=auction_id)
    return {"data": selectors.auction_public_document(auction, broker=broker)}


@api.post(
    "/auctions", auth=api_key_auth, response={201: CreatedOut, **ERRORS}, tags=["auctions"], summary="Draft an auction"
)
def auction_create(
    request: HttpRequest,
    response: HttpResponse,
    payload: AuctionIn,
    x_access_token: str | None = TOKEN_HEADER,
    acc_token: str | None = None,
) -> Status[dict[str, Any]]:
    """The first attempt of a lot, as a draft. Needs the lot's owner token. The later attempts of the lot
    (created by the CDB after a failed one, marked down) are written with this auction's owner token."""
    data = payload.data
    if not Lot.objects.filter(pk=data.lot_id).exists():
        raise ApiError(404, location="body", name="data.lot_id", description="There is no such lot.")
    broker = _require_owner_token(
        request, kind=OwnerToken.Kind.LOT, object_id=data.lot_id, token=_token(x_access_token, acc_token)
    )
    start = data.auctionPeriod.startDate if data.auctionPeriod else None
    with transaction.atomic():
        auction = services.auction_create(
            broker=broker, lot_id=data.lot_id, procedure=data.procedure, auction_start=start
        )
        token, transfer = owner_token_issue(kind=OwnerToken.Kind.AUCTION, object_id=auction.pk, broker=broker)
    _location(request, response, auction.pk)
    document = selectors.auction_public_document(auction, broker=broker)
    return Status(201, {"data": document, "access": _access(token, transfer)})


@api.patch(
    "/auctions/{auction_id}",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    tags=["auctions"],
    summary="Edit a draft auction",
)
def auction_update(
    request: HttpRequest,
    auction_id: Id,
    payload: AuctionPatchIn,
    x_access_token: str | None = TOKEN_HEADER,
    acc_token: str | None = None,
) -> dict[str, Any]:
    """The procedure or `auctionPeriod.startDate` of a draft (e.g. dating the next attempt of a lot before
    publishing it). Status never changes here: publish with `POST /auctions/{id}/publish`."""
    broker = _auction_owner(request, auction_id, x_access_token, acc_token)
    data = payload.data
    start = data.auctionPeriod.startDate if data.auctionPeriod else None
    if data.procedure is not None or start is not None:
        services.auction_update_draft(
            broker=broker, auction_id=auction_id, procedure=data.procedure, auction_start=start
        )
    return _auction_data(auction_id, broker)


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
    x_access_token: str | None = TOKEN_HEADER,
    acc_token: str | None = None,
) -> dict[str, Any]:
    """draft -> active.tendering; repeating it changes nothing."""
    broker = _auction_owner(request, auction_id, x_access_token, acc_token)
    auction = services.auction_publish(broker=broker, auction_id=auction_id)
    return {"data": selectors.auction_public_document(auction, broker=broker)}


@api.post(
    "/auctions/{auction_id}/cancel",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    tags=["auctions"],
    summary="Cancel an auction",
)
def auction_cancel(
    request: HttpRequest,
    auction_id: Id,
    payload: ReasonIn,
    x_access_token: str | None = TOKEN_HEADER,
    acc_token: str | None = None,
) -> dict[str, Any]:
    """E.g. the debt was paid: the auction ends `cancelled` with the reason; no next attempt follows."""
    broker = _auction_owner(request, auction_id, x_access_token, acc_token)
    services.auction_cancel(actor=broker, auction_id=auction_id, reason=payload.data.reason)
    return _auction_data(auction_id, broker)


@api.post(
    "/auctions/{auction_id}/ownership",
    auth=api_key_auth,
    response={200: CreatedOut, **ERRORS},
    tags=["auctions"],
    summary="Take an auction over",
    description=OWNERSHIP_DOC + " The later attempts of the lot move with the auction.",
)
def auction_ownership(request: HttpRequest, auction_id: Id, payload: TransferIn) -> dict[str, Any]:
    _auction_exists(auction_id)
    broker = _broker(request)
    token, transfer = keys.ownership_change(
        kind=OwnerToken.Kind.AUCTION, object_id=auction_id, broker=broker, transfer=payload.data.transfer
    )
    return {**_auction_data(auction_id, broker), "access": _access(token, transfer)}


@api.post(
    "/auctions/{auction_id}/result",
    auth=result_auth,
    response={200: DataOut, **ERRORS},
    tags=["integrations"],
    summary="Record the auction's result (auction engine)",
)
def auction_result(request: HttpRequest, auction_id: Id, payload: ResultIn) -> dict[str, Any]:
    """The live auction's ranking, best first: active.auction -> active.qualification, the top bid's award
    `pending`, the runner-up `pending.waiting`; an empty ranking makes the auction unsuccessful (and the lot's
    next attempt is created). An integration key of the auction engine or the CDB administrator."""
    key = _integration(request)
    actor = LIVE_ENGINE if key.role == IntegrationKey.Role.AUCTION_ENGINE else CDB_ADMIN
    ranking = [(item.bid_id, str(item.value.amount)) for item in payload.data.ranking]
    services.auction_record_result(actor=actor, auction_id=auction_id, ranking=ranking)
    return _auction_data(auction_id, None)


# --- writes: bids -------------------------------------------------------------------------------------


@api.post(
    "/auctions/{auction_id}/bids",
    auth=api_key_auth,
    response={201: CreatedOut, **ERRORS},
    tags=["bids"],
    summary="Register a bidder",
)
def bid_create(request: HttpRequest, response: HttpResponse, auction_id: Id, payload: BidIn) -> Status[dict[str, Any]]:
    """A bidder registered by its broker (level `create` in the auction's mode), as a draft bid."""
    broker = _broker(request)
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
    return Status(201, {"data": _bid_document(bid.pk, broker), "access": _access(token, transfer)})


def _bid_exists(auction_id: int, bid_id: int) -> None:
    if not Bid.objects.filter(pk=bid_id, auction_id=auction_id).exists():
        raise _not_found("bid_id")


def _bid_owner(
    request: HttpRequest, auction_id: int, bid_id: int, x_access_token: str | None, acc_token: str | None
) -> Broker:
    _bid_exists(auction_id, bid_id)
    return _require_owner_token(
        request, kind=OwnerToken.Kind.BID, object_id=bid_id, token=_token(x_access_token, acc_token)
    )


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
    x_access_token: str | None = TOKEN_HEADER,
    acc_token: str | None = None,
) -> dict[str, Any]:
    broker = _bid_owner(request, auction_id, bid_id, x_access_token, acc_token)
    return {"data": _bid_document(bid_id, broker)}


@api.post(
    "/auctions/{auction_id}/bids/{bid_id}/submit",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    tags=["bids"],
    summary="Submit a bid",
)
def bid_submit(
    request: HttpRequest,
    auction_id: Id,
    bid_id: Id,
    x_access_token: str | None = TOKEN_HEADER,
    acc_token: str | None = None,
) -> dict[str, Any]:
    """draft -> pending: the bidder now owes the guarantee (qualified once the bank feed confirms it)."""
    broker = _bid_owner(request, auction_id, bid_id, x_access_token, acc_token)
    services.bid_submit(broker=broker, bid_id=bid_id)
    return {"data": _bid_document(bid_id, broker)}


@api.post(
    "/auctions/{auction_id}/bids/{bid_id}/withdraw",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    tags=["bids"],
    summary="Withdraw a bid",
)
def bid_withdraw(
    request: HttpRequest,
    auction_id: Id,
    bid_id: Id,
    x_access_token: str | None = TOKEN_HEADER,
    acc_token: str | None = None,
) -> dict[str, Any]:
    """While tendering: the bid becomes `invalid` (withdrawn); a paid guarantee is returned."""
    broker = _bid_owner(request, auction_id, bid_id, x_access_token, acc_token)
    services.bid_withdraw(broker=broker, bid_id=bid_id)
    return {"data": _bid_document(bid_id, broker)}


@api.get(
    "/auctions/{auction_id}/bids/{bid_id}/participation",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    tags=["bids"],
    summary="The bidder's link to the live auction",
)
def bid_participation(
    request: HttpRequest,
    auction_id: Id,
    bid_id: Id,
    x_access_token: str | None = TOKEN_HEADER,
    acc_token: str | None = None,
) -> dict[str, Any]:
    """For the bid's owner, once the bid is qualified (guarantee paid): the bidder page's address, signed
    with Ed25519 over (auction id, bid id). Give it to the bidder only; anyone holding it bids as them."""
    _bid_owner(request, auction_id, bid_id, x_access_token, acc_token)
    path = live_selectors.participation_path_for(auction_id=auction_id, bid_id=bid_id)
    return {"data": {"url": request.build_absolute_uri(path)}}


@api.post(
    "/auctions/{auction_id}/bids/{bid_id}/ownership",
    auth=api_key_auth,
    response={200: CreatedOut, **ERRORS},
    tags=["bids"],
    summary="Take a bid over",
    description=OWNERSHIP_DOC,
)
def bid_ownership(request: HttpRequest, auction_id: Id, bid_id: Id, payload: TransferIn) -> dict[str, Any]:
    _bid_exists(auction_id, bid_id)
    broker = _broker(request)
    token, transfer = keys.ownership_change(
        kind=OwnerToken.Kind.BID, object_id=bid_id, broker=broker, transfer=payload.data.transfer
    )
    return {"data": _bid_document(bid_id, broker), "access": _access(token, transfer)}


def _bid_document(bid_id: int, broker: Broker) -> dict[str, Any]:
    auction_id = Bid.objects.filter(pk=bid_id).values_list("auction_id", flat=True).get()
    auction = Auction.objects.select_related("lot", "owner").get(pk=auction_id)
    document = selectors.auction_public_document(auction, broker=broker)
    return next(b for b in document["bids"] if b["id"] == str(bid_id))


# --- writes: awards and contracts (the organiser, through the auction owner's broker) ----------------------


def _award_of(auction_id: int, award_id: int) -> Award:
    award = Award.objects.filter(pk=award_id, auction_id=auction_id).first()
    if award is None:
        raise _not_found("award_id")
    return award


@api.post(
    "/auctions/{auction_id}/awards/{award_id}/protocol",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    tags=["awards"],
    summary="Upload the signed auction protocol",
)
def award_protocol(
    request: HttpRequest,
    auction_id: Id,
    award_id: Id,
    payload: ProtocolIn,
    x_access_token: str | None = TOKEN_HEADER,
    acc_token: str | None = None,
) -> dict[str, Any]:
    """The organiser's duty by `protocolPeriod.endDate`, relayed by the auction's owner broker (its token).
    `url` must be a permanent URL of the document service (`POST /documents`, then upload the file) of a
    document this broker registered, in the auction's mode; anything else is 422."""
    broker = _auction_owner(request, auction_id, x_access_token, acc_token)
    _award_of(auction_id, award_id)
    mode = Auction.objects.filter(pk=auction_id).values_list("mode", flat=True).get()
    try:
        document = documents.document_verify_url(payload.data.url, owner=("broker", str(broker.pk)), mode=mode)
    except DomainError as refusal:
        raise ApiError(422, location="body", name="data.url", description=str(refusal.message)) from None
    services.award_upload_protocol(
        actor=OrganiserBroker(broker), award_id=award_id, document=document_service.document_permanent_url(document)
    )
    return _auction_data(auction_id, broker)


@api.post(
    "/auctions/{auction_id}/awards/{award_id}/disqualify",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    tags=["awards"],
    summary="Disqualify the pending award",
)
def award_disqualify(
    request: HttpRequest,
    auction_id: Id,
    award_id: Id,
    payload: NoteIn,
    x_access_token: str | None = TOKEN_HEADER,
    acc_token: str | None = None,
) -> dict[str, Any]:
    """The organiser finds the winner ineligible (the auction owner's broker relays it): the award is
    `unsuccessful` and the runner-up is promoted, or the auction is unsuccessful."""
    broker = _auction_owner(request, auction_id, x_access_token, acc_token)
    _award_of(auction_id, award_id)
    services.award_disqualify(actor=OrganiserBroker(broker), award_id=award_id, note=payload.data.note)
    return _auction_data(auction_id, broker)


@api.post(
    "/auctions/{auction_id}/awards/{award_id}/withdraw",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    tags=["awards"],
    summary="The runner-up leaves the award chain",
)
def award_withdraw(
    request: HttpRequest,
    auction_id: Id,
    award_id: Id,
    x_access_token: str | None = TOKEN_HEADER,
    acc_token: str | None = None,
) -> dict[str, Any]:
    """A `pending.waiting` award is cancelled and its guarantee returned. The runner-up's broker, with the
    owner token of the award's bid."""
    award = _award_of(auction_id, award_id)
    broker = _require_owner_token(
        request, kind=OwnerToken.Kind.BID, object_id=award.bid_id, token=_token(x_access_token, acc_token)
    )
    services.award_withdraw_waiting(broker=broker, award_id=award_id)
    return _auction_data(auction_id, broker)


def _contract_of(auction_id: int, contract_id: int) -> None:
    if not Contract.objects.filter(pk=contract_id, auction_id=auction_id).exists():
        raise _not_found("contract_id")


@api.post(
    "/auctions/{auction_id}/contracts/{contract_id}/sign",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    tags=["contracts"],
    summary="Record the signed contract",
)
def contract_sign(
    request: HttpRequest,
    auction_id: Id,
    contract_id: Id,
    x_access_token: str | None = TOKEN_HEADER,
    acc_token: str | None = None,
) -> dict[str, Any]:
    """pending -> active; the auction is `complete`. The organiser, through the auction owner's broker."""
    broker = _auction_owner(request, auction_id, x_access_token, acc_token)
    _contract_of(auction_id, contract_id)
    services.contract_sign(actor=OrganiserBroker(broker), contract_id=contract_id)
    return _auction_data(auction_id, broker)


@api.post(
    "/auctions/{auction_id}/contracts/{contract_id}/cancel",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    tags=["contracts"],
    summary="The winner refused to sign",
)
def contract_cancel(
    request: HttpRequest,
    auction_id: Id,
    contract_id: Id,
    payload: ReasonIn,
    x_access_token: str | None = TOKEN_HEADER,
    acc_token: str | None = None,
) -> dict[str, Any]:
    """The contract is cancelled, the winner's guarantee forfeited and the runner-up promoted."""
    broker = _auction_owner(request, auction_id, x_access_token, acc_token)
    _contract_of(auction_id, contract_id)
    services.contract_cancel(actor=OrganiserBroker(broker), contract_id=contract_id, reason=payload.data.reason)
    return _auction_data(auction_id, broker)


# --- documents ------------------------------------------------------------------------------------------


@api.post(
    "/documents",
    auth=api_key_auth,
    response={201: DataOut, **ERRORS},
    tags=["documents"],
    summary="Register a document before uploading it",
)
def document_register(request: HttpRequest, response: HttpResponse, payload: DocumentIn) -> Status[dict[str, Any]]:
    """Register the file's SHA-256; then `POST` the file to `upload_url` (multipart field `file`, no key:
    the link is the credential, valid for an hour). `url` is the permanent, signed URL to send in the API
    (e.g. as an award's protocol) once the file is uploaded."""
    broker = _broker(request)
    data = payload.data
    registration = document_service.document_register(
        sha256=data.hash.removeprefix("sha256:"),
        title=data.title,
        format=data.format,
        owner_type="broker",
        owner_id=str(broker.pk),
        mode=data.mode,
        actor=broker,
    )
    document = registration.document
    response["Location"] = registration.url
    body = {
        "id": str(document.pk),
        "hash": f"sha256:{document.sha256}",
        "title": document.title,
        "format": document.format,
        "mode": document.mode,
        "url": registration.url,
        "upload_url": document_links.site_origin() + registration.upload_url,
    }
    return Status(201, {"data": body})


# --- integrations: the organiser's bank feed ---------------------------------------------------------------


@api.post(
    "/bank-feed/guarantees",
    auth=bank_feed_auth,
    response={200: DataOut, **ERRORS},
    tags=["integrations"],
    summary="A guarantee payment arrived (bank feed)",
)
def bank_guarantee(request: HttpRequest, payload: GuaranteeIn) -> dict[str, Any]:
    """The bid is qualified (`active`). The same payment reported again changes nothing; another payment
    for a qualified bid is 409. The organiser's bank feed key."""
    data = payload.data
    bid = services.bid_confirm_guarantee(
        actor=BANK_FEED, bid_id=data.bid_id, amount=str(data.value.amount), reference=data.reference
    )
    return {
        "data": {
            "bid_id": str(bid.pk),
            "auction_id": str(bid.auction_id),
            "status": bid.status,
            "qualified": bid.qualified,
            "guarantee": {"reference": bid.guarantee_reference, "paidAt": selectors.iso_utc(bid.guarantee_paid_at)},
        }
    }


@api.post(
    "/bank-feed/payments",
    auth=bank_feed_auth,
    response={200: DataOut, **ERRORS},
    tags=["integrations"],
    summary="The winner's payment arrived (bank feed)",
)
def bank_payment(request: HttpRequest, payload: PaymentIn) -> dict[str, Any]:
    """The price less the guarantee, within the payment term and after the protocol: the award is `active`
    and the contract `pending`. The same payment reported again changes nothing. The bank feed key."""
    data = payload.data
    award = services.award_confirm_payment(
        actor=BANK_FEED, award_id=data.award_id, amount=str(data.value.amount), reference=data.reference
    )
    return {
        "data": {
            "award_id": str(award.pk),
            "auction_id": str(award.auction_id),
            "status": award.status,
            "paidAt": selectors.iso_utc(award.paid_at),
            "reference": award.payment_reference,
        }
    }
