"""E-consultations on draft acts: the notice with its draft, the draft's clauses, proposals and subscriptions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vzaemo.consultations.states import ConsultationStatus, Decision, ModerationReason, ProposalStatus, Topic
from vzaemo.core import clock


class Consultation(models.Model):
    """One e-consultation. The notice fields are the items of Res. 996 p. 17."""

    authority = models.ForeignKey(
        "accounts.Authority", on_delete=models.PROTECT, related_name="consultations", verbose_name=_("authority")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    title = models.CharField(_("title of the draft"), max_length=300)
    summary = models.TextField(_("summary of the draft"), max_length=5_000)
    affected_groups = models.TextField(_("affected social groups and stakeholders"), max_length=3_000)
    consequences = models.TextField(_("possible consequences"), max_length=3_000)
    contact_email = models.EmailField(_("email for proposals"))
    proposals_form = models.TextField(_("form of proposals"), max_length=2_000)
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices)
    draft_text = models.TextField(_("text of the draft act"), max_length=200_000)
    status = models.CharField(
        _("status"), max_length=20, choices=ConsultationStatus.choices, default=ConsultationStatus.DRAFT
    )

    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    opens_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closes_at = models.DateTimeField(_("deadline for proposals"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    report_due_at = models.DateTimeField(_("report due"), null=True, blank=True)
    # deadline name -> the rule citation that produced or checked it (core.rules.RuleValue.citation()).
    rules_applied = models.JSONField(_("rules applied"), default=dict, blank=True)

    report_summary = models.TextField(_("decisions taken"), blank=True)
    report_published_at = models.DateTimeField(_("report published"), null=True, blank=True)
    report_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [
            models.Index(fields=["status", "-closes_at"], name="consultation_status_close_idx"),
            models.Index(fields=["authority", "status"], name="consultation_authority_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(opens_at__isnull=False),
                name="consultation_open_has_opens_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="report_published")
                | (models.Q(report_published_at__isnull=False) & ~models.Q(report_summary="")),
                name="consultation_report_has_summary",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def status_enum(self) -> ConsultationStatus:
        return ConsultationStatus(self.status)

    # What the pages show, named once here from the states (actions come from permissions.py).
    @property
    def is_open(self) -> bool:
        return self.status == ConsultationStatus.OPEN

    @property
    def accepts_proposals(self) -> bool:
        return self.status == ConsultationStatus.OPEN and self.closes_at > clock.now()

    @property
    def awaiting_report(self) -> bool:
        return self.status == ConsultationStatus.CLOSED

    @property
    def has_report(self) -> bool:
        return self.status == ConsultationStatus.REPORT_PUBLISHED


class Clause(models.Model):
    """A numbered part of the draft that proposals can address (split by services.split_clauses)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="clauses")
    number = models.PositiveIntegerField(_("number"), help_text=_("The clause's place in the draft, 1..n."))
    label = models.CharField(
        _("label"),
        max_length=30,
        blank=True,
        help_text=_("The draft's own number of the clause; empty for a preamble."),
    )
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["consultation", "number"]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="clause_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} §{self.number}"


class Proposal(models.Model):
    """A signed-in person's proposal on a clause or (clause empty) on the whole draft."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="proposals")
    clause = models.ForeignKey(Clause, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultation_proposals"
    )
    # Anonymous proposals are not considered (Res. 996): the name is kept as submitted.
    author_name = models.CharField(_("author's full name"), max_length=200)
    cso = models.ForeignKey(
        "accounts.CivilSocietyOrganisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultation_proposals",
        verbose_name=_("on behalf of"),
    )
    text = models.TextField(_("proposal"), max_length=5_000)
    created_at = models.DateTimeField(_("submitted"))
    status = models.CharField(
        _("status"), max_length=30, choices=ProposalStatus.choices, default=ProposalStatus.PUBLISHED
    )
    moderation_reason = models.CharField(
        _("moderation reason"), max_length=30, choices=ModerationReason.choices, blank=True
    )
    moderation_note = models.TextField(_("moderator's explanation"), blank=True)
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [models.Index(fields=["consultation", "status"], name="proposal_consultation_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="hidden_by_moderation") | ~models.Q(moderation_reason=""),
                name="proposal_hidden_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(decision__in=["", "accepted"]) | ~models.Q(decision_reason=""),
                name="proposal_decision_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_name} → {self.consultation_id}"

    @property
    def status_enum(self) -> ProposalStatus:
        return ProposalStatus(self.status)


class Subscription(models.Model):
    """Email me when a consultation of this authority, or on this topic, opens or gets its report."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultation_subscriptions"
    )
    authority = models.ForeignKey(
        "accounts.Authority",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("authority"),
    )
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices, blank=True)
    created_at = models.DateTimeField(_("since"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(authority__isnull=False) | ~models.Q(topic=""),
                name="subscription_authority_or_topic",
            ),
            models.UniqueConstraint(
                fields=["user", "authority", "topic"],
                condition=models.Q(authority__isnull=False),
                name="subscription_unique_with_authority",
            ),
            models.UniqueConstraint(
                fields=["user", "topic"],
                condition=models.Q(authority__isnull=True),
                name="subscription_unique_topic_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.authority_id or '*'} / {self.topic or '*'}"
