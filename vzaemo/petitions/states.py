"""Petition lifecycle (Law 393/96 art. 23-1; Cabinet Res. 457)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vzaemo.core.state_machine import StateMachine


class PetitionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("awaiting moderation")
    PUBLISHED = "published", _("collecting signatures")
    REJECTED = "rejected", _("rejected by moderation")
    THRESHOLD_REACHED = "threshold_reached", _("threshold reached")
    UNDER_CONSIDERATION = "under_consideration", _("under consideration")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed: not enough signatures")


S = PetitionStatus

PETITION_MACHINE: StateMachine[PetitionStatus] = StateMachine.build(
    "petition",
    {
        "submit": ([S.DRAFT], S.SUBMITTED),
        "publish": ([S.SUBMITTED], S.PUBLISHED),
        "reject": ([S.SUBMITTED], S.REJECTED),
        "reach_threshold": ([S.PUBLISHED], S.THRESHOLD_REACHED),
        "start_consideration": ([S.THRESHOLD_REACHED], S.UNDER_CONSIDERATION),
        "answer": ([S.THRESHOLD_REACHED, S.UNDER_CONSIDERATION], S.ANSWERED),
        "close": ([S.PUBLISHED], S.CLOSED),
    },
    label=_("petition"),
)

# Signatures are collected until the collection term ends, also after the threshold is reached
# (the signer list keeps growing while the authority prepares its answer).
SIGNABLE = frozenset({S.PUBLISHED, S.THRESHOLD_REACHED})
PUBLIC = frozenset({S.PUBLISHED, S.THRESHOLD_REACHED, S.UNDER_CONSIDERATION, S.ANSWERED, S.CLOSED})
AWAITING_ANSWER = frozenset({S.THRESHOLD_REACHED, S.UNDER_CONSIDERATION})


class RejectionReason(models.TextChoices):
    """The forbidden-content list (legalaid.ua summary of Law 393/96; docs/reference/ukraine-rules.md §1)."""

    OVERTHROW = "overthrow", _("calls to overthrow the constitutional order or to violate territorial integrity")
    WAR_PROPAGANDA = "war_propaganda", _("war propaganda")
    VIOLENCE = "violence", _("calls to violence")
    HATRED = "hatred", _("incitement to ethnic, racial or religious hatred")
    TERRORISM = "terrorism", _("calls to terrorism")
    OBSCENE = "obscene", _("obscene language")
    NOT_COMPETENT = "not_competent", _("outside the competence of the addressee")
    DUPLICATE = "duplicate", _("repeats a petition already collecting signatures")


class AnswerDecision(models.TextChoices):
    SUPPORTED = "supported", _("supported")
    NOT_SUPPORTED = "not_supported", _("not supported")
