"""Documents in the admin: read-only. Metadata is immutable (models.py); there is nothing to edit or delete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import HttpRequest

from vzaemo.documents.models import Document

if TYPE_CHECKING:
    # Generic only for the type checker: Django's classes are not subscriptable at run time.
    _ModelAdmin = admin.ModelAdmin[Document]
else:
    _ModelAdmin = admin.ModelAdmin


@admin.register(Document)
class DocumentAdmin(_ModelAdmin):
    list_display = ["title", "format", "size", "owner_type", "owner_id", "mode", "registered_at", "uploaded_at"]
    list_filter = ["mode", "owner_type", "format"]
    search_fields = ["=id", "=sha256", "title", "=owner_id"]
    date_hierarchy = "registered_at"
    readonly_fields = [f.name for f in Document._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        return False
