"""Consultation lifecycle (Cabinet Res. 996 of 03.11.2010, pp. 12-20; Law 3841-IX once in force)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vzaemo.core.state_machine import StateMachine


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open for proposals")
    CLOSED = "closed", _("closed: proposals under consideration")
    REPORT_PUBLISHED = "report_published", _("report published")


S = ConsultationStatus

CONSULTATION_MACHINE: StateMachine[ConsultationStatus] = StateMachine.build(
    "consultation",
    {
        "open": ([S.DRAFT], S.OPEN),
        "close": ([S.OPEN], S.CLOSED),
        "publish_report": ([S.CLOSED], S.REPORT_PUBLISHED),
    },
    label=_("consultation"),
)

PUBLIC = frozenset({S.OPEN, S.CLOSED, S.REPORT_PUBLISHED})
PAST = frozenset({S.CLOSED, S.REPORT_PUBLISHED})
# Moderation may still hide forbidden content after the deadline, until the report is out.
MODERATABLE = frozenset({S.OPEN, S.CLOSED})


class Topic(models.TextChoices):
    """The topics on which consultation is mandatory (Res. 996 p. 12; docs/reference/ukraine-rules.md §3)."""

    CONSTITUTIONAL_RIGHTS = "constitutional_rights", _("constitutional rights and freedoms")
    ENVIRONMENT = "environment", _("vital interests, including the environment")
    REGULATORY = "regulatory", _("regulatory activity")
    STRATEGY = "strategy", _("strategic goals and programmes")
    COMMUNITY = "community", _("interests of territorial communities")
    ADMINISTRATIVE_SERVICES = "administrative_services", _("administrative services")
    CSO_STATUS = "cso_status", _("legal status and financing of CSOs")
    BUSINESS = "business", _("benefits or restrictions for businesses and CSOs")
    NAMES = "names", _("names and commemorations")
    OTHER = "other", _("other")


class ProposalStatus(models.TextChoices):
    PUBLISHED = "published", _("published")
    HIDDEN = "hidden_by_moderation", _("hidden by moderation")


P = ProposalStatus

# The decision (accepted, partially accepted, rejected) is recorded on a published proposal and leaves it
# published: the report lists it with its decision. Hiding is final, and a hidden proposal needs no decision.
PROPOSAL_MACHINE: StateMachine[ProposalStatus] = StateMachine.build(
    "proposal",
    {
        "hide": ([P.PUBLISHED], P.HIDDEN),
        "decide": ([P.PUBLISHED], P.PUBLISHED),
    },
    label=_("proposal"),
)


class ModerationReason(models.TextChoices):
    """What a published proposal may not contain: the forbidden-content list (as for petitions,
    Law 393/96 as summarised in docs/reference/ukraine-rules.md §1), plus personal data of others
    and advertising, which a public comment thread must not spread."""

    OVERTHROW = "overthrow", _("calls to overthrow the constitutional order or to violate territorial integrity")
    WAR_PROPAGANDA = "war_propaganda", _("war propaganda")
    VIOLENCE = "violence", _("calls to violence")
    HATRED = "hatred", _("incitement to ethnic, racial or religious hatred")
    TERRORISM = "terrorism", _("calls to terrorism")
    OBSCENE = "obscene", _("obscene language or insults")
    PERSONAL_DATA = "personal_data", _("personal data of other people")
    ADVERTISING = "advertising", _("advertising or spam unrelated to the draft")


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    PARTIALLY_ACCEPTED = "partially_accepted", _("partially accepted")
    REJECTED = "rejected", _("rejected")


# A reason is owed for every proposal not accepted in full (Res. 996 report: "accepted/rejected proposals").
NEEDS_REASON = frozenset({Decision.PARTIALLY_ACCEPTED, Decision.REJECTED})
