"""Re-auctions: an unsuccessful attempt makes the lot's next one, marked down, until the attempts run out."""

from __future__ import annotations

import datetime as dt

from vzaemo.auctions import rules
from vzaemo.auctions.models import Auction
from vzaemo.auctions.permissions import CHRONOGRAPH
from vzaemo.auctions.services._common import _commit, _price, _rule
from vzaemo.auctions.states import AuctionStatus
from vzaemo.core import audit
from vzaemo.core.audit_tags import AuditTag


def _create_next_attempt(auction: Auction, now: dt.datetime) -> Auction | None:
    """An unsuccessful attempt creates the lot's next one (a draft the broker dates and publishes),
    marked down from the *first* attempt's price; after the last attempt the lot stays unsold."""
    if Auction.objects.filter(previous=auction).exists():
        return None
    max_attempts = _rule(rules.MAX_ATTEMPTS)
    attempt = auction.attempt + 1
    if attempt > max_attempts.as_int:
        audit.record(
            actor=None,
            subject=auction.lot,
            tag=AuditTag.AUCTION_LOT_UNSOLD,
            before=None,
            after={"attempts": auction.attempt},
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
        status=AuctionStatus.DRAFT,
        value=rules.marked_down(lot.start_value, markdown.value),
        markdown_percent=markdown.value,
        rules_applied={"markdown": markdown.citation(), "maxAttempts": max_attempts.citation()},
        created_at=now,
        date_modified=now,
        date=now,
    )
    _price(following)
    following.save()
    _commit(
        following,
        actor=CHRONOGRAPH,
        before={},
        tag=AuditTag.AUCTION_NEXT_ATTEMPT,
        now=now,
        note={"previous": auction.pk},
    )
    return following
