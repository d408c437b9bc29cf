"""A test-mode live auction that starts in seconds: for the demo, the end-to-end tests and bench/live.

It walks the real services (lot, auction, bids, the fake bank's guarantees, the end of tendering) on a
travelled clock, as the demo does, then opens the live session with the sandbox accelerator
(`live_session_open(speedup=…, start=…)`, test mode only). The end of tendering and the opening share
one transaction, so the chronograph never opens the session first with the normal timing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import time_machine
from django.db import transaction

from vzaemo.accounts.models import Authority, AuthorityKind, Region
from vzaemo.auctions import rules as auction_rules
from vzaemo.auctions import services as cdb
from vzaemo.auctions.bank import FakeBank
from vzaemo.auctions.models import Auction, Bid, Broker, Lot
from vzaemo.auctions.states import Category, Mode, OrganiserKind, Procedure
from vzaemo.core import calendar, clock
from vzaemo.core import rules as registry
from vzaemo.live import links, services
from vzaemo.live.models import LiveSession


@dataclass(frozen=True)
class SandboxAuction:
    auction: Auction
    session: LiveSession
    bids: list[Bid]

    def as_dict(self, origin: str = "") -> dict[str, Any]:
        return {
            "auction_id": self.auction.pk,
            "observer": f"{origin}/live/{self.auction.pk}/",
            "start": self.session.start.isoformat(),
            "bidders": [
                {
                    "bid_id": bid.pk,
                    "name": bid.bidder_name,
                    "url": origin + links.participation_path(self.auction.pk, bid.pk),
                }
                for bid in self.bids
            ],
        }


def _broker(name: str, edrpou: str) -> Broker:
    broker, _ = Broker.objects.get_or_create(
        edrpou=edrpou,
        defaults={"name": name, "created_at": clock.now(), "can_create": True, "can_edit": True, "sandbox": True},
    )
    return broker


def _organiser() -> Authority:
    office, _ = Authority.objects.get_or_create(
        slug="sandbox-enforcement-office",
        defaults={
            "name_uk": "Відділ виконавчої служби (пісочниця)",
            "name_en": "Enforcement office (sandbox)",
            "kind": AuthorityKind.CENTRAL_EXECUTIVE,
            "edrpou": "34999777",
            "region": Region.KYIV_CITY,
        },
    )
    return office


def listed_with_bidders(
    *,
    owner: Broker,
    platforms: list[Broker],
    office: Authority,
    mode: str,
    procedure: str,
    bidders: int,
    value: str,
    title: str,
    back_days: int = 70,
) -> tuple[Auction, list[Bid]]:
    """A lot listed `back_days` ago and its auction published, with `bidders` qualified bids (guarantees
    paid through the fake bank), all by the real services on a travelled clock; tendering not yet ended."""
    n = Lot.objects.count() + 1
    with time_machine.travel(clock.now() - dt.timedelta(days=back_days), tick=False):
        lot = cdb.lot_create(
            broker=owner,
            organiser=office,
            organiser_kind=OrganiserKind.STATE,
            title=title,
            description=f"{title}. Арештоване майно боржника у виконавчому провадженні.",
            category=Category.MOVABLE,
            region=Region.KYIV_CITY,
            address="м. Київ",
            enforcement_proceeding=f"ВП № L-{n}",
            start_value=value,
            mode=mode,
        )
        band = auction_rules.lead_band(
            lot.start_value,
            registry.get(auction_rules.LEAD_BAND1_MAX_VALUE),
            registry.get(auction_rules.LEAD_BAND2_MAX_VALUE),
        )
        lead = registry.get(f"{auction_rules.LEAD_MIN}{band}").as_int
        start = calendar.at_kyiv(calendar.add_working_days(clock.today(), lead), dt.time(10))
        auction = cdb.auction_create(broker=owner, lot_id=lot.pk, procedure=procedure, auction_start=start)
        auction = cdb.auction_publish(broker=owner, auction_id=auction.pk)
    bank = FakeBank()
    made: list[Bid] = []
    assert auction.tender_start is not None  # noqa: S101 - published
    assert auction.tender_end is not None  # noqa: S101 - published
    with time_machine.travel(auction.tender_start + dt.timedelta(hours=1), tick=False):
        for i in range(bidders):
            platform = platforms[i % len(platforms)]
            bid = cdb.bid_create(
                broker=platform,
                auction_id=auction.pk,
                bidder_name=f"ФОП Учасник {n}-{i + 1}",
                bidder_identifier=f"{3_900_000_000 + n * 100 + i}",
                value=str(auction.value) if procedure == Procedure.ENGLISH else None,
            )
            cdb.bid_submit(broker=platform, bid_id=bid.pk)
            bank.pay_guarantee(bid)
            made.append(bid)
    return auction, made


# One transaction from the lot to the open session: the auction is made on a travelled clock, so its tendering
# ended long ago in real time, and a chronograph (`auctions.deadlines`) that saw it committed before its guarantees
# were paid would end its tendering without bidders (seen with two platform sets on a loaded box).
@transaction.atomic
def sandbox_auction(
    *,
    procedure: str = Procedure.ENGLISH,
    bidders: int = 3,
    value: str = "100000.00",
    speedup: int = 30,
    start_in: float = 10.0,
    timing: dict[str, Any] | None = None,
) -> SandboxAuction:
    """A live test auction with `bidders` qualified bidders whose first pause starts `start_in` seconds
    from now; every stage runs `speedup` times faster than the rules say."""
    auction, made = listed_with_bidders(
        owner=_broker("Пісочниця: організатор (sandbox)", "43000901"),
        platforms=[
            _broker("Пісочниця: майданчик A (sandbox)", "43000902"),
            _broker("Пісочниця: майданчик B (sandbox)", "43000903"),
        ],
        office=_organiser(),
        mode=Mode.TEST,
        procedure=procedure,
        bidders=bidders,
        value=value,
        title="Тестовий лот: вантажний автомобіль МАЗ 2012",
    )
    assert auction.tender_end is not None  # noqa: S101 - published
    with transaction.atomic():
        with time_machine.travel(auction.tender_end + dt.timedelta(minutes=1), tick=False):
            cdb.auction_end_tendering(auction_id=auction.pk)
        session = services.live_session_open(
            auction_id=auction.pk,
            speedup=speedup,
            start=clock.now() + dt.timedelta(seconds=start_in),
            timing=timing,
        )
    auction.refresh_from_db()
    for bid in made:
        bid.refresh_from_db()
    return SandboxAuction(auction=auction, session=session, bids=made)
