"""Demo lots in several states, walked through their lives by the real services on a travelled clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

import time_machine

from vzaemo.accounts.demo import DemoPeople
from vzaemo.accounts.models import Authority, AuthorityKind, Region, Role, User
from vzaemo.accounts.services import membership_grant
from vzaemo.auctions import rules, services
from vzaemo.auctions.bank import FakeBank
from vzaemo.auctions.models import Auction, Bid, Broker, Lot
from vzaemo.auctions.permissions import LIVE_ENGINE
from vzaemo.auctions.states import Category, OrganiserKind, Procedure
from vzaemo.core import calendar, clock
from vzaemo.core import rules as registry

T = TypeVar("T")


def _at(moment: dt.datetime, action: Callable[[], T]) -> T:
    with time_machine.travel(moment, tick=False):
        return action()


def _when(moment: dt.datetime | None) -> dt.datetime:
    if moment is None:
        raise RuntimeError("the demo walks only objects whose periods are set")
    return moment


def _broker(name: str, edrpou: str, **levels: bool) -> Broker:
    broker, _ = Broker.objects.update_or_create(
        edrpou=edrpou, defaults={"name": name, "created_at": clock.now(), "is_active": True, **levels}
    )
    return broker


def seed_auctions(people: DemoPeople) -> int:  # noqa: PLR0915 - the demo's story, told in order
    """Two brokers, a sandbox one, an enforcement office and five lots: tendering, auction pending,
    qualification (winner defaulted, runner-up promoted), complete, and an unsuccessful lot relisted."""
    if Lot.objects.exists():
        return 0
    admin = people.officials["admin"]
    office, _ = Authority.objects.update_or_create(
        slug="dvs-kyiv",
        defaults={
            "name_uk": "Центральний відділ державної виконавчої служби у м. Києві",
            "name_en": "Central State Enforcement Office in Kyiv",
            "kind": AuthorityKind.CENTRAL_EXECUTIVE,
            "edrpou": "34999001",
            "region": Region.KYIV_CITY,
            "parent": people.authorities.get("minjust"),
        },
    )
    officer, _ = User.objects.update_or_create(
        email="officer.dvs@vzaemo.example",
        defaults={"full_name": "Роман Гнатюк", "email_verified": True, "password": admin.password},
    )
    membership_grant(actor=admin, user=officer, role=Role.OFFICIAL, authority=office)
    setam = _broker("ДП «СЕТАМ» (демо)", "39958500", can_create=True, can_edit=True)
    partner = _broker("ТОВ «Е-Торги Партнер» (демо)", "43000011", can_create=True, can_edit=True)
    _broker("ТОВ «Пісочниця» (демо, sandbox)", "43000022", can_create=True, can_edit=True, sandbox=True)
    brokers = [setam, partner]
    bank = FakeBank()

    now = clock.now().replace(microsecond=0)
    base = now - dt.timedelta(days=90)
    count = 0

    def listing(title: str, category: str, value: str, days_ago: int, procedure: str = Procedure.ENGLISH) -> Auction:
        t0 = now - dt.timedelta(days=days_ago)

        def create() -> Auction:
            lot = services.lot_create(
                broker=setam,
                organiser=office,
                organiser_kind=OrganiserKind.STATE,
                title=title,
                description=f"{title}. Арештоване майно боржника у виконавчому провадженні.",
                category=category,
                region=Region.KYIV_CITY,
                address="м. Київ",
                enforcement_proceeding=f"ВП № {70_000_000 + days_ago}",
                start_value=value,
            )
            band = rules.lead_band(
                Decimal(value), registry.get(rules.LEAD_BAND1_MAX_VALUE), registry.get(rules.LEAD_BAND2_MAX_VALUE)
            )
            key = rules.FIXED_LEAD_MIN if procedure == Procedure.FIXED_PRICE else f"{rules.LEAD_MIN}{band}"
            start = calendar.at_kyiv(calendar.add_working_days(clock.today(), registry.get(key).as_int), dt.time(10))
            auction = services.auction_create(broker=setam, lot_id=lot.pk, procedure=procedure, auction_start=start)
            return services.auction_publish(broker=setam, auction_id=auction.pk)

        return _at(t0, create)

    def bidders(auction: Auction, n: int) -> list[Bid]:
        made: list[Bid] = []
        for i in range(n):
            bid = services.bid_create(
                broker=brokers[i % 2],
                auction_id=auction.pk,
                bidder_name=f"ФОП Учасник {auction.pk}-{i + 1}",
                bidder_identifier=f"{3_100_000_000 + auction.pk * 10 + i}",
                value=str(auction.value + 500 * i) if auction.procedure == Procedure.ENGLISH else None,
            )
            services.bid_submit(broker=brokers[i % 2], bid_id=bid.pk)
            bank.pay_guarantee(bid)
            made.append(bid)
        return made

    def after_tendering(auction: Auction) -> Auction:
        auction.refresh_from_db()
        if auction.tender_end is None:
            raise RuntimeError("published auctions have a tendering end")
        _at(auction.tender_end + dt.timedelta(minutes=1), lambda: services.auction_end_tendering(auction_id=auction.pk))
        auction.refresh_from_db()
        return auction

    def run(auction: Auction, bids: list[Bid]) -> Auction:
        if auction.auction_start is None:
            raise RuntimeError("published auctions have a start")
        ranking = [(b.pk, auction.value + 1000 * (len(bids) - i)) for i, b in enumerate(bids)]
        _at(
            auction.auction_start + dt.timedelta(minutes=45),
            lambda: services.auction_record_result(actor=LIVE_ENGINE, auction_id=auction.pk, ranking=ranking),
        )
        auction.refresh_from_db()
        return auction

    # 1. Accepting bids now.
    open_lot = listing("Легковий автомобіль Škoda Octavia 2017", Category.VEHICLE, "320000.00", 3)
    _at(now - dt.timedelta(days=1), lambda: bidders(open_lot, 2))
    count += 1

    # 2. Complete: protocol, payment, contract.
    done = listing("Нежитлове приміщення 54 м², Поділ", Category.REAL_ESTATE, "1850000.00", 80)
    bids = _at(base, lambda: bidders(done, 3))
    done = after_tendering(done)
    done = run(done, bids)
    award = done.awards.get(rank=1)
    t = done.result_recorded_at or now
    _at(
        t + dt.timedelta(hours=3),
        lambda: services.award_upload_protocol(
            actor=officer, award_id=award.pk, document="https://docs.vzaemo.example/protocol-1.pdf"
        ),
    )
    _at(t + dt.timedelta(days=2), lambda: bank.pay_price(award))
    contract = done.contracts.get()
    _at(t + dt.timedelta(days=4), lambda: services.contract_sign(actor=officer, contract_id=contract.pk))
    count += 1

    # 3. The winner defaulted; the runner-up now has to pay.
    chain = listing("Токарний верстат 16К20", Category.MOVABLE, "145000.00", 60)
    bids = _at(_when(chain.tender_start) + dt.timedelta(days=1), lambda: bidders(chain, 2))
    chain = after_tendering(chain)
    chain = run(chain, bids)
    first = chain.awards.get(rank=1)
    _at(_when(first.payment_due_at) + dt.timedelta(minutes=1), lambda: services.award_default(award_id=first.pk))
    count += 1

    # 4. Nobody paid a guarantee: unsuccessful, the second attempt waits as a draft at −15%.
    listing_4 = listing("Право вимоги за кредитним договором", Category.PROPERTY_RIGHTS, "60000.00", 45)
    after_tendering(listing_4)
    count += 1

    # 5. A small fixed-price sale, accepting bids.
    listing("Офісні меблі (12 одиниць)", Category.MOVABLE, "18000.00", 2, Procedure.FIXED_PRICE)
    count += 1
    return count
