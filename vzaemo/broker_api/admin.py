from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from vzaemo.broker_api.models import ApiKey, IntegrationKey
from vzaemo.broker_api.services import api_key_fill
from vzaemo.core.admin.audited import AuditedModelAdmin
from vzaemo.core.audit_tags import AuditTag


class _KeyAdmin(AuditedModelAdmin):
    """A new key gets its secret here; the secret is shown once, in a message, and only its hash is stored
    (and `prefix`, `secret_hash` and `created_at` are not editable, so they never reach the audit log)."""

    list_filter = ["revoked_at"]
    readonly_fields = ["prefix", "created_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        secret = api_key_fill(obj)
        super().save_model(request, obj, form, change)
        messages.warning(
            request, _("The key's secret, shown only now — copy it to its holder: %(secret)s") % {"secret": secret}
        )


@admin.register(ApiKey)
class ApiKeyAdmin(_KeyAdmin):
    audit_tag = AuditTag.BROKER_API_API_KEY
    list_display = ["name", "broker", "prefix", "created_at", "revoked_at"]
    search_fields = ["name", "prefix", "broker__name"]
    fields = ["broker", "name", "revoked_at", "prefix", "created_at"]


@admin.register(IntegrationKey)
class IntegrationKeyAdmin(_KeyAdmin):
    """Keys of the organiser's bank feed, the auction engine and the CDB administrator."""

    audit_tag = AuditTag.BROKER_API_INTEGRATION_KEY
    list_display = ["name", "role", "prefix", "created_at", "revoked_at"]
    list_filter = ["role", "revoked_at"]
    search_fields = ["name", "prefix"]
    fields = ["role", "name", "revoked_at", "prefix", "created_at"]
