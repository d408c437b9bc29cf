"""Lots: list, read, edit, take over."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

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
    broker_of,
    not_found,
    owner_token,
    require_owner_token,
    set_location,
)
from vzaemo.broker_api.schemas import CreatedOut, DataOut, Id, LotIn, LotPatchIn, TransferIn

router = Router(tags=["lots"])


@router.get("/lots/{lot_id}", response={200: DataOut, **ERRORS}, summary="One lot")
def lot_detail(request: HttpRequest, lot_id: Id) -> dict[str, Any]:
    """The lot and its auction attempts (a draft attempt only to the broker that owns it)."""
    broker = optional_broker(request)
    lot = selectors.lot_get(lot_id=lot_id)
    if lot is None:
        raise not_found("lot_id")
    return {"data": selectors.lot_public_document(lot, broker=broker)}


@router.post("/lots", auth=api_key_auth, response={201: CreatedOut, **ERRORS}, summary="List a lot")
def lot_create(request: HttpRequest, response: HttpResponse, payload: LotIn) -> Status[dict[str, Any]]:
    """Needs the `create` level (a sandbox broker creates `mode: test` only)."""
    broker = broker_of(request)
    data = payload.data
    organiser = api_selectors.organiser_get(organiser_id=data.organiser_id)
    if organiser is None:
        raise ApiError(422, location="body", name="data.organiser_id", description="There is no such organiser.")
    lot, access = services.lot_create(
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
    set_location(request, response, lot.pk)
    return Status(201, {"data": selectors.lot_public_document(lot, broker=broker), "access": access_body(access)})


@router.patch("/lots/{lot_id}", auth=api_key_auth, response={200: DataOut, **ERRORS}, summary="Edit a lot")
@owner_token
def lot_update(request: HttpRequest, lot_id: Id, payload: LotPatchIn) -> dict[str, Any]:
    """Until its auction is published; the price and the category only while the lot has no auction.
    Only the fields sent change; the lot's owner token and the `edit` level are needed."""
    if not api_selectors.lot_exists(lot_id=lot_id):
        raise not_found("lot_id")
    broker = require_owner_token(request, kind=OwnerToken.Kind.LOT, object_id=lot_id)
    data = payload.data
    lot = auctions.lot_update(
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


@router.post(
    "/lots/{lot_id}/ownership",
    auth=api_key_auth,
    response={200: CreatedOut, **ERRORS},
    summary="Take a lot over",
    description=OWNERSHIP_DOC,
)
def lot_ownership(request: HttpRequest, lot_id: Id, payload: TransferIn) -> dict[str, Any]:
    if not api_selectors.lot_exists(lot_id=lot_id):
        raise not_found("lot_id")
    broker = broker_of(request)
    access = services.ownership_change(
        kind=OwnerToken.Kind.LOT, object_id=lot_id, broker=broker, transfer=payload.data.transfer
    )
    lot = selectors.lot_get(lot_id=lot_id)
    assert lot is not None  # noqa: S101 - checked above
    return {"data": selectors.lot_public_document(lot, broker=broker), "access": access_body(access)}
