"""Lots: the arrested assets brokers list for enforcement offices; edited until their auction is published."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vzaemo.accounts.models import Authority, Region
from vzaemo.auctions import permissions, selectors
from vzaemo.auctions.errors import AuctionError
from vzaemo.auctions.models import Broker, Lot
from vzaemo.auctions.permissions import LotAction
from vzaemo.auctions.services._common import _commit_lot, _money, _text
from vzaemo.auctions.states import Category, Mode, OrganiserKind
from vzaemo.core import clock
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed


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
        raise ValidationFailed(_("Mode is real or test."), code=AuctionError.MODE_INVALID, field="mode")
    if not permissions.broker_may_create(broker, mode):
        raise NotAllowed(
            _("This broker is not accredited to create objects in this mode."), code=AuctionError.BROKER_CANNOT_CREATE
        )
    if not organiser.is_active:
        raise ValidationFailed(
            _("This organiser is not active."), code=AuctionError.ORGANISER_INACTIVE, field="organiser"
        )
    if organiser_kind not in OrganiserKind.values:
        raise ValidationFailed(
            _("Choose the kind of enforcement office."),
            code=AuctionError.ORGANISER_KIND_INVALID,
            field="organiser_kind",
        )
    if category not in Category.values:
        raise ValidationFailed(
            _("Choose a category from the list."), code=AuctionError.CATEGORY_INVALID, field="category"
        )
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
        start_value=_money(start_value, field="start_value", code=AuctionError.START_VALUE_INVALID),
        created_at=now,
        date_modified=now,
    )
    lot.save()
    _commit_lot(lot, actor=broker, before={}, tag=AuditTag.AUCTION_LOT_CREATE, now=now)
    return lot


def _region(region: str) -> str:
    if region not in Region.values:
        raise ValidationFailed(_("Choose a region from the list."), code=AuctionError.REGION_INVALID, field="region")
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
        raise NotFound(_("There is no such lot."), code=AuctionError.LOT_NOT_FOUND)
    permissions.lot_check(broker, lot, LotAction.EDIT)
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
            raise ValidationFailed(
                _("Choose a category from the list."), code=AuctionError.CATEGORY_INVALID, field="category"
            )
        lot.category = category
    if start_value is not None:
        lot.start_value = _money(start_value, field="start_value", code=AuctionError.START_VALUE_INVALID)
    if (lot.category, lot.start_value) != (before["category"], Decimal(before["value"]["amount"])) and (
        lot.auctions.exists()
    ):
        raise Conflict(
            _("The price and the category are fixed once the lot has an auction."), code=AuctionError.LOT_HAS_AUCTION
        )
    if selectors.lot_document(lot) == before:
        return lot  # nothing to change: no revision
    _commit_lot(lot, actor=broker, before=before, tag=AuditTag.AUCTION_LOT_EDIT, now=clock.now())
    return lot


@transaction.atomic
def lot_transfer(*, broker: Broker, lot_id: int) -> Lot:
    """The lot moves to `broker` (who showed its transfer key to the edge)."""
    lot = Lot.objects.select_for_update().filter(pk=lot_id).first()
    if lot is None:
        raise NotFound(_("There is no such lot."), code=AuctionError.LOT_NOT_FOUND)
    permissions.lot_check(broker, lot, LotAction.TRANSFER)
    if lot.owner_id == broker.pk:
        return lot
    before = selectors.lot_document(lot)
    lot.owner = broker
    _commit_lot(lot, actor=broker, before=before, tag=AuditTag.AUCTION_LOT_TRANSFER, now=clock.now())
    return lot
