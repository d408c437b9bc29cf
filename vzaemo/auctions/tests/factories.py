"""Auction test data, walked to its state THROUGH THE SERVICES on a travelled clock (never `status=` by hand)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from vzaemo.accounts.models import Authority, AuthorityKind, Membership, Region, Role, User
from vzaemo.accounts.tests.factories import AuthorityFactory, MembershipFactory
from vzaemo.auctions import rules, services
from vzaemo.auctions.models import Auction, Bid, Broker, Lot
from vzaemo.auctions.permissions import BANK_FEED, LIVE_ENGINE
from vzaemo.auctions.states import Category, Mode, OrganiserKind, Procedure
from vzaemo.core import calendar, clock
from vzaemo.core import rules as registry

_seq = itertools.count(1)


def broker(*, sandbox: bool = False, can_create: bool = True, can_edit: bool = True, **extra: Any) -> Broker:
    n = next(_seq)
    return Broker.objects.create(
        name=extra.pop("name", f"Майданчик № {n}"),
        edrpou=f"{30_000_000 + n:08d}",
        can_create=can_create,
        can_edit=can_edit,
        sandbox=sandbox,
        created_at=clock.now(),
        **extra,
    )


def organiser() -> Authority:
    """A state enforcement office: it organises the sale of arrested assets."""
    n = next(_seq)
    return AuthorityFactory(
        slug=f"dvs-{n}",
        name_uk=f"Відділ державної виконавчої служби № {n}",
        name_en=f"State enforcement office No. {n}",
        kind=AuthorityKind.CENTRAL_EXECUTIVE,
        edrpou=f"{35_000_000 + n:08d}",
        email="",
        accepts_petitions=False,
    )


def official_of(authority: Authority) -> User:
    n = next(_seq)
    membership: Membership = MembershipFactory(
        authority=authority,
        role=Role.OFFICIAL,
        user__email=f"officer{n}@dvs.example.test",
        user__full_name=f"Виконавець {n}",
    )
    return membership.user


@dataclass
class World:
    owner: Broker
    bidders: list[Broker]
    organiser: Authority
    official: User
    identifiers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


def world() -> World:
    authority = organiser()
    return World(owner=broker(), bidders=[broker(), broker()], organiser=authority, official=official_of(authority))


def lot(w: World, *, value: str = "100000.00", category: str = Category.MOVABLE, mode: str = Mode.REAL) -> Lot:
    return services.lot_create(
        broker=w.owner,
        organiser=w.organiser,
        organiser_kind=OrganiserKind.STATE,
        title="Автонавантажувач Toyota 2015 р.",
        description="Арештоване майно боржника, технічно справне.",
        category=category,
        region=Region.KYIV_CITY,
        address="м. Київ, вул. Промислова, 1",
        enforcement_proceeding="ВП № 71234567",
        encumbrances="Податкова застава",
        start_value=value,
        mode=mode,
    )


def first_allowed_start(value: Decimal, procedure: str) -> dt.datetime:
    """10:00 Kyiv on the earliest day the listing lead time allows from today."""
    if procedure == Procedure.FIXED_PRICE:
        key = rules.FIXED_LEAD_MIN
    else:
        band = rules.lead_band(
            value, registry.get(rules.LEAD_BAND1_MAX_VALUE), registry.get(rules.LEAD_BAND2_MAX_VALUE)
        )
        key = f"{rules.LEAD_MIN}{band}"
    day = calendar.add_working_days(clock.today(), registry.get(key).as_int)
    return calendar.at_kyiv(day, dt.time(10))


def auction(
    w: World, *, procedure: str = Procedure.ENGLISH, publish: bool = True, lot_: Lot | None = None, **lot_kwargs: str
) -> Auction:
    the_lot = lot_ or lot(w, **lot_kwargs)
    created = services.auction_create(
        broker=w.owner,
        lot_id=the_lot.pk,
        procedure=procedure,
        auction_start=first_allowed_start(the_lot.start_value, procedure),
    )
    if publish:
        services.auction_publish(broker=w.owner, auction_id=created.pk)
    created.refresh_from_db()
    return created


def bid(w: World, a: Auction, *, by: int = 0, value: str | None = None, paid: bool = True, submit: bool = True) -> Bid:
    n = next(w.identifiers)
    amount = value if value is not None else (str(a.value) if a.procedure == Procedure.ENGLISH else None)
    made = services.bid_create(
        broker=w.bidders[by % len(w.bidders)],
        auction_id=a.pk,
        bidder_name=f"ТОВ «Покупець {n}»",
        bidder_identifier=f"{20_000_000 + n:08d}",
        value=amount,
    )
    if submit:
        services.bid_submit(broker=w.bidders[by % len(w.bidders)], bid_id=made.pk)
    if paid:
        services.bid_confirm_guarantee(actor=BANK_FEED, bid_id=made.pk, amount=a.guarantee, reference=f"PAY-{made.pk}")
    made.refresh_from_db()
    return made


def end_tendering(traveller: Any, a: Auction) -> Auction:
    a.refresh_from_db()
    assert a.tender_end is not None
    traveller.move_to(a.tender_end + dt.timedelta(minutes=1))
    services.auction_deadlines_apply()
    a.refresh_from_db()
    return a


def to_qualification(traveller: Any, w: World, *, bids: int = 2) -> tuple[Auction, list[Bid]]:
    """An English auction with `bids` qualified bids, run and ranked in bid order (the first bid wins)."""
    a = auction(w)
    made = [bid(w, a, by=i) for i in range(bids)]
    end_tendering(traveller, a)
    assert a.auction_start is not None
    traveller.move_to(a.auction_start + dt.timedelta(minutes=40))
    ranking = [(b.pk, a.value + Decimal(1000) * (bids - i)) for i, b in enumerate(made)]
    services.auction_record_result(actor=LIVE_ENGINE, auction_id=a.pk, ranking=ranking)
    a.refresh_from_db()
    return a, made
