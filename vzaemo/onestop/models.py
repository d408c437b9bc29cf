"""The one-stop index: a projection of every module's public items (core.participation), for search and the calendar.

Derived data only. Each row is rebuilt from its module by `projection` whenever the audit log says the
object changed, and `manage.py onestop_reindex` rebuilds all of them; nothing else writes here. Private
items (appeals, drafts) are never stored, so no query of this table can show one.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from vzaemo.accounts.models import Region
from vzaemo.core.participation import Whose


class IndexedItem(models.Model):
    kind = models.CharField(_("kind"), max_length=40)
    object_id = models.BigIntegerField(_("object id"))
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    url = models.CharField(_("address"), max_length=500)
    status = models.CharField(_("status"), max_length=40)
    authority = models.ForeignKey(
        "accounts.Authority",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("authority"),
    )
    region = models.CharField(_("region"), max_length=30, choices=Region.choices, blank=True)
    # Space-delimited with a space at both ends (" topic:environment category:vehicle "), so that one subject is
    # found with `contains` on SQLite and PostgreSQL alike (see `with_subject`).
    subjects = models.CharField(_("subjects"), max_length=500, blank=True)
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    deadline_whose = models.CharField(
        _("whose deadline"), max_length=20, choices=[(w.value, w.value) for w in Whose], blank=True
    )
    updated_at = models.DateTimeField(_("updated"))
    # search.normalise() of the title, summary, the module's search text and the authority's names.
    search_text = models.TextField(editable=False)
    # PostgreSQL only (to_tsvector('simple', search_text), GIN-indexed by migration 0002); NULL on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    indexed_at = models.DateTimeField(_("indexed"))

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("indexed item")
        verbose_name_plural = _("indexed items")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="onestop_item_unique")]
        indexes = [
            models.Index(fields=["kind", "status"], name="onestop_kind_status_idx"),
            models.Index(fields=["deadline"], name="onestop_deadline_idx"),
            models.Index(fields=["authority", "deadline"], name="onestop_authority_idx"),
            models.Index(fields=["region", "deadline"], name="onestop_region_idx"),
            models.Index(fields=["-updated_at", "-id"], name="onestop_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"

    @staticmethod
    def subjects_text(subjects: tuple[str, ...]) -> str:
        return f" {' '.join(subjects)} " if subjects else ""

    @property
    def subject_list(self) -> list[str]:
        return self.subjects.split()


class IndexCursor(models.Model):
    """How far the projection has read the sealed audit chain (`AuditEntry.position`)."""

    name = models.CharField(max_length=40, unique=True)
    position = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("index position")
        verbose_name_plural = _("index positions")

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"


class FollowTarget(models.TextChoices):
    """What a subscription follows: every public item of an authority, of a region, of a topic, or one item."""

    AUTHORITY = "authority", _("an authority")
    REGION = "region", _("a region")
    TOPIC = "topic", _("a topic")
    ITEM = "item", _("one item")


class Frequency(models.TextChoices):
    INSTANT = "instant", _("at once")
    DAILY = "daily", _("once a day")
    # Notifications on the site and in the Atom feed only.
    NONE = "none", _("no email")


class Subscription(models.Model):
    """A person follows an authority, a region, a topic or one item of the one-stop index (public items only)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions", verbose_name=_("person")
    )
    target = models.CharField(_("follows"), max_length=20, choices=FollowTarget.choices)
    # The authority's id, the region code, the subject code ("topic:environment") or "kind:object_id".
    value = models.CharField(_("value"), max_length=120)
    frequency = models.CharField(_("email"), max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["user", "target", "value"], name="onestop_subscription_unique"),
        ]
        indexes = [models.Index(fields=["target", "value"], name="onestop_sub_target_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.target}:{self.value}"


class NotificationEvent(models.TextChoices):
    # Stored as codes with the item's status code, rendered in the reader's language (never a stored sentence).
    OPENED = "opened", _("new")
    STATUS = "status", _("status changed")


class Notification(models.Model):
    """Something that happened to an item a person follows: on the notifications page, in the feed and the digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=40)
    object_id = models.BigIntegerField(_("object id"))
    event = models.CharField(_("event"), max_length=20, choices=NotificationEvent.choices)
    status = models.CharField(_("status"), max_length=40)
    # The item's title and address when it happened; the item may change or leave the index later.
    title = models.CharField(_("title"), max_length=500)
    url = models.CharField(_("address"), max_length=500)
    created_at = models.DateTimeField(_("created"))
    # When the email that carries it is due (now for instant subscriptions, the next morning for daily ones);
    # NULL when the person receives no email for it.
    email_due_at = models.DateTimeField(_("email due"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            # One notice per person, item and state, however many subscriptions match and however often the
            # projection re-reads the entry.
            models.UniqueConstraint(
                fields=["user", "kind", "object_id", "event", "status"], name="onestop_notification_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="onestop_note_user_idx"),
            models.Index(
                fields=["email_due_at"],
                name="onestop_note_due_idx",
                condition=models.Q(emailed_at__isnull=True, email_due_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}:{self.object_id} {self.event} {self.status}"
