"""Statuses of auctions, bids, awards and contracts (openprocurement spelling, docs/reference/auctions.md §2.1)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vzaemo.core.state_machine import StateMachine


class Mode(models.TextChoices):
    REAL = "real", _("real")
    TEST = "test", _("test (sandbox)")


class Category(models.TextChoices):
    REAL_ESTATE = "real_estate", _("real estate")
    VEHICLE = "vehicle", _("vehicle")
    SHIP = "ship", _("ship or river vessel")
    AIRCRAFT = "aircraft", _("aircraft")
    MOVABLE = "movable", _("movable property")
    PROPERTY_RIGHTS = "property_rights", _("property rights")
    OTHER = "other", _("other")


# Law 1404-VIII art. 61: never sold at a fixed price (unfinished and future real estate is real estate).
NO_FIXED_PRICE = frozenset({Category.REAL_ESTATE, Category.VEHICLE, Category.SHIP, Category.AIRCRAFT})


class OrganiserKind(models.TextChoices):
    STATE = "state", _("state enforcement service")
    PRIVATE = "private", _("private enforcement officer")


class Procedure(models.TextChoices):
    ENGLISH = "english", _("English auction (ascending, 3 rounds)")
    DUTCH = "dutch", _("Dutch auction (descending, sealed bid, best bid)")
    FIXED_PRICE = "fixed_price", _("sale at a fixed price")


class AuctionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    TENDERING = "active.tendering", _("accepting bids")
    AUCTION = "active.auction", _("auction")
    QUALIFICATION = "active.qualification", _("qualification of the winner")
    AWARDED = "active.awarded", _("awarded")
    COMPLETE = "complete", _("complete")
    UNSUCCESSFUL = "unsuccessful", _("unsuccessful")
    CANCELLED = "cancelled", _("cancelled")


class BidStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PENDING = "pending", _("awaiting the guarantee")
    ACTIVE = "active", _("qualified")
    INVALID = "invalid", _("invalid")


class AwardStatus(models.TextChoices):
    WAITING = "pending.waiting", _("runner-up, waiting")
    PENDING = "pending", _("pending: protocol and payment")
    ACTIVE = "active", _("active")
    UNSUCCESSFUL = "unsuccessful", _("unsuccessful")
    CANCELLED = "cancelled", _("cancelled")


class ContractStatus(models.TextChoices):
    PENDING = "pending", _("pending signature")
    ACTIVE = "active", _("signed")
    CANCELLED = "cancelled", _("cancelled")


class BidInvalidReason(models.TextChoices):
    NO_GUARANTEE = "no_guarantee", _("the guarantee was not confirmed before tendering ended")
    WITHDRAWN = "withdrawn", _("withdrawn by the bidder")


class AwardEndReason(models.TextChoices):
    PAYMENT_DEFAULT = "payment_default", _("the winner did not pay in time")
    DISQUALIFIED = "disqualified", _("disqualified by the organiser")
    WITHDRAWN = "withdrawn", _("the runner-up withdrew")
    CONTRACT_CANCELLED = "contract_cancelled", _("the contract was cancelled")
    AUCTION_CANCELLED = "auction_cancelled", _("the auction was cancelled")


A = AuctionStatus
AUCTION_MACHINE: StateMachine[AuctionStatus] = StateMachine.build(
    "auction",
    {
        "publish": ([A.DRAFT], A.TENDERING),
        "start_auction": ([A.TENDERING], A.AUCTION),
        "skip_auction": ([A.TENDERING], A.QUALIFICATION),
        "fail_tendering": ([A.TENDERING], A.UNSUCCESSFUL),
        "record_result": ([A.AUCTION], A.QUALIFICATION),
        "fail_auction": ([A.AUCTION], A.UNSUCCESSFUL),
        "award": ([A.QUALIFICATION], A.AWARDED),
        "fail_qualification": ([A.QUALIFICATION, A.AWARDED], A.UNSUCCESSFUL),
        "reopen_qualification": ([A.AWARDED], A.QUALIFICATION),
        "complete": ([A.AWARDED], A.COMPLETE),
        "cancel": ([A.DRAFT, A.TENDERING, A.AUCTION, A.QUALIFICATION, A.AWARDED], A.CANCELLED),
    },
    label=_("auction"),
)

B = BidStatus
BID_MACHINE: StateMachine[BidStatus] = StateMachine.build(
    "bid",
    {
        "submit": ([B.DRAFT], B.PENDING),
        "qualify": ([B.PENDING], B.ACTIVE),
        "invalidate": ([B.DRAFT, B.PENDING], B.INVALID),
        "withdraw": ([B.DRAFT, B.PENDING, B.ACTIVE], B.INVALID),
    },
    label=_("bid"),
)

W = AwardStatus
AWARD_MACHINE: StateMachine[AwardStatus] = StateMachine.build(
    "award",
    {
        "promote": ([W.WAITING], W.PENDING),
        "activate": ([W.PENDING], W.ACTIVE),
        "fail": ([W.PENDING], W.UNSUCCESSFUL),
        "withdraw": ([W.WAITING], W.CANCELLED),
        "cancel": ([W.WAITING, W.PENDING, W.ACTIVE], W.CANCELLED),
    },
    label=_("award"),
)

C = ContractStatus
CONTRACT_MACHINE: StateMachine[ContractStatus] = StateMachine.build(
    "contract",
    {"sign": ([C.PENDING], C.ACTIVE), "cancel": ([C.PENDING], C.CANCELLED)},
    label=_("contract"),
)

TERMINAL = frozenset({A.COMPLETE, A.UNSUCCESSFUL, A.CANCELLED})
# Listed publicly and in the feed: everything but drafts (docs/reference/auctions.md §1.3, two-phase create).
PUBLIC = frozenset(set(AuctionStatus) - {A.DRAFT})
# Bidders' identities stay hidden while bidding is open (docs/reference/auctions.md §1.6).
BIDDERS_HIDDEN = frozenset({A.DRAFT, A.TENDERING, A.AUCTION})
