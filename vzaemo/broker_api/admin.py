from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from vzaemo.broker_api.models import ApiKey
from vzaemo.broker_api.services import api_key_fill


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    list_display = ["name", "broker", "prefix", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "broker__name"]
    fields = ["broker", "name", "revoked_at", "prefix", "created_at"]
    readonly_fields = ["prefix", "created_at"]

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        secret = api_key_fill(obj)
        super().save_model(request, obj, form, change)
        messages.warning(
            request, _("The key's secret, shown only now — copy it to the broker: %(secret)s") % {"secret": secret}
        )
