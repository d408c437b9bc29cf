"""Awards and contracts: the organiser's decisions, relayed by the auction owner's broker (its token); the
runner-up's broker withdraws its award with the token of the award's bid."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from vzaemo.auctions import services as auctions
from vzaemo.auctions.permissions import OrganiserBroker
from vzaemo.broker_api import selectors as api_selectors
from vzaemo.broker_api.auth import api_key_auth
from vzaemo.broker_api.errors import ApiError
from vzaemo.broker_api.models import OwnerToken
from vzaemo.broker_api.routers.common import (
    ERRORS,
    auction_body,
    auction_owner,
    not_found,
    owner_token,
    require_owner_token,
)
from vzaemo.broker_api.schemas import DataOut, Id, NoteIn, ProtocolIn, ReasonIn
from vzaemo.core.errors import DomainError
from vzaemo.documents import selectors as documents
from vzaemo.documents import services as document_service

router = Router()


def _require_award(auction_id: int, award_id: int) -> None:
    if api_selectors.award_get(auction_id=auction_id, award_id=award_id) is None:
        raise not_found("award_id")


def _require_contract(auction_id: int, contract_id: int) -> None:
    if not api_selectors.contract_exists(auction_id=auction_id, contract_id=contract_id):
        raise not_found("contract_id")


@router.post(
    "/auctions/{auction_id}/awards/{award_id}/protocol",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    tags=["awards"],
    summary="Upload the signed auction protocol",
)
@owner_token
def award_protocol(request: HttpRequest, auction_id: Id, award_id: Id, payload: ProtocolIn) -> dict[str, Any]:
    """The organiser's duty by `protocolPeriod.endDate`, relayed by the auction's owner broker (its token).
    `url` must be a permanent URL of the document service (`POST /documents`, then upload the file) of a
    document this broker registered, in the auction's mode; anything else is 422."""
    broker = auction_owner(request, auction_id)
    _require_award(auction_id, award_id)
    mode = api_selectors.auction_mode(auction_id=auction_id)
    try:
        document = documents.document_verify_url(payload.data.url, owner=("broker", str(broker.pk)), mode=mode)
    except DomainError as refusal:
        raise ApiError(422, location="body", name="data.url", description=str(refusal.message)) from None
    auctions.award_upload_protocol(
        actor=OrganiserBroker(broker), award_id=award_id, document=document_service.document_permanent_url(document)
    )
    return auction_body(auction_id, broker)


@router.post(
    "/auctions/{auction_id}/awards/{award_id}/disqualify",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    tags=["awards"],
    summary="Disqualify the pending award",
)
@owner_token
def award_disqualify(request: HttpRequest, auction_id: Id, award_id: Id, payload: NoteIn) -> dict[str, Any]:
    """The organiser finds the winner ineligible (the auction owner's broker relays it): the award is
    `unsuccessful` and the runner-up is promoted, or the auction is unsuccessful."""
    broker = auction_owner(request, auction_id)
    _require_award(auction_id, award_id)
    auctions.award_disqualify(actor=OrganiserBroker(broker), award_id=award_id, note=payload.data.note)
    return auction_body(auction_id, broker)


@router.post(
    "/auctions/{auction_id}/awards/{award_id}/withdraw",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    tags=["awards"],
    summary="The runner-up leaves the award chain",
)
@owner_token
def award_withdraw(request: HttpRequest, auction_id: Id, award_id: Id) -> dict[str, Any]:
    """A `pending.waiting` award is cancelled and its guarantee returned. The runner-up's broker, with the
    owner token of the award's bid."""
    award = api_selectors.award_get(auction_id=auction_id, award_id=award_id)
    if award is None:
        raise not_found("award_id")
    broker = require_owner_token(request, kind=OwnerToken.Kind.BID, object_id=award.bid_id)
    auctions.award_withdraw_waiting(broker=broker, award_id=award_id)
    return auction_body(auction_id, broker)


@router.post(
    "/auctions/{auction_id}/contracts/{contract_id}/sign",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    tags=["contracts"],
    summary="Record the signed contract",
)
@owner_token
def contract_sign(request: HttpRequest, auction_id: Id, contract_id: Id) -> dict[str, Any]:
    """pending -> active; the auction is `complete`. The organiser, through the auction owner's broker."""
    broker = auction_owner(request, auction_id)
    _require_contract(auction_id, contract_id)
    auctions.contract_sign(actor=OrganiserBroker(broker), contract_id=contract_id)
    return auction_body(auction_id, broker)


@router.post(
    "/auctions/{auction_id}/contracts/{contract_id}/cancel",
    auth=api_key_auth,
    response={200: DataOut, **ERRORS},
    tags=["contracts"],
    summary="The winner refused to sign",
)
@owner_token
def contract_cancel(request: HttpRequest, auction_id: Id, contract_id: Id, payload: ReasonIn) -> dict[str, Any]:
    """The contract is cancelled, the winner's guarantee forfeited and the runner-up promoted."""
    broker = auction_owner(request, auction_id)
    _require_contract(auction_id, contract_id)
    auctions.contract_cancel(actor=OrganiserBroker(broker), contract_id=contract_id, reason=payload.data.reason)
    return auction_body(auction_id, broker)
