"""Consultations in the admin: read and search freely; every change of state goes through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from vzaemo.consultations import services
from vzaemo.consultations.models import Clause, Consultation, Proposal, Subscription
from vzaemo.core.admin.audited import AuditedModelAdmin
from vzaemo.core.audit_tags import AuditTag
from vzaemo.core.errors import DomainError


class ReadOnlyAdmin(AuditedModelAdmin):
    """Status, deadlines and decisions change only through the services (docs/design.md rule 2)."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ClauseInline(admin.TabularInline[Clause, Consultation]):
    model = Clause
    fields = ["number", "text"]
    readonly_fields = ["number", "text"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    audit_tag = AuditTag.ADMIN_CONSULTATION
    list_display = ["title", "authority", "topic", "status", "opens_at", "closes_at", "report_due_at"]
    list_filter = ["status", "topic", "authority"]
    search_fields = ["title", "summary"]
    inlines = [ClauseInline]
    actions = ["close_due"]

    @admin.action(description=_("Close the selected consultations whose deadline has passed"))
    def close_due(self, request: HttpRequest, queryset: QuerySet[Consultation]) -> None:
        for consultation in queryset:
            try:
                services.consultation_close(consultation_id=consultation.pk)
            except DomainError as error:
                self.message_user(request, f"{consultation}: {error.message}", messages.ERROR)


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    audit_tag = AuditTag.ADMIN_CONSULTATION_PROPOSAL
    list_display = ["author_name", "cso", "consultation", "clause", "status", "decision", "created_at"]
    list_filter = ["status", "decision"]
    search_fields = ["author_name", "text", "consultation__title"]
    list_select_related = ["consultation", "clause", "cso"]


@admin.register(Subscription)
class SubscriptionAdmin(AuditedModelAdmin):
    audit_tag = AuditTag.ADMIN_CONSULTATION_SUBSCRIPTION
    list_display = ["user", "authority", "topic", "created_at"]
    list_filter = ["topic"]
    search_fields = ["user__email"]
    raw_id_fields = ["user", "authority"]
    readonly_fields = ["created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
