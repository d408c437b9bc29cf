"""The one-stop index: a projection of every module's public items (core.participation), for search and the calendar.

Derived data only. Each row is rebuilt from its module by `projection` whenever the audit log says the
object changed, and `manage.py onestop_reindex` rebuilds all of them; nothing else writes here. Private
items (appeals, drafts) are never stored, so no query of this table can show one.
"""

from __future__ import annotations

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
