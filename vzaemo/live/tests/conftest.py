"""A live English or Dutch auction with qualified bidders, opened at a fixed time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from vzaemo.auctions.models import Auction, Bid
from vzaemo.auctions.states import AuctionStatus, Procedure
from vzaemo.auctions.tests import factories as f
from vzaemo.core.clock import KYIV
from vzaemo.live import services
from vzaemo.live.models import LiveSession

NOW = dt.datetime(2026, 1, 14, 10, 0, tzinfo=KYIV)  # a Wednesday


@dataclass
class Live:
    auction: Auction
    bids: list[Bid]
    session: LiveSession
    traveller: Any

    def at(self, seconds: float) -> dt.datetime:
        """`seconds` after the auction starts (the first pause begins then)."""
        moment = self.session.start + dt.timedelta(seconds=seconds)
        self.traveller.move_to(moment)
        return moment


def open_live(
    traveller: Any, *, procedure: str = Procedure.ENGLISH, bidders: int = 3, values: list[str] | None = None
) -> Live:
    w = f.world()
    a = f.auction(w, procedure=procedure)
    made = []
    for i in range(bidders):
        value = values[i] if values else None
        made.append(f.bid(w, a, by=i, value=value))
        traveller.shift(dt.timedelta(seconds=1))  # distinct submission times
    f.end_tendering(traveller, a)
    assert a.status == AuctionStatus.AUCTION
    session = services.live_session_open(auction_id=a.pk)
    return Live(auction=a, bids=made, session=session, traveller=traveller)


@pytest.fixture
def traveller() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as t:
        yield t
