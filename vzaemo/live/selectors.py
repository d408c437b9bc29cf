"""Reads of the live auction: the engine's inputs from the database, and the states shown to people.

Bidders are "Bidder 1..N" (numbered by their bid id) for everyone until the session finishes; a bidder's
own page also shows which one it is. After the finish the protocol (public) names them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from vzaemo.auctions.models import Bid
from vzaemo.auctions.states import AuctionStatus, BidStatus
from vzaemo.core import clock
from vzaemo.core.errors import Conflict, NotFound
from vzaemo.live import engine, links
from vzaemo.live.errors import LiveError
from vzaemo.live.models import LivePost, LiveSession

# to_dict() keys whose values are bid ids: replaced by bidder numbers before anything leaves the server.
_BID_KEYS = frozenset({"bid_id", "owner", "dutch_winner", "winner", "bidder"})


def config_of(session: LiveSession) -> engine.Config:
    return engine.Config(
        procedure=session.procedure,
        start=session.start,
        start_value=session.start_value,
        minimal_step=session.minimal_step,
        bidders=tuple(
            engine.Bidder(
                bid_id=int(b["bid_id"]),
                initial_amount=Decimal(b["initial_amount"]) if b.get("initial_amount") else None,
                initial_at=dt.datetime.fromisoformat(b["initial_at"]),
            )
            for b in session.bidders
        ),
        timing=engine.Timing.from_dict(session.timing),
        special_bid=session.special_bid,
    )


def posts_of(session: LiveSession) -> list[engine.Post]:
    rows = (
        LivePost.objects.filter(session=session).order_by("seq").values_list("bid_id", "amount", "at", "seq", "special")
    )
    return [engine.Post(bid_id=b, amount=a, at=t, seq=s, special=sp) for b, a, t, s, sp in rows]


def bidder_numbers(session: LiveSession) -> dict[int, int]:
    """bid id -> 1..N, by bid id (the order bidders registered in)."""
    return {bid_id: n for n, bid_id in enumerate(sorted(int(b["bid_id"]) for b in session.bidders), start=1)}


def relabel(value: Any, numbers: dict[int, int]) -> Any:
    if isinstance(value, dict):
        return {k: (_number(v, numbers) if k in _BID_KEYS else relabel(v, numbers)) for k, v in value.items()}
    if isinstance(value, list):
        return [relabel(v, numbers) for v in value]
    return value


def _number(value: Any, numbers: dict[int, int]) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return numbers.get(value, 0)
    if isinstance(value, str) and value.isdigit():
        return numbers.get(int(value), 0)
    return value


def session_for(auction_id: int) -> LiveSession | None:
    return LiveSession.objects.select_related("auction").filter(auction_id=auction_id).first()


def live_state(session: LiveSession, *, now: dt.datetime | None = None) -> engine.State:
    return engine.state(config_of(session), posts_of(session), now or clock.now())


@dataclass(frozen=True, eq=False)
class StreamBase:
    """What every view of one auction at one moment shares: the session and the engine's state (one database
    read and one replay per change, however many bidders and observers watch)."""

    session: LiveSession
    state: engine.State
    numbers: dict[int, int]
    now: dt.datetime

    @cached_property
    def public(self) -> dict[str, Any]:
        """The observers' view, built once per change and shared (never mutated: bidders' views copy it)."""
        return _view(self, None)


def base_of(session: LiveSession, *, now: dt.datetime | None = None) -> StreamBase:
    moment = now or clock.now()
    return StreamBase(session, live_state(session, now=moment), bidder_numbers(session), moment)


def stream_base(auction_id: int, *, now: dt.datetime | None = None) -> StreamBase | None:
    # The stream needs neither the CDB auction (no join) nor the model's newest-first ordering.
    session = LiveSession.objects.filter(auction_id=auction_id).order_by().first()
    return None if session is None else base_of(session, now=now)


def stream_view(base: StreamBase, *, viewer_bid_id: int | None = None) -> dict[str, Any]:
    """The state as streams and pages show it: bidder numbers instead of bid ids, server time, and for a
    bidder its own number and the least amount it may post now. No queries (the stream process calls it
    on its event loop)."""
    if viewer_bid_id is None:
        return base.public
    if base.state.sealed_hidden:
        return _view(base, viewer_bid_id)  # a bidder sees its own sealed bid, nobody else's
    return {**base.public, **_you(base, viewer_bid_id)}


def _you(base: StreamBase, viewer_bid_id: int) -> dict[str, Any]:
    if viewer_bid_id not in base.numbers:
        return {}
    minimum = base.state.min_amount(viewer_bid_id)
    return {
        "you": {
            "bidder": base.numbers[viewer_bid_id],
            "min_amount": f"{minimum:.2f}" if minimum is not None else None,
        }
    }


def _view(base: StreamBase, viewer_bid_id: int | None) -> dict[str, Any]:
    session, state, numbers = base.session, base.state, base.numbers
    data: dict[str, Any] = relabel(state.to_dict(viewer=viewer_bid_id), numbers)
    data.update(
        {
            "auction_id": session.auction_id,
            "procedure": session.procedure,
            "version": session.version,
            "seq": session.version,
            "now": base.now.isoformat(),
            "speedup": session.speedup,
            "bidders": len(numbers),
            "start_value": f"{session.start_value:.2f}",
            "minimal_step": f"{session.minimal_step:.2f}",
            "finished": session.finished_at is not None,
            "protocol_url": session.protocol_url or None,
        }
    )
    if viewer_bid_id is not None:
        data.update(_you(base, viewer_bid_id))
    return data


def public_state(
    session: LiveSession, *, viewer_bid_id: int | None = None, now: dt.datetime | None = None
) -> dict[str, Any]:
    return stream_view(base_of(session, now=now), viewer_bid_id=viewer_bid_id)


def stream_state(auction_id: int, *, viewer_bid_id: int | None) -> dict[str, Any] | None:
    """For the SSE stream: None when the auction has no live session (404)."""
    base = stream_base(auction_id)
    return None if base is None else stream_view(base, viewer_bid_id=viewer_bid_id)


def latest_seqs(auction_ids: list[int]) -> dict[int, int]:
    """auction id -> its session's version: the SQLite streams poll this (one query for all)."""
    rows = LiveSession.objects.filter(auction_id__in=auction_ids).values_list("auction_id", "version")
    return dict(rows)


def sessions_to_finish(now: dt.datetime) -> list[int]:
    """Auction ids of unfinished sessions whose end (as the posts so far fix it) has come; the engine
    confirms each before the finish."""
    return list(
        LiveSession.objects.filter(finished_at__isnull=True)
        .filter(Q(ends_at__lte=now) | Q(ends_at__isnull=True, start__lte=now))  # null: opened before ends_at existed
        .values_list("auction_id", flat=True)
    )


def participation_path_for(*, auction_id: int, bid_id: int) -> str:
    """The signed bidder page of a qualified bid (links go to qualified bidders only:
    docs/reference/auctions.md §1.6), while its auction is still ahead or running; refused otherwise."""
    row = Bid.objects.filter(pk=bid_id, auction_id=auction_id).values_list("status", "auction__status").first()
    if row is None:
        raise NotFound(_("There is no such bid."), code=LiveError.BID_NOT_FOUND)
    bid_status, auction_status = row
    if bid_status != BidStatus.ACTIVE:
        raise Conflict(
            _("Only a qualified bid (its guarantee paid) gets a participation link."), code=LiveError.BID_NOT_QUALIFIED
        )
    if auction_status not in {AuctionStatus.TENDERING, AuctionStatus.AUCTION}:
        raise Conflict(_("This auction's live stage is over."), code=LiveError.AUCTION_NOT_LIVE)
    return links.participation_path(auction_id, bid_id)
