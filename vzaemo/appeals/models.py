"""Citizens' e-appeals (Law 393/96) and their history as the applicant sees it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vzaemo.appeals.states import (
    AWAITING_ANSWER,
    OPEN,
    AnswerTerm,
    AppealCategory,
    AppealKind,
    AppealStatus,
    EventKind,
    RefusalReason,
)
from vzaemo.core import clock


class Appeal(models.Model):
    """One appeal at one body. Forwarding ends this row and starts a new one at the competent body
    (`forwarded_to` / `forwarded_from`), so each body's registration and answer duty is its own fact.

    Private: seen by the applicant, the addressed authority's members and superusers only.
    """

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("applicant")
    )
    # Art. 5 requires these on the appeal itself: kept as submitted.
    full_name = models.CharField(_("full name"), max_length=200)
    place_of_residence = models.CharField(_("place of residence"), max_length=300)
    email = models.EmailField(_("contact email"))

    kind = models.CharField(_("type"), max_length=20, choices=AppealKind.choices)
    category = models.CharField(
        _("category"), max_length=30, choices=AppealCategory.choices, default=AppealCategory.GENERAL
    )
    authority = models.ForeignKey(
        "accounts.Authority", on_delete=models.PROTECT, related_name="appeals", verbose_name=_("addressed to")
    )
    essence = models.TextField(_("essence of the appeal"), max_length=10_000)
    location_text = models.CharField(_("location"), max_length=300, blank=True)
    # Stored under a random name in the default storage, which has no public URL; served only by
    # the permission-checked photo view. `photo_type` is the content type sniffed at upload.
    photo = models.FileField(_("photo"), upload_to="appeals/", blank=True, max_length=200)
    photo_type = models.CharField(max_length=20, blank=True, editable=False)

    status = models.CharField(_("status"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.SUBMITTED)
    # When this body received it (submission, or forwarding to it): the terms run from here (art. 20).
    received_at = models.DateTimeField(_("received"))
    registration_due_at = models.DateTimeField(_("registration or forwarding due"))
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    answer_term = models.CharField(_("answer term"), max_length=10, choices=AnswerTerm.choices, blank=True)
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    extended_until = models.DateTimeField(_("extended until"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    # deadline name -> the rule citation that produced it (core.rules.RuleValue.citation()).
    rules_applied = models.JSONField(_("rules applied"), default=dict, blank=True)

    forwarded_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forwarded_to",
        verbose_name=_("forwarded from"),
    )
    forwarded_at = models.DateTimeField(_("forwarded"), null=True, blank=True)
    forward_note = models.TextField(_("reason for forwarding"), blank=True)

    answer_text = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    refusal_reason = models.CharField(_("refusal ground"), max_length=30, choices=RefusalReason.choices, blank=True)
    refusal_text = models.TextField(_("reasons for the refusal"), blank=True)
    refused_at = models.DateTimeField(_("refused"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    complaint_about = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("complaint about"),
    )
    unsatisfactory = models.BooleanField(_("applicant finds the answer unsatisfactory"), default=False)
    unsatisfactory_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        indexes = [
            models.Index(fields=["authority", "status"], name="appeal_authority_status_idx"),
            models.Index(fields=["applicant", "-received_at"], name="appeal_applicant_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="refused") | (~models.Q(refusal_reason="") & ~models.Q(refusal_text="")),
                name="appeal_refused_has_reasons",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="answered") | ~models.Q(answer_text=""), name="appeal_answered_has_answer"
            ),
            models.CheckConstraint(
                condition=models.Q(complaint_about__isnull=True) | models.Q(kind="complaint"),
                name="appeal_complaint_about_only_complaints",
            ),
            # One complaint per decision filed in one step (its forwarded copies carry the link too).
            models.UniqueConstraint(
                fields=["complaint_about"],
                condition=models.Q(complaint_about__isnull=False, forwarded_from__isnull=True),
                name="appeal_one_complaint_per_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def status_enum(self) -> AppealStatus:
        return AppealStatus(self.status)

    # What the pages show, named once here from the states (actions come from permissions.py).
    @property
    def awaiting_registration(self) -> bool:
        return self.status == AppealStatus.SUBMITTED

    @property
    def is_answered(self) -> bool:
        return self.status == AppealStatus.ANSWERED

    @property
    def is_refused(self) -> bool:
        return self.status == AppealStatus.REFUSED

    @property
    def next_due_at(self) -> dt.datetime | None:
        """What the authority must do next, by when: register (or forward), then answer."""
        if self.status == AppealStatus.SUBMITTED:
            return self.registration_due_at
        if self.status in AWAITING_ANSWER:
            return self.due_at
        return None

    @property
    def is_overdue(self) -> bool:
        """Computed from the stored deadline, never stored (the due moment itself is still on time)."""
        due = self.next_due_at
        return self.status in OPEN and due is not None and due < clock.now()

    @property
    def decided_at(self) -> dt.datetime | None:
        return self.answered_at or self.refused_at

    @property
    def answered_late(self) -> bool:
        return bool(self.answered_at and self.due_at and self.answered_at > self.due_at)


class AppealEvent(models.Model):
    """The appeal's history as the applicant sees it: what happened, when, at which body.

    The audit log holds the full before/after; this is the readable, private timeline.
    """

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+")
    # What the event says, as codes and values (a term's code and length, an authority's id, a date): pages put it
    # in the reader's language when they show it (ADR 0022). `note` holds only what a person wrote (a reason).
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind} {self.at:%Y-%m-%d}"
