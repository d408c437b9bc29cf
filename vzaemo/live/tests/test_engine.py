"""The pure live-auction engine (docs/design.md rule 7; docs/reference/auctions.md §3.1, §3.2, §3.2a and
§4 "Special bid").

No database, no clock, no sleeping: every moment is an argument. The examples use ProZorro.Sale production
timing unless they say otherwise; the property tests use short timings so that random times hit every stage.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import pickle
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from vzaemo.live import engine
from vzaemo.live.engine import DUTCH, ENGLISH, Bidder, Config, Post, Refusal, State, Timing
from vzaemo.live.tests.timing import PRODUCTION

T0 = dt.datetime(2025, 6, 2, 7, 0, tzinfo=dt.UTC)  # 10:00 in Kyiv
US = dt.timedelta(microseconds=1)
CODES = {
    "auction_not_started",
    "auction_ended",
    "not_your_turn",
    "amount_too_low",
    "amount_not_dutch_price",
    "not_a_bidder",
    "nothing_to_cancel",
    "amount_invalid",
    "special_bid_disabled",
}


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def bidders(*initial: str | None) -> tuple[Bidder, ...]:
    """Bid ids 1..n; the initial bids were submitted the day before, in bid-id order (1 earliest)."""
    return tuple(
        Bidder(
            bid_id=i, initial_amount=None if a is None else Decimal(a), initial_at=T0 - dt.timedelta(days=1) + i * US
        )
        for i, a in enumerate(initial, start=1)
    )


def english(*initial: str | None, timing: Timing = PRODUCTION, special_bid: bool = False) -> Config:
    return Config(ENGLISH, T0, Decimal("1000.00"), Decimal("100.00"), bidders(*initial), timing, special_bid)


def dutch(
    n: int = 3, *, start_value: str = "1000.00", timing: Timing = PRODUCTION, special_bid: bool = False
) -> Config:
    return Config(DUTCH, T0, Decimal(start_value), Decimal(0), bidders(*[None] * n), timing, special_bid)


@dataclass
class Book:
    """Posts go in only when `check()` accepts them, as the bid service does."""

    config: Config
    posts: list[Post] = field(default_factory=list)

    def post(self, bid_id: int, amount: str | None, seconds: float, *, special: bool = False) -> Refusal | None:
        value = None if amount is None else Decimal(amount)
        moment = at(seconds)
        refusal = engine.check(self.config, self.posts, bid_id=bid_id, amount=value, special=special, now=moment)
        if refusal is None:
            self.posts.append(Post(bid_id, value, moment, len(self.posts) + 1, special))
        return refusal

    def ok(self, bid_id: int, amount: str | None, seconds: float, *, special: bool = False) -> None:
        refusal = self.post(bid_id, amount, seconds, special=special)
        assert refusal is None, refusal

    def refused(self, code: str, bid_id: int, amount: str | None, seconds: float, *, special: bool = False) -> Refusal:
        before = list(self.posts)
        refusal = self.post(bid_id, amount, seconds, special=special)
        assert refusal is not None
        assert refusal.code == code, refusal
        assert self.posts == before  # a refusal changes nothing
        return refusal

    def state(self, seconds: float) -> State:
        result = engine.state(self.config, self.posts, at(seconds))
        assert result.ignored == ()
        return result


def amounts(state: State) -> dict[int, str | None]:
    return {s.bid_id: None if s.amount is None else f"{s.amount:.2f}" for s in state.standings}


# --- timing ------------------------------------------------------------------------------------------


def test_timing_has_no_defaults_of_its_own() -> None:
    """The numbers live in the rules registry only (test_services checks what a session freezes)."""
    assert all(f.default is dataclasses.MISSING for f in dataclasses.fields(Timing))
    assert next(f for f in dataclasses.fields(Config) if f.name == "timing").default is dataclasses.MISSING
    with pytest.raises(TypeError):
        Timing()  # type: ignore[call-arg]


def test_scaled_divides_every_duration_but_not_counts_or_percents() -> None:
    fast = PRODUCTION.scaled(60)
    assert (fast.first_pause, fast.turn, fast.pause, fast.rounds) == (5, 3, 3, 3)
    assert (fast.dutch_pause, fast.dutch_step, fast.dutch_steps) == (1, 5, 80)  # 30/60 -> at least 1 s
    assert (fast.sealed_pause, fast.sealed, fast.best_pause, fast.best) == (1, 10, 1, 5)
    assert fast.dutch_step_percent == fast.best_step_percent == Decimal(1)
    assert PRODUCTION.scaled(1) == PRODUCTION
    with pytest.raises(ValueError, match="positive"):
        PRODUCTION.scaled(0)


def test_timing_takes_percents_as_json_strings() -> None:
    timing = dataclasses.replace(PRODUCTION, dutch_step_percent="2.5", best_step_percent=2)  # type: ignore[arg-type]
    assert timing.dutch_step_percent == Decimal("2.5")


def test_timing_from_stored_json() -> None:
    written = {f.name: getattr(PRODUCTION, f.name) for f in dataclasses.fields(Timing)}
    written |= {"turn": 60, "rounds": 3, "dutch_step_percent": "2.5", "best_step_percent": 1}
    stored = json.loads(json.dumps(written, default=str))
    timing = Timing.from_dict(stored)
    assert (timing.turn, timing.pause, timing.dutch_step_percent, timing.best_step_percent) == (
        60,
        180,
        Decimal("2.5"),
        Decimal(1),
    )
    with pytest.raises(ValueError, match="unknown"):
        Timing.from_dict({**stored, "turns": 60})
    with pytest.raises(ValueError, match="missing"):
        Timing.from_dict({"turn": 60})


@pytest.mark.parametrize(
    "make",
    [
        lambda: dataclasses.replace(PRODUCTION, turn=0),
        lambda: dataclasses.replace(PRODUCTION, rounds=0),
        lambda: Config("gong", T0, Decimal(1000), Decimal(10), bidders("1000"), PRODUCTION),
        lambda: Config(ENGLISH, T0.replace(tzinfo=None), Decimal(1000), Decimal(10), bidders("1000"), PRODUCTION),
        lambda: Config(ENGLISH, T0, Decimal(1000), Decimal(10), (), PRODUCTION),
        lambda: Config(ENGLISH, T0, Decimal(1000), Decimal(10), bidders("1000") * 2, PRODUCTION),
        lambda: Config(ENGLISH, T0, Decimal(0), Decimal(10), bidders("1000"), PRODUCTION),
        lambda: Config(
            DUTCH, T0, Decimal(1000), Decimal(0), bidders(None), dataclasses.replace(PRODUCTION, dutch_steps=100)
        ),
    ],
)
def test_a_config_that_cannot_run_is_refused_when_built(make: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        make()  # type: ignore[operator]


# --- English: timing and boundaries ------------------------------------------------------------------


def test_english_turns_start_by_the_formula_and_end_without_a_last_pause() -> None:
    config = english("1000", "1000", "1000")
    stages = engine.timeline(config, [])
    turns = [s for s in stages if s.kind == "turn"]
    assert len(turns) == 9
    for stage in turns:
        assert stage.round is not None
        # first_pause + (r-1)*(n*turn + pause) + i*turn
        assert stage.start == at(300 + (stage.round - 1) * (3 * 180 + 180) + stage.index * 180)
        assert stage.end == stage.start + dt.timedelta(seconds=180)
    pauses = [(s.round, s.start, s.end) for s in stages if s.kind == "pause"]
    assert pauses == [(1, at(0), at(300)), (2, at(840), at(1020)), (3, at(1560), at(1740))]
    # first_pause + 3*n*turn + 2*pause = 300 + 1620 + 360
    assert engine.end_time(config, []) == turns[-1].end == at(2280)
    assert engine.max_end_time(config) == at(2280)


def test_legacy_eauctions_timing_gives_the_reference_total_540_plus_360_n() -> None:
    config = english("1000", "1000", "1000", timing=dataclasses.replace(PRODUCTION, turn=120, pause=120))
    assert engine.end_time(config, []) == at(540 + 360 * 3) == at(27 * 60)


@pytest.mark.parametrize(
    ("seconds", "kind", "round_", "index"),
    [
        (-0.000001, "waiting", None, 0),
        (0, "pause", 1, 0),
        (299.999999, "pause", 1, 0),
        (300, "turn", 1, 0),
        (479.999999, "turn", 1, 0),
        (480, "turn", 1, 1),
        (840, "pause", 2, 0),
        (1020, "turn", 2, 0),
        (2279.999999, "turn", 3, 2),
        (2280, "ended", None, 0),
    ],
)
def test_a_moment_on_a_boundary_belongs_to_the_next_stage(
    seconds: float, kind: str, round_: int | None, index: int
) -> None:
    state = engine.state(english("1000", "1000", "1000"), [], at(seconds))
    assert (state.stage.kind, state.stage.round, state.stage.index) == (kind, round_, index)
    assert state.ended is (kind == "ended")


def test_waiting_and_ended_stages_and_countdowns() -> None:
    config = english("1000", "1100")
    waiting = engine.state(config, [], at(-60))
    assert waiting.stage.start is None
    assert waiting.stage.end == T0 == waiting.next_change
    ended = engine.state(config, [], at(10_000))
    assert ended.stage.start == engine.end_time(config, [])
    assert ended.stage.end is None
    assert ended.next_change is None
    turn = engine.state(config, [], at(301))
    assert turn.next_change == at(480)


def test_the_owner_of_the_next_turn_may_bid_exactly_at_its_start() -> None:
    book = Book(english("1000", "1100", "1200"))  # order 1, 2, 3
    book.refused("not_your_turn", 2, "1300", 479.999999)
    book.ok(2, "1300", 480)
    book.refused("not_your_turn", 1, "1500", 480)


# --- English: order, minimum, latest counts, cancel, ties ----------------------------------------------


def test_round_one_is_ordered_by_initial_bids_later_first_among_equals_leader_last() -> None:
    # 1: 1000 (earliest), 2: none -> the start value 1000 (later), 3: 1100 (the leader).
    config = english("1000", None, "1100")
    state = engine.state(config, [], at(300))
    assert state.order == (2, 1, 3)
    assert [s.owner for s in engine.timeline(config, []) if s.kind == "turn" and s.round == 1] == [2, 1, 3]
    assert state.stage.owner == 2
    assert engine.state(config, [], at(0)).order == (2, 1, 3)  # the pause shows the coming order


def test_only_the_turn_owner_may_bid_and_every_other_post_is_refused_with_its_code() -> None:
    book = Book(english("1000", "1100", "1200"))
    book.refused("auction_not_started", 1, "1100", -1)
    book.refused("not_your_turn", 1, "1100", 10)  # the first pause
    book.refused("not_your_turn", 2, "1200", 300)  # bidder 1's turn
    book.refused("not_a_bidder", 99, "1200", 300)
    for bad in ("0", "-5", "1100.001"):
        book.refused("amount_invalid", 1, bad, 300)
    book.refused("special_bid_disabled", 1, "5000", 300, special=True)
    book.refused("auction_ended", 3, "9000", 2280)
    book.ok(1, "1100.00", 300)


def test_a_bid_needs_the_owners_own_amount_plus_the_step_not_the_leaders() -> None:
    book = Book(english("1000", "1100", "1500"))
    state = book.state(300)
    assert state.min_amount(1) == Decimal("1100.00")  # 1000 + 100, although the leader has 1500
    assert state.min_amount(2) is None
    assert state.min_amount(3) is None
    refusal = book.refused("amount_too_low", 1, "1099.99", 300)
    assert refusal.params["minimum"] == "1100.00"
    assert "1100.00" in refusal.message
    book.ok(1, "1100", 301)
    assert amounts(book.state(302))[1] == "1100.00"


def test_several_bids_in_a_turn_the_latest_counts_even_if_lower_but_above_the_minimum() -> None:
    book = Book(english("1000", "1100", "1200"))
    book.ok(1, "1500", 300)
    assert book.state(301).min_amount(1) == Decimal("1100.00")  # still from the amount at the turn's start
    book.ok(1, "1200", 310)
    book.refused("amount_too_low", 1, "1050", 320)
    assert amounts(book.state(330))[1] == "1200.00"
    assert amounts(book.state(480))[1] == "1200.00"  # the turn is over: it stands
    assert engine.state(book.config, book.posts, at(305)).standings[0].amount == Decimal("1500.00")  # as it was


def test_cancel_returns_to_the_standing_before_the_turn() -> None:
    config = english("1000", "1100", "1200")
    book = Book(config)
    book.refused("nothing_to_cancel", 1, None, 300)  # nothing bid in this turn yet
    book.ok(1, "1300", 301)
    book.ok(1, "1400", 302)
    book.ok(1, None, 303)  # cancels both
    state = book.state(304)
    standing = next(s for s in state.standings if s.bid_id == 1)
    assert (standing.amount, standing.at) == (Decimal("1000.00"), config.bidders[0].initial_at)
    book.refused("nothing_to_cancel", 1, None, 305)
    book.ok(1, "1150", 306)  # a new bid after the cancel
    book.refused("not_your_turn", 1, None, 480)  # the turn is over
    assert amounts(book.state(481))[1] == "1150.00"


def test_later_rounds_are_ordered_by_the_standings_at_the_end_of_the_previous_round() -> None:
    book = Book(english("1000", "1100", "1200"))  # round 1: 1, 2, 3
    book.ok(1, "1500", 300)
    book.ok(2, "1500", 480)  # equal to bidder 1, later
    # bidder 3 does not bid and keeps 1200 from its initial bid
    state = book.state(1020)
    assert state.order == (3, 2, 1)  # ascending; among equals the later (2) first; the leader (1) last
    assert state.stage.owner == 3
    assert book.state(900).order == (3, 2, 1)  # the pause shows it too
    assert state.min_amount(3) == Decimal("1300.00")


def test_the_winner_is_the_highest_and_the_earlier_among_equals() -> None:
    book = Book(english("1000", "1100", "1200"))
    book.ok(1, "2000", 300)
    book.ok(2, "2000", 480)
    assert book.state(2279).ranking == ()  # only when ended
    final = book.state(2280)
    assert final.ended
    assert not final.unsuccessful
    assert final.ranking == ((1, Decimal("2000.00")), (2, Decimal("2000.00")), (3, Decimal("1200.00")))
    assert final.min_amount(1) is None


def test_ties_of_initial_bids_keep_their_submission_times() -> None:
    final = engine.state(english("1000", "1000"), [], at(10_000))
    assert [bid for bid, _ in final.ranking] == [1, 2]  # 1 submitted earlier
    assert final.standings[0].at == T0 - dt.timedelta(days=1) + US


# --- Dutch -----------------------------------------------------------------------------------------


def test_dutch_prices_fall_from_the_initial_value_rounded_half_up() -> None:
    config = dutch(start_value="12345.67")
    assert engine.dutch_price(config, 0) == Decimal("12345.67")
    assert engine.dutch_price(config, 1) == Decimal("12222.21")  # 12222.2133
    assert engine.dutch_price(config, 3) == Decimal("11975.30")  # 11975.2999
    assert engine.dutch_price(config, 80) == Decimal("2469.13")  # 20 %
    assert engine.dutch_price(dutch(start_value="10.50"), 3) == Decimal("10.19")  # 10.185: half up, not even
    assert engine.dutch_price(dutch(), 2) == Decimal("980.00")  # not compounded (980.10)
    two_and_a_half = dutch(timing=dataclasses.replace(PRODUCTION, dutch_step_percent=Decimal("2.5"), dutch_steps=10))
    assert engine.dutch_price(two_and_a_half, 10) == Decimal("750.00")


def test_dutch_levels_last_five_minutes_after_a_30_second_pause() -> None:
    config = dutch()
    assert engine.state(config, [], at(29.999999)).stage.kind == "pause"
    level0 = engine.state(config, [], at(30))
    assert (level0.stage.kind, level0.stage.index, level0.dutch_price) == ("dutch", 0, Decimal("1000.00"))
    assert level0.next_change == at(330)
    assert engine.state(config, [], at(329.999999)).dutch_price == Decimal("1000.00")
    level1 = engine.state(config, [], at(330))
    assert (level1.stage.index, level1.dutch_price, level1.min_amount(2)) == (1, Decimal("990.00"), Decimal("990.00"))
    last = engine.state(config, [], at(30 + 80 * 300))
    assert (last.stage.index, last.dutch_price) == (80, Decimal("200.00"))
    levels = [s for s in engine.timeline(config, []) if s.kind == "dutch"]
    assert len(levels) == 81
    assert levels[-1].end == at(30 + 81 * 300)


def test_no_accept_makes_the_auction_unsuccessful_at_the_end_of_the_dutch_phase() -> None:
    config = dutch()
    dutch_end = 30 + 81 * 300
    assert engine.end_time(config, []) == at(dutch_end)
    assert not engine.state(config, [], at(dutch_end - 1)).ended
    final = engine.state(config, [], at(dutch_end))
    assert final.ended
    assert final.unsuccessful
    assert final.ranking == ()
    assert final.dutch_price is None
    book = Book(config)
    book.refused("auction_ended", 1, "200.00", dutch_end)


def test_an_accept_must_equal_the_current_price_and_the_first_one_wins() -> None:
    book = Book(dutch())
    book.refused("not_your_turn", 1, "1000.00", 10)  # the pause
    refusal = book.refused("amount_not_dutch_price", 1, "960.00", 30 + 5 * 300)  # level 5 is 950.00
    assert refusal.params["price"] == "950.00"
    book.refused("nothing_to_cancel", 1, None, 30 + 5 * 300)
    book.ok(2, "950.00", 30 + 5 * 300 + 7)
    book.refused("not_your_turn", 1, "950.00", 30 + 5 * 300 + 8)  # the Dutch phase is closed
    state = book.state(30 + 5 * 300 + 9)
    assert (state.dutch_winner, state.dutch_price) == (2, Decimal("950.00"))
    sealed_start = 30 + 81 * 300 + 20
    assert (state.stage.kind, state.stage.index, state.stage.start, state.stage.end) == (
        "pause",
        1,
        at(30 + 5 * 300 + 7),
        at(sealed_start),
    )
    levels = [s for s in engine.timeline(book.config, book.posts) if s.kind == "dutch"]
    assert len(levels) == 6
    assert levels[-1].end == at(30 + 5 * 300 + 7)


def _accepted(start_value: str = "1000.00") -> Book:
    book = Book(dutch(3, start_value=start_value))
    book.ok(1, start_value, 30)  # bidder 1 accepts at level 0
    return book


SEALED = 30 + 81 * 300 + 20  # 24350
SEALED_END = SEALED + 600  # 24950
BEST = SEALED_END + 20  # 24970
BEST_END = BEST + 300  # 25270


def test_sealed_bids_come_from_everyone_but_the_dutch_winner_above_the_dutch_price() -> None:
    book = Book(dutch(3))
    book.ok(1, "900.00", 30 + 10 * 300)  # level 10
    book.refused("not_your_turn", 2, "950", SEALED - 1)  # the sealed pause
    book.refused("not_your_turn", 1, "950", SEALED)  # the Dutch winner
    refusal = book.refused("amount_too_low", 2, "900.00", SEALED)  # strictly above
    assert refusal.params["minimum"] == "900.01"
    book.ok(2, "900.01", SEALED)
    book.ok(2, "1200", SEALED + 1)
    book.ok(2, "950", SEALED + 2)  # the latest counts
    book.ok(3, "1000", SEALED + 3)
    book.ok(3, None, SEALED + 4)  # withdraws all of 3's sealed bids
    book.refused("nothing_to_cancel", 3, None, SEALED + 5)
    state = book.state(SEALED + 6)
    assert amounts(state) == {1: "900.00", 2: "950.00", 3: None}
    assert state.min_amount(1) is None
    assert state.min_amount(3) == Decimal("900.01")


def test_the_best_bid_must_beat_the_best_sealed_bid_by_one_percent_of_the_start_value() -> None:
    book = _accepted()
    book.ok(2, "1200", SEALED + 10)
    book.ok(3, "1100", SEALED + 20)
    book.refused("not_your_turn", 1, "1300", SEALED_END)  # the best-bid pause
    book.refused("not_your_turn", 2, "1300", BEST)  # only the Dutch winner
    state = book.state(BEST)
    assert state.stage.kind == "best"
    assert state.stage.owner == 1
    assert state.min_amount(1) == Decimal("1210.00")  # 1200 + 1 % of 1000
    refusal = book.refused("amount_too_low", 1, "1209.99", BEST)
    assert refusal.params["minimum"] == "1210.00"
    book.ok(1, "1300", BEST + 1)
    book.ok(1, "1250", BEST + 2)  # the latest counts
    assert amounts(book.state(BEST + 3))[1] == "1250.00"
    book.ok(1, None, BEST + 4)  # back to the Dutch price
    assert amounts(book.state(BEST + 5))[1] == "1000.00"
    book.ok(1, "1210", BEST + 6)
    assert engine.end_time(book.config, book.posts) == at(BEST_END)
    final = book.state(BEST_END)
    assert final.ended
    assert final.ranking == (
        (1, Decimal("1210.00")),
        (2, Decimal("1200.00")),
        (3, Decimal("1100.00")),
    )


def test_best_step_is_rounded_half_up() -> None:
    book = _accepted("1234.50")  # 1 % = 12.345 -> 12.35
    book.ok(2, "1300", SEALED)
    assert book.state(BEST).min_amount(1) == Decimal("1312.35")


def test_without_a_sealed_bid_the_auction_ends_at_the_end_of_the_sealed_phase() -> None:
    book = _accepted()
    assert engine.end_time(book.config, book.posts) == at(SEALED_END)
    assert not book.state(SEALED_END - 1).ended
    final = book.state(SEALED_END)
    assert final.ended
    assert not final.unsuccessful
    assert final.ranking == ((1, Decimal("1000.00")),)
    assert [s.kind for s in engine.timeline(book.config, book.posts)][-2:] == ["pause", "sealed"]
    book.refused("auction_ended", 1, "1100", BEST)


def test_a_withdrawn_sealed_bid_is_no_sealed_bid() -> None:
    book = _accepted()
    book.ok(2, "1100", SEALED)
    book.ok(2, None, SEALED + 1)
    assert engine.end_time(book.config, book.posts) == at(SEALED_END)


def test_sealed_amounts_are_secret_until_the_sealed_phase_ends() -> None:
    book = _accepted()
    book.ok(2, "1100", SEALED)
    book.ok(3, "1200", SEALED + 1)
    state = book.state(SEALED + 2)
    assert state.sealed_hidden
    public = state.to_dict()
    assert {(s["bid_id"], s["amount"], s["hidden"]) for s in public["standings"]} == {
        (1, "1000.00", False),
        (2, None, True),
        (3, None, True),
    }
    assert "1200" not in json.dumps(public)
    assert "1100" not in json.dumps(public)
    own = state.to_dict(viewer=2)
    assert [(s["bid_id"], s["amount"]) for s in own["standings"] if not s["hidden"]] == [(2, "1100.00"), (1, "1000.00")]
    after = book.state(SEALED_END).to_dict()
    assert not after["sealed_hidden"]
    assert all(not s["hidden"] for s in after["standings"])


# --- special bid ------------------------------------------------------------------------------------


def test_english_special_bid_any_time_after_the_first_pause_out_of_turn_without_the_step() -> None:
    book = Book(english("1000", "1100", "1200", special_bid=True))
    book.refused("not_your_turn", 2, "5000", 299, special=True)  # the first pause
    assert book.state(299).special_min_amount(2) is None
    assert book.state(300).special_min_amount(2) == Decimal("1100.01")
    book.refused("amount_too_low", 2, "1100.00", 300, special=True)  # not above its own standing
    book.ok(2, "1100.01", 300, special=True)  # bidder 1's turn; one cent is enough
    book.refused("amount_invalid", 2, None, 301, special=True)
    book.refused("nothing_to_cancel", 1, None, 302)  # a special bid cannot be cancelled
    book.ok(3, "1300", 900, special=True)  # the pause between rounds
    assert book.state(1020).order == (1, 2, 3)
    final = book.state(5000)
    assert final.ranking[0] == (3, Decimal("1300.00"))


def test_english_special_bid_by_the_owner_starts_its_turn_again() -> None:
    book = Book(english("1000", "1100", "1200", special_bid=True))
    book.ok(1, "1500", 300)
    book.refused("amount_too_low", 1, "1500", 301, special=True)  # above its own current bid
    book.ok(1, "1600", 302, special=True)
    assert book.state(303).min_amount(1) == Decimal("1700.00")
    book.refused("nothing_to_cancel", 1, None, 304)
    book.ok(1, "1700", 305)
    book.ok(1, None, 306)
    assert amounts(book.state(307))[1] == "1600.00"


def test_special_bid_needs_at_least_the_start_value() -> None:
    config = Config(ENGLISH, T0, Decimal(1000), Decimal(100), bidders("500", "600"), PRODUCTION, special_bid=True)
    book = Book(config)
    refusal = book.refused("amount_too_low", 1, "999.99", 400, special=True)
    assert refusal.params["minimum"] == "1000.00"
    book.ok(1, "1000", 400, special=True)


def test_dutch_special_bid_in_the_dutch_phase_is_the_accept_at_its_amount() -> None:
    book = Book(dutch(3, special_bid=True))
    book.refused("not_your_turn", 2, "1000", 29, special=True)  # the Dutch pause
    book.refused("amount_too_low", 2, "990", 30 + 300, special=True)  # level 1 is 990, but the floor is the start
    book.ok(2, "1050", 30 + 300, special=True)
    state = book.state(30 + 301)
    assert (state.dutch_winner, state.dutch_price, state.stage.kind) == (2, Decimal("1050.00"), "pause")
    book.refused("amount_too_low", 1, "1050", SEALED)  # sealed bids must beat 1050
    book.ok(1, "1050.01", SEALED)
    book.ok(3, "1100", SEALED + 1, special=True)  # a special bid in the sealed phase
    book.refused("amount_too_low", 3, "1090", SEALED + 2)  # a sealed bid never undercuts one's special bid
    book.ok(2, "1060", SEALED + 3, special=True)  # the winner may make a special bid out of turn
    assert book.state(BEST).min_amount(2) == Decimal("1110.00")
    final = book.state(BEST_END)
    assert [b for b, _ in final.ranking] == [3, 2, 1]


# --- the output ---------------------------------------------------------------------------------------


def test_to_dict_is_json_ready_with_two_decimal_amounts_and_utc_times() -> None:
    book = Book(english("1000", "1100", "1200", special_bid=True))
    book.ok(1, "1234.5", 300)
    data = book.state(301).to_dict()
    text = json.dumps(data)
    assert json.loads(text) == data
    assert set(data) == {
        "procedure",
        "now",
        "stage",
        "ended",
        "unsuccessful",
        "standings",
        "ranking",
        "dutch_price",
        "dutch_winner",
        "next_change",
        "sealed_hidden",
    }
    assert data["stage"] == {
        "kind": "turn",
        "round": 1,
        "index": 0,
        "owner": 1,
        "start": "2025-06-02T07:05:00.000Z",
        "end": "2025-06-02T07:08:00.000Z",
    }
    assert data["now"] == "2025-06-02T07:05:01.000Z"
    first = data["standings"][0]
    assert first == {
        "bid_id": 1,
        "amount": "1234.50",
        "at": "2025-06-02T07:05:00.000Z",
        "hidden": False,
        "turn": 0,
        "min_amount": "1100.00",
        "special_min_amount": "1234.51",
    }
    kyiv = dt.timezone(dt.timedelta(hours=3))
    same = engine.state(book.config, book.posts, at(301).astimezone(kyiv)).to_dict()
    assert same["now"] == data["now"]
    assert same["stage"] == data["stage"]
    assert engine.timeline(book.config, book.posts)[0].to_dict()["start"] == "2025-06-02T07:00:00.000Z"


def test_state_replays_25_bidders_and_300_posts_without_ignoring_any() -> None:
    # How fast this replay is belongs to bench/live, not to a timed assertion here.
    many = tuple(Bidder(i, None, T0 - i * US) for i in range(1, 26))
    config = Config(ENGLISH, T0, Decimal(1000), Decimal(10), many, PRODUCTION)
    posts: list[Post] = []
    for k in range(300):
        moment = at(300 + 45 * k)
        current = engine.state(config, posts, moment)
        owner = current.stage.owner
        if owner is not None:
            posts.append(Post(owner, current.min_amount(owner), moment, len(posts) + 1))
    assert len(posts) >= 290
    assert engine.state(config, posts, at(99_999)).ignored == ()


# --- properties ---------------------------------------------------------------------------------------

PROPERTY = settings(max_examples=120, deadline=None)
FAST = Timing(
    first_pause=10,
    turn=5,
    pause=4,
    rounds=3,
    dutch_pause=3,
    dutch_step=2,
    dutch_steps=8,
    dutch_step_percent=Decimal(1),
    sealed_pause=2,
    sealed=6,
    best_pause=2,
    best=5,
    best_step_percent=Decimal(1),
)
# Weighted towards posts that may be accepted: the least amount, a bit more, a cancel.
ACTIONS = ("min", "min", "min+", "min+", "cancel", "cancel", "below", "special", "special_low", "any")


@st.composite
def configs(draw: st.DrawFn, procedure: str) -> Config:
    n = draw(st.integers(min_value=2, max_value=6))
    steps = draw(st.sampled_from([0, 10, 25]))
    initial = [
        Bidder(
            bid_id=100 + i,
            initial_amount=draw(st.sampled_from([None, Decimal(1000), Decimal(1010), Decimal(1050)])),
            initial_at=T0 - dt.timedelta(seconds=draw(st.integers(min_value=1, max_value=3))),  # ties likely
        )
        for i in draw(st.permutations(range(n)))
    ]
    timing = FAST
    if procedure == DUTCH:
        timing = dataclasses.replace(
            FAST,
            dutch_steps=draw(st.integers(min_value=0, max_value=8)),
            dutch_step_percent=draw(st.sampled_from([Decimal(1), Decimal("2.5"), Decimal(5)])),
            best_step_percent=draw(st.sampled_from([Decimal(0), Decimal(1)])),
        )
    return Config(
        procedure,
        T0,
        Decimal(1000),
        Decimal(steps if procedure == ENGLISH else 0),
        tuple(initial),
        timing,
        draw(st.booleans()),
    )


Attempt = tuple[float, int | None, str, int]  # seconds, bidder index (None: whoever may bid now), action, cents


def _english_moments(config: Config) -> st.SearchStrategy[float]:
    """Quarter seconds from 2 s before the start to 2 s after the end (turns fill most of it)."""
    timing, n = config.timing, len(config.bidders)
    end = timing.first_pause + timing.rounds * (n * timing.turn + timing.pause)
    return st.integers(-8, 4 * end + 8).map(lambda q: q / 4)


def _dutch_moments(config: Config) -> st.SearchStrategy[float]:
    """Quarter seconds; the sealed and best phases (short, but where most rules are) weigh as much as the rest."""
    timing = config.timing
    sealed = timing.dutch_pause + (timing.dutch_steps + 1) * timing.dutch_step + timing.sealed_pause
    best = sealed + timing.sealed + timing.best_pause
    end = best + timing.best
    spans = [(-2, end + 2), (sealed, sealed + timing.sealed), (best, end)]
    sizes = [4 * (b - a) + 1 for a, b in spans]
    weights = [sizes[0], sizes[0] // 2, sizes[0] // 2]  # a quarter of the moments in each short phase

    def decode(q: int) -> float:
        for (a, _), size, weight in zip(spans, sizes, weights, strict=True):
            if q < weight:
                return a + (q % size) / 4
            q -= weight
        raise AssertionError(q)

    return st.integers(0, sum(weights) - 1).map(decode)


@st.composite
def scenarios(draw: st.DrawFn, procedure: str) -> tuple[Config, list[Attempt]]:
    """A configuration and attempted posts aimed at its stages, in time order. Moments are quarter seconds:
    every stage boundary is hit now and then, and equal moments (ties broken by seq) are common."""
    config = draw(configs(procedure))
    timing = config.timing
    moment = (_english_moments if procedure == ENGLISH else _dutch_moments)(config)
    who = st.integers(-3, 6).map(lambda i: None if i < 0 else i)  # None: whoever may bid now
    attempt = st.tuples(moment, who, st.sampled_from(ACTIONS), st.integers(0, 5000))
    size = draw(st.integers(1, 30))  # st.lists alone keeps most lists short
    tries = draw(st.lists(attempt, min_size=size, max_size=size))
    # A third of them is followed a moment later by a cancel or another bid of the same bidder (same turn).
    tries += [(t + 0.25, w, ("cancel", "min+")[c % 2], c // 3) for t, w, _, c in tries if c % 3 == 0]
    if procedure == DUTCH and draw(st.booleans()):  # often accept, or nothing else can happen
        level = draw(st.integers(min_value=0, max_value=timing.dutch_steps))
        tries.append((timing.dutch_pause + level * timing.dutch_step + 1.0, None, "min", 0))
    return config, sorted(tries, key=lambda t: t[0])


def _amount(state: State, bid_id: int, action: str, extra: int) -> tuple[Decimal | None, bool]:
    cents = Decimal(extra) / 100
    minimum = state.min_amount(bid_id)
    special_minimum = state.special_min_amount(bid_id) or Decimal(1000)
    own = next((s.amount for s in state.standings if s.bid_id == bid_id), None) or Decimal(1000)
    return {
        "min": (minimum, False),
        "min+": (None if minimum is None else minimum + cents, False),
        "below": (None if minimum is None else minimum - Decimal("0.01"), False),
        "cancel": (None, False),
        "special": (special_minimum + cents, True),
        "special_low": (own, True),
        "any": (Decimal(900) + cents, False),
    }[action]


def play(config: Config, tries: list[Attempt]) -> list[Post]:
    """Feed the attempts in time order; keep only what `check()` accepts, as the bid service does."""
    posts: list[Post] = []
    ids = [b.bid_id for b in config.bidders]
    for seconds, who, action, extra in tries:
        moment = at(seconds)
        current = engine.state(config, posts, moment)
        assert current.ignored == ()
        allowed = [b for b in ids if current.min_amount(b) is not None]
        if who is None:
            bid_id = current.stage.owner or (allowed or ids)[extra % len(allowed or ids)]
        else:
            bid_id = ids[who] if who < len(ids) else 999  # 999: not a bidder
        amount, special = _amount(current, bid_id, action, extra)
        refusal = engine.check(config, posts, bid_id=bid_id, amount=amount, special=special, now=moment)
        if refusal is None:
            posts.append(Post(bid_id, amount, moment, len(posts) + 1, special))
            event(f"accepted: {current.stage.kind} {'special' if special else 'cancel' if amount is None else 'bid'}")
        else:
            assert refusal.code in CODES
    return posts


def common_properties(config: Config, posts: Sequence[Post], moments: list[float], seed: int) -> State:
    end = engine.end_time(config, posts)
    assert end <= engine.max_end_time(config)
    assert engine.state(config, posts, T0 - US).stage.kind == "waiting"
    assert not engine.state(config, posts, end - US).ended
    final = engine.state(config, posts, end)
    assert final.ended
    assert final.stage.kind == "ended"
    assert final.next_change is None
    assert final.ignored == ()
    later = end + dt.timedelta(days=1)
    assert engine.state(config, posts, later) == dataclasses.replace(final, now=later)
    # Ranking: amount descending, earlier first among equals; the winner is the max amount, earliest among them.
    ranking = list(final.ranking)
    by_bidder = {s.bid_id: s for s in final.standings}
    keys = [(-amount, by_bidder[bid_id].at) for bid_id, amount in ranking]
    assert keys == sorted(keys)
    if ranking:
        top = max(amount for _, amount in ranking)
        earliest = min(by_bidder[b].at for b, amount in ranking if amount == top)  # type: ignore[type-var]
        assert ranking[0][1] == top
        assert by_bidder[ranking[0][0]].at == earliest

    # Any process, any input order, any number of times: the same answer.
    shuffled = list(posts)
    random.Random(seed).shuffle(shuffled)
    copy = pickle.loads(pickle.dumps(config))  # noqa: S301 - our own bytes
    for seconds in moments:
        moment = at(seconds)
        once = engine.state(config, posts, moment)
        assert once == engine.state(config, posts, moment)
        assert once == engine.state(config, shuffled, moment)
        assert once == engine.state(copy, list(reversed(posts)), moment)
        assert once.to_dict() == engine.state(copy, shuffled, moment).to_dict()
        json.dumps(once.to_dict(viewer=config.bidders[0].bid_id))
        assert once.ignored == ()
        assert (once.stage.kind == "waiting") is (moment < T0)
    assert engine.timeline(config, posts) == engine.timeline(copy, shuffled)
    return final


@PROPERTY
@given(
    scenarios(ENGLISH),
    st.lists(st.floats(min_value=-5, max_value=150, allow_nan=False), max_size=4),
    st.integers(),
)
def test_english_properties(scenario: tuple[Config, list[Attempt]], moments: list[float], seed: int) -> None:
    config, tries = scenario
    posts = play(config, tries)
    stages = engine.timeline(config, posts)
    turns = [s for s in stages if s.kind == "turn"]
    assert len(turns) == config.timing.rounds * len(config.bidders)

    # Every accepted post was the turn owner's, in its turn (or a special bid after the first pause).
    for k, post in enumerate(posts):
        stage = next(s for s in stages if s.start <= post.at < s.end)  # type: ignore[operator]
        if post.special:
            assert config.special_bid
            assert post.at >= at(config.timing.first_pause)
        else:
            assert stage.kind == "turn"
            assert stage.owner == post.bid_id
            assert engine.state(config, posts[:k], post.at).stage.owner == post.bid_id

    # Each round runs ascending by the standings at its start (later first among equals): the leader moves last.
    for round_ in range(1, config.timing.rounds + 1):
        owners = [s.owner or 0 for s in turns if s.round == round_]
        assert sorted(owners) == sorted(b.bid_id for b in config.bidders)  # one turn per bidder
        round_start = next(s.start for s in turns if s.round == round_)
        assert round_start is not None
        before = engine.state(config, posts, round_start - US)
        expected = [s.bid_id for s in sorted(before.standings, key=lambda s: (-s.amount, s.at, s.bid_id))][::-1]  # type: ignore[operator]
        assert owners == expected
        assert engine.state(config, posts, round_start).order == tuple(expected)

    final = common_properties(config, posts, moments, seed)
    assert not final.unsuccessful
    assert len(final.ranking) == len(config.bidders)
    # Nobody ends below its initial bid or below any special bid it made.
    finals = dict(final.ranking)
    for bidder in config.bidders:
        assert finals[bidder.bid_id] >= (bidder.initial_amount or config.start_value)
    for post in posts:
        if post.special:
            assert post.amount is not None
            assert finals[post.bid_id] >= post.amount


@PROPERTY
@given(
    scenarios(DUTCH),
    st.lists(st.floats(min_value=-5, max_value=50, allow_nan=False), max_size=4),
    st.integers(),
)
def test_dutch_properties(scenario: tuple[Config, list[Attempt]], moments: list[float], seed: int) -> None:
    config, tries = scenario
    posts = play(config, tries)
    timing = config.timing
    dutch_start = at(timing.dutch_pause)
    dutch_end = dutch_start + dt.timedelta(seconds=timing.dutch_step * (timing.dutch_steps + 1))
    sealed_start = dutch_end + dt.timedelta(seconds=timing.sealed_pause)
    sealed_end = sealed_start + dt.timedelta(seconds=timing.sealed)

    final = common_properties(config, posts, moments, seed)
    if not posts:  # the first post can only be an accept
        assert final.unsuccessful
        assert final.ranking == ()
        assert engine.end_time(config, posts) == dutch_end
        return
    accept = posts[0]
    assert accept.at < dutch_end
    assert accept.at >= dutch_start
    assert accept.amount is not None
    level = (accept.at - dutch_start) // dt.timedelta(seconds=timing.dutch_step)
    if accept.special:
        assert config.special_bid
        assert accept.amount >= config.start_value
    else:
        assert accept.amount == engine.dutch_price(config, level)
    winner = accept.bid_id
    assert final.dutch_winner == winner
    assert final.dutch_price == accept.amount
    for post in posts[1:]:
        if post.special:  # any bidder, any time after the accept (it is no second accept)
            assert post.amount is not None
            assert post.amount >= config.start_value
            continue
        assert sealed_start <= post.at  # the accept closed the Dutch phase: nothing regular until the sealed bids
        if post.at < sealed_end:
            assert post.bid_id != winner
            assert post.amount is None or post.amount > accept.amount
        else:
            assert post.bid_id == winner
            assert post.amount is None or post.amount > accept.amount
    # A best-bid phase only when someone else stands at the end of the sealed phase.
    at_sealed_end = engine.state(config, posts, sealed_end - US)
    others = [s for s in at_sealed_end.standings if s.bid_id != winner and s.amount is not None]
    best_end = sealed_end + dt.timedelta(seconds=timing.best_pause + timing.best)
    assert engine.end_time(config, posts) == (best_end if others else sealed_end)
    assert final.ranking[0][0] == winner or others
