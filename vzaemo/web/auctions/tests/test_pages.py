"""The public auction pages through Django's test client, on data walked through the auctions services:
what the public sees of a lot, its attempts and its auctions, and that bidders stay anonymous."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from vzaemo.accounts.demo import seed_people
from vzaemo.accounts.models import Region
from vzaemo.auctions import services
from vzaemo.auctions.bank import FakeBank
from vzaemo.auctions.demo import seed_auctions
from vzaemo.auctions.models import Auction, Bid, Lot
from vzaemo.auctions.states import AuctionStatus, Category, Mode, OrganiserKind, Procedure
from vzaemo.auctions.tests import factories as f
from vzaemo.core import calendar
from vzaemo.core.clock import KYIV
from vzaemo.web.auctions import views as auctions_views

pytestmark = pytest.mark.django_db

S = AuctionStatus
NOW = dt.datetime(2026, 1, 14, 10, 0, tzinfo=KYIV)  # a Wednesday


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def clock_() -> Iterator[Any]:
    calendar.reset_cache()
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
    calendar.reset_cache()


@pytest.fixture
def w() -> f.World:
    return f.world()


def get(name: str, *args: Any, **query: str) -> HttpResponse:
    path = reverse(f"web:auction_{name}", args=args)
    response = Client().get(path, query)
    assert isinstance(response, HttpResponse)
    return response


def html(name: str, *args: Any, **query: str) -> str:
    response = get(name, *args, **query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def secrets_of(bids: list[Bid], w: f.World) -> list[str]:
    """What would identify a bidder: names, codes, guarantee references, and their brokers' names and codes."""
    found = []
    for bid in bids:
        bid.refresh_from_db()
        found += [bid.bidder_name, bid.bidder_identifier]
        if bid.guarantee_reference:
            found.append(bid.guarantee_reference)
    for broker in w.bidders:
        found += [broker.name, broker.edrpou]
    return found


def assert_none_in(page: str, secrets: list[str]) -> None:
    leaked = [s for s in secrets if s in page]
    assert not leaked, f"leaked: {leaked}"


# --- the auction page -----------------------------------------------------------------------------


def test_tendering_auction_hides_every_bidder(w: f.World) -> None:
    auction = f.auction(w)
    bids = [f.bid(w, auction, by=0), f.bid(w, auction, by=1), f.bid(w, auction, by=0, paid=False)]

    page = html("detail", auction.pk)

    assert auction.lot.title in page
    assert auction.public_id in page
    assert "accepting bids" in page
    assert "Bidders are disclosed only when the auction ends." in page
    assert "Bidder 1" not in page
    assert "bidders took part" not in page  # not even how many
    assert "/bids" not in page  # the history leaves the bids out
    assert_none_in(page, secrets_of(bids, w))
    # Amounts in UAH, the rules cited.
    assert "100,000.00\u00a0UAH" in page
    assert "Rules applied" in page
    assert 'class="rule"' in page


def test_after_the_auction_bidders_are_numbered_never_named(clock_: Any, w: f.World) -> None:
    auction, bids = f.to_qualification(clock_, w, bids=3)

    page = html("detail", auction.pk)

    assert "qualification of the winner" in page
    assert "3 bidders took part." in page
    for n in (1, 2, 3):
        assert f"Bidder {n}" in page
    assert "pending: protocol and payment" in page
    assert "runner-up, waiting" in page
    assert_none_in(page, secrets_of(bids, w))


def test_complete_auction_shows_award_chain_and_contract(clock_: Any, w: f.World) -> None:
    auction, bids = f.to_qualification(clock_, w, bids=2)
    award = auction.awards.get(rank=1)
    services.award_upload_protocol(actor=w.official, award_id=award.pk, document="https://docs.example.test/p.pdf")
    FakeBank().pay_price(award)
    services.contract_sign(actor=w.official, contract_id=auction.contracts.get().pk)

    page = html("detail", auction.pk)

    assert "complete" in page
    assert "Contract" in page
    assert "signed" in page
    assert f"{award.value:,.2f}\u00a0UAH" in page
    assert_none_in(page, secrets_of(bids, w))


def test_revision_history_is_told_in_words_not_json_pointers(w: f.World) -> None:
    auction = f.auction(w)

    page = html("detail", auction.pk)

    assert "History of changes" in page
    assert "The auction was created." in page
    assert "The auction was published: bids are accepted." in page
    assert "<code>/" not in page
    assert "/status" not in page


def test_a_default_reads_as_what_happened_to_the_winner_and_the_runner_up(clock_: Any, w: f.World) -> None:
    auction, _bids = f.to_qualification(clock_, w)
    first = auction.awards.get(rank=1)
    assert first.payment_due_at is not None
    clock_.move_to(first.payment_due_at + dt.timedelta(seconds=1))
    assert services.auction_deadlines_apply() == 1

    page = html("detail", auction.pk)

    assert (
        "The winner did not pay in time. The guarantee was retained. "
        "The next bidder in the ranking was invited to sign the protocol and pay.</li>"
    ) in page
    assert "Other details changed." not in page


def test_draft_and_test_mode_auctions_are_not_found(w: f.World) -> None:
    draft = f.auction(w, publish=False)
    sandbox = f.auction(w, mode=Mode.TEST)

    assert get("detail", draft.pk).status_code == 404
    assert get("detail", sandbox.pk).status_code == 404
    assert get("lot_detail", draft.lot_id).status_code == 404
    assert get("lot_detail", sandbox.lot_id).status_code == 404
    assert get("detail", 999_999).status_code == 404


# --- the lot page -----------------------------------------------------------------------------------


def test_lot_page_shows_the_asset_and_its_attempts(clock_: Any, w: f.World) -> None:
    first = f.auction(w, value="60000.00")
    f.end_tendering(clock_, first)  # nobody bid: unsuccessful, the next attempt is a draft marked down
    assert first.status == S.UNSUCCESSFUL
    following = Auction.objects.get(previous=first)

    page = html("lot_detail", first.lot_id)

    lot = first.lot
    for text in (lot.title, lot.description, lot.address, lot.enforcement_proceeding, lot.encumbrances):
        assert text in page
    assert w.organiser.name_en in page
    assert "movable property" in page
    assert "Kyiv" in page
    assert "Attempt 1" in page
    assert "Not sold" in page
    assert "Attempt 2" not in page  # the draft attempt is not announced
    assert get("detail", following.pk).status_code == 404


def test_lot_history_shows_markdowns_and_the_sale(clock_: Any, w: f.World) -> None:
    first = f.auction(w, value="60000.00")
    f.end_tendering(clock_, first)
    second = Auction.objects.get(previous=first)
    start = f.first_allowed_start(second.value, second.procedure)
    services.auction_update_draft(broker=w.owner, auction_id=second.pk, auction_start=start)
    services.auction_publish(broker=w.owner, auction_id=second.pk)
    second.refresh_from_db()

    page = html("lot_detail", first.lot_id)

    assert "Attempt 1" in page
    assert "Attempt 2" in page
    assert f"−{second.markdown_percent.normalize():f}%" in page
    assert f"{second.value:,.2f}\u00a0UAH" in page
    assert reverse("web:auction_detail", args=[second.pk]) in page


# --- the list --------------------------------------------------------------------------------------


def _lot(w: f.World, *, category: str, region: str, title: str) -> Lot:
    return services.lot_create(
        broker=w.owner,
        organiser=w.organiser,
        organiser_kind=OrganiserKind.STATE,
        title=title,
        description="Арештоване майно.",
        category=category,
        region=region,
        enforcement_proceeding="ВП № 1",
        start_value="100000.00",
    )


def test_list_shows_only_real_published_auctions(w: f.World) -> None:
    real = f.auction(w)
    draft = f.auction(w, publish=False)
    f.auction(w, mode=Mode.TEST)

    page = html("list")

    assert reverse("web:auction_detail", args=[real.pk]) in page
    assert reverse("web:auction_detail", args=[draft.pk]) not in page
    assert page.count('class="card auc-card"') == 1


def test_list_empty_state() -> None:
    assert "No auctions match." in html("list")


def test_list_filters_by_category_region_and_status(clock_: Any, w: f.World) -> None:
    car = f.auction(w, lot_=_lot(w, category=Category.VEHICLE, region=Region.LVIV, title="Car in Lviv"))
    flat = f.auction(w, lot_=_lot(w, category=Category.REAL_ESTATE, region=Region.KYIV_CITY, title="Flat in Kyiv"))

    assert "Car in Lviv" in (p := html("list", category=Category.VEHICLE))
    assert "Flat in Kyiv" not in p
    assert "Flat in Kyiv" in (p := html("list", region=Region.KYIV_CITY))
    assert "Car in Lviv" not in p
    assert "No auctions match." in html("list", status=S.COMPLETE)
    assert "Car in Lviv" in html("list", status=S.TENDERING)
    assert car.pk
    assert flat.pk
    # A value outside the choices is ignored, not an error.
    assert "Car in Lviv" in html("list", category="spaceship")


def test_list_sorts_by_auction_date_and_paginates(monkeypatch: pytest.MonkeyPatch, w: f.World) -> None:
    early = f.auction(w, lot_=_lot(w, category=Category.MOVABLE, region=Region.KYIV_CITY, title="Early lot"))
    late_lot = _lot(w, category=Category.MOVABLE, region=Region.KYIV_CITY, title="Late lot")
    start = f.first_allowed_start(late_lot.start_value, Procedure.ENGLISH)
    later = calendar.at_kyiv(calendar.add_working_days(start.astimezone(KYIV).date(), 1), dt.time(10))
    late = services.auction_create(broker=w.owner, lot_id=late_lot.pk, procedure=Procedure.ENGLISH, auction_start=later)
    services.auction_publish(broker=w.owner, auction_id=late.pk)
    assert early.pk

    latest_first = html("list")
    assert latest_first.index("Late lot") < latest_first.index("Early lot")
    earliest_first = html("list", sort="date")
    assert earliest_first.index("Early lot") < earliest_first.index("Late lot")

    monkeypatch.setattr(auctions_views, "PAGE_SIZE", 1)
    first_page = html("list", sort="date")
    assert "Early lot" in first_page
    assert "Late lot" not in first_page
    assert "Page 1 of 2" in first_page
    assert "sort=date&amp;page=2" in first_page
    second_page = html("list", sort="date", page="2")
    assert "Late lot" in second_page
    assert "Early lot" not in second_page


def test_list_htmx_returns_the_results_only(w: f.World) -> None:
    f.auction(w)
    response = Client().get(reverse("web:auction_list"), headers={"HX-Request": "true"})
    assert isinstance(response, HttpResponse)
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "<html" not in body


# --- the demo data -----------------------------------------------------------------------------------


def test_every_demo_page_renders_and_hides_bidders_until_the_end() -> None:
    assert seed_auctions(seed_people(extra_citizens=0)) == 5

    listing = html("list")
    public = list(Auction.objects.filter(mode=Mode.REAL).exclude(status=S.DRAFT))
    assert listing.count('class="card auc-card"') == len(public)
    brokers = {bid.owner.name for bid in Bid.objects.select_related("owner")}
    for auction in public:
        page = html("detail", auction.pk)
        assert auction.lot.title in page
        bids = list(auction.bids.all())
        names = [b.bidder_name for b in bids] + [b.bidder_identifier for b in bids] + sorted(brokers)
        names += [b.guarantee_reference for b in bids if b.guarantee_reference]
        assert_none_in(page, names)
        if auction.status in (S.DRAFT, S.TENDERING, S.AUCTION):
            assert "Bidders are disclosed only when the auction ends." in page
            assert "Bidder 1" not in page
        elif bids:
            assert "Bidder 1" in page
        assert_none_in(html("lot_detail", auction.lot_id), names)
    for draft in Auction.objects.filter(status=S.DRAFT):
        assert get("detail", draft.pk).status_code == 404
