"""The award chain: the ranked bids' awards, the protocol, the payment, defaults and the runner-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vzaemo.auctions import permissions, rules
from vzaemo.auctions.errors import AuctionError
from vzaemo.auctions.models import Auction, Award, Bid, Broker, Contract
from vzaemo.auctions.permissions import CHRONOGRAPH, AwardAction
from vzaemo.auctions.services._common import (
    _commit,
    _document_before,
    _locked_auction_of,
    _money,
    _rule,
    _text,
)
from vzaemo.auctions.services.relisting import _create_next_attempt
from vzaemo.auctions.states import AUCTION_MACHINE, AWARD_MACHINE, AuctionStatus, AwardEndReason, AwardStatus
from vzaemo.core import clock, obligations
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.errors import ValidationFailed
from vzaemo.core.models import ObligationOutcome

# The organiser's duty the responsiveness index counts (a core.Obligation kind).
PROTOCOL = "auction.protocol"

S = AuctionStatus


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


@transaction.atomic
def award_upload_protocol(*, actor: Any, award_id: int, document: str) -> Award:
    """The organiser uploads the signed auction protocol (its duty, by the protocol deadline)."""
    auction, award = _locked_auction_of(Award, award_id)
    permissions.award_check(actor, award, AwardAction.UPLOAD_PROTOCOL)
    document = _text(document, field="document", max_length=500)
    now = clock.now()
    before = _document_before(auction)
    award.protocol_document, award.protocol_uploaded_at = document, now
    award.save()
    obligations.close_obligation(kind=PROTOCOL, subject=award, at=now)
    _commit(
        auction, actor=actor, before=before, tag=AuditTag.AUCTION_PROTOCOL_UPLOAD, now=now, note={"award": award.pk}
    )
    return award


@transaction.atomic
def award_confirm_payment(*, actor: Any, award_id: int, amount: Any, reference: str) -> Award:
    """The winner paid the price less the guarantee, in time: award active, contract pending."""
    auction, award = _locked_auction_of(Award, award_id)
    permissions.award_check(actor, award, AwardAction.CONFIRM_PAYMENT, who_only=True)
    reference = _text(reference, field="reference", max_length=100)
    paid = _money(amount, field="amount", code=AuctionError.AMOUNT_INVALID)
    if award.status == AwardStatus.ACTIVE and award.payment_reference == reference:
        return award  # the same payment reported again
    # A repeated report is answered above; anything else must pass the whole table.
    permissions.award_check(actor, award, AwardAction.CONFIRM_PAYMENT)
    now = clock.now()
    due = award.value - auction.guarantee
    if paid < due:
        raise ValidationFailed(
            _("The payment is less than the %(amount)s UAH due.") % {"amount": due},
            code=AuctionError.PAYMENT_TOO_SMALL,
            field="amount",
        )
    target_auction = AUCTION_MACHINE.target("award", auction.status_enum)
    before = _document_before(auction)
    award.status = AWARD_MACHINE.target("activate", AwardStatus(award.status))
    award.paid_at, award.payment_reference, award.decided_at = now, reference, now
    award.save()
    Contract.objects.create(auction=auction, award=award, value=award.value, created_at=now)
    auction.status = target_auction
    _commit(auction, actor=actor, before=before, tag=AuditTag.AUCTION_AWARD_ACTIVATE, now=now, note={"award": award.pk})
    return award


@transaction.atomic
def award_disqualify(*, actor: Any, award_id: int, note: str) -> Award:
    """The organiser finds the winner ineligible: unsuccessful, the runner-up is promoted."""
    auction, award = _locked_auction_of(Award, award_id)
    permissions.award_check(actor, award, AwardAction.DISQUALIFY)
    note = _text(note, field="note", max_length=2_000)
    now = clock.now()
    before = _document_before(auction)
    _end_award(award, verb="fail", reason=AwardEndReason.DISQUALIFIED, now=now, note=note)
    _promote_next_or_fail(auction, now)
    _commit(
        auction, actor=actor, before=before, tag=AuditTag.AUCTION_AWARD_DISQUALIFY, now=now, note={"award": award.pk}
    )
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
    _commit(
        auction, actor=CHRONOGRAPH, before=before, tag=AuditTag.AUCTION_AWARD_DEFAULT, now=now, note={"award": award.pk}
    )
    if auction.status == S.UNSUCCESSFUL:
        _create_next_attempt(auction, now)
    return award


@transaction.atomic
def award_withdraw_waiting(*, broker: Broker, award_id: int) -> Award:
    """The runner-up leaves the chain and gets its guarantee back."""
    auction, award = _locked_auction_of(Award, award_id)
    permissions.award_check(broker, award, AwardAction.WITHDRAW)
    now = clock.now()
    before = _document_before(auction)
    _end_award(award, verb="withdraw", reason=AwardEndReason.WITHDRAWN, now=now)
    _commit(
        auction, actor=broker, before=before, tag=AuditTag.AUCTION_AWARD_WITHDRAW, now=now, note={"award": award.pk}
    )
    return award
