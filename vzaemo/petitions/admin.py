"""Petitions in the admin: read and search freely; every change of state goes through the services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from vzaemo.core.errors import DomainError
from vzaemo.petitions import services
from vzaemo.petitions.models import Petition, Signature

if TYPE_CHECKING:
    # Generic only for the type checker: Django's classes are not subscriptable at run time.
    _PetitionAdmin = admin.ModelAdmin[Petition]
    _SignatureAdmin = admin.ModelAdmin[Signature]
else:
    _PetitionAdmin = _SignatureAdmin = admin.ModelAdmin


@admin.register(Petition)
class PetitionAdmin(_PetitionAdmin):
    list_display = ["title", "authority", "status", "signature_count", "threshold", "published_at", "answer_due_at"]
    list_filter = ["status", "authority"]
    search_fields = ["title", "essence", "author_name", "author_email"]
    date_hierarchy = "created_at"
    actions = ["publish_selected", "recount_all"]
    # Status, counts and deadlines change only through the services (docs/design.md rule 2).
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


class SignatureRemovalForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are these signatures removed?"),
        max_length=services.REMOVAL_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@admin.register(Signature)
class SignatureAdmin(_SignatureAdmin):
    list_display = ["signer_name", "petition", "created_at"]
    search_fields = ["signer_name", "signer__email", "petition__title"]
    readonly_fields = ["petition", "signer", "signer_name", "created_at"]
    list_select_related = ["petition"]
    actions = ["remove_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Signature | None = None) -> bool:
        return False

    # Deleting would skip the audit record and the recount: removal is the `remove_selected` action.
    def has_delete_permission(self, request: HttpRequest, obj: Signature | None = None) -> bool:
        return False

    @admin.action(description=_("Remove the selected signatures as fraudulent (as moderator)"))
    def remove_selected(self, request: HttpRequest, queryset: QuerySet[Signature]) -> TemplateResponse | None:
        form = SignatureRemovalForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            # First the reason: an intermediate page, as the admin's own delete confirmation does.
            return TemplateResponse(
                request,
                "admin/petitions/signature/remove_selected.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Remove signatures"),
                    "opts": self.model._meta,
                    "signatures": queryset,
                    "form": form,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        removed = 0
        for signature in queryset:
            try:
                services.signature_remove(
                    signature_id=signature.pk,
                    actor=request.user,  # type: ignore[arg-type]
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                self.message_user(request, f"{signature}: {error.message}", messages.ERROR)
            else:
                removed += 1
        if removed:
            self.message_user(
                request, ngettext("%(n)d signature removed.", "%(n)d signatures removed.", removed) % {"n": removed}
            )
        return None
