"""Live auction pages (WSGI): the public observer page, the bidder page behind a signed link, the bid
endpoint and the readable protocol. The live updates come from the ASGI process's SSE stream; every
page also renders the current state on the server, so it reads without JavaScript.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vzaemo.auctions.models import Auction
from vzaemo.auctions.states import Mode
from vzaemo.core.errors import DomainError, NotAllowed, NotFound
from vzaemo.live import links, selectors, services
from vzaemo.live.errors import LiveError
from vzaemo.live.models import LiveSession
from vzaemo.web.errors import json_error, see_other


def _session(auction_id: int) -> LiveSession:
    session = selectors.session_for(auction_id)
    if session is None:
        raise NotFound(_("There is no live auction here."), code=LiveError.SESSION_NOT_FOUND)
    return session


def _events_url(auction_id: int, *, bid_id: int | None = None, sig: str | None = None) -> str:
    origin = _sse_origin().rstrip("/")
    url = f"{origin}/live/{auction_id}/events"
    if bid_id is not None and sig:
        url += f"?bid={bid_id}&sig={sig}"
    return url


def _sse_origin() -> str:
    origins = [o for o in settings.SSE_ORIGIN.split(",") if o]
    return origins[0] if origins else ""


def _labels() -> dict[str, Any]:
    """The words web/live.js needs, translated here (the script carries no language of its own)."""
    return {
        "stages": {
            "waiting": _("The auction starts soon"),
            "pause": _("Pause"),
            "turn": _("Round %(round)s: turn of Bidder %(n)s"),
            "dutch": _("Dutch stage: the price falls every few minutes"),
            "sealed": _("Sealed bids of the other bidders"),
            "best": _("Best bid of the Dutch stage winner (Bidder %(n)s)"),
            "ended": _("The auction is over"),
        },
        "bidder": _("Bidder %(n)s"),
        "turn_of": _("Bidder %(n)s is bidding"),
        "left": _("%(t)s left"),
        "no_bids": _("No bids yet."),
        "over": _("The auction is over."),
        "unsuccessful": _("The auction is over: it is unsuccessful."),
        "protocol": _("The auction protocol"),
        "min_amount": _("You may bid from %(m)s UAH now."),
        "cannot_bid": _("You cannot bid at this moment."),
        "your_turn": _("Your turn: you may bid now."),
        "sending": _("Sending your bid…"),
        "accepted": _("Your bid of %(amount)s UAH is accepted."),
        "cancelled": _("Your bids of this turn are cancelled."),
        "failed": _("The bid was not accepted."),
        "network": _(
            "No connection: your bid was not confirmed. Press the button again; it will not be counted twice."
        ),
        "connected": _("Live: updates arrive by themselves."),
        "reconnecting": _("Connection lost: reconnecting…"),
    }


def _stage_label(state: dict[str, Any], labels: dict[str, Any]) -> str:
    stage = state.get("stage") or {}
    template = labels["stages"].get(stage.get("kind"), str(stage.get("kind", "")))
    return (
        str(template)
        .replace("%(round)s", str(stage.get("round") or ""))
        .replace("%(n)s", str(stage.get("owner") or ""))
    )


def _context(session: LiveSession, state: dict[str, Any], **extra: Any) -> dict[str, Any]:
    auction = session.auction
    labels = _labels()
    return {
        "labels": labels,
        "stage_label": _stage_label(state, labels),
        "session": session,
        "auction": auction,
        "lot": auction.lot,
        # Sandbox auctions have no public auction or lot page to link to.
        "sandbox": auction.mode != Mode.REAL,
        "state": state,
        "numbers": range(1, state["bidders"] + 1),
        **extra,
    }


@require_GET
def live_observer(request: HttpRequest, auction_id: int) -> HttpResponse:
    session = _session(auction_id)
    state = selectors.public_state(session)
    return render(
        request,
        "web/live/observer.html",
        _context(session, state, events_url=_events_url(auction_id)),
    )


def _verified(request: HttpRequest, auction_id: int, bid_id: int) -> str:
    sig = request.POST.get("sig") or request.GET.get("sig") or request.headers.get("X-Participation-Signature", "")
    if not links.verify(auction_id, bid_id, sig):
        raise _Forbidden
    return sig


class _Forbidden(Exception):
    pass


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", {"reason": "live_link"}, status=403)


@require_GET
def live_bidder(request: HttpRequest, auction_id: int, bid_id: int) -> HttpResponse:
    try:
        sig = _verified(request, auction_id, bid_id)
    except _Forbidden:
        return _forbidden(request)
    session = _session(auction_id)
    if bid_id not in selectors.bidder_numbers(session):
        return _forbidden(request)
    state = selectors.public_state(session, viewer_bid_id=bid_id)
    context = _context(
        session,
        state,
        sig=sig,
        bid_id=bid_id,
        idempotency_key=uuid.uuid4().hex,
        events_url=_events_url(auction_id, bid_id=bid_id, sig=sig),
        bid_url=reverse("web:live-bid", kwargs={"auction_id": auction_id, "bid_id": bid_id}),
    )
    return render(request, "web/live/bidder.html", context)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
def live_bid(request: HttpRequest, auction_id: int, bid_id: int) -> HttpResponse:
    """Place a bid. JSON clients get 201 (stored), 200 (a retry of a stored request) or an error
    envelope; a form without JavaScript gets a message and 303 back to the bidder page."""
    try:
        sig = _verified(request, auction_id, bid_id)
    except _Forbidden:
        if _wants_json(request):
            return json_error(
                NotAllowed(_("This participation link is not valid."), code=LiveError.PARTICIPATION_LINK_INVALID)
            )
        return _forbidden(request)
    back = reverse("web:live-bidder", kwargs={"auction_id": auction_id, "bid_id": bid_id}) + f"?sig={sig}"
    try:
        post, created = services.live_bid_place(
            auction_id=auction_id,
            bid_id=bid_id,
            amount=request.POST.get("amount"),
            special=request.POST.get("special") in {"1", "on", "true"},
            idempotency_key=request.POST.get("idempotency_key") or request.headers.get("Idempotency-Key", ""),
        )
    except DomainError as error:
        if _wants_json(request):
            return json_error(error)
        messages.error(request, str(error.message))
        return see_other(back)
    data = {
        "seq": post.seq,
        "amount": None if post.amount is None else f"{post.amount:.2f}",
        "special": post.special,
        "at": post.at.isoformat(),
    }
    if _wants_json(request):
        return JsonResponse({"data": data}, status=201 if created else 200)
    messages.success(request, _accepted_message(post.amount))
    return see_other(back)


def _accepted_message(amount: Any) -> str:
    if amount is None:
        return _("Your bids of this turn are cancelled.")
    return _("Your bid of %(amount)s UAH is accepted.") % {"amount": f"{amount:.2f}"}


@require_GET
def live_protocol(request: HttpRequest, auction_id: int) -> HttpResponse:
    session = _session(auction_id)
    if session.protocol is None:
        raise NotFound(_("The auction protocol is not ready yet."), code=LiveError.PROTOCOL_NOT_FOUND)
    auction: Auction = session.auction
    return render(
        request,
        "web/live/protocol.html",
        {
            "session": session,
            "auction": auction,
            "lot": auction.lot,
            "sandbox": auction.mode != Mode.REAL,
            "protocol": session.protocol,
        },
    )
