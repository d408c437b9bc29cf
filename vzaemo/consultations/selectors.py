"""Reads of consultations that depend on who is asking."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from vzaemo.accounts.models import Authority, CivilSocietyOrganisation
from vzaemo.accounts.selectors import authorities_where
from vzaemo.consultations.models import Clause, Consultation, Proposal, Subscription
from vzaemo.consultations.permissions import CSO_ACTING_ROLES, MANAGER_ROLES, can_view
from vzaemo.consultations.states import PAST, PUBLIC, ConsultationStatus, Decision, ProposalStatus

PHASES = {"open": [ConsultationStatus.OPEN], "past": sorted(PAST)}


def consultation_list_public(*, authority_slug: str = "", topic: str = "", phase: str = "") -> QuerySet[Consultation]:
    consultations = (
        Consultation.objects.filter(status__in=PHASES.get(phase, sorted(PUBLIC)))
        .select_related("authority")
        .annotate(proposal_count=Count("proposals", filter=Q(proposals__status=ProposalStatus.PUBLISHED)))
    )
    if authority_slug:
        consultations = consultations.filter(authority__slug=authority_slug)
    if topic:
        consultations = consultations.filter(topic=topic)
    if phase == "open":
        return consultations.order_by("closes_at", "id")
    return consultations.order_by("-opens_at", "-id")


def consulting_authorities() -> QuerySet[Authority]:
    """Authorities that have held a public consultation (the list's filter)."""
    return (
        Authority.objects.filter(consultations__status__in=sorted(PUBLIC), is_active=True)
        .distinct()
        .order_by("name_uk")
    )


def authorities_managed_by(*, user: Any) -> QuerySet[Authority]:
    return authorities_where(user=user, roles=MANAGER_ROLES).filter(is_active=True).order_by("name_uk")


def consultation_get_for_viewer(*, consultation_id: int, user: Any) -> Consultation | None:
    consultation = Consultation.objects.select_related("authority").filter(pk=consultation_id).first()
    if consultation is None or not can_view(user, consultation):
        return None
    return consultation


def published_proposals(*, consultation: Consultation) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(consultation=consultation, status=ProposalStatus.PUBLISHED)
        .select_related("cso", "clause")
        .order_by("id")
    )


def hidden_proposals(*, consultation: Consultation) -> QuerySet[Proposal]:
    return Proposal.objects.filter(consultation=consultation, status=ProposalStatus.HIDDEN).order_by("id")


def clauses_with_proposals(*, consultation: Consultation) -> QuerySet[Clause]:
    """Each clause with its published proposals (as `clause.published`), in order."""
    return (
        Clause.objects.filter(consultation=consultation)
        .order_by("number")
        .prefetch_related(
            Prefetch(
                "proposals",
                queryset=Proposal.objects.filter(status=ProposalStatus.PUBLISHED).select_related("cso").order_by("id"),
                to_attr="published",
            )
        )
    )


@dataclass
class Report:
    participants: int
    organisations: int
    proposals: int
    outcomes: dict[str, int] = field(default_factory=dict)
    hidden: int = 0


def consultation_report(*, consultation: Consultation) -> Report:
    """The numbers of the report (Res. 996 template: participants, proposals received, accepted/rejected)."""
    published = Proposal.objects.filter(consultation=consultation, status=ProposalStatus.PUBLISHED)
    outcomes = dict(published.values("decision").annotate(n=Count("id")).values_list("decision", "n"))
    return Report(
        participants=published.values("author").distinct().count(),
        organisations=published.exclude(cso=None).values("cso").distinct().count(),
        proposals=published.count(),
        outcomes={d.value: outcomes.get(d.value, 0) for d in Decision},
        hidden=Proposal.objects.filter(consultation=consultation, status=ProposalStatus.HIDDEN).count(),
    )


def consultations_managed_by(*, user: Any) -> QuerySet[Consultation]:
    """Every consultation (drafts too) of the authorities where the person is an official, soonest due first."""
    return (
        Consultation.objects.filter(authority__in=authorities_where(user=user, roles=MANAGER_ROLES))
        .select_related("authority")
        .annotate(
            undecided=Count("proposals", filter=Q(proposals__status=ProposalStatus.PUBLISHED, proposals__decision=""))
        )
        .order_by("status", "closes_at", "id")
    )


def subscriptions_of(*, user: Any) -> QuerySet[Subscription]:
    return Subscription.objects.filter(user=user).select_related("authority").order_by("id")


def subscribers_emails(*, consultation: Consultation) -> list[str]:
    """Verified people subscribed to the consultation's authority, its topic, or exactly that pair."""
    match = (
        Q(authority=consultation.authority_id, topic="")
        | Q(authority=None, topic=consultation.topic)
        | Q(authority=consultation.authority_id, topic=consultation.topic)
    )
    return list(
        Subscription.objects.filter(match, user__email_verified=True, user__is_active=True)
        .values_list("user__email", flat=True)
        .distinct()
        .order_by("user__email")
    )


def csos_represented_by(*, user: Any) -> QuerySet[CivilSocietyOrganisation]:
    """Organisations on whose behalf the person may make proposals."""
    if not user.is_authenticated:
        return CivilSocietyOrganisation.objects.none()
    return (
        CivilSocietyOrganisation.objects.filter(
            memberships__user=user, memberships__role__in=[r.value for r in CSO_ACTING_ROLES]
        )
        .distinct()
        .order_by("name")
    )
