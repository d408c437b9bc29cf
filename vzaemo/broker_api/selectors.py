"""Reads of the broker API: the auctions change feed, and the existence checks that give an unknown object
in a path its 404 before its owner token is checked. Domain documents come from `vzaemo.auctions.selectors`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vzaemo.accounts.models import Authority
from vzaemo.auctions import selectors as auctions
from vzaemo.auctions.models import Auction, Award, Bid, Contract, Lot
from vzaemo.auctions.states import Mode
from vzaemo.core import commit_order

# --- the auctions change feed (ADR 0009) -------------------------------------------------------------

OPT_FIELDS: dict[str, Callable[[Auction], Any]] = {
    "auctionID": lambda a: a.public_id,
    "status": lambda a: a.status,
    "mode": lambda a: a.mode,
    "procedure": lambda a: a.procedure,
    "lot_id": lambda a: str(a.lot_id),
    "attempt": lambda a: a.attempt,
    "value": lambda a: auctions.money(a.value),
    "tenderPeriod": lambda a: {
        "startDate": auctions.iso_utc(a.tender_start),
        "endDate": auctions.iso_utc(a.tender_end),
    },
    "auctionPeriod": lambda a: {"startDate": auctions.iso_utc(a.auction_start)},
    "date": lambda a: auctions.iso_utc(a.date),
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


@dataclass(frozen=True)
class FeedPage:
    items: list[dict[str, Any]]
    next_offset: str


def auction_feed_page(
    *, mode: str, opt_fields: list[str], offset: str | None, descending: bool, limit: int
) -> FeedPage:
    """Published auctions of `mode` in commit order behind the watermark, after the cursor `offset`; the next
    cursor is the last item's position (or `offset` again on an empty page). Raises
    `commit_order.CursorInvalid` for an offset that is not one of ours or has expired."""
    columns = [column for name in opt_fields for column in OPT_COLUMNS[name]]
    public = auctions.auction_list_public(mode=Mode(mode)).select_related(None).only(*FEED_COLUMNS, *columns)
    after = commit_order.Position.decode(offset) if offset else None
    page = list(commit_order.changes(public, after=after, descending=descending)[:limit])
    items = [
        {
            "id": str(a.pk),
            "dateModified": auctions.iso_utc(a.date_modified),
            **{name: OPT_FIELDS[name](a) for name in opt_fields},
        }
        for a in page
    ]
    next_offset = commit_order.position_of(page[-1], using=public.db).encode() if page else (offset or "")
    return FeedPage(items, next_offset)


# --- existence checks ------------------------------------------------------------------------------------


def organiser_get(*, organiser_id: int) -> Authority | None:
    return Authority.objects.filter(pk=organiser_id).first()


def lot_exists(*, lot_id: int) -> bool:
    return Lot.objects.filter(pk=lot_id).exists()


def auction_exists(*, auction_id: int) -> bool:
    return Auction.objects.filter(pk=auction_id).exists()


def auction_mode(*, auction_id: int) -> str:
    """The mode of an auction known to exist."""
    return Auction.objects.filter(pk=auction_id).values_list("mode", flat=True).get()


def bid_exists(*, auction_id: int, bid_id: int) -> bool:
    return Bid.objects.filter(pk=bid_id, auction_id=auction_id).exists()


def award_get(*, auction_id: int, award_id: int) -> Award | None:
    """The award, if it belongs to the auction."""
    return Award.objects.filter(pk=award_id, auction_id=auction_id).first()


def contract_exists(*, auction_id: int, contract_id: int) -> bool:
    return Contract.objects.filter(pk=contract_id, auction_id=auction_id).exists()
