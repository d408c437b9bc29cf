"""Every auction service: each transition leaves its revision, audit record and cited deadlines; each
refusal says why and changes nothing (docs/design.md rule 10). Martial law is in force (seeded), so holidays are
working days and only weekends (and CalendarOverride rows) are off."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import jsonpatch
import pytest
import time_machine

from vzaemo.auctions import selectors, services
from vzaemo.auctions.models import Auction, Contract, Revision
from vzaemo.auctions.permissions import BANK_FEED, LIVE_ENGINE
from vzaemo.auctions.states import (
    AuctionStatus,
    AwardEndReason,
    AwardStatus,
    BidStatus,
    Category,
    ContractStatus,
    Mode,
    Procedure,
)
from vzaemo.auctions.tests import factories as f
from vzaemo.core import calendar, clock, commit_order
from vzaemo.core.clock import KYIV
from vzaemo.core.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from vzaemo.core.models import AuditEntry, CalendarOverride, Obligation, ObligationOutcome
from vzaemo.core.testing import Refused, Unchanged

pytestmark = pytest.mark.django_db

S = AuctionStatus
NOW = dt.datetime(2026, 1, 14, 10, 0, tzinfo=KYIV)  # a Wednesday


@pytest.fixture(autouse=True)
def clock_() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def w() -> f.World:
    return f.world()


def at(moment: dt.datetime | None) -> dt.datetime:
    assert moment is not None
    return moment


def tags(auction: Auction) -> list[str]:
    return list(
        AuditEntry.objects.filter(subject_type="auctions.auction", subject_id=str(auction.pk))
        .order_by("pk")
        .values_list("tag", flat=True)
    )


def replay(subject_type: str, pk: int) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for revision in Revision.objects.filter(subject_type=subject_type, subject_id=pk).order_by("rev"):
        document = jsonpatch.JsonPatch(revision.changes).apply(document)
    return document


# --- lots and drafts ------------------------------------------------------------------------------


def test_lot_create_records_a_revision_that_reproduces_it(w: f.World) -> None:
    lot = f.lot(w)
    assert lot.date_modified == NOW
    assert lot.start_value == Decimal("100000.00")
    assert replay("lot", lot.pk) == selectors.lot_document(lot)
    assert AuditEntry.objects.filter(tag="auction-lot:create", subject_id=str(lot.pk)).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"start_value": "0"}, "start_value_invalid"),
        ({"start_value": "12.345"}, "start_value_invalid"),
        ({"start_value": "abc"}, "start_value_invalid"),
        ({"category": "spaceship"}, "category_invalid"),
        ({"title": "  "}, "title_required"),
        ({"enforcement_proceeding": ""}, "enforcement_proceeding_required"),
        ({"region": "atlantis"}, "region_invalid"),
    ],
)
def test_lot_create_refuses_bad_input(w: f.World, refused: Refused, kwargs: dict[str, Any], code: str) -> None:
    base: dict[str, Any] = dict(
        broker=w.owner,
        organiser=w.organiser,
        organiser_kind="state",
        title="Лот",
        description="Опис",
        category=Category.MOVABLE,
        region="kyiv_city",
        enforcement_proceeding="ВП 1",
        start_value="1000.00",
    )
    refused(ValidationFailed, code, lambda: services.lot_create(**{**base, **kwargs}))


def test_brokers_need_the_create_level_and_sandbox_brokers_make_only_test_objects(w: f.World, refused: Refused) -> None:
    no_level, sandbox = f.broker(can_create=False), f.broker(sandbox=True)
    refused(NotAllowed, "broker_cannot_create", lambda: f.lot(f.World(no_level, [], w.organiser, w.official)))
    refused(NotAllowed, "broker_cannot_create", lambda: f.lot(f.World(sandbox, [], w.organiser, w.official)))
    test_lot = f.lot(f.World(sandbox, [], w.organiser, w.official), mode=Mode.TEST)
    assert test_lot.mode == Mode.TEST


def test_auction_create_prices_the_guarantee_and_step_from_cited_rules(w: f.World) -> None:
    a = f.auction(w, publish=False)
    assert (a.status, a.attempt, a.value) == (S.DRAFT, 1, Decimal("100000.00"))
    assert a.guarantee == Decimal("5000.00")
    assert a.minimal_step == Decimal("1000.00")
    assert a.rules_applied["guarantee"]["confidence"] == "M"
    assert replay("auction", a.pk) == selectors.auction_document(a)
    assert not selectors.auction_list_public().filter(pk=a.pk).exists()


def test_a_lot_gets_only_one_first_attempt(w: f.World, refused: Refused) -> None:
    a = f.auction(w, publish=False)
    refused(
        Conflict,
        "lot_has_auction",
        lambda: services.auction_create(broker=w.owner, lot_id=a.lot_id, procedure="english"),
    )


# --- fixed price (Law 1404-VIII art. 61) ----------------------------------------------------------


@pytest.mark.parametrize("category", [Category.REAL_ESTATE, Category.VEHICLE, Category.SHIP, Category.AIRCRAFT])
def test_fixed_price_is_never_for_real_estate_vehicles_ships_or_aircraft(
    w: f.World, refused: Refused, category: str
) -> None:
    lot = f.lot(w, value="1000.00", category=category)
    refused(
        ValidationFailed,
        "fixed_price_category_forbidden",
        lambda: services.auction_create(broker=w.owner, lot_id=lot.pk, procedure=Procedure.FIXED_PRICE),
    )


def test_fixed_price_limit_is_30_minimum_wages_in_force_that_day(w: f.World, refused: Refused, clock_: Any) -> None:
    # 2026: 30 × 8,647 = 259,410 UAH.
    at_limit, above = f.lot(w, value="259410.00"), f.lot(w, value="259410.01")
    assert (
        services.auction_create(broker=w.owner, lot_id=at_limit.pk, procedure=Procedure.FIXED_PRICE).rules_applied[
            "fixedPrice"
        ]["limit"]
        == "259410.00"
    )
    refused(
        ValidationFailed,
        "fixed_price_value_too_high",
        lambda: services.auction_create(broker=w.owner, lot_id=above.pk, procedure=Procedure.FIXED_PRICE),
    )
    # 2025: 30 × 8,000 = 240,000 UAH, so a 250,000 UAH lot could not be sold at a fixed price then.
    clock_.move_to(dt.datetime(2025, 6, 4, 10, tzinfo=KYIV))
    lot_2025 = f.lot(w, value="250000.00")
    refused(
        ValidationFailed,
        "fixed_price_value_too_high",
        lambda: services.auction_create(broker=w.owner, lot_id=lot_2025.pk, procedure=Procedure.FIXED_PRICE),
    )


def test_switching_a_draft_to_fixed_price_is_checked_too(w: f.World, refused: Refused) -> None:
    a = f.auction(w, publish=False, category=Category.REAL_ESTATE, value="1000.00")
    refused(
        ValidationFailed,
        "fixed_price_category_forbidden",
        lambda: services.auction_update_draft(broker=w.owner, auction_id=a.pk, procedure=Procedure.FIXED_PRICE),
    )


# --- publishing and periods -----------------------------------------------------------------------


def test_publish_sets_tendering_to_end_at_20_00_the_working_day_before(w: f.World) -> None:
    a = f.auction(w)
    assert a.status == S.TENDERING
    assert a.tender_start == NOW
    # 100,000 UAH: 20-25 working days; 20 working days after Wed 14 Jan 2026 is Wed 11 Feb.
    assert a.auction_start == dt.datetime(2026, 2, 11, 10, tzinfo=KYIV)
    assert a.tender_end == dt.datetime(2026, 2, 10, 20, tzinfo=KYIV)
    assert a.rules_applied["tenderPeriod.endDate"]["key"] == "auction.tender_end_hour"
    assert [c["key"] for c in a.rules_applied["leadTime"]] == ["auction.lead_min_band2", "auction.lead_max_band2"]
    assert tags(a) == ["auction:create", "auction:publish"]


def test_tendering_before_a_monday_auction_ends_on_friday(w: f.World) -> None:
    lot = f.lot(w)
    monday = dt.datetime(2026, 2, 16, 11, tzinfo=KYIV)
    a = services.auction_create(broker=w.owner, lot_id=lot.pk, procedure="english", auction_start=monday)
    a = services.auction_publish(broker=w.owner, auction_id=a.pk)
    assert a.tender_end == dt.datetime(2026, 2, 13, 20, tzinfo=KYIV)


def test_tendering_skips_a_declared_day_off(w: f.World) -> None:
    CalendarOverride.objects.create(day=dt.date(2026, 2, 13), is_working_day=False, reason="тест")
    calendar.reset_cache()
    lot = f.lot(w)
    a = services.auction_create(
        broker=w.owner, lot_id=lot.pk, procedure="english", auction_start=dt.datetime(2026, 2, 16, 11, tzinfo=KYIV)
    )
    a = services.auction_publish(broker=w.owner, auction_id=a.pk)
    assert a.tender_end == dt.datetime(2026, 2, 12, 20, tzinfo=KYIV)


@pytest.mark.parametrize(("value", "days_ok", "days_too_late"), [("5000.00", 12, 16), ("2000000.00", 30, 36)])
def test_listing_lead_time_depends_on_the_price_band(
    w: f.World, refused: Refused, value: str, days_ok: int, days_too_late: int
) -> None:
    lot = f.lot(w, value=value)
    start = calendar.at_kyiv(calendar.add_working_days(NOW.date(), days_too_late), dt.time(10))
    a = services.auction_create(broker=w.owner, lot_id=lot.pk, procedure="english", auction_start=start)
    refused(
        NotAllowed if False else ValidationFailed,
        "auction_start_outside_lead_time",
        lambda: services.auction_publish(broker=w.owner, auction_id=a.pk),
    )
    early = calendar.at_kyiv(calendar.add_working_days(NOW.date(), days_ok - 1), dt.time(10))
    services.auction_update_draft(broker=w.owner, auction_id=a.pk, auction_start=early)
    refused(
        ValidationFailed,
        "auction_start_outside_lead_time",
        lambda: services.auction_publish(broker=w.owner, auction_id=a.pk),
    )
    ok = calendar.at_kyiv(calendar.add_working_days(NOW.date(), days_ok), dt.time(10))
    services.auction_update_draft(broker=w.owner, auction_id=a.pk, auction_start=ok)
    assert services.auction_publish(broker=w.owner, auction_id=a.pk).status == S.TENDERING


def test_publish_is_idempotent_and_only_for_the_owner(w: f.World, refused: Refused, unchanged: Unchanged) -> None:
    a = f.auction(w, publish=False)
    refused(NotAllowed, "not_owner", lambda: services.auction_publish(broker=w.bidders[0], auction_id=a.pk))
    services.auction_publish(broker=w.owner, auction_id=a.pk)
    with unchanged():
        assert services.auction_publish(broker=w.owner, auction_id=a.pk).status == S.TENDERING


def test_publish_needs_a_start_time(w: f.World, refused: Refused) -> None:
    lot = f.lot(w)
    a = services.auction_create(broker=w.owner, lot_id=lot.pk, procedure="english")
    refused(
        ValidationFailed, "auction_start_required", lambda: services.auction_publish(broker=w.owner, auction_id=a.pk)
    )


# --- bids and guarantees --------------------------------------------------------------------------


def test_a_bid_is_qualified_once_its_guarantee_is_confirmed(w: f.World) -> None:
    a = f.auction(w)
    b = f.bid(w, a, paid=False)
    assert (b.status, b.qualified) == (BidStatus.PENDING, False)
    services.bid_confirm_guarantee(actor=BANK_FEED, bid_id=b.pk, amount="5000.00", reference="PAY-1")
    b.refresh_from_db()
    assert (b.status, b.qualified, b.guarantee_reference) == (BidStatus.ACTIVE, True, "PAY-1")
    assert tags(a)[-1] == "auction:guarantee-confirm"


def test_an_organiser_official_may_enter_the_guarantee_too(w: f.World) -> None:
    a = f.auction(w)
    b = f.bid(w, a, paid=False)
    services.bid_confirm_guarantee(actor=w.official, bid_id=b.pk, amount="5000.00", reference="STATEMENT-7")
    b.refresh_from_db()
    assert b.status == BidStatus.ACTIVE


def test_guarantee_refusals(w: f.World, refused: Refused, unchanged: Unchanged, clock_: Any) -> None:
    a = f.auction(w)
    b = f.bid(w, a, paid=False)
    confirm = services.bid_confirm_guarantee
    refused(NotAllowed, "not_organiser", lambda: confirm(actor=w.owner, bid_id=b.pk, amount="5000", reference="P"))
    elsewhere = f.official_of(f.organiser())
    refused(
        NotAllowed,
        "not_organiser",
        lambda: confirm(actor=elsewhere, bid_id=b.pk, amount="5000", reference="P"),
    )
    refused(
        ValidationFailed,
        "guarantee_too_small",
        lambda: confirm(actor=BANK_FEED, bid_id=b.pk, amount="4999.99", reference="P"),
    )
    refused(
        ValidationFailed,
        "reference_required",
        lambda: confirm(actor=BANK_FEED, bid_id=b.pk, amount="5000", reference=" "),
    )
    confirm(actor=BANK_FEED, bid_id=b.pk, amount="5000", reference="P")
    with unchanged():  # the bank feed repeats itself
        confirm(actor=BANK_FEED, bid_id=b.pk, amount="5000", reference="P")
    refused(
        Conflict,
        "guarantee_already_confirmed",
        lambda: confirm(actor=BANK_FEED, bid_id=b.pk, amount="5000", reference="Q"),
    )
    other = f.bid(w, a, by=1, paid=False)
    refused(
        Conflict,
        "guarantee_reference_used",
        lambda: confirm(actor=BANK_FEED, bid_id=other.pk, amount="5000", reference="P"),
    )
    clock_.move_to(at(a.tender_end))
    refused(
        NotAllowed,
        "auction_not_tendering",
        lambda: confirm(actor=BANK_FEED, bid_id=other.pk, amount="5000", reference="Z"),
    )


def test_bid_refusals(w: f.World, refused: Refused, clock_: Any) -> None:
    a = f.auction(w)
    create = services.bid_create
    args: dict[str, Any] = dict(
        broker=w.bidders[0], auction_id=a.pk, bidder_name="ТОВ «А»", bidder_identifier="12345678"
    )
    refused(ValidationFailed, "bid_value_too_low", lambda: create(**args, value="99999.99"))
    refused(ValidationFailed, "bid_value_required", lambda: create(**args))
    refused(
        ValidationFailed,
        "bidder_identifier_invalid",
        lambda: create(**{**args, "bidder_identifier": "123"}, value="100000"),
    )
    sandbox = f.broker(sandbox=True)
    refused(NotAllowed, "broker_cannot_create", lambda: create(**{**args, "broker": sandbox}, value="100000"))
    create(**args, value="100000")
    refused(Conflict, "bidder_already_registered", lambda: create(**{**args, "broker": w.bidders[1]}, value="100001"))
    draft = f.auction(w, publish=False)
    refused(NotAllowed, "auction_not_tendering", lambda: create(**{**args, "auction_id": draft.pk}, value="100000"))
    clock_.move_to(at(a.tender_end))
    refused(
        NotAllowed, "auction_not_tendering", lambda: create(**{**args, "bidder_identifier": "87654321"}, value="100000")
    )


def test_dutch_bids_carry_no_initial_price(w: f.World, refused: Refused) -> None:
    a = f.auction(w, procedure=Procedure.DUTCH)
    refused(
        ValidationFailed,
        "bid_value_not_allowed",
        lambda: services.bid_create(
            broker=w.bidders[0], auction_id=a.pk, bidder_name="А", bidder_identifier="12345678", value="1"
        ),
    )
    assert f.bid(w, a).value is None


def test_bidders_are_hidden_until_the_auction_ends(w: f.World, clock_: Any) -> None:
    a = f.auction(w)
    mine, theirs = f.bid(w, a, by=0), f.bid(w, a, by=1)
    public = selectors.auction_public_document(a)
    assert public["bids"] == []
    # Neither bidder's identity nor its guarantee reference leaks through the public revisions.
    published = str([op for r in selectors.auction_revisions_public(a) for op in r["changes"]])
    for bid in (mine, theirs):
        assert bid.bidder_identifier not in published
        assert bid.bidder_name not in published
    own_view = selectors.auction_public_document(a, broker=w.bidders[0])
    assert [b["id"] for b in own_view["bids"]] == [str(mine.pk)]
    a, _bids = f.to_qualification(clock_, w) if False else (f.end_tendering(clock_, a), None)
    assert a.status == S.AUCTION
    assert selectors.auction_public_document(a)["bids"] == []
    services.auction_record_result(
        actor=LIVE_ENGINE, auction_id=a.pk, ranking=[(theirs.pk, "101000"), (mine.pk, "100000")]
    )
    a.refresh_from_db()
    revealed = selectors.auction_public_document(a)["bids"]
    assert {b["bidder"]["identifier"] for b in revealed} == {mine.bidder_identifier, theirs.bidder_identifier}
    assert all("reference" not in b["guarantee"] for b in revealed)


# --- the end of tendering ------------------------------------------------------------------------


def test_two_qualified_bids_start_the_auction_and_unpaid_bids_become_invalid(w: f.World, clock_: Any) -> None:
    a = f.auction(w)
    f.bid(w, a, by=0), f.bid(w, a, by=1)
    unpaid = f.bid(w, a, by=0, paid=False)
    a = f.end_tendering(clock_, a)
    unpaid.refresh_from_db()
    assert a.status == S.AUCTION
    assert (unpaid.status, unpaid.invalid_reason) == (BidStatus.INVALID, "no_guarantee")
    assert tags(a)[-1] == "auction:start"


def test_one_qualified_bid_skips_the_auction_as_the_rule_says(w: f.World, clock_: Any) -> None:
    a = f.auction(w)
    only = f.bid(w, a, value="120000.00")
    a = f.end_tendering(clock_, a)
    assert a.status == S.QUALIFICATION
    award = a.awards.get()
    assert (award.bid_id, award.status, award.value) == (only.pk, AwardStatus.PENDING, Decimal("120000.00"))
    assert a.rules_applied["singleBidSkipsAuction"]["value"] == "1"


def test_no_qualified_bid_makes_it_unsuccessful_and_creates_the_next_attempt(w: f.World, clock_: Any) -> None:
    a = f.auction(w)
    f.bid(w, a, paid=False)
    a = f.end_tendering(clock_, a)
    assert a.status == S.UNSUCCESSFUL
    following = Auction.objects.get(previous=a)
    assert (following.attempt, following.status, following.lot_id) == (2, S.DRAFT, a.lot_id)
    assert following.value == Decimal("85000.00")
    assert following.markdown_percent == Decimal("15")
    assert following.guarantee == Decimal("4250.00")
    assert following.rules_applied["markdown"]["confidence"] == "M"
    assert list(selectors.lot_history(a.lot).values_list("attempt", flat=True)) == [1, 2]


def test_the_chronograph_is_idempotent(w: f.World, clock_: Any) -> None:
    a = f.auction(w)
    f.bid(w, a, by=0), f.bid(w, a, by=1)
    clock_.move_to(at(a.tender_end) - dt.timedelta(seconds=1))
    assert services.auction_deadlines_apply() == 0
    clock_.move_to(at(a.tender_end))
    assert services.auction_deadlines_apply() == 1
    revisions = Revision.objects.count()
    assert services.auction_deadlines_apply() == 0
    assert services.auction_end_tendering(auction_id=a.pk) is None
    assert Revision.objects.count() == revisions


def test_fixed_price_goes_to_the_first_to_pay(w: f.World, clock_: Any) -> None:
    a = f.auction(w, procedure=Procedure.FIXED_PRICE, value="50000.00")
    assert a.auction_start == calendar.at_kyiv(calendar.add_working_days(NOW.date(), 7), dt.time(10))
    late = f.bid(w, a, by=0, paid=False)
    early = f.bid(w, a, by=1)
    clock_.shift(60)
    services.bid_confirm_guarantee(actor=BANK_FEED, bid_id=late.pk, amount=a.guarantee, reference="L")
    a = f.end_tendering(clock_, a)
    assert a.status == S.QUALIFICATION
    assert list(a.awards.values_list("bid_id", "status")) == [(early.pk, "pending"), (late.pk, "pending.waiting")]


# --- the auction result ---------------------------------------------------------------------------


def test_result_ranks_bids_and_opens_the_award_chain(w: f.World, clock_: Any) -> None:
    a, (first, second, third) = f.to_qualification(clock_, w, bids=3)
    assert a.status == S.QUALIFICATION
    awards = list(a.awards.order_by("rank"))
    assert [(x.bid_id, x.status) for x in awards] == [(first.pk, "pending"), (second.pk, "pending.waiting")]
    top = awards[0]
    assert top.protocol_due_at == calendar.end_of_day(
        calendar.add_working_days(calendar.kyiv_date(at(top.pending_since)), 4)
    )
    assert top.payment_due_at == calendar.end_of_day(
        calendar.add_working_days(calendar.kyiv_date(at(top.pending_since)), 10)
    )
    assert top.rules_applied["paymentPeriod"]["key"] == "auction.payment_term"
    third.refresh_from_db()
    assert third.rank == 3
    assert not third.awards.exists()
    obligation = Obligation.objects.get(kind="auction.protocol", subject_id=str(top.pk))
    assert obligation.authority_id == w.organiser.pk
    assert obligation.due_at == top.protocol_due_at


def test_result_refusals(w: f.World, clock_: Any, refused: Refused) -> None:
    a = f.auction(w)
    b1, b2 = f.bid(w, a, by=0), f.bid(w, a, by=1)
    record = services.auction_record_result
    refused(
        InvalidTransition,
        "auction_cannot_record_result",
        lambda: record(actor=LIVE_ENGINE, auction_id=a.pk, ranking=[]),
    )
    a = f.end_tendering(clock_, a)
    refused(NotAllowed, "not_auction_engine", lambda: record(actor=w.owner, auction_id=a.pk, ranking=[]))
    refused(
        ValidationFailed,
        "result_not_ranked",
        lambda: record(actor=LIVE_ENGINE, auction_id=a.pk, ranking=[(b1.pk, "1"), (b2.pk, "2")]),
    )
    refused(
        ValidationFailed,
        "result_bid_invalid",
        lambda: record(actor=LIVE_ENGINE, auction_id=a.pk, ranking=[(b1.pk, "2"), (b1.pk, "1")]),
    )
    refused(
        ValidationFailed,
        "result_bid_invalid",
        lambda: record(actor=LIVE_ENGINE, auction_id=a.pk, ranking=[(10**9, "2")]),
    )
    refused(
        ValidationFailed,
        "result_amount_invalid",
        lambda: record(actor=LIVE_ENGINE, auction_id=a.pk, ranking=[(b1.pk, "-5")]),
    )


def test_an_empty_result_is_unsuccessful(w: f.World, clock_: Any) -> None:
    a = f.auction(w, procedure=Procedure.DUTCH)
    f.bid(w, a, by=0), f.bid(w, a, by=1)
    a = f.end_tendering(clock_, a)
    services.auction_record_result(actor=LIVE_ENGINE, auction_id=a.pk, ranking=[])
    a.refresh_from_db()
    assert a.status == S.UNSUCCESSFUL
    assert Auction.objects.filter(previous=a, procedure="dutch").exists()


# --- the award chain ------------------------------------------------------------------------------


def test_the_happy_path_protocol_payment_contract(w: f.World, clock_: Any, refused: Refused) -> None:
    a, (_winner, _runner) = f.to_qualification(clock_, w)
    award = a.awards.get(status=AwardStatus.PENDING)
    pay = services.award_confirm_payment
    refused(
        ValidationFailed,
        "protocol_missing",
        lambda: pay(actor=BANK_FEED, award_id=award.pk, amount="200000", reference="W"),
    )
    refused(
        NotAllowed,
        "not_organiser",
        lambda: services.award_upload_protocol(actor=w.owner, award_id=award.pk, document="x"),
    )
    services.award_upload_protocol(actor=w.official, award_id=award.pk, document="https://docs.example/protocol.pdf")
    assert Obligation.objects.get(kind="auction.protocol").outcome == ObligationOutcome.FULFILLED
    refused(
        Conflict,
        "protocol_already_uploaded",
        lambda: services.award_upload_protocol(actor=w.official, award_id=award.pk, document="y"),
    )
    # 102,000 won, 5,000 guarantee counted: 97,000 due.
    refused(
        ValidationFailed,
        "payment_too_small",
        lambda: pay(actor=BANK_FEED, award_id=award.pk, amount="96999.99", reference="W"),
    )
    pay(actor=BANK_FEED, award_id=award.pk, amount="97000.00", reference="W")
    a.refresh_from_db()
    award.refresh_from_db()
    assert (a.status, award.status) == (S.AWARDED, AwardStatus.ACTIVE)
    contract = a.contracts.get()
    assert (contract.status, contract.value) == (ContractStatus.PENDING, Decimal("102000.00"))
    refused(NotAllowed, "not_organiser", lambda: services.contract_sign(actor=w.owner, contract_id=contract.pk))
    services.contract_sign(actor=w.official, contract_id=contract.pk)
    a.refresh_from_db()
    assert a.status == S.COMPLETE
    assert a.ended_at is not None
    refused(
        InvalidTransition,
        "contract_cannot_sign",
        lambda: services.contract_sign(actor=w.official, contract_id=contract.pk),
    )
    assert not Auction.objects.filter(previous=a).exists()


def test_default_promotes_the_runner_up_then_nobody_left_relists_with_markdown(w: f.World, clock_: Any) -> None:
    a, (winner, runner) = f.to_qualification(clock_, w)
    first = a.awards.get(bid=winner)
    clock_.move_to(first.payment_due_at)
    assert services.auction_deadlines_apply() == 0  # the due moment itself is still in time
    clock_.move_to(at(first.payment_due_at) + dt.timedelta(seconds=1))
    assert services.auction_deadlines_apply() == 1
    first.refresh_from_db()
    winner.refresh_from_db()
    assert (first.status, first.end_reason) == (AwardStatus.UNSUCCESSFUL, AwardEndReason.PAYMENT_DEFAULT)
    assert winner.guarantee_forfeited
    assert Obligation.objects.get(subject_id=str(first.pk)).outcome == ObligationOutcome.CANCELLED
    second = a.awards.get(bid=runner)
    assert second.status == AwardStatus.PENDING
    assert second.pending_since == at(first.payment_due_at) + dt.timedelta(seconds=1)
    a.refresh_from_db()
    assert a.status == S.QUALIFICATION
    assert services.award_default(award_id=first.pk) is None  # idempotent
    clock_.move_to(at(second.payment_due_at) + dt.timedelta(seconds=1))
    services.auction_deadlines_apply()
    a.refresh_from_db()
    runner.refresh_from_db()
    assert a.status == S.UNSUCCESSFUL
    assert runner.guarantee_forfeited
    following = Auction.objects.get(previous=a)
    assert (following.attempt, following.value) == (2, Decimal("85000.00"))
    assert replay("auction", a.pk) == selectors.auction_document(a)


def test_three_failed_attempts_leave_the_lot_unsold(w: f.World, clock_: Any) -> None:
    a = f.auction(w)
    values = []
    for _attempt in range(3):
        a = f.end_tendering(clock_, a)
        assert a.status == S.UNSUCCESSFUL
        following = Auction.objects.filter(previous=a).first()
        if following is None:
            break
        values.append(following.value)
        following = services.auction_update_draft(
            broker=w.owner, auction_id=following.pk, auction_start=f.first_allowed_start(following.value, "english")
        )
        a = services.auction_publish(broker=w.owner, auction_id=following.pk)
    assert values == [Decimal("85000.00"), Decimal("70000.00")]
    assert a.attempt == 3
    assert not Auction.objects.filter(previous=a).exists()
    assert AuditEntry.objects.filter(tag="auction-lot:unsold", subject_id=str(a.lot_id)).count() == 1


def test_disqualification_promotes_the_runner_up(w: f.World, clock_: Any, refused: Refused) -> None:
    a, (winner, runner) = f.to_qualification(clock_, w)
    award = a.awards.get(bid=winner)
    refused(
        ValidationFailed,
        "note_required",
        lambda: services.award_disqualify(actor=w.official, award_id=award.pk, note=""),
    )
    services.award_disqualify(actor=w.official, award_id=award.pk, note="Боржник не може бути покупцем.")
    winner.refresh_from_db()
    assert not winner.guarantee_forfeited
    assert a.awards.get(bid=runner).status == AwardStatus.PENDING
    refused(
        InvalidTransition,
        "award_cannot_activate",
        lambda: services.award_disqualify(actor=w.official, award_id=award.pk, note="x"),
    )


def test_the_runner_up_may_withdraw(w: f.World, clock_: Any, refused: Refused) -> None:
    a, (winner, runner) = f.to_qualification(clock_, w)
    waiting = a.awards.get(bid=runner)
    refused(NotAllowed, "not_owner", lambda: services.award_withdraw_waiting(broker=w.bidders[0], award_id=waiting.pk))
    services.award_withdraw_waiting(broker=w.bidders[1], award_id=waiting.pk)
    waiting.refresh_from_db()
    assert waiting.status == AwardStatus.CANCELLED
    assert waiting.end_reason == "withdrawn"
    top = a.awards.get(bid=winner)
    refused(
        InvalidTransition,
        "award_cannot_withdraw",
        lambda: services.award_withdraw_waiting(broker=w.bidders[0], award_id=top.pk),
    )


def test_contract_cancelled_forfeits_and_reopens_qualification(w: f.World, clock_: Any) -> None:
    a, (winner, runner) = f.to_qualification(clock_, w)
    award = a.awards.get(bid=winner)
    services.award_upload_protocol(actor=w.official, award_id=award.pk, document="p")
    services.award_confirm_payment(actor=w.official, award_id=award.pk, amount="97000", reference="W")
    contract = a.contracts.get()
    services.contract_cancel(actor=w.official, contract_id=contract.pk, reason="Переможець відмовився підписати.")
    a.refresh_from_db()
    winner.refresh_from_db()
    assert a.status == S.QUALIFICATION
    assert winner.guarantee_forfeited
    assert a.awards.get(bid=runner).status == AwardStatus.PENDING


def test_payment_after_the_term_is_refused(w: f.World, clock_: Any, refused: Refused) -> None:
    a, (winner, _r) = f.to_qualification(clock_, w)
    award = a.awards.get(bid=winner)
    services.award_upload_protocol(actor=w.official, award_id=award.pk, document="p")
    clock_.move_to(at(award.payment_due_at) + dt.timedelta(seconds=1))
    refused(
        NotAllowed,
        "payment_overdue",
        lambda: services.award_confirm_payment(actor=BANK_FEED, award_id=award.pk, amount="97000", reference="W"),
    )


def test_cancel_by_owner_or_organiser_only(w: f.World, clock_: Any, refused: Refused) -> None:
    a, _ = f.to_qualification(clock_, w)
    refused(NotAllowed, "not_owner", lambda: services.auction_cancel(actor=w.bidders[0], auction_id=a.pk, reason="x"))
    services.auction_cancel(actor=w.official, auction_id=a.pk, reason="Борг сплачено.")
    a.refresh_from_db()
    assert a.status == S.CANCELLED
    assert set(a.awards.values_list("status", flat=True)) == {AwardStatus.CANCELLED}
    assert not Auction.objects.filter(previous=a).exists()
    refused(
        InvalidTransition,
        "auction_cannot_cancel",
        lambda: services.auction_cancel(actor=w.owner, auction_id=a.pk, reason="x"),
    )


def _awarded_with_contract(clock_: Any, w: f.World, award: Any, amount: str, reference: str) -> Contract:
    services.award_upload_protocol(actor=w.official, award_id=award.pk, document="p")
    services.award_confirm_payment(actor=w.official, award_id=award.pk, amount=amount, reference=reference)
    return Contract.objects.get(award=award)


def test_cancel_ends_each_live_contract_through_the_contract_machine(w: f.World, clock_: Any) -> None:
    a, (winner, runner) = f.to_qualification(clock_, w)
    refused_contract = _awarded_with_contract(clock_, w, a.awards.get(bid=winner), "97000", "W")
    services.contract_cancel(actor=w.official, contract_id=refused_contract.pk, reason="Переможець відмовився.")
    refused_contract.refresh_from_db()
    clock_.shift(dt.timedelta(hours=1))
    contract = _awarded_with_contract(clock_, w, a.awards.get(bid=runner), "96000", "R")
    a.refresh_from_db()
    assert a.status == S.AWARDED
    assert contract.status == ContractStatus.PENDING
    clock_.shift(dt.timedelta(hours=1))

    services.auction_cancel(actor=w.official, auction_id=a.pk, reason="Борг сплачено.")

    a.refresh_from_db()
    contract.refresh_from_db()
    assert a.status == S.CANCELLED
    assert (contract.status, contract.cancelled_at, contract.cancellation_reason) == (
        ContractStatus.CANCELLED,
        clock.now(),
        "Борг сплачено.",
    )
    # The contract cancelled before keeps its own reason and time.
    earlier = Contract.objects.get(pk=refused_contract.pk)
    assert (earlier.cancelled_at, earlier.cancellation_reason) == (
        refused_contract.cancelled_at,
        "Переможець відмовився.",
    )
    # Recorded: the cancel's revision carries the contract's change, its audit entry names the contract.
    revision = Revision.objects.filter(subject_type="auction", subject_id=a.pk).latest("rev")
    changed = {(op["path"], op.get("value")) for op in revision.changes}
    index = [c["id"] for c in selectors.auction_document(a)["contracts"]].index(str(contract.pk))
    assert (f"/contracts/{index}/status", "cancelled") in changed
    assert (f"/contracts/{index}/cancellationReason", "Борг сплачено.") in changed
    entry = AuditEntry.objects.filter(tag="auction:cancel", subject_id=str(a.pk)).get()
    assert entry.after is not None
    assert entry.after["contracts_cancelled"] == [contract.pk]
    assert replay("auction", a.pk) == selectors.auction_document(a)


def test_cancel_never_cancels_a_signed_contract(w: f.World, clock_: Any, refused: Refused) -> None:
    """Signing completes the auction, which may not be cancelled; a signed contract on an auction that
    disagrees (a row edited by hand) refuses the whole cancellation, not just its own line."""
    a, (winner, _runner) = f.to_qualification(clock_, w)
    contract = _awarded_with_contract(clock_, w, a.awards.get(bid=winner), "97000", "W")
    Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.ACTIVE, signed_at=clock.now())
    refused(
        InvalidTransition,
        "contract_cannot_cancel",
        lambda: services.auction_cancel(actor=w.official, auction_id=a.pk, reason="x"),
    )
    Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.PENDING, signed_at=None)
    services.contract_sign(actor=w.official, contract_id=contract.pk)
    refused(
        InvalidTransition,
        "auction_cannot_cancel",
        lambda: services.auction_cancel(actor=w.official, auction_id=a.pk, reason="x"),
    )


# --- revisions and the commit stamp -------------------------------------------------------------


def test_every_revision_is_a_json_patch_and_together_they_reproduce_the_auction(w: f.World, clock_: Any) -> None:
    a, _ = f.to_qualification(clock_, w)
    revisions = list(Revision.objects.filter(subject_type="auction", subject_id=a.pk).order_by("rev"))
    assert [r.rev for r in revisions] == list(range(1, a.rev + 1))
    assert all(r.changes and isinstance(jsonpatch.JsonPatch(r.changes), jsonpatch.JsonPatch) for r in revisions)
    assert replay("auction", a.pk) == selectors.auction_document(a)
    assert revisions[0].author.startswith("broker:")
    assert revisions[-1].author == "auction-engine"
    assert len(tags(a)) == len(revisions)


# `committed()` reads behind the server-wide snapshot watermark: no other test worker may hold a transaction open.
@pytest.mark.serial
def test_every_write_stamps_the_auction_row_with_its_transaction(w: f.World, postgres_only: None) -> None:
    a = f.auction(w)
    b = f.bid(w, a, paid=False)
    services.bid_confirm_guarantee(actor=BANK_FEED, bid_id=b.pk, amount="5000", reference="R")
    a.refresh_from_db()
    assert a.commit_txid == commit_order.current_txid()
    assert commit_order.committed(Auction.objects.filter(pk=a.pk)).exists()
