"""Every write to the auction CDB (DESIGN rules 1, 2, 5): one named service per change.

Each service locks the auction row (`select_for_update`) before it reads anything it decides on, checks
the move against `states.py`, and finishes with `_commit()`: the auction row gets `date_modified`, the
next `rev` and `commit_txid` (core.commit_order: the id of the transaction the write commits in, which
the broker change feed orders by behind the watermark), one RFC 6902 `Revision` of the whole document
is appended, and one audit entry is recorded — all in the same transaction. A refusal raises a
`DomainError` before anything is written, so the transaction rolls back and nothing changes.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import jsonpatch
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vzaemo.accounts.models import Authority
from vzaemo.auctions import permissions, rules, selectors
from vzaemo.auctions.models import Auction, Award, Bid, Broker, Contract, Lot, Revision
from vzaemo.auctions.permissions import BANK_FEED, CDB_ADMIN, CHRONOGRAPH, LIVE_ENGINE, OrganiserBroker, SystemActor
from vzaemo.auctions.states import (
    AUCTION_MACHINE,
    AWARD_MACHINE,
    BID_MACHINE,
    CONTRACT_MACHINE,
    AuctionStatus,
    AwardEndReason,
    AwardStatus,
    BidInvalidReason,
    BidStatus,
    Category,
    ContractStatus,
    Mode,
    OrganiserKind,
    Procedure,
)
from vzaemo.core import audit, clock, commit_order, obligations
from vzaemo.core import rules as registry
from vzaemo.core.errors import Conflict, NotAllowed, ValidationFailed
from vzaemo.core.models import ObligationOutcome
from vzaemo.core.rules import RuleValue

logger = logging.getLogger("vzaemo.auctions")

# The organiser's duties the responsiveness index counts (core.Obligation kinds).
PROTOCOL = "auction.protocol"

IDENTIFIER = re.compile(r"^(\d{8}|\d{10})$")  # EDRPOU or RNOKPP
MAX_MONEY = Decimal("999999999999.99")

S = AuctionStatus


# --- plumbing -----------------------------------------------------------------------------------


def _actor_fields(actor: Any) -> dict[str, Any]:
    user = actor if getattr(actor, "is_authenticated", False) else None
    broker = actor if isinstance(actor, Broker) else None
    label = str(actor) if actor is not None else "system"
    if broker is not None:
        label = f"broker:{broker.pk}:{broker.name}"
    elif isinstance(actor, OrganiserBroker):
        broker = actor.broker
    return {"author": label[:300], "actor": user, "broker": broker}


def _locked_auction(auction_id: int) -> Auction:
    try:
        # of=("self",): lock the auction row only, not the joined broker, lot and organiser rows, which
        # would serialise every write to all auctions of one broker or office.
        return (
            Auction.objects.select_for_update(of=("self",))
            .select_related("lot", "owner", "lot__organiser")
            .get(pk=auction_id)
        )
    except (Auction.DoesNotExist, ValueError, TypeError):
        raise NotAllowed(_("There is no such auction."), code="auction_not_found") from None


def _locked_auction_of(model: type[Bid] | type[Award] | type[Contract], pk: int) -> tuple[Auction, Any]:
    """Lock the parent auction first (one lock order everywhere), then read the child under it."""
    auction_id = model.objects.filter(pk=pk).values_list("auction_id", flat=True).first()
    if auction_id is None:
        raise NotAllowed(
            _("There is no such %(object)s.") % {"object": model._meta.verbose_name},
            code=f"{model._meta.model_name}_not_found",
        )
    auction = _locked_auction(auction_id)
    return auction, model.objects.get(pk=pk)


def _rule(key: str) -> RuleValue:
    return registry.get(key)


def _snapshot(auction: Auction) -> dict[str, Any]:
    return {"status": auction.status, "rev": auction.rev}


def _commit(
    auction: Auction,
    *,
    actor: Any,
    before: dict[str, Any],
    tag: str,
    now: dt.datetime,
    note: dict[str, Any] | None = None,
) -> None:
    """Stamp the auction row, append the JSON-Patch revision and the audit entry (same transaction)."""
    old_status = before.get("status")
    auction.date_modified = now
    if old_status != auction.status:
        auction.date = now
    auction.rev += 1
    after = selectors.auction_document(auction)
    changes = jsonpatch.make_patch(before, after).patch
    auction.commit_txid = commit_order.txid_expression()  # type: ignore[assignment]
    auction.save()
    if auction.commit_txid is not None:
        del auction.commit_txid  # read back from the database only if someone asks
    Revision.objects.create(
        subject_type="auction",
        subject_id=auction.pk,
        rev=auction.rev,
        date=now,
        changes=changes,
        **_actor_fields(actor),
    )
    audit.record(
        actor=actor,
        subject=auction,
        tag=tag,
        before={"status": old_status, "rev": auction.rev - 1} if old_status else None,
        after={**_snapshot(auction), **(note or {})},
    )


def _document_before(auction: Auction) -> dict[str, Any]:
    return selectors.auction_document(auction)


def _commit_lot(lot: Lot, *, actor: Any, before: dict[str, Any], tag: str, now: dt.datetime) -> None:
    lot.date_modified = now
    after = selectors.lot_document(lot)
    lot.commit_txid = commit_order.txid_expression()  # type: ignore[assignment]
    lot.save()
    if lot.commit_txid is not None:
        del lot.commit_txid
    rev = Revision.objects.filter(subject_type="lot", subject_id=lot.pk).count() + 1
    Revision.objects.create(
        subject_type="lot",
        subject_id=lot.pk,
        rev=rev,
        date=now,
        changes=jsonpatch.make_patch(before, after).patch,
        **_actor_fields(actor),
    )
    audit.record(actor=actor, subject=lot, tag=tag, before=None, after={"rev": rev})


def _money(value: Any, *, field: str, code: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed(_("Give an amount in hryvnias, e.g. 1500.00."), code=code, field=field) from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_MONEY or amount != amount.quantize(rules.CENT):
        raise ValidationFailed(
            _("Give a positive amount in hryvnias with at most two decimal places."), code=code, field=field
        )
    return amount


def _text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(_("This field is required."), code=f"{field}_required", field=field)
    if len(text) > max_length:
        raise ValidationFailed(_("This text is too long."), code=f"{field}_too_long", field=field)
    return text


def _require_edit(broker: Any, owner_id: int) -> None:
    if not permissions.broker_may_edit(broker, owner_id):
        raise NotAllowed(_("Only the owner broker with the edit level may do this."), code="not_owner")


def _require_organiser(actor: Any, auction: Auction) -> None:
    if not permissions.may_act_for_organiser(actor, auction):
        raise NotAllowed(_("Only an official of the organiser may do this."), code="not_organiser")


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


def _price(auction: Auction) -> None:
    """Guarantee and bid step from the price and the rules in force today."""
    guarantee = _rule(rules.GUARANTEE_PERCENT)
    step = _rule(rules.BID_STEP_PERCENT)
    auction.guarantee = rules.percent_of(auction.value, guarantee)
    auction.minimal_step = (
        Decimal(0) if auction.procedure == Procedure.FIXED_PRICE else rules.percent_of(auction.value, step)
    )
    auction.rules_applied = {**auction.rules_applied, "guarantee": guarantee.citation(), "minimalStep": step.citation()}


def _check_procedure(procedure: str) -> str:
    if procedure not in Procedure.values:
        raise ValidationFailed(_("Choose a procedure from the list."), code="procedure_invalid", field="procedure")
    return procedure


def _check_start(auction_start: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    if auction_start is None:
        return None
    if auction_start.utcoffset() is None:
        raise ValidationFailed(
            _("Give the start time with its time zone."), code="auction_start_naive", field="auction_start"
        )
    if auction_start <= now:
        raise ValidationFailed(
            _("The auction must start in the future."), code="auction_start_past", field="auction_start"
        )
    return auction_start


# --- lots -----------------------------------------------------------------------------------------


@transaction.atomic
def lot_create(
    *,
    broker: Broker,
    organiser: Authority,
    organiser_kind: str,
    title: str,
    description: str,
    category: str,
    region: str,
    address: str = "",
    enforcement_proceeding: str,
    encumbrances: str = "",
    start_value: Any,
    mode: str = Mode.REAL,
) -> Lot:
    """An arrested asset listed by a broker for an enforcement office (the organiser)."""
    if mode not in Mode.values:
        raise ValidationFailed(_("Mode is real or test."), code="mode_invalid", field="mode")
    if not permissions.broker_may_create(broker, mode):
        raise NotAllowed(
            _("This broker is not accredited to create objects in this mode."), code="broker_cannot_create"
        )
    if not organiser.is_active:
        raise ValidationFailed(_("This organiser is not active."), code="organiser_inactive", field="organiser")
    if organiser_kind not in OrganiserKind.values:
        raise ValidationFailed(
            _("Choose the kind of enforcement office."), code="organiser_kind_invalid", field="organiser_kind"
        )
    if category not in Category.values:
        raise ValidationFailed(_("Choose a category from the list."), code="category_invalid", field="category")
    _region(region)
    now = clock.now()
    lot = Lot(
        mode=mode,
        owner=broker,
        organiser=organiser,
        organiser_kind=organiser_kind,
        title=_text(title, field="title", max_length=300),
        description=_text(description, field="description", max_length=20_000),
        category=category,
        region=region,
        address=_text(address, field="address", max_length=500, required=False),
        enforcement_proceeding=_text(enforcement_proceeding, field="enforcement_proceeding", max_length=50),
        encumbrances=_text(encumbrances, field="encumbrances", max_length=20_000, required=False),
        start_value=_money(start_value, field="start_value", code="start_value_invalid"),
        created_at=now,
        date_modified=now,
    )
    lot.save()
    _commit_lot(lot, actor=broker, before={}, tag="auction-lot:create", now=now)
    return lot


def _region(region: str) -> str:
    from vzaemo.accounts.models import Region

    if region not in Region.values:
        raise ValidationFailed(_("Choose a region from the list."), code="region_invalid", field="region")
    return region


@transaction.atomic
def lot_update(
    *,
    broker: Broker,
    lot_id: int,
    title: str | None = None,
    description: str | None = None,
    category: str | None = None,
    region: str | None = None,
    address: str | None = None,
    enforcement_proceeding: str | None = None,
    encumbrances: str | None = None,
    start_value: Any = None,
) -> Lot:
    """The owner edits a lot until its auction is published; the price and the category only while the
    lot has no auction yet (the draft auction was priced from them). Fields left `None` stay; a change
    that changes nothing writes nothing."""
    # The lot row alone: auction services lock it too (with their auction), so a publish and an edit of the
    # same lot take turns.
    lot = Lot.objects.select_for_update().filter(pk=lot_id).first()
    if lot is None:
        raise NotAllowed(_("There is no such lot."), code="lot_not_found")
    _require_edit(broker, lot.owner_id)
    if lot.auctions.exclude(status=S.DRAFT).exists():
        raise NotAllowed(_("A lot can be edited only until its auction is published."), code="lot_published")
    before = selectors.lot_document(lot)
    if title is not None:
        lot.title = _text(title, field="title", max_length=300)
    if description is not None:
        lot.description = _text(description, field="description", max_length=20_000)
    if region is not None:
        lot.region = _region(region)
    if address is not None:
        lot.address = _text(address, field="address", max_length=500, required=False)
    if enforcement_proceeding is not None:
        lot.enforcement_proceeding = _text(enforcement_proceeding, field="enforcement_proceeding", max_length=50)
    if encumbrances is not None:
        lot.encumbrances = _text(encumbrances, field="encumbrances", max_length=20_000, required=False)
    if category is not None:
        if category not in Category.values:
            raise ValidationFailed(_("Choose a category from the list."), code="category_invalid", field="category")
        lot.category = category
    if start_value is not None:
        lot.start_value = _money(start_value, field="start_value", code="start_value_invalid")
    if (lot.category, lot.start_value) != (before["category"], Decimal(before["value"]["amount"])) and (
        lot.auctions.exists()
    ):
        raise Conflict(_("The price and the category are fixed once the lot has an auction."), code="lot_has_auction")
    if selectors.lot_document(lot) == before:
        return lot  # nothing to change: no revision
    _commit_lot(lot, actor=broker, before=before, tag="auction-lot:edit", now=clock.now())
    return lot


# --- ownership (the broker API moves the owner token in the same transaction) ---------------------


def _require_take_over(broker: Broker, mode: str) -> None:
    if not permissions.broker_may_take_over(broker, mode):
        raise NotAllowed(
            _("Only a broker accredited to create and edit objects in this mode may take this over."),
            code="broker_cannot_take_over",
        )


@transaction.atomic
def lot_transfer(*, broker: Broker, lot_id: int) -> Lot:
    """The lot moves to `broker` (who showed its transfer key to the edge)."""
    lot = Lot.objects.select_for_update().filter(pk=lot_id).first()
    if lot is None:
        raise NotAllowed(_("There is no such lot."), code="lot_not_found")
    _require_take_over(broker, lot.mode)
    if lot.owner_id == broker.pk:
        return lot
    before = selectors.lot_document(lot)
    lot.owner = broker
    _commit_lot(lot, actor=broker, before=before, tag="auction-lot:transfer", now=clock.now())
    return lot


@transaction.atomic
def auction_transfer(*, broker: Broker, auction_id: int) -> Auction:
    """The auction moves to `broker`, with the later attempts of its lot (they are written with the same
    owner token). Each moved attempt gets its revision and audit record."""
    auction = _locked_auction(auction_id)
    _require_take_over(broker, auction.mode)
    later = Auction.objects.filter(lot_id=auction.lot_id, attempt__gt=auction.attempt).order_by("attempt")
    now = clock.now()
    for attempt in [auction, *(_locked_auction(pk) for pk in later.values_list("pk", flat=True))]:
        if attempt.owner_id == broker.pk:
            continue
        before = _document_before(attempt)
        previous_owner = attempt.owner_id
        attempt.owner = broker
        _commit(attempt, actor=broker, before=before, tag="auction:transfer", now=now, note={"from": previous_owner})
    return auction


@transaction.atomic
def bid_transfer(*, broker: Broker, bid_id: int) -> Bid:
    """The bid moves to `broker` (the bidder changed platforms)."""
    auction, bid = _locked_auction_of(Bid, bid_id)
    _require_take_over(broker, auction.mode)
    if bid.owner_id == broker.pk:
        return bid
    now = clock.now()
    before = _document_before(auction)
    bid.owner, bid.date_modified = broker, now
    bid.save()
    _commit(auction, actor=broker, before=before, tag="auction:bid-transfer", now=now, note={"bid": bid.pk})
    return bid


# --- auctions -------------------------------------------------------------------------------------


@transaction.atomic
def auction_create(*, broker: Broker, lot_id: int, procedure: str, auction_start: dt.datetime | None = None) -> Auction:
    """The lot's first attempt, as a draft (invisible to listings and the chronograph until published)."""
    lot = Lot.objects.select_for_update().select_related("owner").filter(pk=lot_id).first()
    if lot is None:
        raise NotAllowed(_("There is no such lot."), code="lot_not_found")
    _require_edit(broker, lot.owner_id)
    if not permissions.broker_may_create(broker, lot.mode):
        raise NotAllowed(
            _("This broker is not accredited to create objects in this mode."), code="broker_cannot_create"
        )
    if lot.auctions.exists():
        raise Conflict(
            _("This lot already has an auction; later attempts are created automatically."), code="lot_has_auction"
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
    _commit(auction, actor=broker, before={}, tag="auction:create", now=now)
    return auction


@transaction.atomic
def auction_update_draft(
    *, broker: Broker, auction_id: int, procedure: str | None = None, auction_start: dt.datetime | None = None
) -> Auction:
    """Choose the procedure or the start time of a draft attempt (e.g. a Dutch third attempt)."""
    auction = _locked_auction(auction_id)
    _require_edit(broker, auction.owner_id)
    if auction.status != S.DRAFT:
        raise NotAllowed(_("Only a draft can be edited."), code="auction_not_draft")
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
    _commit(auction, actor=broker, before=before, tag="auction:edit", now=now)
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
    _require_edit(broker, auction.owner_id)
    if auction.status == S.TENDERING:
        return auction  # idempotent: nothing changes, no revision
    target = AUCTION_MACHINE.target("publish", auction.status_enum)
    if auction.auction_start is None:
        raise ValidationFailed(
            _("Set the auction's start time before publishing."), code="auction_start_required", field="auction_start"
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
            code="auction_start_outside_lead_time",
            field="auction_start",
        )
    tender_hour = _rule(rules.TENDER_END_HOUR)
    tender_end = rules.tender_end(auction.auction_start, tender_hour)
    if tender_end <= now:
        raise ValidationFailed(_("Tendering would already be over."), code="tender_end_past", field="auction_start")
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
    _commit(auction, actor=broker, before=before, tag="auction:publish", now=now)
    return auction


@transaction.atomic
def auction_cancel(*, actor: Any, auction_id: int, reason: str) -> Auction:
    """The owner broker or the organiser cancels (e.g. the debt was paid); no next attempt follows."""
    auction = _locked_auction(auction_id)
    if not (permissions.broker_may_edit(actor, auction.owner_id) or permissions.is_organiser(actor, auction)):
        raise NotAllowed(_("Only the owner broker or the organiser may cancel the auction."), code="not_owner")
    reason = _text(reason, field="reason", max_length=2_000)
    target = AUCTION_MACHINE.target("cancel", auction.status_enum)
    now = clock.now()
    before = _document_before(auction)
    for award in auction.awards.filter(status__in=[AwardStatus.WAITING, AwardStatus.PENDING, AwardStatus.ACTIVE]):
        _end_award(
            award, verb="cancel", reason=AwardEndReason.AUCTION_CANCELLED, now=now, outcome=ObligationOutcome.CANCELLED
        )
    auction.contracts.filter(status=ContractStatus.PENDING).update(
        status=ContractStatus.CANCELLED, cancelled_at=now, cancellation_reason=reason
    )
    auction.status = target
    auction.cancellation_reason = reason
    auction.ended_at = now
    _commit(auction, actor=actor, before=before, tag="auction:cancel", now=now)
    return auction


# --- bids -----------------------------------------------------------------------------------------


def _require_tendering(auction: Auction, now: dt.datetime) -> None:
    if auction.status != S.TENDERING or auction.tender_end is None or auction.tender_end <= now:
        raise NotAllowed(_("This auction is not accepting bids."), code="auction_not_tendering")


@transaction.atomic
def bid_create(*, broker: Broker, auction_id: int, bidder_name: str, bidder_identifier: str, value: Any = None) -> Bid:
    """A bidder registered by its broker, as a draft. English needs an initial bid >= the start price;
    Dutch takes none (the price falls in the auction); a fixed-price bid is the price."""
    auction = _locked_auction(auction_id)
    if not permissions.broker_may_act_in(broker, auction):
        raise NotAllowed(_("This broker is not accredited to register bidders here."), code="broker_cannot_create")
    now = clock.now()
    _require_tendering(auction, now)
    name = _text(bidder_name, field="bidder_name", max_length=300)
    identifier = (bidder_identifier or "").strip()
    if not IDENTIFIER.match(identifier):
        raise ValidationFailed(
            _("Give an 8-digit EDRPOU or a 10-digit RNOKPP."),
            code="bidder_identifier_invalid",
            field="bidder_identifier",
        )
    amount: Decimal | None
    if auction.procedure == Procedure.ENGLISH:
        if value is None:
            raise ValidationFailed(
                _("An English auction needs an initial bid."), code="bid_value_required", field="value"
            )
        amount = _money(value, field="value", code="bid_value_invalid")
        if amount < auction.value:
            raise ValidationFailed(_("The bid is below the start price."), code="bid_value_too_low", field="value")
    elif auction.procedure == Procedure.DUTCH:
        if value is not None:
            raise ValidationFailed(
                _("A Dutch auction takes no initial bid."), code="bid_value_not_allowed", field="value"
            )
        amount = None
    else:
        if value is not None and _money(value, field="value", code="bid_value_invalid") != auction.value:
            raise ValidationFailed(_("A fixed-price bid is the price."), code="bid_value_not_price", field="value")
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
            _("This bidder is already registered for this auction."), code="bidder_already_registered"
        ) from None
    _commit(auction, actor=broker, before=before, tag="auction:bid-create", now=now, note={"bid": bid.pk})
    return bid


@transaction.atomic
def bid_submit(*, broker: Broker, bid_id: int) -> Bid:
    """draft -> pending: the bidder now owes the guarantee."""
    auction, bid = _locked_auction_of(Bid, bid_id)
    _require_edit(broker, bid.owner_id)
    now = clock.now()
    _require_tendering(auction, now)
    target = BID_MACHINE.target("submit", BidStatus(bid.status))
    before = _document_before(auction)
    bid.status, bid.submitted_at, bid.date_modified = target, now, now
    bid.save()
    _commit(auction, actor=broker, before=before, tag="auction:bid-submit", now=now, note={"bid": bid.pk})
    return bid


@transaction.atomic
def bid_withdraw(*, broker: Broker, bid_id: int) -> Bid:
    """While tendering, a bidder may withdraw; the guarantee is returned (not forfeited)."""
    auction, bid = _locked_auction_of(Bid, bid_id)
    _require_edit(broker, bid.owner_id)
    now = clock.now()
    _require_tendering(auction, now)
    target = BID_MACHINE.target("withdraw", BidStatus(bid.status))
    before = _document_before(auction)
    bid.status, bid.invalid_reason, bid.date_modified = target, BidInvalidReason.WITHDRAWN, now
    bid.save()
    _commit(auction, actor=broker, before=before, tag="auction:bid-withdraw", now=now, note={"bid": bid.pk})
    return bid


@transaction.atomic
def bid_confirm_guarantee(*, actor: Any, bid_id: int, amount: Any, reference: str) -> Bid:
    """The organiser's bank feed saw the guarantee: pending -> active (qualified).

    Bank feeds repeat themselves: the same payment reported again changes nothing. A second, different
    payment for an already qualified bid is a conflict.
    """
    auction, bid = _locked_auction_of(Bid, bid_id)
    if not permissions.may_confirm_payments(actor, auction):
        raise NotAllowed(_("Only the organiser's bank feed or official may confirm a guarantee."), code="not_organiser")
    reference = _text(reference, field="reference", max_length=100)
    paid = _money(amount, field="amount", code="amount_invalid")
    if bid.status == BidStatus.ACTIVE and bid.guarantee_reference == reference:
        return bid  # a repeated report of the same payment
    if bid.status == BidStatus.ACTIVE:
        raise Conflict(_("The guarantee of this bid is already confirmed."), code="guarantee_already_confirmed")
    now = clock.now()
    _require_tendering(auction, now)
    target = BID_MACHINE.target("qualify", BidStatus(bid.status))
    if paid < auction.guarantee:
        raise ValidationFailed(
            _("The payment is less than the guarantee of %(amount)s UAH.") % {"amount": auction.guarantee},
            code="guarantee_too_small",
            field="amount",
        )
    if auction.bids.filter(guarantee_reference=reference).exclude(pk=bid.pk).exists():
        raise Conflict(_("This payment is already counted for another bid."), code="guarantee_reference_used")
    before = _document_before(auction)
    bid.status, bid.qualified = target, True
    bid.guarantee_reference, bid.guarantee_paid_at, bid.date_modified = reference, now, now
    bid.save()
    _commit(auction, actor=actor, before=before, tag="auction:guarantee-confirm", now=now, note={"bid": bid.pk})
    return bid


# --- the end of tendering and the auction result ---------------------------------------------


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
        tag = "auction:skip-auction"
    elif auction.procedure != Procedure.FIXED_PRICE and len(qualified) >= minimum.as_int:
        auction.status = AUCTION_MACHINE.target("start_auction", auction.status_enum)
        tag = "auction:start"
    elif auction.procedure != Procedure.FIXED_PRICE and len(qualified) == 1 and skip.as_int:
        auction.status = AUCTION_MACHINE.target("skip_auction", auction.status_enum)
        only = qualified[0]
        _rank_and_award(auction, [(only, only.value or auction.value)], now)
        tag = "auction:skip-auction"
    else:
        auction.status = AUCTION_MACHINE.target("fail_tendering", auction.status_enum)
        auction.ended_at = now
        tag = "auction:unsuccessful"
    _commit(auction, actor=CHRONOGRAPH, before=before, tag=tag, now=now, note={"qualified_bids": len(qualified)})
    if auction.status == S.UNSUCCESSFUL:
        _create_next_attempt(auction, now)
    return auction


@transaction.atomic
def auction_record_result(*, actor: Any, auction_id: int, ranking: Sequence[tuple[int, Any]]) -> Auction:
    """The live engine's result: (bid id, final amount) best first. active.auction -> active.qualification
    with the award chain; an empty ranking (no Dutch accept, no valid bid) makes the auction unsuccessful."""
    if not permissions.may_record_result(actor):
        raise NotAllowed(_("Only the auction engine records results."), code="not_auction_engine")
    auction = _locked_auction(auction_id)
    if auction.status != S.AUCTION:
        AUCTION_MACHINE.target("record_result", auction.status_enum)  # raises the readable refusal
    active = {bid.pk: bid for bid in auction.bids.filter(status=BidStatus.ACTIVE)}
    ranked: list[tuple[Bid, Decimal]] = []
    seen: set[int] = set()
    previous: Decimal | None = None
    for bid_id, amount in ranking:
        bid = active.get(bid_id)
        if bid is None or bid_id in seen:
            raise ValidationFailed(
                _("The result names a bid that is not a qualified bid of this auction, or names one twice."),
                code="result_bid_invalid",
                field="ranking",
            )
        value = _money(amount, field="ranking", code="result_amount_invalid")
        if previous is not None and value > previous:
            raise ValidationFailed(
                _("The result must be ordered best first."), code="result_not_ranked", field="ranking"
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
        tag = "auction:result"
    else:
        auction.status = AUCTION_MACHINE.target("fail_auction", auction.status_enum)
        auction.ended_at = now
        tag = "auction:unsuccessful"
    _commit(auction, actor=actor, before=before, tag=tag, now=now, note={"ranked": len(ranked)})
    if auction.status == S.UNSUCCESSFUL:
        _create_next_attempt(auction, now)
    return auction


# --- the award chain ----------------------------------------------------------------------------


def _rank_and_award(auction: Auction, ranked: Sequence[tuple[Bid, Decimal]], now: dt.datetime) -> None:
    """Rank the bids; the top one is awarded (`pending`), the next ones wait (`pending.waiting`)."""
    chain = _rule(rules.BIDS_TO_QUALIFY)
    auction.rules_applied = {**auction.rules_applied, "bidsToQualify": chain.citation()}
    for rank, (bid, value) in enumerate(ranked, start=1):
        bid.rank, bid.final_value, bid.date_modified = rank, value, now
        bid.save()
        if rank > chain.as_int:
            continue
        award = Award.objects.create(
            auction=auction, bid=bid, rank=rank, status=AwardStatus.WAITING, value=value, created_at=now
        )
        if rank == 1:
            _make_pending(auction, award, now)


def _make_pending(auction: Auction, award: Award, now: dt.datetime) -> None:
    protocol = _rule(rules.PROTOCOL_TERM)
    payment = _rule(rules.PAYMENT_TERM)
    award.status = AWARD_MACHINE.target("promote", AwardStatus(award.status))
    award.pending_since = now
    award.protocol_due_at = rules.due(now, protocol)
    award.payment_due_at = rules.due(now, payment)
    award.rules_applied = {"protocolPeriod": protocol.citation(), "paymentPeriod": payment.citation()}
    award.save()
    obligations.open_obligation(
        authority_id=auction.lot.organiser_id,
        kind=PROTOCOL,
        subject=award,
        due_at=award.protocol_due_at,
        rule=protocol.citation(),
        opened_at=now,
    )


def _end_award(
    award: Award,
    *,
    verb: str,
    reason: str,
    now: dt.datetime,
    note: str = "",
    outcome: ObligationOutcome = ObligationOutcome.CANCELLED,
) -> None:
    award.status = AWARD_MACHINE.target(verb, AwardStatus(award.status))
    award.end_reason, award.end_note, award.decided_at = reason, note, now
    award.save()
    obligations.close_obligation(kind=PROTOCOL, subject=award, outcome=outcome, at=now)


def _forfeit(award: Award, now: dt.datetime) -> None:
    Bid.objects.filter(pk=award.bid_id).update(guarantee_forfeited=True, date_modified=now)


def _promote_next_or_fail(auction: Auction, now: dt.datetime) -> None:
    """The runner-up takes over; with nobody left the auction is unsuccessful (the caller relists)."""
    if auction.status == S.AWARDED:
        auction.status = AUCTION_MACHINE.target("reopen_qualification", auction.status_enum)
    runner_up = auction.awards.filter(status=AwardStatus.WAITING).order_by("rank").first()
    if runner_up is not None:
        _make_pending(auction, runner_up, now)
        return
    auction.status = AUCTION_MACHINE.target("fail_qualification", auction.status_enum)
    auction.ended_at = now


def _pending_award(auction: Auction, award: Award) -> None:
    if award.status != AwardStatus.PENDING:
        AWARD_MACHINE.target("activate", AwardStatus(award.status))  # raises the readable refusal


@transaction.atomic
def award_upload_protocol(*, actor: Any, award_id: int, document: str) -> Award:
    """The organiser uploads the signed auction protocol (its duty, by the protocol deadline)."""
    auction, award = _locked_auction_of(Award, award_id)
    _require_organiser(actor, auction)
    _pending_award(auction, award)
    if award.protocol_uploaded_at is not None:
        raise Conflict(_("The protocol is already uploaded."), code="protocol_already_uploaded")
    document = _text(document, field="document", max_length=500)
    now = clock.now()
    before = _document_before(auction)
    award.protocol_document, award.protocol_uploaded_at = document, now
    award.save()
    obligations.close_obligation(kind=PROTOCOL, subject=award, at=now)
    _commit(auction, actor=actor, before=before, tag="auction:protocol-upload", now=now, note={"award": award.pk})
    return award


@transaction.atomic
def award_confirm_payment(*, actor: Any, award_id: int, amount: Any, reference: str) -> Award:
    """The winner paid the price less the guarantee, in time: award active, contract pending."""
    auction, award = _locked_auction_of(Award, award_id)
    if not permissions.may_confirm_payments(actor, auction):
        raise NotAllowed(_("Only the organiser's bank feed or official may confirm a payment."), code="not_organiser")
    reference = _text(reference, field="reference", max_length=100)
    paid = _money(amount, field="amount", code="amount_invalid")
    if award.status == AwardStatus.ACTIVE and award.payment_reference == reference:
        return award  # the same payment reported again
    _pending_award(auction, award)
    now = clock.now()
    if award.protocol_uploaded_at is None:
        raise ValidationFailed(
            _("The protocol must be uploaded before the payment is accepted."), code="protocol_missing"
        )
    if award.payment_due_at is not None and now > award.payment_due_at:
        raise NotAllowed(_("The payment term has passed."), code="payment_overdue")
    due = award.value - auction.guarantee
    if paid < due:
        raise ValidationFailed(
            _("The payment is less than the %(amount)s UAH due.") % {"amount": due},
            code="payment_too_small",
            field="amount",
        )
    target_auction = AUCTION_MACHINE.target("award", auction.status_enum)
    before = _document_before(auction)
    award.status = AWARD_MACHINE.target("activate", AwardStatus(award.status))
    award.paid_at, award.payment_reference, award.decided_at = now, reference, now
    award.save()
    Contract.objects.create(auction=auction, award=award, value=award.value, created_at=now)
    auction.status = target_auction
    _commit(auction, actor=actor, before=before, tag="auction:award-activate", now=now, note={"award": award.pk})
    return award


@transaction.atomic
def award_disqualify(*, actor: Any, award_id: int, note: str) -> Award:
    """The organiser finds the winner ineligible: unsuccessful, the runner-up is promoted."""
    auction, award = _locked_auction_of(Award, award_id)
    _require_organiser(actor, auction)
    note = _text(note, field="note", max_length=2_000)
    _pending_award(auction, award)
    now = clock.now()
    before = _document_before(auction)
    _end_award(award, verb="fail", reason=AwardEndReason.DISQUALIFIED, now=now, note=note)
    _promote_next_or_fail(auction, now)
    _commit(auction, actor=actor, before=before, tag="auction:award-disqualify", now=now, note={"award": award.pk})
    if auction.status == S.UNSUCCESSFUL:
        _create_next_attempt(auction, now)
    return award


@transaction.atomic
def award_default(*, award_id: int) -> Award | None:
    """Chronograph, idempotent: the payment term passed unpaid. The guarantee is forfeited, the award
    is unsuccessful and the runner-up is promoted (Bankruptcy Code arts. 85-86 by analogy)."""
    auction, award = _locked_auction_of(Award, award_id)
    now = clock.now()
    if award.status != AwardStatus.PENDING or award.payment_due_at is None or award.payment_due_at >= now:
        return None
    before = _document_before(auction)
    _end_award(award, verb="fail", reason=AwardEndReason.PAYMENT_DEFAULT, now=now)
    _forfeit(award, now)
    _promote_next_or_fail(auction, now)
    _commit(auction, actor=CHRONOGRAPH, before=before, tag="auction:award-default", now=now, note={"award": award.pk})
    if auction.status == S.UNSUCCESSFUL:
        _create_next_attempt(auction, now)
    return award


@transaction.atomic
def award_withdraw_waiting(*, broker: Broker, award_id: int) -> Award:
    """The runner-up leaves the chain and gets its guarantee back."""
    auction, award = _locked_auction_of(Award, award_id)
    bid_owner = Bid.objects.filter(pk=award.bid_id).values_list("owner_id", flat=True).get()
    _require_edit(broker, bid_owner)
    if award.status != AwardStatus.WAITING:
        AWARD_MACHINE.target("withdraw", AwardStatus(award.status))
    now = clock.now()
    before = _document_before(auction)
    _end_award(award, verb="withdraw", reason=AwardEndReason.WITHDRAWN, now=now)
    _commit(auction, actor=broker, before=before, tag="auction:award-withdraw", now=now, note={"award": award.pk})
    return award


# --- contracts ------------------------------------------------------------------------------------


@transaction.atomic
def contract_sign(*, actor: Any, contract_id: int) -> Contract:
    auction, contract = _locked_auction_of(Contract, contract_id)
    _require_organiser(actor, auction)
    target = CONTRACT_MACHINE.target("sign", ContractStatus(contract.status))
    target_auction = AUCTION_MACHINE.target("complete", auction.status_enum)
    now = clock.now()
    before = _document_before(auction)
    contract.status, contract.signed_at = target, now
    contract.save()
    auction.status, auction.ended_at = target_auction, now
    _commit(auction, actor=actor, before=before, tag="auction:contract-sign", now=now, note={"contract": contract.pk})
    return contract


@transaction.atomic
def contract_cancel(*, actor: Any, contract_id: int, reason: str) -> Contract:
    """The winner refused to sign: the contract is cancelled, the guarantee forfeited, the runner-up promoted."""
    auction, contract = _locked_auction_of(Contract, contract_id)
    _require_organiser(actor, auction)
    reason = _text(reason, field="reason", max_length=2_000)
    target = CONTRACT_MACHINE.target("cancel", ContractStatus(contract.status))
    now = clock.now()
    before = _document_before(auction)
    contract.status, contract.cancelled_at, contract.cancellation_reason = target, now, reason
    contract.save()
    award = contract.award
    _end_award(award, verb="cancel", reason=AwardEndReason.CONTRACT_CANCELLED, now=now, note=reason)
    _forfeit(award, now)
    _promote_next_or_fail(auction, now)
    _commit(auction, actor=actor, before=before, tag="auction:contract-cancel", now=now, note={"contract": contract.pk})
    if auction.status == S.UNSUCCESSFUL:
        _create_next_attempt(auction, now)
    return contract


# --- re-auctions ----------------------------------------------------------------------------------


def _create_next_attempt(auction: Auction, now: dt.datetime) -> Auction | None:
    """An unsuccessful attempt creates the lot's next one (a draft the broker dates and publishes),
    marked down from the *first* attempt's price; after the last attempt the lot stays unsold."""
    if Auction.objects.filter(previous=auction).exists():
        return None
    max_attempts = _rule(rules.MAX_ATTEMPTS)
    attempt = auction.attempt + 1
    if attempt > max_attempts.as_int:
        audit.record(
            actor=None, subject=auction.lot, tag="auction-lot:unsold", before=None, after={"attempts": auction.attempt}
        )
        return None
    markdown = _rule(rules.markdown_key(attempt))
    lot = auction.lot
    following = Auction(
        lot=lot,
        attempt=attempt,
        previous=auction,
        mode=auction.mode,
        owner=auction.owner,
        procedure=auction.procedure,
        status=S.DRAFT,
        value=rules.marked_down(lot.start_value, markdown.value),
        markdown_percent=markdown.value,
        rules_applied={"markdown": markdown.citation(), "maxAttempts": max_attempts.citation()},
        created_at=now,
        date_modified=now,
        date=now,
    )
    _price(following)
    following.save()
    _commit(following, actor=CHRONOGRAPH, before={}, tag="auction:next-attempt", now=now, note={"previous": auction.pk})
    return following


# --- the chronograph ------------------------------------------------------------------------------


def auction_deadlines_apply() -> int:
    """Ends tendering that is over and defaults unpaid awards; safe to run any number of times."""
    now = clock.now()
    done = 0
    for pk in Auction.objects.filter(status=S.TENDERING, tender_end__lte=now).values_list("pk", flat=True):
        done += auction_end_tendering(auction_id=pk) is not None
    for pk in Award.objects.filter(status=AwardStatus.PENDING, payment_due_at__lt=now).values_list("pk", flat=True):
        done += award_default(award_id=pk) is not None
    return done


__all__ = [
    "BANK_FEED",
    "CDB_ADMIN",
    "CHRONOGRAPH",
    "LIVE_ENGINE",
    "OrganiserBroker",
    "SystemActor",
]
