"""Live sessions and their posts are records of what happened: the admin shows them, never edits them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from vzaemo.live.models import LivePost, LiveSession


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LiveSession)
class LiveSessionAdmin(ReadOnly):
    list_display = ["auction", "procedure", "start", "version", "finished_at"]
    list_filter = ["procedure"]
    date_hierarchy = "start"


@admin.register(LivePost)
class LivePostAdmin(ReadOnly):
    list_display = ["session", "seq", "bid", "amount", "special", "at"]
    list_select_related = ["session"]
