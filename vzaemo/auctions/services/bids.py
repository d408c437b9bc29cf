"""Bids: registered by the bidder's broker while tendering, qualified by the guarantee the bank feed saw."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vzaemo.auctions import permissions
from vzaemo.auctions.errors import AuctionError
from vzaemo.auctions.models import Bid, Broker
from vzaemo.auctions.permissions import AuctionAction, BidAction
from vzaemo.auctions.services._common import (
    _commit,
    _document_before,
    _locked_auction,
    _locked_auction_of,
    _money,
    _text,
)
from vzaemo.auctions.states import BID_MACHINE, BidInvalidReason, BidStatus, Procedure
from vzaemo.core import clock
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.errors import Conflict, ValidationFailed

IDENTIFIER = re.compile(r"^(\d{8}|\d{10})$")  # EDRPOU or RNOKPP


@transaction.atomic
def bid_create(*, broker: Broker, auction_id: int, bidder_name: str, bidder_identifier: str, value: Any = None) -> Bid:
    """A bidder registered by its broker, as a draft. English needs an initial bid >= the start price;
    Dutch takes none (the price falls in the auction); a fixed-price bid is the price."""
    auction = _locked_auction(auction_id)
    permissions.auction_check(broker, auction, AuctionAction.REGISTER_BID)
    now = clock.now()
    name = _text(bidder_name, field="bidder_name", max_length=300)
    identifier = (bidder_identifier or "").strip()
    if not IDENTIFIER.match(identifier):
        raise ValidationFailed(
            _("Give an 8-digit EDRPOU or a 10-digit RNOKPP."),
            code=AuctionError.BIDDER_IDENTIFIER_INVALID,
            field="bidder_identifier",
        )
    amount: Decimal | None
    if auction.procedure == Procedure.ENGLISH:
        if value is None:
            raise ValidationFailed(
                _("An English auction needs an initial bid."), code=AuctionError.BID_VALUE_REQUIRED, field="value"
            )
        amount = _money(value, field="value", code=AuctionError.BID_VALUE_INVALID)
        if amount < auction.value:
            raise ValidationFailed(
                _("The bid is below the start price."), code=AuctionError.BID_VALUE_TOO_LOW, field="value"
            )
    elif auction.procedure == Procedure.DUTCH:
        if value is not None:
            raise ValidationFailed(
                _("A Dutch auction takes no initial bid."), code=AuctionError.BID_VALUE_NOT_ALLOWED, field="value"
            )
        amount = None
    else:
        if value is not None and _money(value, field="value", code=AuctionError.BID_VALUE_INVALID) != auction.value:
            raise ValidationFailed(
                _("A fixed-price bid is the price."), code=AuctionError.BID_VALUE_NOT_PRICE, field="value"
            )
        amount = auction.value
    before = _document_before(auction)
    try:
        with transaction.atomic():
            bid = Bid.objects.create(
                auction=auction,
                owner=broker,
                bidder_name=name,
                bidder_identifier=identifier,
                value=amount,
                created_at=now,
                date_modified=now,
            )
    except IntegrityError:
        raise Conflict(
            _("This bidder is already registered for this auction."), code=AuctionError.BIDDER_ALREADY_REGISTERED
        ) from None
    _commit(auction, actor=broker, before=before, tag=AuditTag.AUCTION_BID_CREATE, now=now, note={"bid": bid.pk})
    return bid


@transaction.atomic
def bid_submit(*, broker: Broker, bid_id: int) -> Bid:
    """draft -> pending: the bidder now owes the guarantee."""
    auction, bid = _locked_auction_of(Bid, bid_id)
    permissions.bid_check(broker, bid, BidAction.SUBMIT)
    now = clock.now()
    target = BID_MACHINE.target("submit", BidStatus(bid.status))
    before = _document_before(auction)
    bid.status, bid.submitted_at, bid.date_modified = target, now, now
    bid.save()
    _commit(auction, actor=broker, before=before, tag=AuditTag.AUCTION_BID_SUBMIT, now=now, note={"bid": bid.pk})
    return bid


@transaction.atomic
def bid_withdraw(*, broker: Broker, bid_id: int) -> Bid:
    """While tendering, a bidder may withdraw; the guarantee is returned (not forfeited)."""
    auction, bid = _locked_auction_of(Bid, bid_id)
    permissions.bid_check(broker, bid, BidAction.WITHDRAW)
    now = clock.now()
    target = BID_MACHINE.target("withdraw", BidStatus(bid.status))
    before = _document_before(auction)
    bid.status, bid.invalid_reason, bid.date_modified = target, BidInvalidReason.WITHDRAWN, now
    bid.save()
    _commit(auction, actor=broker, before=before, tag=AuditTag.AUCTION_BID_WITHDRAW, now=now, note={"bid": bid.pk})
    return bid


@transaction.atomic
def bid_confirm_guarantee(*, actor: Any, bid_id: int, amount: Any, reference: str) -> Bid:
    """The organiser's bank feed saw the guarantee: pending -> active (qualified).

    Bank feeds repeat themselves: the same payment reported again changes nothing. A second, different
    payment for an already qualified bid is a conflict.
    """
    auction, bid = _locked_auction_of(Bid, bid_id)
    permissions.bid_check(actor, bid, BidAction.CONFIRM_GUARANTEE, who_only=True)
    reference = _text(reference, field="reference", max_length=100)
    paid = _money(amount, field="amount", code=AuctionError.AMOUNT_INVALID)
    if bid.status == BidStatus.ACTIVE and bid.guarantee_reference == reference:
        return bid  # a repeated report of the same payment
    # A repeated report is answered above; anything else must pass the whole table.
    permissions.bid_check(actor, bid, BidAction.CONFIRM_GUARANTEE)
    now = clock.now()
    target = BID_MACHINE.target("qualify", BidStatus(bid.status))
    if paid < auction.guarantee:
        raise ValidationFailed(
            _("The payment is less than the guarantee of %(amount)s UAH.") % {"amount": auction.guarantee},
            code=AuctionError.GUARANTEE_TOO_SMALL,
            field="amount",
        )
    if auction.bids.filter(guarantee_reference=reference).exclude(pk=bid.pk).exists():
        raise Conflict(
            _("This payment is already counted for another bid."), code=AuctionError.GUARANTEE_REFERENCE_USED
        )
    before = _document_before(auction)
    bid.status, bid.qualified = target, True
    bid.guarantee_reference, bid.guarantee_paid_at, bid.date_modified = reference, now, now
    bid.save()
    _commit(auction, actor=actor, before=before, tag=AuditTag.AUCTION_GUARANTEE_CONFIRM, now=now, note={"bid": bid.pk})
    return bid


@transaction.atomic
def bid_transfer(*, broker: Broker, bid_id: int) -> Bid:
    """The bid moves to `broker` (the bidder changed platforms)."""
    auction, bid = _locked_auction_of(Bid, bid_id)
    permissions.bid_check(broker, bid, BidAction.TRANSFER)
    if bid.owner_id == broker.pk:
        return bid
    now = clock.now()
    before = _document_before(auction)
    bid.owner, bid.date_modified = broker, now
    bid.save()
    _commit(auction, actor=broker, before=before, tag=AuditTag.AUCTION_BID_TRANSFER, now=now, note={"bid": bid.pk})
    return bid
