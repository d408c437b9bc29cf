"""Petitions in the admin: read and search freely; every change of state goes through the services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from vzaemo.core.errors import DomainError
from vzaemo.petitions import services
from vzaemo.petitions.models import Petition, Signature


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = ["title", "authority", "status", "signature_count", "threshold", "published_at", "answer_due_at"]
    list_filter = ["status", "authority"]
    search_fields = ["title", "essence", "author_name", "author_email"]
    date_hierarchy = "created_at"
    actions = ["publish_selected", "recount_all"]
    # Status, counts and deadlines change only through the services (DESIGN rule 2).
    readonly_fields = [f.name for f in Petition._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Petition | None = None) -> bool:
        return False

    @admin.action(description=_("Publish the selected petitions (as moderator)"))
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Petition]) -> None:
        for petition in queryset:
            try:
                services.petition_publish(petition_id=petition.pk, moderator=request.user)  # type: ignore[arg-type]
            except DomainError as error:
                self.message_user(request, f"{petition}: {error.message}", messages.ERROR)

    @admin.action(description=_("Recount signatures of every petition"))
    def recount_all(self, request: HttpRequest, queryset: QuerySet[Petition]) -> None:
        changed = services.signature_counts_recount()
        self.message_user(
            request, ngettext("%(n)d count corrected.", "%(n)d counts corrected.", changed) % {"n": changed}
        )


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["signer_name", "petition", "created_at"]
    search_fields = ["signer_name", "signer__email", "petition__title"]
    readonly_fields = ["petition", "signer", "signer_name", "created_at"]
    list_select_related = ["petition"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Signature | None = None) -> bool:
        return False

    # Removing fraudulent signatures will be a service with an audit record; until then, nobody deletes.
    def has_delete_permission(self, request: HttpRequest, obj: Signature | None = None) -> bool:
        return False
