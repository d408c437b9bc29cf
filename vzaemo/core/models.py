"""Shared kernel data: the working-day calendar, the legal rules registry, the audit chain, obligations and
one-time request keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MartialLawPeriod(models.Model):
    """A period in which Law 2136-IX art. 6 part 6 suspends Labour Code arts. 67 (parts 3-5) and 71-73.

    While it lasts, public holidays are ordinary working days and nothing moves to Monday.
    Administrators close the open period when martial law ends (docs/reference/ukraine-rules.md §7).
    """

    starts_on = models.DateField(_("suspension starts on"))
    ends_on = models.DateField(_("suspension ends on"), null=True, blank=True, help_text=_("Empty while in force."))
    basis = models.CharField(_("legal basis"), max_length=300)

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("martial-law period (holidays suspended)")
        verbose_name_plural = _("martial-law periods (holidays suspended)")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="martial_law_period_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_on} – {self.ends_on or '…'}"


class CalendarOverride(models.Model):
    """An administrator's correction of one day: a Cabinet swap or a day the package gets wrong."""

    day = models.DateField(_("day"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    reason = models.CharField(_("reason and source"), max_length=300)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.day}: {'working' if self.is_working_day else 'day off'}"


class RuleUnit(models.TextChoices):
    COUNT = "count", _("count")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")
    MONTHS = "months", _("months")
    HOURS = "hours", _("hours")
    SECONDS = "seconds", _("seconds")
    PERCENT = "percent", _("percent")
    UAH = "uah", _("hryvnias")
    MINIMUM_WAGES = "minimum_wages", _("minimum wages")


class RuleConfidence(models.TextChoices):
    CONFIRMED = "C", _("confirmed in the source")
    SECONDARY = "S", _("secondary or local source only")
    UNVERIFIED = "M", _("unverified: a configurable default")


class LegalRule(models.Model):
    """One threshold or term of the law, with where it comes from and since when it applies.

    Pages cite it by act, article and official link in the reader's language (ADR 0022); `source` keeps the
    research notes and `confidence` the certainty, which only administrators see.
    """

    key = models.SlugField(_("key"), max_length=100)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=20, choices=RuleUnit.choices)
    title_uk = models.CharField(_("title (Ukrainian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    source = models.CharField(
        _("source and verification notes"),
        max_length=500,
        help_text=_("Where the value was found and how sure it is; shown to administrators only."),
    )
    act_uk = models.CharField(
        _("act (Ukrainian)"),
        max_length=300,
        blank=True,
        help_text=_("The act as pages name it; pages never show the notes."),
    )
    act_en = models.CharField(_("act (English)"), max_length=300, blank=True)
    article = models.CharField(_("article"), max_length=50, blank=True, help_text=_("E.g. 23-1; empty for none."))
    source_url = models.URLField(_("official text"), blank=True, help_text=_("The act on zakon.rada.gov.ua."))
    confidence = models.CharField(_("confidence"), max_length=1, choices=RuleConfidence.choices)
    effective_from = models.DateField(_("effective from"))
    overridable = models.BooleanField(
        _("authorities may override"), default=False, help_text=_("Only where the law allows, e.g. local charters.")
    )

    class Meta:
        ordering = ["key", "-effective_from"]
        verbose_name = _("legal rule")
        verbose_name_plural = _("legal rules")
        constraints = [
            models.UniqueConstraint(fields=["key", "effective_from"], name="legal_rule_key_effective_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} = {format(self.value.normalize(), 'f')} {self.unit} ({self.effective_from})"


class LegalRuleOverride(models.Model):
    """An authority's own value for an overridable rule (e.g. Kyiv's charter petition threshold)."""

    key = models.SlugField(_("rule key"), max_length=100)
    authority = models.ForeignKey(
        "accounts.Authority", on_delete=models.CASCADE, related_name="rule_overrides", verbose_name=_("authority")
    )
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    unit = models.CharField(
        _("unit"), max_length=20, choices=RuleUnit.choices, help_text=_("A charter may set a term in other units.")
    )
    source = models.CharField(_("source"), max_length=500, help_text=_("E.g. the community charter and article."))
    act_uk = models.CharField(
        _("act (Ukrainian)"),
        max_length=300,
        blank=True,
        help_text=_("The act as pages name it; pages never show the notes."),
    )
    act_en = models.CharField(_("act (English)"), max_length=300, blank=True)
    article = models.CharField(_("article"), max_length=50, blank=True, help_text=_("E.g. 23-1; empty for none."))
    source_url = models.URLField(_("source URL"), blank=True)
    effective_from = models.DateField(_("effective from"))

    class Meta:
        ordering = ["key", "authority_id", "-effective_from"]
        verbose_name = _("legal rule override")
        verbose_name_plural = _("legal rule overrides")
        constraints = [
            models.UniqueConstraint(fields=["key", "authority", "effective_from"], name="legal_rule_override_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.authority_id} = {format(self.value.normalize(), 'f')}"


class AuditEntry(models.Model):
    """One change, recorded in the writer's transaction; the sealer links it into the hash chain later.

    Writers only INSERT (no shared lock, so signing and bidding never queue behind the log);
    `commit_txid` is the writer's PostgreSQL transaction id, which lets the sealer take entries in
    commit order behind the snapshot watermark and never skip one that commits late.
    """

    created_at = models.DateTimeField(_("recorded at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    subject_type = models.CharField(_("subject type"), max_length=100)
    subject_id = models.CharField(_("subject id"), max_length=64)
    tag = models.CharField(_("tag"), max_length=100)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    commit_txid = models.BigIntegerField(null=True, blank=True, editable=False)
    position = models.BigIntegerField(_("chain position"), null=True, blank=True, unique=True, editable=False)
    previous_hash = models.CharField(max_length=64, blank=True, editable=False)
    entry_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="audit_subject_idx"),
            models.Index(
                fields=["commit_txid", "id"], name="audit_unsealed_idx", condition=models.Q(position__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.position or '-'} {self.tag} {self.subject_type}:{self.subject_id}"


class AuditCheckpoint(models.Model):
    """A signed statement of the chain's head: (size, head hash), like a signed tree head (RFC 9162)."""

    size = models.BigIntegerField(_("entries covered"), unique=True)
    head_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    key_id = models.CharField(max_length=64)
    signature = models.CharField(max_length=200)

    class Meta:
        ordering = ["-size"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"checkpoint {self.size} {self.head_hash[:12]}"


class AuditWitnessPush(models.Model):
    """One checkpoint sent to one outside witness (an HTTP endpoint or a mailbox), retried until delivered.

    UNIQUE(witness, size) makes scheduling idempotent; a delivery attempt claims the row (`attempts` moved on
    from the value it read, `sending_until` set), so two workers never send the same push at once (ADR 0015).
    The size refers to the checkpoint, not a foreign key: the row must outlive a checkpoint someone deletes.
    """

    witness = models.CharField(_("witness"), max_length=500, help_text=_("An https:// URL or mailto: address."))
    size = models.BigIntegerField(_("checkpoint size"))
    created_at = models.DateTimeField(_("scheduled at"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sending_until = models.DateTimeField(_("being sent until"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("audit witness push")
        verbose_name_plural = _("audit witness pushes")
        constraints = [models.UniqueConstraint(fields=["witness", "size"], name="audit_witness_push_once")]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="audit_witness_due_idx", condition=models.Q(delivered_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"checkpoint {self.size} to {self.witness}"


class ObligationOutcome(models.TextChoices):
    OPEN = "open", _("open")
    FULFILLED = "fulfilled", _("fulfilled")
    # The duty passed to another body (an appeal forwarded) or ended without a duty to answer
    # (a refusal with reasons is a fulfilment; a withdrawn item is a cancellation).
    TRANSFERRED = "transferred", _("transferred to another body")
    CANCELLED = "cancelled", _("cancelled")


class Obligation(models.Model):
    """A public body's duty to act by a deadline: the fact the responsiveness index is computed from.

    Each module opens one in the same transaction as the event that creates the duty (a petition
    reaching its threshold, an appeal registered, a consultation proposal received) and closes it
    when the duty is met. The index needs nothing module-specific: it reads only these rows.
    """

    authority = models.ForeignKey(
        "accounts.Authority", on_delete=models.PROTECT, related_name="obligations", verbose_name=_("authority")
    )
    kind = models.CharField(_("kind"), max_length=60, help_text=_("E.g. petition.answer, appeal.answer."))
    subject_type = models.CharField(_("subject type"), max_length=100)
    subject_id = models.CharField(_("subject id"), max_length=64)
    opened_at = models.DateTimeField(_("opened"))
    due_at = models.DateTimeField(_("due"))
    # The deadline as first set; `due_at` moves only by a lawful extension.
    original_due_at = models.DateTimeField(_("originally due"))
    rule = models.JSONField(_("rule that set the deadline"), default=dict)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=ObligationOutcome.choices, default=ObligationOutcome.OPEN
    )

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        indexes = [
            models.Index(fields=["authority", "kind", "opened_at"], name="obligation_authority_kind_idx"),
            models.Index(fields=["outcome", "due_at"], name="obligation_open_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id"], name="obligation_one_per_subject_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="open", closed_at__isnull=True)
                | (~models.Q(outcome="open") & models.Q(closed_at__isnull=False)),
                name="obligation_closed_iff_not_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_type}:{self.subject_id} due {self.due_at:%Y-%m-%d}"


class IdempotencyKey(models.Model):
    """A one-time key of a state-changing request and what its first use produced (`core.idempotency`).

    Inserted in the same transaction as the effect, before it: the unique (scope, key) makes a repeat of the
    request, even one racing the first, find this row instead of repeating the effect. Plumbing, not a
    domain record: rows older than the keys' lifetime are purged, and the effect has its own audit entry.
    """

    scope = models.CharField(_("scope"), max_length=60, help_text=_("The write it guards, e.g. appeal:submit."))
    key = models.CharField(_("key"), max_length=128)
    # Who sent it: another person presenting the same key is refused, never shown this one's result.
    actor = models.CharField(_("actor"), max_length=100)
    created_at = models.DateTimeField(_("first used"))
    result_type = models.CharField(_("result type"), max_length=100, blank=True)
    result_id = models.CharField(_("result id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:12]}"


class OutboxMessage(models.Model):
    """An email the embedded demo "sent": `core.outbox.EmailBackend` keeps it here, for the /outbox/ page,
    instead of talking to an SMTP server the demo does not have."""

    sent_at = models.DateTimeField(_("sent"), db_index=True)
    from_email = models.CharField(_("from"), max_length=500)
    to = models.JSONField(_("to"), default=list)
    subject = models.CharField(_("subject"), max_length=1000)
    body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML text"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")

    def __str__(self) -> str:
        return self.subject
