"""Read-only admin for the audit chain: staff may look, nobody may add, edit or delete through it."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from vzaemo.core.admin.readonly import ReadOnlyAdmin
from vzaemo.core.models import AuditCheckpoint, AuditEntry, AuditWitnessPush


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["position", "created_at", "tag", "subject_type", "subject_id", "actor_label", "short_hash"]
    list_filter = ["tag", "subject_type"]
    search_fields = ["=subject_id", "=entry_hash", "tag", "actor_label"]
    ordering = ["-position", "-id"]
    date_hierarchy = "created_at"
    # The changelist never joins the user table; actor_label says who acted.
    list_select_related = False
    show_full_result_count = False

    @admin.display(description=_("hash"))
    def short_hash(self, obj: AuditEntry) -> str:
        return obj.entry_hash[:12]


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["size", "created_at", "head_hash", "key_id"]
    ordering = ["-size"]
    show_full_result_count = False


@admin.register(AuditWitnessPush)
class AuditWitnessPushAdmin(ReadOnlyAdmin):
    """Which checkpoints reached which witnesses; an undelivered one with many attempts needs an operator."""

    list_display = ["size", "witness", "created_at", "attempts", "delivered_at", "next_attempt_at", "last_error"]
    list_filter = ["witness"]
    ordering = ["-size", "witness"]
    show_full_result_count = False
