"""Public read-only pages of arrested-asset sales: the list of auctions, a lot with its attempts, an auction.

Everything shown comes from the auctions selectors' public views: `auction_list_public` (real mode, no
drafts), `auction_public_document` (bidders hidden until the auction ends), `auction_revisions_public` and
`lot_history`. Bidders are never named on these pages: after the end they appear as "Bidder 1..N".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from vzaemo.accounts.models import Region
from vzaemo.auctions import selectors, services
from vzaemo.auctions.errors import AuctionError
from vzaemo.auctions.models import Auction, Lot, LotPhoto
from vzaemo.auctions.permissions import LotAction, lot_actions, lot_check
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
from vzaemo.core.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from vzaemo.documents import storage
from vzaemo.live import selectors as live_selectors
from vzaemo.web.auctions import history
from vzaemo.web.auctions.forms import AuctionFilterForm, LotPhotoForm
from vzaemo.web.errors import add_to_form, http_status, is_htmx, see_other, signed_in
from vzaemo.web.rate_limits import rate_limited

PAGE_SIZE = 20

# The shape of `core.rules.RuleValue.citation()`: only such values go through web/_rule.html.
CITATION_KEYS = frozenset({"value", "unit", "source", "title_uk", "title_en"})
SORTS = {"date": ("auction_start", "id"), "-date": ("-auction_start", "-id")}


def _label(choices: Any, value: str | None) -> str:
    """The human label of a stored choice; an unknown value shows as it is."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _when(value: str | None) -> Any:
    return parse_datetime(value) if value else None


def _amount(money: dict[str, str] | None) -> str | None:
    return money["amount"] if money else None


def auction_list(request: HttpRequest) -> HttpResponse:
    form = AuctionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    auctions = selectors.auction_list_public(mode=Mode.REAL)
    if filters.get("category"):
        auctions = auctions.filter(lot__category=filters["category"])
    if filters.get("region"):
        auctions = auctions.filter(lot__region=filters["region"])
    if filters.get("status"):
        auctions = auctions.filter(status=filters["status"])
    auctions = auctions.order_by(*SORTS[filters.get("sort") or "-date"])
    # Each card shows its lot's first photo: one query for the page, not one per card.
    first_photos = Prefetch("lot__photos", queryset=LotPhoto.objects.filter(position=1), to_attr="first_photos")
    page = Paginator(auctions.prefetch_related(first_photos), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "web/auctions/list.html#results" if is_htmx(request) else "web/auctions/list.html"
    return render(request, template, context)


def _public_auction(pk: int) -> Auction:
    auction = selectors.auction_list_public(mode=Mode.REAL).select_related("lot__organiser").filter(pk=pk).first()
    if auction is None:
        raise NotFound(_("There is no such auction."), code=AuctionError.AUCTION_NOT_FOUND)
    return auction


def _citations(rules_applied: dict[str, Any]) -> list[dict[str, Any]]:
    """The stored rule citations, flattened (a key may hold a list, as `leadTime` does)."""
    found: list[dict[str, Any]] = []
    for value in rules_applied.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and item.keys() >= CITATION_KEYS:
                found.append(item)
    return found


@dataclass
class RevisionRow:
    date: Any
    sentences: list[str] = field(default_factory=list)


def _revision_rows(auction: Auction) -> list[RevisionRow]:
    """The history in words, newest first (web/auctions/history.py); the raw patches stay in the broker API."""
    rows = []
    for revision in selectors.auction_revisions_public(auction):
        said = history.sentences(revision["changes"])
        if not said:
            # Only stamps, or a change the public may not see (a bid while bidders are hidden): not even its date.
            continue
        rows.append(RevisionRow(date=_when(revision["date"]), sentences=said))
    rows.reverse()
    return rows


def _bidders(document: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Bids without names: ranked first, each called "Bidder N"; and each bid's label by id."""
    ordered = sorted(document["bids"], key=lambda b: (b["rank"] is None, b["rank"] or 0, int(b["id"])))
    rows, labels = [], {}
    for n, bid in enumerate(ordered, start=1):
        label = _("Bidder %(n)s") % {"n": n}
        labels[bid["id"]] = label
        rows.append(
            {
                "label": label,
                "status": _label(BidStatus, bid["status"]),
                "value": _amount(bid["value"]),
                "final_value": _amount(bid["finalValue"]),
                "rank": bid["rank"],
                "forfeited": bid["guarantee"]["forfeited"],
            }
        )
    return rows, labels


def _awards(document: dict[str, Any], labels: dict[str, str]) -> list[dict[str, Any]]:
    contracts = {c["award_id"]: c for c in document["contracts"]}
    rows = []
    for award in document["awards"]:
        contract = contracts.get(award["id"])
        rows.append(
            {
                "bidder": labels.get(award["bid_id"], ""),
                "rank": award["rank"],
                "status": award["status"],
                "status_label": _label(AwardStatus, award["status"]),
                "value": _amount(award["value"]),
                "protocol_due": _when(award["protocolPeriod"]["endDate"]),
                "protocol_uploaded": _when(award["protocolPeriod"]["uploadedAt"]),
                "payment_due": _when(award["paymentPeriod"]["endDate"]),
                "paid": _when(award["paymentPeriod"]["paidAt"]),
                "end_reason": _label(AwardEndReason, award["endReason"]) if award["endReason"] else "",
                "rules": _citations(award["rulesApplied"] or {}),
                "contract": None
                if contract is None
                else {
                    "status": contract["status"],
                    "status_label": _label(ContractStatus, contract["status"]),
                    "value": _amount(contract["value"]),
                    "signed": _when(contract["dateSigned"]),
                    "cancelled": _when(contract["dateCancelled"]),
                    "cancellation_reason": contract["cancellationReason"],
                },
            }
        )
    return rows


def auction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    auction = _public_auction(pk)
    document = selectors.auction_public_document(auction)
    hidden = selectors.bidders_hidden(auction)
    bidders, labels = ([], {}) if hidden else _bidders(document)
    context = {
        "auction": auction,
        "lot": auction.lot,
        "doc": document,
        "status_label": _label(AuctionStatus, document["status"]),
        "procedure_label": _label(Procedure, document["procedure"]),
        "value": _amount(document["value"]),
        "guarantee": _amount(document["guarantee"]),
        "minimal_step": _amount(document["minimalStep"]),
        "markdown": document["markdownPercent"],
        "tender_start": _when(document["tenderPeriod"]["startDate"]),
        "tender_end": _when(document["tenderPeriod"]["endDate"]),
        "auction_start": _when(document["auctionPeriod"]["startDate"]),
        "result_recorded": _when(document["resultRecordedAt"]),
        "ended": _when(document["endedAt"]),
        "bidders_hidden": hidden,
        "bidders": bidders,
        "awards": [] if hidden else _awards(document, labels),
        "rules": _citations(document["rulesApplied"] or {}),
        "revisions": _revision_rows(auction),
        "live": live_selectors.session_for(auction.pk),
        "photos": list(selectors.lot_photos(auction.lot_id)),
    }
    return render(request, "web/auctions/detail.html", context)


def _outcome(auction: Auction) -> dict[str, Any]:
    """What became of one attempt, from its public document."""
    document = selectors.auction_public_document(auction)
    signed = [c for c in document["contracts"] if c["status"] == ContractStatus.ACTIVE]
    return {
        "auction": auction,
        "status_label": _label(AuctionStatus, document["status"]),
        "value": _amount(document["value"]),
        "markdown": document["markdownPercent"],
        "auction_start": _when(document["auctionPeriod"]["startDate"]),
        "sold_for": _amount(signed[0]["value"]) if signed else None,
        "live": live_selectors.session_for(auction.pk),
    }


def lot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lot = Lot.objects.filter(pk=pk, mode=Mode.REAL).select_related("organiser").first()
    public = set(selectors.auction_list_public(mode=Mode.REAL).filter(lot_id=pk).values_list("pk", flat=True))
    if lot is None or not public:
        raise NotFound(_("There is no such lot."), code=AuctionError.LOT_NOT_FOUND)
    # The lot's history, public attempts only: a next attempt still in draft is not announced yet.
    attempts = [_outcome(a) for a in selectors.lot_history(lot) if a.pk in public]
    context = {
        "lot": lot,
        "category_label": _label(Category, lot.category),
        "region_label": _label(Region, lot.region),
        "attempts": attempts,
        "photos": list(selectors.lot_photos(lot.pk)),
        "may_add_photo": LotAction.ADD_PHOTO in lot_actions(request.user, lot),
    }
    return render(request, "web/auctions/lot.html", context)


# A photo's documents never change (ADR 0007) and its URL names the photo: caches may keep it for a year.
PHOTO_CACHE = "public, max-age=31536000, immutable"


def lot_photo(request: HttpRequest, pk: int, photo: int, variant: str = "image") -> HttpResponseBase:
    """A photo of a public lot, shown in the page (inline), or its thumbnail."""
    found = selectors.lot_photo_public(lot_id=pk, photo_id=photo)
    if found is None:
        raise NotFound(_("There is no such photo."), code=AuctionError.PHOTO_NOT_FOUND)
    document = found.thumbnail if variant == "thumbnail" else found.image
    response: HttpResponseBase
    if request.headers.get("If-None-Match") == f'"{document.sha256}"':
        response = HttpResponse(status=304)
    else:
        try:
            handle = storage.open_document(document.storage_name)
        except FileNotFoundError:
            raise NotFound(_("There is no such photo."), code=AuctionError.PHOTO_NOT_FOUND) from None
        response = FileResponse(handle, content_type=document.format)
    response["ETag"] = f'"{document.sha256}"'
    response["Cache-Control"] = PHOTO_CACHE
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@rate_limited("lot.photo_add")
def lot_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's official adds a photo to a public lot's gallery (the broker's own platform may too)."""
    lot = Lot.objects.filter(pk=pk, mode=Mode.REAL).first()
    if lot is None or not selectors.lot_is_public(pk):
        raise NotFound(_("There is no such lot."), code=AuctionError.LOT_NOT_FOUND)
    user = signed_in(request)
    try:
        lot_check(user, lot, LotAction.ADD_PHOTO)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from None  # the 403 page for anyone else, before any form
    form = LotPhotoForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.lot_photo_add(
                    actor=user,
                    lot_id=lot.pk,
                    file=data["photo"],
                    alt_uk=data["alt_uk"],
                    alt_en=data["alt_en"],
                    idempotency_key=data["idempotency_key"],
                )
            except DomainError as error:
                if error.field == "file":  # the document service's name for what this form calls "photo"
                    form.add_error("photo", str(error.message))
                else:
                    add_to_form(form, error)
                status = 422 if isinstance(error, ValidationFailed) else http_status(error)
            else:
                messages.success(request, _("The photo is added to the lot's gallery."))
                return see_other("web:auction_lot_detail", pk=lot.pk)
    return render(request, "web/auctions/photo_form.html", {"lot": lot, "form": form}, status=status)
