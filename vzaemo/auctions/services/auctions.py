"""Auctions: a lot's attempts from the draft through tendering and the live result to cancellation.

Every write to the auction CDB goes through one named service of this package (docs/design.md rules 1, 2, 5);
`_common` says what each of them does in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vzaemo.auctions import permissions, rules
from vzaemo.auctions.errors import AuctionError
from vzaemo.auctions.models import Auction, Award, Bid, Broker, Lot
from vzaemo.auctions.permissions import CHRONOGRAPH, AuctionAction
from vzaemo.auctions.services._common import (
    _commit,
    _document_before,
    _locked_auction,
    _money,
    _price,
    _require_edit,
    _rule,
    _text,
)
from vzaemo.auctions.services.awards import _end_award, _rank_and_award, award_default
from vzaemo.auctions.services.contracts import _cancel_contract
from vzaemo.auctions.services.relisting import _create_next_attempt
from vzaemo.auctions.states import (
    AUCTION_MACHINE,
    BID_MACHINE,
    CONTRACT_MACHINE,
    AuctionStatus,
    AwardEndReason,
    AwardStatus,
    BidInvalidReason,
    BidStatus,
    ContractStatus,
    Procedure,
)
from vzaemo.core import clock
from vzaemo.core import rules as registry
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from vzaemo.core.models import ObligationOutcome
from vzaemo.core.rules import RuleValue

S = AuctionStatus


def _check_fixed_price(*, category: str, value: Decimal, on: dt.date) -> dict[str, Any]:
    """Law 1404-VIII art. 61: a fixed price only up to 30 minimum wages, never for real estate or vehicles."""
    wage = registry.get(rules.MINIMUM_WAGE, on=on)
    times = registry.get(rules.FIXED_PRICE_MAX_WAGES, on=on)
    limit = rules.fixed_price_limit(wage, times)
    refusal = rules.fixed_price_refusal(category, value, limit)
    if refusal == "fixed_price_category_forbidden":
        raise ValidationFailed(
            _("Real estate, vehicles, ships and aircraft are never sold at a fixed price (Law 1404-VIII art. 61)."),
            code=refusal,
            field="procedure",
        )
    if refusal == "fixed_price_value_too_high":
        raise ValidationFailed(
            _("A fixed-price sale is allowed only up to %(limit)s UAH (%(wages)s; Law 1404-VIII art. 61).")
            % {"limit": limit, "wages": registry.amount(times)},
            code=refusal,
            field="procedure",
        )
    return {"minimum_wage": wage.citation(), "max_minimum_wages": times.citation(), "limit": format(limit, "f")}


def _check_procedure(procedure: str) -> str:
    if procedure not in Procedure.values:
        raise ValidationFailed(
            _("Choose a procedure from the list."), code=AuctionError.PROCEDURE_INVALID, field="procedure"
        )
    return procedure


def _check_start(auction_start: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    if auction_start is None:
        return None
    if auction_start.utcoffset() is None:
        raise ValidationFailed(
            _("Give the start time with its time zone."), code=AuctionError.AUCTION_START_NAIVE, field="auction_start"
        )
    if auction_start <= now:
        raise ValidationFailed(
            _("The auction must start in the future."), code=AuctionError.AUCTION_START_PAST, field="auction_start"
        )
    return auction_start


@transaction.atomic
def auction_create(*, broker: Broker, lot_id: int, procedure: str, auction_start: dt.datetime | None = None) -> Auction:
    """The lot's first attempt, as a draft (invisible to listings and the chronograph until published)."""
    lot = Lot.objects.select_for_update().select_related("owner").filter(pk=lot_id).first()
    if lot is None:
        raise NotFound(_("There is no such lot."), code=AuctionError.LOT_NOT_FOUND)
    _require_edit(broker, lot.owner_id)
    if not permissions.broker_may_create(broker, lot.mode):
        raise NotAllowed(
            _("This broker is not accredited to create objects in this mode."), code=AuctionError.BROKER_CANNOT_CREATE
        )
    if lot.auctions.exists():
        raise Conflict(
            _("This lot already has an auction; later attempts are created automatically."),
            code=AuctionError.LOT_HAS_AUCTION,
        )
    procedure = _check_procedure(procedure)
    now = clock.now()
    auction = Auction(
        lot=lot,
        attempt=1,
        mode=lot.mode,
        owner=lot.owner,
        procedure=procedure,
        status=S.DRAFT,
        value=lot.start_value,
        markdown_percent=Decimal(0),
        auction_start=_check_start(auction_start, now),
        created_at=now,
        date_modified=now,
        date=now,
    )
    if procedure == Procedure.FIXED_PRICE:
        auction.rules_applied = {
            "fixedPrice": _check_fixed_price(category=lot.category, value=auction.value, on=clock.today())
        }
    _price(auction)
    auction.save()
    _commit(auction, actor=broker, before={}, tag=AuditTag.AUCTION_CREATE, now=now)
    return auction


@transaction.atomic
def auction_update_draft(
    *, broker: Broker, auction_id: int, procedure: str | None = None, auction_start: dt.datetime | None = None
) -> Auction:
    """Choose the procedure or the start time of a draft attempt (e.g. a Dutch third attempt)."""
    auction = _locked_auction(auction_id)
    permissions.auction_check(broker, auction, AuctionAction.EDIT)
    now = clock.now()
    before = _document_before(auction)
    if procedure is not None:
        auction.procedure = _check_procedure(procedure)
        if auction.procedure == Procedure.FIXED_PRICE:
            auction.rules_applied = {
                **auction.rules_applied,
                "fixedPrice": _check_fixed_price(category=auction.lot.category, value=auction.value, on=clock.today()),
            }
        else:
            auction.rules_applied.pop("fixedPrice", None)
    if auction_start is not None:
        auction.auction_start = _check_start(auction_start, now)
    _price(auction)
    _commit(auction, actor=broker, before=before, tag=AuditTag.AUCTION_EDIT, now=now)
    return auction


def _lead_time(value: Decimal, procedure: str) -> tuple[RuleValue, RuleValue]:
    if procedure == Procedure.FIXED_PRICE:
        return _rule(rules.FIXED_LEAD_MIN), _rule(rules.FIXED_LEAD_MAX)
    band = rules.lead_band(value, _rule(rules.LEAD_BAND1_MAX_VALUE), _rule(rules.LEAD_BAND2_MAX_VALUE))
    return _rule(f"{rules.LEAD_MIN}{band}"), _rule(f"{rules.LEAD_MAX}{band}")


@transaction.atomic
def auction_publish(*, broker: Broker, auction_id: int) -> Auction:
    """draft -> active.tendering. Repeating the publish is harmless (two-phase create)."""
    auction = _locked_auction(auction_id)
    if auction.status == S.TENDERING:
        permissions.auction_check(broker, auction, AuctionAction.PUBLISH, who_only=True)
        return auction  # idempotent: nothing changes, no revision
    permissions.auction_check(broker, auction, AuctionAction.PUBLISH)
    target = AUCTION_MACHINE.target("publish", auction.status_enum)
    if auction.auction_start is None:
        raise ValidationFailed(
            _("Set the auction's start time before publishing."),
            code=AuctionError.AUCTION_START_REQUIRED,
            field="auction_start",
        )
    now = clock.now()
    today = clock.today()
    start_day = auction.auction_start.astimezone(clock.KYIV).date()
    lead_min, lead_max = _lead_time(auction.value, auction.procedure)
    earliest, latest = rules.lead_window(today, lead_min, lead_max)
    if not earliest <= start_day <= latest:
        raise ValidationFailed(
            _("For this price the auction must be held between %(earliest)s and %(latest)s.")
            % {"earliest": earliest.isoformat(), "latest": latest.isoformat()},
            code=AuctionError.AUCTION_START_OUTSIDE_LEAD_TIME,
            field="auction_start",
        )
    tender_hour = _rule(rules.TENDER_END_HOUR)
    tender_end = rules.tender_end(auction.auction_start, tender_hour)
    if tender_end <= now:
        raise ValidationFailed(
            _("Tendering would already be over."), code=AuctionError.TENDER_END_PAST, field="auction_start"
        )
    before = _document_before(auction)
    fixed: dict[str, Any] = {}
    if auction.procedure == Procedure.FIXED_PRICE:
        fixed = {"fixedPrice": _check_fixed_price(category=auction.lot.category, value=auction.value, on=today)}
    _price(auction)
    auction.status = target
    auction.tender_start = now
    auction.tender_end = tender_end
    auction.rules_applied = {
        **auction.rules_applied,
        **fixed,
        "leadTime": [lead_min.citation(), lead_max.citation()],
        "tenderPeriod.endDate": tender_hour.citation(),
    }
    _commit(auction, actor=broker, before=before, tag=AuditTag.AUCTION_PUBLISH, now=now)
    return auction


@transaction.atomic
def auction_cancel(*, actor: Any, auction_id: int, reason: str) -> Auction:
    """The owner broker or the organiser cancels (e.g. the debt was paid); no next attempt follows."""
    auction = _locked_auction(auction_id)
    permissions.auction_check(actor, auction, AuctionAction.CANCEL)
    reason = _text(reason, field="reason", max_length=2_000)
    target = AUCTION_MACHINE.target("cancel", auction.status_enum)
    # Every contract not yet cancelled ends with the auction, each checked against the contract machine
    # before anything is written. A signed contract may not be cancelled, so it refuses the whole
    # cancellation: signing completes the auction, which the auction machine already refuses to cancel,
    # so this only stops rows that disagree with each other from being half-cancelled.
    contracts = [
        (contract, CONTRACT_MACHINE.target("cancel", ContractStatus(contract.status)))
        for contract in auction.contracts.exclude(status=ContractStatus.CANCELLED)
    ]
    now = clock.now()
    before = _document_before(auction)
    for award in auction.awards.filter(status__in=[AwardStatus.WAITING, AwardStatus.PENDING, AwardStatus.ACTIVE]):
        _end_award(
            award, verb="cancel", reason=AwardEndReason.AUCTION_CANCELLED, now=now, outcome=ObligationOutcome.CANCELLED
        )
    for contract, contract_target in contracts:
        _cancel_contract(contract, target=contract_target, reason=reason, now=now)
    auction.status = target
    auction.cancellation_reason = reason
    auction.ended_at = now
    # The revision's patch shows each contract's change; the audit entry names them.
    note = {"contracts_cancelled": [contract.pk for contract, _target in contracts]}
    _commit(auction, actor=actor, before=before, tag=AuditTag.AUCTION_CANCEL, now=now, note=note)
    return auction


@transaction.atomic
def auction_transfer(*, broker: Broker, auction_id: int) -> Auction:
    """The auction moves to `broker`, with the later attempts of its lot (they are written with the same
    owner token). Each moved attempt gets its revision and audit record."""
    auction = _locked_auction(auction_id)
    permissions.auction_check(broker, auction, AuctionAction.TRANSFER)
    later = Auction.objects.filter(lot_id=auction.lot_id, attempt__gt=auction.attempt).order_by("attempt")
    now = clock.now()
    for attempt in [auction, *(_locked_auction(pk) for pk in later.values_list("pk", flat=True))]:
        if attempt.owner_id == broker.pk:
            continue
        before = _document_before(attempt)
        previous_owner = attempt.owner_id
        attempt.owner = broker
        _commit(
            attempt, actor=broker, before=before, tag=AuditTag.AUCTION_TRANSFER, now=now, note={"from": previous_owner}
        )
    return auction


@transaction.atomic
def auction_end_tendering(*, auction_id: int) -> Auction | None:
    """Chronograph, idempotent: at the end of tendering, unpaid bids become invalid, then
    - at least the minimum of qualified bids: active.auction (the live engine runs it);
    - a fixed-price sale with any qualified bid: straight to qualification, first payer first;
    - one qualified bid where the rule skips the auction: straight to qualification at its price;
    - otherwise: unsuccessful, and the next attempt of the lot is created."""
    auction = _locked_auction(auction_id)
    now = clock.now()
    if auction.status != S.TENDERING or auction.tender_end is None or auction.tender_end > now:
        return None
    before = _document_before(auction)
    for bid in auction.bids.filter(status__in=[BidStatus.DRAFT, BidStatus.PENDING]):
        bid.status = BID_MACHINE.target("invalidate", BidStatus(bid.status))
        bid.invalid_reason, bid.date_modified = BidInvalidReason.NO_GUARANTEE, now
        bid.save()
    qualified = list(auction.bids.filter(status=BidStatus.ACTIVE).order_by("guarantee_paid_at", "id"))
    minimum = _rule(rules.MIN_QUALIFIED_BIDS)
    skip = _rule(rules.SINGLE_BID_SKIPS_AUCTION)
    cited = {"minQualifiedBids": minimum.citation(), "singleBidSkipsAuction": skip.citation()}
    auction.rules_applied = {**auction.rules_applied, **cited}
    if auction.procedure == Procedure.FIXED_PRICE and qualified:
        auction.status = AUCTION_MACHINE.target("skip_auction", auction.status_enum)
        _rank_and_award(auction, [(bid, auction.value) for bid in qualified], now)
        tag = AuditTag.AUCTION_SKIP_AUCTION
    elif auction.procedure != Procedure.FIXED_PRICE and len(qualified) >= minimum.as_int:
        auction.status = AUCTION_MACHINE.target("start_auction", auction.status_enum)
        tag = AuditTag.AUCTION_START
    elif auction.procedure != Procedure.FIXED_PRICE and len(qualified) == 1 and skip.as_int:
        auction.status = AUCTION_MACHINE.target("skip_auction", auction.status_enum)
        only = qualified[0]
        _rank_and_award(auction, [(only, only.value or auction.value)], now)
        tag = AuditTag.AUCTION_SKIP_AUCTION
    else:
        auction.status = AUCTION_MACHINE.target("fail_tendering", auction.status_enum)
        auction.ended_at = now
        tag = AuditTag.AUCTION_UNSUCCESSFUL
    _commit(auction, actor=CHRONOGRAPH, before=before, tag=tag, now=now, note={"qualified_bids": len(qualified)})
    if auction.status == S.UNSUCCESSFUL:
        _create_next_attempt(auction, now)
    return auction


@transaction.atomic
def auction_record_result(*, actor: Any, auction_id: int, ranking: Sequence[tuple[int, Any]]) -> Auction:
    """The live engine's result: (bid id, final amount) best first. active.auction -> active.qualification
    with the award chain; an empty ranking (no Dutch accept, no valid bid) makes the auction unsuccessful."""
    auction = _locked_auction(auction_id)
    permissions.auction_check(actor, auction, AuctionAction.RECORD_RESULT)
    active = {bid.pk: bid for bid in auction.bids.filter(status=BidStatus.ACTIVE)}
    ranked: list[tuple[Bid, Decimal]] = []
    seen: set[int] = set()
    previous: Decimal | None = None
    for bid_id, amount in ranking:
        bid = active.get(bid_id)
        if bid is None or bid_id in seen:
            raise ValidationFailed(
                _("The result names a bid that is not a qualified bid of this auction, or names one twice."),
                code=AuctionError.RESULT_BID_INVALID,
                field="ranking",
            )
        value = _money(amount, field="ranking", code=AuctionError.RESULT_AMOUNT_INVALID)
        if previous is not None and value > previous:
            raise ValidationFailed(
                _("The result must be ordered best first."), code=AuctionError.RESULT_NOT_RANKED, field="ranking"
            )
        seen.add(bid_id)
        previous = value
        ranked.append((bid, value))
    now = clock.now()
    before = _document_before(auction)
    auction.result_recorded_at = now
    if ranked:
        auction.status = AUCTION_MACHINE.target("record_result", auction.status_enum)
        _rank_and_award(auction, ranked, now)
        tag = AuditTag.AUCTION_RESULT
    else:
        auction.status = AUCTION_MACHINE.target("fail_auction", auction.status_enum)
        auction.ended_at = now
        tag = AuditTag.AUCTION_UNSUCCESSFUL
    _commit(auction, actor=actor, before=before, tag=tag, now=now, note={"ranked": len(ranked)})
    if auction.status == S.UNSUCCESSFUL:
        _create_next_attempt(auction, now)
    return auction


def auction_deadlines_apply() -> int:
    """Ends tendering that is over and defaults unpaid awards; safe to run any number of times."""
    now = clock.now()
    done = 0
    for pk in Auction.objects.filter(status=S.TENDERING, tender_end__lte=now).values_list("pk", flat=True):
        done += auction_end_tendering(auction_id=pk) is not None
    for pk in Award.objects.filter(status=AwardStatus.PENDING, payment_due_at__lt=now).values_list("pk", flat=True):
        done += award_default(award_id=pk) is not None
    return done
