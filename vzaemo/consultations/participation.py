"""Consultations in the one stop (core.participation, ADR 0019): items, the people involved, what the log changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vzaemo.accounts.models import Membership
from vzaemo.accounts.selectors import authorities_where
from vzaemo.consultations.models import Consultation, Proposal
from vzaemo.consultations.permissions import CSO_ACTING_ROLES, MANAGER_ROLES
from vzaemo.consultations.states import PUBLIC, ConsultationStatus, Topic
from vzaemo.core.participation import Involvement, Item, Party, Whose

SUBJECT = Consultation._meta.label_lower
IN_PROGRESS = frozenset({ConsultationStatus.DRAFT, ConsultationStatus.OPEN, ConsultationStatus.CLOSED})


def next_deadline(consultation: Consultation) -> tuple[dt.datetime | None, Whose | None]:
    if consultation.status == ConsultationStatus.OPEN:
        return consultation.closes_at, Whose.PUBLIC
    if consultation.status == ConsultationStatus.CLOSED:
        return consultation.report_due_at, Whose.AUTHORITY
    return None, None


class ConsultationSource:
    kind = "consultation"
    label = _("Consultation")
    label_plural = _("Consultations")
    answered_statuses = frozenset({ConsultationStatus.REPORT_PUBLISHED.value})

    def subject_label(self, code: str) -> str | Promise | None:
        prefix, _sep, value = code.partition(":")
        return Topic(value).label if prefix == "topic" and value in Topic.values else None

    def items(self, object_ids: Collection[int] | None = None) -> Iterator[Item]:
        consultations = Consultation.objects.select_related("authority").defer("draft_text")
        if object_ids is not None:
            consultations = consultations.filter(pk__in=object_ids)
        for consultation in consultations.order_by("pk").iterator(chunk_size=500):
            yield self.item(consultation)

    def item(self, consultation: Consultation) -> Item:
        deadline, whose = next_deadline(consultation)
        return Item(
            kind=self.kind,
            object_id=consultation.pk,
            title=consultation.title,
            url=reverse("web:consultation_detail", args=[consultation.pk]),
            is_public=consultation.status in PUBLIC,
            status=consultation.status,
            updated_at=consultation.updated_at,
            summary=consultation.summary[:300],
            search_text=f"{consultation.summary}\n{consultation.affected_groups}",
            authority_id=consultation.authority_id,
            region=consultation.authority.region,
            subjects=(f"topic:{consultation.topic}",),
            opens_at=consultation.opens_at,
            deadline=deadline,
            deadline_whose=whose,
        )

    def statuses(self) -> list[tuple[str, str | Promise]]:
        return [(s.value, s.label) for s in ConsultationStatus if s in PUBLIC]

    def status_label(self, status: str) -> str | Promise:
        return ConsultationStatus(status).label if status in ConsultationStatus.values else status

    def involvements(self, user: Any) -> Iterator[Involvement]:
        if not user.is_authenticated:
            return
        # A proposal is the person's own, or its CSO's when sent on the CSO's behalf: the CSO's cabinet shows
        # every proposal any of its representatives sent.
        csos = list(
            Membership.objects.filter(user=user, role__in=[r.value for r in CSO_ACTING_ROLES], cso__isnull=False)
            .values_list("cso_id", flat=True)
            .distinct()
        )
        own = Proposal.objects.filter(author=user, cso__isnull=True)
        for_csos = Proposal.objects.filter(cso__in=csos)
        seen: set[tuple[int, int | None]] = set()
        for proposal in (own | for_csos).select_related("consultation").order_by("-created_at"):
            party_id = proposal.cso_id
            key = (proposal.consultation_id, party_id)
            if key in seen:
                continue
            seen.add(key)
            deadline, whose = next_deadline(proposal.consultation)
            yield Involvement(
                object_id=proposal.consultation_id,
                role="proposer",
                role_label=_("proposal sent"),
                party=Party.CSO if party_id else Party.PERSON,
                party_id=party_id,
                deadline=deadline,
                deadline_whose=whose,
                in_progress=proposal.consultation.status in IN_PROGRESS,
            )
        authorities = list(authorities_where(user=user, roles=MANAGER_ROLES).values_list("pk", flat=True))
        managed = Consultation.objects.filter(authority__in=authorities, status__in=IN_PROGRESS).defer("draft_text")
        for consultation in managed:
            deadline, whose = next_deadline(consultation)
            yield Involvement(
                object_id=consultation.pk,
                role="organiser",
                role_label=_("to open") if consultation.status == ConsultationStatus.DRAFT else _("runs it"),
                party=Party.AUTHORITY,
                party_id=consultation.authority_id,
                deadline=deadline,
                deadline_whose=whose,
            )

    def affected(self, subjects: Collection[tuple[str, str]]) -> set[int]:
        # Proposals and subscriptions do not change what the lists show about the consultation itself.
        return {int(pk) for label, pk in subjects if label == SUBJECT and pk.isdigit()}
