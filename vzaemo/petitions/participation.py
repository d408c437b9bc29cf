"""Petitions in the one stop (core.participation, ADR 0019): items, the people involved, what the log changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vzaemo.accounts.selectors import authorities_where
from vzaemo.core.participation import Involvement, Item, Party, Whose
from vzaemo.petitions.models import Petition
from vzaemo.petitions.permissions import ANSWER_ROLES, MODERATOR_ROLES
from vzaemo.petitions.states import AWAITING_ANSWER, PUBLIC, SIGNABLE, PetitionStatus

SUBJECT = Petition._meta.label_lower
# Still moving: the author, the signers or the authority have something ahead of them.
IN_PROGRESS = frozenset(
    {
        PetitionStatus.DRAFT,
        PetitionStatus.SUBMITTED,
        PetitionStatus.PUBLISHED,
        PetitionStatus.THRESHOLD_REACHED,
        PetitionStatus.UNDER_CONSIDERATION,
    }
)


def next_deadline(petition: Petition) -> tuple[dt.datetime | None, Whose | None]:
    status = petition.status
    if status == PetitionStatus.SUBMITTED:
        return petition.moderation_due_at, Whose.AUTHORITY
    if status == PetitionStatus.PUBLISHED:
        return petition.collection_ends_at, Whose.PUBLIC
    if status in AWAITING_ANSWER:
        return petition.answer_due_at, Whose.AUTHORITY
    return None, None


class PetitionSource:
    kind = "petition"
    label = _("Petition")
    label_plural = _("Petitions")
    answered_statuses = frozenset({PetitionStatus.ANSWERED.value})

    def subject_label(self, code: str) -> str | Promise | None:  # noqa: ARG002 - petitions carry no subjects
        return None

    def items(self, object_ids: Collection[int] | None = None) -> Iterator[Item]:
        petitions = Petition.objects.select_related("authority")
        if object_ids is not None:
            petitions = petitions.filter(pk__in=object_ids)
        for petition in petitions.order_by("pk").iterator(chunk_size=500):
            yield self.item(petition)

    def item(self, petition: Petition) -> Item:
        deadline, whose = next_deadline(petition)
        return Item(
            kind=self.kind,
            object_id=petition.pk,
            title=petition.title,
            url=reverse("web:petition_detail", args=[petition.pk]),
            is_public=petition.status in PUBLIC,
            status=petition.status,
            updated_at=petition.updated_at,
            summary=petition.essence[:300],
            search_text=petition.essence,
            authority_id=petition.authority_id,
            region=petition.authority.region,
            opens_at=petition.published_at,
            deadline=deadline,
            deadline_whose=whose,
        )

    def statuses(self) -> list[tuple[str, str | Promise]]:
        return [(s.value, s.label) for s in PetitionStatus if s in PUBLIC]

    def status_label(self, status: str) -> str | Promise:
        return PetitionStatus(status).label if status in PetitionStatus.values else status

    def involvements(self, user: Any) -> Iterator[Involvement]:
        if not user.is_authenticated:
            return
        for petition in Petition.objects.filter(author=user).only(*_DEADLINE_FIELDS):
            deadline, whose = next_deadline(petition)
            yield Involvement(
                object_id=petition.pk,
                role="author",
                role_label=_("author"),
                deadline=deadline,
                deadline_whose=whose,
                in_progress=petition.status in IN_PROGRESS,
            )
        signed = Petition.objects.filter(signatures__signer=user).only(*_DEADLINE_FIELDS)
        for petition in signed:
            deadline, whose = next_deadline(petition)
            yield Involvement(
                object_id=petition.pk,
                role="signer",
                role_label=_("signed"),
                deadline=deadline,
                deadline_whose=whose,
                in_progress=petition.status in SIGNABLE | AWAITING_ANSWER,
            )
        yield from self._at_authorities(
            user, MODERATOR_ROLES, [PetitionStatus.SUBMITTED], "moderator", _("to moderate")
        )
        yield from self._at_authorities(user, ANSWER_ROLES, sorted(AWAITING_ANSWER), "responder", _("to answer"))

    def _at_authorities(
        self, user: Any, roles: set[Any], statuses: list[PetitionStatus], role: str, role_label: Promise
    ) -> Iterator[Involvement]:
        authorities = list(authorities_where(user=user, roles=roles).values_list("pk", flat=True))
        petitions: QuerySet[Petition] = Petition.objects.filter(authority__in=authorities, status__in=statuses)
        for petition in petitions.only(*_DEADLINE_FIELDS, "authority_id"):
            deadline, whose = next_deadline(petition)
            yield Involvement(
                object_id=petition.pk,
                role=role,
                role_label=role_label,
                party=Party.AUTHORITY,
                party_id=petition.authority_id,
                deadline=deadline,
                deadline_whose=whose,
            )

    def affected(self, subjects: Collection[tuple[str, str]]) -> set[int]:
        # A signature's entry (subject petitions.signature) changes only the batched count, which the index
        # does not hold: the signing path never costs a re-projection.
        return {int(pk) for label, pk in subjects if label == SUBJECT and pk.isdigit()}


_DEADLINE_FIELDS = ("pk", "status", "moderation_due_at", "collection_ends_at", "answer_due_at")
