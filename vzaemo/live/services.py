"""Every write of the live auction: open a session, place a bid, finish with the result and the protocol.

The bid path (docs/design.md rules 6, 7): an idempotency check, a cross-process one-request-per-second
throttle, then one transaction that locks the auction's `LiveSession` row, reads the server time under
that lock, asks the pure engine whether the post is allowed *at that time*, inserts it, bumps the
session's version and notifies the streams (delivered at commit). A refusal stores nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from vzaemo.auctions import services as cdb
from vzaemo.auctions.models import Auction, Bid
from vzaemo.auctions.permissions import LIVE_ENGINE
from vzaemo.auctions.states import AuctionStatus, BidStatus, Mode
from vzaemo.core import audit, clock, idempotency, signing
from vzaemo.core import rules as registry
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.errors import Conflict, NotAllowed, TooManyRequests, ValidationFailed
from vzaemo.documents import services as documents
from vzaemo.live import broadcast, engine, rules, selectors
from vzaemo.live.errors import LiveError
from vzaemo.live.models import LivePost, LiveSession, LiveThrottle

# A bid request's key is the client's, kept on the post it made (LivePost.idempotency_key), in core's grammar.
KEY_MAX_LENGTH = 64
MAX_AMOUNT = Decimal("999999999999.99")
CENT_DIGITS = 2  # hryvnias and kopiykas
CANCEL = "-1"


def _messages() -> dict[str, str]:
    """People's words for the engine's refusal codes (the codes are the API)."""
    return {
        "auction_not_started": _("The auction has not started yet."),
        "auction_ended": _("The auction is over: bids are no longer accepted."),
        "not_your_turn": _("It is not your turn to bid now."),
        "amount_too_low": _("The amount is too low: the least you may bid now is %(minimum)s UAH."),
        "amount_not_dutch_price": _("To accept, bid exactly the current price, %(price)s UAH."),
        "not_a_bidder": _("You are not a qualified bidder of this auction."),
        "nothing_to_cancel": _("You have no bid in this turn to cancel."),
        "amount_invalid": _("Enter an amount in hryvnias with at most two decimal places."),
        "special_bid_disabled": _("This auction does not allow a special bid."),
    }


# Timing refusals are conflicts with the clock (409); the amount ones are invalid input (422).
_CONFLICTS = frozenset({"auction_not_started", "auction_ended", "not_your_turn", "nothing_to_cancel"})


def _refuse(refusal: engine.Refusal) -> None:
    template = _messages().get(refusal.code, refusal.message)
    try:
        message = template % refusal.params if refusal.params else template.replace("%%", "%")
    except (KeyError, TypeError, ValueError):
        message = template
    if refusal.code == "not_a_bidder":
        raise NotAllowed(message, code=refusal.code)
    if refusal.code in _CONFLICTS:
        raise Conflict(message, code=refusal.code)
    raise ValidationFailed(message, code=refusal.code, field="amount")


def parse_amount(value: Any) -> Decimal | None:
    """ "-1" (or nothing for a cancel) -> None; otherwise a positive amount with at most 2 decimals."""
    if value is None or str(value).strip() == CANCEL:
        return None
    text = str(value).strip().replace(",", ".").replace(" ", "").replace("\u00a0", "")
    try:
        # Decimal() also reads the digits of other scripts ("١٠٠" is 100): a bid is written with 0-9, as it is  # noqa: RUF003
        # shown back to the bidder and in the protocol, or it is not a bid.
        amount = Decimal(text) if text.isascii() else Decimal(0)
    except InvalidOperation:
        amount = Decimal(0)
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT or amount.as_tuple().exponent < -CENT_DIGITS:  # type: ignore[operator]
        raise ValidationFailed(_messages()["amount_invalid"], code=LiveError.AMOUNT_INVALID, field="amount")
    return amount.quantize(Decimal("0.01"))


# --- the session ----------------------------------------------------------------------------------


def _timing(speedup: int) -> tuple[dict[str, Any], dict[str, Any]]:
    profile = getattr(settings, "LIVE_ENGLISH_TIMING", "production")
    values: dict[str, Decimal] = {}
    cited: dict[str, Any] = {}
    for field, key in rules.timing_keys(profile).items():
        rule = registry.get(key)
        values[field], cited[field] = rule.value, rule.citation()
    return rules.timing_values(values, speedup=speedup), cited


@transaction.atomic
def live_session_open(
    *, auction_id: int, speedup: int = 1, start: dt.datetime | None = None, timing: dict[str, Any] | None = None
) -> LiveSession:
    """Freeze the configuration of an auction that has entered `active.auction` (idempotent).

    Test-mode auctions only (openprocurement's sandbox `accelerator`, for broker certification, demos
    and end-to-end tests): `speedup` divides every duration, `start` replaces the auction's start and
    `timing` replaces single engine.Timing fields (e.g. fewer Dutch steps)."""
    auction = Auction.objects.select_for_update().filter(pk=auction_id).first()
    if auction is None:
        raise ValidationFailed(_("There is no such auction."), code=LiveError.AUCTION_NOT_FOUND)
    existing = LiveSession.objects.filter(auction=auction).first()
    if existing is not None:
        return existing
    if auction.status != AuctionStatus.AUCTION or auction.auction_start is None:
        raise Conflict(_("Only an auction in its live stage can open."), code=LiveError.AUCTION_NOT_LIVE)
    sandboxed = speedup != 1 or start is not None or timing
    if speedup < 1 or (sandboxed and auction.mode != Mode.TEST):
        raise ValidationFailed(
            _("Only test auctions may run faster."), code=LiveError.SPEEDUP_TEST_ONLY, field="speedup"
        )
    qualified = auction.bids.filter(status=BidStatus.ACTIVE).order_by("id")
    frozen, cited = _timing(speedup)
    unknown = set(timing or {}) - set(frozen)
    if unknown:
        raise ValidationFailed(_("Unknown timing fields."), code=LiveError.TIMING_INVALID, field="timing")
    frozen.update(timing or {})
    special = registry.get(rules.SPECIAL_BID)
    cited["special_bid"] = special.citation()
    session = LiveSession.objects.create(
        auction=auction,
        procedure=auction.procedure,
        start=start or auction.auction_start,
        start_value=auction.value,
        minimal_step=auction.minimal_step,
        special_bid=bool(special.as_int),
        timing=frozen,
        bidders=[
            {
                "bid_id": bid.pk,
                # Dutch auctions take no initial prices (reference §3.2).
                "initial_amount": f"{bid.value:.2f}" if bid.value and auction.procedure == "english" else None,
                "initial_at": (bid.submitted_at or bid.created_at).isoformat(),
            }
            for bid in qualified
        ],
        speedup=speedup,
        rules_applied=cited,
        created_at=clock.now(),
    )
    session.ends_at = engine.end_time(selectors.config_of(session), [])
    session.save(update_fields=["ends_at"])
    audit.record(
        actor=LIVE_ENGINE,
        subject=session,
        tag=AuditTag.LIVE_OPEN,
        before=None,
        after={"auction": auction.pk, "bidders": len(session.bidders), "timing": frozen, "speedup": speedup},
    )
    return session


def live_sessions_open() -> int:
    """Chronograph: open the session of every auction that has entered its live stage."""
    opened = 0
    pending = Auction.objects.filter(status=AuctionStatus.AUCTION, live_session__isnull=True).values_list(
        "pk", flat=True
    )
    for pk in pending:
        live_session_open(auction_id=pk)
        opened += 1
    return opened


# --- bids -----------------------------------------------------------------------------------------


def _throttle(bid_id: int, key: str, now: dt.datetime) -> None:
    """At most one request per second per bidder, across every process: one conditional upsert.
    A retry of the same request (same key) passes, so it can be answered with the stored post."""
    interval = float(getattr(settings, "LIVE_BID_INTERVAL_SECONDS", 1.0))
    if interval <= 0:
        return
    table = LiveThrottle._meta.db_table
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    threshold = ops.adapt_datetimefield_value(now - dt.timedelta(seconds=interval))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The throttle row is bookkeeping: losing it in a crash costs nothing, so its commit does not wait
            # for the disk (one fsync per bid, the bid's own, instead of two).
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(
            f"INSERT INTO {table} (bid_id, last_request_at, last_key) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (bid_id) DO UPDATE SET last_request_at = excluded.last_request_at, "
            f"last_key = excluded.last_key "
            f"WHERE {table}.last_request_at <= %s OR {table}.last_key = excluded.last_key",
            [bid_id, at, key, threshold],
        )
        allowed = cursor.rowcount == 1
    if not allowed:
        raise TooManyRequests(
            _("One bid request per second, please: wait a moment and try again."),
            retry_after=max(1, round(interval)),
        )


def live_bid_place(
    *, auction_id: int, bid_id: int, amount: Any, idempotency_key: str, special: bool = False
) -> tuple[LivePost, bool]:
    """Post an amount ("-1" cancels this turn's bids). Returns (post, created); a retried request with
    the same idempotency key returns the stored post and creates nothing."""
    key = (idempotency_key or "").strip()
    if not idempotency.well_formed(key, max_length=KEY_MAX_LENGTH):
        raise ValidationFailed(
            _("Every bid request needs an idempotency key of 1-64 letters, digits or _.:-"),
            code=LiveError.IDEMPOTENCY_KEY_INVALID,
            field="idempotency_key",
        )
    value = parse_amount(amount)
    stored = LivePost.objects.filter(bid_id=bid_id, idempotency_key=key, session__auction_id=auction_id).first()
    if stored is not None:
        return stored, False
    known = LiveSession.objects.filter(auction_id=auction_id).values_list("bidders", flat=True).first()
    if known is None:
        raise Conflict(_("This auction is not live."), code=LiveError.AUCTION_NOT_LIVE)
    if bid_id not in {int(b["bid_id"]) for b in known}:
        _refuse(engine.Refusal(code="not_a_bidder", message="", params={}))
    with transaction.atomic():
        _throttle(bid_id, key, clock.now())
    with transaction.atomic():
        session = LiveSession.objects.select_for_update().filter(auction_id=auction_id).first()
        if session is None:
            raise Conflict(_("This auction is not live."), code=LiveError.AUCTION_NOT_LIVE)
        stored = LivePost.objects.filter(session=session, bid_id=bid_id, idempotency_key=key).first()
        if stored is not None:  # the same request raced us to the lock
            return stored, False
        if session.finished_at is not None:
            _refuse(engine.Refusal(code="auction_ended", message="", params={}))
        now = clock.now()  # under the lock: the server's time decides, nothing else
        posts = selectors.posts_of(session)
        config = selectors.config_of(session)
        refusal = engine.check(config, posts, bid_id=bid_id, amount=value, special=special, now=now)
        if refusal is not None:
            _refuse(refusal)
        session.version += 1
        accepted = engine.Post(bid_id=bid_id, amount=value, at=now, seq=session.version, special=special)
        session.ends_at = engine.end_time(config, [*posts, accepted])
        session.save(update_fields=["version", "ends_at"])
        post = LivePost.objects.create(
            session=session, bid_id=bid_id, amount=value, special=special, at=now, seq=session.version,
            idempotency_key=key,
        )  # fmt: skip
        audit.record(
            actor=f"bidder:{bid_id}",
            subject=post,
            tag=AuditTag.LIVE_BID,
            before=None,
            after={
                "auction": auction_id,
                "seq": post.seq,
                "amount": None if value is None else f"{value:.2f}",
                "special": special,
                "at": now.isoformat(),
            },
        )
        broadcast.notify(auction_id, session.version)
    return post, True


# --- the end ----------------------------------------------------------------------------------------


def _protocol(session: LiveSession, state: engine.State, now: dt.datetime) -> dict[str, Any]:
    config = selectors.config_of(session)
    posts = selectors.posts_of(session)
    numbers = selectors.bidder_numbers(session)
    bids = {b.pk: b for b in Bid.objects.filter(pk__in=numbers)}
    auction = session.auction
    ranking = [
        {"rank": rank, "bidder": numbers[bid_id], "bid_id": str(bid_id), "amount": f"{amount:.2f}"}
        for rank, (bid_id, amount) in enumerate(state.ranking, start=1)
    ]
    return {
        "auctionID": auction.public_id,
        "auction_id": str(auction.pk),
        "lot_id": str(auction.lot_id),
        "procedure": session.procedure,
        "start_value": f"{session.start_value:.2f}",
        "minimal_step": f"{session.minimal_step:.2f}",
        "timing": session.timing,
        "speedup": session.speedup,
        "rules_applied": session.rules_applied,
        "bidders": [
            {
                "bidder": n,
                "bid_id": str(bid_id),
                # Revealed now that the auction is over (docs/reference/auctions.md §1.6).
                "name": bids[bid_id].bidder_name if bid_id in bids else "",
            }
            for bid_id, n in sorted(numbers.items(), key=lambda item: item[1])
        ],
        "stages": [selectors.relabel(stage.to_dict(), numbers) for stage in engine.timeline(config, posts)],
        "bids": [
            {
                "seq": post.seq,
                "bidder": numbers.get(post.bid_id, 0),
                "amount": None if post.amount is None else f"{post.amount:.2f}",
                "cancel": post.amount is None,
                "special": post.special,
                "at": post.at.isoformat(),
            }
            for post in posts
        ],
        "result": {
            "unsuccessful": not state.ranking,
            "winner": ranking[0] if ranking else None,
            "runner_up": ranking[1] if len(ranking) > 1 else None,
            "ranking": ranking,
        },
        "finished_at": now.isoformat(),
    }


def _store_protocol(session: LiveSession, protocol: dict[str, Any]) -> tuple[Any, str]:
    """The protocol's bytes carry their own Ed25519 signature and go to the document service, which
    signs the permanent URL: anyone can check both against the published keys."""
    body = json.dumps(protocol, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    signature = signing.sign(body)
    signed = {"protocol": protocol, "signature": {"key_id": signature.key_id, "ed25519": signature.value}}
    content = json.dumps(signed, ensure_ascii=False, sort_keys=True, indent=1).encode()
    registration = documents.document_register(
        sha256=hashlib.sha256(content).hexdigest(),
        title=f"Auction protocol {session.auction.public_id}",
        format="application/json",
        owner_type="auction",
        owner_id=str(session.auction_id),
        mode=session.auction.mode,
        actor=LIVE_ENGINE,
    )
    documents.document_upload(document_id=registration.document.id, file=io.BytesIO(content), actor=LIVE_ENGINE)
    return registration.document.id, registration.url


def live_finish(*, auction_id: int) -> LiveSession | None:
    """Chronograph, idempotent: when the engine says the auction is over, record the ranking in the CDB
    (which starts qualification, or fails the attempt and relists the lot), and publish the protocol."""
    with transaction.atomic():
        session = (
            LiveSession.objects.select_for_update().select_related("auction").filter(auction_id=auction_id).first()
        )
        if session is None or session.finished_at is not None:
            return None
        now = clock.now()
        config, posts = selectors.config_of(session), selectors.posts_of(session)
        state = engine.state(config, posts, now)
        if not state.ended:
            session.ends_at = engine.end_time(config, posts)  # a later post moved the end: look again then
            session.save(update_fields=["ends_at"])
            return None
        auction = Auction.objects.filter(pk=auction_id).values_list("status", flat=True).first()
        if auction == AuctionStatus.AUCTION:
            cdb.auction_record_result(
                actor=LIVE_ENGINE, auction_id=auction_id, ranking=[(bid_id, amount) for bid_id, amount in state.ranking]
            )
        protocol = _protocol(session, state, now)
        document_id, url = _store_protocol(session, protocol)
        session.finished_at, session.protocol = now, protocol
        session.protocol_document, session.protocol_url = document_id, url
        session.version += 1
        session.save(update_fields=["finished_at", "protocol", "protocol_document", "protocol_url", "version"])
        audit.record(
            actor=LIVE_ENGINE,
            subject=session,
            tag=AuditTag.LIVE_FINISH,
            before=None,
            after={"result": protocol["result"], "protocol": url},
        )
        broadcast.notify(auction_id, session.version)
    return session


def live_sessions_finish() -> int:
    done = 0
    for auction_id in selectors.sessions_to_finish(clock.now()):
        done += live_finish(auction_id=auction_id) is not None
    return done
