"""Who may do what: brokers by accreditation level and ownership, organisers by role at their office."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from vzaemo.accounts.models import Role
from vzaemo.accounts.selectors import has_authority_role
from vzaemo.auctions.errors import AuctionError
from vzaemo.auctions.models import Auction, Award, Bid, Broker, Contract, Lot
from vzaemo.auctions.states import (
    AUCTION_MACHINE,
    AWARD_MACHINE,
    BID_MACHINE,
    CONTRACT_MACHINE,
    AuctionStatus,
    AwardStatus,
    BidStatus,
    ContractStatus,
    Mode,
)
from vzaemo.core import clock
from vzaemo.core.actions import Policy, Refusal, rule, transition, when, who
from vzaemo.core.errors import Conflict, ValidationFailed

ORGANISER_ROLES = {Role.OFFICIAL, Role.ADMIN}


@dataclass(frozen=True)
class SystemActor:
    """A trusted integration acting without a person: the edges authenticate it before calling a service."""

    label: str

    def __str__(self) -> str:
        return self.label


BANK_FEED = SystemActor("bank-feed")  # the organiser's bank statement feed (a fake bank in the demo)
CHRONOGRAPH = SystemActor("chronograph")
LIVE_ENGINE = SystemActor("auction-engine")  # vzaemo.live (ADR 0010) records the auction result
CDB_ADMIN = SystemActor("cdb-admin")  # the CDB administrator's integration (openprocurement's `Administrator`)


@dataclass(frozen=True)
class OrganiserBroker:
    """The auction owner's broker acting for the organiser: as in openprocurement, the organiser works in
    its broker's platform, and that broker relays the organiser's decisions (protocol, disqualification,
    contract) to the CDB with the auction's owner token. The edge that checked the token builds this;
    a bare `Broker` is never taken for the organiser."""

    broker: Broker

    def __str__(self) -> str:
        return f"organiser via broker:{self.broker.pk}:{self.broker.name}"


def broker_may_create(broker: Broker, mode: str) -> bool:
    """Level `create`; a sandbox broker creates test objects only, and nobody mixes modes."""
    if not (broker.is_active and broker.can_create):
        return False
    return mode == Mode.TEST or not broker.sandbox


def broker_may_edit(broker: Any, owner_id: int) -> bool:
    return isinstance(broker, Broker) and broker.is_active and broker.can_edit and broker.pk == owner_id


def broker_may_take_over(broker: Any, mode: str) -> bool:
    """Ownership moves only to a broker that could have created the object and may edit it."""
    return isinstance(broker, Broker) and broker_may_create(broker, mode) and broker.can_edit


def broker_may_act_in(broker: Broker, auction: Auction) -> bool:
    """Bidders' brokers: the same levels as creating an object in the auction's mode."""
    return broker_may_create(broker, auction.mode)


def is_organiser(user: Any, auction: Auction) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return has_authority_role(user=user, authority_id=auction.lot.organiser_id, roles=ORGANISER_ROLES)


def may_act_for_organiser(actor: Any, auction: Auction) -> bool:
    """An official of the organiser's office, or the auction owner's broker (edit level) relaying for it."""
    if isinstance(actor, OrganiserBroker):
        return broker_may_edit(actor.broker, auction.owner_id)
    return is_organiser(actor, auction)


def _may_add_photo(actor: Any, lot: Lot) -> bool:
    if isinstance(actor, Broker):
        return broker_may_edit(actor, lot.owner_id)
    if not getattr(actor, "is_authenticated", False):
        return False
    return has_authority_role(user=actor, authority_id=lot.organiser_id, roles=ORGANISER_ROLES)


def may_record_result(actor: Any) -> bool:
    """The live auction engine, the CDB administrator's integration, or a superuser."""
    return actor is LIVE_ENGINE or actor is CDB_ADMIN or bool(getattr(actor, "is_superuser", False))


def may_confirm_payments(actor: Any, auction: Auction) -> bool:
    """The organiser's bank feed, or an official of the organiser's office entering a bank statement."""
    return actor is BANK_FEED or is_organiser(actor, auction)


# --- allowed actions --------------------------------------------------------------------------------
# The actor is a broker, an `OrganiserBroker`, an official, or a system actor; the broker API has
# already matched the owner token, these tables judge levels, roles and states. Services check them
# under their row locks; what they check after (amounts, references, deadlines) depends on the input.


class LotAction(StrEnum):
    EDIT = "edit"
    TRANSFER = "transfer"
    ADD_PHOTO = "add_photo"


class AuctionAction(StrEnum):
    EDIT = "edit"
    PUBLISH = "publish"
    CANCEL = "cancel"
    REGISTER_BID = "register_bid"
    RECORD_RESULT = "record_result"
    TRANSFER = "transfer"


class BidAction(StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    CONFIRM_GUARANTEE = "confirm_guarantee"
    TRANSFER = "transfer"


class AwardAction(StrEnum):
    UPLOAD_PROTOCOL = "upload_protocol"
    CONFIRM_PAYMENT = "confirm_payment"
    DISQUALIFY = "disqualify"
    WITHDRAW = "withdraw"


class ContractAction(StrEnum):
    SIGN = "sign"
    CANCEL = "cancel"


def _owner_of(owner_id: Any) -> Refusal[Any]:
    return who(
        lambda actor, obj: broker_may_edit(actor, owner_id(obj)),
        _("Only the owner broker with the edit level may do this."),
        AuctionError.NOT_OWNER,
    )


def _of_auction(refusal: Refusal[Auction]) -> Refusal[Any]:
    """An auction's refusal judged for one of its bids, awards or contracts."""
    return lambda actor, obj: refusal(actor, obj.auction)


def _may_take_over(actor: Any, obj: Lot | Auction) -> bool:
    return broker_may_take_over(actor, obj.mode)


def _tendering(auction: Auction) -> bool:
    return (
        auction.status == AuctionStatus.TENDERING
        and auction.tender_end is not None
        and auction.tender_end > clock.now()
    )


TAKE_OVER = who(
    _may_take_over,
    _("Only a broker accredited to create and edit objects in this mode may take this over."),
    AuctionError.BROKER_CANNOT_TAKE_OVER,
)
ORGANISER = who(may_act_for_organiser, _("Only an official of the organiser may do this."), AuctionError.NOT_ORGANISER)
TENDERING = when(
    _tendering,
    _("This auction is not accepting bids."),
    AuctionError.AUCTION_NOT_TENDERING,
)
AWARD_PENDING = transition(AWARD_MACHINE, "activate", status=lambda award: AwardStatus(award.status))


def _payments(message: Any) -> Refusal[Any]:
    return who(lambda actor, obj: may_confirm_payments(actor, obj.auction), message, AuctionError.NOT_ORGANISER)


LOT_POLICY: Policy[LotAction, Lot] = Policy(
    {
        LotAction.EDIT: rule(
            who=[_owner_of(lambda lot: lot.owner_id)],
            when=[
                when(
                    lambda lot: not lot.auctions.exclude(status=AuctionStatus.DRAFT).exists(),
                    _("A lot can be edited only until its auction is published."),
                    AuctionError.LOT_PUBLISHED,
                )
            ],
        ),
        LotAction.TRANSFER: rule(who=[TAKE_OVER]),
        # Photos are not part of the CDB document: the owner's broker or an official of the organiser adds them.
        LotAction.ADD_PHOTO: rule(
            who=[
                who(
                    _may_add_photo,
                    _("Only the lot's broker or an official of its organiser may add photos."),
                    AuctionError.NOT_ORGANISER,
                )
            ]
        ),
    }
)

AUCTION_POLICY: Policy[AuctionAction, Auction] = Policy(
    {
        AuctionAction.EDIT: rule(
            who=[_owner_of(lambda a: a.owner_id)],
            when=[
                when(
                    lambda a: a.status == AuctionStatus.DRAFT,
                    _("Only a draft can be edited."),
                    AuctionError.AUCTION_NOT_DRAFT,
                )
            ],
        ),
        AuctionAction.PUBLISH: rule(
            who=[_owner_of(lambda a: a.owner_id)], when=[transition(AUCTION_MACHINE, "publish")]
        ),
        AuctionAction.CANCEL: rule(
            who=[
                who(
                    lambda actor, a: broker_may_edit(actor, a.owner_id) or is_organiser(actor, a),
                    _("Only the owner broker or the organiser may cancel the auction."),
                    AuctionError.NOT_OWNER,
                )
            ],
            when=[transition(AUCTION_MACHINE, "cancel")],
        ),
        AuctionAction.REGISTER_BID: rule(
            who=[
                who(
                    lambda actor, a: isinstance(actor, Broker) and broker_may_act_in(actor, a),
                    _("This broker is not accredited to register bidders here."),
                    AuctionError.BROKER_CANNOT_CREATE,
                )
            ],
            when=[TENDERING],
        ),
        AuctionAction.RECORD_RESULT: rule(
            who=[
                who(
                    lambda actor, _a: may_record_result(actor),
                    _("Only the auction engine records results."),
                    AuctionError.NOT_AUCTION_ENGINE,
                )
            ],
            when=[transition(AUCTION_MACHINE, "record_result")],
        ),
        AuctionAction.TRANSFER: rule(who=[TAKE_OVER]),
    }
)

BID_POLICY: Policy[BidAction, Bid] = Policy(
    {
        BidAction.SUBMIT: rule(
            who=[_owner_of(lambda bid: bid.owner_id)],
            when=[
                _of_auction(TENDERING),
                transition(BID_MACHINE, "submit", status=lambda bid: BidStatus(bid.status)),
            ],
        ),
        BidAction.WITHDRAW: rule(
            who=[_owner_of(lambda bid: bid.owner_id)],
            when=[
                _of_auction(TENDERING),
                transition(BID_MACHINE, "withdraw", status=lambda bid: BidStatus(bid.status)),
            ],
        ),
        BidAction.CONFIRM_GUARANTEE: rule(
            who=[_payments(_("Only the organiser's bank feed or official may confirm a guarantee."))],
            when=[
                when(
                    lambda bid: bid.status != BidStatus.ACTIVE,
                    _("The guarantee of this bid is already confirmed."),
                    AuctionError.GUARANTEE_ALREADY_CONFIRMED,
                    error=Conflict,
                ),
                _of_auction(TENDERING),
                transition(BID_MACHINE, "qualify", status=lambda bid: BidStatus(bid.status)),
            ],
        ),
        BidAction.TRANSFER: rule(who=[lambda actor, bid: TAKE_OVER(actor, bid.auction)]),
    }
)

AWARD_POLICY: Policy[AwardAction, Award] = Policy(
    {
        AwardAction.UPLOAD_PROTOCOL: rule(
            who=[_of_auction(ORGANISER)],
            when=[
                AWARD_PENDING,
                when(
                    lambda award: award.protocol_uploaded_at is None,
                    _("The protocol is already uploaded."),
                    AuctionError.PROTOCOL_ALREADY_UPLOADED,
                    error=Conflict,
                ),
            ],
        ),
        AwardAction.CONFIRM_PAYMENT: rule(
            who=[_payments(_("Only the organiser's bank feed or official may confirm a payment."))],
            when=[
                AWARD_PENDING,
                when(
                    lambda award: award.protocol_uploaded_at is not None,
                    _("The protocol must be uploaded before the payment is accepted."),
                    AuctionError.PROTOCOL_MISSING,
                    error=ValidationFailed,
                ),
                when(
                    lambda award: award.payment_due_at is None or clock.now() <= award.payment_due_at,
                    _("The payment term has passed."),
                    AuctionError.PAYMENT_OVERDUE,
                ),
            ],
        ),
        AwardAction.DISQUALIFY: rule(who=[_of_auction(ORGANISER)], when=[AWARD_PENDING]),
        AwardAction.WITHDRAW: rule(
            who=[_owner_of(lambda award: award.bid.owner_id)],
            when=[transition(AWARD_MACHINE, "withdraw", status=lambda award: AwardStatus(award.status))],
        ),
    }
)

CONTRACT_POLICY: Policy[ContractAction, Contract] = Policy(
    {
        ContractAction.SIGN: rule(
            who=[_of_auction(ORGANISER)],
            when=[
                transition(CONTRACT_MACHINE, "sign", status=lambda c: ContractStatus(c.status)),
                _of_auction(transition(AUCTION_MACHINE, "complete")),
            ],
        ),
        ContractAction.CANCEL: rule(
            who=[_of_auction(ORGANISER)],
            when=[transition(CONTRACT_MACHINE, "cancel", status=lambda c: ContractStatus(c.status))],
        ),
    }
)


def lot_actions(actor: Any, lot: Lot) -> set[LotAction]:
    return LOT_POLICY.actions(actor, lot)


def lot_check(actor: Any, lot: Lot, action: LotAction, *, who_only: bool = False) -> None:
    LOT_POLICY.check(actor, lot, action, who_only=who_only)


def auction_actions(actor: Any, auction: Auction) -> set[AuctionAction]:
    """What `actor` may do with `auction` now; the auction services check the same before they act."""
    return AUCTION_POLICY.actions(actor, auction)


def auction_check(actor: Any, auction: Auction, action: AuctionAction, *, who_only: bool = False) -> None:
    AUCTION_POLICY.check(actor, auction, action, who_only=who_only)


def bid_actions(actor: Any, bid: Bid) -> set[BidAction]:
    return BID_POLICY.actions(actor, bid)


def bid_check(actor: Any, bid: Bid, action: BidAction, *, who_only: bool = False) -> None:
    BID_POLICY.check(actor, bid, action, who_only=who_only)


def award_actions(actor: Any, award: Award) -> set[AwardAction]:
    return AWARD_POLICY.actions(actor, award)


def award_check(actor: Any, award: Award, action: AwardAction, *, who_only: bool = False) -> None:
    AWARD_POLICY.check(actor, award, action, who_only=who_only)


def contract_actions(actor: Any, contract: Contract) -> set[ContractAction]:
    return CONTRACT_POLICY.actions(actor, contract)


def contract_check(actor: Any, contract: Contract, action: ContractAction, *, who_only: bool = False) -> None:
    CONTRACT_POLICY.check(actor, contract, action, who_only=who_only)
