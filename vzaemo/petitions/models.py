"""E-petitions and their signatures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vzaemo.petitions.states import SIGNABLE, AnswerDecision, PetitionStatus, RejectionReason


class Petition(models.Model):
    authority = models.ForeignKey(
        "accounts.Authority", on_delete=models.PROTECT, related_name="petitions", verbose_name=_("addressed to")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="petitions", verbose_name=_("author")
    )
    # Art. 23-1 requires the author's full name and email on the petition itself: kept as submitted.
    author_name = models.CharField(_("author's full name"), max_length=200)
    author_email = models.EmailField(_("author's email"))
    title = models.CharField(_("title"), max_length=200)
    essence = models.TextField(_("essence of the petition"), max_length=10_000)
    # Case-folded title and essence: SQLite's LIKE folds only ASCII, so Cyrillic search needs this.
    search_text = models.TextField(default="", editable=False)
    status = models.CharField(_("status"), max_length=30, choices=PetitionStatus.choices, default=PetitionStatus.DRAFT)

    threshold = models.PositiveIntegerField(_("signatures needed"), null=True, blank=True)
    # Batched: written by the counting job, never per signature (docs/design.md rule 6).
    signature_count = models.PositiveIntegerField(_("signatures"), default=0)
    count_updated_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    moderation_due_at = models.DateTimeField(_("moderation due"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    collection_ends_at = models.DateTimeField(_("collection ends"), null=True, blank=True)
    threshold_reached_at = models.DateTimeField(_("threshold reached"), null=True, blank=True)
    consideration_started_at = models.DateTimeField(
        pgettext_lazy("petition", "consideration started"), null=True, blank=True
    )
    answer_due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    answer_overdue_since = models.DateTimeField(_("answer overdue since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # deadline name -> the rule citation that produced it (core.rules.RuleValue.citation()).
    rules_applied = models.JSONField(_("rules applied"), default=dict, blank=True)

    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    rejection_reason = models.CharField(
        _("rejection reason"), max_length=30, choices=RejectionReason.choices, blank=True
    )
    rejection_note = models.TextField(_("moderator's explanation"), blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    answer_decision = models.CharField(_("decision"), max_length=20, choices=AnswerDecision.choices, blank=True)
    answer_text = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        indexes = [
            models.Index(fields=["status", "-published_at"], name="petition_status_published_idx"),
            models.Index(fields=["status", "-signature_count"], name="petition_status_count_idx"),
            models.Index(fields=["authority", "status"], name="petition_authority_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="petition_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="answered") | (~models.Q(answer_text="") & ~models.Q(answer_decision="")),
                name="petition_answered_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def status_enum(self) -> PetitionStatus:
        return PetitionStatus(self.status)

    # What the pages show, named once here from the states (actions come from permissions.py).
    @property
    def awaiting_moderation(self) -> bool:
        return self.status == PetitionStatus.SUBMITTED

    @property
    def awaiting_threshold(self) -> bool:
        return self.status == PetitionStatus.PUBLISHED

    @property
    def is_collecting(self) -> bool:
        return self.status in SIGNABLE

    @property
    def is_answered(self) -> bool:
        return self.status == PetitionStatus.ANSWERED

    @property
    def is_rejected(self) -> bool:
        return self.status == PetitionStatus.REJECTED


class Signature(models.Model):
    """One verified person's signature. The unique constraint is the guarantee, not a check in code."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="signatures")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures")
    # The law requires the list of signers to be public: kept as signed.
    signer_name = models.CharField(_("full name"), max_length=200)
    created_at = models.DateTimeField(_("signed at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [models.UniqueConstraint(fields=["petition", "signer"], name="signature_one_per_person")]
        indexes = [models.Index(fields=["created_at"], name="signature_created_idx")]

    def __str__(self) -> str:
        return f"{self.signer_name} → {self.petition_id}"
