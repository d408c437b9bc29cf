"""Auctions in the one stop (core.participation, ADR 0019): one item per auction attempt of a lot.

Sandbox (test-mode) attempts are never public: they exist for broker certification, not for buyers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vzaemo.accounts.selectors import authorities_where
from vzaemo.auctions.models import Auction, Award, Lot
from vzaemo.auctions.permissions import ORGANISER_ROLES
from vzaemo.auctions.states import PUBLIC, TERMINAL, AuctionStatus, AwardStatus, Category, Mode
from vzaemo.core.participation import Involvement, Item, Party, Whose

SUBJECT = Auction._meta.label_lower
LOT_SUBJECT = Lot._meta.label_lower
AWARD_SUBJECT = Award._meta.label_lower


def next_deadline(auction: Auction) -> tuple[dt.datetime | None, Whose | None]:
    if auction.status == AuctionStatus.TENDERING:
        return auction.tender_end, Whose.PUBLIC
    if auction.status == AuctionStatus.QUALIFICATION:
        # The organiser owes the protocol of the pending award (docs/reference/auctions.md).
        pending = [a for a in auction.awards.all() if a.status == AwardStatus.PENDING]
        if pending and pending[0].protocol_uploaded_at is None:
            return pending[0].protocol_due_at, Whose.AUTHORITY
        if pending:
            return pending[0].payment_due_at, Whose.AUTHOR
    return None, None


class AuctionSource:
    kind = "auction"
    label = _("Auction")
    label_plural = _("Auctions")
    answered_statuses: frozenset[str] = frozenset()  # a sale has a result, not an authority's answer

    def subject_label(self, code: str) -> str | Promise | None:
        prefix, _sep, value = code.partition(":")
        return Category(value).label if prefix == "category" and value in Category.values else None

    def _queryset(self) -> Any:
        return Auction.objects.select_related("lot").prefetch_related("awards").defer("lot__description")

    def items(self, object_ids: Collection[int] | None = None) -> Iterator[Item]:
        auctions = self._queryset()
        if object_ids is not None:
            auctions = auctions.filter(pk__in=object_ids)
        for auction in auctions.order_by("pk").iterator(chunk_size=500):
            yield self.item(auction)

    def item(self, auction: Auction) -> Item:
        deadline, whose = next_deadline(auction)
        lot = auction.lot
        return Item(
            kind=self.kind,
            object_id=auction.pk,
            title=lot.title,
            url=reverse("web:auction_detail", args=[auction.pk]),
            is_public=auction.mode == Mode.REAL and auction.status in PUBLIC,
            status=auction.status,
            updated_at=auction.date_modified,
            summary=lot.address,
            search_text=f"{auction.public_id} {lot.enforcement_proceeding}",
            authority_id=lot.organiser_id,
            region=lot.region,
            subjects=(f"category:{lot.category}",),
            opens_at=auction.tender_start,
            deadline=deadline,
            deadline_whose=whose,
        )

    def statuses(self) -> list[tuple[str, str | Promise]]:
        return [(s.value, s.label) for s in AuctionStatus if s in PUBLIC]

    def status_label(self, status: str) -> str | Promise:
        return AuctionStatus(status).label if status in AuctionStatus.values else status

    def involvements(self, user: Any) -> Iterator[Involvement]:
        if not user.is_authenticated:
            return
        # Bidders act through their brokers' platforms and have no account here; the organiser's officials do.
        authorities = list(authorities_where(user=user, roles=ORGANISER_ROLES).values_list("pk", flat=True))
        running = self._queryset().filter(lot__organiser__in=authorities).exclude(status__in=TERMINAL)
        for auction in running.exclude(status=AuctionStatus.DRAFT):
            deadline, whose = next_deadline(auction)
            yield Involvement(
                object_id=auction.pk,
                role="organiser",
                role_label=_("organiser"),
                party=Party.AUTHORITY,
                party_id=auction.lot.organiser_id,
                deadline=deadline,
                deadline_whose=whose,
            )

    def affected(self, subjects: Collection[tuple[str, str]]) -> set[int]:
        ids = {int(pk) for label, pk in subjects if label == SUBJECT and pk.isdigit()}
        lots = [int(pk) for label, pk in subjects if label == LOT_SUBJECT and pk.isdigit()]
        awards = [int(pk) for label, pk in subjects if label == AWARD_SUBJECT and pk.isdigit()]
        if lots:
            ids |= set(Auction.objects.filter(lot__in=lots).values_list("pk", flat=True))
        if awards:
            ids |= set(Award.objects.filter(pk__in=awards).values_list("auction_id", flat=True))
        return ids
