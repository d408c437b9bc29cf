"""Live sessions and their posts are records of what happened: the admin shows them, never edits them."""

from __future__ import annotations

from django.contrib import admin

from vzaemo.core.admin.readonly import ReadOnlyAdmin
from vzaemo.live.models import LivePost, LiveSession


@admin.register(LiveSession)
class LiveSessionAdmin(ReadOnlyAdmin):
    list_display = ["auction", "procedure", "start", "version", "finished_at"]
    list_filter = ["procedure"]
    date_hierarchy = "start"


@admin.register(LivePost)
class LivePostAdmin(ReadOnlyAdmin):
    list_display = ["session", "seq", "bid", "amount", "special", "at"]
    list_select_related = ["session"]
