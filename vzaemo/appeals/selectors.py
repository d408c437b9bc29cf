"""Reads of appeals that depend on who is asking. Appeals are private; only aggregates are public."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Case, Count, DateTimeField, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from vzaemo.accounts.models import Authority
from vzaemo.accounts.selectors import authorities_where
from vzaemo.appeals.models import Appeal, AppealEvent
from vzaemo.appeals.permissions import STAFF_ROLES, can_view
from vzaemo.appeals.states import AWAITING_ANSWER, OPEN, AppealStatus
from vzaemo.core import clock


def appeal_get_for_viewer(*, appeal_id: int, user: Any) -> Appeal | None:
    """The appeal, or None for anyone who may not know it exists."""
    appeal = (
        Appeal.objects.select_related("authority", "authority__parent", "applicant", "forwarded_from__authority")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None or not can_view(user, appeal):
        return None
    return appeal


def appeal_forwarded_to(*, appeal: Appeal) -> Appeal | None:
    return Appeal.objects.select_related("authority").filter(forwarded_from=appeal).first()


def appeal_chain(*, appeal: Appeal) -> list[Appeal]:
    """The appeal and the rows it was forwarded from, oldest first."""
    chain = [appeal]
    while chain[0].forwarded_from_id is not None:
        chain.insert(0, Appeal.objects.select_related("authority").get(pk=chain[0].forwarded_from_id))
    return chain


def appeal_history(*, appeal: Appeal) -> QuerySet[AppealEvent]:
    """What happened to the appeal at every body it passed through up to this one."""
    ids = [a.pk for a in appeal_chain(appeal=appeal)]
    return AppealEvent.objects.filter(appeal_id__in=ids).select_related("authority").order_by("at", "id")


def appeals_of_applicant(*, user: Any) -> QuerySet[Appeal]:
    """The applicant's cabinet: one line per appeal, at the body that has it now (forwarded rows hide)."""
    return (
        Appeal.objects.filter(applicant=user, forwarded_to__isnull=True)
        .select_related("authority", "forwarded_from__authority")
        .order_by("-received_at", "-id")
    )


def appeal_inbox(*, user: Any) -> QuerySet[Appeal]:
    """Open appeals at the person's authorities with what is due next; the most overdue first."""
    now = clock.now()
    authorities = authorities_where(user=user, roles=STAFF_ROLES)
    due = Case(
        When(status=AppealStatus.SUBMITTED, then=F("registration_due_at")),
        default=F("due_at"),
        output_field=DateTimeField(),
    )
    return (
        Appeal.objects.filter(authority__in=authorities, status__in=OPEN)
        .select_related("authority")
        .annotate(next_due=due)
        .annotate(
            overdue=Case(When(next_due__lt=now, then=Value(True)), default=Value(False), output_field=BooleanField())
        )
        .order_by(Coalesce("next_due", F("received_at")).asc(), "id")
    )


def forward_targets(*, appeal: Appeal) -> QuerySet[Authority]:
    """Bodies an appeal may be forwarded to: active, not this one, not the body complained about."""
    targets = Authority.objects.filter(is_active=True).exclude(pk=appeal.authority_id)
    if appeal.complaint_about_id:
        targets = targets.exclude(appeals__pk=appeal.complaint_about_id)
    return targets.order_by("name_uk")


def addressable_authorities() -> QuerySet[Authority]:
    return Authority.objects.filter(is_active=True).order_by("name_uk")


def appeal_statistics() -> dict[str, Any]:
    """Public aggregates only: counts by authority and status, and overdue counts. No appeal is shown."""
    now = clock.now()
    rows = (
        Appeal.objects.values("authority_id", "authority__name_uk", "authority__name_en", "status")
        .annotate(n=Count("id"))
        .order_by("authority__name_uk", "status")
    )
    overdue = dict(
        Appeal.objects.filter(
            Q(status=AppealStatus.SUBMITTED, registration_due_at__lt=now)
            | Q(status__in=AWAITING_ANSWER, due_at__lt=now)
        )
        .values("authority_id")
        .annotate(n=Count("id"))
        .values_list("authority_id", "n")
    )
    by_authority: dict[int, dict[str, Any]] = {}
    totals = dict.fromkeys(AppealStatus.values, 0)
    for row in rows:
        entry = by_authority.setdefault(
            row["authority_id"],
            {
                "name_uk": row["authority__name_uk"],
                "name_en": row["authority__name_en"],
                "counts": dict.fromkeys(AppealStatus.values, 0),
                "total": 0,
                "overdue": overdue.get(row["authority_id"], 0),
            },
        )
        entry["counts"][row["status"]] = row["n"]
        entry["total"] += row["n"]
        totals[row["status"]] += row["n"]
    for entry in by_authority.values():
        entry["cells"] = [entry["counts"][status] for status in AppealStatus.values]
    return {
        "statuses": list(AppealStatus),
        "total_cells": [totals[status] for status in AppealStatus.values],
        "authorities": list(by_authority.values()),
        "totals": totals,
        "total": sum(totals.values()),
        "overdue": sum(overdue.values()),
    }
