"""The one-stop index in the admin: read-only, derived data (`manage.py onestop_reindex` rebuilds it)."""

from __future__ import annotations

from django.contrib import admin

from vzaemo.core.admin.readonly import ReadOnlyAdmin
from vzaemo.onestop.models import IndexCursor, IndexedItem


@admin.register(IndexedItem)
class IndexedItemAdmin(ReadOnlyAdmin):
    list_display = ["kind", "object_id", "title", "status", "authority", "region", "deadline", "updated_at"]
    list_filter = ["kind", "region", "deadline_whose"]
    search_fields = ["title", "=object_id"]
    exclude = ["search_vector"]


@admin.register(IndexCursor)
class IndexCursorAdmin(ReadOnlyAdmin):
    list_display = ["name", "position"]
