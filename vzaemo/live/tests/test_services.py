"""The live services on the database: sessions freeze their configuration, bids are checked at the
server's time under the session lock, refusals store nothing, the finish records the result in the CDB
and publishes a signed protocol."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from vzaemo.auctions.models import Auction, Award
from vzaemo.auctions.states import AuctionStatus, AwardStatus, Mode, Procedure
from vzaemo.auctions.tests import factories as f
from vzaemo.core import rules as registry
from vzaemo.core import signing
from vzaemo.core.errors import Conflict, DomainError, NotAllowed, TooManyRequests, ValidationFailed
from vzaemo.core.models import AuditEntry
from vzaemo.documents.models import Document
from vzaemo.documents.storage import open_document
from vzaemo.live import engine, links, rules, selectors, services
from vzaemo.live.models import LivePost, LiveSession
from vzaemo.live.tests.conftest import Live, open_live
from vzaemo.live.tests.timing import PRODUCTION

pytestmark = pytest.mark.django_db


def _stored() -> tuple[int, list[int]]:
    return LivePost.objects.count(), list(LiveSession.objects.order_by("pk").values_list("version", flat=True))


def _refused(kind: type[DomainError], code: str, call: Callable[[], object]) -> None:
    before = _stored()
    with pytest.raises(DomainError) as info:
        call()
    assert type(info.value) is kind, f"{type(info.value).__name__}: {info.value}"
    assert info.value.code == code
    assert str(info.value.message).strip()
    assert _stored() == before, "a refused bid changed the database"


def _bid(live: Live, bid_index: int, amount: Any, key: str, **extra: Any) -> LivePost:
    post, created = services.live_bid_place(
        auction_id=live.auction.pk, bid_id=live.bids[bid_index].pk, amount=amount, idempotency_key=key, **extra
    )
    assert created
    return post


def test_opening_freezes_the_timing_from_the_rules(traveller: Any) -> None:
    live = open_live(traveller)
    session = live.session
    assert session.timing["turn"] == 180
    assert session.timing["pause"] == 180
    assert session.timing["first_pause"] == 300
    assert session.rules_applied["turn"]["key"] == "live.english.turn_seconds"
    assert [b["bid_id"] for b in session.bidders] == [b.pk for b in live.bids]
    assert session.start == live.auction.auction_start
    # Idempotent: a second open returns the same session.
    assert services.live_session_open(auction_id=live.auction.pk).pk == session.pk
    assert AuditEntry.objects.filter(tag="live:open").count() == 1


@pytest.mark.parametrize("profile", ["production", "legacy"])
def test_the_frozen_timing_is_the_registry_rules_and_nothing_else(traveller: Any, settings: Any, profile: str) -> None:
    """The engine keeps no numbers of its own: every field a session freezes is the rule in force, cited."""
    settings.LIVE_ENGLISH_TIMING = profile
    session = open_live(traveller).session
    timing = engine.Timing.from_dict(session.timing)
    keys = rules.timing_keys(profile)
    assert set(keys) == {field.name for field in dataclasses.fields(engine.Timing)}
    for field, key in keys.items():
        rule = registry.get(key)
        assert Decimal(getattr(timing, field)) == rule.value, field
        assert session.rules_applied[field] == rule.citation(), field


def test_the_registry_gives_prozorro_sale_production_timing_as_the_engine_tests_assume(traveller: Any) -> None:
    timing = engine.Timing.from_dict(open_live(traveller).session.timing)
    assert (timing.first_pause, timing.turn, timing.pause, timing.rounds) == (300, 180, 180, 3)
    assert (timing.dutch_pause, timing.dutch_step, timing.dutch_steps) == (30, 300, 80)
    assert (timing.sealed_pause, timing.sealed, timing.best_pause, timing.best) == (20, 600, 20, 300)
    assert timing.dutch_step_percent == timing.best_step_percent == Decimal(1)
    assert timing == PRODUCTION


@override_settings(LIVE_ENGLISH_TIMING="legacy")
def test_the_older_timing_is_one_setting_away(traveller: Any) -> None:
    live = open_live(traveller)
    assert live.session.timing["turn"] == 120
    assert live.session.timing["pause"] == 120


def test_opening_is_refused_before_the_live_stage_and_speedup_for_real_auctions(traveller: Any) -> None:
    w = f.world()
    tendering = f.auction(w)
    with pytest.raises(Conflict) as info:
        services.live_session_open(auction_id=tendering.pk)
    assert info.value.code == "auction_not_live"
    live = open_live(traveller)
    LiveSession.objects.filter(pk=live.session.pk).delete()
    with pytest.raises(ValidationFailed) as info2:
        services.live_session_open(auction_id=live.auction.pk, speedup=10)
    assert info2.value.code == "speedup_test_only"
    assert not LiveSession.objects.filter(auction=live.auction).exists()


def test_the_chronograph_opens_every_auction_in_its_live_stage(traveller: Any) -> None:
    live = open_live(traveller)
    LiveSession.objects.filter(pk=live.session.pk).delete()
    assert services.live_sessions_open() == 1
    assert services.live_sessions_open() == 0


def test_a_bid_in_turn_is_stored_with_the_server_time_and_notified(traveller: Any) -> None:
    live = open_live(traveller)
    # Equal initial bids: the later submission moves first, so bids[2] opens round 1.
    moment = live.at(300)
    step = live.auction.minimal_step
    post = _bid(live, 2, live.auction.value + step, "k1")
    assert post.at == moment
    assert post.seq == 1
    assert post.amount == live.auction.value + step
    live.session.refresh_from_db()
    assert live.session.version == 1
    entry = AuditEntry.objects.get(tag="live:bid")
    assert entry.after is not None
    assert entry.after["amount"] == f"{live.auction.value + step:.2f}"


@override_settings(LIVE_BID_INTERVAL_SECONDS=0)  # the throttle has its own test
def test_refusals_store_nothing(traveller: Any) -> None:
    live = open_live(traveller)
    value, step = live.auction.value, live.auction.minimal_step
    auction_id, owner = live.auction.pk, live.bids[2].pk

    def place(bid_id: int, amount: Any, key: str = "x") -> Callable[[], object]:
        return lambda: services.live_bid_place(auction_id=auction_id, bid_id=bid_id, amount=amount, idempotency_key=key)

    live.at(100)
    _refused(Conflict, "not_your_turn", place(owner, value + step, "a"))  # still the first pause
    live.at(300)
    _refused(Conflict, "not_your_turn", place(live.bids[0].pk, value + step, "b"))
    _refused(ValidationFailed, "amount_too_low", place(owner, value + step / 2, "c"))
    _refused(ValidationFailed, "amount_invalid", place(owner, "12.345", "d"))
    _refused(ValidationFailed, "amount_invalid", place(owner, "abc", "e"))
    _refused(ValidationFailed, "amount_invalid", place(owner, "0", "f"))
    _refused(ValidationFailed, "idempotency_key_invalid", place(owner, value + step, ""))
    _refused(ValidationFailed, "idempotency_key_invalid", place(owner, value + step, "x" * 65))
    _refused(Conflict, "nothing_to_cancel", place(owner, "-1", "g"))
    _refused(NotAllowed, "not_a_bidder", place(live.bids[0].pk + 1000, value + step, "h"))
    live.at(10_000)
    _refused(Conflict, "auction_ended", place(owner, value + step * 10, "i"))


def test_a_retry_with_the_same_key_returns_the_stored_bid(traveller: Any) -> None:
    live = open_live(traveller)
    live.at(300)
    amount = live.auction.value + live.auction.minimal_step
    first = _bid(live, 2, amount, "same")
    live.at(301)
    again, created = services.live_bid_place(
        auction_id=live.auction.pk, bid_id=live.bids[2].pk, amount=amount, idempotency_key="same"
    )
    assert not created
    assert again.pk == first.pk
    assert LivePost.objects.count() == 1


def test_one_request_per_second_per_bidder(traveller: Any) -> None:
    live = open_live(traveller)
    live.at(300)
    value, step = live.auction.value, live.auction.minimal_step
    _bid(live, 2, value + step, "one")
    before = _stored()
    with pytest.raises(TooManyRequests) as info:
        services.live_bid_place(
            auction_id=live.auction.pk, bid_id=live.bids[2].pk, amount=value + 2 * step, idempotency_key="two"
        )
    assert info.value.retry_after == 1
    assert _stored() == before
    live.at(301)
    post = _bid(live, 2, value + 2 * step, "three")
    assert post.seq == 2


def test_the_finish_records_the_result_and_publishes_a_signed_protocol(traveller: Any) -> None:
    live = open_live(traveller)
    value, step = live.auction.value, live.auction.minimal_step
    live.at(300)
    _bid(live, 2, value + step, "r1")  # bids[2] leads
    live.at(300 + 180)
    _bid(live, 1, value + 3 * step, "r2")  # bids[1] overtakes
    # Not over yet: nothing happens.
    assert services.live_finish(auction_id=live.auction.pk) is None
    live.at(300 + 3 * 3 * 180 + 2 * 180)  # the end: 3 rounds of 3 turns and two pauses
    session = services.live_finish(auction_id=live.auction.pk)
    assert session is not None
    assert session.finished_at is not None
    assert services.live_finish(auction_id=live.auction.pk) is None  # idempotent

    auction = Auction.objects.get(pk=live.auction.pk)
    assert auction.status == AuctionStatus.QUALIFICATION
    awards = list(Award.objects.filter(auction=auction).order_by("rank"))
    assert [(a.bid_id, a.status, a.value) for a in awards[:2]] == [
        (live.bids[1].pk, AwardStatus.PENDING, value + 3 * step),
        (live.bids[2].pk, AwardStatus.WAITING, value + step),
    ]
    protocol = session.protocol
    assert protocol is not None
    assert protocol["result"]["winner"]["bid_id"] == str(live.bids[1].pk)
    assert protocol["result"]["runner_up"]["bid_id"] == str(live.bids[2].pk)
    assert [b["amount"] for b in protocol["bids"]] == [f"{value + step:.2f}", f"{value + 3 * step:.2f}"]
    assert {b["name"] for b in protocol["bidders"]} == {b.bidder_name for b in live.bids}

    assert session.protocol_document is not None
    document = Document.objects.get(pk=session.protocol_document)
    with open_document(document.storage_name) as handle:
        content = handle.read()
    assert hashlib.sha256(content).hexdigest() == document.sha256
    signed = json.loads(content)
    body = json.dumps(signed["protocol"], ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    assert signing.verify(body, signature=signed["signature"]["ed25519"], key_id=signed["signature"]["key_id"])
    tampered = body.replace(f"{value + 3 * step:.2f}".encode(), b"1.00")
    assert not signing.verify(tampered, signature=signed["signature"]["ed25519"], key_id=signed["signature"]["key_id"])
    assert session.protocol_url.startswith("http") or session.protocol_url.startswith("/")


def test_an_auction_without_a_dutch_accept_is_unsuccessful_and_the_lot_is_relisted(traveller: Any) -> None:
    live = open_live(traveller, procedure=Procedure.DUTCH, bidders=2)
    timing = live.session.timing
    live.at(timing["dutch_pause"] + (timing["dutch_steps"] + 1) * timing["dutch_step"] + 1)
    session = services.live_finish(auction_id=live.auction.pk)
    assert session is not None
    assert session.protocol is not None
    assert session.protocol["result"]["unsuccessful"]
    auction = Auction.objects.get(pk=live.auction.pk)
    assert auction.status == AuctionStatus.UNSUCCESSFUL
    following = Auction.objects.get(previous=auction)
    assert following.attempt == 2
    assert following.value < auction.value


def test_dutch_accept_then_the_sealed_and_best_bids(traveller: Any) -> None:
    live = open_live(traveller, procedure=Procedure.DUTCH, bidders=3)
    t = live.session.timing
    start_value = live.auction.value
    live.at(t["dutch_pause"] + 2 * t["dutch_step"] + 1)  # level 2: 98%
    price = (start_value * Decimal("0.98")).quantize(Decimal("0.01"))
    with pytest.raises(ValidationFailed):
        services.live_bid_place(
            auction_id=live.auction.pk, bid_id=live.bids[0].pk, amount=price + 1, idempotency_key="w"
        )
    live.at(t["dutch_pause"] + 2 * t["dutch_step"] + 3)  # one request per second
    _bid(live, 0, price, "accept")
    sealed_start = t["dutch_pause"] + (t["dutch_steps"] + 1) * t["dutch_step"] + t["sealed_pause"]
    live.at(sealed_start + 1)
    _bid(live, 1, price + 500, "sealed")
    live.at(sealed_start + t["sealed"] + t["best_pause"] + 1)
    best_minimum = price + 500 + (start_value / 100).quantize(Decimal("0.01"))
    _bid(live, 0, best_minimum, "best")
    live.at(sealed_start + t["sealed"] + t["best_pause"] + t["best"] + 1)
    session = services.live_finish(auction_id=live.auction.pk)
    assert session is not None
    assert session.protocol is not None
    ranking = session.protocol["result"]["ranking"]
    assert [(r["bid_id"], r["amount"]) for r in ranking] == [
        (str(live.bids[0].pk), f"{best_minimum:.2f}"),
        (str(live.bids[1].pk), f"{price + 500:.2f}"),
    ]


def test_speedup_runs_test_auctions_faster(traveller: Any) -> None:
    w = f.world()
    a = f.auction(w, mode=Mode.TEST)
    for i in range(2):
        f.bid(w, a, by=i)
    f.end_tendering(traveller, a)
    session = services.live_session_open(auction_id=a.pk, speedup=60)
    assert session.timing["turn"] == 3
    assert session.timing["first_pause"] == 5


def test_participation_links_are_bound_to_their_bid() -> None:
    sig = links.sign(7, 11)
    assert links.verify(7, 11, sig)
    assert not links.verify(7, 12, sig)  # another bid
    assert not links.verify(8, 11, sig)  # another auction
    key_id, _, value = sig.partition(".")
    flipped = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]
    assert not links.verify(7, 11, f"{key_id}.{flipped}")
    assert not links.verify(7, 11, "")
    assert not links.verify(7, 11, "no-dot")
    assert not links.verify(7, 11, f"unknown.{value}")


def test_the_public_state_numbers_bidders_and_shows_a_bidder_its_minimum(traveller: Any) -> None:
    live = open_live(traveller)
    live.at(300)
    state = selectors.public_state(live.session, viewer_bid_id=live.bids[2].pk)
    text = json.dumps(state)
    assert state["you"]["bidder"] == 3
    assert state["you"]["min_amount"] == f"{live.auction.value + live.auction.minimal_step:.2f}"
    for bid in live.bids:
        assert bid.bidder_name not in text
        assert bid.bidder_identifier not in text
    other = selectors.public_state(live.session, viewer_bid_id=live.bids[0].pk)
    assert other["you"]["min_amount"] is None  # not its turn
    assert dt.datetime.fromisoformat(state["now"]) == live.session.start + dt.timedelta(seconds=300)


def test_the_chronograph_replays_only_sessions_whose_end_has_come(traveller: Any) -> None:
    live = open_live(traveller)
    end = live.session.start + dt.timedelta(seconds=300 + 9 * 180 + 2 * 180)
    live.session.refresh_from_db()
    assert live.session.ends_at == end
    assert selectors.sessions_to_finish(end - dt.timedelta(microseconds=1)) == []
    assert selectors.sessions_to_finish(end) == [live.auction.pk]


@pytest.mark.parametrize(
    "argv", [["--bidders", "1"], ["--speedup", "0"], ["--count", "0"], ["--dutch-steps", "0"], ["--start-in", "-1"]]
)
def test_the_sandbox_command_refuses_bad_options_and_writes_nothing(argv: list[str]) -> None:
    from django.core.management import CommandError, call_command

    from vzaemo.auctions.models import Lot

    with pytest.raises(CommandError, match="--"):
        call_command("live_sandbox_auction", *argv)
    assert not Lot.objects.exists()
    assert not LiveSession.objects.exists()


def test_the_sandbox_command_makes_a_live_test_auction(capsys: Any) -> None:
    from django.core.management import call_command

    call_command("live_sandbox_auction", "--bidders", "2", "--start-in", "5")
    made = json.loads(capsys.readouterr().out)
    session = LiveSession.objects.get(auction_id=made["auction_id"])
    assert session.auction.mode == Mode.TEST
    assert session.speedup == 30
    assert len(made["bidders"]) == 2
    sig = made["bidders"][0]["url"].split("?sig=")[1]
    assert links.verify(made["auction_id"], made["bidders"][0]["bid_id"], sig)
