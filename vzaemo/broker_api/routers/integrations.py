"""Integrations, each with its own key: the organiser's bank feed and the auction engine (or the CDB
administrator) recording an auction's result."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from vzaemo.auctions import selectors
from vzaemo.auctions import services as auctions
from vzaemo.auctions.permissions import BANK_FEED, CDB_ADMIN, LIVE_ENGINE
from vzaemo.broker_api.auth import bank_feed_auth, result_auth
from vzaemo.broker_api.models import IntegrationKey
from vzaemo.broker_api.routers.common import ERRORS, auction_body, integration_of
from vzaemo.broker_api.schemas import DataOut, GuaranteeIn, Id, PaymentIn, ResultIn

router = Router(tags=["integrations"])


@router.post(
    "/auctions/{auction_id}/result",
    auth=result_auth,
    response={200: DataOut, **ERRORS},
    summary="Record the auction's result (auction engine)",
)
def auction_result(request: HttpRequest, auction_id: Id, payload: ResultIn) -> dict[str, Any]:
    """The live auction's ranking, best first: active.auction -> active.qualification, the top bid's award
    `pending`, the runner-up `pending.waiting`; an empty ranking makes the auction unsuccessful (and the lot's
    next attempt is created). An integration key of the auction engine or the CDB administrator."""
    key = integration_of(request)
    actor = LIVE_ENGINE if key.role == IntegrationKey.Role.AUCTION_ENGINE else CDB_ADMIN
    ranking = [(item.bid_id, str(item.value.amount)) for item in payload.data.ranking]
    auctions.auction_record_result(actor=actor, auction_id=auction_id, ranking=ranking)
    return auction_body(auction_id, None)


@router.post(
    "/bank-feed/guarantees",
    auth=bank_feed_auth,
    response={200: DataOut, **ERRORS},
    summary="A guarantee payment arrived (bank feed)",
)
def bank_guarantee(request: HttpRequest, payload: GuaranteeIn) -> dict[str, Any]:
    """The bid is qualified (`active`). The same payment reported again changes nothing; another payment
    for a qualified bid is 409. The organiser's bank feed key."""
    data = payload.data
    bid = auctions.bid_confirm_guarantee(
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


@router.post(
    "/bank-feed/payments",
    auth=bank_feed_auth,
    response={200: DataOut, **ERRORS},
    summary="The winner's payment arrived (bank feed)",
)
def bank_payment(request: HttpRequest, payload: PaymentIn) -> dict[str, Any]:
    """The price less the guarantee, within the payment term and after the protocol: the award is `active`
    and the contract `pending`. The same payment reported again changes nothing. The bank feed key."""
    data = payload.data
    award = auctions.award_confirm_payment(
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
