"""Appeals in the admin: read only (they are private; every change of state goes through the services)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from vzaemo.appeals.models import Appeal, AppealEvent
from vzaemo.core.admin.audited import AuditedModelAdmin
from vzaemo.core.audit_tags import AuditTag


@admin.register(Appeal)
class AppealAdmin(AuditedModelAdmin):
    audit_tag = AuditTag.ADMIN_APPEAL
    list_display = ["id", "kind", "category", "authority", "status", "received_at", "due_at"]
    list_filter = ["status", "kind", "category", "authority"]
    search_fields = ["full_name", "email", "essence"]
    date_hierarchy = "received_at"
    # Status and deadlines change only through the services (docs/design.md rule 2).
    readonly_fields = [f.name for f in Appeal._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Appeal | None = None) -> bool:
        return False


@admin.register(AppealEvent)
class AppealEventAdmin(AuditedModelAdmin):
    audit_tag = AuditTag.ADMIN_APPEAL_EVENT
    list_display = ["appeal", "kind", "authority", "at"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in AppealEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AppealEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AppealEvent | None = None) -> bool:
        return False
