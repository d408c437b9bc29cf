"""Reads of lots and auctions. The full document is internal; the public view hides bidders until the end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from vzaemo.auctions.models import Auction, Award, Bid, Broker, Contract, Lot, LotPhoto, Revision
from vzaemo.auctions.rules import CENT
from vzaemo.auctions.states import BIDDERS_HIDDEN, PUBLIC, AuctionStatus, Mode


def iso_utc(moment: dt.datetime | None) -> str | None:
    # UTC, so that a value read back from the database serialises as the one just assigned.
    return moment.astimezone(dt.UTC).isoformat() if moment is not None else None


def money(amount: Decimal | None) -> dict[str, str] | None:
    return None if amount is None else {"amount": format(Decimal(amount).quantize(CENT), "f"), "currency": "UAH"}


def lot_document(lot: Lot) -> dict[str, Any]:
    return {
        "id": str(lot.pk),
        "mode": lot.mode,
        "owner": lot.owner.name,
        "organiser": {"id": lot.organiser_id, "name": lot.organiser.name_uk, "kind": lot.organiser_kind},
        "title": lot.title,
        "description": lot.description,
        "category": lot.category,
        "region": lot.region,
        "address": lot.address,
        "enforcementProceeding": lot.enforcement_proceeding,
        "encumbrances": lot.encumbrances,
        "value": money(lot.start_value),
        "dateCreated": iso_utc(lot.created_at),
        "dateModified": iso_utc(lot.date_modified),
    }


def _bid(bid: Bid) -> dict[str, Any]:
    return {
        "id": str(bid.pk),
        "owner": bid.owner.name,
        "status": bid.status,
        "bidder": {"name": bid.bidder_name, "identifier": bid.bidder_identifier},
        "value": money(bid.value),
        "finalValue": money(bid.final_value),
        "rank": bid.rank,
        "qualified": bid.qualified,
        "guarantee": {
            "reference": bid.guarantee_reference,
            "paidAt": iso_utc(bid.guarantee_paid_at),
            "forfeited": bid.guarantee_forfeited,
        },
        "invalidReason": bid.invalid_reason,
        "date": iso_utc(bid.submitted_at or bid.created_at),
    }


def _award(award: Award) -> dict[str, Any]:
    return {
        "id": str(award.pk),
        "bid_id": str(award.bid_id),
        "rank": award.rank,
        "status": award.status,
        "value": money(award.value),
        "pendingSince": iso_utc(award.pending_since),
        "protocolPeriod": {
            "endDate": iso_utc(award.protocol_due_at),
            "uploadedAt": iso_utc(award.protocol_uploaded_at),
        },
        "protocol": award.protocol_document,
        "paymentPeriod": {"endDate": iso_utc(award.payment_due_at), "paidAt": iso_utc(award.paid_at)},
        "decidedAt": iso_utc(award.decided_at),
        "endReason": award.end_reason,
        "endNote": award.end_note,
        "rulesApplied": award.rules_applied,
    }


def _contract(contract: Contract) -> dict[str, Any]:
    return {
        "id": str(contract.pk),
        "award_id": str(contract.award_id),
        "status": contract.status,
        "value": money(contract.value),
        "dateSigned": iso_utc(contract.signed_at),
        "dateCancelled": iso_utc(contract.cancelled_at),
        "cancellationReason": contract.cancellation_reason,
    }


def auction_document(auction: Auction) -> dict[str, Any]:
    """The whole auction as brokers know it (openprocurement style), bidders included: internal use only."""
    return {
        "id": str(auction.pk),
        "auctionID": auction.public_id,
        "lot_id": str(auction.lot_id),
        "attempt": auction.attempt,
        "previous_id": str(auction.previous_id) if auction.previous_id else None,
        "mode": auction.mode,
        "owner": auction.owner.name,
        "procedure": auction.procedure,
        "status": auction.status,
        "value": money(auction.value),
        "markdownPercent": format(Decimal(auction.markdown_percent).quantize(CENT), "f"),
        "guarantee": money(auction.guarantee),
        "minimalStep": money(auction.minimal_step),
        "tenderPeriod": {"startDate": iso_utc(auction.tender_start), "endDate": iso_utc(auction.tender_end)},
        "auctionPeriod": {"startDate": iso_utc(auction.auction_start)},
        "resultRecordedAt": iso_utc(auction.result_recorded_at),
        "endedAt": iso_utc(auction.ended_at),
        "cancellationReason": auction.cancellation_reason,
        "rulesApplied": auction.rules_applied,
        "date": iso_utc(auction.date),
        "dateModified": iso_utc(auction.date_modified),
        "bids": [_bid(b) for b in auction.bids.select_related("owner").order_by("id")],
        "awards": [_award(a) for a in auction.awards.order_by("rank")],
        "contracts": [_contract(c) for c in auction.contracts.order_by("id")],
    }


def bidders_hidden(auction: Auction) -> bool:
    return auction.status in BIDDERS_HIDDEN


def auction_public_document(auction: Auction, *, broker: Broker | None = None) -> dict[str, Any]:
    """What the public (or a broker) may see. Until the auction ends, other bidders are invisible: neither
    names, codes nor how many there are; a broker sees its own bids. Guarantee payment references are
    bank details and are never public."""
    document = auction_document(auction)
    hidden = bidders_hidden(auction)
    own = {str(pk) for pk in auction.bids.filter(owner=broker).values_list("pk", flat=True)} if broker else set()
    bids = []
    for bid in document["bids"]:
        if hidden and bid["id"] not in own:
            continue
        if bid["id"] not in own:
            bid["guarantee"] = {k: v for k, v in bid["guarantee"].items() if k != "reference"}
        bids.append(bid)
    document["bids"] = bids
    return document


# Who wrote a revision that touched bids while bidders were hidden: the author (a bidder's broker, the
# bank feed) would tell who takes part, so it is replaced by this label.
HIDDEN_AUTHOR = "hidden until the auction ends"
_REFERENCE_PATH = "/guarantee/reference"


def _touches_bids(op: dict[str, Any]) -> bool:
    return any(str(op.get(key, "")).startswith("/bids") for key in ("path", "from"))


def _scrub_references(value: Any) -> Any:
    """`value` without any bid's guarantee payment reference (a bank detail), however deep it sits."""
    if isinstance(value, list):
        return [_scrub_references(item) for item in value]
    if not isinstance(value, dict):
        return value
    scrubbed = {key: _scrub_references(item) for key, item in value.items()}
    guarantee = scrubbed.get("guarantee")
    if isinstance(guarantee, dict) and "paidAt" in guarantee:  # a bid's guarantee, not the auction's amount
        scrubbed["guarantee"] = {k: v for k, v in guarantee.items() if k != "reference"}
    return scrubbed


def _public_op(op: dict[str, Any]) -> dict[str, Any] | None:
    """One operation as the public may see it once bidders are revealed: never a guarantee reference,
    neither as the target (`path`), the source (`from` of a move or copy) nor inside a value."""
    if any(_REFERENCE_PATH in str(op.get(key, "")) for key in ("path", "from")):
        return None
    if str(op.get("path", "")).endswith("/guarantee") and isinstance(op.get("value"), dict):
        return {**op, "value": {k: v for k, v in op["value"].items() if k != "reference"}}
    return {**op, "value": _scrub_references(op["value"])} if "value" in op else op


def auction_revisions_public(auction: Auction) -> list[dict[str, Any]]:
    """The public history. While bidders are hidden, the operations on `/bids` are left out and the author of
    a revision that had any is hidden too; guarantee payment references are never shown."""
    hidden = bidders_hidden(auction)
    history = []
    for revision in Revision.objects.filter(subject_type="auction", subject_id=auction.pk).order_by("rev"):
        author = revision.author
        if hidden:
            changes = [op for op in revision.changes if not _touches_bids(op)]
            if len(changes) != len(revision.changes):
                author = HIDDEN_AUTHOR
        else:
            changes = list(revision.changes)
        changes = [public for op in changes if (public := _public_op(op)) is not None]
        history.append({"rev": revision.rev, "author": author, "date": iso_utc(revision.date), "changes": changes})
    return history


def auction_list_public(*, mode: str = Mode.REAL) -> QuerySet[Auction]:
    """Published auctions of one mode (sandbox objects never mix with real ones); drafts never listed."""
    return Auction.objects.filter(mode=mode, status__in=PUBLIC).select_related("lot", "owner")


def lot_is_public(lot_id: int) -> bool:
    """A real lot with a published attempt: the public may see it, and its photos."""
    return auction_list_public(mode=Mode.REAL).filter(lot_id=lot_id).exists()


def lot_photos(lot_id: int) -> QuerySet[LotPhoto]:
    return LotPhoto.objects.filter(lot_id=lot_id).select_related("image", "thumbnail").order_by("position")


def lot_photo_public(*, lot_id: int, photo_id: int) -> LotPhoto | None:
    """One photo of a public lot, with its documents; None when the lot or the photo is not public."""
    if not lot_is_public(lot_id):
        return None
    return lot_photos(lot_id).filter(pk=photo_id).first()


def lot_history(lot: Lot) -> QuerySet[Auction]:
    """Every attempt to sell the lot, first to last."""
    return Auction.objects.filter(lot=lot).order_by("attempt")


def lot_public_document(lot: Lot, *, broker: Broker | None = None) -> dict[str, Any]:
    """The lot with its attempts, first to last. A draft attempt (e.g. the marked-down next attempt created
    after a failure, which its broker dates and publishes) is listed only to the broker that owns it."""
    attempts = [
        {
            "id": str(a.pk),
            "auctionID": a.public_id,
            "attempt": a.attempt,
            "status": a.status,
            "value": money(a.value),
            "markdownPercent": format(Decimal(a.markdown_percent).quantize(CENT), "f"),
        }
        for a in lot_history(lot)
        if a.status != AuctionStatus.DRAFT or (broker is not None and a.owner_id == broker.pk)
    ]
    return {**lot_document(lot), "auctions": attempts}


def revisions_of(subject_type: str, subject_id: int) -> QuerySet[Revision]:
    return Revision.objects.filter(subject_type=subject_type, subject_id=subject_id).order_by("rev")


# --- one object, with what its document reads joined -------------------------------------------------


def lot_get(*, lot_id: int) -> Lot | None:
    return Lot.objects.select_related("owner", "organiser").filter(pk=lot_id).first()


def auction_get(*, auction_id: int) -> Auction | None:
    return Auction.objects.select_related("lot", "owner").filter(pk=auction_id).first()


def auction_get_visible(*, auction_id: int, broker: Broker | None) -> Auction | None:
    """The auction, unless it does not exist for this reader: a draft exists only for the broker that owns it."""
    auction = auction_get(auction_id=auction_id)
    if auction is None or (auction.status == AuctionStatus.DRAFT and (broker is None or broker.pk != auction.owner_id)):
        return None
    return auction


def bid_public_document(*, bid_id: int, broker: Broker | None) -> dict[str, Any]:
    """One bid of an existing auction as its auction's public document shows it to `broker`."""
    auction_id = Bid.objects.filter(pk=bid_id).values_list("auction_id", flat=True).get()
    auction = Auction.objects.select_related("lot", "owner").get(pk=auction_id)
    document = auction_public_document(auction, broker=broker)
    return next(b for b in document["bids"] if b["id"] == str(bid_id))
