"""Demo lots in several states, walked through their lives by the real services on a travelled clock."""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Callable
from decimal import Decimal
from random import Random
from typing import TypeVar

import time_machine
from PIL import Image, ImageDraw

from vzaemo.accounts.demo import DemoPeople
from vzaemo.accounts.models import Authority, AuthorityKind, Region, Role, User
from vzaemo.accounts.services import membership_grant
from vzaemo.auctions import rules, services
from vzaemo.auctions.bank import FakeBank
from vzaemo.auctions.models import Auction, Bid, Broker, Lot, LotPhoto
from vzaemo.auctions.permissions import LIVE_ENGINE
from vzaemo.auctions.states import Category, Mode, OrganiserKind, Procedure
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
        _at(
            auction.tender_end + dt.timedelta(minutes=1),
            functools.partial(services.auction_end_tendering, auction_id=auction.pk),
        )
        auction.refresh_from_db()
        return auction

    def run(auction: Auction, bids: list[Bid]) -> Auction:
        if auction.auction_start is None:
            raise RuntimeError("published auctions have a start")
        ranking = [(b.pk, auction.value + 1000 * (len(bids) - i)) for i, b in enumerate(bids)]
        _at(
            auction.auction_start + dt.timedelta(minutes=45),
            functools.partial(
                services.auction_record_result, actor=LIVE_ENGINE, auction_id=auction.pk, ranking=ranking
            ),
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


# --- a year of activity: more offices and lots, every lot with photos -------------------------------------

YEAR_OFFICES = [
    (
        "dvs-lviv",
        "Західне міжрегіональне управління Міністерства юстиції (відділ ДВС у м. Львові)",
        "State Enforcement Office in Lviv",
        "34999002",
        Region.LVIV,
        "Ярослав Мельничук",
    ),
    (
        "dvs-odesa",
        "Південне міжрегіональне управління Міністерства юстиції (відділ ДВС у м. Одесі)",
        "State Enforcement Office in Odesa",
        "34999003",
        Region.ODESA,
        "Ганна Руденко",
    ),
    (
        "dvs-dnipro",
        "Східне міжрегіональне управління Міністерства юстиції (відділ ДВС у м. Дніпрі)",
        "State Enforcement Office in Dnipro",
        "34999004",
        Region.DNIPROPETROVSK,
        "Олег Литвин",
    ),
]
TENDERING, COMPLETE, UNSOLD = "tendering", "complete", "unsold"
# title, category, start price, office, days ago, what became of it
YEAR_LOTS = [
    ("Легковий автомобіль Toyota Camry 2019", Category.VEHICLE, "780000.00", "dvs-lviv", 4, TENDERING),
    ("Квартира 2 кімнати, 48 м², вул. Городоцька", Category.REAL_ESTATE, "1450000.00", "dvs-lviv", 150, COMPLETE),
    ("Вантажний автомобіль MAN TGL 2012", Category.VEHICLE, "690000.00", "dvs-lviv", 220, COMPLETE),
    ("Деревообробний верстат Felder K 700", Category.MOVABLE, "210000.00", "dvs-lviv", 95, UNSOLD),
    ("Складське приміщення 320 м², Пересип", Category.REAL_ESTATE, "3900000.00", "dvs-odesa", 6, TENDERING),
    ("Моторний човен Yamaha 90", Category.MOVABLE, "260000.00", "dvs-odesa", 180, COMPLETE),
    ("Мікроавтобус Volkswagen Crafter 2016", Category.VEHICLE, "540000.00", "dvs-odesa", 300, COMPLETE),
    ("Право вимоги за договором поставки", Category.PROPERTY_RIGHTS, "95000.00", "dvs-odesa", 120, UNSOLD),
    ("Трактор МТЗ-82.1 2015", Category.VEHICLE, "620000.00", "dvs-dnipro", 3, TENDERING),
    ("Нежитлова будівля 210 м², смт Слобожанське", Category.REAL_ESTATE, "2750000.00", "dvs-dnipro", 260, COMPLETE),
    ("Зернозбиральний комбайн John Deere W650", Category.MOVABLE, "3100000.00", "dvs-dnipro", 130, COMPLETE),
    ("Комп'ютерна техніка (24 одиниці)", Category.MOVABLE, "120000.00", "dvs-dnipro", 70, UNSOLD),
]
VIEWS = [("загальний вигляд", "general view"), ("вигляд збоку", "side view"), ("деталі", "close-up")]
CATEGORY_NOUNS: dict[str, tuple[str, str]] = {
    Category.VEHICLE: ("Транспортний засіб", "The vehicle"),
    Category.REAL_ESTATE: ("Об'єкт нерухомості", "The property"),
    Category.MOVABLE: ("Майно", "The item"),
    Category.PROPERTY_RIGHTS: ("Документи щодо права вимоги", "The documents of the claim"),
}


def demo_photo(category: str, view: int, rng: Random) -> bytes:
    """A simple picture of the asset, drawn at seed time so the repository carries no binary files."""
    width, height = 800, 600
    image = Image.new("RGB", (width, height), (205, 225, 240))
    draw = ImageDraw.Draw(image)
    horizon = 380 + 30 * view
    for y in range(horizon):  # the sky, lighter towards the horizon
        shade = 190 + 50 * y // horizon
        draw.line([(0, y), (width, y)], fill=(shade - 40, shade - 15, 250))
    draw.rectangle([0, horizon, width, height], fill=(120 + rng.randint(0, 30), 130, 110))
    paint = (rng.randint(40, 200), rng.randint(40, 160), rng.randint(40, 200))
    scale = 1.0 + 0.35 * view
    cx = width // 2 + rng.randint(-60, 60)

    def box(x0: float, y0: float, x1: float, y1: float) -> list[float]:
        return [
            cx + (x0 - 400) * scale,
            horizon + (y0 - 400) * scale,
            cx + (x1 - 400) * scale,
            horizon + (y1 - 400) * scale,
        ]

    if category == Category.VEHICLE:
        draw.rounded_rectangle(box(190, 300, 610, 390), radius=30, fill=paint)
        draw.rounded_rectangle(box(270, 240, 520, 310), radius=25, fill=paint)
        draw.rectangle(box(290, 255, 390, 300), fill=(180, 210, 230))
        draw.rectangle(box(405, 255, 500, 300), fill=(180, 210, 230))
        for x in (270, 530):
            draw.ellipse(box(x - 40, 350, x + 40, 430), fill=(30, 30, 30))
            draw.ellipse(box(x - 18, 372, x + 18, 408), fill=(160, 160, 160))
    elif category == Category.REAL_ESTATE:
        draw.rectangle(box(220, 150, 580, 400), fill=(200, 190, 170))
        draw.polygon(
            [tuple(box(200, 150, 600, 150)[:2]), tuple(box(600, 150, 600, 150)[:2]), tuple(box(400, 80, 400, 80)[:2])],
            fill=paint,
        )
        for row in range(3):
            for col in range(4):
                x, y = 245 + col * 85, 175 + row * 70
                draw.rectangle(box(x, y, x + 45, y + 45), fill=(120, 160, 200))
        draw.rectangle(box(375, 330, 425, 400), fill=(100, 70, 50))
    elif category == Category.PROPERTY_RIGHTS:
        draw.rectangle(box(280, 120, 520, 420), fill=(250, 250, 245), outline=(80, 80, 80))
        for i in range(9):
            draw.line(box(305, 160 + 25 * i, 495 - 40 * (i % 2), 160 + 25 * i), fill=(90, 90, 90), width=3)
        draw.ellipse(box(420, 350, 490, 410), outline=(30, 60, 160), width=5)
    else:
        draw.rectangle(box(230, 260, 570, 400), fill=paint)
        draw.rectangle(box(280, 200, 420, 260), fill=(90, 90, 90))
        draw.ellipse(box(450, 170, 540, 260), outline=(60, 60, 60), width=12)
        draw.rectangle(box(250, 400, 550, 415), fill=(50, 50, 50))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _photograph(lot: Lot, officer: User, rng: Random) -> None:
    noun_uk, noun_en = CATEGORY_NOUNS.get(lot.category, ("Майно", "The item"))
    for view in range(rng.randint(2, 3)):
        view_uk, view_en = VIEWS[view]
        services.lot_photo_add(
            actor=officer,
            lot_id=lot.pk,
            file=io.BytesIO(demo_photo(lot.category, view, rng)),
            alt_uk=f"{noun_uk} «{lot.title}»: {view_uk}",
            alt_en=f"{noun_en} of the lot «{lot.title}»: {view_en}",
        )


def _year_listing(broker: Broker, office: Authority, title: str, category: str, *, value: str, n: int) -> Auction:
    lot = services.lot_create(
        broker=broker,
        organiser=office,
        organiser_kind=OrganiserKind.STATE,
        title=title,
        description=f"{title}. Арештоване майно боржника у виконавчому провадженні; огляд за домовленістю.",
        category=category,
        region=office.region,
        address=office.get_region_display(),
        enforcement_proceeding=f"ВП № {72_000_000 + n}",
        start_value=value,
    )
    band = rules.lead_band(
        Decimal(value), registry.get(rules.LEAD_BAND1_MAX_VALUE), registry.get(rules.LEAD_BAND2_MAX_VALUE)
    )
    lead = registry.get(f"{rules.LEAD_MIN}{band}").as_int
    start = calendar.at_kyiv(calendar.add_working_days(clock.today(), lead), dt.time(11))
    auction = services.auction_create(broker=broker, lot_id=lot.pk, procedure=Procedure.ENGLISH, auction_start=start)
    return services.auction_publish(broker=broker, auction_id=auction.pk)


def _year_bid(bank: FakeBank, platform: Broker, auction: Auction, i: int) -> Bid:
    bid = services.bid_create(
        broker=platform,
        auction_id=auction.pk,
        bidder_name=f"ТОВ «Покупець {auction.pk}-{i + 1}»",
        bidder_identifier=f"{41_000_000 + auction.pk * 10 + i}",
        value=str(auction.value + 1000 * i),
    )
    services.bid_submit(broker=platform, bid_id=bid.pk)
    bank.pay_guarantee(bid)
    return bid


def seed_auctions_year(people: DemoPeople) -> int:
    """Three more enforcement offices and a dozen lots over the year (tendering now, sold, unsold and
    relisted), and photos for every real lot that has none. Idempotent: does nothing once any lot has a
    photo. Returns how many lots it listed."""
    if LotPhoto.objects.exists():
        return 0
    rng = Random(2029)  # noqa: S311 - reproducible demo data, not secrets
    admin = people.officials["admin"]
    brokers = list(Broker.objects.filter(edrpou__in=("39958500", "43000011")).order_by("edrpou"))
    if len(brokers) < 2:  # noqa: PLR2004 - SETAM and its partner, from seed_auctions
        return 0
    setam, partner = brokers
    bank = FakeBank()
    offices: dict[str, tuple[Authority, User]] = {}
    for slug, name_uk, name_en, edrpou, region, officer_name in YEAR_OFFICES:
        office, _ = Authority.objects.update_or_create(
            slug=slug,
            defaults={
                "name_uk": name_uk,
                "name_en": name_en,
                "kind": AuthorityKind.CENTRAL_EXECUTIVE,
                "edrpou": edrpou,
                "region": region,
                "parent": people.authorities.get("minjust"),
            },
        )
        officer, _ = User.objects.update_or_create(
            email=f"officer.{slug}@vzaemo.example",
            defaults={"full_name": officer_name, "email_verified": True, "password": admin.password},
        )
        membership_grant(actor=admin, user=officer, role=Role.OFFICIAL, authority=office)
        offices[slug] = (office, officer)
    now = clock.now().replace(microsecond=0)
    listed = 0
    for n, (title, category, value, slug, days_ago, outcome) in enumerate(YEAR_LOTS):
        office, officer = offices[slug]
        t0 = now - dt.timedelta(days=days_ago)

        auction = _at(t0, functools.partial(_year_listing, setam, office, title, category, value=value, n=n))
        _at(t0 + dt.timedelta(hours=1), functools.partial(_photograph, auction.lot, officer, rng))
        listed += 1
        if outcome == TENDERING:
            continue
        tender_start, tender_end = _when(auction.tender_start), _when(auction.tender_end)
        bids: list[Bid] = []
        if outcome == COMPLETE:
            for i in range(rng.randint(2, 4)):
                platform = (setam, partner)[i % 2]

                bids.append(
                    _at(
                        tender_start + dt.timedelta(days=1, hours=i),
                        functools.partial(_year_bid, bank, platform, auction, i),
                    )
                )
        _at(
            tender_end + dt.timedelta(minutes=1),
            functools.partial(services.auction_end_tendering, auction_id=auction.pk),
        )
        if outcome == UNSOLD:
            continue
        start = _when(auction.auction_start)
        step = auction.minimal_step
        ranking = [(b.pk, auction.value + step * (len(bids) - i) * 3) for i, b in enumerate(bids)]
        _at(
            start + dt.timedelta(minutes=50),
            functools.partial(
                services.auction_record_result, actor=LIVE_ENGINE, auction_id=auction.pk, ranking=ranking
            ),
        )
        auction.refresh_from_db()
        award = auction.awards.get(rank=1)
        t = _when(auction.result_recorded_at)
        _at(
            t + dt.timedelta(hours=5),
            functools.partial(
                services.award_upload_protocol,
                actor=officer,
                award_id=award.pk,
                document=f"https://docs.vzaemo.example/protocol-{auction.pk}.pdf",
            ),
        )
        _at(t + dt.timedelta(days=3), functools.partial(bank.pay_price, award))
        contract = auction.contracts.get()
        _at(t + dt.timedelta(days=6), functools.partial(services.contract_sign, actor=officer, contract_id=contract.pk))
    # The story's lots (and the live engine's) get photos too, by their office's officer.
    kyiv_officer = User.objects.filter(email="officer.dvs@vzaemo.example").first()
    for lot in Lot.objects.filter(mode=Mode.REAL, photos__isnull=True).order_by("pk"):
        if kyiv_officer is not None and lot.organiser.slug == "dvs-kyiv":
            _at(lot.created_at + dt.timedelta(hours=1), functools.partial(_photograph, lot, kyiv_officer, rng))
    return listed
