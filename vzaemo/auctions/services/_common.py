"""The plumbing every auction service shares: locks, the commit of a write, input checks.

Each service locks the auction row (`select_for_update`) before it reads anything it decides on, checks
the move against `states.py`, and finishes with `_commit()`: the auction row gets `date_modified`, the
next `rev` and `commit_txid` (core.commit_order: the id of the transaction the write commits in, which
the broker change feed orders by behind the watermark), one RFC 6902 `Revision` of the whole document
is appended, and one audit entry is recorded — all in the same transaction. A refusal raises a
`DomainError` before anything is written, so the transaction rolls back and nothing changes.

Children (bids, awards, contracts) are read under their auction's lock, never locked on their own: one
lock order everywhere, so two services never wait for each other in opposite orders.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import jsonpatch
from django.utils.translation import gettext as _

from vzaemo.auctions import permissions, rules, selectors
from vzaemo.auctions.errors import AuctionError
from vzaemo.auctions.models import Auction, Award, Bid, Broker, Contract, Lot, Revision
from vzaemo.auctions.permissions import OrganiserBroker
from vzaemo.auctions.states import Procedure
from vzaemo.core import audit, commit_order
from vzaemo.core import rules as registry
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.errors import NotAllowed, NotFound, ValidationFailed
from vzaemo.core.rules import RuleValue

MAX_MONEY = Decimal("999999999999.99")


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
        raise NotFound(_("There is no such auction."), code=AuctionError.AUCTION_NOT_FOUND) from None


_Child = TypeVar("_Child", Bid, Award, Contract)


def _locked_auction_of(model: type[_Child], pk: int) -> tuple[Auction, _Child]:
    """Lock the parent auction first (one lock order everywhere), then read the child under it."""
    auction_id = model.objects.filter(pk=pk).values_list("auction_id", flat=True).first()
    if auction_id is None:
        raise NotFound(
            _("There is no such %(object)s.") % {"object": model._meta.verbose_name},
            code=AuctionError(f"{model._meta.model_name}_not_found"),
        )
    auction = _locked_auction(auction_id)
    child = model.objects.get(pk=pk)
    child.auction = auction  # the locked row, read once: its permissions are judged on it
    return auction, child


def _rule(key: str) -> RuleValue:
    return registry.get(key)


def _snapshot(auction: Auction) -> dict[str, Any]:
    return {"status": auction.status, "rev": auction.rev}


def _commit(
    auction: Auction,
    *,
    actor: Any,
    before: dict[str, Any],
    tag: AuditTag,
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
    auction.commit_txid = commit_order.txid_expression()
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


def _commit_lot(lot: Lot, *, actor: Any, before: dict[str, Any], tag: AuditTag, now: dt.datetime) -> None:
    lot.date_modified = now
    after = selectors.lot_document(lot)
    lot.commit_txid = commit_order.txid_expression()
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
        raise ValidationFailed(_("This field is required."), code=AuctionError(f"{field}_required"), field=field)
    if len(text) > max_length:
        raise ValidationFailed(_("This text is too long."), code=AuctionError(f"{field}_too_long"), field=field)
    return text


def _require_edit(broker: Any, owner_id: int) -> None:
    if not permissions.broker_may_edit(broker, owner_id):
        raise NotAllowed(_("Only the owner broker with the edit level may do this."), code=AuctionError.NOT_OWNER)


def _price(auction: Auction) -> None:
    """Guarantee and bid step from the price and the rules in force today."""
    guarantee = _rule(rules.GUARANTEE_PERCENT)
    step = _rule(rules.BID_STEP_PERCENT)
    auction.guarantee = rules.percent_of(auction.value, guarantee)
    auction.minimal_step = (
        Decimal(0) if auction.procedure == Procedure.FIXED_PRICE else rules.percent_of(auction.value, step)
    )
    auction.rules_applied = {**auction.rules_applied, "guarantee": guarantee.citation(), "minimalStep": step.citation()}
