"""Contracts: the winner's contract is signed (the auction completes) or cancelled (the runner-up takes over)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from vzaemo.auctions import permissions
from vzaemo.auctions.models import Contract
from vzaemo.auctions.permissions import ContractAction
from vzaemo.auctions.services._common import _commit, _document_before, _locked_auction_of, _text
from vzaemo.auctions.services.awards import _end_award, _forfeit, _promote_next_or_fail
from vzaemo.auctions.services.relisting import _create_next_attempt
from vzaemo.auctions.states import AUCTION_MACHINE, CONTRACT_MACHINE, AuctionStatus, AwardEndReason, ContractStatus
from vzaemo.core import clock
from vzaemo.core.audit_tags import AuditTag


def _cancel_contract(contract: Contract, *, target: ContractStatus, reason: str, now: dt.datetime) -> None:
    """Write a cancellation that `CONTRACT_MACHINE.target("cancel", …)` allowed; the caller holds the
    auction's lock and records the change with the auction's revision and audit entry."""
    contract.status, contract.cancelled_at, contract.cancellation_reason = target, now, reason
    contract.save()


@transaction.atomic
def contract_sign(*, actor: Any, contract_id: int) -> Contract:
    auction, contract = _locked_auction_of(Contract, contract_id)
    permissions.contract_check(actor, contract, ContractAction.SIGN)
    target = CONTRACT_MACHINE.target("sign", ContractStatus(contract.status))
    target_auction = AUCTION_MACHINE.target("complete", auction.status_enum)
    now = clock.now()
    before = _document_before(auction)
    contract.status, contract.signed_at = target, now
    contract.save()
    auction.status, auction.ended_at = target_auction, now
    _commit(
        auction, actor=actor, before=before, tag=AuditTag.AUCTION_CONTRACT_SIGN, now=now, note={"contract": contract.pk}
    )
    return contract


@transaction.atomic
def contract_cancel(*, actor: Any, contract_id: int, reason: str) -> Contract:
    """The winner refused to sign: the contract is cancelled, the guarantee forfeited, the runner-up promoted."""
    auction, contract = _locked_auction_of(Contract, contract_id)
    permissions.contract_check(actor, contract, ContractAction.CANCEL)
    reason = _text(reason, field="reason", max_length=2_000)
    target = CONTRACT_MACHINE.target("cancel", ContractStatus(contract.status))
    now = clock.now()
    before = _document_before(auction)
    _cancel_contract(contract, target=target, reason=reason, now=now)
    award = contract.award
    _end_award(award, verb="cancel", reason=AwardEndReason.CONTRACT_CANCELLED, now=now, note=reason)
    _forfeit(award, now)
    _promote_next_or_fail(auction, now)
    _commit(
        auction,
        actor=actor,
        before=before,
        tag=AuditTag.AUCTION_CONTRACT_CANCEL,
        now=now,
        note={"contract": contract.pk},
    )
    if auction.status == AuctionStatus.UNSUCCESSFUL:
        _create_next_attempt(auction, now)
    return contract
