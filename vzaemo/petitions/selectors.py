"""Reads of petitions that depend on who is asking."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Case, F, QuerySet, Value, When

from vzaemo.accounts.models import Authority
from vzaemo.accounts.selectors import authorities_where
from vzaemo.core import clock
from vzaemo.petitions.models import Petition, Signature
from vzaemo.petitions.permissions import ANSWER_ROLES, MODERATOR_ROLES, can_view
from vzaemo.petitions.states import AWAITING_ANSWER, PUBLIC, PetitionStatus

SORTS = {"signatures": ("-signature_count", "-published_at"), "newest": ("-published_at", "-id")}


def petition_list_public(
    *, query: str = "", authority_slug: str = "", status: str = "", sort: str = "newest"
) -> QuerySet[Petition]:
    petitions = Petition.objects.filter(status__in=PUBLIC).select_related("authority")
    if query:
        petitions = petitions.filter(search_text__contains=query.casefold())
    if authority_slug:
        petitions = petitions.filter(authority__slug=authority_slug)
    if status and status in {s.value for s in PUBLIC}:
        petitions = petitions.filter(status=status)
    return petitions.order_by(*SORTS.get(sort, SORTS["newest"]))


def petitionable_authorities() -> QuerySet[Authority]:
    return Authority.objects.filter(accepts_petitions=True, is_active=True).order_by("name_uk")


def petition_get_for_viewer(*, petition_id: int, user: Any) -> Petition | None:
    petition = Petition.objects.select_related("authority", "author").filter(pk=petition_id).first()
    if petition is None or not can_view(user, petition):
        return None
    return petition


def petition_signers(*, petition: Petition) -> QuerySet[Signature]:
    """The public list of signers (art. 23-1): names and dates only."""
    return Signature.objects.filter(petition=petition).only("signer_name", "created_at").order_by("id")


def petition_has_signed(*, petition: Petition, user: Any) -> bool:
    return bool(user.is_authenticated) and Signature.objects.filter(petition=petition, signer=user).exists()


def petitions_of_author(*, user: Any) -> QuerySet[Petition]:
    return Petition.objects.filter(author=user).select_related("authority").order_by("-created_at")


def signatures_of(*, user: Any) -> QuerySet[Signature]:
    return (
        Signature.objects.filter(signer=user).select_related("petition", "petition__authority").order_by("-created_at")
    )


def inbox_for_official(*, user: Any) -> dict[str, QuerySet[Petition]]:
    """Petitions awaiting this person's moderation or answer, the most overdue first."""
    moderated = authorities_where(user=user, roles=MODERATOR_ROLES)
    answered = authorities_where(user=user, roles=ANSWER_ROLES)
    moderation = Petition.objects.filter(authority__in=moderated, status=PetitionStatus.SUBMITTED)
    answer = Petition.objects.filter(authority__in=answered, status__in=AWAITING_ANSWER)
    return {
        "moderation": _with_due(moderation, "moderation_due_at"),
        "answer": _with_due(answer, "answer_due_at"),
    }


def _with_due(petitions: QuerySet[Petition], due_field: str) -> QuerySet[Petition]:
    """Annotate `due_at` and `overdue`; sorting by the due date puts the overdue first."""
    now = clock.now()
    return (
        petitions.select_related("authority")
        .annotate(
            due_at=F(due_field),
            overdue=Case(
                When(**{f"{due_field}__lt": now}, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
        )
        .order_by(F(due_field).asc(nulls_last=True), "id")
    )
