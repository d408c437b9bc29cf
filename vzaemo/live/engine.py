"""The live auction as a pure function (docs/design.md rule 7).

Everything a live auction shows — the stage, whose turn it is, the Dutch price, the standings, the least amount
each bidder may post — is computed from (configuration, accepted posts, now) and nothing else: no ORM, no clock,
no I/O. The caller stores only the posts that `check()` accepted; any process can answer any request, and tests
need no sleeping.

Rules: docs/reference/auctions.md §3.1, §3.2, §3.2a (authoritative) and §4 "Special bid". Every interval is
half-open, ``[start, end)``: a moment exactly on a boundary belongs to the next stage.

How the replay works: posts are sorted by ``(at, seq)`` and replayed in that order; each post is validated again
by the very code `check()` uses, at its own ``at``, against the state just before it. A post that would not have
been accepted (two concurrent requests, a hand-edited row) is skipped and reported in `State.ignored`, so
`state()` never raises and the result does not depend on the order the caller passes posts in.

Each bidder has an irrevocable *base* standing (the initial bid, a finished turn, the Dutch accept, a special
bid) and at most one revocable *top* (the latest bid of the current English turn, the sealed bid, the best bid);
the standing is the top when there is one, else the base. A cancel (amount ``None``, the "-1") drops the top.

Interpretation choices (where the reference is silent):

* English pauses are ``Stage(kind="pause", round=<the round that follows>)``; Dutch pauses have ``round=None``
  and ``index`` 0 (before the Dutch phase), 1 (before the sealed bids) or 2 (before the best bid).
* Ties that the rules leave open (equal amount *and* time) are broken by bid id: the smaller id ranks higher,
  so it moves later in a round (turn order is exactly the reverse of the ranking).
* After an early Dutch accept the rest of the Dutch phase and the sealed pause are one pause
  ``[accept, sealed start)``; the sealed and best phases keep their fixed times.
* A "valid sealed bid" is any standing of a bidder other than the Dutch winner at the end of the sealed phase
  (a sealed bid or a special bid). With none, the auction ends at the end of the sealed phase (no best phase).
* The best-bid minimum is taken against the best standing of the other bidders *now* (it includes a special
  bid made during the best phase) and against the winner's own base (a special bid of the winner is a floor).
* A sealed bid must be above the Dutch price and, if the bidder made a special bid, above that too: a regular
  bid never undercuts one's own special bid.
* Special bid (SETAM "особлива ставка", only when ``Config.special_bid``): any bidder, out of turn, any time
  after the first pause (English) or the Dutch pause (Dutch) and before the end, pauses included; amount
  ≥ start value and > the bidder's own current standing; no step rule; it cannot be cancelled. In an English
  turn of the same bidder it becomes the new base of that turn (later bids of the turn need base + step, a "-1"
  drops only what was bid after it). During the Dutch phase, before any accept, it *is* the accept: the bidder
  wins the Dutch phase at that amount, and that amount is the "Dutch price" the sealed and best bids must beat.
* `end_time()` is the end given the posts passed in (no further posts). English: fixed. Dutch: the end of the
  Dutch phase without an accept; the end of the sealed phase without a sealed bid; else the end of the best
  phase. `max_end_time()` is the latest the auction can possibly end.
* During a Dutch auction's sealed window (from the accept to the end of the sealed phase) the other bidders'
  amounts are secret: `State.to_dict()` hides them unless ``viewer`` is that bidder (the winner's is public).
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from operator import attrgetter
from typing import Any

ENGLISH = "english"
DUTCH = "dutch"
PROCEDURES = (ENGLISH, DUTCH)

CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


class Kind(StrEnum):
    """`Stage.kind`."""

    WAITING = "waiting"  # before the start
    PAUSE = "pause"
    TURN = "turn"  # English: one bidder's turn
    DUTCH = "dutch"  # Dutch: one price level
    SEALED = "sealed"  # Dutch: sealed bids of everyone but the Dutch winner
    BEST = "best"  # Dutch: the Dutch winner's best bid
    ENDED = "ended"


class Code(StrEnum):
    """`Refusal.code`: the API; callers translate by code."""

    AUCTION_NOT_STARTED = "auction_not_started"
    AUCTION_ENDED = "auction_ended"
    NOT_YOUR_TURN = "not_your_turn"
    AMOUNT_TOO_LOW = "amount_too_low"
    AMOUNT_NOT_DUTCH_PRICE = "amount_not_dutch_price"
    NOT_A_BIDDER = "not_a_bidder"
    NOTHING_TO_CANCEL = "nothing_to_cancel"
    AMOUNT_INVALID = "amount_invalid"
    SPECIAL_BID_DISABLED = "special_bid_disabled"


_MESSAGES = {
    Code.AUCTION_NOT_STARTED: "The auction has not started yet.",
    Code.AUCTION_ENDED: "The auction is over: bids are no longer accepted.",
    Code.NOT_YOUR_TURN: "It is not your turn to bid now.",
    Code.AMOUNT_TOO_LOW: "The amount is too low: the least you may bid now is {minimum}.",
    Code.AMOUNT_NOT_DUTCH_PRICE: "To accept, bid exactly the current price, {price}.",
    Code.NOT_A_BIDDER: "You are not a qualified bidder of this auction.",
    Code.NOTHING_TO_CANCEL: "You have no bid to cancel now.",
    Code.AMOUNT_INVALID: "The amount must be positive with at most two decimal places.",
    Code.SPECIAL_BID_DISABLED: "This auction does not allow a special bid.",
}


# --- inputs -------------------------------------------------------------------------------------------


_PERCENTS = frozenset({"dutch_step_percent", "best_step_percent"})


def _percent(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True, slots=True)
class Timing:
    """Durations in seconds, counts and percents. No defaults: the numbers are law as data, kept once in the
    rules registry (keys in `vzaemo/live/rules.py`, values with their sources seeded by the live app's
    migration 0002) and frozen into each session when it opens; the engine computes with what it is given."""

    # English
    first_pause: int
    turn: int
    pause: int
    rounds: int
    # Dutch (insider)
    dutch_pause: int
    dutch_step: int
    dutch_steps: int  # price levels 0..dutch_steps
    dutch_step_percent: Decimal  # of the start value, per level
    sealed_pause: int
    sealed: int
    best_pause: int
    best: int
    best_step_percent: Decimal  # of the start value, over the best sealed bid

    _DURATIONS = (
        "first_pause",
        "turn",
        "pause",
        "dutch_pause",
        "dutch_step",
        "sealed_pause",
        "sealed",
        "best_pause",
        "best",
    )

    def __post_init__(self) -> None:
        # Percents may arrive as JSON strings or ints; keep them exact.
        object.__setattr__(self, "dutch_step_percent", _percent(self.dutch_step_percent))
        object.__setattr__(self, "best_step_percent", _percent(self.best_step_percent))
        for name in self._DURATIONS:
            if getattr(self, name) < 1:
                raise ValueError(f"Timing.{name} must be at least 1 second")
        if self.rounds < 1 or self.dutch_steps < 0:
            raise ValueError("Timing.rounds must be at least 1 and Timing.dutch_steps not negative")
        if self.dutch_step_percent < 0 or self.best_step_percent < 0:
            raise ValueError("Timing percents must not be negative")

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Timing:
        """From stored JSON (counts and durations as numbers, percents as numbers or strings); unknown or
        missing keys raise ValueError."""
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown Timing fields: {sorted(unknown)}")
        missing = set(cls.__dataclass_fields__) - set(values)
        if missing:
            raise ValueError(f"missing Timing fields: {sorted(missing)}")
        kwargs: dict[str, Any] = {
            name: _percent(value) if name in _PERCENTS else int(value) for name, value in values.items()
        }
        return cls(**kwargs)

    def scaled(self, factor: float) -> Timing:
        """Every duration divided by `factor` (at least 1 s): accelerated sandbox and end-to-end auctions.
        Counts and percents stay."""
        if not factor > 0:
            raise ValueError("the factor must be positive")
        return replace(self, **{name: max(1, round(getattr(self, name) / factor)) for name in self._DURATIONS})


@dataclass(frozen=True, slots=True)
class Bidder:
    bid_id: int  # the CDB bid (one per qualified bidder)
    initial_amount: Decimal | None  # the sealed initial bid (seeds English round 1); None -> the start value
    initial_at: dt.datetime  # its submission time (tie-break)


@dataclass(frozen=True, slots=True)
class Config:
    procedure: str  # ENGLISH | DUTCH
    start: dt.datetime  # the first pause begins here
    start_value: Decimal
    minimal_step: Decimal
    bidders: tuple[Bidder, ...]
    timing: Timing
    special_bid: bool = False  # SETAM "особлива ставка"

    def __post_init__(self) -> None:
        if self.procedure not in PROCEDURES:
            raise ValueError(f"unknown procedure {self.procedure!r}")
        if self.start.utcoffset() is None or any(b.initial_at.utcoffset() is None for b in self.bidders):
            raise ValueError("times must be aware")
        if not self.bidders:
            raise ValueError("an auction needs bidders")
        if len({b.bid_id for b in self.bidders}) != len(self.bidders):
            raise ValueError("bid ids must be unique")
        if not self.start_value > 0 or self.minimal_step < 0:
            raise ValueError("the start value must be positive and the step not negative")
        if self.procedure == DUTCH and self.timing.dutch_steps * self.timing.dutch_step_percent >= _HUNDRED:
            raise ValueError("the last Dutch price level must stay above zero")


@dataclass(frozen=True, slots=True)
class Post:
    """One accepted, stored post."""

    bid_id: int
    amount: Decimal | None  # None = the "-1" cancel
    at: dt.datetime  # server commit time
    seq: int  # store order; strictly increasing; breaks ties of equal `at`
    special: bool = False


# Enum member lookups are slow on Python 3.11; the replay's hot path compares with these.
_WAITING = Kind.WAITING
_PAUSE = Kind.PAUSE
_TURN = Kind.TURN
_LEVEL = Kind.DUTCH
_SEALED = Kind.SEALED
_BEST = Kind.BEST
_ENDED = Kind.ENDED


# --- outputs ------------------------------------------------------------------------------------------


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of the auction, ``[start, end)``."""

    kind: Kind
    round: int | None  # English: the round of a turn, or the round a pause leads to; else None
    index: int  # turn: 0-based position in the round; dutch: price level; Dutch pause: 0/1/2; else 0
    owner: int | None  # turn: its owner; best: the Dutch winner; else None
    start: dt.datetime | None  # None only for "waiting"
    end: dt.datetime | None  # None only for "ended"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "round": self.round,
            "index": self.index,
            "owner": self.owner,
            "start": _iso(self.start),
            "end": _iso(self.end),
        }


@dataclass(frozen=True, slots=True)
class Standing:
    """A bidder's amount as it stands now and the time it was made (the initial bid's, until it bids)."""

    bid_id: int
    amount: Decimal | None  # None: no standing yet (Dutch)
    at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a post is not accepted: `code` is the API (callers translate by it), `message` is English."""

    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


def _refusal(code: Code, **params: Any) -> Refusal:
    return Refusal(code=code, message=_MESSAGES[code].format(**params), params=params)


@dataclass(frozen=True, slots=True)
class State:
    """The auction at `now`: what streams show, the bid path checks against and the protocol records."""

    procedure: str
    now: dt.datetime
    stage: Stage
    ended: bool
    unsuccessful: bool  # Dutch without an accept
    standings: tuple[Standing, ...]  # ranking order; bidders without a standing last, by bid id
    ranking: tuple[tuple[int, Decimal], ...]  # (bid_id, amount) best first; only when ended and successful
    order: tuple[int, ...]  # English: turn order of this round (in a pause: of the next one, as it stands)
    dutch_price: Decimal | None  # the current level's price; after the accept, the accepted amount
    dutch_winner: int | None
    minimums: Mapping[int, Decimal | None]  # least regular amount each bidder may post now (Dutch: exact price)
    special_minimums: Mapping[int, Decimal | None]  # least special bid each bidder may post now
    next_change: dt.datetime | None  # when the stage changes next (None once ended)
    sealed_hidden: bool  # Dutch sealed window: the other bidders' amounts are secret
    ignored: tuple[int, ...] = ()  # seqs of posts the replay refused (never, if all were checked)

    def min_amount(self, bid_id: int) -> Decimal | None:
        """The least amount `bid_id` may post now (Dutch phase: the exact price), None if it cannot bid."""
        return self.minimums.get(bid_id)

    def special_min_amount(self, bid_id: int) -> Decimal | None:
        """The least special bid `bid_id` may post now, None if it cannot."""
        return self.special_minimums.get(bid_id)

    def to_dict(self, viewer: int | None = None) -> dict[str, Any]:
        """JSON-ready. Bid ids appear only as values of "bid_id", "owner" and "dutch_winner" (callers may
        relabel them). During the sealed window the amounts, times and minimums of bidders other than the Dutch
        winner and `viewer` are hidden (``"hidden": true``) and listed last by bid id."""
        positions = {bid_id: i for i, bid_id in enumerate(self.order)}

        def visible(bid_id: int) -> bool:
            return not self.sealed_hidden or bid_id in (viewer, self.dutch_winner)

        shown = [s for s in self.standings if visible(s.bid_id)]
        masked = sorted((s for s in self.standings if not visible(s.bid_id)), key=lambda s: s.bid_id)
        standings = [
            {
                "bid_id": s.bid_id,
                "amount": _money(s.amount),
                "at": _iso(s.at),
                "hidden": False,
                "turn": positions.get(s.bid_id),
                "min_amount": _money(self.minimums.get(s.bid_id)),
                "special_min_amount": _money(self.special_minimums.get(s.bid_id)),
            }
            for s in shown
        ] + [
            {
                "bid_id": s.bid_id,
                "amount": None,
                "at": None,
                "hidden": True,
                "turn": positions.get(s.bid_id),
                "min_amount": None,
                "special_min_amount": None,
            }
            for s in masked
        ]
        return {
            "procedure": self.procedure,
            "now": _iso(self.now),
            "stage": self.stage.to_dict(),
            "ended": self.ended,
            "unsuccessful": self.unsuccessful,
            "standings": standings,
            "ranking": [{"bid_id": b, "amount": _money(a)} for b, a in self.ranking],
            "dutch_price": _money(self.dutch_price),
            "dutch_winner": self.dutch_winner,
            "next_change": _iso(self.next_change),
            "sealed_hidden": self.sealed_hidden,
        }


# --- money --------------------------------------------------------------------------------------------


def _half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _valid_amount(amount: Any) -> Decimal | None:
    """A positive amount with at most two decimals, as cents; None if it is not one."""
    if type(amount) is not Decimal:  # the hot path of the replay: a stored Decimal
        if type(amount) is not int:  # not bool, float or str either
            return None
        amount = Decimal(amount)
    if not amount.is_finite() or amount <= 0:
        return None
    try:
        cents = amount.quantize(CENT)
    except InvalidOperation:  # too many digits for the context
        return None
    return cents if cents == amount else None


def dutch_price(config: Config, level: int) -> Decimal:
    """Price of Dutch level `level` (0 = the start value): always from the initial value, rounded half up."""
    percent = _HUNDRED - level * config.timing.dutch_step_percent
    return _half_up(config.start_value * percent / _HUNDRED)


# --- the replay ---------------------------------------------------------------------------------------

_Entry = tuple[Decimal, dt.datetime]
_FAR_PAST = dt.datetime.min.replace(tzinfo=dt.UTC)
_FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


def _seconds(value: int) -> dt.timedelta:
    return dt.timedelta(seconds=value)


class _Replay(ABC):
    """Mutable, private: the auction as it stands after the posts fed so far, positioned at one moment."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.start_value = _half_up(config.start_value)
        self.ids = frozenset(b.bid_id for b in config.bidders)
        self.base: dict[int, _Entry] = {}
        self.top: dict[int, _Entry] = {}
        self.ignored: list[int] = []
        self.kind = _WAITING
        self.round: int | None = None
        self.index = 0
        # [start, end) of the stage `advance()` found last (None: unbounded), and the same with sentinels:
        # while a post falls in [lo, hi) the stage needs no locating again. `forget()` empties it.
        self.stage_start: dt.datetime | None = None
        self.stage_end: dt.datetime | None = config.start
        self.lo = self.hi = _FAR_PAST

    def enter(
        self, kind: Kind, round_: int | None, index: int, start: dt.datetime | None, end: dt.datetime | None
    ) -> None:
        self.kind, self.round, self.index, self.stage_start, self.stage_end = kind, round_, index, start, end
        self.lo = _FAR_PAST if start is None else start
        self.hi = _FAR_FUTURE if end is None else end

    def forget(self) -> None:
        self.lo = self.hi = _FAR_PAST

    # -- shared rules

    def standing(self, bid_id: int) -> _Entry | None:
        return self.top.get(bid_id) or self.base.get(bid_id)

    def base_or_top(self, bid_id: int) -> _Entry:
        entry = self.standing(bid_id)
        assert entry is not None  # noqa: S101 - only for bidders with a standing
        return entry

    def ranked(self, ids: Iterable[int]) -> list[int]:
        """Best first: amount descending, earlier time first, then smaller bid id (bidders with a standing)."""
        keyed = [(-entry[0], entry[1], bid_id) for bid_id in ids if (entry := self.standing(bid_id)) is not None]
        keyed.sort()
        return [bid_id for _, _, bid_id in keyed]

    @abstractmethod
    def special_open(self) -> bool:
        """See the subclasses."""

    def special_minimum(self, bid_id: int) -> Decimal:
        own = self.standing(bid_id)
        return self.start_value if own is None else max(self.start_value, own[0] + CENT)

    def evaluate(self, bid_id: int, amount: Any, special: bool) -> tuple[Refusal | None, Decimal | None]:
        """Would the post be accepted now, i.e. after `advance(<the post's time>)`? Returns the refusal and the
        amount in cents."""
        if bid_id not in self.ids:
            return _refusal(Code.NOT_A_BIDDER, bid_id=bid_id), None
        if special and not self.config.special_bid:
            return _refusal(Code.SPECIAL_BID_DISABLED), None
        cents = None
        if amount is not None or special:
            cents = _valid_amount(amount)
            if cents is None:
                return _refusal(Code.AMOUNT_INVALID), None
        if self.kind is _WAITING:
            return _refusal(Code.AUCTION_NOT_STARTED, start=_iso(self.config.start)), cents
        if self.kind is _ENDED:
            return _refusal(Code.AUCTION_ENDED), cents
        if special:
            assert cents is not None  # noqa: S101 - a special bid without an amount was refused above
            if not self.special_open():
                return _refusal(Code.NOT_YOUR_TURN, stage=str(self.kind)), cents
            minimum = self.special_minimum(bid_id)
            if cents < minimum:
                return _refusal(Code.AMOUNT_TOO_LOW, minimum=_money(minimum)), cents
            return None, cents
        return self.refuse(bid_id, cents), cents

    def feed(self, posts: Iterable[Post]) -> None:
        for post in posts:
            self.advance(post.at)
            refusal, cents = self.evaluate(post.bid_id, post.amount, post.special)
            if refusal is not None:
                self.ignored.append(post.seq)
            elif post.special:
                assert cents is not None  # noqa: S101 - evaluate() accepts no special bid without an amount
                self.apply_special(post.bid_id, cents, post.at)
            else:
                self.apply(post.bid_id, cents, post.at)

    def apply_special(self, bid_id: int, amount: Decimal, at: dt.datetime) -> None:
        self.base[bid_id] = (amount, at)
        self.top.pop(bid_id, None)

    def snapshot(self, now: dt.datetime) -> State:
        stage = self.stage()
        ended = stage.kind is _ENDED
        unsuccessful = self.unsuccessful()
        ranked = self.ranked(self.ids)
        standings = [Standing(b, amount, at) for b in ranked for amount, at in (self.base_or_top(b),)]
        standings += [Standing(b, None, None) for b in sorted(self.ids - set(ranked))]
        ranking = tuple((s.bid_id, s.amount) for s in standings if s.amount is not None)
        special = self.config.special_bid and not ended and stage.kind is not _WAITING and self.special_open()
        return State(
            procedure=self.config.procedure,
            now=now,
            stage=stage,
            ended=ended,
            unsuccessful=unsuccessful,
            standings=tuple(standings),
            ranking=ranking if ended and not unsuccessful else (),
            order=self.order(),
            dutch_price=self.current_dutch_price(),
            dutch_winner=self.winner(),
            minimums={b: self.minimum(b) for b in sorted(self.ids)},
            special_minimums={b: (self.special_minimum(b) if special else None) for b in sorted(self.ids)},
            next_change=stage.end,
            sealed_hidden=self.sealed_hidden(),
            ignored=tuple(self.ignored),
        )

    # -- per procedure

    @abstractmethod
    def advance(self, at: dt.datetime) -> None:
        """Move to the stage at `at` (never backwards), closing what ended on the way."""

    @abstractmethod
    def refuse(self, bid_id: int, amount: Decimal | None) -> Refusal | None:
        """The stage's own rules for a regular post (or cancel) of valid form; None = accepted."""

    @abstractmethod
    def apply(self, bid_id: int, amount: Decimal | None, at: dt.datetime) -> None:
        """Record a regular post (or cancel) that `refuse()` accepted."""

    @abstractmethod
    def stage(self) -> Stage:
        """The stage `advance()` found last."""

    @abstractmethod
    def stages(self) -> list[Stage]:
        """Every stage up to the end, after `advance()` to the latest end."""

    @abstractmethod
    def minimum(self, bid_id: int) -> Decimal | None:
        """The least regular amount `bid_id` may post now; None if it may not."""

    @abstractmethod
    def end_time(self) -> dt.datetime:
        """The end, if no further post is accepted."""

    @abstractmethod
    def latest_end(self) -> dt.datetime:
        """The latest possible end, whatever is posted."""

    def order(self) -> tuple[int, ...]:
        return ()

    def unsuccessful(self) -> bool:
        return False

    def current_dutch_price(self) -> Decimal | None:
        return None

    def winner(self) -> int | None:
        return None

    def sealed_hidden(self) -> bool:
        return False


class _English(_Replay):
    """3-round English auction (reference §3.1, §3.2a)."""

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        timing = config.timing
        self.step = _half_up(config.minimal_step)
        self.n = len(config.bidders)
        self.rounds = timing.rounds
        self.first = config.start + _seconds(timing.first_pause)
        self.turn = _seconds(timing.turn)
        self.round_length = self.turn * self.n
        self.period = self.round_length + _seconds(timing.pause)
        self.finish = self.first + self.period * (self.rounds - 1) + self.round_length
        self.orders: list[tuple[int, ...]] = []
        self.owner: int | None = None  # of the turn we are in
        self.position: tuple[int, int] | None = None  # (round, index) of the turn we are in
        for b in config.bidders:
            amount = self.start_value if b.initial_amount is None else _half_up(b.initial_amount)
            self.base[b.bid_id] = (amount, b.initial_at)

    def locate(self, at: dt.datetime) -> tuple[Kind, int | None, int, dt.datetime | None, dt.datetime | None]:
        """The stage at `at`: kind, round, index, start, end."""
        if at < self.config.start:
            return _WAITING, None, 0, None, self.config.start
        if at < self.first:
            return _PAUSE, 1, 0, self.config.start, self.first
        if at >= self.finish:
            return _ENDED, None, 0, self.finish, None
        full = (at - self.first) // self.period
        round_start = self.first + self.period * full
        if at - round_start < self.round_length:
            index = (at - round_start) // self.turn
            start = round_start + self.turn * index
            return _TURN, full + 1, index, start, start + self.turn
        return _PAUSE, full + 2, 0, round_start + self.round_length, round_start + self.period

    def projected_order(self) -> tuple[int, ...]:
        return tuple(reversed(self.ranked(self.ids)))

    def advance(self, at: dt.datetime) -> None:
        if self.lo <= at < self.hi:
            return
        kind, round_, index, start, end = self.locate(at)
        position = (round_, index) if kind is _TURN and round_ is not None else None
        if position != self.position:
            if self.owner is not None and self.owner in self.top:  # the turn is over: its latest bid stands
                self.base[self.owner] = self.top.pop(self.owner)
            self.position = position
            self.owner = None
        started = {_TURN: round_, _PAUSE: (round_ or 1) - 1, _ENDED: self.rounds}.get(kind) or 0
        while len(self.orders) < started:  # standings at the round's start (nothing happened since)
            self.orders.append(self.projected_order())
        if position is not None:
            self.owner = self.orders[position[0] - 1][position[1]]
        self.enter(kind, round_, index, start, end)

    def special_open(self) -> bool:
        """After the first pause, in any turn or pause (`evaluate()` has refused before the start and after the end)."""
        return self.kind is _TURN or (self.kind is _PAUSE and self.round != 1)

    def refuse(self, bid_id: int, amount: Decimal | None) -> Refusal | None:
        if self.kind is not _TURN or bid_id != self.owner:
            return _refusal(Code.NOT_YOUR_TURN, stage=str(self.kind))
        if amount is None:
            return None if bid_id in self.top else _refusal(Code.NOTHING_TO_CANCEL)
        minimum = self.base[bid_id][0] + self.step
        return None if amount >= minimum else _refusal(Code.AMOUNT_TOO_LOW, minimum=_money(minimum))

    def apply(self, bid_id: int, amount: Decimal | None, at: dt.datetime) -> None:
        if amount is None:
            del self.top[bid_id]
        else:
            self.top[bid_id] = (amount, at)

    def minimum(self, bid_id: int) -> Decimal | None:
        if self.kind is _TURN and bid_id == self.owner:
            return self.base[bid_id][0] + self.step
        return None

    def turn_stage(self, round_: int, index: int, owner: int | None) -> Stage:
        start = self.first + self.period * (round_ - 1) + self.turn * index
        return Stage(_TURN, round_, index, owner, start, start + self.turn)

    def pause_stage(self, round_: int) -> Stage:
        if round_ == 1:
            return Stage(_PAUSE, 1, 0, None, self.config.start, self.first)
        end = self.first + self.period * (round_ - 1)
        return Stage(_PAUSE, round_, 0, None, end - (self.period - self.round_length), end)

    def stage(self) -> Stage:
        return Stage(self.kind, self.round, self.index, self.owner, self.stage_start, self.stage_end)

    def stages(self) -> list[Stage]:
        out = []
        for round_, order in enumerate(self.orders, start=1):
            out.append(self.pause_stage(round_))
            out += [self.turn_stage(round_, i, owner) for i, owner in enumerate(order)]
        return out

    def order(self) -> tuple[int, ...]:
        if self.kind is _TURN and self.round is not None:
            return self.orders[self.round - 1]
        if self.kind in (_WAITING, _PAUSE):
            return self.projected_order()
        return ()

    def end_time(self) -> dt.datetime:
        return self.finish

    def latest_end(self) -> dt.datetime:
        return self.finish


class _Dutch(_Replay):
    """Insider auction: Dutch phase, sealed bids, best bid (reference §3.2, §3.2a)."""

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        timing = config.timing
        self.levels = timing.dutch_steps + 1
        self.level = _seconds(timing.dutch_step)
        self.dutch_start = config.start + _seconds(timing.dutch_pause)
        self.dutch_end = self.dutch_start + self.level * self.levels
        self.sealed_start = self.dutch_end + _seconds(timing.sealed_pause)
        self.sealed_end = self.sealed_start + _seconds(timing.sealed)
        self.best_start = self.sealed_end + _seconds(timing.best_pause)
        self.best_end = self.best_start + _seconds(timing.best)
        self.best_step = _half_up(self.start_value * timing.best_step_percent / _HUNDRED)
        self.prices: dict[int, Decimal] = {}
        self.dutch_winner: int | None = None
        self.price: Decimal | None = None  # the accepted amount
        self.accepted_at: dt.datetime | None = None
        self.has_best: bool | None = None  # decided at the end of the sealed phase

    def level_price(self, level: int) -> Decimal:
        if level not in self.prices:
            self.prices[level] = dutch_price(self.config, level)
        return self.prices[level]

    def locate(self, at: dt.datetime) -> tuple[Kind, int, dt.datetime | None, dt.datetime | None]:
        """The stage at `at`: kind, index, start, end."""
        if at < self.config.start:
            return _WAITING, 0, None, self.config.start
        if at < self.dutch_start:
            return _PAUSE, 0, self.config.start, self.dutch_start
        if self.dutch_winner is None:
            if at < self.dutch_end:
                level = (at - self.dutch_start) // self.level
                start = self.dutch_start + self.level * level
                return _LEVEL, level, start, start + self.level
            return _ENDED, 0, self.dutch_end, None
        if at < self.sealed_start:
            return _PAUSE, 1, self.accepted_at, self.sealed_start
        if at < self.sealed_end:
            return _SEALED, 0, self.sealed_start, self.sealed_end
        if not self.has_best:
            return _ENDED, 0, self.sealed_end, None
        if at < self.best_start:
            return _PAUSE, 2, self.sealed_end, self.best_start
        if at < self.best_end:
            return _BEST, 0, self.best_start, self.best_end
        return _ENDED, 0, self.best_end, None

    def others(self) -> list[int]:
        return [b for b in self.ids if b != self.dutch_winner and self.standing(b) is not None]

    def advance(self, at: dt.datetime) -> None:
        if self.lo <= at < self.hi:
            return
        if self.dutch_winner is not None and self.has_best is None and at >= self.sealed_end:
            self.has_best = bool(self.others())  # the sealed bids as they stand at the phase's end
        kind, index, start, end = self.locate(at)
        self.enter(kind, None, index, start, end)

    def special_open(self) -> bool:
        return not (self.kind is _PAUSE and self.index == 0)

    def refuse(self, bid_id: int, amount: Decimal | None) -> Refusal | None:
        if self.kind is _LEVEL:
            if amount is None:
                return _refusal(Code.NOTHING_TO_CANCEL)
            price = self.level_price(self.index)
            return None if amount == price else _refusal(Code.AMOUNT_NOT_DUTCH_PRICE, price=_money(price))
        if (self.kind is _SEALED and bid_id != self.dutch_winner) or (
            self.kind is _BEST and bid_id == self.dutch_winner
        ):
            if amount is None:
                return None if bid_id in self.top else _refusal(Code.NOTHING_TO_CANCEL)
            minimum = self.minimum(bid_id)
            assert minimum is not None  # noqa: S101 - this bidder may bid in this stage
            return None if amount >= minimum else _refusal(Code.AMOUNT_TOO_LOW, minimum=_money(minimum))
        return _refusal(Code.NOT_YOUR_TURN, stage=str(self.kind))

    def accept(self, bid_id: int, amount: Decimal, at: dt.datetime) -> None:
        self.dutch_winner, self.price, self.accepted_at = bid_id, amount, at
        self.base[bid_id] = (amount, at)
        self.forget()  # the Dutch phase is over: the stage changes now

    def apply(self, bid_id: int, amount: Decimal | None, at: dt.datetime) -> None:
        if self.kind is _LEVEL:
            assert amount is not None  # noqa: S101 - refuse() accepts no cancel in the Dutch phase
            self.accept(bid_id, amount, at)
        elif amount is None:
            del self.top[bid_id]
        else:
            self.top[bid_id] = (amount, at)

    def apply_special(self, bid_id: int, amount: Decimal, at: dt.datetime) -> None:
        if self.kind is _LEVEL:  # before any accept: it is the accept, at its amount
            self.accept(bid_id, amount, at)
        else:
            super().apply_special(bid_id, amount, at)

    def minimum(self, bid_id: int) -> Decimal | None:
        if self.kind is _LEVEL:
            return self.level_price(self.index)
        if self.price is None:
            return None
        if self.kind is _SEALED and bid_id != self.dutch_winner:
            own = self.base.get(bid_id)  # a special bid: never undercut it
            return max(self.price, own[0] if own else self.price) + CENT
        if self.kind is _BEST and bid_id == self.dutch_winner:
            floor = self.base[bid_id][0] + CENT  # the Dutch price, or the winner's special bid
            others = [entry[0] for b in self.others() if (entry := self.standing(b)) is not None]
            return max(floor, max(others) + self.best_step) if others else floor
        return None

    def stage(self) -> Stage:
        owner = self.dutch_winner if self.kind is _BEST else None
        return Stage(self.kind, None, self.index, owner, self.stage_start, self.stage_end)

    def stages(self) -> list[Stage]:
        out = [Stage(_PAUSE, None, 0, None, self.config.start, self.dutch_start)]
        accepted = self.accepted_at
        last = self.levels - 1 if accepted is None else (accepted - self.dutch_start) // self.level
        for level in range(last + 1):
            start = self.dutch_start + self.level * level
            end = start + self.level
            out.append(Stage(_LEVEL, None, level, None, start, end if accepted is None else min(end, accepted)))
        if accepted is None:
            return out
        out.append(Stage(_PAUSE, None, 1, None, accepted, self.sealed_start))
        out.append(Stage(_SEALED, None, 0, None, self.sealed_start, self.sealed_end))
        if self.has_best:
            out.append(Stage(_PAUSE, None, 2, None, self.sealed_end, self.best_start))
            out.append(Stage(_BEST, None, 0, self.dutch_winner, self.best_start, self.best_end))
        return out

    def end_time(self) -> dt.datetime:
        if self.dutch_winner is None:
            return self.dutch_end
        has_best = self.has_best if self.has_best is not None else bool(self.others())
        return self.best_end if has_best else self.sealed_end

    def latest_end(self) -> dt.datetime:
        return self.best_end

    def unsuccessful(self) -> bool:
        return self.kind is _ENDED and self.dutch_winner is None

    def current_dutch_price(self) -> Decimal | None:
        if self.kind is _LEVEL:
            return self.level_price(self.index)
        return self.price

    def winner(self) -> int | None:
        return self.dutch_winner

    def sealed_hidden(self) -> bool:
        return self.kind is _SEALED or (self.kind is _PAUSE and self.index == 1)


# --- the API ------------------------------------------------------------------------------------------


_ORDER = attrgetter("at", "seq")


def _replay(config: Config, posts: Iterable[Post], until: dt.datetime | None) -> _Replay:
    replay: _Replay = _English(config) if config.procedure == ENGLISH else _Dutch(config)
    chosen = posts if until is None else (p for p in posts if p.at <= until)
    replay.feed(sorted(chosen, key=_ORDER))
    return replay


def state(config: Config, posts: Sequence[Post], now: dt.datetime) -> State:
    """The auction at `now`, from the posts made at or before `now`."""
    replay = _replay(config, posts, now)
    replay.advance(now)
    return replay.snapshot(now)


def check(
    config: Config, posts: Sequence[Post], *, bid_id: int, amount: Decimal | None, special: bool, now: dt.datetime
) -> Refusal | None:
    """None if a post (`amount` None = cancel) by `bid_id` made at `now`, after `posts`, is accepted."""
    replay = _replay(config, posts, now)
    replay.advance(now)
    refusal, _ = replay.evaluate(bid_id, amount, special)
    return refusal


def timeline(config: Config, posts: Sequence[Post]) -> list[Stage]:
    """Every pause, turn, price level and phase with its times and owner, given these posts (for the protocol).
    Rounds not played yet are shown in the order the standings give now."""
    replay = _replay(config, posts, None)
    replay.advance(replay.latest_end())
    return replay.stages()


def end_time(config: Config, posts: Sequence[Post]) -> dt.datetime:
    """When the auction ends if no further post is accepted (see the module docstring)."""
    replay = _replay(config, posts, None)
    replay.advance(replay.latest_end())
    return replay.end_time()


def max_end_time(config: Config) -> dt.datetime:
    """The latest the auction can end, whatever is posted."""
    return _replay(config, (), None).latest_end()
